//! JavaScript bindings (`wasm-bindgen`): the npm package in `pkg/`.
//!
//! Thin glue: every function here converts JS values to core types, calls the core, and
//! converts the result or error back. Nothing here knows WeChat's rules.
//!
//! The boundary is shaped by measurement (BENCHMARKS.md): a message crosses as one string (or
//! one `Uint8Array`), an argument object as one `JSON.stringify` text, and a typed result as one
//! JSON text for `JSON.parse`, so a notify costs a few crossings instead of one per field.
//! Typed objects use camelCase names in JS (`outTradeNo`, `appId`; WeChat's snake_case names
//! are accepted too); raw WeChat fields (`sign`, `toXml`, `parseXml`) keep WeChat's own names.
//!
//! The package's entry point is `src/wasm/pkg.js` (copied to `pkg/wxpay.js` by
//! `scripts/build-wasm`, with the generated glue as `pkg/wxpay_glue.js` behind it): it re-exports
//! everything here but the `__`-prefixed helpers, and gives `sign` a shorter way in for plain
//! objects (`sign_scratch`, `sign_scratched`).

mod json;

use std::borrow::Cow;

use js_sys::{JSON, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use self::json::{Scalar, WriteError};
use crate::message::{Request, Response};
use crate::{
    ApiKey, CloseOrder, CloseOrderResponse, Error, Fen, Merchant, OrderQuery, OrderQueryResponse, Params,
    PaymentParams, Refund, RefundQuery, RefundQueryResponse, RefundRef, RefundResponse, SignType, TradeRef,
    UnifiedOrder, UnifiedOrderResponse, notify,
};

/// JS numbers are exact up to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

// ---- errors ------------------------------------------------------------------------------

/// What a binding can fail with: a core error, or a JS value of the wrong shape.
pub enum Failure {
    Core(Error),
    /// `INVALID_ARGUMENT`: the JS caller passed something the declarations do not allow.
    Argument(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        to_js_error(f)
    }
}

fn argument(message: impl Into<String>) -> Failure {
    Failure::Argument(message.into())
}

/// The one way errors reach JS: an `Error` with a stable `code`, a message that never holds
/// the API key, `retryable`, and for WeChat business errors `errCode`.
fn to_js_error(f: Failure) -> JsValue {
    let (code, message, err_code, retryable) = match &f {
        Failure::Core(e) => (e.code(), e.to_string(), e.err_code().map(str::to_owned), e.is_retryable()),
        Failure::Argument(m) => ("INVALID_ARGUMENT", m.clone(), None, false),
    };
    let error = js_sys::Error::new(&message);
    let set = |name: &str, value: JsValue| {
        // Setting a data property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str(name), &value);
    };
    set("code", JsValue::from_str(code));
    set("retryable", JsValue::from_bool(retryable));
    if let Some(c) = err_code {
        set("errCode", JsValue::from_str(&c));
    }
    error.into()
}

type Result<T> = core::result::Result<T, Failure>;

// ---- values in -------------------------------------------------------------------------------

/// A message body: a JS string, or the raw bytes of a request (`Buffer` is a `Uint8Array`),
/// which keeps `NOT_UTF8` detectable.
enum Body {
    Text(String),
    Bytes(Vec<u8>),
}

impl Body {
    fn from_js(value: &JsValue) -> Result<Body> {
        if let Some(s) = value.as_string() {
            Ok(Body::Text(s))
        } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            Ok(Body::Bytes(bytes.to_vec()))
        } else {
            Err(argument("the message must be a string or a Uint8Array"))
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Body::Text(s) => s.as_bytes(),
            Body::Bytes(b) => b,
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.stringify`, with the text copied straight into wasm memory: one crossing (a
    /// `js_sys::JSON::stringify` handle would need a second to read the string out).
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> core::result::Result<Option<String>, JsValue>;
}

/// A JS argument object as one JSON text: one crossing instead of a `Reflect.get` per field.
/// Anything but a plain object (`null`, an array, a string) fails to parse as one afterwards.
fn json_text(value: &JsValue, what: &str) -> Result<String> {
    match json_stringify(value) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(argument(format!("{what} must be an object"))),
        Err(_) => Err(argument(format!("{what} cannot be read (a BigInt or a cycle?)"))),
    }
}

/// The fields of a JS argument object, taken one by one by WeChat name (`out_trade_no`) or its
/// camelCase form (`outTradeNo`).
struct Input<'a> {
    what: &'static str,
    fields: Vec<(Cow<'a, str>, Scalar<'a>)>,
}

impl<'a> Input<'a> {
    fn parse(text: &'a str, what: &'static str) -> Result<Input<'a>> {
        let fields = json::parse_object(text).ok_or_else(|| argument(format!("{what} must be an object")))?;
        Ok(Input { what, fields })
    }

    /// The value under `name` or its camelCase form; `null` counts as absent.
    fn take(&mut self, name: &str) -> Result<Option<Scalar<'a>>> {
        let camel = json::to_camel(name);
        let mut found = None;
        let mut i = 0;
        while i < self.fields.len() {
            if self.fields[i].0 == name || self.fields[i].0 == camel {
                let (_, v) = self.fields.swap_remove(i);
                if found.is_some() {
                    return Err(argument(format!("{}: `{camel}` is given twice", self.what)));
                }
                found = Some(v);
            } else {
                i += 1;
            }
        }
        Ok(found.filter(|v| *v != Scalar::Null))
    }

    fn string(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name)? {
            None => Ok(None),
            Some(Scalar::Str(s)) => Ok(Some(s.into_owned())),
            Some(_) => Err(argument(format!("{}: `{}` must be a string", self.what, json::to_camel(name)))),
        }
    }

    fn req_string(&mut self, name: &str) -> Result<String> {
        self.string(name)?.ok_or_else(|| Error::missing(name).into())
    }

    fn fen(&mut self, name: &str) -> Result<Option<Fen>> {
        self.take(name)?.map(|v| fen_in(&v, self.what, name)).transpose()
    }

    fn req_fen(&mut self, name: &str) -> Result<Fen> {
        self.fen(name)?.ok_or_else(|| Error::missing(name).into())
    }

    /// A non-negative integer (a number, or a string of digits).
    fn uint(&mut self, name: &str) -> Result<Option<u64>> {
        let (what, camel) = (self.what, json::to_camel(name));
        let value = match self.take(name)? {
            None => return Ok(None),
            Some(Scalar::Str(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().map_err(|_| ()),
            Some(n) => match n.digits() {
                Some(Ok(v)) if v <= MAX_SAFE_INTEGER => Ok(v),
                Some(_) => Err(()),
                None => return Err(argument(format!("{what}: `{camel}` must be a non-negative integer"))),
            },
        };
        value.map(Some).map_err(|()| argument(format!("{what}: `{camel}` is too large")))
    }

    /// Refuses what is left: a misspelt optional field must not vanish silently.
    fn finish<T>(self, value: T) -> Result<T> {
        match self.fields.iter().find(|(_, v)| *v != Scalar::Null) {
            Some((name, _)) => Err(argument(format!("{}: unknown field `{name}`", self.what))),
            None => Ok(value),
        }
    }
}

/// An amount from JS: an integer number of fen, or a string of digits. Never a fraction.
fn fen_in(value: &Scalar<'_>, what: &str, name: &str) -> Result<Fen> {
    let refuse =
        |value: &str, reason| Err(Error::InvalidAmount { value: value.chars().take(40).collect(), reason }.into());
    match (value, value.digits()) {
        (Scalar::Str(s), _) => Ok(s.parse()?),
        (_, Some(Ok(n))) if n <= MAX_SAFE_INTEGER => Ok(Fen::new(n)),
        (Scalar::Num(t), Some(_)) => refuse(t, "larger than Number.MAX_SAFE_INTEGER: pass it as a string"),
        (Scalar::Num(t), None) if t.starts_with('-') => refuse(t, "amounts cannot be negative"),
        (Scalar::Num(t), None) if t.contains('.') || t.contains("e-") => {
            refuse(t, "amounts are integer fen, not decimals")
        }
        (Scalar::Num(t), None) => refuse(t, "too large"),
        _ => Err(argument(format!("{what}: `{}` must be an integer number of fen", json::to_camel(name)))),
    }
}

/// An amount passed as a plain JS number.
fn fen_from_number(x: f64) -> Result<Fen> {
    if x.is_finite() && x.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&x) {
        return Ok(Fen::new(x as u64));
    }
    // JS prints the number: the crate has no float formatting of its own.
    let text: String = js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_default();
    fen_in(&Scalar::Num(&text), "expectedTotalFee", "expected_total_fee")
}

/// Flat WeChat fields by their own names, borrowed from `text`, in ASCII order (the signing
/// order): strings, or safe integers written in decimal. `null` and `undefined` are absent.
fn pairs_in<'a>(text: &'a str, what: &'static str) -> Result<Vec<(Cow<'a, str>, Cow<'a, str>)>> {
    let mut pairs = Vec::with_capacity(16);
    for (name, v) in Input::parse(text, what)?.fields {
        let v = match (&v, v.digits()) {
            (Scalar::Null, _) => continue,
            (Scalar::Str(_), _) => match v {
                Scalar::Str(s) => s,
                _ => unreachable!(),
            },
            (Scalar::Num(t), Some(Ok(n))) if n <= MAX_SAFE_INTEGER => Cow::Borrowed(*t),
            (Scalar::Num(_), _) if name.ends_with("_fee") => {
                return Err(fen_in(&v, what, &name).expect_err("not a safe integer"));
            }
            _ => return Err(argument(format!("{what}: `{name}` must be a string or a non-negative safe integer"))),
        };
        pairs.push((name, v));
    }
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

fn params_in(value: &JsValue, what: &'static str) -> Result<Params> {
    let text = json_text(value, what)?;
    // Inserted one by one, the pairs being sorted already: `collect` would sort them again with
    // a stable sort of its own, 4 KB of `.wasm`.
    let mut params = Params::new();
    for (k, v) in pairs_in(&text, what)? {
        params.insert(k.into_owned(), v.into_owned());
    }
    Ok(params)
}

fn sign_type_in(value: Option<String>) -> Result<Option<SignType>> {
    value.map(|s| s.parse().map_err(Failure::Core)).transpose()
}

/// `{ appId, mchId, key, signType? }`.
fn merchant_in(value: &JsValue) -> Result<Merchant> {
    let text = json_text(value, "merchant")?;
    let mut f = Input::parse(&text, "merchant")?;
    let appid = f.req_string("appid")?;
    let mch_id = f.req_string("mch_id")?;
    let key = ApiKey::new(f.req_string("key")?)?;
    let sign_type = sign_type_in(f.string("sign_type")?)?.unwrap_or_default();
    f.finish(Merchant::new(appid, mch_id, key).with_sign_type(sign_type))
}

fn unified_order_in(value: &JsValue) -> Result<UnifiedOrder> {
    let text = json_text(value, "order")?;
    let mut f = Input::parse(&text, "order")?;
    let order = UnifiedOrder {
        body: f.req_string("body")?,
        out_trade_no: f.req_string("out_trade_no")?,
        total_fee: f.req_fen("total_fee")?,
        spbill_create_ip: f.req_string("spbill_create_ip")?,
        notify_url: f.req_string("notify_url")?,
        openid: f.req_string("openid")?,
        attach: f.string("attach")?,
        time_start: f.string("time_start")?,
        time_expire: f.string("time_expire")?,
        detail: f.string("detail")?,
        goods_tag: f.string("goods_tag")?,
        fee_type: f.string("fee_type")?,
        limit_pay: f.string("limit_pay")?,
        device_info: f.string("device_info")?,
    };
    f.finish(order)
}

fn trade_ref_in(f: &mut Input<'_>) -> Result<TradeRef> {
    match (f.string("transaction_id")?, f.string("out_trade_no")?) {
        (Some(id), None) => Ok(TradeRef::TransactionId(id)),
        (None, Some(no)) => Ok(TradeRef::OutTradeNo(no)),
        (Some(_), Some(_)) => Err(argument(format!("{}: give `transactionId` or `outTradeNo`, not both", f.what))),
        (None, None) => Err(Error::missing("out_trade_no").into()),
    }
}

fn order_query_in(value: &JsValue) -> Result<OrderQuery> {
    let text = json_text(value, "query")?;
    let mut f = Input::parse(&text, "query")?;
    let trade = trade_ref_in(&mut f)?;
    f.finish(OrderQuery { trade })
}

fn close_order_in(value: &JsValue) -> Result<CloseOrder> {
    let text = json_text(value, "close")?;
    let mut f = Input::parse(&text, "close")?;
    let out_trade_no = f.req_string("out_trade_no")?;
    f.finish(CloseOrder { out_trade_no })
}

fn refund_in(value: &JsValue) -> Result<Refund> {
    let text = json_text(value, "refund")?;
    let mut f = Input::parse(&text, "refund")?;
    let refund = Refund {
        trade: trade_ref_in(&mut f)?,
        out_refund_no: f.req_string("out_refund_no")?,
        total_fee: f.req_fen("total_fee")?,
        refund_fee: f.req_fen("refund_fee")?,
        refund_desc: f.string("refund_desc")?,
        notify_url: f.string("notify_url")?,
        refund_account: f.string("refund_account")?,
    };
    f.finish(refund)
}

fn refund_query_in(value: &JsValue) -> Result<RefundQuery> {
    let text = json_text(value, "query")?;
    let mut f = Input::parse(&text, "query")?;
    let refs = [
        f.string("refund_id")?.map(RefundRef::RefundId),
        f.string("out_refund_no")?.map(RefundRef::OutRefundNo),
        f.string("transaction_id")?.map(RefundRef::TransactionId),
        f.string("out_trade_no")?.map(RefundRef::OutTradeNo),
    ];
    let mut given = refs.into_iter().flatten();
    let by = given.next().ok_or_else(|| Failure::from(Error::missing("out_refund_no")))?;
    if given.next().is_some() {
        return Err(argument("query: give one of `refundId`, `outRefundNo`, `transactionId`, `outTradeNo`"));
    }
    let offset = f
        .uint("offset")?
        .map(|o| u32::try_from(o).map_err(|_| argument("query: `offset` is too large")))
        .transpose()?;
    f.finish(RefundQuery { by, offset })
}

fn nonce_or_fresh(nonce: Option<String>) -> Result<String> {
    Ok(match nonce {
        Some(n) => n,
        None => crate::nonce_str()?,
    })
}

// ---- values out ------------------------------------------------------------------------------

/// One JSON text out and one `JSON.parse`: measured well ahead of `Reflect.set` per property,
/// level with `serde-wasm-bindgen`, which cannot give camelCase names (BENCHMARKS.md).
fn json_out(value: &impl Serialize) -> Result<JsValue> {
    let text = json::to_camel_json(value).map_err(|e| match e {
        WriteError::Unsafe(n) => Failure::Core(Error::InvalidAmount {
            value: n.to_string(),
            reason: "larger than Number.MAX_SAFE_INTEGER cannot be returned exactly",
        }),
        WriteError::Unsupported(what) => Failure::Core(Error::Unencodable(what)),
    })?;
    parse_json(&text)
}

fn parse_json(text: &str) -> Result<JsValue> {
    JSON::parse(text).map_err(|_| argument("JSON.parse failed"))
}

// ---- signing and XML -------------------------------------------------------------------------

/// The v2 signature of `params` (uppercase hex): over the non-empty fields other than `sign`,
/// in ASCII order, with `&key=<key>` appended.
///
/// `signType` defaults to `params.sign_type`, else `MD5`. Numbers must be safe integers.
///
/// @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
#[wasm_bindgen]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "Params")] params: &JsValue,
    key: String,
    #[wasm_bindgen(unchecked_optional_param_type = "SignType", js_name = signType)] sign_type: Option<String>,
) -> Result<String> {
    // `pkg/wxpay.js` calls `sign_scratched` instead for the common case (plain objects of strings
    // and safe integers); this is the general path, and the one that reports every error:
    // fields borrowed from the JSON text, hashed in order, nothing collected.
    let text = json_text(params, "params")?;
    let pairs = pairs_in(&text, "params")?;
    let key = ApiKey::new(key)?;
    let sign_type = match sign_type_in(sign_type)? {
        Some(t) => t,
        None => match pairs.iter().find(|(k, v)| k == "sign_type" && !v.is_empty()) {
            Some((_, t)) => t.parse()?,
            None => SignType::Md5,
        },
    };
    Ok(crate::sign::sign_sorted(pairs.iter().map(|(k, v)| (&**k, &**v)), &key, sign_type))
}

thread_local! {
    /// Where `pkg/wxpay.js` writes the text of a `sign` call (`sign_scratch`).
    static SCRATCH: core::cell::RefCell<Vec<u8>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// The package's linear memory, for `pkg/wxpay.js` (`src/wasm/pkg.js`). Not in its exports.
#[wasm_bindgen(js_name = __memory, skip_typescript)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The address of at least `len` bytes of scratch memory, where `pkg/wxpay.js` writes (with
/// `TextEncoder.encodeInto`, no copy through JS) the text for `sign_scratched`. Not in the
/// package's exports.
#[wasm_bindgen(js_name = __signScratch, skip_typescript)]
pub fn sign_scratch(len: usize) -> usize {
    SCRATCH.with_borrow_mut(|b| {
        if b.len() < len {
            b.resize(len, 0);
        }
        b.as_mut_ptr() as usize
    })
}

/// `sign` for `pkg/wxpay.js`, which joins the text in JS: the scratch memory's first `len`
/// bytes are `k1=v1&…&kn=vn&` (the fields `sign` would hash, in its order) and then the key,
/// `key_len` bytes. Zeroes those bytes, writes the signature's hex digits at the start and
/// returns their number (32 or 64). 0 whenever `sign` itself must answer: a key `ApiKey`
/// refuses (for the error); U+FFFD in the text, which is how a lone surrogate arrives from JS
/// (`sign` tells the two apart and refuses the surrogate); or a character beyond U+FFFF,
/// which is a surrogate pair in JS, where a key holding one sorts otherwise than in UTF-8.
/// Not in the package's exports.
#[wasm_bindgen(js_name = __signScratched, skip_typescript)]
pub fn sign_scratched(len: usize, key_len: usize, hmac: bool) -> usize {
    SCRATCH.with_borrow_mut(|b| {
        let Some(input) = b.get_mut(..len) else { return 0 };
        let signature = (|| {
            let text = core::str::from_utf8(input).ok()?;
            let (text, key) = text.split_at_checked(len.checked_sub(key_len)?)?;
            // U+FFFD is EF BF BD; a character beyond U+FFFF starts with F0-F4.
            let bytes = text.as_bytes();
            if bytes.iter().any(|&c| c >= 0xEF)
                && (bytes.iter().any(|&c| c >= 0xF0) || bytes.windows(3).any(|w| w == "\u{FFFD}".as_bytes()))
            {
                return None;
            }
            let key = ApiKey::new(key).ok()?;
            let sign_type = if hmac { SignType::HmacSha256 } else { SignType::Md5 };
            Some(crate::sign::sign_joined(text, &key, sign_type))
        })();
        input.fill(0);
        match signature {
            Some(hex) => {
                b[..hex.len()].copy_from_slice(hex.as_bytes());
                hex.len()
            }
            None => 0,
        }
    })
}

/// Verifies `params.sign` in constant time over every received field; returns the algorithm it
/// was signed with (`sign_type`, else the signature's length, else `signType`, else `MD5`).
///
/// @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(unchecked_return_type = "SignType")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "Params")] params: &JsValue,
    key: String,
    #[wasm_bindgen(unchecked_optional_param_type = "SignType", js_name = signType)] sign_type: Option<String>,
) -> Result<String> {
    let params = params_in(params, "params")?;
    let key = ApiKey::new(key)?;
    let fallback = sign_type_in(sign_type)?.unwrap_or_default();
    Ok(crate::verify(&params, &key, fallback)?.as_str().to_owned())
}

/// `<xml>…</xml>` of flat fields: digits as they are, other values in CDATA.
///
/// @throws {WxPayError} `UNENCODABLE`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = toXml)]
pub fn to_xml(#[wasm_bindgen(unchecked_param_type = "Params")] fields: &JsValue) -> Result<String> {
    Ok(crate::xml::encode(&params_in(fields, "fields")?)?)
}

/// The fields of a flat `<xml>` document, byte for byte. DOCTYPEs and entity declarations are
/// refused before anything is read (the XXE vector).
///
/// @throws {WxPayError} `DOCTYPE_FORBIDDEN`, `UNKNOWN_ENTITY`, `NESTED_ELEMENT`, `DUPLICATE_KEY`, `NOT_UTF8`, `TOO_LARGE`, `UNEXPECTED_ROOT`, `MALFORMED_XML`
#[wasm_bindgen(js_name = parseXml, unchecked_return_type = "Fields")]
pub fn parse_xml(#[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue) -> Result<JsValue> {
    let fields = crate::xml::decode(Body::from_js(xml)?.bytes())?;
    let mut text = String::with_capacity(64 * fields.len() + 2);
    text.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        json::write_str(&mut text, name);
        text.push(':');
        json::write_str(&mut text, value);
    }
    text.push('}');
    parse_json(&text)
}

/// A fresh 32-character `[0-9A-Za-z]` nonce from `crypto.getRandomValues`.
///
/// @throws {WxPayError} `RANDOM_UNAVAILABLE`
#[wasm_bindgen(js_name = nonceStr)]
pub fn nonce_str() -> Result<String> {
    Ok(crate::nonce_str()?)
}

/// The reply to a payment or refund notify: `SUCCESS` stops WeChat's retries, `FAIL` asks for
/// one later. `message` defaults to `OK` / `FAIL`.
///
/// @throws {WxPayError} `UNENCODABLE`
#[wasm_bindgen(js_name = notifyReply)]
pub fn notify_reply(ok: bool, message: Option<String>) -> Result<String> {
    let message = message.as_deref().unwrap_or(if ok { "OK" } else { "FAIL" });
    Ok(notify::reply(ok, message)?)
}

/// The `wx.requestPayment` object `{ timeStamp, nonceStr, package, signType, paySign }`.
/// `timeStamp` defaults to now (seconds), `nonceStr` to a fresh nonce, `signType` to `MD5`
/// (it must be the order's).
///
/// @throws {WxPayError} `INVALID_API_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = paymentParams, unchecked_return_type = "PaymentParams")]
pub fn payment_params(#[wasm_bindgen(unchecked_param_type = "PaymentParamsInit")] init: &JsValue) -> Result<JsValue> {
    let text = json_text(init, "paymentParams")?;
    let mut f = Input::parse(&text, "paymentParams")?;
    let app_id = f.req_string("appid")?;
    let prepay_id = f.req_string("prepay_id")?;
    let key = ApiKey::new(f.req_string("key")?)?;
    let sign_type = sign_type_in(f.string("sign_type")?)?.unwrap_or_default();
    let time_stamp = f.uint("time_stamp")?;
    let nonce = f.string("nonce_str")?;
    f.finish(())?;
    payment_params_out(&app_id, &prepay_id, &key, sign_type, time_stamp, nonce)
}

fn payment_params_out(
    app_id: &str,
    prepay_id: &str,
    key: &ApiKey,
    sign_type: SignType,
    time_stamp: Option<u64>,
    nonce: Option<String>,
) -> Result<JsValue> {
    // The glue may read the clock; the core takes the time as an argument.
    let time_stamp = time_stamp.unwrap_or_else(|| (js_sys::Date::now() / 1000.0) as u64);
    let p = PaymentParams::new(app_id, prepay_id, key, sign_type, time_stamp, &nonce_or_fresh(nonce)?)?;
    // Exactly what `wx.requestPayment` takes: `appId` is signed but not passed.
    #[derive(Serialize)]
    struct RequestPayment<'a> {
        time_stamp: &'a str,
        nonce_str: &'a str,
        package: &'a str,
        sign_type: SignType,
        pay_sign: &'a str,
    }
    json_out(&RequestPayment {
        time_stamp: &p.time_stamp,
        nonce_str: &p.nonce_str,
        package: &p.package,
        sign_type: p.sign_type,
        pay_sign: &p.pay_sign,
    })
}

