//! Refunds: created, moved along [`EDGES`] (`refund_states.rs`), read. Every move is a
//! conditional update on the current state inside a transaction with its audit row
//! (`transition.rs`), so concurrent requests, approvals, answers and notifies (threads or
//! instances) apply it once.
//!
//! Calling WeChat about a refund (the refund call, refundquery) needs a claim (`claims.rs`).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use wxpay::Fen;

use super::claims;
pub use super::refund_row::Refund;
pub(super) use super::refund_row::{from_row, COLUMNS};
pub(super) use super::refund_states::holding_sql;
use super::refund_states::result_sources;
pub use super::refund_states::{allowed, creatable, Edge, Mover, RefundState, EDGES};
use super::sql::Value;
use super::transition::{apply, decode, Expr, Move, Moved};
use super::{money, Audit, Db};
use crate::error::{Error, Result};

/// What an order's refunds add up to: the one rule behind every refunded total, refundable
/// amount and check (the payer's order, the back office, a new refund's limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefundTotals {
    /// The SUCCESS refunds.
    pub refunded: Fen,
    /// Every refund whose amount counts against the total ([`RefundState::holds_amount`]:
    /// waiting, in flight, CHANGE, refunded).
    pub held: Fen,
    /// What a new refund may still ask for (nothing unless the order is PAID).
    pub refundable: Fen,
}

impl RefundTotals {
    /// Of an order of `total` (`paid`: it is PAID) with `refunds`, all of them its own.
    pub fn of(total: Fen, paid: bool, refunds: &[Refund]) -> Self {
        let sum = |keep: fn(RefundState) -> bool| money::sum(refunds.iter().filter(|r| keep(r.status)).map(|r| r.refund_fee));
        let held = sum(RefundState::holds_amount);
        let refundable = if paid { total.checked_sub(held).unwrap_or(Fen::ZERO) } else { Fen::ZERO };
        RefundTotals { refunded: sum(|s| s == RefundState::Success), held, refundable }
    }
}

/// The reason a refund made outside this system is recorded with.
pub const OUTSIDE_REASON: &str = "商户平台退款 made outside this system";

/// What [`Refunds::finish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishOutcome {
    /// This call applied the result (from the given state).
    Applied {
        /// The state before.
        from: RefundState,
    },
    /// No edge leads from where the refund is to the result: it is already there (a duplicate),
    /// or final, or it was never sent (REQUESTED, REJECTED). The caller decides what that means.
    Unmoved(RefundState),
    /// No such refund.
    NotFound,
}

/// The fields a refund result (notify or refundquery) brings.
#[derive(Debug, Clone)]
pub struct RefundResult<'a> {
    /// The state WeChat reports (SUCCESS, CHANGE, CLOSED; PROCESSING from refundquery).
    pub status: RefundState,
    /// WeChat's refund id.
    pub refund_id: &'a str,
    /// What was refunded.
    pub settlement_refund_fee: Option<Fen>,
    /// When.
    pub success_time: Option<&'a str>,
    /// Where the money went.
    pub recv_account: Option<&'a str>,
}

/// A refund to store.
#[derive(Debug, Clone, Copy)]
pub struct NewRefund<'a> {
    /// Our new refund number.
    pub out_refund_no: &'a str,
    /// The order.
    pub out_trade_no: &'a str,
    /// Who asks, which decides the state it is created in.
    pub by: Requester<'a>,
    /// The amount, or everything still refundable.
    pub refund_fee: Option<Fen>,
    /// Why.
    pub reason: &'a str,
    /// The client's Idempotency-Key: one refund per key and order.
    pub key: Option<&'a str>,
}

