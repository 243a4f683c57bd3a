//! The acceptance rule ([`wxpay::acceptance`]) for a notify handler, `judgePayment` and
//! `judgeRefund`, in export group `notify` (`wxpay/notify` and `wxpay`) and in `wxpay/v3`. The
//! report is the very object the entry point's own notify reader returned (v2:
//! `verifyPaymentNotify`, `decryptRefundNotify`, or a query answer; v3: the `event` of
//! `KeySet#openNotification`, or `parseTransactionResponse` / `parseRefundResponse`), read by
//! `report` (`acceptance/v2.rs` or `acceptance/v3.rs`); the stored record, the verdict and
//! their types are the same in both.
//!
//! The objects are read property by property, as `MerchantConfig` is (see `convert.rs`), in
//! camelCase as the results are written: no serde deserializer in the notify entry point, and
//! errors name a field as the caller wrote it.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{required, to_js, Props};
use super::error::Result;
use wxpay::acceptance::{
    judge_payment as judge_payment_core, judge_refund as judge_refund_core, Mismatch, PaymentVerdict, RefundVerdict, StoredOrder,
    StoredOrderState, StoredRefund,
};
use wxpay::v2::SignType;
use wxpay::{Error, Fen};

// The report as each entry point's notify reader returns it.
#[cfg(not(feature = "wasm-v3"))]
#[path = "acceptance/v2.rs"]
mod report;
#[cfg(feature = "wasm-v3")]
#[path = "acceptance/v3.rs"]
mod report;

/// Judges a verified payment report (v2: a `PaymentNotify` or an orderquery answer; v3: a
/// payment notify's `event` or a query's `Transaction`) against the stored order (`null`: no
/// order has its `outTradeNo`). `RECORD`: move the order to `PAID` with the report's
/// transaction in one conditional update from the status judged (`CLOSED` when `afterClose`,
/// flagged for a person), and acknowledge only once it is stored; if the update finds the
/// order moved on, read it again and judge again. `REFUSE`: change nothing and refuse with a
/// fixed message: `code` is for the log.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`; v2 also
/// `UNSUPPORTED_SIGN_TYPE`
#[wasm_bindgen(js_name = judgePayment, unchecked_return_type = "PaymentVerdict")]
pub fn judge_payment(
    #[wasm_bindgen(unchecked_param_type = "StoredOrder | null")] stored: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentReport")] report: JsValue,
) -> Result<JsValue> {
    let order = if stored.is_null() || stored.is_undefined() { None } else { Some(Props::read(stored, "stored", ORDER, &[])?) };
    let report = report::payment_props(report)?;

    let order_fields = order.as_ref().map(OrderFields::read).transpose()?;
    let stored_order = order_fields.as_ref().map(OrderFields::stored).transpose()?;
    let v = report::judge_payment(&report, |r| judge_payment_core(stored_order.as_ref(), r))?;
    let after_close = match v {
        PaymentVerdict::Record { after_close } => Some(after_close),
        _ => None,
    };
    to_js(&Verdict::new(v.as_str(), v.reply().as_str(), v.mismatch(), after_close, None))
}

/// Judges a refund report (v2: a `RefundNotify`, or one refund of a refundquery answer with the
/// answer's `outTradeNo`, `transactionId` and `totalFee`; v3: a refund notify's `event` or a
/// `Refund` answer) against the stored refund (`null`: no refund has its `outRefundNo`).
/// `RECORD`: move the refund to `status` (with the report's `refundId`) in one conditional
/// update from the status judged, and acknowledge only once it is stored. `RECORD_UNKNOWN`: a
/// refund we did not start (made on the merchant platform): record it for a person, then
/// acknowledge. `ALREADY_RECORDED`, `STALE`: acknowledge. `REFUSE`: change nothing, refuse
/// with a fixed message.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = judgeRefund, unchecked_return_type = "RefundVerdict")]
pub fn judge_refund(
    #[wasm_bindgen(unchecked_param_type = "StoredRefund | null")] stored: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RefundReport")] report: JsValue,
) -> Result<JsValue> {
    let refund = if stored.is_null() || stored.is_undefined() { None } else { Some(Props::read(stored, "stored", REFUND, &[])?) };
    let report = report::refund_props(report)?;

    let refund_fields = refund.as_ref().map(RefundFields::read).transpose()?;
    let stored_refund = refund_fields.as_ref().map(RefundFields::stored).transpose()?;
    let (v, reported) = report::judge_refund(&report, |r| (judge_refund_core(stored_refund.as_ref(), r), r.status))?;
    let status = match v {
        RefundVerdict::Record(s) => Some(s.as_str()),
        RefundVerdict::RecordUnknown => Some(reported.as_str()),
        _ => None,
    };
    to_js(&Verdict::new(v.as_str(), v.reply().as_str(), v.mismatch(), None, status))
}

/// The stored order's names.
const ORDER: &[&str] = &["outTradeNo", "totalFee", "openid", "signType", "status", "transactionId"];
/// The stored refund's names.
const REFUND: &[&str] = &["outRefundNo", "outTradeNo", "refundFee", "totalFee", "refundId", "transactionId", "status"];

/// A stored order's fields, owned, for the borrowed [`StoredOrder`].
struct OrderFields {
    out_trade_no: String,
    total_fee: Fen,
    openid: Option<String>,
    sign_type: Option<SignType>,
    status: String,
    transaction_id: Option<String>,
}

impl OrderFields {
    fn read(p: &Props) -> Result<OrderFields> {
        Ok(OrderFields {
            out_trade_no: required(p.text("outTradeNo")?, "out_trade_no")?,
            total_fee: required(p.fen("totalFee")?, "total_fee")?,
            openid: p.text("openid")?,
            sign_type: report::stored_sign_type(p.text("signType")?)?,
            status: required(p.text("status")?, "status")?,
            transaction_id: p.text("transactionId")?,
        })
    }

