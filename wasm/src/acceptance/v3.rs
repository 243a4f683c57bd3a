//! The reports of API v3 for `judgePayment` and `judgeRefund` (`wxpay/v3`): the `event` of
//! `KeySet#openNotification` (`kind` `payment` or `refund`), or what `parseTransactionResponse`
//! and `parseRefundResponse` return, read back into the core's types, which the core turns into
//! reports (`PaymentReport::from`, `RefundReport::from_v3_notice` / `from_v3_answer`: `ABNORMAL`
//! is `CHANGE`, a status the core does not know is refused).
//!
//! Only what the rule reads is read; the other fields of those objects are passed over, and
//! left empty in the core value (nothing reads them there either).

use wasm_bindgen::prelude::*;

use crate::convert::{required, Props};
use crate::error::{argument, Failure, Result};
use crate::js;
use wxpay::acceptance::{PaymentReport, RefundReport};
use wxpay::v2::SignType;
use wxpay::v3::{Payer, RefundAmount, RefundNotice, RefundResponse, RefundStatus, TradeState, Transaction, TransactionAmount};
use wxpay::{Error, Fen};

/// A stored order's `signType`: v3 has one scheme, so `RSA` (or nothing) is all a v3 order can
/// have been placed with, and nothing is pinned; a v2 sign type is a record from the other API.
pub(super) fn stored_sign_type(value: Option<String>) -> Result<Option<SignType>> {
    match value.as_deref() {
        None | Some("RSA") => Ok(None),
        Some(_) => Err(Error::invalid("signType", "must be RSA (or absent) for an order placed through API v3").into()),
    }
}

/// The report object, its `kind` and names checked.
pub(super) fn payment_props(value: JsValue) -> Result<Props> {
    kind(&value, "payment")?;
    let p = Props::read(value, "report", PAYMENT, PAYMENT_OTHERS)?;
    p.text("kind")?;
    Ok(p)
}

