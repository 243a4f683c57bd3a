//! Orders and their state machine: NOTPAY → PAID | CLOSED, each move a conditional update.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use wxpay::Fen;

use super::money;
use crate::api::OrderApi;
use crate::config::PayerLimits;

use super::products::{release_on, reserve_on, Reserved};
use super::sql::Value;
use super::transition::{apply, decode, undecodable, Expr, Move, Moved, Stateful};
use super::{Audit, Db};
use crate::error::{Error, Result};

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    /// Waiting for payment.
    Notpay,
    /// Paid (notify or orderquery said so).
    Paid,
    /// Closed unpaid.
    Closed,
}

impl OrderStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Notpay => "NOTPAY",
            OrderStatus::Paid => "PAID",
            OrderStatus::Closed => "CLOSED",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        match s {
            "NOTPAY" => Ok(OrderStatus::Notpay),
            "PAID" => Ok(OrderStatus::Paid),
            "CLOSED" => Ok(OrderStatus::Closed),
            other => Err(Error::Internal(format!("unknown order status {other:?} in the database"))),
        }
    }
}

/// How many orders a payer's list shows, newest first.
pub const LIST_LIMIT: i64 = 100;

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Our order number, also WeChat's `out_trade_no`.
    pub out_trade_no: String,
    /// The payer.
    pub openid: String,
    /// What was bought.
    pub product_id: i64,
    /// Its name when ordered (the `body`).
    pub product_name: String,
    /// How many.
    pub quantity: i64,
    /// Unit price when ordered.
    pub unit_price_fen: Fen,
    /// `unit_price_fen × quantity`, the `total_fee`.
    pub total_fee: Fen,
    /// State.
    pub status: OrderStatus,
    /// The API the order was placed with: v2 with its sign type (its notify is signed with it,
    /// and so is a renewed unifiedorder), or v3.
    pub api: OrderApi,
    /// The payer's IP as sent to unifiedorder.
    pub spbill_create_ip: String,
    /// `time_start` as sent (kept so a retry sends identical parameters).
    pub time_start: String,
    /// `time_expire` as sent.
    pub time_expire: String,
    /// `time_expire` as Unix ms.
    pub expires_at: i64,
    /// The prepay_id once unifiedorder answered.
    pub prepay_id: Option<String>,
    /// When the prepay_id stops being valid (Unix ms).
    pub prepay_expires_at: Option<i64>,
    /// WeChat's transaction id once paid.
    pub transaction_id: Option<String>,
    /// WeChat's payment time once paid.
    pub time_end: Option<String>,
    /// When we recorded the payment (Unix ms).
    pub paid_at: Option<i64>,
    /// When we closed it (Unix ms).
    pub closed_at: Option<i64>,
    /// When WeChat was last asked about it (Unix ms).
    pub checked_at: Option<i64>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// WeChat reported the payment after we had closed the order: refund it or ship it.
    pub paid_after_close: bool,
    /// Consecutive failed reconciler visits.
    pub failures: i64,
    /// The latest of those failures.
    pub last_error: Option<String>,
    /// Its units are off the product's stock (held while unpaid, sold once paid).
    pub stock_reserved: bool,
    /// Paid after we closed it, when its units had gone to other orders: refund it or restock.
    pub oversold: bool,
}

/// An order to store: NOTPAY, as checkout makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Our order number, also WeChat's `out_trade_no`.
    pub out_trade_no: String,
    /// The payer.
    pub openid: String,
    /// What is bought.
    pub product_id: i64,
    /// Its name now (the `body`).
    pub product_name: String,
    /// How many.
    pub quantity: i64,
    /// Unit price now.
    pub unit_price_fen: Fen,
    /// `unit_price_fen × quantity`, the `total_fee`.
    pub total_fee: Fen,
    /// The API it is placed with: v2 with the sign type of the unifiedorder (and so of its
    /// notify), or v3.
    pub api: OrderApi,
    /// The payer's IP as sent to unifiedorder.
    pub spbill_create_ip: String,
    /// `time_start` as sent.
    pub time_start: String,
    /// `time_expire` as sent.
    pub time_expire: String,
    /// `time_expire` as Unix ms.
    pub expires_at: i64,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Take its units off the product's stock with the insert (an order from the API), or not
    /// (a fixture).
    pub take_stock: bool,
}

