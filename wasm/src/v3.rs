//! Export group `v3` (cargo feature `wasm-v3`): WeChat Pay API v3, the whole of the entry point
//! `wxpay/v3` (`pkg/v3.js`). A module of its own: JSON and DER stay out of the v2 entry points,
//! and v3's `Merchant` is another class than v2's. RSA and AES-GCM are `node:crypto`'s
//! (`v3_crypto.rs`).
//!
//! `Merchant` holds the merchant's identity and private key (parsed once) and builds signed
//! requests and `paySign`; `KeySet` holds WeChat's keys and the APIv3 key and reads what WeChat
//! sends: answers, notifies, the certificate download. Results are the core's types with
//! WeChat's snake_case names in camelCase (`appid`, `mchid` become `appId`, `mchId`, as in the
//! v2 groups) and absent fields left out.

use std::cell::RefCell;
use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use super::convert::{from_js, required, to_js, trade_ref, Body, Scalar, MAX_SAFE_INTEGER};
use super::error::{argument, Failure, Result};
use super::js;
use super::v3_results::camel_js;
use wxpay::v3::{
    self, ApiV3Key, CloseOrderRequest, DownloadCertificatesRequest, EncryptedResource, JsapiOrderRequest, MerchantKey,
    QueryByOutTradeNoRequest, RefundQueryRequest, RefundRequest, Request, SignatureHeaders, SignedRequest, Signer,
};
use wxpay::Error;

// ---- values in and out -----------------------------------------------------------------------

/// Seconds since the Unix epoch: as given, or the clock's (the glue may read the clock; the
/// core takes the time as an argument). Milliseconds are refused rather than read as a date
/// thousands of years away.
pub(crate) fn seconds(value: &JsValue, what: &str) -> Result<u64> {
    match js::opt_number(value, what)? {
        None => Ok((js_sys::Date::now() / 1000.0) as u64),
        Some(x) if x.is_finite() && x.fract() == 0.0 && (0.0..1e11).contains(&x) && x <= MAX_SAFE_INTEGER as f64 => Ok(x as u64),
        Some(_) => Err(too_large(what)),
    }
}

fn too_large(what: &str) -> Failure {
    argument(what, "must be whole seconds since the Unix epoch (Date.now() is milliseconds: divide by 1000)")
}

/// A timestamp WeChat writes as a string (`timeStamp` of `wx.requestPayment`, the
/// `Wechatpay-Timestamp` header): whole seconds as a number or a string of digits.
fn seconds_or_digits(value: Scalar, what: &str) -> Result<u64> {
    match value {
        Scalar::Absent => seconds(&JsValue::UNDEFINED, what),
        Scalar::Int(n) if n < 100_000_000_000 => Ok(n),
        Scalar::Text(t) if !t.is_empty() && t.len() <= 11 && t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse().ok().filter(|&n: &u64| n < 100_000_000_000).ok_or_else(|| too_large(what))
        }
        _ => Err(too_large(what)),
    }
}

fn nonce_or_fresh(nonce: Option<String>) -> Result<String> {
    Ok(match nonce {
        Some(n) => n,
        None => wxpay::nonce_str()?,
    })
}

/// An optional argument object: `undefined` or `null` is every field left out.
pub(crate) fn optional_js<T: Default + serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value, what)
    }
}

/// The four `Wechatpay-*` headers, names in any case, from a fetch `Headers` (or anything with
/// `get`, as axios's headers), a `Map`, or a plain object such as `node:http`'s `req.headers`,
/// whose values may be arrays of one string (`req.headersDistinct`).
fn headers_in(value: &JsValue) -> Result<SignatureHeaders> {
    const WHAT: &str = "headers";
    const NAMES: [&str; 4] = ["wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"];
    if !js::is_record(value, WHAT)? {
        return Err(argument(WHAT, "must be an object, a Map or a Headers"));
    }
    if let Some(packed) = pack_headers(value).map_err(js::caller(WHAT))?.as_string() {
        if let Some(pairs) = packed_headers(&packed) {
            return Ok(SignatureHeaders::from_pairs(pairs));
        }
    }
    let wanted = |name: &str| NAMES.iter().any(|n| n.eq_ignore_ascii_case(name));
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(4);
    let mut add = |name: String, v: JsValue| -> Result<()> {
        if let Some(v) = header_value(&name, v)? {
            pairs.push((name, v));
        }
        Ok(())
    };
    if let Some(entries) = js::map_entries(value, WHAT)? {
        for (name, v) in entries {
            match name.as_string() {
                Some(name) if wanted(&name) => add(name, v)?,
                _ => {}
            }
        }
    } else if let Some(get) = js::getter(value, WHAT)? {
        for name in NAMES {
            add(name.to_owned(), js::call(&get, value, &[&JsValue::from_str(name)], WHAT)?)?;
        }
    } else {
        for (name, v) in js::own_entries(value, WHAT)? {
            if wanted(&name) {
                add(name, v)?;
            }
        }
    }
    Ok(SignatureHeaders::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))))
}

#[wasm_bindgen(module = "/src/v3_headers.js")]
extern "C" {
    /// The four headers of a plain object in one string, or `undefined` (see the file).
    #[wasm_bindgen(catch, js_name = packHeaders)]
    fn pack_headers(headers: &JsValue) -> core::result::Result<JsValue, JsValue>;
}

/// The `(name, value)` pairs of `packHeaders`' string: one crossing for the headers of a plain
/// object, where reading them the general way crossed once per property and value (notify
/// verification, BENCHMARKS.md). `None` if it is not one.
fn packed_headers(text: &str) -> Option<Vec<(&str, &str)>> {
    text.strip_prefix('\u{ff}')?.split('\0').filter(|r| !r.is_empty()).map(|r| r.split_once('\x01')).collect()
}

/// A header's value: a string, or an array of exactly one string; absent when `undefined` or
/// `null`.
fn header_value(name: &str, v: JsValue) -> Result<Option<String>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let v = match js::items(&v, "headers")? {
        Some(items) if items.len() == 1 => items.into_iter().next().unwrap_or_default(),
        Some(_) => return Err(argument("headers", &format!("`{name}` must be one string, not a list"))),
        None => v,
    };
    v.as_string().map(Some).ok_or_else(|| argument("headers", &format!("`{name}` must be a string")))
}

/// `{ status, headers, body }` of WeChat's answer, the body as received.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResponseIn {
    status: u16,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    headers: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
}

impl ResponseIn {
    pub(crate) fn read(value: JsValue) -> Result<(u16, SignatureHeaders, Body)> {
        let r: ResponseIn = from_js(value, "response")?;
        Ok((r.status, headers_in(&r.headers)?, Body::read(&r.body, "response.body")?))
    }
}

