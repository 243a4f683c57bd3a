//! A refund as stored: the row every read and every move of `refunds.rs` answers with.

use sqlx::any::AnyRow;
use sqlx::Row;
use wxpay::Fen;

use super::money;
use super::refund_states::RefundState;
use super::search::{handled_from_row, Handled};
use super::transition::{undecodable, Stateful};
use super::SURFACE_AFTER_FAILURES;
use crate::error::{Error, Result};

/// A stored refund (the back office and the payer see views of it, never the row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Our refund number, also WeChat's `out_refund_no`.
    pub out_refund_no: String,
    /// The order.
    pub out_trade_no: String,
    /// The payer who asked.
    pub openid: String,
    /// The order's total.
    pub total_fee: Fen,
    /// The amount.
    pub refund_fee: Fen,
    /// Why (sent as `refund_desc`).
    pub reason: String,
    /// State.
    pub status: RefundState,
    /// WeChat's refund id once accepted.
    pub refund_id: Option<String>,
    /// What was actually refunded, from the notify.
    pub settlement_refund_fee: Option<Fen>,
    /// `yyyy-MM-dd HH:mm:ss` once successful.
    pub success_time: Option<String>,
    /// Where the money went.
    pub recv_account: Option<String>,
    /// The last refund call failure, if any.
    pub last_error: Option<String>,
    /// Why the merchant rejected it, shown to the payer (REJECTED only, and only if given).
    pub reject_reason: Option<String>,
    /// Asked (Unix ms).
    pub requested_at: i64,
    /// Approved (Unix ms).
    pub approved_at: Option<i64>,
    /// Final (Unix ms).
    pub finished_at: Option<i64>,
    /// Last refundquery (Unix ms).
    pub checked_at: Option<i64>,
    /// Last change (Unix ms).
    pub updated_at: i64,
    /// When a refund request may first have reached WeChat (Unix ms); `None`: never sent.
    pub sent_at: Option<i64>,
    /// Who holds the claim to call WeChat about it, if anyone (`claims.rs`).
    pub send_owner: Option<String>,
    /// Until when that claim holds (Unix ms).
    pub send_until: Option<i64>,
    /// Consecutive failed visits (refund call or refundquery).
    pub failures: i64,
    /// Not visited again before (Unix ms).
    pub next_check_at: Option<i64>,
    /// A person marked it handled offline (a CHANGE refund they dealt with on the merchant
    /// platform): off the exceptions queue, its state and amount unchanged.
    pub handled: Option<Handled>,
    /// A person should look at it: CHANGE (退款异常) not yet handled offline, or failing for a
    /// while.
    pub needs_action: bool,
    /// Not started here: WeChat reported it (made by hand on 商户平台), and it was recorded as
    /// reported.
    pub outside: bool,
    /// The API it speaks: its order's.
    pub api: crate::api::ApiVersion,
}

pub(crate) const COLUMNS: &str = "out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, refund_id, \
    settlement_refund_fee, success_time, recv_account, last_error, requested_at, approved_at, finished_at, checked_at, updated_at, \
    sent_at, send_owner, send_until, failures, next_check_at, reject_reason, handled_at, handled_by, handled_note, outside, api_version";

pub(crate) fn from_row(r: &AnyRow) -> Result<Refund> {
    Ok(Refund {
        out_refund_no: r.try_get("out_refund_no")?,
        out_trade_no: r.try_get("out_trade_no")?,
        openid: r.try_get("openid")?,
        total_fee: money::fen(r, "total_fee")?,
        refund_fee: money::fen(r, "refund_fee")?,
        reason: r.try_get("reason")?,
        status: RefundState::parse(&r.try_get::<String, _>("status")?).map_err(|e| Error::Internal(format!("in the database: {e}")))?,
        refund_id: r.try_get("refund_id")?,
        settlement_refund_fee: money::fen_opt(r, "settlement_refund_fee")?,
        success_time: r.try_get("success_time")?,
        recv_account: r.try_get("recv_account")?,
        last_error: r.try_get("last_error")?,
        reject_reason: r.try_get("reject_reason")?,
        requested_at: r.try_get("requested_at")?,
        approved_at: r.try_get("approved_at")?,
        finished_at: r.try_get("finished_at")?,
        checked_at: r.try_get("checked_at")?,
        updated_at: r.try_get("updated_at")?,
        sent_at: r.try_get("sent_at")?,
        send_owner: r.try_get("send_owner")?,
        send_until: r.try_get("send_until")?,
        failures: r.try_get("failures")?,
        next_check_at: r.try_get("next_check_at")?,
        handled: handled_from_row(r)?,
        needs_action: false,
        outside: r.try_get::<i64, _>("outside")? != 0,
        api: crate::api::ApiVersion::parse(&r.try_get::<String, _>("api_version")?)
            .map_err(|e| Error::Internal(format!("in the database: {e}")))?,
    })
    .map(|mut x: Refund| {
        x.needs_action =
            (x.status == RefundState::Change && x.handled.is_none()) || (!x.status.is_final() && x.failures >= SURFACE_AFTER_FAILURES);
        x
    })
}

impl<'r> sqlx::FromRow<'r, AnyRow> for Refund {
    fn from_row(r: &'r AnyRow) -> std::result::Result<Self, sqlx::Error> {
        from_row(r).map_err(undecodable)
    }
}

impl Stateful for Refund {
    const TABLE: &'static str = "refunds";
    const KEY: &'static str = "out_refund_no";
    const ENTITY: &'static str = "refund";
    const COLUMNS: &'static str = COLUMNS;
}