/// An order as the admin page lists it (it answers with a view of it).
#[derive(Debug, Clone)]
pub struct OrderSummary {
    /// Order number.
    pub out_trade_no: String,
    /// Product.
    pub product_name: String,
    /// Quantity.
    pub quantity: i64,
    /// Total.
    pub total_fee: Fen,
    /// State.
    pub status: String,
    /// Sum of successful refunds.
    pub refunded_fee: Fen,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Paid (Unix ms).
    pub paid_at: Option<i64>,
}

/// What a payer holds now: unpaid, still payable orders, the units they keep off the stock,
/// and orders created in the last hour.
#[derive(Debug, Clone, Copy)]
struct Holds {
    open: i64,
    units: i64,
    last_hour: i64,
}

impl Holds {
    /// Why one more order of `quantity` units would pass a limit, if it would.
    fn refusal(&self, l: &PayerLimits, quantity: i64) -> Option<String> {
        if self.open >= l.open_orders {
            Some(format!("too many unpaid orders: at most {} at once; pay or let the unpaid ones expire", l.open_orders))
        } else if self.units + quantity > l.held_units {
            Some(format!(
                "unpaid orders may hold at most {} units at once ({} held now); pay or let the unpaid ones expire",
                l.held_units, self.units
            ))
        } else if self.last_hour >= l.orders_per_hour {
            Some(format!("too many orders: at most {} per hour", l.orders_per_hour))
        } else {
            None
        }
    }
}

async fn payer_holds(conn: &mut AnyConnection, openid: &str, now: i64) -> Result<Holds> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'NOTPAY' AND expires_at > $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
         CAST(COALESCE(SUM(CASE WHEN status = 'NOTPAY' AND expires_at > $2 AND stock_reserved = 1 THEN quantity ELSE 0 END), 0) AS BIGINT) AS units, \
         CAST(COALESCE(SUM(CASE WHEN created_at >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS recent \
         FROM orders WHERE openid = $1",
    )
    .bind(openid)
    .bind(now)
    .bind(now - 3_600_000)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Holds { open: r.try_get("open")?, units: r.try_get("units")?, last_hour: r.try_get("recent")? })
}

pub(super) const COLUMNS: &str = "out_trade_no, openid, product_id, product_name, quantity, unit_price_fen, total_fee, status, \
    sign_type, spbill_create_ip, time_start, time_expire, expires_at, prepay_id, prepay_expires_at, transaction_id, \
    time_end, paid_at, closed_at, checked_at, created_at, paid_after_close, failures, last_error, stock_reserved, oversold, api_version";

pub(super) fn from_row(r: &AnyRow) -> Result<Order> {
    Ok(Order {
        out_trade_no: r.try_get("out_trade_no")?,
        openid: r.try_get("openid")?,
        product_id: r.try_get("product_id")?,
        product_name: r.try_get("product_name")?,
        quantity: r.try_get("quantity")?,
        unit_price_fen: money::fen(r, "unit_price_fen")?,
        total_fee: money::fen(r, "total_fee")?,
        status: OrderStatus::parse(&r.try_get::<String, _>("status")?)?,
        api: OrderApi::from_columns(&r.try_get::<String, _>("api_version")?, &r.try_get::<String, _>("sign_type")?)?,
        spbill_create_ip: r.try_get("spbill_create_ip")?,
        time_start: r.try_get("time_start")?,
        time_expire: r.try_get("time_expire")?,
        expires_at: r.try_get("expires_at")?,
        prepay_id: r.try_get("prepay_id")?,
        prepay_expires_at: r.try_get("prepay_expires_at")?,
        transaction_id: r.try_get("transaction_id")?,
        time_end: r.try_get("time_end")?,
        paid_at: r.try_get("paid_at")?,
        closed_at: r.try_get("closed_at")?,
        checked_at: r.try_get("checked_at")?,
        created_at: r.try_get("created_at")?,
        paid_after_close: r.try_get::<i64, _>("paid_after_close")? != 0,
        failures: r.try_get("failures")?,
        last_error: r.try_get("last_error")?,
        stock_reserved: r.try_get::<i64, _>("stock_reserved")? != 0,
        oversold: r.try_get::<i64, _>("oversold")? != 0,
    })
}