// ---- Merchant --------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MerchantInit {
    #[serde(alias = "appid")]
    app_id: Option<String>,
    #[serde(alias = "mchid")]
    mch_id: Option<String>,
    #[serde(alias = "serial_no")]
    serial_no: Option<String>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    private_key: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    sign: JsValue,
    api_base: Option<String>,
}

/// The merchant key: read and checked by the core and held by `node:crypto` (`v3_crypto.rs`), or the caller's `sign` function; `Given` is
/// the signature an async `sign` resolved to, for the one message it was asked to sign.
enum MerchantSigner {
    Key(MerchantKey),
    Js(JsSigner),
    Given(String),
}

impl Signer for MerchantSigner {
    fn sign(&self, message: &[u8]) -> wxpay::Result<String> {
        match self {
            MerchantSigner::Key(k) => k.sign(message),
            MerchantSigner::Js(s) => s.sign(message),
            MerchantSigner::Given(signature) => Ok(signature.clone()),
        }
    }
}

impl core::fmt::Debug for MerchantSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("***")
    }
}

/// A `sign(message: Uint8Array) => Uint8Array | string | Promise<…>` of the caller's
/// (`node:crypto`, a KMS, an HSM). What it throws, or a wrong answer, is kept here and rethrown
/// once the core call returns; a Promise (any thenable) is kept too, and the call finishes
/// when it resolves (`V3Merchant::signing`).
struct JsSigner {
    function: JsValue,
    failure: RefCell<Option<Failure>>,
    pending: RefCell<Option<(JsValue, JsValue)>>,
}

impl JsSigner {
    fn call(&self, message: &[u8]) -> Result<String> {
        let out = js::invoke(&self.function, &JsValue::UNDEFINED, &[&Uint8Array::from(message).into()]).map_err(Failure::Thrown)?;
        if out.is_object() || out.is_function() {
            if let Some(then) = js::getter_named(&out, "then", "sign")? {
                self.pending.replace(Some((out, then)));
                return Err(Failure::Argument(String::new()));
            }
        }
        signature_text(&out)
    }
}

/// What `sign` returned (or its Promise resolved to): the signature's bytes or their base64.
fn signature_text(out: &JsValue) -> Result<String> {
    let bytes = match out.as_string() {
        Some(text) => BASE64.decode(text.trim()).ok(),
        None => js::bytes(out, "sign")?,
    };
    match bytes {
        // RSA-2048 to 8192: what WeChat's WECHATPAY2-SHA256-RSA2048 scheme accepts.
        Some(b) if (256..=1024).contains(&b.len()) => Ok(BASE64.encode(b)),
        _ => Err(argument("sign", "must return the RSA signature: its bytes (a Uint8Array or Buffer) or their base64")),
    }
}