/// Who creates a refund (see [`EDGES`]: the creation rows).
#[derive(Debug, Clone, Copy)]
pub enum Requester<'a> {
    /// The payer, who must own the order: created REQUESTED, for the merchant to review.
    Payer {
        /// The payer's openid.
        openid: &'a str,
    },
    /// The merchant, on its own initiative: created APPROVED and claimed for `owner` until
    /// `until`, as an approval is, so the caller sends it at once.
    Merchant {
        /// This instance.
        owner: &'a str,
        /// The claim's lease (Unix ms).
        until: i64,
    },
}

/// The `refunds` table.
#[derive(Clone, Copy)]
pub struct Refunds<'a> {
    pub(super) db: &'a Db,
}

impl Refunds<'_> {
    /// Creates a refund of a PAID order, for `refund_fee` or (if `None`) everything still
    /// refundable: REQUESTED when its payer asks, APPROVED and claimed when the merchant does
    /// (the two creation rows of [`EDGES`]). The order row is locked first (a write), then the
    /// amounts held by the order's other refunds are summed, so two concurrent requests (on any
    /// instance, by the payer or the merchant) can never together exceed the total.
    ///
    /// A payer may have at most `max_pending` requests waiting for the merchant per order. A
    /// merchant refund that asks for more than is left while payers' requests hold part of it
    /// is refused naming them.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such order, or not this payer's), [`Error::Conflict`] (not paid,
    /// more than is left, or the same Idempotency-Key), [`Error::HeldByRequests`],
    /// [`Error::RateLimited`] (too many pending requests), [`Error::Invalid`], database errors.
    pub async fn insert(self, new: &NewRefund<'_>, max_pending: Option<i64>, now: i64, actor: &str) -> Result<Refund> {
        let NewRefund { out_refund_no, out_trade_no, by, refund_fee, reason, key } = *new;
        let (status, mover) = match by {
            Requester::Payer { .. } => (RefundState::Requested, Mover::Payer),
            Requester::Merchant { .. } => (RefundState::Approved, Mover::Merchant),
        };
        if !creatable(status, mover) {
            return Err(Error::Internal(format!("refund {out_refund_no}: {mover:?} cannot create one {}", status.as_str())));
        }
        let payer = match by {
            Requester::Payer { openid } => Some(openid),
            Requester::Merchant { .. } => None,
        };
        let mut tx = self.db.begin_write().await?;
        // The payer may refund only their own order; the merchant any. The lock answers what the
        // refund needs of the order.
        const LOCK: &str =
            "UPDATE orders SET updated_at = $1 WHERE out_trade_no = $2 AND status = 'PAID' RETURNING total_fee, openid, api_version";
        const LOCK_OWN: &str = "UPDATE orders SET updated_at = $1 WHERE out_trade_no = $2 AND status = 'PAID' AND openid = $3 \
             RETURNING total_fee, openid, api_version";
        let locked = match payer {
            Some(openid) => sqlx::query(LOCK_OWN).bind(now).bind(out_trade_no).bind(openid),
            None => sqlx::query(LOCK).bind(now).bind(out_trade_no),
        }
        .fetch_optional(&mut *tx)
        .await?;
        let Some(order) = locked else {
            tx.rollback().await?;
            return match self.db.orders().get(out_trade_no).await? {
                Some(o) if payer.is_none_or(|p| p == o.openid) => {
                    Err(Error::Conflict(format!("order is {}, only a PAID order can be refunded", o.status.as_str())))
                }
                _ => Err(Error::NotFound("order")),
            };
        };
        let (total, openid): (Fen, String) = (money::fen(&order, "total_fee")?, order.try_get("openid")?);
        // A refund speaks its order's API: a v2 order's refund is v2's, whatever is configured now.
        let api_version: String = order.try_get("api_version")?;
        // The order's refunds, read after the lock: what they hold is RefundTotals' rule, the one
        // every view uses. The payer's requests waiting for the merchant are a few at once per
        // order (each holds its amount until the merchant acts), and named when they are what
        // blocks the merchant.
        let siblings: Vec<Refund> =
            sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_trade_no = $1 ORDER BY requested_at, out_refund_no"))
                .bind(out_trade_no)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(from_row)
                .collect::<Result<_>>()?;
        let left = RefundTotals::of(total, true, &siblings).refundable;
        let fee = refund_fee.unwrap_or(left);
        let pending: Vec<String> = siblings.into_iter().filter(|r| r.status == RefundState::Requested).map(|r| r.out_refund_no).collect();
        let blocked_by_requests = matches!(by, Requester::Merchant { .. }) && !pending.is_empty();
        if left == Fen::ZERO {
            if blocked_by_requests {
                return Err(Error::HeldByRequests { left, pending });
            }
            return Err(Error::Conflict("nothing left to refund on this order".into()));
        }
        if fee == Fen::ZERO {
            return Err(Error::Invalid("refund_fee must be a positive number of fen".into()));
        }
        if fee > left {
            if blocked_by_requests {
                return Err(Error::HeldByRequests { left, pending });
            }
            return Err(Error::Conflict(format!("refund_fee {fee} exceeds the refundable amount of {left} fen")));
        }
        // After the amounts: a request that could never fit is told so (409), not to wait.
        if let (Requester::Payer { .. }, Some(max)) = (by, max_pending) {
            if pending.len() as i64 >= max {
                return Err(Error::RateLimited(format!(
                    "{} refund requests of this order are waiting for the merchant (at most {max}); wait for their answer",
                    pending.len()
                )));
            }
        }
        // A merchant refund is created claimed, as an approval claims (`claims.rs`).
        let (owner, until) = match by {
            Requester::Merchant { owner, until } => (Some(owner), Some(until)),
            Requester::Payer { .. } => (None, None),
        };
        let row = sqlx::query(&format!(
            "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, requested_at, updated_at, \
             approved_at, send_owner, send_until, idempotency_key, api_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13) \
             RETURNING {COLUMNS}"
        ))
        .bind(out_refund_no)
        .bind(out_trade_no)
        .bind(&openid)
        .bind(money::bind(total)?)
        .bind(money::bind(fee)?)
        .bind(reason)
        .bind(status.as_str())
        .bind(now)
        .bind(owner.map(|_| now))
        .bind(owner)
        .bind(until)
        .bind(key)
        .bind(&api_version)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::from(e).on_unique_violation("refund"))?;
        let refund = from_row(&row)?;
        let who = match by {
            Requester::Payer { .. } => "",
            Requester::Merchant { .. } => "merchant refund, approved as created; ",
        };
        let detail = format!("{who}order {out_trade_no}: {fee} of {total} fen ({left} were refundable); reason: {reason}");
        Audit {
            at: now,
            actor,
            action: if status == RefundState::Requested { "refund.requested" } else { "refund.approved" },
            entity: "refund",
            entity_id: out_refund_no,
            from_status: None,
            to_status: Some(status.as_str()),
            detail: Some(&detail),
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(refund)
    }

    /// One move `from → to` by `by` (checked against [`EDGES`]) through the transition engine,
    /// setting `set` besides, only while `holder` (if given) holds the claim.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        self,
        no: &str,
        (from, to, by): (RefundState, RefundState, Mover),
        set: Vec<(&'static str, Expr<'_>)>,
        holder: Option<&str>,
        now: i64,
        actor: &str,
        detail: Option<&str>,
    ) -> Result<Moved<Refund>> {
        if !allowed(from, to, by) {
            return Err(Error::Internal(format!("refund {no}: no edge {} → {} for {by:?}", from.as_str(), to.as_str())));
        }
        let m = Move {
            key: no,
            from: from.as_str(),
            to: to.as_str(),
            set,
            holder: holder.map(claims::held_by),
            action: action(from, to),
            detail,
        };
        self.db.transition(&m, now, actor).await
    }

    /// REQUESTED → APPROVED, claiming the refund for `owner` until `until` (the approval sends
    /// it). Only one of any number of concurrent callers gets [`Moved::Applied`].
    ///
    /// # Errors
    /// Database errors.
    pub async fn approve(self, no: &str, owner: &str, until: i64, now: i64, actor: &str) -> Result<Moved<Refund>> {
        let mut set =
            vec![("approved_at", Expr::Now), ("last_error", Expr::Null), ("failures", Expr::Sql("0")), ("next_check_at", Expr::Null)];
        set.extend(claims::take(owner, until));
        let m = (RefundState::Requested, RefundState::Approved, Mover::Merchant);
        self.step(no, m, set, None, now, actor, None).await
    }

    /// REQUESTED → REJECTED, with the merchant's `reason` for the payer if given.
    ///
    /// # Errors
    /// Database errors.
    pub async fn reject(self, no: &str, now: i64, actor: &str, reason: Option<&str>) -> Result<Moved<Refund>> {
        let m = (RefundState::Requested, RefundState::Rejected, Mover::Merchant);
        let detail = reason.unwrap_or("rejected by the merchant (no reason given)");
        let mut set = vec![("finished_at", Expr::Now)];
        if let Some(r) = reason {
            set.push(("reject_reason", Expr::To(Value::Text(r))));
        }
        self.step(no, m, set, None, now, actor, Some(detail)).await
    }

    /// APPROVED → PROCESSING: WeChat accepted the call (or refundquery found it processing).
    /// A move forward on WeChat's word: made whoever holds the claim, and ends it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn accepted(self, no: &str, refund_id: &str, by: Mover, now: i64, actor: &str, detail: &str) -> Result<Moved<Refund>> {
        let mut set = vec![
            ("refund_id", Expr::To(Value::Text(refund_id))),
            ("last_error", Expr::Null),
            ("failures", Expr::Sql("0")),
            ("next_check_at", Expr::Null),
            ("checked_at", Expr::Now),
        ];
        set.extend(claims::end());
        let m = (RefundState::Approved, RefundState::Processing, by);
        self.step(no, m, set, None, now, actor, Some(detail)).await
    }

    /// APPROVED → REQUESTED, while `owner` holds the claim: WeChat refused the call for good, or
    /// the refund was never sent and cannot be (`by` says which). It can be approved again or
    /// rejected.
    ///
    /// # Errors
    /// Database errors.
    pub async fn call_failed(self, no: &str, owner: &str, by: Mover, why: &str, now: i64, actor: &str) -> Result<Moved<Refund>> {
        let mut set = vec![("last_error", Expr::To(Value::Text(why))), ("failures", Expr::Sql("0")), ("next_check_at", Expr::Null)];
        set.extend(claims::end());
        let m = (RefundState::Approved, RefundState::Requested, by);
        self.step(no, m, set, Some(owner), now, actor, Some(why)).await
    }

    /// Applies a result (notify or refundquery) once, along [`EDGES`] from wherever the refund
    /// is; on SUCCESS adds the amount to `orders.refunded_fee` in the same transaction. Ends any
    /// claim. A result no edge leads to from the current state changes nothing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn finish(self, no: &str, result: &RefundResult<'_>, now: i64, actor: &str, detail: &str) -> Result<FinishOutcome> {
        let to = result.status;
        let settled = result.settlement_refund_fee.map(money::bind).transpose()?;
        let mut set = vec![
            ("refund_id", Expr::To(Value::Text(result.refund_id))),
            ("settlement_refund_fee", Expr::OrKeep(Value::MaybeInt(settled))),
            ("success_time", Expr::OrKeep(Value::MaybeText(result.success_time))),
            ("recv_account", Expr::OrKeep(Value::MaybeText(result.recv_account))),
            ("finished_at", Expr::To(Value::MaybeInt(to.is_final().then_some(now)))),
            ("last_error", Expr::Null),
            ("failures", Expr::Sql("0")),
            ("next_check_at", Expr::Null),
            ("checked_at", Expr::Now),
        ];
        set.extend(claims::end());
        let sources: Vec<RefundState> = result_sources(to).collect();
        let Some(&first) = sources.first() else { return Err(Error::Internal(format!("no edge leads to {}", to.as_str()))) };
        let mut tx = self.db.begin_write().await?;
        // Tried from the first source, then from wherever the row turns out to be.
        let mut from = first;
        loop {
            let m = Move {
                key: no,
                from: from.as_str(),
                to: to.as_str(),
                set: set.clone(),
                holder: None,
                action: action(from, to),
                detail: Some(detail),
            };
            match apply::<Refund>(&mut tx, &m, now, actor).await? {
                Moved::Applied(r) => {
                    if to == RefundState::Success {
                        sqlx::query("UPDATE orders SET refunded_fee = refunded_fee + $1, updated_at = $2 WHERE out_trade_no = $3")
                            .bind(money::bind(r.refund_fee)?)
                            .bind(now)
                            .bind(&r.out_trade_no)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    return Ok(FinishOutcome::Applied { from });
                }
                Moved::ByOther { now: r } if r.status != from && sources.contains(&r.status) => from = r.status,
                Moved::ByOther { now: r } => {
                    tx.rollback().await?;
                    return Ok(FinishOutcome::Unmoved(r.status));
                }
                Moved::Missing => {
                    tx.rollback().await?;
                    return Ok(FinishOutcome::NotFound);
                }
            }
        }
    }

    /// One refund.
    ///
    /// # Errors
    /// Database errors.
    pub async fn get(self, no: &str) -> Result<Option<Refund>> {
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_refund_no = $1")).bind(no).fetch_optional(self.db.pool()).await?;
        row.as_ref().map(decode).transpose()
    }

    /// Records a refund WeChat reports that this server never started (made by hand on 商户平台),
    /// as reported: created in the reported state by [`Mover::Result`] (see [`EDGES`]), flagged
    /// `outside`, its order's `refunded_fee` counting it on SUCCESS, with an audit row. Without
    /// the order here, only the audit row (on the refund's number) keeps it. Returns whether a
    /// refund row was made.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the refund was recorded meanwhile (judge it again); database
    /// errors.
    pub async fn record_outside(
        self,
        report: &wxpay::acceptance::RefundReport<'_>,
        result: &RefundResult<'_>,
        now: i64,
        actor: &str,
        detail: &str,
    ) -> Result<bool> {
        let to = result.status;
        if !creatable(to, Mover::Result) {
            return Err(Error::Internal(format!("a reported refund cannot be created {}", to.as_str())));
        }
        let mut tx = self.db.begin_write().await?;
        let order = sqlx::query("SELECT openid, total_fee, api_version FROM orders WHERE out_trade_no = $1")
            .bind(report.out_trade_no)
            .fetch_optional(&mut *tx)
            .await?;
        let recorded = order.is_some();
        if let Some(order) = order {
            insert_outside(&mut tx, report, result, &order, now).await?;
        }
        let action = if recorded { "refund.recorded_outside" } else { "refund.outside_unknown_order" };
        Audit {
            at: now,
            actor,
            action,
            entity: "refund",
            entity_id: report.out_refund_no,
            from_status: None,
            to_status: Some(to.as_str()),
            detail: Some(detail),
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The refund an Idempotency-Key made for an order, if any.
    ///
    /// # Errors
    /// Database errors.
    pub async fn by_key(self, out_trade_no: &str, key: &str) -> Result<Option<Refund>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_trade_no = $1 AND idempotency_key = $2"))
            .bind(out_trade_no)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// An order's refunds, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn of_order(self, out_trade_no: &str) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_trade_no = $1 ORDER BY requested_at, out_refund_no"))
            .bind(out_trade_no)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The refunds of a payer's listed orders (the newest [`super::orders::LIST_LIMIT`], as
    /// [`super::orders::Orders::of_payer`] lists them), oldest first: one query for the whole list.
    ///
    /// # Errors
    /// Database errors.
    pub async fn of_orders_of(self, openid: &str) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refunds WHERE out_trade_no IN (SELECT out_trade_no FROM orders WHERE openid = $1 \
             ORDER BY created_at DESC, out_trade_no DESC LIMIT $2) ORDER BY requested_at, out_refund_no"
        ))
        .bind(openid)
        .bind(super::orders::LIST_LIMIT)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Refunds, newest first (at most 200), optionally of one state.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list(self, status: Option<RefundState>) -> Result<Vec<Refund>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE status = $1 ORDER BY requested_at DESC, out_refund_no LIMIT 200"))
                    .bind(s.as_str())
                    .fetch_all(self.db.pool())
                    .await?
            }
            None => {
                sqlx::query(&format!("SELECT {COLUMNS} FROM refunds ORDER BY requested_at DESC, out_refund_no LIMIT 200"))
                    .fetch_all(self.db.pool())
                    .await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Refunds the reconciler should visit now: APPROVED, PROCESSING or CHANGE, unchanged since
    /// `updated_before`, past their back-off and not claimed; least recently checked first, so
    /// every row gets its turn however many keep failing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn due(self, updated_before: i64, now: i64, limit: i64) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refunds WHERE status IN ('APPROVED', 'PROCESSING', 'CHANGE') AND updated_at < $1 \
             AND COALESCE(next_check_at, 0) <= $2 AND {} \
             ORDER BY COALESCE(checked_at, 0), updated_at, out_refund_no LIMIT $3",
            claims::unclaimed_at("$2")
        ))
        .bind(updated_before)
        .bind(now)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}