/// The `Transaction` read from `p`, as the core reports it, handed to `judge`.
pub(super) fn judge_payment<T>(p: &Props, judge: impl FnOnce(&PaymentReport<'_>) -> T) -> Result<T> {
    let amount = p.object("amount", "report.amount", &["total"], &["payerTotal", "currency", "payerCurrency"])?;
    let payer = p.object("payer", "report.payer", &["openid"], &[])?;
    let transaction = Transaction {
        appid: String::new(),
        mchid: String::new(),
        out_trade_no: required(p.text("outTradeNo")?, "out_trade_no")?,
        transaction_id: p.text("transactionId")?,
        trade_type: None,
        trade_state: TradeState::from(required(p.text("tradeState")?, "trade_state")?.as_str()),
        trade_state_desc: String::new(),
        bank_type: None,
        attach: None,
        success_time: None,
        payer: payer.map(|p| Ok::<_, Failure>(Payer { openid: required(p.text("openid")?, "payer.openid")? })).transpose()?,
        amount: TransactionAmount {
            total: total(amount.as_ref(), "total")?,
            payer_total: None,
            currency: String::new(),
            payer_currency: None,
        },
    };
    Ok(judge(&PaymentReport::from(&transaction)))
}

/// The report object, its `kind` and names checked.
pub(super) fn refund_props(value: JsValue) -> Result<Props> {
    kind(&value, "refund")?;
    let p = Props::read(value, "report", REFUND, REFUND_OTHERS)?;
    p.text("kind")?;
    Ok(p)
}

/// A notify's `RefundNotice` (`refundStatus`) or an answer's `Refund` (`status`) read from `p`,
/// as the core reports it, handed to `judge`.
pub(super) fn judge_refund<T>(p: &Props, judge: impl FnOnce(&RefundReport<'_>) -> T) -> Result<T> {
    let amount = p.object("amount", "report.amount", &["total", "refund"], REFUND_AMOUNT_OTHERS)?;
    let amount = RefundAmount {
        total: total(amount.as_ref(), "total")?,
        refund: total(amount.as_ref(), "refund")?,
        payer_total: None,
        payer_refund: None,
        settlement_refund: None,
        settlement_total: None,
        discount_refund: None,
        currency: String::new(),
    };
    let out_refund_no = required(p.text("outRefundNo")?, "out_refund_no")?;
    let out_trade_no = required(p.text("outTradeNo")?, "out_trade_no")?;
    let refund_id = required(p.text("refundId")?, "refund_id")?;
    let transaction_id = p.text("transactionId")?.unwrap_or_default();
    match (p.text("refundStatus")?, p.text("status")?) {
        (Some(status), None) => {
            let notice = RefundNotice {
                mchid: String::new(),
                out_trade_no,
                transaction_id,
                out_refund_no,
                refund_id,
                refund_status: RefundStatus::from(status.as_str()),
                success_time: None,
                user_received_account: None,
                amount,
            };
            Ok(judge(&RefundReport::from_v3_notice(&notice)?))
        }
        (None, Some(status)) => {
            let answer = RefundResponse {
                refund_id,
                out_refund_no,
                transaction_id,
                out_trade_no,
                channel: None,
                user_received_account: None,
                success_time: None,
                create_time: None,
                status: RefundStatus::from(status.as_str()),
                funds_account: None,
                amount,
            };
            // The core names the notify's `refund_status`; an answer's field is `status`.
            let report = RefundReport::from_v3_answer(&answer).map_err(|e| match e {
                Error::InvalidField { reason, .. } => Error::InvalidField { name: "status".into(), reason },
                e => e,
            })?;
            Ok(judge(&report))
        }
        (Some(_), Some(_)) => Err(argument("report", "give `refundStatus` (a notify) or `status` (an answer), not both")),
        (None, None) => Err(Error::missing("refund_status").into()),
    }
}

/// `kind`, when given (an `event` of `openNotification` has it): the judgement's own, so that
/// a refund event is never judged as a payment. Read before the other names, which would
/// otherwise be refused one by one.
fn kind(value: &JsValue, wanted: &str) -> Result<()> {
    if !js::is_record(value, "report")? {
        return Ok(()); // `Props::read` refuses it
    }
    for (name, v) in js::own_entries(value, "report")? {
        match v.as_string() {
            Some(k) if name == "kind" && k != wanted => return Err(argument("report", &format!("`kind` is `{k}`: not a {wanted} report"))),
            _ => {}
        }
    }
    Ok(())
}

/// An amount of `amount`, `MISSING_FIELD` as `amount.NAME`.
fn total(amount: Option<&Props>, name: &str) -> Result<Fen> {
    let value = match amount {
        Some(a) => a.fen(name)?,
        None => None,
    };
    value.ok_or_else(|| Error::missing(&format!("amount.{name}")).into())
}

/// What the judgement reads of a `Transaction` (and `kind`, of an `event`).
const PAYMENT: &[&str] = &["kind", "outTradeNo", "transactionId", "tradeState", "payer", "amount"];
/// The other fields of a `Transaction`: passed over.
const PAYMENT_OTHERS: &[&str] = &["appId", "mchId", "tradeType", "tradeStateDesc", "bankType", "attach", "successTime"];
/// What the judgement reads of a `RefundNotice` or a `Refund`.
const REFUND: &[&str] = &["kind", "outRefundNo", "outTradeNo", "refundId", "transactionId", "refundStatus", "status", "amount"];
/// Their other fields: passed over.
const REFUND_OTHERS: &[&str] = &["mchId", "successTime", "userReceivedAccount", "channel", "createTime", "fundsAccount"];
const REFUND_AMOUNT_OTHERS: &[&str] = &["payerTotal", "payerRefund", "settlementRefund", "settlementTotal", "discountRefund", "currency"];

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The sign type a stored order was placed with: v3 has one. */
export type StoredSignType = "RSA";

/** What `judgePayment` reads: a payment notify's `event` (`openNotification`) or a query's `Transaction` (`parseTransactionResponse`). */
export type PaymentReport = Transaction & { kind?: "payment" };

/** What `judgeRefund` reads: a refund notify's `event` (`openNotification`) or a `Refund` (`parseRefundResponse`). `ABNORMAL` is judged as `CHANGE`. */
export type RefundReport = (RefundNotice & { kind?: "refund" }) | Refund;
"#;