impl Signer for JsSigner {
    fn sign(&self, message: &[u8]) -> wxpay::Result<String> {
        self.call(message).map_err(|f| {
            self.failure.replace(Some(f));
            Error::InvalidKey("the sign function failed")
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignOptions {
    #[serde(default)]
    timestamp: Scalar,
    #[serde(alias = "nonce_str")]
    nonce_str: Option<String>,
    /// The WeChat key the answer is to be signed with (`KeySet#requestSerial`), sent as
    /// `Wechatpay-Serial`.
    wechatpay_serial: Option<String>,
}

/// What `buildAuthorization` signs (and `diagnoseSignError` compares with WeChat's view of it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AuthorizationInit {
    pub(crate) method: Option<String>,
    #[serde(alias = "path_and_query")]
    pub(crate) path_and_query: Option<String>,
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) timestamp: Scalar,
    #[serde(alias = "nonce_str")]
    pub(crate) nonce_str: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentParamsInit {
    #[serde(alias = "prepay_id")]
    prepay_id: Option<String>,
    #[serde(default, alias = "time_stamp")]
    time_stamp: Scalar,
    #[serde(alias = "nonce_str")]
    nonce_str: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsapiOrderIn {
    description: Option<String>,
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
    #[serde(default)]
    total: Scalar,
    #[serde(alias = "notify_url")]
    notify_url: Option<String>,
    openid: Option<String>,
    attach: Option<String>,
    #[serde(alias = "time_expire")]
    time_expire: Option<String>,
    #[serde(alias = "goods_tag")]
    goods_tag: Option<String>,
}

impl JsapiOrderIn {
    fn into_core(self) -> Result<JsapiOrderRequest> {
        let mut order = JsapiOrderRequest::new(
            required(self.description, "description")?,
            required(self.out_trade_no, "out_trade_no")?,
            self.total.req_fen("total")?,
            required(self.notify_url, "notify_url")?,
            required(self.openid, "openid")?,
        );
        order.attach = self.attach;
        order.time_expire = self.time_expire;
        order.goods_tag = self.goods_tag;
        Ok(order)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OutTradeNoIn {
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TransactionIdIn {
    #[serde(alias = "transaction_id")]
    transaction_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OutRefundNoIn {
    #[serde(alias = "out_refund_no")]
    out_refund_no: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefundIn {
    #[serde(alias = "transaction_id")]
    transaction_id: Option<String>,
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
    #[serde(alias = "out_refund_no")]
    out_refund_no: Option<String>,
    #[serde(default)]
    refund: Scalar,
    #[serde(default)]
    total: Scalar,
    reason: Option<String>,
    #[serde(alias = "notify_url")]
    notify_url: Option<String>,
}

/// The request objects are flat: what WeChat's JSON nests under `amount` and `payer` the caller
/// writes at the top (`total`, `refund`, `openid`), so the core's checks of `amount.total` or
/// `payer.openid` name the field as written.
fn as_written(f: Failure) -> Failure {
    let flat = |name: String| match name.strip_prefix("amount.").or_else(|| name.strip_prefix("payer.")) {
        Some(field) => field.to_owned(),
        None => name,
    };
    match f {
        Failure::Core(Error::MissingField { name }) => Failure::Core(Error::MissingField { name: flat(name) }),
        Failure::Core(Error::InvalidField { name, reason }) => Failure::Core(Error::InvalidField { name: flat(name), reason }),
        f => f,
    }
}

/// A signed request, ready for `fetch(r.url, r)` (it has `method`, `headers` and `body`) or
/// axios (`{ url, method, headers, data: body }`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedRequestOut<'a> {
    method: &'a str,
    url: String,
    path_and_query: &'a str,
    // fetch refuses any body on a GET, even an empty one.
    #[serde(skip_serializing_if = "is_empty")]
    body: &'a str,
    authorization: &'a str,
    headers: RequestHeaders<'a>,
}

#[derive(Serialize)]
struct RequestHeaders<'a> {
    #[serde(rename = "Authorization")]
    authorization: &'a str,
    #[serde(rename = "Accept")]
    accept: &'static str,
    #[serde(rename = "Content-Type", skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(rename = "Wechatpay-Serial", skip_serializing_if = "Option::is_none")]
    wechatpay_serial: Option<&'a str>,
}

fn is_empty(s: &&str) -> bool {
    s.is_empty()
}

const JSON: &str = "application/json";

/// `https://host[:port]`, nothing after it.
fn api_base_in(base: Option<String>) -> Result<String> {
    let Some(base) = base else { return Ok(v3::API_BASE.to_owned()) };
    let host = base.strip_prefix("https://").unwrap_or_default();
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
        return Err(Error::invalid("apiBase", "must be https://host[:port], without a path or a trailing slash").into());
    }
    Ok(base)
}

/// A `Wechatpay-Serial` value: a `PUB_KEY_ID_…` or a certificate serial (letters, digits, `_`).
fn serial_in(serial: String) -> Result<String> {
    if serial.is_empty() || serial.len() > 64 || !serial.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::invalid("wechatpaySerial", "must be a PUB_KEY_ID_… or a certificate serial (KeySet#requestSerial)").into());
    }
    Ok(serial)
}

/// Who we are to WeChat Pay v3: `new Merchant({ appId, mchId, serialNo, privateKey })`. The
/// private key (`apiclient_key.pem`'s text) is parsed once and stays inside WebAssembly; no
/// getter returns it. With `sign` instead of `privateKey`, the caller signs (`node:crypto`
/// signs about ten times faster than RSA in WebAssembly: BENCHMARKS.md).
#[wasm_bindgen(js_name = Merchant)]
pub struct V3Merchant {
    inner: v3::Merchant<MerchantSigner>,
    pub(crate) api_base: String,
}

impl V3Merchant {
    /// The merchant's private key, when it was given (not with `sign`).
    pub(crate) fn private_key(&self) -> Option<&MerchantKey> {
        match &self.inner.key {
            MerchantSigner::Key(k) => Some(k),
            _ => None,
        }
    }

    /// Runs a core call that signs; what the caller's `sign` threw comes back as it was. When
    /// `sign` returned a Promise, the answer is a Promise: `call` runs again once it resolves,
    /// with the signature it resolved to (the message is the same: the timestamp and nonce were
    /// fixed before the first run), and `sign` is not called again.
    fn signing(&self, call: Box<SigningCall>) -> Result<JsValue> {
        let result = call(&self.inner);
        let MerchantSigner::Js(s) = &self.inner.key else { return result };
        if let Some((promise, then)) = s.pending.take() {
            s.failure.take();
            let m = &self.inner;
            let (appid, mchid, serial_no) = (m.appid.clone(), m.mchid.clone(), m.serial_no.clone());
            let finish = Closure::once_into_js(move |signature: JsValue| -> core::result::Result<JsValue, JsValue> {
                let given = MerchantSigner::Given(signature_text(&signature)?);
                Ok(call(&v3::Merchant::new(appid, mchid, serial_no, given).map_err(Failure::Core)?)?)
            });
            return js::call(&then, &promise, &[&finish], "sign");
        }
        result.map_err(|f| s.failure.take().unwrap_or(f))
    }

    pub(crate) fn build<R: Request + 'static>(&self, request: Result<R>, options: JsValue) -> Result<JsValue> {
        let request = request.map_err(as_written)?;
        let o: SignOptions = optional_js(options, "options")?;
        let timestamp = seconds_or_digits(o.timestamp, "options.timestamp")?;
        let nonce = nonce_or_fresh(o.nonce_str)?;
        let serial = o.wechatpay_serial.map(serial_in).transpose()?;
        let api_base = self.api_base.clone();
        self.signing(Box::new(move |m| {
            let mut signed = m.sign_request(&request, timestamp, &nonce).map_err(|e| as_written(e.into()))?;
            match (&signed.wechatpay_serial, &serial) {
                // A request with encrypted fields names the key they were encrypted to.
                (Some(own), Some(given)) if own != given => {
                    return Err(Error::invalid("wechatpaySerial", "is not the key the request's fields were encrypted to").into());
                }
                (None, Some(given)) => signed.wechatpay_serial = Some(given.clone()),
                _ => {}
            }
            signed_out(signed, &api_base)
        }))
    }
}

/// A core call that signs, run again when an async `sign` resolves (one type for every call,
/// so that the continuation's code is there once).
type SigningCall = dyn Fn(&v3::Merchant<MerchantSigner>) -> Result<JsValue>;

fn signed_out(signed: SignedRequest, api_base: &str) -> Result<JsValue> {
    to_js(&SignedRequestOut {
        method: signed.method,
        url: format!("{}{}", api_base, signed.path_and_query),
        path_and_query: &signed.path_and_query,
        body: &signed.body,
        authorization: &signed.authorization,
        headers: RequestHeaders {
            authorization: &signed.authorization,
            accept: JSON,
            content_type: (!signed.body.is_empty()).then_some(JSON),
            wechatpay_serial: signed.wechatpay_serial.as_deref(),
        },
    })
}

#[wasm_bindgen(js_class = Merchant)]
impl V3Merchant {
    /// @throws {WxPayError} `INVALID_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "MerchantConfig")] config: JsValue) -> Result<V3Merchant> {
        super::v3_crypto::install();
        let c: MerchantInit = from_js(config, "merchant")?;
        let absent = |v: &JsValue| v.is_undefined() || v.is_null();
        let key = match (absent(&c.private_key), absent(&c.sign)) {
            (false, true) => MerchantSigner::Key(MerchantKey::from_pem(&js::pem(&c.private_key, "privateKey")?)?),
            (true, false) if c.sign.is_function() => {
                MerchantSigner::Js(JsSigner { function: c.sign, failure: RefCell::new(None), pending: RefCell::new(None) })
            }
            (true, false) => return Err(argument("merchant", "`sign` must be a function")),
            (false, false) => return Err(argument("merchant", "give `privateKey` or `sign`, not both")),
            (true, true) => return Err(Error::missing("privateKey").into()),
        };
        let inner =
            v3::Merchant::new(required(c.app_id, "appid")?, required(c.mch_id, "mchid")?, required(c.serial_no, "serial_no")?, key)?;
        Ok(V3Merchant { inner, api_base: api_base_in(c.api_base)? })
    }

    /// The mini-program's AppID.
    #[wasm_bindgen(getter = appId)]
    pub fn app_id(&self) -> String {
        self.inner.appid.clone()
    }

    /// The merchant number.
    #[wasm_bindgen(getter = mchId)]
    pub fn mch_id(&self) -> String {
        self.inner.mchid.clone()
    }

    /// The merchant API certificate's serial number.
    #[wasm_bindgen(getter = serialNo)]
    pub fn serial_no(&self) -> String {
        self.inner.serial_no.clone()
    }

    /// Where requests go: `https://api.mch.weixin.qq.com` unless `apiBase` was given.
    #[wasm_bindgen(getter = apiBase)]
    pub fn api_base(&self) -> String {
        self.api_base.clone()
    }

    /// The `Authorization` header of any v3 request: `method`, `pathAndQuery` (from `/v3/…`,
    /// with the query string) and `body` exactly as sent (none for a GET). `timestamp` defaults
    /// to now (seconds), `nonceStr` to a fresh one.
    ///
    /// @throws {WxPayError} `INVALID_FIELD`, `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildAuthorization)]
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn build_authorization(&self, #[wasm_bindgen(unchecked_param_type = "AuthorizationInit")] request: JsValue) -> Result<JsValue> {
        let r: AuthorizationInit = from_js(request, "request")?;
        let method = required(r.method, "method")?;
        let path = required(r.path_and_query, "path_and_query")?;
        let timestamp = seconds_or_digits(r.timestamp, "request.timestamp")?;
        let nonce = nonce_or_fresh(r.nonce_str)?;
        let body = r.body.unwrap_or_default();
        self.signing(Box::new(move |m| Ok(JsValue::from_str(&m.authorization(&method, &path, timestamp, &nonce, &body)?))))
    }

    /// The object `wx.requestPayment` takes for a JSAPI `prepayId`: `{ timeStamp, nonceStr,
    /// package, signType: "RSA", paySign }`. `timeStamp` defaults to now (seconds), `nonceStr`
    /// to a fresh one.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = paymentParams, unchecked_return_type = "PaymentParams")]
    pub fn payment_params(&self, #[wasm_bindgen(unchecked_param_type = "PaymentParamsInit")] init: JsValue) -> Result<JsValue> {
        let i: PaymentParamsInit = from_js(init, "paymentParams")?;
        let prepay_id = required(i.prepay_id, "prepay_id")?;
        let time_stamp = seconds_or_digits(i.time_stamp, "timeStamp")?;
        let nonce = nonce_or_fresh(i.nonce_str)?;
        self.signing(Box::new(move |m| to_js(&m.payment_params(&prepay_id, time_stamp, &nonce)?)))
    }

    /// JSAPI下单: `POST /v3/pay/transactions/jsapi`, signed. Read the answer with
    /// `KeySet#parseJsapiPrepayResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildJsapiPrepay, unchecked_return_type = "SignedRequest")]
    pub fn build_jsapi_prepay(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JsapiOrder")] order: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        self.build(from_js::<JsapiOrderIn>(order, "order").and_then(JsapiOrderIn::into_core), options)
    }

    /// 查询订单 by the merchant's order number: `GET /v3/pay/transactions/out-trade-no/{outTradeNo}?mchid=…`.
    /// Read the answer with `KeySet#parseTransactionResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildQueryByOutTradeNo, unchecked_return_type = "SignedRequest")]
    pub fn build_query_by_out_trade_no(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ outTradeNo: string }")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let query = from_js::<OutTradeNoIn>(query, "query")
            .and_then(|q| Ok(QueryByOutTradeNoRequest { out_trade_no: required(q.out_trade_no, "out_trade_no")? }));
        self.build(query, options)
    }

    /// 查询订单 by WeChat's order number: `GET /v3/pay/transactions/id/{transactionId}?mchid=…`.
    /// Read the answer with `KeySet#parseTransactionResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildQueryByTransactionId, unchecked_return_type = "SignedRequest")]
    pub fn build_query_by_transaction_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ transactionId: string }")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let query = from_js::<TransactionIdIn>(query, "query")
            .and_then(|q| Ok(v3::QueryByTransactionIdRequest { transaction_id: required(q.transaction_id, "transaction_id")? }));
        self.build(query, options)
    }

    /// 关闭订单: `POST /v3/pay/transactions/out-trade-no/{outTradeNo}/close`. WeChat answers
    /// 204; read it with `KeySet#parseCloseOrderResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildCloseOrder, unchecked_return_type = "SignedRequest")]
    pub fn build_close_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ outTradeNo: string }")] close: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let close = from_js::<OutTradeNoIn>(close, "close")
            .and_then(|c| Ok(CloseOrderRequest { out_trade_no: required(c.out_trade_no, "out_trade_no")? }));
        self.build(close, options)
    }

    /// 退款申请: `POST /v3/refund/domestic/refunds`. The answer (`KeySet#parseRefundResponse`)
    /// is usually `PROCESSING`: the final state comes from the refund notify or a query.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildRefund, unchecked_return_type = "SignedRequest")]
    pub fn build_refund(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateRefund")] refund: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let refund = from_js::<RefundIn>(refund, "refund").and_then(|r| {
            let mut core = RefundRequest::new(
                trade_ref(r.transaction_id, r.out_trade_no, "refund")?,
                required(r.out_refund_no, "out_refund_no")?,
                r.refund.req_fen("refund")?,
                r.total.req_fen("total")?,
            );
            core.reason = r.reason;
            core.notify_url = r.notify_url;
            Ok(core)
        });
        self.build(refund, options)
    }

    /// 查询单笔退款: `GET /v3/refund/domestic/refunds/{outRefundNo}`. Read the answer with
    /// `KeySet#parseRefundResponse`.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildRefundQuery, unchecked_return_type = "SignedRequest")]
    pub fn build_refund_query(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ outRefundNo: string }")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let query = from_js::<OutRefundNoIn>(query, "query")
            .and_then(|q| Ok(RefundQueryRequest { out_refund_no: required(q.out_refund_no, "out_refund_no")? }));
        self.build(query, options)
    }

    /// 下载平台证书: `GET /v3/certificates`. Read the answer with
    /// `KeySet#addDownloadedCertificates`. (Merchants registered since late 2024 have the
    /// WeChat Pay public key instead, and get 404.)
    ///
    /// @throws {WxPayError} `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
    #[wasm_bindgen(js_name = buildDownloadCertificates, unchecked_return_type = "SignedRequest")]
    pub fn build_download_certificates(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: JsValue,
    ) -> Result<JsValue> {
        self.build(Ok(DownloadCertificatesRequest), options)
    }
}

