//! Refunds and their state machine. [`EDGES`] is the one list of allowed moves (the table in
//! `server/README.md`, checked against it by a test); every move is a conditional update on the
//! current state inside a transaction with its audit row, so concurrent requests, approvals,
//! answers and notifies (threads or instances) apply it once.
//!
//! Calling WeChat about a refund (the refund call, refundquery) needs a claim: `send_owner` and a
//! lease `send_until`, taken by a conditional update. One instance at a time holds it; a claim
//! whose holder died is taken over only once its lease has run out.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use wxpay::Fen;

use super::search::{handled_from_row, Handled};
use super::{money, Audit, Bind, Db, SURFACE_AFTER_FAILURES};
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
    /// 退款异常: WeChat could not return the money; a person must act on the merchant platform.
    /// Not final: the amount stays held and refundquery keeps asking.
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

    /// The state a report (notify or refundquery, as the acceptance rule reads it) moves a
    /// refund to (`PROCESSING` is ours too).
    pub const fn reported(s: wxpay::acceptance::RefundReportStatus) -> Self {
        use wxpay::acceptance::RefundReportStatus as R;
        match s {
            R::Processing => RefundState::Processing,
            R::Success => RefundState::Success,
            R::Change => RefundState::Change,
            R::Closed => RefundState::Closed,
        }
    }

    /// Nothing moves it any more.
    pub const fn is_final(self) -> bool {
        matches!(self, RefundState::Success | RefundState::Closed | RefundState::Rejected)
    }

    /// Its amount counts against the order's total (it cannot be asked for again).
    pub const fn holds_amount(self) -> bool {
        !matches!(self, RefundState::Closed | RefundState::Rejected)
    }
}

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

/// Who moves a refund along an edge (or creates it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The payer, asking for a refund of their order.
    Payer,
    /// The merchant, on the admin page.
    Merchant,
    /// WeChat's answer to the refund call (accepted, or refused for good).
    RefundAnswer,
    /// The sender, before anything was sent: the refund cannot be encoded.
    LocalFailure,
    /// WeChat's refund notify or a refundquery answer.
    Result,
}

/// One allowed move.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// From; `None`: the refund is created in `to`.
    pub from: Option<RefundState>,
    /// To.
    pub to: RefundState,
    /// Who may make it.
    pub by: &'static [Mover],
}

const fn edge(from: RefundState, to: RefundState, by: &'static [Mover]) -> Edge {
    Edge { from: Some(from), to, by }
}

const fn created(to: RefundState, by: &'static [Mover]) -> Edge {
    Edge { from: None, to, by }
}

/// Every allowed move of a refund, and nothing else, starting with how one is created: REQUESTED
/// by its payer, APPROVED by the merchant refunding on its own initiative (claimed to be sent at
/// once, as an approval is), or as WeChat reports it when it reports a refund this server never
/// started (made by hand on 商户平台: recorded, `outside`). `server/README.md` shows this table; a
/// test keeps the two equal.
pub const EDGES: [Edge; 17] = {
    use Mover::*;
    use RefundState::*;
    [
        created(Requested, &[Payer]),
        created(Approved, &[Merchant]),
        created(Success, &[Result]),
        created(Change, &[Result]),
        created(Closed, &[Result]),
        edge(Requested, Approved, &[Merchant]),
        edge(Requested, Rejected, &[Merchant]),
        edge(Approved, Processing, &[RefundAnswer, Result]),
        edge(Approved, Requested, &[RefundAnswer, LocalFailure]),
        edge(Approved, Success, &[Result]),
        edge(Approved, Change, &[Result]),
        edge(Approved, Closed, &[Result]),
        edge(Processing, Success, &[Result]),
        edge(Processing, Change, &[Result]),
        edge(Processing, Closed, &[Result]),
        edge(Change, Success, &[Result]),
        edge(Change, Closed, &[Result]),
    ]
};

/// Whether `by` may move a refund `from` → `to`.
pub fn allowed(from: RefundState, to: RefundState, by: Mover) -> bool {
    from != to && EDGES.iter().any(|e| e.from == Some(from) && e.to == to && e.by.contains(&by))
}

/// Whether `by` may create a refund in state `to`.
pub fn creatable(to: RefundState, by: Mover) -> bool {
    EDGES.iter().any(|e| e.from.is_none() && e.to == to && e.by.contains(&by))
}

