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
use super::{idempotency_key, ApiJson, ClientIp, User};
use crate::checkout::{self, Checkout, Outcome};
use crate::db::orders::{Order, OrderStatus};
use crate::db::refunds::{Refund, RefundTotals};
use crate::error::{Error, Result};
use crate::payments::Payment;
use crate::AppState;
use wxpay::Fen;

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
    total_fee: Fen,
    status: OrderStatus,
    transaction_id: Option<String>,
    created_at: i64,
    expires_at: i64,
    paid_at: Option<i64>,
    /// The sum of the SUCCESS refunds in `refunds` (so the answer agrees with itself).
    refunded_fee: Fen,
    refund_summary: RefundSummary,
    refunds: Vec<RefundView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<Payment>,
}

impl OrderView {
    /// `o` with `refunds`, all of them its own.
    fn new(o: Order, refunds: Vec<Refund>) -> Self {
        let refunded_fee = RefundTotals::of(o.total_fee, o.status == OrderStatus::Paid, &refunds).refunded;
        let refund_summary = match refunded_fee {
            Fen::ZERO => RefundSummary::None,
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
            OrderStatus::Paid => state.db.refunds().of_order(&o.out_trade_no).await?,
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

/// The order with what `wx.requestPayment` needs.
async fn with_payment(state: &AppState, order: Order, payment: Payment) -> Result<OrderView> {
    Ok(OrderView { payment: Some(payment), ..OrderView::of(state, order).await? })
}

async fn create(
    State(state): State<AppState>,
    user: User,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateOrder>,
) -> Result<(StatusCode, Json<OrderView>)> {
    let c = Checkout {
        openid: user.openid,
        ip,
        product_id: req.product_id,
        quantity: req.quantity,
        key: idempotency_key(&headers)?.map(str::to_owned),
    };
    match checkout::check_out(&state, &c).await? {
        Outcome::Created(o, p) => Ok((StatusCode::CREATED, Json(with_payment(&state, o, p).await?))),
        Outcome::Payable(o, p) => Ok((StatusCode::OK, Json(with_payment(&state, o, p).await?))),
        Outcome::Paid(o) => Ok((StatusCode::OK, Json(OrderView::of(&state, o).await?))),
    }
}

async fn own_order(state: &AppState, user: &User, no: &str) -> Result<Order> {
    match state.db.orders().get(no).await? {
        Some(o) if o.openid == user.openid => Ok(o),
        // Someone else's order is as absent as a missing one.
        _ => Err(Error::NotFound("order")),
    }
}

async fn pay_again(State(state): State<AppState>, user: User, Path(no): Path<String>) -> Result<Json<OrderView>> {
    let order = own_order(&state, &user, &no).await?;
    let (order, payment) = checkout::payable(&state, order, &format!("user:{}", user.openid)).await?;
    Ok(Json(with_payment(&state, order, payment).await?))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Json<Vec<OrderView>>> {
    let orders = state.db.orders().of_payer(&user.openid).await?;
    // The refunds of all of them in one query, then each order's own.
    let mut refunds: HashMap<String, Vec<Refund>> = HashMap::new();
    for r in state.db.refunds().of_orders_of(&user.openid).await? {
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
    Ok(Json(OrderView::of(&state, checkout::current(&state, order).await?).await?))
}
