//! A payer's checkout: the server prices the order, takes its units off the stock and gets
//! WeChat's prepay_id, once per checkout however often it is sent; and an order's state when its
//! payer asks (WeChat asked first, at most once per interval across instances).

use std::net::IpAddr;

use crate::api::{ApiVersion, OrderApi};
use crate::clock::beijing14;
use crate::db::orders::{NewOrder, Order, OrderStatus};
use crate::error::{Error, Result};
use crate::payments::{self, Payment};
use crate::AppState;

/// At most this many of one product per order.
pub const MAX_QUANTITY: i64 = 99;

/// A client polling an unpaid order asks WeChat at most this often per order, across instances
/// (orderquery has a rate limit).
const QUERY_EVERY_MS: i64 = 2_000;

/// WeChat's `body` is at most 128 bytes.
const MAX_BODY_BYTES: usize = 128;

/// A checkout as the payer sent it.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The payer.
    pub openid: String,
    /// The payer's address, for `spbill_create_ip`.
    pub ip: IpAddr,
    /// What, and how many.
    pub product_id: i64,
    /// 1 to [`MAX_QUANTITY`].
    pub quantity: i64,
    /// The client's name for this checkout (`Idempotency-Key`), if it gave one.
    pub key: Option<String>,
}

/// What a checkout gave.
#[derive(Debug)]
pub enum Outcome {
    /// A new order, with what `wx.requestPayment` needs.
    Created(Order, Payment),
    /// The order this checkout already made (or an identical one still payable), to pay.
    Payable(Order, Payment),
    /// The order this checkout already made, paid already.
    Paid(Order),
}

/// `yyyyMMddHHmmss` + 10 random characters: 24 of WeChat's allowed alphabet, unique enough
/// that a collision is a 409, not a silent overwrite.
fn new_out_trade_no(now_secs: i64) -> Result<String> {
    Ok(format!("{}{}", beijing14(now_secs), &wxpay::nonce_str()?[..10]))
}

/// A payable order's payment parameters (a prepay_id reused while valid), and the order as
/// stored after that.
///
/// # Errors
/// [`Error::Conflict`] if the order is no longer payable; upstream errors.
pub async fn payable(state: &AppState, order: Order, actor: &str) -> Result<(Order, Payment)> {
    let prepay_id = payments::ensure_prepay(state, &order, actor).await?;
    let payment = payments::payment(state, &order, &prepay_id)?;
    let fresh = state.db.orders().get(&order.out_trade_no).await?.unwrap_or(order);
    Ok((fresh, payment))
}

/// The order a checkout's Idempotency-Key already made, answered again.
async fn existing(state: &AppState, o: Order, c: &Checkout, actor: &str) -> Result<Outcome> {
    if o.product_id != c.product_id || o.quantity != c.quantity {
        return Err(Error::Invalid("this Idempotency-Key was used for another order".into()));
    }
    match o.status {
        OrderStatus::Notpay => {
            let (o, p) = payable(state, o, actor).await?;
            Ok(Outcome::Payable(o, p))
        }
        OrderStatus::Paid => Ok(Outcome::Paid(o)),
        OrderStatus::Closed => Err(Error::Conflict("this checkout's order is closed; start a new checkout".into())),
    }
}