// ---- the merchant's operations ---------------------------------------------------------------

fn build<R: Request>(m: &Merchant, request: Result<R>, nonce: Option<String>) -> Result<String> {
    Ok(m.request_xml(&request?, &nonce_or_fresh(nonce)?)?)
}

fn parse<R: Response + Serialize>(m: &Merchant, xml: &JsValue) -> Result<JsValue> {
    json_out(&m.parse_response::<R>(Body::from_js(xml)?.bytes())?)
}

fn verify_payment_notify_with(m: &Merchant, xml: &JsValue, expected_total_fee: Option<f64>) -> Result<JsValue> {
    let notify = m.verify_payment_notify(Body::from_js(xml)?.bytes())?;
    if let Some(total) = expected_total_fee {
        notify.check_amount(fen_from_number(total)?)?;
    }
    json_out(&notify)
}

fn decrypt_refund_notify_with(m: &Merchant, xml: &JsValue) -> Result<JsValue> {
    json_out(&m.decrypt_refund_notify(Body::from_js(xml)?.bytes())?)
}

/// A merchant configured once: `new Merchant({ appId, mchId, key, signType })`, for the calls a
/// server makes per request without a network round trip after them (verifying notifies,
/// signing `wx.requestPayment`): the configuration is read and checked once, not per call.
/// The key stays inside WebAssembly memory; no getter returns it.
#[wasm_bindgen(js_name = Merchant)]
pub struct JsMerchant {
    inner: Merchant,
}

