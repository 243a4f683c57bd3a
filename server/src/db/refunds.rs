//! Refunds and their state machine (see `migrations/*/0002_refunds.sql`): every move is a
//! conditional update on the current state inside a transaction with its audit row, so
//! concurrent requests, approvals and notifies (threads or instances) apply it once.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Audit, Bind, Db, Transition};
use crate::error::{Error, Result};

/// Where a refund is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundState {
    /// Asked for by the payer; waits for the merchant.
    Requested,
    /// Approved; the refund call is being made (or will be retried).
    Approved,
    /// WeChat accepted it; the result comes by notify or refundquery.
    Processing,
    /// Refunded.
    Success,
    /// 退款异常: WeChat could not return the money (handle on the merchant platform).
    Change,
    /// Closed by WeChat.
    Closed,
    /// Refused by the merchant.
    Rejected,
}

impl RefundState {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundState::Requested => "REQUESTED",
            RefundState::Approved => "APPROVED",
            RefundState::Processing => "PROCESSING",
            RefundState::Success => "SUCCESS",
            RefundState::Change => "CHANGE",
            RefundState::Closed => "CLOSED",
            RefundState::Rejected => "REJECTED",
        }
    }

    /// Parses a stored or query-string name.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "REQUESTED" => RefundState::Requested,
            "APPROVED" => RefundState::Approved,
            "PROCESSING" => RefundState::Processing,
            "SUCCESS" => RefundState::Success,
            "CHANGE" => RefundState::Change,
            "CLOSED" => RefundState::Closed,
            "REJECTED" => RefundState::Rejected,
            other => return Err(Error::Invalid(format!("unknown refund status {other:?}"))),
        })
    }

    /// WeChat's final states.
    pub fn from_wechat(s: wxpay::RefundStatus) -> Option<Self> {
        match s {
            wxpay::RefundStatus::Success => Some(RefundState::Success),
            wxpay::RefundStatus::Change => Some(RefundState::Change),
            wxpay::RefundStatus::Refundclose => Some(RefundState::Closed),
            wxpay::RefundStatus::Processing => None,
        }
    }
}

/// The states whose amount counts against the order's total.
const HOLDING: &str = "('REQUESTED', 'APPROVED', 'PROCESSING', 'SUCCESS')";

/// A stored refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    /// Our refund number, also WeChat's `out_refund_no`.
    pub out_refund_no: String,
    /// The order.
    pub out_trade_no: String,
    /// The payer who asked.
    pub openid: String,
    /// The order's total (fen).
    pub total_fee: i64,
    /// The amount (fen).
    pub refund_fee: i64,
    /// Why (sent as `refund_desc`).
    pub reason: String,
    /// State.
    pub status: RefundState,
    /// WeChat's refund id once accepted.
    pub refund_id: Option<String>,
    /// What was actually refunded, from the notify.
    pub settlement_refund_fee: Option<i64>,
    /// `yyyy-MM-dd HH:mm:ss` once successful.
    pub success_time: Option<String>,
    /// Where the money went.
    pub recv_account: Option<String>,
    /// The last refund call failure, if any.
    pub last_error: Option<String>,
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
}

const COLUMNS: &str = "out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, refund_id, \
    settlement_refund_fee, success_time, recv_account, last_error, requested_at, approved_at, finished_at, checked_at, updated_at";