impl<'r> sqlx::FromRow<'r, AnyRow> for Order {
    fn from_row(r: &'r AnyRow) -> std::result::Result<Self, sqlx::Error> {
        from_row(r).map_err(undecodable)
    }
}

impl Stateful for Order {
    const TABLE: &'static str = "orders";
    const KEY: &'static str = "out_trade_no";
    const ENTITY: &'static str = "order";
    const COLUMNS: &'static str = COLUMNS;
}

/// A move of an order `from → to`, setting `set` besides (see `transition.rs`).
fn order_move<'a>(
    no: &'a str,
    (from, to): (OrderStatus, OrderStatus),
    set: Vec<(&'static str, Expr<'a>)>,
    action: &'a str,
    detail: Option<&'a str>,
) -> Move<'a> {
    Move { key: no, from: from.as_str(), to: to.as_str(), set, holder: None, action, detail }
}

/// What [`Orders::mark_paid`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaidOutcome {
    /// This call moved the order to PAID (from the given state).
    Applied {
        /// NOTPAY, or CLOSED for a payment WeChat reports after we closed.
        from: OrderStatus,
        /// From CLOSED, its units had gone to other orders: flagged for the merchant.
        oversold: bool,
    },
    /// It was already PAID; `same_transaction` tells whether with this transaction_id.
    AlreadyPaid {
        /// The stored transaction_id equals the reported one.
        same_transaction: bool,
    },
    /// No such order.
    NotFound,
}

/// A payment to record: what [`Orders::mark_paid`] is given.
#[derive(Debug, Clone)]
pub struct PaidRecord {
    /// The order (`out_trade_no`).
    pub no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// When it was paid (`yyyyMMddHHmmss`, Beijing time).
    pub time_end: String,
    /// The move's time (Unix ms).
    pub now: i64,
    /// The audit row's actor.
    pub actor: String,
    /// The audit row's detail (the raw notify).
    pub detail: String,
}

/// [`Orders::mark_paid`] on `conn`, inside the caller's transaction: NOTPAY → PAID, else
/// CLOSED → PAID (WeChat reporting a payment after we closed), else says what is there.
pub(crate) async fn mark_paid_on(conn: &mut AnyConnection, p: &PaidRecord) -> Result<PaidOutcome> {
    let mut from = OrderStatus::Notpay;
    loop {
        let mut set = vec![
            ("transaction_id", Expr::To(Value::Text(&p.transaction_id))),
            ("time_end", Expr::To(Value::Text(&p.time_end))),
            ("paid_at", Expr::Now),
        ];
        // A payment for an order we had closed is still a payment: recorded, and flagged for a
        // person (refund it or ship it).
        if from == OrderStatus::Closed {
            set.push(("paid_after_close", Expr::Sql("1")));
        }
        set.extend([("failures", Expr::Sql("0")), ("next_check_at", Expr::Null)]);
        let m = order_move(&p.no, (from, OrderStatus::Paid), set, "order.paid", Some(&p.detail));
        match apply::<Order>(conn, &m, p.now, &p.actor).await? {
            Moved::Applied(o) => {
                let oversold = from == OrderStatus::Closed && !retake_stock_on(conn, &o, p.now, &p.actor).await?;
                return Ok(PaidOutcome::Applied { from, oversold });
            }
            Moved::Missing => return Ok(PaidOutcome::NotFound),
            Moved::ByOther { now } => match now.status {
                OrderStatus::Paid => {
                    let same_transaction = now.transaction_id.as_deref() == Some(p.transaction_id.as_str());
                    return Ok(PaidOutcome::AlreadyPaid { same_transaction });
                }
                OrderStatus::Closed if from == OrderStatus::Notpay => from = OrderStatus::Closed,
                // Neither NOTPAY nor CLOSED a moment ago, and not PAID now: states only move
                // forward, so this cannot happen; refuse rather than guess.
                other => return Err(Error::Internal(format!("order {} in unexpected state {other:?}", p.no))),
            },
        }
    }
}

