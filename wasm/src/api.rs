//! Export group `api` (cargo feature `wasm-api`): signing, the XML codec, nonces, the
//! `wx.requestPayment` parameters, and the request builders and response parsers of
//! unifiedorder, orderquery, closeorder, refund and refundquery. Part of `wxpay`
//! (`pkg/index.js`), not of `wxpay/notify`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::convert::{from_js, required, sign_type_in, to_js, trade_ref, Body, MerchantConfig, Scalar};
use super::error::{argument, Failure, Result};
use super::js;
use super::notify::JsMerchant;
use super::packed;
use wxpay::v2::{
    CloseOrderRequest, CloseOrderResponse, Merchant, OrderQueryRequest, OrderQueryResponse, PaymentParams, RefundQueryRequest,
    RefundQueryResponse, RefundRef, RefundRequest, RefundResponse, Request, Response, SignType, UnifiedOrderRequest, UnifiedOrderResponse,
};
use wxpay::{ApiKey, Error, Params};

// ---- signing and XML -------------------------------------------------------------------------

/// Flat WeChat fields by their own names: strings, or safe integers written in decimal;
/// `null` and `undefined` are absent. Read in one crossing when the object packs
/// (`packed.rs`), else field by field, else the general way: the same results each way.
fn params_in(value: JsValue, what: &str) -> Result<Params> {
    if let Some(fields) = packed::fields(&value, what)? {
        return named(fields);
    }
    if let Some(raw) = flat_params(&value, what)? {
        return named(raw);
    }
    named(from_js(value, what)?)
}

/// The fields of `raw` in name order (the first bad field named is the same whichever way
/// they were read), the absent ones left out.
fn named(raw: BTreeMap<String, Scalar>) -> Result<Params> {
    let mut params = Params::new();
    for (name, value) in raw {
        if let Some(v) = value.field(&name)? {
            params.insert(name, v);
        }
    }
    Ok(params)
}

/// A plain object (not a `Map`, an array or a typed array) whose values are strings, numbers,
/// `null` or `undefined`, read field by field without a copy for serde; `None` for anything
/// else.
fn flat_params(value: &JsValue, what: &str) -> Result<Option<BTreeMap<String, Scalar>>> {
    if !js::is_record(value, what)? || js::is_view_value(value) || js::map_entries(value, what)?.is_some() {
        return Ok(None);
    }
    let mut raw = BTreeMap::new();
    for (name, v) in js::own_entries(value, what)? {
        let scalar = if let Some(s) = v.as_string() {
            Scalar::Text(s)
        } else if let Some(x) = v.as_f64() {
            Scalar::from_f64(x)
        } else if v.is_undefined() || v.is_null() {
            Scalar::Absent
        } else {
            return Ok(None);
        };
        raw.insert(name, scalar);
    }
    Ok(Some(raw))
}

/// The v2 signature of `params` (uppercase hex): over the non-empty fields other than `sign`,
/// in ASCII order, with `&key=<key>` appended.
///
/// `signType` defaults to `params.sign_type`, else `MD5`. Numbers must be safe integers.
///
/// @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
#[wasm_bindgen]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignType", js_name = signType)] sign_type: &JsValue,
) -> Result<String> {
    // The common case in one crossing, signed from the packed text without a copy per field.
    let packed = packed::text(&params, "params")?;
    let key = ApiKey::new(js::text(key, "key")?)?;
    let sign_type = sign_type_in(js::opt_text(sign_type, "signType")?)?;
    let of_params = |named: Option<&str>| -> Result<SignType> {
        Ok(match (sign_type, named.filter(|t| !t.is_empty())) {
            (Some(t), _) => t,
            (None, Some(t)) => t.parse()?,
            (None, None) => SignType::Md5,
        })
    };
    if let Some(mut fields) = packed.as_deref().and_then(packed::pairs) {
        let sign_type = of_params(fields.iter().find(|(n, _)| *n == "sign_type").map(|(_, v)| *v))?;
        return Ok(wxpay::v2::sign_unsorted(&mut fields, &key, sign_type));
    }
    let params = params_in(params, "params")?;
    Ok(wxpay::v2::sign(&params, &key, of_params(params.get("sign_type").map(String::as_str))?))
}

