//! 支付结果通知: the payment notify WeChat POSTs to `notify_url`, and our reply.

use serde::{Deserialize, Serialize};

use super::message::{check_return_code, Read};
use super::{verify, xml, Merchant, SignType};
use crate::error::{quoted, Error, Result};
use crate::{Fen, Params};

/// The body that stops WeChat from retrying a notify.
pub const REPLY_SUCCESS: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/// The body that asks WeChat to send a notify again: one fixed word, whatever the reason, so
/// that the reply never tells a sender which check its message failed.
pub const REPLY_FAIL: &str = "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[FAIL]]></return_msg></xml>";

/// `result_code` of a notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResultCode {
    /// The payment succeeded.
    Success,
    /// The payment failed (`err_code` says why).
    Fail,
}

/// A verified payment notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentNotify {
    /// Whether the payment succeeded.
    pub result_code: ResultCode,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_code: Option<String>,
    /// Description of `err_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_code_des: Option<String>,
    /// Our appid (checked).
    #[serde(rename = "appId")]
    pub appid: String,
    /// Our mch_id (checked).
    pub mch_id: String,
    /// The payer.
    pub openid: String,
    /// `JSAPI` for mini-programs.
    pub trade_type: String,
    /// The payer's bank, e.g. `CMC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// The order amount: compare with the order (see [`PaymentNotify::check_amount`]).
    pub total_fee: Fen,
    /// The amount after merchant coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_total_fee: Option<Fen>,
    /// What the payer paid in cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_fee: Option<Fen>,
    /// Coupon amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_fee: Option<Fen>,
    /// Currency (`CNY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_type: Option<String>,
    /// WeChat's transaction id (empty for a failed payment whose notify carries none).
    pub transaction_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The `attach` given at ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// Payment time, `yyyyMMddHHmmss` (empty for a failed payment whose notify carries none).
    pub time_end: String,
    /// Whether the payer follows the official account (`Y`/`N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_subscribe: Option<String>,
    /// The algorithm the notify was signed with.
    pub sign_type: SignType,
}

impl PaymentNotify {
    /// `result_code == SUCCESS`.
    pub fn is_success(&self) -> bool {
        self.result_code == ResultCode::Success
    }

    /// Checks the notified amount against the order's. Never mark an order paid without it.
    ///
    /// # Errors
    /// [`Error::AmountMismatch`].
    pub fn check_amount(&self, order_total: Fen) -> Result<()> {
        self.total_fee.check_matches(order_total)
    }

    fn from_params(p: &Params, sign_type: SignType) -> Result<Self> {
        let result_code = match p.req("result_code")? {
            "SUCCESS" => ResultCode::Success,
            "FAIL" => ResultCode::Fail,
            other => return Err(Error::invalid("result_code", format!("unknown value {}", quoted(other)))),
        };
        // A successful payment always has its transaction id and time; a failed one may not.
        let paid_field = |name: &str| match result_code {
            ResultCode::Success => p.string(name),
            ResultCode::Fail => Ok(p.opt_string(name).unwrap_or_default()),
        };
        Ok(PaymentNotify {
            result_code,
            err_code: p.opt_string("err_code"),
            err_code_des: p.opt_string("err_code_des"),
            appid: p.string("appid")?,
            mch_id: p.string("mch_id")?,
            openid: p.string("openid")?,
            trade_type: p.string("trade_type")?,
            bank_type: p.opt_string("bank_type"),
            total_fee: p.fen("total_fee")?,
            settlement_total_fee: p.opt_fen("settlement_total_fee")?,
            cash_fee: p.opt_fen("cash_fee")?,
            coupon_fee: p.opt_fen("coupon_fee")?,
            fee_type: p.opt_string("fee_type"),
            transaction_id: paid_field("transaction_id")?,
            out_trade_no: p.string("out_trade_no")?,
            attach: p.opt_string("attach"),
            time_end: paid_field("time_end")?,
            is_subscribe: p.opt_string("is_subscribe"),
            sign_type,
        })
    }
}

impl Merchant {
    /// Verifies a payment notify body: well-formed flat XML, `return_code=SUCCESS`, the
    /// signature (the notify of an HMAC-SHA256 order has no `sign_type`: the signature length
    /// tells), then `appid` and `mch_id`, then the typed fields.
    ///
    /// The caller still compares the amount with its order ([`PaymentNotify::check_amount`])
    /// and applies the state change once.
    ///
    /// # Errors
    /// XML errors ([`Error::DoctypeForbidden`], [`Error::TooLarge`], …),
    /// [`Error::ReturnFail`], [`Error::MissingSignature`], [`Error::SignatureMismatch`],
    /// [`Error::AppIdMismatch`], [`Error::MchIdMismatch`], or a field error.
    ///
    /// ```
    /// use wxpay::{sign, xml, ApiKey, Fen, Merchant, Params, SignType};
    /// let merchant = Merchant::new("wx2421b1c4370ec43b", "10000100",
    ///     ApiKey::new("192006250b4c09247ec02edce69f6a2d")?);
    /// // What WeChat would POST (here signed by us, as the simulator does):
    /// let mut p = Params::new();
    /// for (k, v) in [("return_code", "SUCCESS"), ("result_code", "SUCCESS"),
    ///     ("appid", "wx2421b1c4370ec43b"), ("mch_id", "10000100"), ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
    ///     ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"), ("trade_type", "JSAPI"), ("bank_type", "CFT"),
    ///     ("total_fee", "1"), ("cash_fee", "1"), ("transaction_id", "1004400740201409030005092168"),
    ///     ("out_trade_no", "1409811653"), ("time_end", "20140903131540")] {
    ///     p.insert(k.into(), v.into());
    /// }
    /// p.insert("sign".into(), sign(&p, &merchant.key, SignType::HmacSha256));
    /// let body = xml::encode(&p)?;
    ///
    /// let notify = merchant.verify_payment_notify(body.as_bytes())?;
    /// assert!(notify.is_success());
    /// assert_eq!(notify.sign_type, SignType::HmacSha256);
    /// notify.check_amount(Fen::new(1))?;
    /// assert_eq!(wxpay::notify::REPLY_SUCCESS, wxpay::notify::reply(true, "OK")?);
    /// assert_eq!(wxpay::notify::REPLY_FAIL, wxpay::notify::reply(false, "FAIL")?);
    /// # Ok::<(), wxpay::Error>(())
    /// ```
    pub fn verify_payment_notify(&self, body: &[u8]) -> Result<PaymentNotify> {
        let params = xml::decode(body)?;
        check_return_code(&params)?;
        let sign_type = verify(&params, &self.key, self.sign_type)?;
        self.check_identity(&params, true)?;
        PaymentNotify::from_params(&params, sign_type)
    }
}

/// The reply to a notify: `SUCCESS` (stop retrying) or `FAIL` with a message (retry later).
///
/// # Errors
/// [`Error::Unencodable`] if `message` has characters XML cannot carry.
pub fn reply(ok: bool, message: &str) -> Result<String> {
    xml::encode_pairs("xml", [("return_code", if ok { "SUCCESS" } else { "FAIL" }), ("return_msg", message)])
}