#[wasm_bindgen(js_class = Merchant)]
impl JsMerchant {
    /// @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_ARGUMENT`
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "MerchantConfig")] config: &JsValue) -> Result<JsMerchant> {
        Ok(JsMerchant { inner: merchant_in(config)? })
    }

    /// The mini-program's AppID.
    #[wasm_bindgen(getter = appId)]
    pub fn app_id(&self) -> String {
        self.inner.appid.clone()
    }

    /// The merchant number.
    #[wasm_bindgen(getter = mchId)]
    pub fn mch_id(&self) -> String {
        self.inner.mch_id.clone()
    }

    /// The algorithm of this merchant's requests.
    #[wasm_bindgen(getter = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type.as_str().to_owned()
    }

    /// See the function `verifyPaymentNotify`.
    #[wasm_bindgen(js_name = verifyPaymentNotify, unchecked_return_type = "PaymentNotify")]
    pub fn verify_payment_notify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
        #[wasm_bindgen(js_name = expectedTotalFee)] expected_total_fee: Option<f64>,
    ) -> Result<JsValue> {
        verify_payment_notify_with(&self.inner, xml, expected_total_fee)
    }

    /// See the function `decryptRefundNotify`.
    #[wasm_bindgen(js_name = decryptRefundNotify, unchecked_return_type = "RefundNotify")]
    pub fn decrypt_refund_notify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    ) -> Result<JsValue> {
        decrypt_refund_notify_with(&self.inner, xml)
    }

    /// See the function `paymentParams`; the appId, key and sign type are this merchant's.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = paymentParams, unchecked_return_type = "PaymentParams")]
    pub fn payment_params(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ prepayId: string; timeStamp?: number | string; nonceStr?: string }")]
        init: &JsValue,
    ) -> Result<JsValue> {
        let text = json_text(init, "paymentParams")?;
        let mut f = Input::parse(&text, "paymentParams")?;
        let prepay_id = f.req_string("prepay_id")?;
        let time_stamp = f.uint("time_stamp")?;
        let nonce = f.string("nonce_str")?;
        f.finish(())?;
        let m = &self.inner;
        payment_params_out(&m.appid, &prepay_id, &m.key, m.sign_type, time_stamp, nonce)
    }
}