/// Gives a just-closed order's units back to its product, inside the transaction that closed
/// it: once, since the flag moves 1 → 0 in a conditional update. Returns whether they came back.
async fn release_stock_on(conn: &mut AnyConnection, no: &str, now: i64, actor: &str) -> Result<bool> {
    let row = sqlx::query(
        "UPDATE orders SET stock_reserved = 0 WHERE out_trade_no = $1 AND status = 'CLOSED' AND stock_reserved = 1 \
         RETURNING product_id, quantity",
    )
    .bind(no)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(false) };
    let (product_id, quantity): (i64, i64) = (row.try_get("product_id")?, row.try_get("quantity")?);
    release_on(conn, product_id, quantity).await?;
    let detail = format!("product {product_id}: {quantity} back in stock");
    stock_audit(no, "order.stock_released", &detail, now, actor).write(conn).await?;
    Ok(true)
}

/// A payment for an order we had closed (whose units went back): takes them again, inside the
/// transaction that records the payment. Returns false when they are no longer there, and then
/// flags the order `oversold` (never takes more than is left).
async fn retake_stock_on(conn: &mut AnyConnection, o: &Order, now: i64, actor: &str) -> Result<bool> {
    let (no, product_id, quantity) = (o.out_trade_no.as_str(), o.product_id, o.quantity);
    if o.stock_reserved {
        return Ok(true);
    }
    match reserve_on(conn, product_id, quantity).await? {
        Reserved::Untracked => Ok(true),
        Reserved::Taken => {
            sqlx::query("UPDATE orders SET stock_reserved = 1 WHERE out_trade_no = $1").bind(no).execute(&mut *conn).await?;
            let detail = format!("product {product_id}: {quantity} taken again for a payment after close");
            stock_audit(no, "order.stock_retaken", &detail, now, actor).write(conn).await?;
            Ok(true)
        }
        Reserved::Short { available } => {
            sqlx::query("UPDATE orders SET oversold = 1 WHERE out_trade_no = $1").bind(no).execute(&mut *conn).await?;
            let detail = format!("product {product_id}: paid for {quantity} after close, {available} left: refund or restock");
            stock_audit(no, "order.oversold", &detail, now, actor).write(conn).await?;
            Ok(false)
        }
    }
}

fn stock_audit<'a>(no: &'a str, action: &'a str, detail: &'a str, now: i64, actor: &'a str) -> Audit<'a> {
    Audit { at: now, actor, action, entity: "order", entity_id: no, from_status: None, to_status: None, detail: Some(detail) }
}

/// The `orders` table.
#[derive(Clone, Copy)]
pub struct Orders<'a> {
    pub(super) db: &'a Db,
}

