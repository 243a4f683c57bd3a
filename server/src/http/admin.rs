//! The merchant's side, behind `Authorization: Bearer <ADMIN_TOKEN>`: refunds to approve or
//! reject (with a reason the payer sees), recent orders, products and their stock, and
//! `GET /admin`, a small page that drives these with `fetch`. Without `ADMIN_TOKEN` every admin
//! endpoint answers 404.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::refunds::checked_reason;
use super::ApiJson;
use crate::db::products::{Product, StockChange};
use crate::db::refunds::{OrderSummary, Refund, RefundState};
use crate::error::{Error, Result};
use crate::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/api/orders", get(orders))
        .route("/admin/api/refunds", get(refunds))
        .route("/admin/api/attention", get(attention))
        .route("/admin/api/refunds/{out_refund_no}/approve", post(approve))
        .route("/admin/api/refunds/{out_refund_no}/reject", post(reject))
        .route("/admin/api/products", get(products))
        .route("/admin/api/products/{id}/stock", post(stock))
}

/// A caller holding the admin token.
pub struct Admin;

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Some(expected) = &state.settings.admin_token else {
            return Err(Error::NotFound("admin"));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Error::Unauthorized)?;
        // Equal-time comparison of digests: the token's length and prefix do not leak.
        let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.expose().as_bytes()));
        if a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) != 0 {
            return Err(Error::Unauthorized);
        }
        Ok(Admin)
    }
}

async fn page(State(state): State<AppState>) -> Response {
    if state.settings.admin_token.is_none() {
        return (StatusCode::NOT_FOUND, "admin is off: set ADMIN_TOKEN").into_response();
    }
    ([(header::CACHE_CONTROL, "no-store")], Html(include_str!("admin.html"))).into_response()
}

async fn orders(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<OrderSummary>>> {
    Ok(Json(state.db.recent_orders().await?))
}

/// What a person should look at: CHANGE refunds (退款异常), refunds and unpaid orders the
/// reconciler keeps failing on, and orders paid after we closed them (`oversold` when their
/// units had gone to other orders).
async fn attention(State(state): State<AppState>, _: Admin) -> Result<Json<serde_json::Value>> {
    let refunds = state.db.refunds_needing_action().await?;
    let orders: Vec<serde_json::Value> = state
        .db
        .orders_needing_action()
        .await?
        .into_iter()
        .map(|o| {
            serde_json::json!({
                "out_trade_no": o.out_trade_no, "status": o.status, "total_fee": o.total_fee,
                "transaction_id": o.transaction_id, "paid_after_close": o.paid_after_close, "oversold": o.oversold,
                "failures": o.failures, "last_error": o.last_error, "created_at": o.created_at,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "refunds": refunds, "orders": orders })))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
}

async fn refunds(State(state): State<AppState>, _: Admin, Query(q): Query<ListQuery>) -> Result<Json<Vec<Refund>>> {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).map(RefundState::parse).transpose()?;
    Ok(Json(state.db.refunds_list(status).await?))
}

async fn approve(State(state): State<AppState>, _: Admin, Path(no): Path<String>) -> Result<Json<Refund>> {
    Ok(Json(crate::refunds::approve(&state, &no, "admin").await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reject {
    reason: String,
}

/// `{"reason": "…"}` (shown to the payer; checked like the payer's own reason), or no body.
async fn reject(State(state): State<AppState>, _: Admin, Path(no): Path<String>, body: Bytes) -> Result<Json<Refund>> {
    let given = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let r: Reject = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("expected {{\"reason\": \"…\"}}: {e}")))?;
        Some(r.reason)
    };
    let reason = given.as_deref().map(checked_reason).transpose()?;
    Ok(Json(crate::refunds::reject(&state, &no, "admin", reason).await?))
}

async fn products(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Product>>> {
    Ok(Json(state.db.products().await?))
}

/// `{"add": n}` (restock; negative removes, never below 0) or `{"set": n}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum Stock {
    Add(i64),
    Set(i64),
}

async fn stock(State(state): State<AppState>, _: Admin, Path(id): Path<i64>, ApiJson(change): ApiJson<Stock>) -> Result<Json<Product>> {
    let change = match change {
        Stock::Add(n) => StockChange::Add(n),
        Stock::Set(n) => StockChange::Set(n),
    };
    let p = state.db.change_stock(id, change, state.clock.now_ms(), "admin").await?;
    tracing::info!(product = id, ?change, stock = ?p.stock, "stock changed by the merchant");
    Ok(Json(p))
}
