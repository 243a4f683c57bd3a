//! Whether a verified report from WeChat — a payment or refund notify, an orderquery or
//! refundquery answer — belongs to the order or refund we stored, and what to do with it.
//!
//! Verification ([`Merchant::verify_payment_notify`](crate::Merchant::verify_payment_notify),
//! [`Merchant::decrypt_refund_notify`](crate::Merchant::decrypt_refund_notify),
//! [`Merchant::parse_response`](crate::Merchant::parse_response)) says a message is WeChat's;
//! this module says whether it is *about our record*: the same order, amount, payer, sign type,
//! transaction and refund, and whether the state it reports is news, a duplicate, late, or a
//! contradiction. It is pure: the caller reads its record, asks [`judge_payment`] or
//! [`judge_refund`], applies the verdict with one conditional write, and answers WeChat with
//! the verdict's [`Reply`].
//!
//! ```
//! use wxpay::acceptance::{judge_payment, PaymentReport, PaymentVerdict, Reply, StoredOrder, StoredOrderState};
//! use wxpay::{Fen, SignType};
//!
//! let order = StoredOrder {
//!     out_trade_no: "20261123000001",
//!     total_fee: Fen::new(1200),
//!     openid: Some("oUpF8uMEb4qRXf22hE3X68TekukE"),
//!     sign_type: Some(SignType::HmacSha256),
//!     state: StoredOrderState::Unpaid,
//! };
//! // What `PaymentReport::from(&notify)` makes of a verified notify:
//! let report = PaymentReport {
//!     out_trade_no: "20261123000001",
//!     paid: true,
//!     transaction_id: Some("4200000215201811190261405420"),
//!     total_fee: Some(Fen::new(1200)),
//!     openid: Some("oUpF8uMEb4qRXf22hE3X68TekukE"),
//!     sign_type: Some(SignType::HmacSha256),
//! };
//! let verdict = judge_payment(Some(&order), &report);
//! assert_eq!(verdict, PaymentVerdict::Record { after_close: false });
//! assert_eq!(verdict.reply(), Reply::Success); // once the order is stored PAID
//!
//! // Signed with MD5 although the order pinned HMAC-SHA256: refused, and the reply says no more.
//! let md5 = PaymentReport { sign_type: Some(SignType::Md5), ..report };
//! let verdict = judge_payment(Some(&order), &md5);
//! assert_eq!(verdict.mismatch().map(|m| m.code()), Some("SIGN_TYPE_MISMATCH"));
//! assert_eq!(verdict.reply().body(), wxpay::notify::REPLY_FAIL);
//! ```

use core::fmt;
use core::str::FromStr;

use crate::error::{quoted, Error, Result};
use crate::{
    notify, Fen, OrderQueryResponse, PaymentNotify, RefundItem, RefundNotify, RefundNotifyStatus, RefundQueryResponse, RefundStatus,
    SignType,
};

// ---- payments ------------------------------------------------------------------------------

/// Where a stored order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredOrderState<'a> {
    /// Not paid yet (`NOTPAY`).
    Unpaid,
    /// Closed by us (`CLOSED`): expired, or its unifiedorder was refused.
    Closed,
    /// Paid (`PAID`) by this transaction.
    Paid {
        /// WeChat's transaction id we recorded.
        transaction_id: &'a str,
    },
}

/// The fields of a stored order that a report is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredOrder<'a> {
    /// The merchant's order number.
    pub out_trade_no: &'a str,
    /// The amount the payer was asked for.
    pub total_fee: Fen,
    /// The payer, when known: a report must then name the same one.
    pub openid: Option<&'a str>,
    /// The sign type the order was placed with, pinned: a notify signed with the other one is
    /// refused (the core verifies either, by the signature's length). `None`: not pinned.
    pub sign_type: Option<SignType>,
    /// Where it is.
    pub state: StoredOrderState<'a>,
}

/// What WeChat reports about a payment, from a verified notify or an orderquery answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentReport<'a> {
    /// The merchant's order number.
    pub out_trade_no: &'a str,
    /// Whether it says the order is paid: a notify's `result_code` is `SUCCESS`, or an
    /// orderquery's `trade_state` is `SUCCESS` or `REFUND` ([`TradeState::is_paid`](crate::TradeState::is_paid)).
    pub paid: bool,
    /// WeChat's transaction id (`None` when absent or empty).
    pub transaction_id: Option<&'a str>,
    /// The amount paid.
    pub total_fee: Option<Fen>,
    /// The payer.
    pub openid: Option<&'a str>,
    /// The algorithm a notify was signed with; `None` for a query answer (it is signed with
    /// the merchant's own request sign type, which says nothing about the order).
    pub sign_type: Option<SignType>,
}

