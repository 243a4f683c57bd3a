//! The reports of API v2 for `judgePayment` and `judgeRefund` (`wxpay/notify` and `wxpay`): a
//! `PaymentNotify` (`resultCode`) or an orderquery answer (`tradeState`); a `RefundNotify`, or
//! one refund of a refundquery answer with the answer's `outTradeNo`, `transactionId` and
//! `totalFee`.

use wasm_bindgen::prelude::*;

use crate::convert::{required, sign_type_in, Props};
use crate::error::{argument, Result};
use wxpay::acceptance::{PaymentReport, RefundReport};
use wxpay::v2::{RefundStatus, SignType, TradeState};
use wxpay::{Error, Fen};

/// A payment report's fields, owned, for the borrowed [`PaymentReport`].
pub(super) struct Payment {
    out_trade_no: String,
    paid: bool,
    transaction_id: Option<String>,
    total_fee: Option<Fen>,
    openid: Option<String>,
    sign_type: Option<SignType>,
}

impl Payment {
    pub(super) fn read(value: JsValue) -> Result<Payment> {
        let report = Props::read(value, "report", PAYMENT_REPORT, PAYMENT_REPORT_OTHERS)?;
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
        Ok(Payment {
            out_trade_no,
            paid,
            transaction_id,
            total_fee: report.fen("totalFee")?,
            openid,
            sign_type: sign_type_in(report.text("signType")?)?,
        })
    }

    pub(super) fn report(&self) -> PaymentReport<'_> {
        PaymentReport {
            out_trade_no: &self.out_trade_no,
            paid: self.paid,
            transaction_id: self.transaction_id.as_deref(),
            total_fee: self.total_fee,
            openid: self.openid.as_deref(),
            sign_type: self.sign_type,
        }
    }
}

/// A refund report's fields, owned, for the borrowed [`RefundReport`].
pub(super) struct Refund {
    out_refund_no: String,
    out_trade_no: String,
    refund_id: String,
    transaction_id: Option<String>,
    refund_fee: Fen,
    total_fee: Option<Fen>,
    status: RefundStatus,
}

impl Refund {
    pub(super) fn read(value: JsValue) -> Result<Refund> {
        let report = Props::read(value, "report", REFUND_REPORT, REFUND_REPORT_OTHERS)?;
        Ok(Refund {
            out_refund_no: required(report.text("outRefundNo")?, "out_refund_no")?,
            out_trade_no: required(report.text("outTradeNo")?, "out_trade_no")?,
            refund_id: required(report.text("refundId")?, "refund_id")?,
            transaction_id: report.text("transactionId")?,
            status: required(report.text("refundStatus")?, "refund_status")?.parse()?,
            refund_fee: required(report.fen("refundFee")?, "refund_fee")?,
            total_fee: report.fen("totalFee")?,
        })
    }

    pub(super) fn report(&self) -> Result<RefundReport<'_>> {
        Ok(RefundReport {
            out_refund_no: &self.out_refund_no,
            out_trade_no: &self.out_trade_no,
            refund_id: &self.refund_id,
            transaction_id: self.transaction_id.as_deref(),
            refund_fee: self.refund_fee,
            total_fee: self.total_fee,
            status: self.status.into(),
        })
    }
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
