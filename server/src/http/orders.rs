//! Orders: create (the server computes `total_fee` and takes the units off the stock), pay
//! again, list, detail. An order's JSON carries its refund story: `refunds`, `refunded_fee` and
//! `refund_summary`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::refunds::RefundView;
use super::{ApiJson, ClientIp, User};
use crate::clock::beijing14;
use crate::db::orders::{Order, OrderStatus};
use crate::db::refunds::{Refund, RefundState};
use crate::error::{Error, Result};
use crate::payments::{self, Payment};
use crate::AppState;

/// At most this many of one product per order.
const MAX_QUANTITY: i64 = 99;

/// A client polling an unpaid order asks WeChat at most this often per order, across instances
/// (orderquery has a rate limit).
const QUERY_EVERY_MS: i64 = 2_000;

/// Unpaid, still payable orders one payer may hold at once.
const MAX_OPEN_ORDERS: i64 = 20;

/// Orders one payer may create per hour.
const MAX_ORDERS_PER_HOUR: i64 = 60;

/// WeChat's `body` is at most 128 bytes.
const MAX_BODY_BYTES: usize = 128;

/// The `Idempotency-Key` header: the client's name for one checkout.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let key =
        v.to_str().ok().filter(|k| (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)));
    key.map(|k| Some(k.to_owned())).ok_or_else(|| Error::Invalid("Idempotency-Key must be 1 to 64 of A-Z a-z 0-9 - _ . :".into()))
}

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/orders", post(create).get(list))
        .route("/api/orders/{out_trade_no}", get(detail))
        .route("/api/orders/{out_trade_no}/pay", post(pay_again))
}

/// How much of a paid order came back, from its SUCCESS refunds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundSummary {
    /// Nothing refunded (yet).
    None,
    /// Some of it.
    PartlyRefunded,
    /// All of it.
    FullyRefunded,
}

/// An order as the client sees it, with its refunds (oldest first).
#[derive(Debug, Serialize)]
pub struct OrderView {
    out_trade_no: String,
    product_id: i64,
    product_name: String,
    quantity: i64,
    total_fee: i64,
    status: OrderStatus,
    transaction_id: Option<String>,
    created_at: i64,
    expires_at: i64,
    paid_at: Option<i64>,
    /// The sum of the SUCCESS refunds in `refunds` (so the answer agrees with itself).
    refunded_fee: i64,
    refund_summary: RefundSummary,
    refunds: Vec<RefundView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<Payment>,
}

impl OrderView {
    /// `o` with `refunds`, all of them its own.
    fn new(o: Order, refunds: Vec<Refund>) -> Self {
        let refunded_fee: i64 = refunds.iter().filter(|r| r.status == RefundState::Success).map(|r| r.refund_fee).sum();
        let refund_summary = match refunded_fee {
            0 => RefundSummary::None,
            f if f >= o.total_fee => RefundSummary::FullyRefunded,
            _ => RefundSummary::PartlyRefunded,
        };
        OrderView {
            out_trade_no: o.out_trade_no,
            product_id: o.product_id,
            product_name: o.product_name,
            quantity: o.quantity,
            total_fee: o.total_fee,
            status: o.status,
            transaction_id: o.transaction_id,
            created_at: o.created_at,
            expires_at: o.expires_at,
            paid_at: o.paid_at,
            refunded_fee,
            refund_summary,
            refunds: refunds.into_iter().map(RefundView::from).collect(),
            payment: None,
        }
    }