impl<'a> From<&'a PaymentNotify> for PaymentReport<'a> {
    fn from(n: &'a PaymentNotify) -> Self {
        PaymentReport {
            out_trade_no: &n.out_trade_no,
            paid: n.is_success(),
            transaction_id: non_empty(&n.transaction_id),
            total_fee: Some(n.total_fee),
            openid: Some(&n.openid),
            sign_type: Some(n.sign_type),
        }
    }
}

impl<'a> From<&'a OrderQueryResponse> for PaymentReport<'a> {
    fn from(a: &'a OrderQueryResponse) -> Self {
        PaymentReport {
            out_trade_no: &a.out_trade_no,
            paid: a.trade_state.is_paid(),
            transaction_id: a.transaction_id.as_deref().and_then(non_empty),
            total_fee: a.total_fee,
            openid: a.openid.as_deref(),
            sign_type: None,
        }
    }
}

#[cfg(feature = "v3-rules")]
impl<'a> From<&'a crate::v3::Transaction> for PaymentReport<'a> {
    /// An API v3 payment notify's resource (`TRANSACTION.SUCCESS`) or a v3 query answer. v3 has
    /// one signature algorithm, so no sign type is reported.
    fn from(t: &'a crate::v3::Transaction) -> Self {
        use crate::v3::TradeState as T;
        PaymentReport {
            out_trade_no: &t.out_trade_no,
            paid: matches!(t.trade_state, T::Success | T::Refund),
            transaction_id: t.transaction_id.as_deref().and_then(non_empty),
            total_fee: Some(t.amount.total),
            openid: t.payer.as_ref().map(|p| p.openid.as_str()),
            sign_type: None,
        }
    }
}

/// What to do with a payment report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentVerdict {
    /// Record the payment: the order moves to PAID with the report's transaction id, in one
    /// conditional write from the state judged (NOTPAY, or CLOSED with `after_close`).
    Record {
        /// The order was closed: it is recorded all the same (the money was paid; refusing
        /// would only bring a day of retries) and flagged for a person to refund or fulfil.
        after_close: bool,
    },
    /// The order is already PAID by this transaction: a duplicate.
    AlreadyRecorded,
    /// The report says the order is not paid (a failed payment, an unpaid order): nothing
    /// changes.
    NothingToRecord,
    /// The report does not belong to the order: nothing changes.
    Refuse(Mismatch),
}

impl PaymentVerdict {
    /// The reply to WeChat, for a notify:
    ///
    /// - [`Record`](Self::Record): [`Reply::Success`] only once the write has committed. If it
    ///   fails, answer [`Reply::Fail`] (WeChat resends); if the conditional write finds the order
    ///   moved on meanwhile, read it again and judge again.
    /// - [`AlreadyRecorded`](Self::AlreadyRecorded), [`NothingToRecord`](Self::NothingToRecord):
    ///   [`Reply::Success`], so that WeChat stops resending.
    /// - [`Refuse`](Self::Refuse): [`Reply::Fail`], and nothing changes. The reply never says
    ///   which check failed: [`Mismatch`] is for the log.
    pub const fn reply(&self) -> Reply {
        match self {
            PaymentVerdict::Refuse(_) => Reply::Fail,
            _ => Reply::Success,
        }
    }

    /// The mismatch of a [`Refuse`](Self::Refuse).
    pub const fn mismatch(&self) -> Option<Mismatch> {
        match self {
            PaymentVerdict::Refuse(m) => Some(*m),
            _ => None,
        }
    }

    /// The verdict's name: `RECORD`, `ALREADY_RECORDED`, `NOTHING_TO_RECORD` or `REFUSE`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            PaymentVerdict::Record { .. } => "RECORD",
            PaymentVerdict::AlreadyRecorded => "ALREADY_RECORDED",
            PaymentVerdict::NothingToRecord => "NOTHING_TO_RECORD",
            PaymentVerdict::Refuse(_) => "REFUSE",
        }
    }
}