/// The states a result (notify or refundquery) may move to `to` from.
fn result_sources(to: RefundState) -> impl Iterator<Item = RefundState> {
    EDGES.iter().filter(move |e| e.to == to && e.from != Some(to) && e.by.contains(&Mover::Result)).filter_map(|e| e.from)
}

/// Every state, for lists built from [`RefundState::holds_amount`].
const ALL: [RefundState; 7] = [
    RefundState::Requested,
    RefundState::Approved,
    RefundState::Processing,
    RefundState::Success,
    RefundState::Change,
    RefundState::Closed,
    RefundState::Rejected,
];

/// `('REQUESTED', …)`: the states whose amount counts against the order's total.
pub(super) fn holding_sql() -> String {
    let names: Vec<String> = ALL.iter().filter(|s| s.holds_amount()).map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// A stored refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// Who holds the claim to call WeChat about it, if anyone.
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
}

pub(super) const COLUMNS: &str = "out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, refund_id, \
    settlement_refund_fee, success_time, recv_account, last_error, requested_at, approved_at, finished_at, checked_at, updated_at, \
    sent_at, send_owner, send_until, failures, next_check_at, reject_reason, handled_at, handled_by, handled_note, outside";

pub(super) fn from_row(r: &AnyRow) -> Result<Refund> {
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
    })
    .map(|mut x: Refund| {
        x.needs_action =
            (x.status == RefundState::Change && x.handled.is_none()) || (!x.status.is_final() && x.failures >= SURFACE_AFTER_FAILURES);
        x
    })
}

/// What [`Db::finish_refund`] did.
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

/// How a claimed visit ended, for [`Db::release_refund`].
#[derive(Debug, Clone, Copy)]
pub enum Visit<'a> {
    /// Nothing new (still PROCESSING or CHANGE): look again at `next`.
    Unchanged {
        /// Not before (Unix ms).
        next: i64,
    },
    /// WeChat could not be asked, or its answer was unknown: `why`, and try again at `next`.
    Failed {
        /// The error.
        why: &'a str,
        /// Not before (Unix ms).
        next: i64,
    },
}