/// Verifies `params.sign` in constant time over every received field; returns the algorithm it
/// was signed with (`sign_type`, else the signature's length, else `signType`, else `MD5`).
///
/// @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(unchecked_return_type = "SignType")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignType", js_name = signType)] sign_type: &JsValue,
) -> Result<String> {
    let params = params_in(params, "params")?;
    let key = ApiKey::new(js::text(key, "key")?)?;
    let sign_type = js::opt_text(sign_type, "signType")?;
    let fallback = sign_type_in(sign_type)?.unwrap_or_default();
    Ok(wxpay::v2::verify(&params, &key, fallback)?.as_str().to_owned())
}

/// `<xml>…</xml>` of flat fields: digits as they are, other values in CDATA.
///
/// @throws {WxPayError} `UNENCODABLE`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = toXml)]
pub fn to_xml(#[wasm_bindgen(unchecked_param_type = "Params")] fields: JsValue) -> Result<String> {
    Ok(wxpay::v2::xml::encode(&params_in(fields, "fields")?)?)
}

/// The fields of a flat `<xml>` document, byte for byte. DOCTYPEs and entity declarations are
/// refused before anything is read (the XXE vector).
///
/// @throws {WxPayError} `DOCTYPE_FORBIDDEN`, `UNKNOWN_ENTITY`, `NESTED_ELEMENT`, `DUPLICATE_KEY`, `NOT_UTF8`, `TOO_LARGE`, `UNEXPECTED_ROOT`, `MALFORMED_XML`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = parseXml, unchecked_return_type = "Fields")]
pub fn parse_xml(#[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue) -> Result<JsValue> {
    to_js(&wxpay::v2::xml::decode(Body::from_js(xml)?.bytes())?)
}

/// A fresh 32-character `[0-9A-Za-z]` nonce from `crypto.getRandomValues` (on Node 16 and 18,
/// which have no global `crypto`, the package's entry point lends it `node:crypto`'s).
///
/// @throws {WxPayError} `RANDOM_UNAVAILABLE`
#[wasm_bindgen(js_name = nonceStr)]
pub fn nonce_str() -> Result<String> {
    Ok(wxpay::nonce_str()?)
}

fn nonce_or_fresh(nonce: Option<String>) -> Result<String> {
    Ok(match nonce {
        Some(n) => n,
        None => wxpay::nonce_str()?,
    })
}

// ---- wx.requestPayment -----------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentParamsInit {
    #[serde(alias = "appid")]
    app_id: Option<String>,
    #[serde(alias = "prepay_id")]
    prepay_id: Option<String>,
    key: Option<String>,
    #[serde(alias = "sign_type")]
    sign_type: Option<String>,
    #[serde(default, alias = "time_stamp")]
    time_stamp: Scalar,
    #[serde(alias = "nonce_str")]
    nonce_str: Option<String>,
}

/// The `wx.requestPayment` object `{ timeStamp, nonceStr, package, signType, paySign }`.
/// `timeStamp` defaults to now (seconds), `nonceStr` to a fresh nonce, `signType` to `MD5`
/// (it must be the order's).
///
/// @throws {WxPayError} `INVALID_API_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = paymentParams, unchecked_return_type = "PaymentParams")]
pub fn payment_params(#[wasm_bindgen(unchecked_param_type = "PaymentParamsInit")] init: JsValue) -> Result<JsValue> {
    let i: PaymentParamsInit = from_js(init, "paymentParams")?;
    let app_id = required(i.app_id, "appid")?;
    let key = ApiKey::new(required(i.key, "key")?)?;
    let sign_type = sign_type_in(i.sign_type)?.unwrap_or_default();
    payment_params_out(&app_id, &key, sign_type, required(i.prepay_id, "prepay_id")?, i.time_stamp, i.nonce_str)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MerchantPaymentInit {
    #[serde(alias = "prepay_id")]
    prepay_id: Option<String>,
    #[serde(default, alias = "time_stamp")]
    time_stamp: Scalar,
    #[serde(alias = "nonce_str")]
    nonce_str: Option<String>,
}

#[wasm_bindgen(js_class = Merchant)]
impl JsMerchant {
    /// See the function `paymentParams`; the appId, key and sign type are this merchant's.
    ///
    /// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = paymentParams, unchecked_return_type = "PaymentParams")]
    pub fn payment_params(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ prepayId: string; timeStamp?: number | string; nonceStr?: string }")] init: JsValue,
    ) -> Result<JsValue> {
        let i: MerchantPaymentInit = from_js(init, "paymentParams")?;
        let m = &self.inner;
        payment_params_out(&m.appid, &m.key, m.sign_type, required(i.prepay_id, "prepay_id")?, i.time_stamp, i.nonce_str)
    }
}