/// Judges a payment report against the stored order (`None`: no order has the report's
/// `out_trade_no`). The checks, in this order:
///
/// 1. the order exists and is the report's (`out_trade_no`), else [`Mismatch::UnknownOrder`]
///    or [`Mismatch::OutTradeNo`] — but a report of no payment about an unknown order is
///    [`PaymentVerdict::NothingToRecord`];
/// 2. not paid → [`PaymentVerdict::NothingToRecord`];
/// 3. the sign type, when the order pins one and the report has one: the same
///    ([`Mismatch::SignType`]);
/// 4. the amount: present and the order's ([`Mismatch::TotalFee`]);
/// 5. the payer, when the order knows it: present and the same ([`Mismatch::Payer`]);
/// 6. a transaction id, present and non-empty ([`Mismatch::TransactionIdMissing`]);
/// 7. then by the order's state: PAID by the same transaction → [`PaymentVerdict::AlreadyRecorded`],
///    by another → [`Mismatch::OtherTransaction`]; NOTPAY → record; CLOSED → record,
///    `after_close` (never refused: the money was paid).
pub fn judge_payment(stored: Option<&StoredOrder<'_>>, report: &PaymentReport<'_>) -> PaymentVerdict {
    use PaymentVerdict::{AlreadyRecorded, NothingToRecord, Record, Refuse};
    let Some(order) = stored else {
        return if report.paid { Refuse(Mismatch::UnknownOrder) } else { NothingToRecord };
    };
    if order.out_trade_no != report.out_trade_no {
        return Refuse(Mismatch::OutTradeNo);
    }
    if !report.paid {
        return NothingToRecord;
    }
    if let (Some(pinned), Some(signed)) = (order.sign_type, report.sign_type) {
        if pinned != signed {
            return Refuse(Mismatch::SignType { order: pinned, report: signed });
        }
    }
    if report.total_fee != Some(order.total_fee) {
        return Refuse(Mismatch::TotalFee { stored: order.total_fee, reported: report.total_fee });
    }
    if let Some(payer) = order.openid {
        if report.openid != Some(payer) {
            return Refuse(Mismatch::Payer);
        }
    }
    let Some(transaction_id) = report.transaction_id.and_then(non_empty) else {
        return Refuse(Mismatch::TransactionIdMissing);
    };
    match order.state {
        StoredOrderState::Paid { transaction_id: ours } if ours == transaction_id => AlreadyRecorded,
        StoredOrderState::Paid { .. } => Refuse(Mismatch::OtherTransaction),
        StoredOrderState::Unpaid => Record { after_close: false },
        StoredOrderState::Closed => Record { after_close: true },
    }
}

// ---- refunds -------------------------------------------------------------------------------

/// Where a stored refund is (wxpay-server's refund state machine, `server/src/db/refunds.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredRefundState {
    /// Never sent to WeChat: `REQUESTED` (waits for the merchant) or `REJECTED`.
    NotSent,
    /// `APPROVED`: the refund call is made or being retried; WeChat may have it.
    Approved,
    /// `PROCESSING`: WeChat accepted it.
    Processing,
    /// `CHANGE` (退款异常): WeChat could not return the money. Not final: a person acts on
    /// the merchant platform, and a later SUCCESS or CLOSED is applied.
    Change,
    /// `SUCCESS`: refunded. Final.
    Success,
    /// `CLOSED` (WeChat's `REFUNDCLOSE`). Final.
    Closed,
}

impl StoredRefundState {
    /// The stored name (`APPROVED`, …); [`NotSent`](Self::NotSent) is `REQUESTED` or
    /// `REJECTED`, and says `REQUESTED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StoredRefundState::NotSent => "REQUESTED",
            StoredRefundState::Approved => "APPROVED",
            StoredRefundState::Processing => "PROCESSING",
            StoredRefundState::Change => "CHANGE",
            StoredRefundState::Success => "SUCCESS",
            StoredRefundState::Closed => "CLOSED",
        }
    }
}

impl FromStr for StoredRefundState {
    type Err = Error;
    /// A stored name: `REQUESTED`, `REJECTED`, `APPROVED`, `PROCESSING`, `CHANGE`, `SUCCESS` or
    /// `CLOSED`.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "REQUESTED" | "REJECTED" => StoredRefundState::NotSent,
            "APPROVED" => StoredRefundState::Approved,
            "PROCESSING" => StoredRefundState::Processing,
            "CHANGE" => StoredRefundState::Change,
            "SUCCESS" => StoredRefundState::Success,
            "CLOSED" => StoredRefundState::Closed,
            other => return Err(Error::invalid("status", format!("unknown refund status {}", quoted(other)))),
        })
    }
}