impl Db {
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
    pub async fn insert_refund(&self, new: &NewRefund<'_>, max_pending: Option<i64>, now: i64, actor: &str) -> Result<Refund> {
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
        let mut tx = self.begin_write().await?;
        // The payer may refund only their own order; the merchant any.
        const LOCK: &str = "UPDATE orders SET updated_at = $1 WHERE out_trade_no = $2 AND status = 'PAID'";
        const LOCK_OWN: &str = "UPDATE orders SET updated_at = $1 WHERE out_trade_no = $2 AND status = 'PAID' AND openid = $3";
        let locked = match payer {
            Some(openid) => sqlx::query(LOCK_OWN).bind(now).bind(out_trade_no).bind(openid),
            None => sqlx::query(LOCK).bind(now).bind(out_trade_no),
        }
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if locked != 1 {
            tx.rollback().await?;
            return match self.order(out_trade_no).await? {
                Some(o) if payer.is_none_or(|p| p == o.openid) => {
                    Err(Error::Conflict(format!("order is {}, only a PAID order can be refunded", o.status.as_str())))
                }
                _ => Err(Error::NotFound("order")),
            };
        }
        let order =
            sqlx::query("SELECT total_fee, openid FROM orders WHERE out_trade_no = $1").bind(out_trade_no).fetch_one(&mut *tx).await?;
        let (total, openid): (Fen, String) = (money::fen(&order, "total_fee")?, order.try_get("openid")?);
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
        let (owner, until) = match by {
            Requester::Merchant { owner, until } => (Some(owner), Some(until)),
            Requester::Payer { .. } => (None, None),
        };
        sqlx::query(
            "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, requested_at, updated_at, \
             approved_at, send_owner, send_until, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12)",
        )
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
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).on_unique_violation("refund"))?;
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
        self.refund(out_refund_no).await?.ok_or(Error::NotFound("refund"))
    }

    /// One conditional move `from → to` by `by` (checked against [`EDGES`]), with `set` extra
    /// assignments (`$1` is `now`, then `binds` from `$4`), only while `owner` (if given) holds the
    /// claim, and its audit row. Returns whether this call made it.
    #[allow(clippy::too_many_arguments)]
    async fn move_refund(
        &self,
        no: &str,
        (from, to, by): (RefundState, RefundState, Mover),
        set: &str,
        binds: &[Bind<'_>],
        owner: Option<&str>,
        now: i64,
        actor: &str,
        detail: Option<&str>,
    ) -> Result<bool> {
        if !allowed(from, to, by) {
            return Err(Error::Internal(format!("refund {no}: no edge {} → {} for {by:?}", from.as_str(), to.as_str())));
        }
        let n = binds.len();
        let owner_cond = if owner.is_some() { format!(" AND send_owner = ${}", 5 + n) } else { String::new() };
        let sql =
            format!("UPDATE refunds SET status = $2, updated_at = $1{set} WHERE out_refund_no = $3 AND status = ${}{owner_cond}", 4 + n);
        let mut tx = self.begin_write().await?;
        let mut q = sqlx::query(&sql).bind(now).bind(to.as_str()).bind(no);
        for b in binds {
            q = match b {
                Bind::Text(v) => q.bind(*v),
                Bind::Int(v) => q.bind(*v),
            };
        }
        q = q.bind(from.as_str());
        if let Some(o) = owner {
            q = q.bind(o);
        }
        let moved = q.execute(&mut *tx).await?.rows_affected() == 1;
        if moved {
            audit(no, from, to, now, actor, detail).write(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// REQUESTED → APPROVED, claiming the refund for `owner` until `until` (the approval sends
    /// it). Only one of any number of concurrent callers gets `true`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn approve_refund(&self, no: &str, owner: &str, until: i64, now: i64, actor: &str) -> Result<bool> {
        let set = ", approved_at = $1, last_error = NULL, failures = 0, next_check_at = NULL, send_owner = $4, send_until = $5";
        let m = (RefundState::Requested, RefundState::Approved, Mover::Merchant);
        self.move_refund(no, m, set, &[Bind::Text(owner), Bind::Int(until)], None, now, actor, None).await
    }

    /// REQUESTED → REJECTED, with the merchant's `reason` for the payer if given.
    ///
    /// # Errors
    /// Database errors.
    pub async fn reject_refund(&self, no: &str, now: i64, actor: &str, reason: Option<&str>) -> Result<bool> {
        let m = (RefundState::Requested, RefundState::Rejected, Mover::Merchant);
        let detail = reason.unwrap_or("rejected by the merchant (no reason given)");
        match reason {
            Some(r) => {
                self.move_refund(no, m, ", finished_at = $1, reject_reason = $4", &[Bind::Text(r)], None, now, actor, Some(detail)).await
            }
            None => self.move_refund(no, m, ", finished_at = $1", &[], None, now, actor, Some(detail)).await,
        }
    }

    /// APPROVED → PROCESSING: WeChat accepted the call (or refundquery found it processing).
    /// A move forward on WeChat's word: made whoever holds the claim, and ends it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund_accepted(&self, no: &str, refund_id: &str, by: Mover, now: i64, actor: &str, detail: &str) -> Result<bool> {
        let set = ", refund_id = $4, last_error = NULL, failures = 0, next_check_at = NULL, checked_at = $1, send_owner = NULL, send_until = NULL";
        let m = (RefundState::Approved, RefundState::Processing, by);
        self.move_refund(no, m, set, &[Bind::Text(refund_id)], None, now, actor, Some(detail)).await
    }

    /// APPROVED → REQUESTED, while `owner` holds the claim: WeChat refused the call for good, or
    /// the refund was never sent and cannot be (`by` says which). It can be approved again or
    /// rejected.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund_call_failed(&self, no: &str, owner: &str, by: Mover, why: &str, now: i64, actor: &str) -> Result<bool> {
        let set = ", last_error = $4, failures = 0, next_check_at = NULL, send_owner = NULL, send_until = NULL";
        let m = (RefundState::Approved, RefundState::Requested, by);
        self.move_refund(no, m, set, &[Bind::Text(why)], Some(owner), now, actor, Some(why)).await
    }

    /// Claims a refund in APPROVED, PROCESSING or CHANGE for `owner` until `until`, if no live
    /// claim holds it. Returns whether this call got it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim_refund(&self, no: &str, owner: &str, until: i64, now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE refunds SET send_owner = $1, send_until = $2 WHERE out_refund_no = $3 \
             AND status IN ('APPROVED', 'PROCESSING', 'CHANGE') AND (send_until IS NULL OR send_until <= $4)",
        )
        .bind(owner)
        .bind(until)
        .bind(no)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Notes, while `owner` holds the claim, that a refund request is about to leave (it may
    /// reach WeChat from now on). Returns whether the claim still held.
    ///
    /// # Errors
    /// Database errors.
    pub async fn mark_refund_sent(&self, no: &str, owner: &str, now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE refunds SET sent_at = COALESCE(sent_at, $1) WHERE out_refund_no = $2 AND status = 'APPROVED' AND send_owner = $3",
        )
        .bind(now)
        .bind(no)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Ends `owner`'s claim with the outcome of its visit (no state change, no audit row).
    /// Returns the refund's consecutive failures after it (`None`: the claim was no longer ours).
    ///
    /// # Errors
    /// Database errors.
    pub async fn release_refund(&self, no: &str, owner: &str, visit: Visit<'_>, now: i64) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let q = match visit {
            Visit::Unchanged { next } => sqlx::query(
                "UPDATE refunds SET send_owner = NULL, send_until = NULL, checked_at = $1, failures = 0, next_check_at = $2 \
                 WHERE out_refund_no = $3 AND send_owner = $4",
            )
            .bind(now)
            .bind(next),
            Visit::Failed { why, next } => sqlx::query(
                "UPDATE refunds SET send_owner = NULL, send_until = NULL, checked_at = $1, failures = failures + 1, \
                 next_check_at = $2, last_error = $5 WHERE out_refund_no = $3 AND send_owner = $4",
            )
            .bind(now)
            .bind(next)
            .bind(no)
            .bind(owner)
            .bind(why),
        };
        let q = if matches!(visit, Visit::Unchanged { .. }) { q.bind(no).bind(owner) } else { q };
        let n = q.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(self.refund(no).await?.map_or(0, |r| r.failures)))
    }

    /// Applies a result (notify or refundquery) once, along [`EDGES`] from wherever the refund
    /// is; on SUCCESS adds the amount to `orders.refunded_fee` in the same transaction. Ends any
    /// claim. A result no edge leads to from the current state changes nothing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn finish_refund(&self, no: &str, result: &RefundResult<'_>, now: i64, actor: &str, detail: &str) -> Result<FinishOutcome> {
        let to = result.status;
        let finished = to.is_final().then_some(now);
        for from in result_sources(to) {
            let mut tx = self.begin_write().await?;
            let n = sqlx::query(
                "UPDATE refunds SET status = $1, refund_id = $2, settlement_refund_fee = COALESCE($3, settlement_refund_fee), \
                 success_time = COALESCE($4, success_time), recv_account = COALESCE($5, recv_account), finished_at = $9, updated_at = $6, \
                 last_error = NULL, failures = 0, next_check_at = NULL, checked_at = $6, send_owner = NULL, send_until = NULL \
                 WHERE out_refund_no = $7 AND status = $8",
            )
            .bind(to.as_str())
            .bind(result.refund_id)
            .bind(result.settlement_refund_fee.map(money::bind).transpose()?)
            .bind(result.success_time)
            .bind(result.recv_account)
            .bind(now)
            .bind(no)
            .bind(from.as_str())
            .bind(finished)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                if to == RefundState::Success {
                    sqlx::query(
                        "UPDATE orders SET refunded_fee = refunded_fee + (SELECT refund_fee FROM refunds WHERE out_refund_no = $1), \
                         updated_at = $2 WHERE out_trade_no = (SELECT out_trade_no FROM refunds WHERE out_refund_no = $1)",
                    )
                    .bind(no)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                audit(no, from, to, now, actor, Some(detail)).write(&mut tx).await?;
                tx.commit().await?;
                return Ok(FinishOutcome::Applied { from });
            }
            tx.rollback().await?;
        }
        Ok(match self.refund(no).await? {
            None => FinishOutcome::NotFound,
            Some(r) => FinishOutcome::Unmoved(r.status),
        })
    }

    /// One refund.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund(&self, no: &str) -> Result<Option<Refund>> {
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_refund_no = $1")).bind(no).fetch_optional(self.pool()).await?;
        row.as_ref().map(from_row).transpose()
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
    pub async fn record_outside_refund(
        &self,
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
        let mut tx = self.begin_write().await?;
        let order = sqlx::query("SELECT openid, total_fee FROM orders WHERE out_trade_no = $1")
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
    pub async fn refund_by_key(&self, out_trade_no: &str, key: &str) -> Result<Option<Refund>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE out_trade_no = $1 AND idempotency_key = $2"))
            .bind(out_trade_no)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
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

    /// The refunds of a payer's listed orders (the newest [`super::orders::LIST_LIMIT`], as
    /// [`Db::orders_of`] lists them), oldest first: one query for the whole list.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refunds_of_orders_of(&self, openid: &str) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refunds WHERE out_trade_no IN (SELECT out_trade_no FROM orders WHERE openid = $1 \
             ORDER BY created_at DESC, out_trade_no DESC LIMIT $2) ORDER BY requested_at, out_refund_no"
        ))
        .bind(openid)
        .bind(super::orders::LIST_LIMIT)
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

    /// Refunds the reconciler should visit now: APPROVED, PROCESSING or CHANGE, unchanged since
    /// `updated_before`, past their back-off and not claimed; least recently checked first, so
    /// every row gets its turn however many keep failing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn due_refunds(&self, updated_before: i64, now: i64, limit: i64) -> Result<Vec<Refund>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refunds WHERE status IN ('APPROVED', 'PROCESSING', 'CHANGE') AND updated_at < $1 \
             AND COALESCE(next_check_at, 0) <= $2 AND COALESCE(send_until, 0) <= $2 \
             ORDER BY COALESCE(checked_at, 0), updated_at, out_refund_no LIMIT $3"
        ))
        .bind(updated_before)
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}

