//! Claims: who may call WeChat about a row now, so two instances (or two tasks) never send one
//! refund twice nor ask about one order at once.
//!
//! A refund's claim is `send_owner` (an instance) with a lease `send_until`, taken by a
//! conditional update: by an approval or a merchant refund as it is made (the caller sends at
//! once), or by [`Claims::refund`] for a reconciler visit or a re-query. One holder at a time; a
//! claim whose holder died is taken over only once its lease has run out. The holder marks the
//! request as leaving ([`Claims::mark_sent`]) and ends the claim with the visit's outcome
//! ([`Claims::release`]); a move on WeChat's word (accepted, a result) ends it too, whoever
//! holds it.
//!
//! An order's claim is lighter: `checked_at`, so an unpaid order is asked about at most once per
//! interval however many clients poll, on any instance ([`Claims::order_check`]).

use super::refund_row::{Refund, COLUMNS};
use super::sql::Value;
use super::transition::{decode, Expr, Held};
use super::Db;
use crate::error::Result;

/// A move made only while `owner` holds the refund's claim.
pub(crate) fn held_by(owner: &str) -> Held<'_> {
    Held { column: "send_owner", by: owner }
}

/// The claim columns a move sets to hand a refund to `owner` until `until` (Unix ms).
pub(crate) fn take(owner: &str, until: i64) -> [(&'static str, Expr<'_>); 2] {
    [("send_owner", Expr::To(Value::Text(owner))), ("send_until", Expr::To(Value::Int(until)))]
}

/// The claim columns a move clears: nobody holds the refund any more.
pub(crate) fn end() -> [(&'static str, Expr<'static>); 2] {
    [("send_owner", Expr::Null), ("send_until", Expr::Null)]
}

/// A refund nobody holds at `$p` (a placeholder bound to now): its lease ran out, or there is none.
pub(crate) fn unclaimed_at(p: &str) -> String {
    format!("COALESCE(send_until, 0) <= {p}")
}

/// How a claimed visit ended, for [`Claims::release`].
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

/// Taking, using and ending claims.
#[derive(Clone, Copy)]
pub struct Claims<'a> {
    pub(super) db: &'a Db,
}

impl Claims<'_> {
    /// Takes the right to ask WeChat about a NOTPAY order now: only if nobody (any instance) did
    /// since `not_since`. Returns whether this call got it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn order_check(self, no: &str, now: i64, not_since: i64) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let n = sqlx::query(
            "UPDATE orders SET checked_at = $1 WHERE out_trade_no = $2 AND status = 'NOTPAY' AND COALESCE(checked_at, 0) <= $3",
        )
        .bind(now)
        .bind(no)
        .bind(not_since)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Claims a refund in APPROVED, PROCESSING or CHANGE for `owner` until `until`, if no live
    /// claim holds it. Returns the refund as claimed, if this call got it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn refund(self, no: &str, owner: &str, until: i64, now: i64) -> Result<Option<Refund>> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(&format!(
            "UPDATE refunds SET send_owner = $1, send_until = $2 WHERE out_refund_no = $3 \
             AND status IN ('APPROVED', 'PROCESSING', 'CHANGE') AND (send_until IS NULL OR send_until <= $4) RETURNING {}",
            COLUMNS
        ))
        .bind(owner)
        .bind(until)
        .bind(no)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.as_ref().map(decode).transpose()
    }

    /// Notes, while `owner` holds the claim, that a refund request is about to leave (it may
    /// reach WeChat from now on). Returns whether the claim still held.
    ///
    /// # Errors
    /// Database errors.
    pub async fn mark_sent(self, no: &str, owner: &str, now: i64) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
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
    pub async fn release(self, no: &str, owner: &str, visit: Visit<'_>, now: i64) -> Result<Option<i64>> {
        let mut tx = self.db.begin_write().await?;
        let q = match visit {
            Visit::Unchanged { next } => sqlx::query(
                "UPDATE refunds SET send_owner = NULL, send_until = NULL, checked_at = $1, failures = 0, next_check_at = $2 \
                 WHERE out_refund_no = $3 AND send_owner = $4 RETURNING failures",
            )
            .bind(now)
            .bind(next)
            .bind(no)
            .bind(owner),
            Visit::Failed { why, next } => sqlx::query(
                "UPDATE refunds SET send_owner = NULL, send_until = NULL, checked_at = $1, failures = failures + 1, \
                 next_check_at = $2, last_error = $5 WHERE out_refund_no = $3 AND send_owner = $4 RETURNING failures",
            )
            .bind(now)
            .bind(next)
            .bind(no)
            .bind(owner)
            .bind(why),
        };
        let failures = match q.fetch_optional(&mut *tx).await? {
            Some(row) => Some(sqlx::Row::try_get::<i64, _>(&row, "failures")?),
            None => None,
        };
        tx.commit().await?;
        Ok(failures)
    }
}