/// The fields of a stored refund that a report is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRefund<'a> {
    /// Our refund number.
    pub out_refund_no: &'a str,
    /// The refunded order.
    pub out_trade_no: &'a str,
    /// The amount refunded.
    pub refund_fee: Fen,
    /// The order's total.
    pub total_fee: Fen,
    /// WeChat's refund id, once it gave one.
    pub refund_id: Option<&'a str>,
    /// The order's transaction id, once paid.
    pub transaction_id: Option<&'a str>,
    /// Where it is.
    pub state: StoredRefundState,
}

/// The state a refund report gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundReportStatus {
    /// `PROCESSING` (refundquery only: a notify comes at the end).
    Processing,
    /// `SUCCESS`.
    Success,
    /// `CHANGE` (退款异常).
    Change,
    /// `REFUNDCLOSE`.
    Closed,
}

impl RefundReportStatus {
    /// The state's stored name: `PROCESSING`, `SUCCESS`, `CHANGE`, or `CLOSED` for WeChat's
    /// `REFUNDCLOSE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundReportStatus::Processing => "PROCESSING",
            RefundReportStatus::Success => "SUCCESS",
            RefundReportStatus::Change => "CHANGE",
            RefundReportStatus::Closed => "CLOSED",
        }
    }
}

impl From<RefundNotifyStatus> for RefundReportStatus {
    fn from(s: RefundNotifyStatus) -> Self {
        match s {
            RefundNotifyStatus::Success => RefundReportStatus::Success,
            RefundNotifyStatus::Change => RefundReportStatus::Change,
            RefundNotifyStatus::Refundclose => RefundReportStatus::Closed,
        }
    }
}

impl From<RefundStatus> for RefundReportStatus {
    fn from(s: RefundStatus) -> Self {
        match s {
            RefundStatus::Processing => RefundReportStatus::Processing,
            RefundStatus::Success => RefundReportStatus::Success,
            RefundStatus::Change => RefundReportStatus::Change,
            RefundStatus::Refundclose => RefundReportStatus::Closed,
        }
    }
}

/// What WeChat reports about a refund, from a decrypted notify or a refundquery answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundReport<'a> {
    /// The merchant's refund number.
    pub out_refund_no: &'a str,
    /// The refunded order.
    pub out_trade_no: &'a str,
    /// WeChat's refund id.
    pub refund_id: &'a str,
    /// The payment's transaction id (`None` when absent or empty).
    pub transaction_id: Option<&'a str>,
    /// The amount refunded (as applied for).
    pub refund_fee: Fen,
    /// The payment's total, when reported.
    pub total_fee: Option<Fen>,
    /// Where the refund is.
    pub status: RefundReportStatus,
}

impl<'a> From<&'a RefundNotify> for RefundReport<'a> {
    fn from(n: &'a RefundNotify) -> Self {
        RefundReport {
            out_refund_no: &n.out_refund_no,
            out_trade_no: &n.out_trade_no,
            refund_id: &n.refund_id,
            transaction_id: non_empty(&n.transaction_id),
            refund_fee: n.refund_fee,
            total_fee: Some(n.total_fee),
            status: n.refund_status.into(),
        }
    }
}

impl<'a> RefundReport<'a> {
    /// The report of one refund of a refundquery answer (`item`, one of `answer.refunds`, e.g.
    /// [`RefundQueryResponse::find`]).
    pub fn from_query(answer: &'a RefundQueryResponse, item: &'a RefundItem) -> Self {
        RefundReport {
            out_refund_no: &item.out_refund_no,
            out_trade_no: &answer.out_trade_no,
            refund_id: &item.refund_id,
            transaction_id: non_empty(&answer.transaction_id),
            refund_fee: item.refund_fee,
            total_fee: Some(answer.total_fee),
            status: item.refund_status.into(),
        }
    }
}

