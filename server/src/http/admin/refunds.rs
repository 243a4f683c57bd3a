//! Refunds in the back office: the list, approve, reject (with a reason the payer reads), and a
//! refund the merchant makes on its own initiative.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::{mask, MERCHANT};
use crate::db::refunds::{Refund, RefundState};
use crate::error::{Error, Result};
use crate::http::refunds::checked_reason;
use crate::http::ApiJson;
use crate::AppState;

/// A refund as the back office shows it: every field, the payer masked.
pub fn view(mut r: Refund) -> Refund {
    r.openid = mask::openid(&r.openid);
    r
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
}

/// `GET /admin/api/refunds?status=…`: newest first, at most 200.
pub async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<Vec<Refund>>> {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).map(RefundState::parse).transpose()?;
    Ok(Json(state.db.refunds_list(status).await?.into_iter().map(view).collect()))
}

/// `POST /admin/api/refunds/{no}/approve`.
pub async fn approve(State(state): State<AppState>, Path(no): Path<String>) -> Result<Json<Refund>> {
    Ok(Json(view(crate::refunds::approve(&state, &no, MERCHANT).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reject {
    reason: String,
}

/// `POST /admin/api/refunds/{no}/reject` `{"reason": "…"}` (shown to the payer; checked like the
/// payer's own reason), or no body.
pub async fn reject(State(state): State<AppState>, Path(no): Path<String>, body: Bytes) -> Result<Json<Refund>> {
    let given = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let r: Reject = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("expected {{\"reason\": \"…\"}}: {e}")))?;
        Some(r.reason)
    };
    let reason = given.as_deref().map(checked_reason).transpose()?;
    Ok(Json(view(crate::refunds::reject(&state, &no, MERCHANT, reason).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantRefund {
    /// Fen; absent: everything still refundable.
    #[serde(default)]
    refund_fee: Option<i64>,
    reason: String,
}

/// `POST /admin/api/orders/{no}/refunds` `{"refund_fee": 1000, "reason": "…"}`: a refund on the
/// merchant's initiative, full or partial, created APPROVED and sent at once (`201` with the
/// refund after the call; the call's outcomes answer as an approval's do).
pub async fn merchant_refund(
    State(state): State<AppState>,
    Path(no): Path<String>,
    ApiJson(req): ApiJson<MerchantRefund>,
) -> Result<(StatusCode, Json<Refund>)> {
    let reason = checked_reason(&req.reason)?;
    if req.refund_fee.is_some_and(|f| f <= 0) {
        return Err(Error::Invalid("refund_fee must be a positive number of fen".into()));
    }
    let r = crate::refunds::merchant_refund(&state, &no, req.refund_fee, reason, MERCHANT).await?;
    Ok((StatusCode::CREATED, Json(view(r))))
}
