//! The exceptions queue: what a person must act on, and "handled offline".
//!
//! On the queue: refunds in CHANGE (退款异常: the money did not come back), refunds and unpaid
//! orders the reconciler failed on [`SURFACE_AFTER_FAILURES`] times in a row, and orders paid
//! after we closed them (oversold when their units had gone to other orders) while part of
//! their money is neither refunded nor being refunded.
//!
//! "Handled offline" is a note, not a move: a person says they dealt with a CHANGE refund on the
//! merchant platform, or shipped / settled a paid-after-close order outside this system. It
//! takes the row off the queue and changes no money state — the refund stays CHANGE (its amount
//! held, refundquery still asked, WeChat's later word still applied along the state machine),
//! the order stays PAID and flagged — with an audit row whose from and to are the same state.

use sqlx::Row;

use super::orders::Orders;
use super::refunds::{self, Refund, Refunds};
use super::search::{self, OrderRow};
use super::transition::decode;
use super::{Audit, Db, SURFACE_AFTER_FAILURES};
use crate::error::{Error, Result};

/// At most this many rows of each kind on the queue.
const QUEUE_LIMIT: i64 = 200;

/// What the queue holds now.
#[derive(Debug, Clone)]
pub struct Queue {
    /// CHANGE (not handled offline), or failing; newest change first.
    pub refunds: Vec<Refund>,
    /// Paid after close (not handled offline, not all of it refunded or being refunded), or
    /// unpaid and failing; newest first.
    pub orders: Vec<OrderRow>,
}

/// How many things wait for a person: the page's title count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Waiting {
    /// Refund requests to approve or reject.
    pub requested: i64,
    /// Rows on the exceptions queue.
    pub exceptions: i64,
}

/// The refunds on the queue.
fn refunds_where() -> String {
    format!("(status = 'CHANGE' AND handled_at IS NULL) OR (status IN ('APPROVED', 'PROCESSING') AND failures >= {SURFACE_AFTER_FAILURES})")
}

/// The orders on the queue, as the two parts of a `UNION ALL` (the first through the partial
/// index `orders_flagged`, the second through `orders_status`).
fn orders_parts(columns: &str) -> (String, String) {
    (
        format!(
            "SELECT {columns} FROM orders WHERE (paid_after_close = 1 OR oversold = 1) AND handled_at IS NULL \
             AND total_fee > (SELECT COALESCE(SUM(r.refund_fee), 0) FROM refunds r WHERE r.out_trade_no = orders.out_trade_no \
             AND r.status IN {})",
            refunds::holding_sql()
        ),
        format!("SELECT {columns} FROM orders WHERE status = 'NOTPAY' AND failures >= {SURFACE_AFTER_FAILURES}"),
    )
}

/// The exceptions queue.
#[derive(Clone, Copy)]
pub struct Exceptions<'a> {
    pub(super) db: &'a Db,
}

impl Exceptions<'_> {
    /// The exceptions queue.
    ///
    /// # Errors
    /// Database errors.
    pub async fn queue(self) -> Result<Queue> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM refunds WHERE {} ORDER BY updated_at DESC, out_refund_no LIMIT {QUEUE_LIMIT}",
            refunds::COLUMNS,
            refunds_where()
        ))
        .fetch_all(self.db.pool())
        .await?;
        let refunds = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        let (flagged, failing) = orders_parts(&search::ROW_COLUMNS);
        let rows = sqlx::query(&format!("{flagged} UNION ALL {failing} ORDER BY created_at DESC, out_trade_no DESC LIMIT {QUEUE_LIMIT}"))
            .fetch_all(self.db.pool())
            .await?;
        let orders = rows.iter().map(search::row_from).collect::<Result<Vec<_>>>()?;
        Ok(Queue { refunds, orders })
    }

    /// How many refund requests and exceptions wait, in one round trip.
    ///
    /// # Errors
    /// Database errors.
    pub async fn waiting(self) -> Result<Waiting> {
        let (flagged, failing) = orders_parts("1 AS one");
        let r = sqlx::query(&format!(
            "SELECT (SELECT COUNT(*) FROM refunds WHERE status = 'REQUESTED') AS requested, \
             (SELECT COUNT(*) FROM refunds WHERE {}) AS refund_exceptions, \
             (SELECT COUNT(*) FROM ({flagged} UNION ALL {failing}) AS q) AS order_exceptions",
            refunds_where()
        ))
        .fetch_one(self.db.pool())
        .await?;
        let exceptions = r.try_get::<i64, _>("refund_exceptions")? + r.try_get::<i64, _>("order_exceptions")?;
        Ok(Waiting { requested: r.try_get("requested")?, exceptions })
    }
}

