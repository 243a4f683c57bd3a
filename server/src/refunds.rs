//! The refund logic shared by the HTTP handlers, the refund notify and the reconciler:
//! approving (the `secapi/pay/refund` call), rejecting, applying a final result, refundquery.
//!
//! The refund call is always built from the stored refund (same `out_refund_no`, amounts,
//! reason and notify URL), so a retry — after a timeout, `SYSTEMERROR`, a restart or on
//! another instance — is the same request and WeChat makes one refund. Outcomes:
//! - accepted → PROCESSING (the result comes by notify or refundquery);
//! - refused for good (a business error such as `NOTENOUGH`, or no client certificate) →
//!   back to REQUESTED with `last_error`, so it can be approved again later or rejected;
//! - unknown (network, `SYSTEMERROR` after every retry) → stays APPROVED with `last_error`;
//!   the reconciler re-sends the same request.

use wxpay::{Fen, RefundQuery, RefundQueryResponse, RefundRef, RefundResponse, TradeRef};

use crate::db::refunds::{FinishOutcome, Refund, RefundResult, RefundState};
use crate::error::{Error, Result};
use crate::AppState;

/// The refund request of a stored refund (identical on every attempt but for the nonce).
pub fn refund_request(state: &AppState, r: &Refund) -> wxpay::Refund {
    wxpay::Refund {
        trade: TradeRef::OutTradeNo(r.out_trade_no.clone()),
        out_refund_no: r.out_refund_no.clone(),
        total_fee: Fen::new(r.total_fee as u64),
        refund_fee: Fen::new(r.refund_fee as u64),
        refund_desc: Some(r.reason.clone()).filter(|d| !d.is_empty()),
        notify_url: Some(state.settings.refund_notify_url()),
        refund_account: None,
    }
}

/// `R` + `yyyyMMddHHmmss` + 10 random characters.
///
/// # Errors
/// The random source failed.
pub fn new_out_refund_no(now_secs: i64) -> Result<String> {
    Ok(format!("R{}{}", crate::clock::beijing14(now_secs), &wxpay::nonce_str()?[..10]))
}

/// Approves a REQUESTED refund and makes the refund call. Of concurrent approvals only one
/// gets past the conditional update; the others get [`Error::Conflict`].
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`], upstream errors (see the module docs).
pub async fn approve(state: &AppState, no: &str, actor: &str) -> Result<Refund> {
    if !state.db.approve_refund(no, state.clock.now_ms(), actor).await? {
        let r = state.db.refund(no).await?.ok_or(Error::NotFound("refund"))?;
        return Err(Error::Conflict(format!("refund is {}, only a REQUESTED refund can be approved", r.status.as_str())));
    }
    tracing::info!(out_refund_no = %no, actor, "refund approved");
    let r = state.db.refund(no).await?.ok_or(Error::NotFound("refund"))?;
    send(state, &r, actor).await
}

/// Rejects a REQUESTED refund.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`], database errors.
pub async fn reject(state: &AppState, no: &str, actor: &str, why: &str) -> Result<Refund> {
    if !state.db.reject_refund(no, state.clock.now_ms(), actor, why).await? {
        let r = state.db.refund(no).await?.ok_or(Error::NotFound("refund"))?;
        return Err(Error::Conflict(format!("refund is {}, only a REQUESTED refund can be rejected", r.status.as_str())));
    }
    tracing::info!(out_refund_no = %no, actor, "refund rejected");
    state.db.refund(no).await?.ok_or(Error::NotFound("refund"))
}

/// Codes after which WeChat may or may not have made the refund.
fn outcome_unknown(code: &str) -> bool {
    matches!(code, "SYSTEMERROR" | "BIZERR_NEED_RETRY" | "BAD_RESPONSE" | "RESPONSE_SIGNATURE_INVALID")
}