// ---- KeySet ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeySetInit {
    #[serde(alias = "api_v3_key")]
    api_v3_key: Option<String>,
    #[serde(default)]
    public_keys: BTreeMap<String, PemIn>,
    #[serde(default)]
    certificates: Vec<PemIn>,
}

/// A PEM as given: its text or the file's bytes (`js::pem`).
#[derive(Deserialize)]
struct PemIn(#[serde(with = "serde_wasm_bindgen::preserve")] JsValue);

/// What reads WeChat's messages: WeChat's keys (the WeChat Pay public key `PUB_KEY_ID_…`,
/// platform certificates, or both, chosen by `Wechatpay-Serial`) and the APIv3 key that
/// decrypts notifies and the certificate download. Parsed once; the APIv3 key stays inside
/// WebAssembly and no getter returns it.
#[wasm_bindgen]
pub struct KeySet {
    // Borrowed only once the caller's values are read into Rust, and never across a call into
    // the caller's code: the methods take `&self`, so that a getter of the caller's that throws
    // (or calls back into this set) cannot leave it borrowed.
    pub(crate) inner: RefCell<v3::KeySet>,
    pub(crate) api_v3_key: Option<ApiV3Key>,
}

impl KeySet {
    fn api_v3_key(&self) -> Result<&ApiV3Key> {
        self.api_v3_key.as_ref().ok_or_else(|| Error::missing("apiV3Key").into())
    }

    fn read<R: Request>(&self, response: JsValue, now: &JsValue) -> Result<R::Response>
    where
        R::Response: serde::de::DeserializeOwned,
    {
        let (status, headers, body) = ResponseIn::read(response)?;
        let now = seconds(now, "now")?;
        Ok(v3::read_response::<R>(&self.inner.borrow(), status, &headers, body.bytes(), now)?)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CertificateOut<'a> {
    serial_no: &'a str,
    effective_time: &'a str,
    expire_time: &'a str,
    not_before: u64,
    not_after: u64,
    pem: &'a str,
}

#[wasm_bindgen]
impl KeySet {
    /// `new KeySet({ apiV3Key, publicKeys: { [PUB_KEY_ID_…]: pem }, certificates: [pem] })`,
    /// each part optional.
    ///
    /// @throws {WxPayError} `INVALID_KEY`, `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_optional_param_type = "KeySetInit")] init: JsValue) -> Result<KeySet> {
        super::v3_crypto::install();
        let i: KeySetInit = optional_js(init, "keys")?;
        let mut inner = v3::KeySet::new();
        for (id, pem) in &i.public_keys {
            inner.add_public_key(id, &js::pem(&pem.0, "publicKeys")?)?;
        }
        for pem in &i.certificates {
            inner.add_certificate_pem(&js::pem(&pem.0, "certificates")?)?;
        }
        let api_v3_key = i.api_v3_key.map(|k| ApiV3Key::new(&k)).transpose()?;
        Ok(KeySet { inner: RefCell::new(inner), api_v3_key })
    }

    /// Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
    ///
    /// @throws {WxPayError} `INVALID_KEY`
    #[wasm_bindgen(js_name = addPublicKey)]
    pub fn add_public_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Pem")] pem: &JsValue,
    ) -> Result<()> {
        let (id, pem) = (js::text(id, "id")?, js::pem(pem, "pem")?);
        Ok(self.inner.borrow_mut().add_public_key(&id, &pem)?)
    }

    /// Adds a platform certificate (PEM) and returns its serial number.
    ///
    /// @throws {WxPayError} `INVALID_CERTIFICATE`
    #[wasm_bindgen(js_name = addCertificate)]
    pub fn add_certificate(&self, #[wasm_bindgen(unchecked_param_type = "Pem")] pem: &JsValue) -> Result<String> {
        let pem = js::pem(pem, "pem")?;
        Ok(self.inner.borrow_mut().add_certificate_pem(&pem)?)
    }

    /// The `Wechatpay-Serial` values this set verifies: public-key ids and certificate serials.
    #[wasm_bindgen(getter)]
    pub fn serials(&self) -> Vec<String> {
        self.inner.borrow().serials().map(str::to_owned).collect()
    }

    /// Verifies WeChat's signature on an answer or a notify, over the body exactly as received:
    /// refuses a `WECHATPAY/SIGNTEST/` probe, a timestamp more than 5 minutes from `now`
    /// (seconds; default the clock), an unknown serial, an expired certificate, a wrong
    /// signature.
    ///
    /// @throws {WxPayError} `SIGNATURE_MISMATCH`, `SIGNATURE_PROBE`, `TIMESTAMP_SKEW`, `UNKNOWN_SERIAL`, `CERTIFICATE_EXPIRED`, `MISSING_FIELD` (a header), `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = verifySignature)]
    pub fn verify_signature(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HeadersLike")] headers: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<()> {
        let headers = headers_in(headers)?;
        let body = Body::read(body, "body")?;
        let now = seconds(now, "now")?;
        self.inner.borrow().verify(&headers, body.bytes(), now).map_err(|e| reserialized(e, &body))
    }

    /// A payment or refund notify: verified (as `verifySignature`), then decrypted with the
    /// APIv3 key into a typed event. Store the change, then answer 200 or 204; answer a 4xx or
    /// 5xx to anything this throws (WeChat retries).
    ///
    /// @throws {WxPayError} the codes of `verifySignature`, `AEAD_TAG_MISMATCH`, `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`)
    #[wasm_bindgen(js_name = openNotification, unchecked_return_type = "Notification")]
    pub fn open_notification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HeadersLike")] headers: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let headers = headers_in(headers)?;
        let body = Body::read(body, "body")?;
        let now = seconds(now, "now")?;
        let key = self.api_v3_key()?;
        let notification = self.inner.borrow().open_notification(key, &headers, body.bytes(), now);
        camel_js(&notification.map_err(|e| reserialized(e, &body))?)
    }

    /// WeChat's answer to `buildJsapiPrepay`: verified, then `{ prepayId }`. A 4xx/5xx answer
    /// throws `API_ERROR` with WeChat's code in `errCode`.
    ///
    /// @throws {WxPayError} `API_ERROR`, the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = parseJsapiPrepayResponse, unchecked_return_type = "PrepayResponse")]
    pub fn parse_jsapi_prepay_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        camel_js(&self.read::<JsapiOrderRequest>(response, now)?)
    }

    /// WeChat's answer to either order query: verified, then the typed payment.
    ///
    /// @throws {WxPayError} as `parseJsapiPrepayResponse`
    #[wasm_bindgen(js_name = parseTransactionResponse, unchecked_return_type = "Transaction")]
    pub fn parse_transaction_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        camel_js(&self.read::<QueryByOutTradeNoRequest>(response, now)?)
    }

    /// WeChat's answer to `buildCloseOrder`: 204, verified; nothing to return.
    ///
    /// @throws {WxPayError} as `parseJsapiPrepayResponse`
    #[wasm_bindgen(js_name = parseCloseOrderResponse)]
    pub fn parse_close_order_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<()> {
        self.read::<CloseOrderRequest>(response, now)
    }

    /// WeChat's answer to `buildRefund` or `buildRefundQuery`: verified, then the typed refund.
    ///
    /// @throws {WxPayError} as `parseJsapiPrepayResponse`
    #[wasm_bindgen(js_name = parseRefundResponse, unchecked_return_type = "Refund")]
    pub fn parse_refund_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        camel_js(&self.read::<RefundRequest>(response, now)?)
    }

    /// WeChat's answer to `buildDownloadCertificates`: decrypts the platform certificates with
    /// the APIv3 key, verifies the answer with the keys held plus these (a first download is
    /// signed by a certificate it carries), and only then adds them; returns them.
    ///
    /// @throws {WxPayError} `API_ERROR` (404: this merchant has the WeChat Pay public key instead), `AEAD_TAG_MISMATCH`, `INVALID_CERTIFICATE`, the codes of `verifySignature`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`), `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = addDownloadedCertificates, unchecked_return_type = "DownloadedCertificate[]")]
    pub fn add_downloaded_certificates(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let (status, headers, body) = ResponseIn::read(response)?;
        let now = seconds(now, "now")?;
        let key = self.api_v3_key.clone().ok_or_else(|| Failure::from(Error::missing("apiV3Key")))?;
        let added = self.inner.borrow_mut().add_downloaded_certificates(&key, status, &headers, body.bytes(), now)?;
        let out: Vec<CertificateOut<'_>> = added
            .iter()
            .map(|d| CertificateOut {
                serial_no: &d.certificate.serial_no,
                effective_time: &d.effective_time,
                expire_time: &d.expire_time,
                not_before: d.certificate.not_before,
                not_after: d.certificate.not_after,
                pem: &d.pem,
            })
            .collect();
        to_js(&out)
    }
}