#[cfg(feature = "v3-rules")]
impl RefundReportStatus {
    /// An API v3 refund status: `ABNORMAL` is v2's `CHANGE` (退款异常, a person must act). A
    /// status this crate does not know is an error, never read as a known one.
    ///
    /// # Errors
    /// [`Error::InvalidField`] (`refund_status`) for [`RefundStatus::Other`](crate::v3::RefundStatus::Other).
    pub fn from_v3(s: &crate::v3::RefundStatus) -> Result<Self> {
        use crate::v3::RefundStatus as V3;
        Ok(match s {
            V3::Processing => RefundReportStatus::Processing,
            V3::Success => RefundReportStatus::Success,
            V3::Abnormal => RefundReportStatus::Change,
            V3::Closed => RefundReportStatus::Closed,
            V3::Other(other) => return Err(Error::invalid("refund_status", format!("unknown status {}", quoted(other)))),
        })
    }
}

#[cfg(feature = "v3-rules")]
impl<'a> RefundReport<'a> {
    /// The report of an API v3 refund notify's resource (`REFUND.SUCCESS`, `REFUND.ABNORMAL`,
    /// `REFUND.CLOSED`).
    ///
    /// # Errors
    /// As [`RefundReportStatus::from_v3`].
    pub fn from_v3_notice(n: &'a crate::v3::RefundNotice) -> Result<Self> {
        Ok(RefundReport {
            out_refund_no: &n.out_refund_no,
            out_trade_no: &n.out_trade_no,
            refund_id: &n.refund_id,
            transaction_id: non_empty(&n.transaction_id),
            refund_fee: n.amount.refund,
            total_fee: Some(n.amount.total),
            status: RefundReportStatus::from_v3(&n.refund_status)?,
        })
    }

    /// The report of an API v3 refund answer (create or query).
    ///
    /// # Errors
    /// As [`RefundReportStatus::from_v3`].
    pub fn from_v3_answer(r: &'a crate::v3::RefundResponse) -> Result<Self> {
        Ok(RefundReport {
            out_refund_no: &r.out_refund_no,
            out_trade_no: &r.out_trade_no,
            refund_id: &r.refund_id,
            transaction_id: non_empty(&r.transaction_id),
            refund_fee: r.amount.refund,
            total_fee: Some(r.amount.total),
            status: RefundReportStatus::from_v3(&r.status)?,
        })
    }
}

/// What to do with a refund report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundVerdict {
    /// Move the refund to this state, with the report's refund id, in one conditional write
    /// from the state judged.
    Record(RefundReportStatus),
    /// The refund is already in the reported state: a duplicate.
    AlreadyRecorded,
    /// The report is older than what is stored (a CHANGE or PROCESSING after the refund went on
    /// to its end, a PROCESSING after a CHANGE): nothing changes.
    Stale,
    /// No refund of ours has this `out_refund_no`: an authentic refund we did not start (made
    /// by hand on the merchant platform, 商户平台). Record it where a person will see it;
    /// never refuse it, or WeChat resends it for a day for money that has moved.
    RecordUnknown,
    /// The report does not belong to the refund, or contradicts it: nothing changes.
    Refuse(Mismatch),
}

impl RefundVerdict {
    /// The reply to WeChat, for a notify:
    ///
    /// - [`Record`](Self::Record), [`RecordUnknown`](Self::RecordUnknown): [`Reply::Success`]
    ///   only once the write has committed. If it fails, answer [`Reply::Fail`] (WeChat
    ///   resends); if the conditional write finds the refund moved on (or recorded) meanwhile,
    ///   read it again and judge again.
    /// - [`AlreadyRecorded`](Self::AlreadyRecorded), [`Stale`](Self::Stale): [`Reply::Success`].
    /// - [`Refuse`](Self::Refuse): [`Reply::Fail`], and nothing changes; the reply never says
    ///   which check failed.
    pub const fn reply(&self) -> Reply {
        match self {
            RefundVerdict::Refuse(_) => Reply::Fail,
            _ => Reply::Success,
        }
    }

    /// The mismatch of a [`Refuse`](Self::Refuse).
    pub const fn mismatch(&self) -> Option<Mismatch> {
        match self {
            RefundVerdict::Refuse(m) => Some(*m),
            _ => None,
        }
    }

    /// The verdict's name: `RECORD`, `ALREADY_RECORDED`, `STALE`, `RECORD_UNKNOWN` or `REFUSE`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            RefundVerdict::Record(_) => "RECORD",
            RefundVerdict::AlreadyRecorded => "ALREADY_RECORDED",
            RefundVerdict::Stale => "STALE",
            RefundVerdict::RecordUnknown => "RECORD_UNKNOWN",
            RefundVerdict::Refuse(_) => "REFUSE",
        }
    }
}