// ---- the same operations as functions of a merchant configuration ----------------------------

/// Verifies a payment notify body (the string or raw bytes WeChat POSTed): flat XML without
/// DOCTYPE, `return_code`, the signature (MD5 or HMAC-SHA256, told by its length), `appid` and
/// `mch_id`. With `expectedTotalFee` the amount is compared too. Answer with `notifyReply`.
///
/// @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `AMOUNT_MISMATCH`, `RETURN_FAIL`, `DOCTYPE_FORBIDDEN` and the other XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = verifyPaymentNotify, unchecked_return_type = "PaymentNotify")]
pub fn verify_payment_notify(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = expectedTotalFee)] expected_total_fee: Option<f64>,
) -> Result<JsValue> {
    verify_payment_notify_with(&merchant_in(merchant)?, xml, expected_total_fee)
}

/// Decrypts a refund notify: `return_code`, `appid` / `mch_id`, then `req_info`
/// (AES-256-ECB under the MD5 of the API key).
///
/// @throws {WxPayError} `DECRYPT_KEY_MISMATCH`, `BAD_PADDING`, `TRUNCATED_CIPHERTEXT`, `INVALID_BASE64`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `RETURN_FAIL`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = decryptRefundNotify, unchecked_return_type = "RefundNotify")]
pub fn decrypt_refund_notify(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    decrypt_refund_notify_with(&merchant_in(merchant)?, xml)
}

