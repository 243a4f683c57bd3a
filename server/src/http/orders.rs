//! Orders: create (the server computes `total_fee`), pay again, list, detail.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ClientIp, User};
use crate::clock::beijing14;
use crate::db::orders::{Order, OrderStatus};
use crate::error::{Error, Result};
use crate::payments::{self, Payment};
use crate::AppState;

/// At most this many of one product per order.
const MAX_QUANTITY: i64 = 99;

/// A client polling an unpaid order asks WeChat at most this often (orderquery has a rate limit).
const QUERY_EVERY_MS: i64 = 2_000;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/orders", post(create).get(list))
        .route("/api/orders/{out_trade_no}", get(detail))
        .route("/api/orders/{out_trade_no}/pay", post(pay_again))
}

/// An order as the client sees it.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<Payment>,
}

impl From<Order> for OrderView {
    fn from(o: Order) -> Self {
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
            payment: None,
        }
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
    Ok(OrderView { payment: Some(payment), ..fresh.into() })
}

async fn create(
    State(state): State<AppState>,
    user: User,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<CreateOrder>,
) -> Result<(StatusCode, Json<OrderView>)> {
    if !(1..=MAX_QUANTITY).contains(&req.quantity) {
        return Err(Error::Invalid(format!("quantity must be 1 to {MAX_QUANTITY}")));
    }
    let product = state.db.product(req.product_id).await?.ok_or_else(|| Error::Invalid("unknown product_id".into()))?;
    let total_fee = product.price_fen.checked_mul(req.quantity).ok_or_else(|| Error::Invalid("amount too large".into()))?;
    let actor = format!("user:{}", user.openid);
    let now = state.clock.now_ms();

    // A double tap while an identical order is still payable gets that order back.
    if let Some(o) = state.db.reusable_order(&user.openid, product.id, req.quantity, now + 60_000).await? {
        return Ok((StatusCode::OK, Json(with_payment(&state, o, &actor).await?)));
    }

    let now_secs = now.div_euclid(1000);
    let ttl = state.settings.order_ttl.as_secs() as i64;
    let order = Order {
        out_trade_no: new_out_trade_no(now_secs)?,
        openid: user.openid.clone(),
        product_id: product.id,
        product_name: product.name.clone(),
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
    };
    state.db.insert_order(&order, &actor).await?;
    tracing::info!(out_trade_no = %order.out_trade_no, total_fee, "order created");
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
    Ok(Json(state.db.orders_of(&user.openid).await?.into_iter().map(OrderView::from).collect()))
}

async fn detail(State(state): State<AppState>, user: User, Path(no): Path<String>) -> Result<Json<OrderView>> {
    let order = own_order(&state, &user, &no).await?;
    let recently_checked = order.checked_at.is_some_and(|t| t > state.clock.now_ms() - QUERY_EVERY_MS);
    if order.status == OrderStatus::Notpay && !recently_checked {
        // The notify may be late or lost: ask WeChat before answering. A failure here is not
        // the caller's problem; the stored state is still the truth we know.
        if let Err(e) = payments::sync(&state, &order, "api:orderquery").await {
            tracing::warn!(out_trade_no = %no, error = %e, "orderquery failed; answering the stored state");
        }
        let fresh = state.db.order(&no).await?.ok_or(Error::NotFound("order"))?;
        return Ok(Json(fresh.into()));
    }
    Ok(Json(order.into()))
}