fn payment_params_out(
    app_id: &str,
    key: &ApiKey,
    sign_type: SignType,
    prepay_id: String,
    time_stamp: Scalar,
    nonce: Option<String>,
) -> Result<JsValue> {
    // The glue may read the clock; the core takes the time as an argument.
    let time_stamp = match time_stamp.uint("timeStamp")? {
        Some(t) => t,
        None => (js_sys::Date::now() / 1000.0) as u64,
    };
    let p = PaymentParams::new(app_id, &prepay_id, key, sign_type, time_stamp, &nonce_or_fresh(nonce)?)?;
    // Exactly what `wx.requestPayment` takes: `appId` is signed but not passed.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RequestPayment<'a> {
        time_stamp: &'a str,
        nonce_str: &'a str,
        package: &'a str,
        sign_type: SignType,
        pay_sign: &'a str,
    }
    to_js(&RequestPayment {
        time_stamp: &p.time_stamp,
        nonce_str: &p.nonce_str,
        package: &p.package,
        sign_type: p.sign_type,
        pay_sign: &p.pay_sign,
    })
}

// ---- requests in -----------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UnifiedOrderIn {
    body: Option<String>,
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
    #[serde(default, alias = "total_fee")]
    total_fee: Scalar,
    #[serde(alias = "spbill_create_ip")]
    spbill_create_ip: Option<String>,
    #[serde(alias = "notify_url")]
    notify_url: Option<String>,
    openid: Option<String>,
    attach: Option<String>,
    #[serde(alias = "time_start")]
    time_start: Option<String>,
    #[serde(alias = "time_expire")]
    time_expire: Option<String>,
    detail: Option<String>,
    #[serde(alias = "goods_tag")]
    goods_tag: Option<String>,
    #[serde(alias = "fee_type")]
    fee_type: Option<String>,
    #[serde(alias = "limit_pay")]
    limit_pay: Option<String>,
    #[serde(alias = "device_info")]
    device_info: Option<String>,
}