/// The signed XML body for `POST /pay/unifiedorder` (`trade_type=JSAPI`). `nonceStr` defaults
/// to a fresh nonce.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `UNENCODABLE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildUnifiedOrder)]
pub fn build_unified_order(
    #[wasm_bindgen(unchecked_param_type = "UnifiedOrder")] order: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = nonceStr)] nonce_str: Option<String>,
) -> Result<String> {
    build(&merchant_in(merchant)?, unified_order_in(order), nonce_str)
}

/// Checks and reads WeChat's answer to unifiedorder: `return_code`, signature, `appid` /
/// `mch_id`, `result_code`, then `prepayId`.
///
/// @throws {WxPayError} `RETURN_FAIL`, `BUSINESS_ERROR` (see `errCode`, `retryable`), `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, XML codes, `MISSING_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = parseUnifiedOrderResponse, unchecked_return_type = "UnifiedOrderResponse")]
pub fn parse_unified_order_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    parse::<UnifiedOrderResponse>(&merchant_in(merchant)?, xml)
}

/// The signed XML body for `POST /pay/orderquery`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildOrderQuery)]
pub fn build_order_query(
    #[wasm_bindgen(unchecked_param_type = "OrderQuery")] query: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = nonceStr)] nonce_str: Option<String>,
) -> Result<String> {
    build(&merchant_in(merchant)?, order_query_in(query), nonce_str)
}