/// Judges a refund report against the stored refund (`None`: no refund has the report's
/// `out_refund_no` → [`RefundVerdict::RecordUnknown`]).
///
/// The fields first, any difference refused: `out_refund_no`, `out_trade_no`, `refund_fee`,
/// `total_fee` (when reported), `refund_id` and `transaction_id` (when both sides know them).
/// Then the move, along the refund state machine (`EDGES` in `server/src/db/refunds.rs`):
///
/// | stored \ reported | PROCESSING | SUCCESS | CHANGE | CLOSED |
/// | --- | --- | --- | --- | --- |
/// | REQUESTED, REJECTED | refuse: [`Mismatch::NotSent`] | refuse | refuse | refuse |
/// | APPROVED | record | record | record | record |
/// | PROCESSING | already recorded | record | record | record |
/// | CHANGE | stale | record | already recorded | record |
/// | SUCCESS | stale | already recorded | stale | refuse: [`Mismatch::Conflict`] |
/// | CLOSED | stale | refuse: [`Mismatch::Conflict`] | stale | already recorded |
///
/// CHANGE (退款异常) is not final: a person fixes it on the merchant platform and WeChat
/// reports SUCCESS or CLOSED later.
pub fn judge_refund(stored: Option<&StoredRefund<'_>>, report: &RefundReport<'_>) -> RefundVerdict {
    use RefundReportStatus as R;
    use RefundVerdict::{AlreadyRecorded, Record, Refuse, Stale};
    use StoredRefundState as S;
    let Some(refund) = stored else {
        return RefundVerdict::RecordUnknown;
    };
    if refund.out_refund_no != report.out_refund_no {
        return Refuse(Mismatch::OutRefundNo);
    }
    if refund.out_trade_no != report.out_trade_no {
        return Refuse(Mismatch::OutTradeNo);
    }
    if refund.refund_fee != report.refund_fee {
        return Refuse(Mismatch::RefundFee { stored: refund.refund_fee, reported: report.refund_fee });
    }
    if report.total_fee.is_some_and(|t| t != refund.total_fee) {
        return Refuse(Mismatch::TotalFee { stored: refund.total_fee, reported: report.total_fee });
    }
    if differ(refund.refund_id, Some(report.refund_id)) {
        return Refuse(Mismatch::RefundId);
    }
    if differ(refund.transaction_id, report.transaction_id) {
        return Refuse(Mismatch::TransactionId);
    }
    match (refund.state, report.status) {
        (S::NotSent, _) => Refuse(Mismatch::NotSent),
        (S::Approved, reported) => Record(reported),
        (S::Processing, R::Processing) | (S::Change, R::Change) | (S::Success, R::Success) | (S::Closed, R::Closed) => AlreadyRecorded,
        (S::Processing | S::Change, reported @ (R::Success | R::Change | R::Closed)) => Record(reported),
        (S::Change, R::Processing) | (S::Success | S::Closed, R::Processing | R::Change) => Stale,
        (stored @ (S::Success | S::Closed), reported @ (R::Success | R::Closed)) => Refuse(Mismatch::Conflict { stored, reported }),
    }
}

// ---- both ----------------------------------------------------------------------------------

/// Why a report was refused. [`Mismatch::code`] is stable, for logs, metrics and tests; the
/// `Display` text is for the log. Neither goes into the reply to WeChat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// A payment for an order we do not have.
    UnknownOrder,
    /// Another order's report (`out_trade_no`).
    OutTradeNo,
    /// Signed with the other algorithm than the order was placed with.
    SignType {
        /// The order's.
        order: SignType,
        /// The notify's.
        report: SignType,
    },
    /// The order's total (`total_fee`) is absent or another amount.
    TotalFee {
        /// Ours.
        stored: Fen,
        /// WeChat's, if any.
        reported: Option<Fen>,
    },
    /// The payer (`openid`) is absent or another one.
    Payer,
    /// A paid report without a transaction id.
    TransactionIdMissing,
    /// The order is already paid by another transaction.
    OtherTransaction,
    /// Another refund's report (`out_refund_no`).
    OutRefundNo,
    /// Another refund amount (`refund_fee`).
    RefundFee {
        /// Ours.
        stored: Fen,
        /// WeChat's.
        reported: Fen,
    },
    /// Another refund id than WeChat gave us (`refund_id`).
    RefundId,
    /// Another payment than the order's (`transaction_id`).
    TransactionId,
    /// The refund was never sent to WeChat (REQUESTED or REJECTED).
    NotSent,
    /// The refund ended otherwise: SUCCESS reported for a CLOSED one, or CLOSED for a SUCCESS.
    Conflict {
        /// What we stored.
        stored: StoredRefundState,
        /// What the report says.
        reported: RefundReportStatus,
    },
}