impl UnifiedOrderIn {
    fn into_core(self) -> Result<UnifiedOrderRequest> {
        Ok(UnifiedOrderRequest {
            body: required(self.body, "body")?,
            out_trade_no: required(self.out_trade_no, "out_trade_no")?,
            total_fee: self.total_fee.req_fen("total_fee")?,
            spbill_create_ip: required(self.spbill_create_ip, "spbill_create_ip")?,
            notify_url: required(self.notify_url, "notify_url")?,
            openid: required(self.openid, "openid")?,
            attach: self.attach,
            time_start: self.time_start,
            time_expire: self.time_expire,
            detail: self.detail,
            goods_tag: self.goods_tag,
            fee_type: self.fee_type,
            limit_pay: self.limit_pay,
            device_info: self.device_info,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderQueryIn {
    #[serde(alias = "transaction_id")]
    transaction_id: Option<String>,
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CloseOrderIn {
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
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
    #[serde(default, alias = "total_fee")]
    total_fee: Scalar,
    #[serde(default, alias = "refund_fee")]
    refund_fee: Scalar,
    #[serde(alias = "refund_desc")]
    refund_desc: Option<String>,
    #[serde(alias = "notify_url")]
    notify_url: Option<String>,
    #[serde(alias = "refund_account")]
    refund_account: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefundQueryIn {
    #[serde(alias = "refund_id")]
    refund_id: Option<String>,
    #[serde(alias = "out_refund_no")]
    out_refund_no: Option<String>,
    #[serde(alias = "transaction_id")]
    transaction_id: Option<String>,
    #[serde(alias = "out_trade_no")]
    out_trade_no: Option<String>,
    #[serde(default)]
    offset: Scalar,
}

impl RefundQueryIn {
    fn into_core(self) -> Result<RefundQueryRequest> {
        let refs = [
            self.refund_id.map(RefundRef::RefundId),
            self.out_refund_no.map(RefundRef::OutRefundNo),
            self.transaction_id.map(RefundRef::TransactionId),
            self.out_trade_no.map(RefundRef::OutTradeNo),
        ];
        let mut given = refs.into_iter().flatten();
        let by = given.next().ok_or_else(|| Failure::from(Error::missing("out_refund_no")))?;
        if given.next().is_some() {
            return Err(argument("query", "give one of `refundId`, `outRefundNo`, `transactionId`, `outTradeNo`"));
        }
        let offset = match self.offset.uint("offset")? {
            Some(o) => Some(u32::try_from(o).map_err(|_| argument("offset", "is too large"))?),
            None => None,
        };
        Ok(RefundQueryRequest { by, offset })
    }
}

// ---- the merchant's requests and WeChat's answers --------------------------------------------

// The functions below take the merchant configuration with every call (the first shape of the
// package, kept); the `Merchant` class's methods (merchant.rs) read it once. Both build and read
// through these.

/// A request read from its JS object; the merchant configuration is read before it is used, so
/// that a bad configuration is reported first.
fn build<R: Request>(merchant: JsValue, request: Result<R>, nonce: &JsValue) -> Result<String> {
    let m = MerchantConfig::read(merchant)?;
    build_with(&m, request, nonce)
}

fn parse<R: Response + Serialize>(xml: &JsValue, merchant: JsValue) -> Result<JsValue> {
    parse_with::<R>(&MerchantConfig::read(merchant)?, xml)
}

pub(super) fn build_with<R: Request>(m: &Merchant, request: Result<R>, nonce: &JsValue) -> Result<String> {
    let request = request?;
    Ok(m.request_xml(&request, &nonce_or_fresh(js::opt_text(nonce, "nonceStr")?)?)?)
}

pub(super) fn parse_with<R: Response + Serialize>(m: &Merchant, xml: &JsValue) -> Result<JsValue> {
    to_js(&m.parse_response::<R>(Body::from_js(xml)?.bytes())?)
}

pub(super) fn unified_order_in(order: JsValue) -> Result<UnifiedOrderRequest> {
    from_js::<UnifiedOrderIn>(order, "order").and_then(UnifiedOrderIn::into_core)
}

pub(super) fn order_query_in(query: JsValue) -> Result<OrderQueryRequest> {
    let q = from_js::<OrderQueryIn>(query, "query")?;
    Ok(OrderQueryRequest { trade: trade_ref(q.transaction_id, q.out_trade_no, "query")? })
}

pub(super) fn close_order_in(close: JsValue) -> Result<CloseOrderRequest> {
    let c = from_js::<CloseOrderIn>(close, "close")?;
    Ok(CloseOrderRequest { out_trade_no: required(c.out_trade_no, "out_trade_no")? })
}

pub(super) fn refund_in(refund: JsValue) -> Result<RefundRequest> {
    let r = from_js::<RefundIn>(refund, "refund")?;
    Ok(RefundRequest {
        trade: trade_ref(r.transaction_id, r.out_trade_no, "refund")?,
        out_refund_no: required(r.out_refund_no, "out_refund_no")?,
        total_fee: r.total_fee.req_fen("total_fee")?,
        refund_fee: r.refund_fee.req_fen("refund_fee")?,
        refund_desc: r.refund_desc,
        notify_url: r.notify_url,
        refund_account: r.refund_account,
    })
}

pub(super) fn refund_query_in(query: JsValue) -> Result<RefundQueryRequest> {
    from_js::<RefundQueryIn>(query, "query").and_then(RefundQueryIn::into_core)
}

/// The signed XML body for `POST /pay/unifiedorder` (`trade_type=JSAPI`). `nonceStr` defaults
/// to a fresh nonce.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `UNENCODABLE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildUnifiedOrder)]
pub fn build_unified_order(
    #[wasm_bindgen(unchecked_param_type = "UnifiedOrderRequest")] order: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
) -> Result<String> {
    build(merchant, unified_order_in(order), nonce_str)
}

/// Checks and reads WeChat's answer to unifiedorder: `return_code`, signature, `appid` /
/// `mch_id`, `result_code`, then `prepayId`.
///
/// @throws {WxPayError} `RETURN_FAIL`, `BUSINESS_ERROR` (see `errCode`, `retryable`), `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, XML codes, `MISSING_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = parseUnifiedOrderResponse, unchecked_return_type = "UnifiedOrderResponse")]
pub fn parse_unified_order_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    parse::<UnifiedOrderResponse>(xml, merchant)
}

/// The signed XML body for `POST /pay/orderquery`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildOrderQuery)]
pub fn build_order_query(
    #[wasm_bindgen(unchecked_param_type = "OrderQueryRequest")] query: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
) -> Result<String> {
    build(merchant, order_query_in(query), nonce_str)
}

/// Checks and reads WeChat's answer to orderquery (see `parseUnifiedOrderResponse`).
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseOrderQueryResponse, unchecked_return_type = "OrderQueryResponse")]
pub fn parse_order_query_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    parse::<OrderQueryResponse>(xml, merchant)
}

/// The signed XML body for `POST /pay/closeorder`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildCloseOrder)]
pub fn build_close_order(
    #[wasm_bindgen(unchecked_param_type = "CloseOrderRequest")] close: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
) -> Result<String> {
    build(merchant, close_order_in(close), nonce_str)
}

/// Checks WeChat's answer to closeorder (see `parseUnifiedOrderResponse`); `ORDERPAID` is a
/// `BUSINESS_ERROR`.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseCloseOrderResponse, unchecked_return_type = "CloseOrderResponse")]
pub fn parse_close_order_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    parse::<CloseOrderResponse>(xml, merchant)
}

/// The signed XML body for `POST /secapi/pay/refund` (send it over mutual TLS).
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildRefund)]
pub fn build_refund(
    #[wasm_bindgen(unchecked_param_type = "RefundRequest")] refund: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
) -> Result<String> {
    build(merchant, refund_in(refund), nonce_str)
}