// ---- without keys ----------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResourceIn {
    algorithm: Option<String>,
    ciphertext: Option<String>,
    nonce: Option<String>,
    #[serde(default, alias = "associated_data")]
    associated_data: String,
    #[serde(default, alias = "original_type")]
    original_type: String,
}

/// Decrypts an `AEAD_AES_256_GCM` resource (`{ algorithm, ciphertext, nonce, associatedData }`,
/// as in a notify or the certificate download) with the APIv3 key, to its text. Prefer
/// `KeySet#openNotification` for notifies: it verifies before it decrypts.
///
/// @throws {WxPayError} `AEAD_TAG_MISMATCH` (usually the wrong APIv3 key), `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `INVALID_FIELD`, `NOT_UTF8`, `INVALID_KEY`, `MISSING_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = decryptResource)]
pub fn decrypt_resource(
    #[wasm_bindgen(unchecked_param_type = "EncryptedResource")] resource: JsValue,
    #[wasm_bindgen(js_name = apiV3Key, unchecked_param_type = "string")] api_v3_key: &JsValue,
) -> Result<String> {
    super::v3_crypto::install();
    let r: ResourceIn = from_js(resource, "resource")?;
    let api_v3_key = js::text(api_v3_key, "apiV3Key")?;
    let resource = EncryptedResource {
        algorithm: required(r.algorithm, "resource.algorithm")?,
        ciphertext: required(r.ciphertext, "resource.ciphertext")?,
        nonce: required(r.nonce, "resource.nonce")?,
        associated_data: r.associated_data,
        original_type: r.original_type,
    };
    Ok(resource.decrypt_text(&ApiV3Key::new(&api_v3_key)?)?)
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Seconds since the Unix epoch, a JS number (not milliseconds, not a BigInt). */
export type UnixSeconds = number;

/** Seconds where WeChat writes them as text (`timeStamp`, the `Wechatpay-Timestamp` header): a number, or a string of digits. */
export type UnixSecondsText = UnixSeconds | string;

/** A PEM file's text, or its bytes as read (`fs.readFileSync(path)`, a `Buffer`). */
export type Pem = string | Uint8Array;

/** A signature made elsewhere: its bytes, or their base64. */
export type Signature = Uint8Array | string;

/** An amount in integer fen (分): a safe integer, or a string of digits. Never a fraction. */
export type Fen = number | string;

/** Who we are to WeChat Pay v3. WeChat's names (`appid`, `mchid`, `serial_no`) are accepted too. */
export type MerchantConfig = {
  appId: string;
  mchId: string;
  /** 商户API证书序列号: the merchant API certificate's serial number, hex. */
  serialNo: string;
  /** Default `https://api.mch.weixin.qq.com`; e.g. the backup `https://api2.mch.weixin.qq.com`. */
  apiBase?: string;
} & (
  | {
      /** `apiclient_key.pem` (PKCS#8), its text or its bytes. Parsed once; it never leaves WebAssembly. */
      privateKey: Pem;
      sign?: undefined;
    }
  | {
      /**
       * Signs in the caller instead: SHA256withRSA (PKCS#1 v1.5) over `message`, returned as bytes or base64, e.g.
       * `(m) => crypto.sign('sha256', m, keyObject)`. It may be async (a KMS, an HSM): then every signing method of the
       * merchant returns a Promise of its result (type the merchant as `AsyncMerchant`: `new Merchant(config) as unknown as AsyncMerchant`), and what the Promise rejects
       * with reaches the caller unchanged, as what a synchronous `sign` throws does.
       */
      sign: (message: Uint8Array) => Signature | PromiseLike<Signature>;
      privateKey?: undefined;
    }
);

/** What a request is signed with; default: now, and a fresh nonce. */
export interface SignOptions {
  timestamp?: UnixSecondsText;
  nonceStr?: string;
  /** The WeChat key the answer is to be signed with, sent as `Wechatpay-Serial`: `keys.requestSerial()`. */
  wechatpaySerial?: string;
}

export interface AuthorizationInit {
  timestamp?: UnixSecondsText;
  nonceStr?: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** From `/v3/…`, with the query string, exactly as requested. */
  pathAndQuery: string;
  /** Exactly the bytes sent; none for a GET. */
  body?: string;
}

/** A signed request: `fetch(r.url, r)` sends it as signed. */
export interface SignedRequest {
  method: "GET" | "POST";
  url: string;
  pathAndQuery: string;
  /** The JSON text that was signed; absent for a GET (fetch refuses a body there). */
  body?: string;
  /** The `Authorization` header. */
  authorization: string;
  headers: { Authorization: string; Accept: "application/json"; "Content-Type"?: "application/json"; "Wechatpay-Serial"?: string };
}

/** A sensitive field encrypted (RSA-OAEP) to WeChat's key: send `ciphertext`, with `wechatpaySerial` as the request's `Wechatpay-Serial`. */
export interface EncryptedField {
  wechatpaySerial: string;
  ciphertext: string;
}

/** 发起异常退款: the money of a refund in `ABNORMAL` to the payer's card or the merchant's. */
export type AbnormalRefund = {
  refundId: string;
  outRefundNo: string;
} & (
  | {
      type: "USER_BANK_CARD";
      /** WeChat's bank code, e.g. `ICBC_DEBIT`. */
      bankType: string;
      /** `keys.encryptSensitive(cardNumber)`. */
      bankAccount: EncryptedField;
      /** `keys.encryptSensitive(name)`. */
      realName: EncryptedField;
      wechatpaySerial?: string;
    }
  | { type: "MERCHANT_BANK_CARD"; /** `keys.requestSerial()`. */ wechatpaySerial: string }
);

/** 申请交易账单. */
export interface TradeBillInit {
  /** `YYYY-MM-DD`; a day's bill exists from about 09:00 of the next day. */
  billDate: string;
  /** Default `ALL`. */
  billType?: "ALL" | "SUCCESS" | "REFUND";
  tarType?: "GZIP";
}

/** 申请资金账单. */
export interface FundFlowBillInit {
  billDate: string;
  /** Default `BASIC`. */
  accountType?: "BASIC" | "OPERATION" | "FEES";
  tarType?: "GZIP";
}

/** WeChat's (verified) answer to a bill request. */
export interface BillResponse {
  hashType: string;
  /** The SHA-1 of the bill's text (after gzip is undone), hex. */
  hashValue: string;
  /** Valid for 30 seconds: `merchant.buildBillDownload(bill)`. */
  downloadUrl: string;
}

export interface OpenBillOptions {
  /** `'GZIP'` when the bill was asked for with `tarType: 'GZIP'`. */
  tarType?: "GZIP";
  /** The most bytes of text to accept (default 256 MiB); less in a small cloud function. */
  limit?: number;
}

/** One row of a trade bill; amounts in fen, `fee` in 0.00001 yuan (as printed, negative on refunds); an empty column is left out. */
export interface TradeBillRow {
  tradeTime: string; appId: string; mchId: string; subMchid?: string; deviceInfo?: string;
  transactionId: string; outTradeNo: string; openid: string; tradeType: string; tradeState: string;
  bankType?: string; currency: string; settlementTotal: number; coupon?: number;
  refundId?: string; outRefundNo?: string; refund?: number; rechargeCouponRefund?: number;
  refundType?: string; refundStatus?: string; description: string; attach?: string;
  fee: number; feeRate?: string; total?: number; refundRequested?: number; feeRateNote?: string;
  /** Columns this version does not know: `[header, value]`, in file order. */
  extra: [string, string][];
}

export interface TradeBill {
  rows: TradeBillRow[];
  /** Checked against the rows. */
  summary: {
    rows: number; settlementTotal: number; refund?: number; rechargeCouponRefund?: number;
    fee?: number; total?: number; refundRequested?: number;
  };
}

export interface FundFlowRow {
  bookedAt: string; businessId: string; flowId: string; businessName: string; businessType: string;
  direction: "收入" | "支出"; amount: number; balance: number; applicant?: string; memo?: string;
  voucherNo?: string; extra: [string, string][];
}

export interface FundFlowBill {
  rows: FundFlowRow[];
  /** Checked against the rows. */
  summary: { rows: number; incomeRows: number; income: number; expenseRows: number; expense: number };
}

/** What `KeyStore#ingestCertificates` did. */
export interface KeyStoreRefresh {
  /** `noCertificates`: WeChat answered 404 (this merchant verifies with the WeChat Pay public key). */
  result: "updated" | "noCertificates";
  added: string[];
  dropped: string[];
}

/** What to do about a `Wechatpay-Serial` the store does not hold. */
export interface DownloadAdvice {
  advice: "download" | "alreadyDownloaded" | "noCertificates" | "configurePublicKey" | "held";
  /** With `alreadyDownloaded`: from when an unknown serial may cause a download again. */
  nextAllowed?: UnixSeconds;
}

/** JSAPI下单 for a mini-program payer. */
export interface JsapiOrder {
  /** 商品描述, at most 127 bytes. */
  description: string;
  /** 6 to 32 of `0-9 a-z A-Z _ - *`. */
  outTradeNo: string;
  /** At least 1 fen. */
  total: Fen;
  /** HTTPS, no query string. */
  notifyUrl: string;
  /** The payer's openid under this appId. */
  openid: string;
  attach?: string;
  /** `yyyy-MM-DDTHH:mm:ss+08:00`. */
  timeExpire?: string;
  goodsTag?: string;
}

/** Which payment: WeChat's `transactionId` or the merchant's `outTradeNo`. */
export type TradeRef =
  | { transactionId: string; outTradeNo?: undefined }
  | { outTradeNo: string; transactionId?: undefined };

/** 退款申请; the same `outRefundNo` refunds once. */
export type CreateRefund = TradeRef & {
  outRefundNo: string;
  /** At least 1 fen, at most `total`. */
  refund: Fen;
  /** The order's total. */
  total: Fen;
  reason?: string;
  notifyUrl?: string;
};

export interface PaymentParamsInit {
  prepayId: string;
  /** Default: now. A string of digits too, as `paymentParams` returns it. */
  timeStamp?: UnixSecondsText;
  /** Default: a fresh nonce. */
  nonceStr?: string;
}

/** Exactly the object `wx.requestPayment` takes (`appId` is signed, not passed). */
export interface PaymentParams {
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=<id>`. */
  package: string;
  signType: "RSA";
  paySign: string;
}

/** A fetch `Headers` (or anything with `get`), a `Map`, or a plain object such as `node:http`'s `req.headers` (an array value holds one string). */
export type HeadersLike =
  | { get(name: string): string | null | undefined }
  | Map<string, string | string[] | undefined>
  | Record<string, string | string[] | undefined>;

/** WeChat's answer: the body exactly as received (`Buffer.from(await res.arrayBuffer())`), never re-serialised JSON. */
export interface WeChatResponse {
  status: number;
  headers: HeadersLike;
  body: string | Uint8Array;
}

export interface KeySetInit {
  /** The 32-byte APIv3 key (APIv3密钥), for notifies and the certificate download. */
  apiV3Key?: string;
  /** The WeChat Pay public key by its id: `{ "PUB_KEY_ID_…": pem }`. */
  publicKeys?: Record<string, Pem>;
  /** Platform certificates (PEM). */
  certificates?: Pem[];
}

export interface PrepayResponse {
  /** Valid for two hours; pass it to `paymentParams`. */
  prepayId: string;
}

/** `tradeState`; a value WeChat adds later comes through as its string. */
export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR" | (string & {});

/** A payment, from a query or a payment notify. Only `tradeState === "SUCCESS"` is paid. */
export interface Transaction {
  appId: string;
  mchId: string;
  outTradeNo: string;
  transactionId?: string;
  tradeType?: string;
  tradeState: TradeState;
  tradeStateDesc: string;
  bankType?: string;
  attach?: string;
  /** RFC 3339. */
  successTime?: string;
  payer?: { openid: string };
  amount: {
    /** Compare with the order before marking it paid. */
    total: number;
    payerTotal?: number;
    currency: string;
    payerCurrency?: string;
  };
}

/** `status` / `refundStatus`; a value WeChat adds later comes through as its string. */
export type RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL" | (string & {});

export interface RefundAmount {
  total: number;
  refund: number;
  payerTotal?: number;
  payerRefund?: number;
  settlementRefund?: number;
  settlementTotal?: number;
  discountRefund?: number;
  currency?: string;
}

/** A refund, from `buildRefund`'s or `buildRefundQuery`'s answer. */
export interface Refund {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  channel?: string;
  userReceivedAccount?: string;
  successTime?: string;
  createTime?: string;
  status: RefundStatus;
  fundsAccount?: string;
  amount: RefundAmount;
}

/** The resource of a refund notify (`refundStatus` here, `status` in a query). */
export interface RefundNotice {
  mchId: string;
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  refundStatus: RefundStatus;
  successTime?: string;
  userReceivedAccount?: string;
  amount: RefundAmount;
}

export type NotifyEvent = ({ kind: "payment" } & Transaction) | ({ kind: "refund" } & RefundNotice);

/** A verified, decrypted notify. `id` is the same across WeChat's retries. */
export interface Notification {
  id: string;
  createTime: string;
  /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  eventType: string;
  summary: string;
  event: NotifyEvent;
}

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associatedData?: string;
  originalType?: string;
}

export interface DownloadedCertificate {
  serialNo: string;
  effectiveTime: string;
  expireTime: string;
  notBefore: UnixSeconds;
  notAfter: UnixSeconds;
  pem: string;
}

/**
 * A `Merchant` whose `sign` is async: each signing method returns a Promise of what it returns with a synchronous one.
 * The class declares the synchronous results, so say which it is: `new Merchant(config) as unknown as AsyncMerchant`.
 */
export interface AsyncMerchant {
  readonly appId: string;
  readonly mchId: string;
  readonly serialNo: string;
  readonly apiBase: string;
  buildAuthorization(request: AuthorizationInit): Promise<string>;
  paymentParams(init: PaymentParamsInit): Promise<PaymentParams>;
  buildJsapiPrepay(order: JsapiOrder, options?: SignOptions): Promise<SignedRequest>;
  buildQueryByOutTradeNo(query: { outTradeNo: string }, options?: SignOptions): Promise<SignedRequest>;
  buildQueryByTransactionId(query: { transactionId: string }, options?: SignOptions): Promise<SignedRequest>;
  buildCloseOrder(close: { outTradeNo: string }, options?: SignOptions): Promise<SignedRequest>;
  buildRefund(refund: CreateRefund, options?: SignOptions): Promise<SignedRequest>;
  buildRefundQuery(query: { outRefundNo: string }, options?: SignOptions): Promise<SignedRequest>;
  buildDownloadCertificates(options?: SignOptions): Promise<SignedRequest>;
  buildAbnormalRefund(refund: AbnormalRefund, options?: SignOptions): Promise<SignedRequest>;
  buildTradeBill(bill: TradeBillInit, options?: SignOptions): Promise<SignedRequest>;
  buildFundFlowBill(bill: FundFlowBillInit, options?: SignOptions): Promise<SignedRequest>;
  buildBillDownload(bill: BillResponse, options?: SignOptions): Promise<SignedRequest>;
  decryptSensitive(ciphertext: string): string;
  free(): void;
}

export type ErrorCode =
  | "INVALID_AMOUNT" | "SIGNATURE_MISMATCH" | "MISSING_FIELD" | "INVALID_FIELD" | "NOT_UTF8"
  | "TRUNCATED_CIPHERTEXT" | "INVALID_KEY" | "INVALID_CERTIFICATE" | "SIGNATURE_PROBE"
  | "UNKNOWN_SERIAL" | "TIMESTAMP_SKEW" | "CERTIFICATE_EXPIRED" | "AEAD_TAG_MISMATCH"
  | "UNSUPPORTED_ALGORITHM" | "MALFORMED_JSON" | "API_ERROR" | "RANDOM_UNAVAILABLE" | "INVALID_ARGUMENT"
  | "NO_WECHATPAY_KEY" | "OAEP_DECRYPT_FAILED" | "INVALID_KEY_STORE" | "BILL_HASH_MISMATCH" | "INVALID_GZIP" | "TOO_LARGE";

/**
 * Every function throws this (except what a caller's own `sign` throws, rethrown as it was), whatever it is given:
 * a value of the wrong type is `INVALID_ARGUMENT`, and so is an argument whose getter or Proxy throws while it is
 * read, with what it threw as `cause`.
 */
export interface WxPayError extends Error {
  code: ErrorCode;
  /** WeChat's `code` (e.g. `PARAM_ERROR`, `ORDER_NOT_EXIST`) when `code` is `API_ERROR`. */
  errCode?: string;
  /** The HTTP status of an `API_ERROR`. */
  status?: number;
  /** WeChat's `detail` of an `API_ERROR`, as sent (e.g. which field). */
  detail?: unknown;
  /** Whether WeChat asks for the same request again (`SYSTEM_ERROR`, `FREQUENCY_LIMITED`). */
  retryable: boolean;
  /** With `INVALID_ARGUMENT`: what the caller's own getter or Proxy threw while the argument was read. */
  cause?: unknown;
}
"#;

/// `SIGNATURE_MISMATCH` on a body that is JSON carries a hint about re-serialization.
fn reserialized(e: Error, body: &Body) -> Failure {
    let json = body.bytes().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match e {
        Error::SignatureMismatch if json => Failure::SignatureMismatchJson,
        e => Failure::Core(e),
    }
}
