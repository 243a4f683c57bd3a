//! Finding orders for the back office: exact filters (order number, WeChat's transaction_id,
//! a refund's number, the payer), status and a range of creation times, newest first, paged by
//! keyset on `(created_at, out_trade_no)`. Every filter is answered through an index of
//! migration 0005 (or a key), so a page costs the same on the first day and after a million
//! orders: no `OFFSET`.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use wxpay::Fen;

use super::orders::OrderStatus;
use super::orders::Orders;
use super::sql::{Sql, Value};
use crate::error::{Error, Result};

/// At most this many orders in one page.
pub const MAX_PAGE: i64 = 200;

/// Where the last page ended: the next page starts strictly after (older than) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's `created_at`.
    pub created_at: i64,
    /// The last row's `out_trade_no`.
    pub out_trade_no: String,
}

impl Cursor {
    /// `<created_at>.<out_trade_no>`: opaque to the page, which hands it back as is.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.out_trade_no)
    }

    /// Reads [`Cursor::encode`]'s form.
    ///
    /// # Errors
    /// [`Error::Invalid`] for anything else.
    pub fn decode(s: &str) -> Result<Cursor> {
        let bad = || Error::Invalid("after must be a cursor from a previous page".into());
        let (at, no) = s.split_once('.').ok_or_else(bad)?;
        let created_at = at.parse().map_err(|_| bad())?;
        if no.is_empty() || no.len() > 32 {
            return Err(bad());
        }
        Ok(Cursor { created_at, out_trade_no: no.to_owned() })
    }
}

/// What to look for; every given filter must hold.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// 商户订单号.
    pub out_trade_no: Option<String>,
    /// 微信支付单号.
    pub transaction_id: Option<String>,
    /// The order of this refund (商户退款单号 or WeChat's refund_id).
    pub refund_no: Option<String>,
    /// The payer.
    pub openid: Option<String>,
    /// The payer of this order (the page never sees an openid whole, so it asks by order).
    pub same_payer_as: Option<String>,
    /// State.
    pub status: Option<OrderStatus>,
    /// Created at or after (Unix ms).
    pub created_from: Option<i64>,
    /// Created before (Unix ms).
    pub created_before: Option<i64>,
}

/// An order as the back office lists and shows it (it answers with a view of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// 商户订单号.
    pub out_trade_no: String,
    /// The payer (masked before it leaves the server).
    pub openid: String,
    /// Product.
    pub product_id: i64,
    /// Its name when ordered.
    pub product_name: String,
    /// Units.
    pub quantity: i64,
    /// Unit price.
    pub unit_price_fen: Fen,
    /// Total.
    pub total_fee: Fen,
    /// Sum of its SUCCESS refunds.
    pub refunded_fee: Fen,
    /// NOTPAY, PAID, CLOSED.
    pub status: OrderStatus,
    /// The API it was placed with (v2 with its sign type, or v3).
    pub api: crate::api::OrderApi,
    /// 微信支付单号, once paid.
    pub transaction_id: Option<String>,
    /// WeChat's payment time (`yyyyMMddHHmmss`, Beijing time), once paid.
    pub time_end: Option<String>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Payable until (Unix ms).
    pub expires_at: i64,
    /// Payment recorded (Unix ms).
    pub paid_at: Option<i64>,
    /// Closed (Unix ms).
    pub closed_at: Option<i64>,
    /// Paid after we had closed it.
    pub paid_after_close: bool,
    /// Paid after close when its units had gone to other orders.
    pub oversold: bool,
    /// Consecutive failed reconciler visits.
    pub failures: i64,
    /// The latest of those failures.
    pub last_error: Option<String>,
    /// A person marked its exception handled offline.
    pub handled: Option<Handled>,
}

/// "Handled offline": who, when, and what they wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handled {
    /// When (Unix ms).
    pub at: i64,
    /// Who (the audit actor).
    pub by: String,
    /// Their note.
    pub note: String,
}

pub(crate) fn handled_from_row(r: &AnyRow) -> Result<Option<Handled>> {
    Ok(match r.try_get::<Option<i64>, _>("handled_at")? {
        None => None,
        Some(at) => Some(Handled {
            at,
            by: r.try_get::<Option<String>, _>("handled_by")?.unwrap_or_default(),
            note: r.try_get::<Option<String>, _>("handled_note")?.unwrap_or_default(),
        }),
    })
}

/// The order's columns, and what the back office adds: the refunded sum and "handled offline".
pub(crate) static ROW_COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{}, refunded_fee, handled_at, handled_by, handled_note", super::orders::COLUMNS));

/// An [`OrderRow`] from a row of [`ROW_COLUMNS`]: the order as [`super::orders`] reads it, less
/// what the back office has no use for (the payer's IP, the prepay_id, the sent times).
pub(crate) fn row_from(r: &AnyRow) -> Result<OrderRow> {
    let o = super::orders::from_row(r)?;
    Ok(OrderRow {
        out_trade_no: o.out_trade_no,
        openid: o.openid,
        product_id: o.product_id,
        product_name: o.product_name,
        quantity: o.quantity,
        unit_price_fen: o.unit_price_fen,
        total_fee: o.total_fee,
        refunded_fee: super::money::fen(r, "refunded_fee")?,
        status: o.status,
        api: o.api,
        transaction_id: o.transaction_id,
        time_end: o.time_end,
        created_at: o.created_at,
        expires_at: o.expires_at,
        paid_at: o.paid_at,
        closed_at: o.closed_at,
        paid_after_close: o.paid_after_close,
        oversold: o.oversold,
        failures: o.failures,
        last_error: o.last_error,
        handled: handled_from_row(r)?,
    })
}