/// Checks and reads WeChat's answer to refund: *accepted*, not yet refunded.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseRefundResponse, unchecked_return_type = "RefundResponse")]
pub fn parse_refund_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    parse::<RefundResponse>(xml, merchant)
}

/// The signed XML body for `POST /pay/refundquery`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = buildRefundQuery)]
pub fn build_refund_query(
    #[wasm_bindgen(unchecked_param_type = "RefundQueryRequest")] query: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = nonceStr, unchecked_optional_param_type = "string")] nonce_str: &JsValue,
) -> Result<String> {
    build(merchant, refund_query_in(query), nonce_str)
}

/// Checks and reads WeChat's answer to refundquery, with the `_$n` fields as `refunds[n]`.
///
/// @throws {WxPayError} as `parseUnifiedOrderResponse`
#[wasm_bindgen(js_name = parseRefundQueryResponse, unchecked_return_type = "RefundQueryResponse")]
pub fn parse_refund_query_response(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    parse::<RefundQueryResponse>(xml, merchant)
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Flat WeChat fields by WeChat's own names. Numbers must be non-negative safe integers. */
export type Params = Record<string, string | number | null | undefined>;

/** Fields as received: every value is the exact string WeChat sent. */
export type Fields = Record<string, string>;

/** An amount in integer fen (分): a safe integer, or a string of digits. Never a fraction. */
export type Fen = number | string;

/** A JSAPI order (`trade_type=JSAPI`) for a mini-program payer. */
export interface UnifiedOrderRequest {
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

export type OrderQueryRequest = TradeRef;

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

export interface CloseOrderRequest {
  outTradeNo: string;
}

/** closeorder answers nothing beyond success. */
export type CloseOrderResponse = Record<string, never>;

/** A refund application; the same `outRefundNo` refunds once. */
export type RefundRequest = TradeRef & {
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
export type RefundQueryRequest = (
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

/** @deprecated The name before requests were `…Request`: use `UnifiedOrderRequest`. */
export type UnifiedOrder = UnifiedOrderRequest;
/** @deprecated Use `OrderQueryRequest`. */
export type OrderQuery = OrderQueryRequest;
/** @deprecated Use `CloseOrderRequest`. */
export type CloseOrder = CloseOrderRequest;
/** @deprecated Use `RefundRequest`. */
export type Refund = RefundRequest;
/** @deprecated Use `RefundQueryRequest`. */
export type RefundQuery = RefundQueryRequest;

/** Exactly the object `wx.requestPayment` takes. */
export interface PaymentParams {
  timeStamp: string;
  nonceStr: string;
  /** `prepay_id=<id>`. */
  package: string;
  signType: SignType;
  paySign: string;
}
"#;