/// Makes (or finds again) the order of checkout `c`. Refused before anything goes to WeChat:
/// a bad quantity, an unknown product, past the payer's limits (`WXPAY_MAX_*`), too little stock
/// ([`Error::OutOfStock`]).
///
/// # Errors
/// As above; upstream errors (a definite refusal closes the new order and gives its units back).
pub async fn check_out(state: &AppState, c: &Checkout) -> Result<Outcome> {
    let (openid, key) = (&c.openid, &c.key);
    if !(1..=MAX_QUANTITY).contains(&c.quantity) {
        return Err(Error::Invalid(format!("quantity must be 1 to {MAX_QUANTITY}")));
    }
    let product = state.db.products().get(c.product_id).await?.ok_or_else(|| Error::Invalid("unknown product_id".into()))?;
    let total_fee = product.price_fen.checked_mul(c.quantity as u64).ok_or_else(|| Error::Invalid("amount too large".into()))?;
    let actor = format!("user:{openid}");
    let now = state.clock.now_ms();

    // The same checkout again (a double tap, a retry after a network error): the same order.
    if let Some(k) = &key {
        if let Some(o) = state.db.orders().by_key(openid, k).await? {
            return existing(state, o, c, &actor).await;
        }
    }
    // Without a key, a double tap while an identical order is still payable gets that order back.
    if key.is_none() {
        if let Some(o) = state.db.orders().reusable(openid, product.id, c.quantity, now + 60_000).await? {
            let (o, p) = payable(state, o, &actor).await?;
            return Ok(Outcome::Payable(o, p));
        }
    }
    // The name as WeChat will show it: what `body` can carry, at most 128 bytes.
    let body = match wxpay::validate::clean_text(&product.name, MAX_BODY_BYTES) {
        b if b.is_empty() => format!("product {}", product.id),
        b => b,
    };

    let now_secs = now.div_euclid(1000);
    let ttl = state.settings.order_ttl.as_secs() as i64;
    let new = NewOrder {
        out_trade_no: new_out_trade_no(now_secs)?,
        openid: openid.clone(),
        product_id: product.id,
        product_name: body,
        quantity: c.quantity,
        unit_price_fen: product.price_fen,
        total_fee,
        api: match state.settings.api_version {
            ApiVersion::V2 => OrderApi::V2(state.settings.v2()?.sign_type),
            ApiVersion::V3 => OrderApi::V3,
        },
        spbill_create_ip: c.ip.to_string(),
        time_start: beijing14(now_secs),
        time_expire: beijing14(now_secs + ttl),
        expires_at: (now_secs + ttl) * 1000,
        created_at: now,
        // Taken off the stock with the insert, before anything goes to WeChat.
        take_stock: true,
    };
    // The payer's limits (open orders, held units, orders an hour) are counted in the
    // transaction that takes the stock: a burst of checkouts cannot all pass them.
    let order = match state.db.orders().insert_with_key(&new, key.as_deref(), Some(&state.settings.limits), &actor).await {
        Ok(o) => o,
        // The same key raced in from another tap or instance: its order is the answer (it may
        // also have taken the last units, which is why this one found too few).
        Err(e @ (Error::Conflict(_) | Error::OutOfStock { .. })) => match &key {
            Some(k) => match state.db.orders().by_key(openid, k).await? {
                Some(o) => return existing(state, o, c, &actor).await,
                None => return Err(e),
            },
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    tracing::info!(out_trade_no = %order.out_trade_no, %total_fee, reserved = order.stock_reserved, "order created");
    match payable(state, order.clone(), &actor).await {
        Ok((o, p)) => Ok(Outcome::Created(o, p)),
        Err(e) => {
            // A definite refusal means this order can never be paid: close it now. After a
            // network failure or SYSTEMERROR WeChat may hold it: the reconciler decides.
            if let Error::Upstream { code, .. } = &e {
                let (outcome, call) = match order.api {
                    OrderApi::V2(_) => (wxpay::codes::outcome(wxpay::codes::Call::UnifiedOrder, code), "unifiedorder"),
                    OrderApi::V3 => (wxpay::codes::v3_outcome(wxpay::codes::Call::UnifiedOrder, code), "prepay (v3)"),
                };
                if outcome == wxpay::codes::CallOutcome::NotDone {
                    state.db.orders().close(&order.out_trade_no, state.clock.now_ms(), &actor, &format!("{call}: {code}")).await?;
                }
            }
            Err(e)
        }
    }
}

/// The order as its payer should see it now: an unpaid one is first asked of WeChat (the notify
/// may be late or lost), at most once per interval however many clients and instances poll; a
/// failure there answers the stored state.
///
/// # Errors
/// Database errors.
pub async fn current(state: &AppState, order: Order) -> Result<Order> {
    let now = state.clock.now_ms();
    // The right to ask is a conditional update.
    if order.status == OrderStatus::Notpay && state.db.claims().order_check(&order.out_trade_no, now, now - QUERY_EVERY_MS).await? {
        if let Err(e) = payments::sync(state, &order, "api:orderquery").await {
            tracing::warn!(out_trade_no = %order.out_trade_no, error = %e, "orderquery failed; answering the stored state");
        }
        return state.db.orders().get(&order.out_trade_no).await?.ok_or(Error::NotFound("order"));
    }
    Ok(order)
}