/// The refund row of [`Db::record_outside_refund`], on an order we have.
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
         settlement_refund_fee, success_time, recv_account, requested_at, updated_at, finished_at, checked_at, outside) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $12, 1)",
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

/// The audit row of a move, its action named after it (`refund.approved`, `refund.success`, …).
fn audit<'a>(no: &'a str, from: RefundState, to: RefundState, now: i64, actor: &'a str, detail: Option<&'a str>) -> Audit<'a> {
    let action = match (from, to) {
        (RefundState::Approved, RefundState::Requested) => "refund.call_failed",
        (_, RefundState::Approved) => "refund.approved",
        (_, RefundState::Rejected) => "refund.rejected",
        (_, RefundState::Success) => "refund.success",
        (_, RefundState::Change) => "refund.change",
        (_, RefundState::Closed) => "refund.closed",
        (_, RefundState::Processing) => "refund.accepted",
        (_, RefundState::Requested) => "refund.requested",
    };
    Audit {
        at: now,
        actor,
        action,
        entity: "refund",
        entity_id: no,
        from_status: Some(from.as_str()),
        to_status: Some(to.as_str()),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state machine table of `server/README.md` lists exactly [`EDGES`].
    #[test]
    fn readme_table_matches_the_edges() {
        let readme = include_str!("../../README.md");
        let start = readme.find("<!-- refund-edges -->").expect("the README marks its refund state table");
        let end = start + readme[start..].find("<!-- /refund-edges -->").expect("end marker");
        let mut documented: Vec<(String, String)> = readme[start..end]
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
                (cells[1].to_owned(), cells[2].to_owned())
            })
            .collect();
        let mut coded: Vec<(String, String)> =
            EDGES.iter().map(|e| (e.from.map_or("(new)", RefundState::as_str).to_owned(), e.to.as_str().to_owned())).collect();
        documented.sort();
        coded.sort();
        assert_eq!(documented, coded);
    }

    #[test]
    fn only_listed_moves_are_allowed() {
        assert!(allowed(RefundState::Change, RefundState::Success, Mover::Result));
        assert!(!allowed(RefundState::Success, RefundState::Change, Mover::Result));
        assert!(!allowed(RefundState::Processing, RefundState::Requested, Mover::RefundAnswer), "a refund WeChat accepted never goes back");
        assert!(!allowed(RefundState::Approved, RefundState::Rejected, Mover::Merchant), "a sent refund cannot be rejected");
        assert!(allowed(RefundState::Approved, RefundState::Requested, Mover::LocalFailure));
        assert!(creatable(RefundState::Requested, Mover::Payer) && creatable(RefundState::Approved, Mover::Merchant));
        assert!(!creatable(RefundState::Approved, Mover::Payer), "a payer's refund waits for the merchant");
        assert!(!creatable(RefundState::Success, Mover::Merchant), "nothing we start is created already refunded");
        assert!(creatable(RefundState::Success, Mover::Result), "a refund made on 商户平台 is recorded as WeChat reports it");
        assert_eq!(holding_sql(), "('REQUESTED', 'APPROVED', 'PROCESSING', 'SUCCESS', 'CHANGE')");
        assert_eq!(
            result_sources(RefundState::Success).collect::<Vec<_>>(),
            [RefundState::Approved, RefundState::Processing, RefundState::Change]
        );
    }
}