impl Mismatch {
    /// A stable, SCREAMING_SNAKE_CASE code.
    pub const fn code(&self) -> &'static str {
        match self {
            Mismatch::UnknownOrder => "ORDER_NOT_FOUND",
            Mismatch::OutTradeNo => "OUT_TRADE_NO_MISMATCH",
            Mismatch::SignType { .. } => "SIGN_TYPE_MISMATCH",
            Mismatch::TotalFee { .. } => "TOTAL_FEE_MISMATCH",
            Mismatch::Payer => "PAYER_MISMATCH",
            Mismatch::TransactionIdMissing => "TRANSACTION_ID_MISSING",
            Mismatch::OtherTransaction => "OTHER_TRANSACTION",
            Mismatch::OutRefundNo => "OUT_REFUND_NO_MISMATCH",
            Mismatch::RefundFee { .. } => "REFUND_FEE_MISMATCH",
            Mismatch::RefundId => "REFUND_ID_MISMATCH",
            Mismatch::TransactionId => "TRANSACTION_ID_MISMATCH",
            Mismatch::NotSent => "REFUND_NOT_SENT",
            Mismatch::Conflict { .. } => "RESULT_CONFLICT",
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::UnknownOrder => f.write_str("a payment for an unknown out_trade_no"),
            Mismatch::OutTradeNo => f.write_str("out_trade_no is another order's"),
            Mismatch::SignType { order, report } => write!(f, "signed with {report}, the order was placed with {order}"),
            Mismatch::TotalFee { stored, reported: Some(r) } => write!(f, "total_fee is {r} fen, ours is {stored} fen"),
            Mismatch::TotalFee { stored, reported: None } => write!(f, "no total_fee, ours is {stored} fen"),
            Mismatch::Payer => f.write_str("openid is absent or not the order's payer"),
            Mismatch::TransactionIdMissing => f.write_str("paid without a transaction_id"),
            Mismatch::OtherTransaction => f.write_str("the order is already paid by another transaction"),
            Mismatch::OutRefundNo => f.write_str("out_refund_no is another refund's"),
            Mismatch::RefundFee { stored, reported } => write!(f, "refund_fee is {reported} fen, ours is {stored} fen"),
            Mismatch::RefundId => f.write_str("refund_id is not the one WeChat gave us"),
            Mismatch::TransactionId => f.write_str("transaction_id is not the order's"),
            Mismatch::NotSent => f.write_str("the refund was never sent to WeChat"),
            Mismatch::Conflict { stored, reported } => {
                write!(f, "the refund is {}, the report says {}", stored.as_str(), reported.as_str())
            }
        }
    }
}

/// The reply to a notify that a verdict calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// `SUCCESS`: WeChat stops resending.
    Success,
    /// `FAIL`: WeChat resends later. Always the same terse body ([`notify::REPLY_FAIL`]):
    /// which check failed is for our log, not for whoever sent the message.
    Fail,
}

impl Reply {
    /// `SUCCESS` or `FAIL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reply::Success => "SUCCESS",
            Reply::Fail => "FAIL",
        }
    }

    /// The reply's XML body: [`notify::REPLY_SUCCESS`] or [`notify::REPLY_FAIL`].
    pub const fn body(self) -> &'static str {
        match self {
            Reply::Success => notify::REPLY_SUCCESS,
            Reply::Fail => notify::REPLY_FAIL,
        }
    }
}

/// An empty id is WeChat's way of not giving one (a failed payment's notify).
fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

/// Both sides know the id, and they differ.
fn differ(ours: Option<&str>, theirs: Option<&str>) -> bool {
    match (ours.and_then(non_empty), theirs.and_then(non_empty)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}