fn from_row(r: &AnyRow) -> Result<Refund> {
    Ok(Refund {
        out_refund_no: r.try_get("out_refund_no")?,
        out_trade_no: r.try_get("out_trade_no")?,
        openid: r.try_get("openid")?,
        total_fee: r.try_get("total_fee")?,
        refund_fee: r.try_get("refund_fee")?,
        reason: r.try_get("reason")?,
        status: RefundState::parse(&r.try_get::<String, _>("status")?)
            .map_err(|e| Error::Internal(format!("in the database: {e}")))?,
        refund_id: r.try_get("refund_id")?,
        settlement_refund_fee: r.try_get("settlement_refund_fee")?,
        success_time: r.try_get("success_time")?,
        recv_account: r.try_get("recv_account")?,
        last_error: r.try_get("last_error")?,
        requested_at: r.try_get("requested_at")?,
        approved_at: r.try_get("approved_at")?,
        finished_at: r.try_get("finished_at")?,
        checked_at: r.try_get("checked_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// An order as the admin page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderSummary {
    /// Order number.
    pub out_trade_no: String,
    /// Product.
    pub product_name: String,
    /// Quantity.
    pub quantity: i64,
    /// Total (fen).
    pub total_fee: i64,
    /// State.
    pub status: String,
    /// Sum of successful refunds (fen).
    pub refunded_fee: i64,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Paid (Unix ms).
    pub paid_at: Option<i64>,
}

/// What [`Db::finish_refund`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishOutcome {
    /// This call applied the final state (from APPROVED or PROCESSING).
    Applied {
        /// The state before.
        from: RefundState,
    },
    /// It was already final (in the given state).
    AlreadyFinal(RefundState),
    /// It is in a state no refund result can follow (REQUESTED, REJECTED).
    NotStarted(RefundState),
    /// No such refund.
    NotFound,
}

/// The fields a final refund result brings.
#[derive(Debug, Clone)]
pub struct RefundResult<'a> {
    /// The final state.
    pub status: RefundState,
    /// WeChat's refund id.
    pub refund_id: &'a str,
    /// What was refunded.
    pub settlement_refund_fee: Option<i64>,
    /// When.
    pub success_time: Option<&'a str>,
    /// Where the money went.
    pub recv_account: Option<&'a str>,
}

/// A refund request to store.
#[derive(Debug, Clone, Copy)]
pub struct NewRefund<'a> {
    /// Our new refund number.
    pub out_refund_no: &'a str,
    /// The order.
    pub out_trade_no: &'a str,
    /// The payer asking (must own the order).
    pub openid: &'a str,
    /// The amount, or everything still refundable.
    pub refund_fee: Option<i64>,
    /// Why.
    pub reason: &'a str,
}

/// One conditional state move and what to record with it.
struct Move<'a> {
    from: RefundState,
    to: RefundState,
    /// Extra assignments, binding `$4…` to `binds`.
    set: &'a str,
    binds: &'a [&'a str],
    action: &'a str,
    detail: Option<&'a str>,
}