    /// `o` with its refunds (only a PAID order can have any).
    async fn of(state: &AppState, o: Order) -> Result<Self> {
        let refunds = match o.status {
            OrderStatus::Paid => state.db.refunds_of_order(&o.out_trade_no).await?,
            OrderStatus::Notpay | OrderStatus::Closed => Vec::new(),
        };
        Ok(OrderView::new(o, refunds))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateOrder {
    product_id: i64,
    quantity: i64,
}

/// `yyyyMMddHHmmss` + 10 random characters: 24 of WeChat's allowed alphabet, unique enough
/// that a collision is a 409, not a silent overwrite.
fn new_out_trade_no(now_secs: i64) -> Result<String> {
    Ok(format!("{}{}", beijing14(now_secs), &wxpay::nonce_str()?[..10]))
}

async fn with_payment(state: &AppState, order: Order, actor: &str) -> Result<OrderView> {
    let prepay_id = payments::ensure_prepay(state, &order, actor).await?;
    let payment = payments::payment(state, &order, &prepay_id)?;
    let fresh = state.db.order(&order.out_trade_no).await?.unwrap_or(order);
    Ok(OrderView { payment: Some(payment), ..OrderView::of(state, fresh).await? })
}

/// The order a checkout's Idempotency-Key already made, answered again.
async fn existing(state: &AppState, o: Order, req: &CreateOrder, actor: &str) -> Result<(StatusCode, Json<OrderView>)> {
    if o.product_id != req.product_id || o.quantity != req.quantity {
        return Err(Error::Invalid("this Idempotency-Key was used for another order".into()));
    }
    match o.status {
        OrderStatus::Notpay => Ok((StatusCode::OK, Json(with_payment(state, o, actor).await?))),
        // Paid already: answered as it is (no payment parameters).
        OrderStatus::Paid => Ok((StatusCode::OK, Json(OrderView::of(state, o).await?))),
        OrderStatus::Closed => Err(Error::Conflict("this checkout's order is closed; start a new checkout".into())),
    }
}

async fn create(
    State(state): State<AppState>,
    user: User,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateOrder>,
) -> Result<(StatusCode, Json<OrderView>)> {
    if !(1..=MAX_QUANTITY).contains(&req.quantity) {
        return Err(Error::Invalid(format!("quantity must be 1 to {MAX_QUANTITY}")));
    }
    let key = idempotency_key(&headers)?;
    let product = state.db.product(req.product_id).await?.ok_or_else(|| Error::Invalid("unknown product_id".into()))?;
    let total_fee = product.price_fen.checked_mul(req.quantity).ok_or_else(|| Error::Invalid("amount too large".into()))?;
    let actor = format!("user:{}", user.openid);
    let now = state.clock.now_ms();

    // The same checkout again (a double tap, a retry after a network error): the same order.
    if let Some(k) = &key {
        if let Some(o) = state.db.order_by_key(&user.openid, k).await? {
            return existing(&state, o, &req, &actor).await;
        }
    }
    // Without a key, a double tap while an identical order is still payable gets that order back.
    if key.is_none() {
        if let Some(o) = state.db.reusable_order(&user.openid, product.id, req.quantity, now + 60_000).await? {
            return Ok((StatusCode::OK, Json(with_payment(&state, o, &actor).await?)));
        }
    }
    let (open, last_hour) = state.db.order_counts(&user.openid, now, now - 3_600_000).await?;
    if open >= MAX_OPEN_ORDERS || last_hour >= MAX_ORDERS_PER_HOUR {
        tracing::warn!(openid = %user.openid, open, last_hour, "order creation limited");
        return Err(Error::RateLimited(format!(
            "too many orders: at most {MAX_OPEN_ORDERS} unpaid and {MAX_ORDERS_PER_HOUR} per hour; pay or let the unpaid ones expire"
        )));
    }
    // The name as WeChat will show it: what `body` can carry, at most 128 bytes.
    let body = match wxpay::validate::clean_text(&product.name, MAX_BODY_BYTES) {
        b if b.is_empty() => format!("product {}", product.id),
        b => b,
    };

    let now_secs = now.div_euclid(1000);
    let ttl = state.settings.order_ttl.as_secs() as i64;
    let order = Order {
        out_trade_no: new_out_trade_no(now_secs)?,
        openid: user.openid.clone(),
        product_id: product.id,
        product_name: body,
        quantity: req.quantity,
        unit_price_fen: product.price_fen,
        total_fee,
        status: OrderStatus::Notpay,
        sign_type: state.settings.merchant.sign_type.as_str().to_owned(),
        spbill_create_ip: ip.to_string(),
        time_start: beijing14(now_secs),
        time_expire: beijing14(now_secs + ttl),
        expires_at: (now_secs + ttl) * 1000,
        prepay_id: None,
        prepay_expires_at: None,
        transaction_id: None,
        time_end: None,
        paid_at: None,
        closed_at: None,
        checked_at: None,
        created_at: now,
        paid_after_close: false,
        failures: 0,
        last_error: None,
        // Taken off the stock with the insert, before anything goes to WeChat.
        stock_reserved: true,
        oversold: false,
    };
    let reserved = match state.db.insert_order_with_key(&order, key.as_deref(), &actor).await {
        Ok(r) => r,
        // The same key raced in from another tap or instance: its order is the answer (it may
        // also have taken the last units, which is why this one found too few).
        Err(e @ (Error::Conflict(_) | Error::OutOfStock { .. })) => match &key {
            Some(k) => match state.db.order_by_key(&user.openid, k).await? {
                Some(o) => return existing(&state, o, &req, &actor).await,
                None => return Err(e),
            },
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    tracing::info!(out_trade_no = %order.out_trade_no, total_fee, reserved, "order created");
    match with_payment(&state, order.clone(), &actor).await {
        Ok(view) => Ok((StatusCode::CREATED, Json(view))),
        Err(e) => {
            // A definite refusal means this order can never be paid: close it now. After a
            // network failure or SYSTEMERROR WeChat may hold it: the reconciler decides.
            if let Error::Upstream { code, .. } = &e {
                if !matches!(code.as_str(), "SYSTEMERROR" | "BIZERR_NEED_RETRY" | "ORDERPAID") {
                    state.db.mark_closed(&order.out_trade_no, state.clock.now_ms(), &actor, &format!("unifiedorder: {code}")).await?;
                }
            }
            Err(e)
        }
    }
}

async fn own_order(state: &AppState, user: &User, no: &str) -> Result<Order> {
    match state.db.order(no).await? {
        Some(o) if o.openid == user.openid => Ok(o),
        // Someone else's order is as absent as a missing one.
        _ => Err(Error::NotFound("order")),
    }
}

async fn pay_again(State(state): State<AppState>, user: User, Path(no): Path<String>) -> Result<Json<OrderView>> {
    let order = own_order(&state, &user, &no).await?;
    Ok(Json(with_payment(&state, order, &format!("user:{}", user.openid)).await?))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Json<Vec<OrderView>>> {
    let orders = state.db.orders_of(&user.openid).await?;
    // The refunds of all of them in one query, then each order's own.
    let mut refunds: HashMap<String, Vec<Refund>> = HashMap::new();
    for r in state.db.refunds_of_orders_of(&user.openid).await? {
        refunds.entry(r.out_trade_no.clone()).or_default().push(r);
    }
    Ok(Json(
        orders
            .into_iter()
            .map(|o| {
                let own = refunds.remove(&o.out_trade_no).unwrap_or_default();
                OrderView::new(o, own)
            })
            .collect(),
    ))
}

async fn detail(State(state): State<AppState>, user: User, Path(no): Path<String>) -> Result<Json<OrderView>> {
    let order = own_order(&state, &user, &no).await?;
    let now = state.clock.now_ms();
    // One orderquery per order per interval, however many clients and instances poll: the
    // right to ask is a conditional update.
    if order.status == OrderStatus::Notpay && state.db.claim_order_check(&no, now, now - QUERY_EVERY_MS).await? {
        // The notify may be late or lost: ask WeChat before answering. A failure here is not
        // the caller's problem; the stored state is still the truth we know.
        if let Err(e) = payments::sync(&state, &order, "api:orderquery").await {
            tracing::warn!(out_trade_no = %no, error = %e, "orderquery failed; answering the stored state");
        }
        let fresh = state.db.order(&no).await?.ok_or(Error::NotFound("order"))?;
        return Ok(Json(OrderView::of(&state, fresh).await?));
    }
    Ok(Json(OrderView::of(&state, order).await?))
}