impl Orders<'_> {
    /// Inserts a new NOTPAY order and its `order.created` audit row.
    ///
    /// # Errors
    /// As [`Orders::insert_with_key`].
    pub async fn insert(self, o: &NewOrder, actor: &str) -> Result<Order> {
        self.insert_with_key(o, None, None, actor).await
    }

    /// [`Orders::insert`] with the client's Idempotency-Key: a second order with the same
    /// key for the same payer is a [`Error::Conflict`]. With `o.take_stock` the order's units
    /// are taken off its product's stock in the same transaction (first), so an order that is
    /// not stored (a duplicate key) takes nothing, and no two orders take the same unit.
    /// With `limits`, the payer's open orders, held units and orders of the last hour are
    /// counted in that same transaction, after the stock (so too little stock is said first)
    /// and after the payer's other checkouts (serialized per payer, on every instance), so no
    /// burst of checkouts gets past them.
    /// Returns the order as stored: `stock_reserved` says whether units were taken (not for a
    /// product whose stock is not tracked).
    ///
    /// # Errors
    /// [`Error::OutOfStock`] (nothing stored), [`Error::RateLimited`] past a limit (nothing
    /// stored), [`Error::Conflict`] on a duplicate `out_trade_no` or key, database errors.
    pub async fn insert_with_key(self, o: &NewOrder, key: Option<&str>, limits: Option<&PayerLimits>, actor: &str) -> Result<Order> {
        let mut tx = self.db.begin_write().await?;
        let reserved = match o.take_stock {
            false => false,
            true => match reserve_on(&mut tx, o.product_id, o.quantity).await? {
                Reserved::Taken => true,
                Reserved::Untracked => false,
                Reserved::Short { available } => return Err(Error::OutOfStock { available }),
            },
        };
        if let Some(limits) = limits {
            self.lock_payer(&mut tx, &o.openid).await?;
            let held = payer_holds(&mut tx, &o.openid, o.created_at).await?;
            if let Some(why) = held.refusal(limits, if reserved { o.quantity } else { 0 }) {
                tx.rollback().await?;
                tracing::warn!(openid = %o.openid, open = held.open, units = held.units, last_hour = held.last_hour, "order creation limited");
                return Err(Error::RateLimited(why));
            }
        }
        let row = sqlx::query(&format!(
            "INSERT INTO orders (out_trade_no, openid, product_id, product_name, quantity, unit_price_fen, total_fee, \
             status, sign_type, spbill_create_ip, time_start, time_expire, expires_at, created_at, updated_at, idempotency_key, \
             stock_reserved, api_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17) RETURNING {COLUMNS}"
        ))
        .bind(&o.out_trade_no)
        .bind(&o.openid)
        .bind(o.product_id)
        .bind(&o.product_name)
        .bind(o.quantity)
        .bind(money::bind(o.unit_price_fen)?)
        .bind(money::bind(o.total_fee)?)
        .bind(OrderStatus::Notpay.as_str())
        .bind(o.api.sign_type_str())
        .bind(&o.spbill_create_ip)
        .bind(&o.time_start)
        .bind(&o.time_expire)
        .bind(o.expires_at)
        .bind(o.created_at)
        .bind(key)
        .bind(i64::from(reserved))
        .bind(o.api.version().as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::from(e).on_unique_violation("order"))?;
        let order: Order = decode(&row)?;
        let held = if reserved { "; taken off the stock" } else { "" };
        let detail = format!("product {} × {} = {} fen{held}", o.product_id, o.quantity, o.total_fee);
        Audit {
            at: o.created_at,
            actor,
            action: "order.created",
            entity: "order",
            entity_id: &o.out_trade_no,
            from_status: None,
            to_status: Some(OrderStatus::Notpay.as_str()),
            detail: Some(&detail),
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Records the prepay_id of a NOTPAY order ([`Moved::ByOther`]: no longer NOTPAY).
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_prepay(self, no: &str, prepay_id: &str, valid_until: i64, now: i64, actor: &str) -> Result<Moved<Order>> {
        let set = vec![("prepay_id", Expr::To(Value::Text(prepay_id))), ("prepay_expires_at", Expr::To(Value::Int(valid_until)))];
        let m = order_move(no, (OrderStatus::Notpay, OrderStatus::Notpay), set, "order.prepaid", Some(prepay_id));
        self.db.transition(&m, now, actor).await
    }

    /// Moves a NOTPAY order to CLOSED and gives its units back to the stock, in one
    /// transaction. Of concurrent closers, one gets [`Moved::Applied`], and the units come back
    /// once.
    ///
    /// # Errors
    /// Database errors.
    pub async fn close(self, no: &str, now: i64, actor: &str, detail: &str) -> Result<Moved<Order>> {
        let m = order_move(no, (OrderStatus::Notpay, OrderStatus::Closed), vec![("closed_at", Expr::Now)], "order.closed", Some(detail));
        let mut tx = self.db.begin_write().await?;
        let mut moved = apply::<Order>(&mut tx, &m, now, actor).await?;
        if let Moved::Applied(o) = &mut moved {
            if release_stock_on(&mut tx, no, now, actor).await? {
                o.stock_reserved = false;
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Notes that the order was just checked with WeChat (no state change, no audit).
    ///
    /// # Errors
    /// Database errors.
    pub async fn touch_checked(self, no: &str, now: i64) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE orders SET checked_at = $1, failures = 0, next_check_at = NULL, last_error = NULL WHERE out_trade_no = $2")
            .bind(now)
            .bind(no)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Notes a failed reconciler visit: `why`, and not again before `next`. Returns the
    /// consecutive failures so far.
    ///
    /// # Errors
    /// Database errors.
    pub async fn note_failure(self, no: &str, why: &str, now: i64, next: i64) -> Result<i64> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE orders SET checked_at = $1, failures = failures + 1, next_check_at = $2, last_error = $3 WHERE out_trade_no = $4 \
             RETURNING failures",
        )
        .bind(now)
        .bind(next)
        .bind(why)
        .bind(no)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.map(|r| r.try_get::<i64, _>("failures")).transpose()?.unwrap_or(0))
    }

    /// The payer's order made with Idempotency-Key `key`, if any.
    ///
    /// # Errors
    /// Database errors.
    pub async fn by_key(self, openid: &str, key: &str) -> Result<Option<Order>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM orders WHERE openid = $1 AND idempotency_key = $2"))
            .bind(openid)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Serializes the checkouts of one payer across instances until the transaction ends
    /// (PostgreSQL: a transaction-scoped advisory lock; SQLite: writers already take turns).
    async fn lock_payer(self, tx: &mut AnyConnection, openid: &str) -> Result<()> {
        if self.db.backend() == super::Backend::Postgres {
            use sha2::Digest as _;
            let h = sha2::Sha256::digest(openid.as_bytes());
            let key = i64::from_be_bytes(h[..8].try_into().unwrap_or_default());
            sqlx::query("SELECT CAST(pg_advisory_xact_lock($1) AS TEXT)").bind(key).execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// One order.
    ///
    /// # Errors
    /// Database errors.
    pub async fn get(self, no: &str) -> Result<Option<Order>> {
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM orders WHERE out_trade_no = $1")).bind(no).fetch_optional(self.db.pool()).await?;
        row.as_ref().map(decode).transpose()
    }

    /// A payer's orders, newest first (at most [`LIST_LIMIT`]).
    ///
    /// # Errors
    /// Database errors.
    pub async fn of_payer(self, openid: &str) -> Result<Vec<Order>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM orders WHERE openid = $1 ORDER BY created_at DESC, out_trade_no DESC LIMIT $2"))
                .bind(openid)
                .bind(LIST_LIMIT)
                .fetch_all(self.db.pool())
                .await?;
        rows.iter().map(decode).collect()
    }

    /// The user's newest NOTPAY order for the same product and quantity whose prepay_id is
    /// valid until after `valid_after` (a double tap returns it instead of a second order).
    ///
    /// # Errors
    /// Database errors.
    pub async fn reusable(self, openid: &str, product_id: i64, quantity: i64, valid_after: i64) -> Result<Option<Order>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM orders WHERE openid = $1 AND product_id = $2 AND quantity = $3 AND status = 'NOTPAY' \
             AND prepay_id IS NOT NULL AND prepay_expires_at > $4 AND expires_at > $4 \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(openid)
        .bind(product_id)
        .bind(quantity)
        .bind(valid_after)
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// NOTPAY orders created before `created_before` that the reconciler should visit now: past
    /// their back-off, least recently checked first (so every order gets its turn however many
    /// keep failing), then oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn due_unpaid(self, created_before: i64, now: i64, limit: i64) -> Result<Vec<Order>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM orders WHERE status = 'NOTPAY' AND created_at < $1 AND COALESCE(next_check_at, 0) <= $2 \
             ORDER BY COALESCE(checked_at, 0), created_at, out_trade_no LIMIT $3"
        ))
        .bind(created_before)
        .bind(now)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(decode).collect()
    }
}

impl Orders<'_> {
    /// The newest orders (at most 100), for the admin page.
    ///
    /// # Errors
    /// Database errors.
    pub async fn recent(self) -> Result<Vec<OrderSummary>> {
        let rows = sqlx::query(
            "SELECT out_trade_no, product_name, quantity, total_fee, status, refunded_fee, created_at, paid_at FROM orders \
             ORDER BY created_at DESC, out_trade_no DESC LIMIT 100",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderSummary {
                    out_trade_no: r.try_get("out_trade_no")?,
                    product_name: r.try_get("product_name")?,
                    quantity: r.try_get("quantity")?,
                    total_fee: money::fen(r, "total_fee")?,
                    status: r.try_get("status")?,
                    refunded_fee: money::fen(r, "refunded_fee")?,
                    created_at: r.try_get("created_at")?,
                    paid_at: r.try_get("paid_at")?,
                })
            })
            .collect()
    }
}