/// Checks and reads WeChat's answer to orderquery (see `parseUnifiedOrderResponse`).
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseOrderQueryResponse, unchecked_return_type = "OrderQueryResponse")]
pub fn parse_order_query_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    parse::<OrderQueryResponse>(&merchant_in(merchant)?, xml)
}

/// The signed XML body for `POST /pay/closeorder`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildCloseOrder)]
pub fn build_close_order(
    #[wasm_bindgen(unchecked_param_type = "CloseOrder")] close: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = nonceStr)] nonce_str: Option<String>,
) -> Result<String> {
    build(&merchant_in(merchant)?, close_order_in(close), nonce_str)
}

/// Checks WeChat's answer to closeorder (see `parseUnifiedOrderResponse`); `ORDERPAID` is a
/// `BUSINESS_ERROR`.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseCloseOrderResponse, unchecked_return_type = "CloseOrderResponse")]
pub fn parse_close_order_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    parse::<CloseOrderResponse>(&merchant_in(merchant)?, xml)
}

/// The signed XML body for `POST /secapi/pay/refund` (send it over mutual TLS).
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildRefund)]
pub fn build_refund(
    #[wasm_bindgen(unchecked_param_type = "Refund")] refund: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = nonceStr)] nonce_str: Option<String>,
) -> Result<String> {
    build(&merchant_in(merchant)?, refund_in(refund), nonce_str)
}

