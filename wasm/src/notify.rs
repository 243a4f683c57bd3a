//! Export group `notify`: what a notify handler needs, and nothing else. It is the whole of the
//! small entry point `wxpay/notify` (`pkg/notify.js`) and part of `wxpay` (`pkg/index.js`).

use wasm_bindgen::prelude::*;

use super::convert::{Body, MerchantConfig, Scalar};
use super::error::{argument, Result};
use super::js;
use wxpay::v2::{notify, Merchant};

/// Verifies a payment notify body (the string or raw bytes WeChat POSTed): flat XML without
/// DOCTYPE, `return_code`, the signature (MD5 or HMAC-SHA256, told by its length), `appid` and
/// `mch_id`. With `expectedTotalFee` the amount is compared too. Answer with `notifyReply`.
///
/// @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `AMOUNT_MISMATCH`, `RETURN_FAIL`, `DOCTYPE_FORBIDDEN` and the other XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = verifyPaymentNotify, unchecked_return_type = "PaymentNotify")]
pub fn verify_payment_notify(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
    #[wasm_bindgen(js_name = expectedTotalFee, unchecked_optional_param_type = "number")] expected_total_fee: &JsValue,
) -> Result<JsValue> {
    verify_payment_notify_with(&MerchantConfig::read(merchant)?, xml, expected_total_fee)
}

/// Decrypts a refund notify: `return_code`, `appid` / `mch_id`, then `req_info`
/// (AES-256-ECB under the MD5 of the API key).
///
/// @throws {WxPayError} `DECRYPT_KEY_MISMATCH`, `BAD_PADDING`, `TRUNCATED_CIPHERTEXT`, `INVALID_BASE64`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `RETURN_FAIL`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = decryptRefundNotify, unchecked_return_type = "RefundNotify")]
pub fn decrypt_refund_notify(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "MerchantConfig")] merchant: JsValue,
) -> Result<JsValue> {
    decrypt_refund_notify_with(&MerchantConfig::read(merchant)?, xml)
}

/// The reply to a payment or refund notify: `SUCCESS` stops WeChat's retries, `FAIL` asks for
/// one later. `ok` is `true` / `false`, or the word itself, `'SUCCESS'` / `'FAIL'` (a verdict's
/// `reply`); anything else is refused, never read as FAIL. `message` defaults to `OK` / `FAIL`.
///
/// @throws {WxPayError} `UNENCODABLE`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = notifyReply)]
pub fn notify_reply(
    #[wasm_bindgen(unchecked_param_type = "boolean | \"SUCCESS\" | \"FAIL\"")] ok: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] message: &JsValue,
) -> Result<String> {
    let ok = match ok.as_string().as_deref() {
        Some("SUCCESS") => true,
        Some("FAIL") => false,
        _ => js::flag(ok, "ok").map_err(|_| argument("ok", "must be true, false, 'SUCCESS' or 'FAIL'"))?,
    };
    let message = js::opt_text(message, "message")?;
    let message = message.as_deref().unwrap_or(if ok { "OK" } else { "FAIL" });
    Ok(notify::reply(ok, message)?)
}

fn verify_payment_notify_with(m: &Merchant, xml: &JsValue, expected_total_fee: &JsValue) -> Result<JsValue> {
    let expected_total_fee = js::opt_number(expected_total_fee, "expectedTotalFee")?;
    let notify = m.verify_payment_notify(Body::from_js(xml)?.bytes())?;
    if let Some(total) = expected_total_fee {
        notify.check_amount(Scalar::from_f64(total).req_fen("expected_total_fee")?)?;
    }
    super::convert::to_js(&notify)
}

fn decrypt_refund_notify_with(m: &Merchant, xml: &JsValue) -> Result<JsValue> {
    super::convert::to_js(&m.decrypt_refund_notify(Body::from_js(xml)?.bytes())?)
}

/// A merchant configured once: `new Merchant({ appId, mchId, key, signType })`, for the calls a
/// server makes per request: the configuration is read and checked once, not per call. The key
/// stays inside WebAssembly memory; no getter returns it.
#[wasm_bindgen(js_name = Merchant)]
pub struct JsMerchant {
    pub(super) inner: Merchant,
}

#[wasm_bindgen(js_class = Merchant)]
impl JsMerchant {
    /// @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `MISSING_FIELD`, `INVALID_ARGUMENT`
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "MerchantConfig")] config: JsValue) -> Result<JsMerchant> {
        Ok(JsMerchant { inner: MerchantConfig::read(config)? })
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
        #[wasm_bindgen(js_name = expectedTotalFee, unchecked_optional_param_type = "number")] expected_total_fee: &JsValue,
    ) -> Result<JsValue> {
        verify_payment_notify_with(&self.inner, xml, expected_total_fee)
    }

    /// See the function `decryptRefundNotify`.
    #[wasm_bindgen(js_name = decryptRefundNotify, unchecked_return_type = "RefundNotify")]
    pub fn decrypt_refund_notify(&self, #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: &JsValue) -> Result<JsValue> {
        decrypt_refund_notify_with(&self.inner, xml)
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** `MD5` (the default) or `HMAC-SHA256`. */
export type SignType = "MD5" | "HMAC-SHA256";

/** Who we are to WeChat Pay. `key` is the 32-character API v2 key; it never leaves WebAssembly in any output or error. WeChat's names (`appid`, `mch_id`, `sign_type`) are accepted too. */
export interface MerchantConfig {
  appId: string;
  mchId: string;
  key: string;
  /** The algorithm for our requests; default `MD5`. */
  signType?: SignType;
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
  /** Empty for a failed payment whose notify carries none. */
  transactionId: string;
  outTradeNo: string;
  attach?: string;
  /** `yyyyMMddHHmmss`; empty for a failed payment whose notify carries none. */
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

export type ErrorCode =
  | "INVALID_AMOUNT" | "AMOUNT_MISMATCH"
  | "SIGNATURE_MISMATCH" | "MISSING_SIGNATURE" | "UNSUPPORTED_SIGN_TYPE" | "INVALID_API_KEY"
  | "MISSING_FIELD" | "INVALID_FIELD" | "APPID_MISMATCH" | "MCHID_MISMATCH"
  | "DOCTYPE_FORBIDDEN" | "UNKNOWN_ENTITY" | "NESTED_ELEMENT" | "DUPLICATE_KEY" | "NOT_UTF8"
  | "TOO_LARGE" | "UNEXPECTED_ROOT" | "UNENCODABLE" | "MALFORMED_XML"
  | "RETURN_FAIL" | "BUSINESS_ERROR"
  | "INVALID_BASE64" | "TRUNCATED_CIPHERTEXT" | "DECRYPT_KEY_MISMATCH" | "BAD_PADDING"
  | "RANDOM_UNAVAILABLE" | "INVALID_ARGUMENT";

/** Every function throws this, whatever it is given: a plain `Error` with a stable `code` (`INVALID_ARGUMENT` for a value of the wrong type, or an argument whose getter or Proxy throws while it is read). */
export interface WxPayError extends Error {
  code: ErrorCode;
  /** WeChat's `err_code` (e.g. `ORDERPAID`) when `code` is `BUSINESS_ERROR`. */
  errCode?: string;
  /** Whether WeChat asks for the same request again (`SYSTEMERROR`, `BIZERR_NEED_RETRY`). */
  retryable: boolean;
  /** With `INVALID_ARGUMENT`: what the caller's own getter or Proxy threw while the argument was read. */
  cause?: unknown;
}
"#;
