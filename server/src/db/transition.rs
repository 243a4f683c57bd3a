//! The one way a row changes state: `UPDATE … WHERE key = ? AND status = ? … RETURNING` the
//! new row, with its audit row, inside the caller's transaction.
//!
//! The conditional update is what makes concurrent callers (threads, or server instances sharing
//! PostgreSQL) apply a move at most once. The new row comes back from the update itself, so no
//! caller reads it again; a caller that lost gets the row as the winner left it.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::audit::Audit;
use super::sql::{Sql, Value};
use super::Db;
use crate::error::{Error, Result};

/// A table whose rows move through states: orders and refunds.
pub(crate) trait Stateful: Sized + for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin {
    /// `orders`, `refunds`.
    const TABLE: &'static str;
    /// The key column: `out_trade_no`, `out_refund_no`.
    const KEY: &'static str;
    /// The audit entity: `order`, `refund`.
    const ENTITY: &'static str;
    /// What `RETURNING` and every read of a whole row select.
    const COLUMNS: &'static str;
}

/// What a column is set to by a move.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expr<'a> {
    /// The move's time.
    Now,
    /// `NULL`.
    Null,
    /// A constant or an expression on the row (`0`, `failures + 1`).
    Sql(&'static str),
    /// A bound value.
    To(Value<'a>),
    /// A bound value, unless it is `NULL`: then the column keeps what it holds.
    OrKeep(Value<'a>),
}

/// One conditional move `from → to` of the row `key`.
#[derive(Debug, Clone)]
pub(crate) struct Move<'a> {
    pub key: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// Columns set besides `status` and `updated_at`.
    pub set: Vec<(&'static str, Expr<'a>)>,
    /// Only while this holder holds the row's claim (see `claims.rs`).
    pub holder: Option<Held<'a>>,
    /// The audit row's action (`order.paid`, `refund.approved`, …) and detail.
    pub action: &'a str,
    pub detail: Option<&'a str>,
}

/// A claim a move requires: `column` names `by` (made by `claims.rs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Held<'a> {
    pub column: &'static str,
    pub by: &'a str,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved<R> {
    /// This call made it: the row as it is now.
    Applied(R),
    /// The row was not where the move starts (someone else moved it, or never could): the row
    /// as it is now.
    ByOther {
        /// The row as it is.
        now: R,
    },
    /// No such row.
    Missing,
}

impl<R> Moved<R> {
    /// Whether this call made the move.
    pub fn applied(&self) -> bool {
        matches!(self, Moved::Applied(_))
    }

    /// The row as it is after the call, whoever moved it.
    pub fn row(self) -> Option<R> {
        match self {
            Moved::Applied(r) | Moved::ByOther { now: r } => Some(r),
            Moved::Missing => None,
        }
    }
}

/// Reads a row the way [`sqlx::FromRow`] does, our errors kept as they are.
pub(crate) fn decode<R: for<'r> sqlx::FromRow<'r, AnyRow>>(row: &AnyRow) -> Result<R> {
    R::from_row(row).map_err(|e| match e {
        sqlx::Error::Decode(inner) => match inner.downcast::<Error>() {
            Ok(ours) => *ours,
            Err(other) => Error::Db(sqlx::Error::Decode(other)),
        },
        e => Error::Db(e),
    })
}

/// [`sqlx::FromRow`]'s error for one of ours.
pub(crate) fn undecodable(e: Error) -> sqlx::Error {
    match e {
        Error::Db(e) => e,
        e => sqlx::Error::Decode(Box::new(e)),
    }
}

/// One row of `R` by key, on `conn`.
pub(crate) async fn read<R: Stateful>(conn: &mut AnyConnection, key: &str) -> Result<Option<R>> {
    let sql = format!("SELECT {} FROM {} WHERE {} = $1", R::COLUMNS, R::TABLE, R::KEY);
    sqlx::query(&sql).bind(key).fetch_optional(&mut *conn).await?.as_ref().map(decode).transpose()
}

/// The conditional update of `m` at `now`, returning the row.
fn statement<'a, R: Stateful>(m: &Move<'a>, now: i64) -> Sql<'a> {
    let mut sql = Sql::default();
    sql.push(&format!("UPDATE {} SET status = ", R::TABLE)).value(Value::Text(m.to)).push(", updated_at = ").value(Value::Int(now));
    for (col, e) in &m.set {
        sql.push(&format!(", {col} = "));
        match *e {
            Expr::Now => sql.value(Value::Int(now)),
            Expr::Null => sql.push("NULL"),
            Expr::Sql(s) => sql.push(s),
            Expr::To(v) => sql.value(v),
            Expr::OrKeep(v) => sql.push("COALESCE(").value(v).push(&format!(", {col})")),
        };
    }
    sql.push(&format!(" WHERE {} = ", R::KEY)).value(Value::Text(m.key)).push(" AND status = ").value(Value::Text(m.from));
    if let Some(held) = m.holder {
        sql.push(&format!(" AND {} = ", held.column)).value(Value::Text(held.by));
    }
    sql.push(&format!(" RETURNING {}", R::COLUMNS));
    sql
}

/// Applies `m` on `conn` (inside the caller's transaction) if the row is still in `m.from`
/// (and, with a holder, still claimed by it), writing its audit row with the move.
pub(crate) async fn apply<R: Stateful>(conn: &mut AnyConnection, m: &Move<'_>, now: i64, actor: &str) -> Result<Moved<R>> {
    let sql = statement::<R>(m, now);
    let Some(row) = sql.query().fetch_optional(&mut *conn).await? else {
        return Ok(match read::<R>(conn, m.key).await? {
            Some(now) => Moved::ByOther { now },
            None => Moved::Missing,
        });
    };
    let row = decode::<R>(&row)?;
    Audit {
        at: now,
        actor,
        action: m.action,
        entity: R::ENTITY,
        entity_id: m.key,
        from_status: Some(m.from),
        to_status: Some(m.to),
        detail: m.detail,
    }
    .write(conn)
    .await?;
    Ok(Moved::Applied(row))
}

impl Db {
    /// [`apply`] in its own write transaction.
    pub(crate) async fn transition<R: Stateful>(&self, m: &Move<'_>, now: i64, actor: &str) -> Result<Moved<R>> {
        let mut tx = self.begin_write().await?;
        let moved = apply(&mut tx, m, now, actor).await?;
        tx.commit().await?;
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::refunds::Refund;

    /// Placeholders are numbered in the order values are bound, whatever the move sets.
    #[test]
    fn a_move_binds_in_order() {
        let m = Move {
            key: "R1",
            from: "APPROVED",
            to: "REQUESTED",
            set: vec![
                ("last_error", Expr::To(Value::Text("why"))),
                ("failures", Expr::Sql("0")),
                ("checked_at", Expr::Now),
                ("settlement_refund_fee", Expr::OrKeep(Value::MaybeInt(None))),
                ("send_until", Expr::Null),
            ],
            holder: Some(Held { column: "send_owner", by: "instance-1" }),
            action: "refund.call_failed",
            detail: None,
        };
        let sql = statement::<Refund>(&m, 7);
        let head = "UPDATE refunds SET status = $1, updated_at = $2, last_error = $3, failures = 0, checked_at = $4, \
                    settlement_refund_fee = COALESCE($5, settlement_refund_fee), send_until = NULL \
                    WHERE out_refund_no = $6 AND status = $7 AND send_owner = $8 RETURNING ";
        assert_eq!(sql.text, format!("{head}{}", Refund::COLUMNS));
        assert_eq!(sql.values.len(), 8);
    }
}