/// Checks and reads WeChat's answer to refund: *accepted*, not yet refunded.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseRefundResponse, unchecked_return_type = "RefundResponse")]
pub fn parse_refund_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    parse::<RefundResponse>(&merchant_in(merchant)?, xml)
}

/// The signed XML body for `POST /pay/refundquery`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildRefundQuery)]
pub fn build_refund_query(
    #[wasm_bindgen(unchecked_param_type = "RefundQuery")] query: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
    #[wasm_bindgen(js_name = nonceStr)] nonce_str: Option<String>,
) -> Result<String> {
    build(&merchant_in(merchant)?, refund_query_in(query), nonce_str)
}

/// Checks and reads WeChat's answer to refundquery, with the `_$n` fields as `refunds[n]`.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseRefundQueryResponse, unchecked_return_type = "RefundQueryResponse")]
pub fn parse_refund_query_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: &JsValue,
) -> Result<JsValue> {
    parse::<RefundQueryResponse>(&merchant_in(merchant)?, xml)
}

// ---- TypeScript ----------------------------------------------------------------------------

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** `MD5` (the default) or `HMAC-SHA256`. */
export type SignType = "MD5" | "HMAC-SHA256";

/** Flat WeChat fields by WeChat's own names. Numbers must be non-negative safe integers. */
export type Params = Record<string, string | number | null | undefined>;

/** Fields as received: every value is the exact string WeChat sent. */
export type Fields = Record<string, string>;

/** An amount in integer fen (分): a safe integer, or a string of digits. Never a fraction. */
export type Fen = number | string;

/** Who we are to WeChat Pay. `key` is the 32-character API v2 key; it never leaves WebAssembly in any output or error. */
export interface MerchantConfig {
  appId: string;
  mchId: string;
  key: string;
  /** The algorithm for our requests; default `MD5`. */
  signType?: SignType;
}

/** A JSAPI order (`trade_type=JSAPI`) for a mini-program payer. */
export interface UnifiedOrder {
  /** 商品描述, at most 128 bytes. */
  body: string;
  /** At most 32 of `0-9 a-z A-Z _ - | *`, unique per merchant. */
  outTradeNo: string;
  /** At least 1 fen. */
  totalFee: Fen;
  /** The payer's IP address. */
  spbillCreateIp: string;
  /** Where WeChat POSTs the payment notify; no query string. */
  notifyUrl: string;
  /** The payer's openid for this appid. */
  openid: string;
  attach?: string;
  /** `yyyyMMddHHmmss`, Beijing time. */
  timeStart?: string;
  /** `yyyyMMddHHmmss`, Beijing time, after `timeStart`. */
  timeExpire?: string;
  detail?: string;
  goodsTag?: string;
  feeType?: "CNY";
  limitPay?: "no_credit";
  deviceInfo?: string;
}

export interface UnifiedOrderResponse {
  /** Valid for two hours; pass it to `paymentParams`. */
  prepayId: string;
  tradeType: string;
  codeUrl?: string;
}

/** Which payment: WeChat's `transactionId` or the merchant's `outTradeNo`. */
export type TradeRef =
  | { transactionId: string; outTradeNo?: undefined }
  | { outTradeNo: string; transactionId?: undefined };

export type OrderQuery = TradeRef;

export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