impl Refunds<'_> {
    /// Marks a CHANGE refund handled offline with `note`: off the queue, still CHANGE (see the
    /// module docs). Once.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Conflict`] (not CHANGE, or already handled), database errors.
    pub async fn handled_offline(self, no: &str, note: &str, now: i64, actor: &str) -> Result<Refund> {
        let mut tx = self.db.begin_write().await?;
        let which = "out_refund_no = $4 AND status = 'CHANGE'";
        let Some(row) = mark_handled(&mut tx, "refunds", which, refunds::COLUMNS, no, note, now, actor).await? else {
            tx.rollback().await?;
            return Err(match self.get(no).await? {
                None => Error::NotFound("refund"),
                Some(r) if r.handled.is_some() => Error::Conflict("refund was already marked handled offline".into()),
                Some(r) => Error::Conflict(format!("refund is {}, only a CHANGE refund can be marked handled offline", r.status.as_str())),
            });
        };
        handled_audit("refund", no, "CHANGE", note, now, actor).write(&mut tx).await?;
        tx.commit().await?;
        decode(&row)
    }
}

impl Orders<'_> {
    /// Marks an order paid after close (oversold or not) handled offline with `note`: off the
    /// queue, still PAID and flagged (see the module docs). Once.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Conflict`] (not flagged, or already handled), database
    /// errors.
    pub async fn handled_offline(self, no: &str, note: &str, now: i64, actor: &str) -> Result<OrderRow> {
        let mut tx = self.db.begin_write().await?;
        let which = "out_trade_no = $4 AND (paid_after_close = 1 OR oversold = 1)";
        let Some(row) = mark_handled(&mut tx, "orders", which, &search::ROW_COLUMNS, no, note, now, actor).await? else {
            tx.rollback().await?;
            return Err(match self.row(no).await? {
                None => Error::NotFound("order"),
                Some(o) if o.handled.is_some() => Error::Conflict("order was already marked handled offline".into()),
                Some(_) => Error::Conflict("only an order paid after close can be marked handled offline".into()),
            });
        };
        // Flagged orders are PAID (a payment is what flags them) and stay so.
        handled_audit("order", no, "PAID", note, now, actor).write(&mut tx).await?;
        tx.commit().await?;
        search::row_from(&row)
    }
}

/// Sets the "handled offline" columns of the row of `table` matching `which` (`$4` is `no`),
/// unless already set. Returns the row as set (its `columns`), if it did.
#[allow(clippy::too_many_arguments)]
async fn mark_handled(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    which: &str,
    columns: &str,
    no: &str,
    note: &str,
    now: i64,
    actor: &str,
) -> Result<Option<sqlx::any::AnyRow>> {
    Ok(sqlx::query(&format!(
        "UPDATE {table} SET handled_at = $1, handled_by = $2, handled_note = $3 WHERE {which} AND handled_at IS NULL RETURNING {columns}"
    ))
    .bind(now)
    .bind(actor)
    .bind(note)
    .bind(no)
    .fetch_optional(conn)
    .await?)
}

fn handled_audit<'a>(entity: &'a str, id: &'a str, status: &'a str, note: &'a str, now: i64, actor: &'a str) -> Audit<'a> {
    let action = if entity == "refund" { "refund.handled_offline" } else { "order.handled_offline" };
    Audit { at: now, actor, action, entity, entity_id: id, from_status: Some(status), to_status: Some(status), detail: Some(note) }
}