/// The refund row of [`Refunds::record_outside`], on an order we have.
async fn insert_outside(
    tx: &mut AnyConnection,
    report: &wxpay::acceptance::RefundReport<'_>,
    result: &RefundResult<'_>,
    order: &AnyRow,
    now: i64,
) -> Result<()> {
    let to = result.status;
    let (openid, total): (String, Fen) = (order.try_get("openid")?, money::fen(order, "total_fee")?);
    let finished = to.is_final().then_some(now);
    sqlx::query(
        "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, refund_id, \
         settlement_refund_fee, success_time, recv_account, requested_at, updated_at, finished_at, checked_at, outside, api_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $12, 1, $14)",
    )
    .bind(report.out_refund_no)
    .bind(report.out_trade_no)
    .bind(&openid)
    .bind(money::bind(report.total_fee.unwrap_or(total))?)
    .bind(money::bind(report.refund_fee)?)
    .bind(OUTSIDE_REASON)
    .bind(to.as_str())
    .bind(result.refund_id)
    .bind(result.settlement_refund_fee.map(money::bind).transpose()?)
    .bind(result.success_time)
    .bind(result.recv_account)
    .bind(now)
    .bind(finished)
    .bind(order.try_get::<String, _>("api_version")?)
    .execute(&mut *tx)
    .await
    .map_err(|e| Error::from(e).on_unique_violation("refund"))?;
    if to == RefundState::Success {
        sqlx::query("UPDATE orders SET refunded_fee = refunded_fee + $1, updated_at = $2 WHERE out_trade_no = $3")
            .bind(money::bind(report.refund_fee)?)
            .bind(now)
            .bind(report.out_trade_no)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The audit action of a move, named after it (`refund.approved`, `refund.success`, …).
fn action(from: RefundState, to: RefundState) -> &'static str {
    match (from, to) {
        (RefundState::Approved, RefundState::Requested) => "refund.call_failed",
        (_, RefundState::Approved) => "refund.approved",
        (_, RefundState::Rejected) => "refund.rejected",
        (_, RefundState::Success) => "refund.success",
        (_, RefundState::Change) => "refund.change",
        (_, RefundState::Closed) => "refund.closed",
        (_, RefundState::Processing) => "refund.accepted",
        (_, RefundState::Requested) => "refund.requested",
    }
}