export interface OrderQueryResponse {
  tradeState: TradeState;
  tradeStateDesc?: string;
  outTradeNo: string;
  transactionId?: string;
  totalFee?: number;
  cashFee?: number;
  openid?: string;
  timeEnd?: string;
  attach?: string;
  tradeType?: string;
}

export interface CloseOrder {
  outTradeNo: string;
}

/** closeorder answers nothing beyond success. */
export type CloseOrderResponse = Record<string, never>;

/** A refund application; the same `outRefundNo` refunds once. */
export type Refund = TradeRef & {
  /** At most 64 of `0-9 a-z A-Z _ - | * @`. */
  outRefundNo: string;
  totalFee: Fen;
  /** At least 1 fen, at most `totalFee`. */
  refundFee: Fen;
  refundDesc?: string;
  notifyUrl?: string;
  refundAccount?: string;
};

export interface RefundResponse {
  transactionId: string;
  outTradeNo: string;
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  totalFee: number;
  cashFee?: number;
}

/** Which refunds: exactly one of the four references, and an optional `offset`. */
export type RefundQuery = (
  | { refundId: string }
  | { outRefundNo: string }
  | { transactionId: string }
  | { outTradeNo: string }
) & { offset?: number };

export type RefundStatus = "SUCCESS" | "REFUNDCLOSE" | "PROCESSING" | "CHANGE";

export interface RefundItem {
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  refundStatus: RefundStatus;
  refundSuccessTime?: string;
  /** Sic: WeChat's spelling. */
  refundRecvAccout?: string;
  refundChannel?: string;
}

export interface RefundQueryResponse {
  transactionId: string;
  outTradeNo: string;
  totalFee: number;
  cashFee?: number;
  totalRefundCount?: number;
  refunds: RefundItem[];
}

/** A verified payment notify. Compare `totalFee` with the order before marking it paid. */
export interface PaymentNotify {
  resultCode: "SUCCESS" | "FAIL";
  errCode?: string;
  errCodeDes?: string;
  appId: string;
  mchId: string;
  openid: string;
  tradeType: string;
  bankType?: string;
  totalFee: number;
  settlementTotalFee?: number;
  cashFee?: number;
  couponFee?: number;
  feeType?: string;
  transactionId: string;
  outTradeNo: string;
  attach?: string;
  /** `yyyyMMddHHmmss`. */
  timeEnd: string;
  isSubscribe?: string;
  /** The algorithm the notify was signed with. */
  signType: SignType;
}

export type RefundNotifyStatus = "SUCCESS" | "CHANGE" | "REFUNDCLOSE";

/** A decrypted refund notify. */
export interface RefundNotify {
  appId: string;
  mchId: string;
  transactionId: string;
  outTradeNo: string;
  refundId: string;
  outRefundNo: string;
  totalFee: number;
  settlementTotalFee?: number;
  refundFee: number;
  settlementRefundFee?: number;
  refundStatus: RefundNotifyStatus;
  /** `yyyy-MM-dd HH:mm:ss`. */
  successTime?: string;
  /** Sic: WeChat's spelling. */
  refundRecvAccout?: string;
  refundAccount?: string;
  refundRequestSource?: string;
}

export interface PaymentParamsInit {
  appId: string;
  prepayId: string;
  key: string;
  /** The order's sign type; default `MD5`. */
  signType?: SignType;
  /** Seconds since the epoch; default now. */
  timeStamp?: number | string;
  /** Default: a fresh nonce. */
  nonceStr?: string;
}

/** Exactly the object `wx.requestPayment` takes. */
export interface PaymentParams {
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=<id>`. */
  package: string;
  signType: SignType;
  paySign: string;
}

export type ErrorCode =
  | "INVALID_AMOUNT" | "AMOUNT_MISMATCH"
  | "SIGNATURE_MISMATCH" | "MISSING_SIGNATURE" | "UNSUPPORTED_SIGN_TYPE" | "INVALID_API_KEY"
  | "MISSING_FIELD" | "INVALID_FIELD" | "APPID_MISMATCH" | "MCHID_MISMATCH"
  | "DOCTYPE_FORBIDDEN" | "UNKNOWN_ENTITY" | "NESTED_ELEMENT" | "DUPLICATE_KEY" | "NOT_UTF8"
  | "TOO_LARGE" | "UNEXPECTED_ROOT" | "UNENCODABLE" | "MALFORMED_XML"
  | "RETURN_FAIL" | "BUSINESS_ERROR"
  | "INVALID_BASE64" | "TRUNCATED_CIPHERTEXT" | "DECRYPT_KEY_MISMATCH" | "BAD_PADDING"
  | "RANDOM_UNAVAILABLE" | "INVALID_ARGUMENT";

/** Every function throws this: a plain `Error` with a stable `code`. */
export interface WxPayError extends Error {
  code: ErrorCode;
  /** WeChat's `err_code` (e.g. `ORDERPAID`) when `code` is `BUSINESS_ERROR`. */
  errCode?: string;
  /** Whether WeChat asks for the same request again (`SYSTEMERROR`, `BIZERR_NEED_RETRY`). */
  retryable: boolean;
}
"#;
