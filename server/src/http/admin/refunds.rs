//! Refunds in the back office: the list, approve, reject (with a reason the payer reads), and a
//! refund the merchant makes on its own initiative.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use super::views::RefundView;
use super::MERCHANT;
use crate::db::refunds::RefundState;
use crate::error::{Error, Result};
use crate::http::refunds::{checked_reason, refund_amount};
use crate::http::{idempotency_key, ApiJson};
use crate::refunds::MerchantRefund::{Existing, Made, Pending};
use crate::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
}

/// `GET /admin/api/refunds?status=…`: newest first, at most 200.
pub async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<Vec<RefundView>>> {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).map(RefundState::parse).transpose()?;
    Ok(Json(state.db.refunds().list(status).await?.into_iter().map(RefundView::from).collect()))
}

/// `POST /admin/api/refunds/{no}/approve`.
pub async fn approve(State(state): State<AppState>, Path(no): Path<String>) -> Result<Json<RefundView>> {
    Ok(Json(RefundView::from(crate::refunds::approve(&state, &no, MERCHANT).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reject {
    reason: String,
}

/// `POST /admin/api/refunds/{no}/reject` `{"reason": "…"}` (shown to the payer; checked like the
/// payer's own reason), or no body.
pub async fn reject(State(state): State<AppState>, Path(no): Path<String>, body: Bytes) -> Result<Json<RefundView>> {
    let given = optional_reason(&body)?;
    let reason = given.as_deref().map(checked_reason).transpose()?;
    Ok(Json(RefundView::from(crate::refunds::reject(&state, &no, MERCHANT, reason).await?)))
}

/// `{"reason": "…"}`, or no body.
fn optional_reason(body: &[u8]) -> Result<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let r: Reject = serde_json::from_slice(body).map_err(|e| Error::Invalid(format!("expected {{\"reason\": \"…\"}}: {e}")))?;
    Ok(Some(r.reason))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantRefund {
    /// Fen; absent: everything still refundable.
    #[serde(default)]
    refund_fee: Option<i64>,
    reason: String,
}

/// `POST /admin/api/orders/{no}/refunds` `{"refund_fee": 1000, "reason": "…"}` with an
/// `Idempotency-Key` header (one per form submission): a refund on the merchant's initiative,
/// full or partial, created APPROVED and sent at once.
///
/// `201` with the refund once WeChat answered; `202` with the refund (APPROVED, and why) when
/// the outcome is unknown or still awaited: it may have been made, and is never made again (the
/// reconciler finds out); `200` with the refund, as it is now, for a key already used. A
/// definite refusal by WeChat is an error (nothing was refunded).
pub async fn merchant_refund(
    State(state): State<AppState>,
    Path(no): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<MerchantRefund>,
) -> Result<(StatusCode, Json<RefundView>)> {
    let reason = checked_reason(&req.reason)?;
    let fee = refund_amount(req.refund_fee)?;
    let key = idempotency_key(&headers)?;
    // Answer before the request's own timeout would (its 503 would invite a retry).
    let within = state.settings.request_timeout.saturating_sub(std::time::Duration::from_secs(2)).max(std::time::Duration::from_secs(1));
    let made = crate::refunds::merchant_refund(&state, &no, fee, reason, key, within, MERCHANT).await?;
    let status = match &made {
        Made(_) => StatusCode::CREATED,
        Pending(_) => StatusCode::ACCEPTED,
        Existing(_) => StatusCode::OK,
    };
    Ok((status, Json(RefundView::from(made.refund()))))
}

/// `POST /admin/api/orders/{no}/refunds/reject-pending` `{"reason": "…"}` or no body: rejects
/// every refund request of the order still waiting (what a merchant refund's
/// `HELD_BY_REQUESTS` names), in one step. Answers the rejected refunds.
pub async fn reject_pending(State(state): State<AppState>, Path(no): Path<String>, body: Bytes) -> Result<Json<Vec<RefundView>>> {
    let given = optional_reason(&body)?;
    let reason = given.as_deref().map(checked_reason).transpose()?;
    let rejected = crate::refunds::reject_pending(&state, &no, MERCHANT, reason).await?;
    Ok(Json(rejected.into_iter().map(RefundView::from).collect()))
}
