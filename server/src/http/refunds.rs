//! Refunds as the payer asks for them: `POST /api/orders/{out_trade_no}/refunds` and the list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, User};
use crate::db::refunds::{Refund, RefundState};
use crate::error::{Error, Result};
use crate::AppState;
use wxpay::Fen;

/// `refund_desc` is at most 80 bytes of UTF-8 (about 26 Chinese characters).
const MAX_REASON_BYTES: usize = 80;

/// A reason as people type it (the payer's, sent as `refund_desc`; the merchant's rejection,
/// shown to the payer), trimmed and checked when it enters against what WeChat and the XML
/// encoder take: one that passed could otherwise only fail later, with a refund half-sent.
///
/// # Errors
/// [`Error::Invalid`] naming the rules.
pub(super) fn checked_reason(raw: &str) -> Result<&str> {
    let reason = raw.trim();
    wxpay::validate::plain_text("reason", reason, MAX_REASON_BYTES).map_err(|e| {
        Error::Invalid(format!("reason must be 1 to {MAX_REASON_BYTES} bytes of plain text (no control or direction characters): {e}"))
    })?;
    Ok(reason)
}

/// A refund amount as a client sends it: absent (everything still refundable) or a positive
/// number of fen.
///
/// # Errors
/// [`Error::Invalid`] for zero or less.
pub(super) fn refund_amount(raw: Option<i64>) -> Result<Option<Fen>> {
    raw.map(|f| {
        u64::try_from(f)
            .ok()
            .filter(|f| *f > 0)
            .map(Fen::new)
            .ok_or_else(|| Error::Invalid("refund_fee must be a positive number of fen".into()))
    })
    .transpose()
}

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/orders/{out_trade_no}/refunds", post(request).get(list))
}

/// A refund as the payer sees it.
#[derive(Debug, Serialize)]
pub struct RefundView {
    out_refund_no: String,
    out_trade_no: String,
    refund_fee: Fen,
    reason: String,
    status: RefundState,
    requested_at: i64,
    finished_at: Option<i64>,
    /// The merchant's reason, when it rejected the refund and gave one.
    reject_reason: Option<String>,
}

impl From<Refund> for RefundView {
    fn from(r: Refund) -> Self {
        RefundView {
            out_refund_no: r.out_refund_no,
            out_trade_no: r.out_trade_no,
            refund_fee: r.refund_fee,
            reason: r.reason,
            status: r.status,
            requested_at: r.requested_at,
            finished_at: r.finished_at,
            reject_reason: r.reject_reason,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestRefund {
    #[serde(default)]
    refund_fee: Option<i64>,
    reason: String,
}

async fn request(
    State(state): State<AppState>,
    user: User,
    Path(no): Path<String>,
    ApiJson(req): ApiJson<RequestRefund>,
) -> Result<(StatusCode, Json<RefundView>)> {
    let reason = checked_reason(&req.reason)?;
    let fee = refund_amount(req.refund_fee)?;
    let r = crate::refunds::request(&state, &user.openid, &no, fee, reason).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

async fn list(State(state): State<AppState>, user: User, Path(no): Path<String>) -> Result<Json<Vec<RefundView>>> {
    match state.db.orders().get(&no).await? {
        Some(o) if o.openid == user.openid => {}
        _ => return Err(Error::NotFound("order")),
    }
    Ok(Json(state.db.refunds().of_order(&no).await?.into_iter().map(RefundView::from).collect()))
}
