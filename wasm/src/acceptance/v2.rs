//! The reports of API v2 for `judgePayment` and `judgeRefund` (`wxpay/notify` and `wxpay`): a
//! `PaymentNotify` (`resultCode`) or an orderquery answer (`tradeState`); a `RefundNotify`, or
//! one refund of a refundquery answer with the answer's `outTradeNo`, `transactionId` and
//! `totalFee`.

use wasm_bindgen::prelude::*;

use crate::convert::{required, sign_type_in, Props};
use crate::error::{argument, Result};
use wxpay::acceptance::{PaymentReport, RefundReport};
use wxpay::v2::{RefundStatus, SignType, TradeState};
use wxpay::Error;

/// A stored order's `signType`: pinned when given.
pub(super) fn stored_sign_type(value: Option<String>) -> Result<Option<SignType>> {
    sign_type_in(value)
}

/// The report object, its names checked.
pub(super) fn payment_props(value: JsValue) -> Result<Props> {
    Props::read(value, "report", PAYMENT_REPORT, PAYMENT_REPORT_OTHERS)
}

/// The payment report read from `report`, handed to `judge`.
pub(super) fn judge_payment<T>(report: &Props, judge: impl FnOnce(&PaymentReport<'_>) -> T) -> Result<T> {
    let out_trade_no = required(report.text("outTradeNo")?, "out_trade_no")?;
    let transaction_id = report.text("transactionId")?;
    let openid = report.text("openid")?;
    let paid = match (report.text("resultCode")?, report.text("tradeState")?) {
        (Some(code), None) => match code.as_str() {
            "SUCCESS" => true,
            "FAIL" => false,
            _ => return Err(Error::invalid("result_code", "must be SUCCESS or FAIL").into()),
        },
        (None, Some(state)) => state.parse::<TradeState>()?.is_paid(),
        (Some(_), Some(_)) => return Err(argument("report", "give `resultCode` (a notify) or `tradeState` (an orderquery), not both")),
        (None, None) => return Err(Error::missing("result_code").into()),
    };
    Ok(judge(&PaymentReport {
        out_trade_no: &out_trade_no,
        paid,
        transaction_id: transaction_id.as_deref(),
        total_fee: report.fen("totalFee")?,
        openid: openid.as_deref(),
        sign_type: sign_type_in(report.text("signType")?)?,
    }))
}

/// The report object, its names checked.
pub(super) fn refund_props(value: JsValue) -> Result<Props> {
    Props::read(value, "report", REFUND_REPORT, REFUND_REPORT_OTHERS)
}

/// The refund report read from `report`, handed to `judge`.
pub(super) fn judge_refund<T>(report: &Props, judge: impl FnOnce(&RefundReport<'_>) -> T) -> Result<T> {
    let out_refund_no = required(report.text("outRefundNo")?, "out_refund_no")?;
    let out_trade_no = required(report.text("outTradeNo")?, "out_trade_no")?;
    let refund_id = required(report.text("refundId")?, "refund_id")?;
    let transaction_id = report.text("transactionId")?;
    let status: RefundStatus = required(report.text("refundStatus")?, "refund_status")?.parse()?;
    Ok(judge(&RefundReport {
        out_refund_no: &out_refund_no,
        out_trade_no: &out_trade_no,
        refund_id: &refund_id,
        transaction_id: transaction_id.as_deref(),
        refund_fee: report.fen("refundFee")?.ok_or_else(|| Error::missing("refund_fee"))?,
        total_fee: report.fen("totalFee")?,
        status: status.into(),
    }))
}

/// What the judgement reads of a payment report.
const PAYMENT_REPORT: &[&str] = &["outTradeNo", "resultCode", "tradeState", "transactionId", "totalFee", "openid", "signType"];
/// The other fields of `PaymentNotify` and `OrderQueryResponse`: passed along, not read.
const PAYMENT_REPORT_OTHERS: &[&str] = &[
    "errCode",
    "errCodeDes",
    "appId",
    "mchId",
    "tradeType",
    "bankType",
    "settlementTotalFee",
    "cashFee",
    "couponFee",
    "feeType",
    "attach",
    "timeEnd",
    "isSubscribe",
    "tradeStateDesc",
];
/// What the judgement reads of a refund report.
const REFUND_REPORT: &[&str] = &["outRefundNo", "outTradeNo", "refundId", "transactionId", "refundFee", "totalFee", "refundStatus"];
/// The other fields of `RefundNotify`, of a refundquery item and its answer: passed along.
const REFUND_REPORT_OTHERS: &[&str] = &[
    "appId",
    "mchId",
    "settlementTotalFee",
    "settlementRefundFee",
    "successTime",
    "refundRecvAccout",
    "refundAccount",
    "refundRequestSource",
    "refundSuccessTime",
    "refundChannel",
    "cashFee",
    "totalRefundCount",
];

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The sign type a stored order was placed with. */
export type StoredSignType = SignType;

/** What `judgePayment` reads of a report: a `PaymentNotify` (`resultCode`) or an orderquery answer (`tradeState`). */
export interface PaymentReport {
  outTradeNo: string;
  resultCode?: "SUCCESS" | "FAIL";
  tradeState?: "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";
  transactionId?: string | null;
  totalFee?: number | string | null;
  openid?: string | null;
  /** A notify's; absent for a query answer. */
  signType?: SignType | null;
}

/** What `judgeRefund` reads of a report: a `RefundNotify`, or a refundquery refund with its answer's `outTradeNo`, `transactionId` and `totalFee`. */
export interface RefundReport {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  transactionId?: string | null;
  refundFee: number | string;
  totalFee?: number | string | null;
  refundStatus: "PROCESSING" | "SUCCESS" | "CHANGE" | "REFUNDCLOSE";
}
"#;