/// One page of a search.
#[derive(Debug, Clone)]
pub struct Page {
    /// Newest first.
    pub orders: Vec<OrderRow>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

/// The `WHERE` of `f` (and of the keyset bound `after`), with its arguments from `$1`.
fn where_clause<'a>(f: &'a OrderFilter, after: Option<&'a Cursor>) -> (String, Vec<Value<'a>>) {
    let mut terms: Vec<String> = Vec::new();
    let mut args: Vec<Value<'a>> = Vec::new();
    let mut push = |term: &str, a: Vec<Value<'a>>| {
        let mut t = term.to_owned();
        for (i, v) in a.into_iter().enumerate() {
            args.push(v);
            t = t.replace(&format!("?{i}"), &format!("${}", args.len()));
        }
        terms.push(t);
    };
    if let Some(v) = &f.out_trade_no {
        push("out_trade_no = ?0", vec![Value::Text(v)]);
    }
    if let Some(v) = &f.transaction_id {
        push("transaction_id = ?0", vec![Value::Text(v)]);
    }
    if let Some(v) = &f.refund_no {
        push(
            "out_trade_no IN (SELECT out_trade_no FROM refunds WHERE out_refund_no = ?0 UNION SELECT out_trade_no FROM refunds WHERE refund_id = ?0)",
            vec![Value::Text(v)],
        );
    }
    if let Some(v) = &f.openid {
        push("openid = ?0", vec![Value::Text(v)]);
    }
    if let Some(v) = &f.same_payer_as {
        push("openid = (SELECT openid FROM orders WHERE out_trade_no = ?0)", vec![Value::Text(v)]);
    }
    if let Some(s) = f.status {
        push("status = ?0", vec![Value::Text(s.as_str())]);
    }
    if let Some(t) = f.created_from {
        push("created_at >= ?0", vec![Value::Int(t)]);
    }
    if let Some(t) = f.created_before {
        push("created_at < ?0", vec![Value::Int(t)]);
    }
    if let Some(c) = after {
        // Row values: both SQLite and PostgreSQL bound an index range scan with them.
        push("(created_at, out_trade_no) < (?0, ?1)", vec![Value::Int(c.created_at), Value::Text(&c.out_trade_no)]);
    }
    let sql = if terms.is_empty() { String::new() } else { format!(" WHERE {}", terms.join(" AND ")) };
    (sql, args)
}

impl Orders<'_> {
    /// Orders matching `f`, newest first, `limit` (1..=[`MAX_PAGE`]) at a time, starting after
    /// `after`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn search(self, f: &OrderFilter, after: Option<&Cursor>, limit: i64) -> Result<Page> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (filter, args) = where_clause(f, after);
        let mut sql = Sql {
            text: format!("SELECT {} FROM orders{filter} ORDER BY created_at DESC, out_trade_no DESC LIMIT ", *ROW_COLUMNS),
            values: args,
        };
        // One more than asked: whether a next page exists, without a count.
        sql.value(Value::Int(limit + 1));
        let rows = sql.query().fetch_all(self.db.pool()).await?;
        let mut orders = rows.iter().map(row_from).collect::<Result<Vec<_>>>()?;
        let next = if orders.len() as i64 > limit {
            orders.truncate(limit as usize);
            orders.last().map(|o| Cursor { created_at: o.created_at, out_trade_no: o.out_trade_no.clone() })
        } else {
            None
        };
        Ok(Page { orders, next })
    }

    /// One order as the back office shows it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn row(self, out_trade_no: &str) -> Result<Option<OrderRow>> {
        let row = sqlx::query(&format!("SELECT {} FROM orders WHERE out_trade_no = $1", *ROW_COLUMNS))
            .bind(out_trade_no)
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(row_from).transpose()
    }

    /// What a search box's one term names, tried as each kind of number in turn (each a key or
    /// an indexed lookup): an order number, a transaction_id, a refund number, else a payer.
    ///
    /// # Errors
    /// Database errors.
    pub async fn resolve_term(self, term: &str) -> Result<OrderFilter> {
        let exists = |sql: &'static str| async move {
            Ok::<bool, Error>(sqlx::query(sql).bind(term).fetch_optional(self.db.pool()).await?.is_some())
        };
        let mut f = OrderFilter::default();
        if exists("SELECT 1 FROM orders WHERE out_trade_no = $1").await? {
            f.out_trade_no = Some(term.to_owned());
        } else if exists("SELECT 1 FROM orders WHERE transaction_id = $1").await? {
            f.transaction_id = Some(term.to_owned());
        } else if exists("SELECT 1 FROM refunds WHERE out_refund_no = $1 OR refund_id = $1").await? {
            f.refund_no = Some(term.to_owned());
        } else {
            f.openid = Some(term.to_owned());
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_refuses_junk() {
        let c = Cursor { created_at: 1_795_463_723_575, out_trade_no: "20261124035523AWFL7TQRM1".into() };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        for bad in ["", "x.y", "12", "12.", "-", &format!("1.{}", "A".repeat(33))] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn filters_bind_in_order() {
        let f = OrderFilter { status: Some(OrderStatus::Paid), created_from: Some(5), ..Default::default() };
        let c = Cursor { created_at: 9, out_trade_no: "N".into() };
        let (sql, args) = where_clause(&f, Some(&c));
        assert_eq!(sql, " WHERE status = $1 AND created_at >= $2 AND (created_at, out_trade_no) < ($3, $4)");
        assert_eq!(args.len(), 4);
        let f = OrderFilter { refund_no: Some("R1".into()), ..Default::default() };
        assert!(where_clause(&f, None).0.contains("out_refund_no = $1 UNION SELECT out_trade_no FROM refunds WHERE refund_id = $1"));
    }
}