/// Makes the refund call for an APPROVED refund and records the outcome.
///
/// # Errors
/// Upstream errors (see the module docs), database errors.
pub async fn send(state: &AppState, r: &Refund, actor: &str) -> Result<Refund> {
    let no = r.out_refund_no.as_str();
    let answer = state.upstream.pay::<_, RefundResponse>(&refund_request(state, r)).await;
    let now = state.clock.now_ms();
    match answer {
        Ok(a) if a.out_refund_no == r.out_refund_no && a.refund_fee.get() == r.refund_fee as u64 => {
            let detail = format!("refund: accepted, refund_id={} refund_fee={}", a.refund_id, a.refund_fee.get());
            // false: a notify already finished it.
            state.db.refund_accepted(no, &a.refund_id, now, actor, &detail).await?;
            tracing::info!(out_refund_no = %no, refund_id = %a.refund_id, "refund accepted by WeChat");
        }
        Ok(a) => {
            let why = format!("BAD_RESPONSE: WeChat's answer names {} / {} fen", a.out_refund_no, a.refund_fee.get());
            tracing::error!(out_refund_no = %no, %why, "refund answer does not match the request");
            state.db.note_refund_error(no, &why, now).await?;
            return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: why });
        }
        Err(Error::Upstream { code, message }) if !outcome_unknown(&code) => {
            let (code, message) = if code == "FAIL" && !state.upstream.has_client_cert() {
                (
                    "CLIENT_CERT_REQUIRED".to_owned(),
                    format!(
                        "{message} (no merchant client certificate is configured: set WXPAY_CLIENT_CERT and WXPAY_CLIENT_KEY, or WXPAY_CLIENT_P12)"
                    ),
                )
            } else {
                (code, message)
            };
            let why = format!("{code}: {message}");
            tracing::warn!(out_refund_no = %no, %why, "WeChat refused the refund; it is REQUESTED again");
            state.db.refund_call_failed(no, &why, now, actor).await?;
            return Err(Error::Upstream { code, message });
        }
        Err(e) => {
            tracing::warn!(out_refund_no = %no, error = %e, "refund call outcome unknown; stays APPROVED, will be re-sent");
            state.db.note_refund_error(no, &e.to_string(), now).await?;
            return Err(e);
        }
    }
    state.db.refund(no).await?.ok_or(Error::NotFound("refund"))
}

/// Asks refundquery about a refund and applies a final state. Returns the final state if
/// there is one.
///
/// # Errors
/// Upstream or database errors; [`Error::Conflict`] if WeChat's amount is not ours.
pub async fn sync(state: &AppState, r: &Refund, actor: &str) -> Result<Option<RefundState>> {
    let q = RefundQuery { by: RefundRef::OutRefundNo(r.out_refund_no.clone()), offset: None };
    let answer = state.upstream.pay::<_, RefundQueryResponse>(&q).await?;
    let now = state.clock.now_ms();
    let Some(item) = answer.find(&r.out_refund_no) else {
        return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "refundquery does not list the refund".into() });
    };
    if item.refund_fee.get() != r.refund_fee as u64 {
        tracing::error!(out_refund_no = %r.out_refund_no, ours = r.refund_fee, wechat = item.refund_fee.get(), "refundquery amount differs");
        return Err(Error::Conflict("WeChat's refund amount differs from ours".into()));
    }
    let Some(status) = RefundState::from_wechat(item.refund_status) else {
        state.db.touch_refund_checked(&r.out_refund_no, now).await?;
        return Ok(None);
    };
    let detail = format!("refundquery: refund_status={} refund_id={}", item.refund_status, item.refund_id);
    let result = RefundResult {
        status,
        refund_id: &item.refund_id,
        settlement_refund_fee: None,
        success_time: item.refund_success_time.as_deref(),
        recv_account: item.refund_recv_accout.as_deref(),
    };
    match state.db.finish_refund(&r.out_refund_no, &result, now, actor, &detail).await? {
        FinishOutcome::Applied { .. } | FinishOutcome::AlreadyFinal(_) => Ok(Some(status)),
        FinishOutcome::NotStarted(s) => Err(Error::Conflict(format!("refund is {}", s.as_str()))),
        FinishOutcome::NotFound => Err(Error::NotFound("refund")),
    }
}