impl Db {
    /// Creates a REQUESTED refund of the payer's PAID order, for `refund_fee` or (if `None`)
    /// everything still refundable. The order row is locked first (a write), then the amounts
    /// held by the order's other refunds are summed, so two concurrent requests (on any
    /// instance) can never together exceed the total.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such order of this payer), [`Error::Conflict`] (not paid, or
    /// more than is left), [`Error::Invalid`], database errors.
    pub async fn insert_refund(&self, new: &NewRefund<'_>, now: i64, actor: &str) -> Result<Refund> {
        let NewRefund { out_refund_no, out_trade_no, openid, refund_fee, reason } = *new;
        let mut tx = self.begin_write().await?;
        let locked = sqlx::query("UPDATE orders SET updated_at = $1 WHERE out_trade_no = $2 AND openid = $3 AND status = 'PAID'")
            .bind(now)
            .bind(out_trade_no)
            .bind(openid)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if locked != 1 {
            tx.rollback().await?;
            return match self.order(out_trade_no).await? {
                Some(o) if o.openid == openid => Err(Error::Conflict(format!("order is {}, only a PAID order can be refunded", o.status.as_str()))),
                _ => Err(Error::NotFound("order")),
            };
        }
        let total: i64 = sqlx::query("SELECT total_fee FROM orders WHERE out_trade_no = $1")
            .bind(out_trade_no)
            .fetch_one(&mut *tx)
            .await?
            .try_get("total_fee")?;
        let held: i64 = sqlx::query(&format!(
            "SELECT CAST(COALESCE(SUM(refund_fee), 0) AS BIGINT) AS held FROM refunds WHERE out_trade_no = $1 AND status IN {HOLDING}"
        ))
        .bind(out_trade_no)
        .fetch_one(&mut *tx)
        .await?
        .try_get("held")?;
        let left = total - held;
        let fee = refund_fee.unwrap_or(left);
        if left <= 0 {
            return Err(Error::Conflict("nothing left to refund on this order".into()));
        }
        if fee <= 0 {
            return Err(Error::Invalid("refund_fee must be a positive number of fen".into()));
        }
        if fee > left {
            return Err(Error::Conflict(format!("refund_fee {fee} exceeds the refundable amount of {left} fen")));
        }
        sqlx::query(
            "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, requested_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'REQUESTED', $7, $7)",
        )
        .bind(out_refund_no)
        .bind(out_trade_no)
        .bind(openid)
        .bind(total)
        .bind(fee)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).on_unique_violation("refund"))?;
        let detail = format!("order {out_trade_no}: {fee} of {total} fen ({left} were refundable); reason: {reason}");
        Audit {
            at: now,
            actor,
            action: "refund.requested",
            entity: "refund",
            entity_id: out_refund_no,
            from_status: None,
            to_status: Some("REQUESTED"),
            detail: Some(&detail),
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        self.refund(out_refund_no).await?.ok_or(Error::NotFound("refund"))
    }

    /// One conditional move `from → to`, with `set` extra assignments (binding `$4…`), and its
    /// audit row. Returns whether this call made it.
    async fn move_refund(&self, no: &str, m: Move<'_>, now: i64, actor: &str) -> Result<bool> {
        let binds: Vec<Bind<'_>> = m.binds.iter().map(|b| Bind::Text(b)).collect();
        let t = Transition {
            table: "refunds",
            key_column: "out_refund_no",
            entity: "refund",
            key: no,
            from: m.from.as_str(),
            to: m.to.as_str(),
            set: m.set,
            binds: &binds,
            action: m.action,
            detail: m.detail,
        };
        self.transition(t, now, actor).await
    }

    /// REQUESTED → APPROVED. Only one of any number of concurrent callers gets `true`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn approve_refund(&self, no: &str, now: i64, actor: &str) -> Result<bool> {
        let set = ", approved_at = $2, last_error = NULL";
        let m = Move { from: RefundState::Requested, to: RefundState::Approved, set, binds: &[], action: "refund.approved", detail: None };
        self.move_refund(no, m, now, actor).await
    }

    /// REQUESTED → REJECTED.
    ///
    /// # Errors
    /// Database errors.
    pub async fn reject_refund(&self, no: &str, now: i64, actor: &str, why: &str) -> Result<bool> {
        let set = ", finished_at = $2";
        let m = Move { from: RefundState::Requested, to: RefundState::Rejected, set, binds: &[], action: "refund.rejected", detail: Some(why) };
        self.move_refund(no, m, now, actor).await
    }

    /// APPROVED → PROCESSING once WeChat accepted the call.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund_accepted(&self, no: &str, refund_id: &str, now: i64, actor: &str, detail: &str) -> Result<bool> {
        let set = ", refund_id = $4, last_error = NULL";
        let binds = [refund_id];
        let m = Move { from: RefundState::Approved, to: RefundState::Processing, set, binds: &binds, action: "refund.accepted", detail: Some(detail) };
        self.move_refund(no, m, now, actor).await
    }

    /// APPROVED → REQUESTED after WeChat definitively refused the call (it can be approved
    /// again or rejected).
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund_call_failed(&self, no: &str, why: &str, now: i64, actor: &str) -> Result<bool> {
        let set = ", last_error = $4";
        let binds = [why];
        let m = Move { from: RefundState::Approved, to: RefundState::Requested, set, binds: &binds, action: "refund.call_failed", detail: Some(why) };
        self.move_refund(no, m, now, actor).await
    }

    /// Notes a failure whose outcome is unknown (the refund stays APPROVED; the reconciler
    /// re-sends the same request).
    ///
    /// # Errors
    /// Database errors.
    pub async fn note_refund_error(&self, no: &str, why: &str, now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE refunds SET last_error = $1, updated_at = $2 WHERE out_refund_no = $3 AND status = 'APPROVED'")
            .bind(why)
            .bind(now)
            .bind(no)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Applies a final result once (from PROCESSING, or from APPROVED when the notify beats
    /// the call's answer); on SUCCESS adds the amount to `orders.refunded_fee` in the same
    /// transaction.
    ///
    /// # Errors
    /// Database errors.
    pub async fn finish_refund(&self, no: &str, result: &RefundResult<'_>, now: i64, actor: &str, detail: &str) -> Result<FinishOutcome> {
        let action = format!("refund.{}", result.status.as_str().to_ascii_lowercase());
        for from in [RefundState::Processing, RefundState::Approved] {
            let mut tx = self.begin_write().await?;
            let n = sqlx::query(
                "UPDATE refunds SET status = $1, refund_id = $2, settlement_refund_fee = $3, success_time = $4, recv_account = $5, \
                 finished_at = $6, updated_at = $6, last_error = NULL WHERE out_refund_no = $7 AND status = $8",
            )
            .bind(result.status.as_str())
            .bind(result.refund_id)
            .bind(result.settlement_refund_fee)
            .bind(result.success_time)
            .bind(result.recv_account)
            .bind(now)
            .bind(no)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                if result.status == RefundState::Success {
                    sqlx::query(
                        "UPDATE orders SET refunded_fee = refunded_fee + (SELECT refund_fee FROM refunds WHERE out_refund_no = $1), \
                         updated_at = $2 WHERE out_trade_no = (SELECT out_trade_no FROM refunds WHERE out_refund_no = $1)",
                    )
                    .bind(no)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                Audit {
                    at: now,
                    actor,
                    action: &action,
                    entity: "refund",
                    entity_id: no,
                    from_status: Some(from.as_str()),
                    to_status: Some(result.status.as_str()),
                    detail: Some(detail),
                }
                .write(&mut tx)
                .await?;
                tx.commit().await?;
                return Ok(FinishOutcome::Applied { from });
            }
            tx.rollback().await?;
        }
        Ok(match self.refund(no).await? {
            None => FinishOutcome::NotFound,
            Some(r) if matches!(r.status, RefundState::Success | RefundState::Change | RefundState::Closed) => {
                FinishOutcome::AlreadyFinal(r.status)
            }
            Some(r) => FinishOutcome::NotStarted(r.status),
        })
    }

    /// Notes a refundquery that found the refund still processing (no audit).
    ///
    /// # Errors
    /// Database errors.
    pub async fn touch_refund_checked(&self, no: &str, now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE refunds SET checked_at = $1 WHERE out_refund_no = $2").bind(now).bind(no).execute(&mut *tx).await?;
        tx.commit().await
    }

    /// One refund.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund(&self, no: &str) -> Result<Option<Refund>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_refund_no = $1")).bind(no).fetch_optional(self.pool()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// An order's refunds, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refunds_of_order(&self, out_trade_no: &str) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_trade_no = $1 ORDER BY requested_at, out_refund_no"))
            .bind(out_trade_no)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Refunds, newest first (at most 200), optionally of one state.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refunds_list(&self, status: Option<RefundState>) -> Result<Vec<Refund>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE status = $1 ORDER BY requested_at DESC, out_refund_no LIMIT 200"))
                    .bind(s.as_str())
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query(&format!("SELECT {COLUMNS} FROM refunds ORDER BY requested_at DESC, out_refund_no LIMIT 200"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Refunds in `status` not changed since `updated_before`, oldest first, for the reconciler.
    ///
    /// # Errors
    /// Database errors.
    pub async fn stale_refunds(&self, status: RefundState, updated_before: i64, limit: i64) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refunds WHERE status = $1 AND updated_at < $2 AND COALESCE(checked_at, 0) < $2 ORDER BY updated_at LIMIT $3"
        ))
        .bind(status.as_str())
        .bind(updated_before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The newest orders (at most 100), for the admin page.
    ///
    /// # Errors
    /// Database errors.
    pub async fn recent_orders(&self) -> Result<Vec<OrderSummary>> {
        let rows = sqlx::query(
            "SELECT out_trade_no, product_name, quantity, total_fee, status, refunded_fee, created_at, paid_at FROM orders \
             ORDER BY created_at DESC, out_trade_no DESC LIMIT 100",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderSummary {
                    out_trade_no: r.try_get("out_trade_no")?,
                    product_name: r.try_get("product_name")?,
                    quantity: r.try_get("quantity")?,
                    total_fee: r.try_get("total_fee")?,
                    status: r.try_get("status")?,
                    refunded_fee: r.try_get("refunded_fee")?,
                    created_at: r.try_get("created_at")?,
                    paid_at: r.try_get("paid_at")?,
                })
            })
            .collect()
    }
}