    fn stored(&self) -> Result<StoredOrder<'_>> {
        let state = match self.status.as_str() {
            "NOTPAY" => StoredOrderState::Unpaid,
            "CLOSED" => StoredOrderState::Closed,
            "PAID" => StoredOrderState::Paid { transaction_id: required(self.transaction_id.as_deref(), "transaction_id")? },
            _ => return Err(Error::invalid("status", "must be NOTPAY, CLOSED or PAID").into()),
        };
        Ok(StoredOrder {
            out_trade_no: &self.out_trade_no,
            total_fee: self.total_fee,
            openid: self.openid.as_deref(),
            sign_type: self.sign_type,
            state,
        })
    }
}

/// A stored refund's fields, owned, for the borrowed [`StoredRefund`].
struct RefundFields {
    out_refund_no: String,
    out_trade_no: String,
    refund_fee: Fen,
    total_fee: Fen,
    refund_id: Option<String>,
    transaction_id: Option<String>,
    status: String,
}

impl RefundFields {
    fn read(p: &Props) -> Result<RefundFields> {
        Ok(RefundFields {
            out_refund_no: required(p.text("outRefundNo")?, "out_refund_no")?,
            out_trade_no: required(p.text("outTradeNo")?, "out_trade_no")?,
            refund_fee: required(p.fen("refundFee")?, "refund_fee")?,
            total_fee: required(p.fen("totalFee")?, "total_fee")?,
            refund_id: p.text("refundId")?,
            transaction_id: p.text("transactionId")?,
            status: required(p.text("status")?, "status")?,
        })
    }

    fn stored(&self) -> Result<StoredRefund<'_>> {
        Ok(StoredRefund {
            out_refund_no: &self.out_refund_no,
            out_trade_no: &self.out_trade_no,
            refund_fee: self.refund_fee,
            total_fee: self.total_fee,
            refund_id: self.refund_id.as_deref(),
            transaction_id: self.transaction_id.as_deref(),
            state: self.status.parse()?,
        })
    }
}

/// The verdict as JS sees it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Verdict {
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_close: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    reply: &'static str,
}

impl Verdict {
    fn new(
        verdict: &'static str,
        reply: &'static str,
        m: Option<Mismatch>,
        after_close: Option<bool>,
        status: Option<&'static str>,
    ) -> Self {
        Verdict { verdict, after_close, status, code: m.map(|m| m.code()), reason: m.map(|m| m.to_string()), reply }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An order as stored (wxpay-server's and the cloud functions' names for its status). */
export interface StoredOrder {
  outTradeNo: string;
  totalFee: number | string;
  /** The payer; when given, a report must name the same one. */
  openid?: string | null;
  /** The sign type the order was placed with (v2: pinned, a notify signed otherwise is refused; absent: not pinned. v3: `RSA`, its one scheme). */
  signType?: StoredSignType | null;
  status: "NOTPAY" | "CLOSED" | "PAID";
  /** Required when `PAID`. */
  transactionId?: string | null;
}

/** A refund as stored. `REQUESTED` and `REJECTED` were never sent to WeChat. */
export interface StoredRefund {
  outRefundNo: string;
  outTradeNo: string;
  refundFee: number | string;
  totalFee: number | string;
  /** WeChat's refund id, once it gave one. */
  refundId?: string | null;
  /** The order's transaction id, once paid. */
  transactionId?: string | null;
  status: "REQUESTED" | "APPROVED" | "PROCESSING" | "CHANGE" | "SUCCESS" | "CLOSED" | "REJECTED";
}

/** Why a report was refused: for the log, never for the reply. */
export type MismatchCode =
  | "ORDER_NOT_FOUND" | "OUT_TRADE_NO_MISMATCH" | "SIGN_TYPE_MISMATCH" | "TOTAL_FEE_MISMATCH" | "PAYER_MISMATCH"
  | "TRANSACTION_ID_MISSING" | "OTHER_TRANSACTION" | "OUT_REFUND_NO_MISMATCH" | "REFUND_FEE_MISMATCH"
  | "REFUND_ID_MISMATCH" | "TRANSACTION_ID_MISMATCH" | "REFUND_NOT_SENT" | "RESULT_CONFLICT";

/** A refused report: change nothing, refuse with a fixed message (v2: `notifyReply(false)`; v3: a 4xx/5xx); `code` and `reason` go to the log. */
export interface Refused {
  verdict: "REFUSE";
  code: MismatchCode;
  /** One line for the log. */
  reason: string;
  reply: "FAIL";
}

/** `RECORD`: store `PAID` (flagged when `afterClose`), then acknowledge. */
export type PaymentVerdict =
  | { verdict: "RECORD"; afterClose: boolean; reply: "SUCCESS" }
  | { verdict: "ALREADY_RECORDED" | "NOTHING_TO_RECORD"; reply: "SUCCESS" }
  | Refused;

/** The refund states a verdict records (v2's `REFUNDCLOSE` is `CLOSED`, v3's `ABNORMAL` is `CHANGE`). */
export type RefundRecordStatus = "PROCESSING" | "SUCCESS" | "CHANGE" | "CLOSED";

/** `RECORD`: store `status`, then acknowledge. `RECORD_UNKNOWN`: a refund we did not start; record it for a person, then acknowledge. */
export type RefundVerdict =
  | { verdict: "RECORD" | "RECORD_UNKNOWN"; status: RefundRecordStatus; reply: "SUCCESS" }
  | { verdict: "ALREADY_RECORDED" | "STALE"; reply: "SUCCESS" }
  | Refused;
"#;
