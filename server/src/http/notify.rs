//! `POST /wxpay/notify`: WeChat's payment notify; `POST /wxpay/refund-notify`: its refund
//! notify (`req_info` decrypted with the API key, then the refund's amounts checked, then the
//! one conditional move to the final state; same replies).
//!
//! Order of checks: size (before reading it all), DOCTYPE/ENTITY (before parsing), then the
//! core's verification (XML shape, return_code, signature, appid, mch_id, fields), then the
//! order (exists, amount, payer), then the one conditional NOTPAY → PAID update. SUCCESS is
//! answered only after that transaction commits, and also for an already-applied duplicate.
//! Anything else answers FAIL with a reason and changes nothing; WeChat will retry.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use crate::db::orders::PaidOutcome;
use crate::db::refunds::{FinishOutcome, RefundResult, RefundState};
use crate::AppState;

/// Far above any real notify (about 1 KiB), far below anything harmful.
pub const MAX_NOTIFY_BYTES: usize = 16 * 1024;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/wxpay/notify", post(payment_notify)).route("/wxpay/refund-notify", post(refund_notify))
}

fn reply(status: StatusCode, ok: bool, message: &str) -> Response {
    let body = wxpay::notify::reply(ok, message).unwrap_or_else(|_| {
        "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[error]]></return_msg></xml>".into()
    });
    (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// A FAIL reply. The network hears only a word; the reason goes to the log.
fn refuse(status: StatusCode, reason: &str) -> Response {
    tracing::warn!(reason, "notify refused");
    let word = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too large",
        s if s.is_server_error() => "temporary error",
        _ => "refused",
    };
    reply(status, false, word)
}

/// Whether the bytes declare a DTD or an entity, in any letter case (`<!DOCTYPE`, `<!ENTITY`).
fn declares_dtd(body: &[u8]) -> bool {
    body.windows(9).any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE")) || body.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"))
}

/// Reads a notify body, refusing an oversized one (before reading it all) and any DTD or
/// entity declaration (before parsing).
async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Response> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_NOTIFY_BYTES) {
        return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
    }
    // Stops reading as soon as the limit is passed (chunked bodies have no Content-Length).
    let Ok(bytes) = axum::body::to_bytes(body, MAX_NOTIFY_BYTES).await else {
        return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
    };
    if declares_dtd(&bytes) {
        return Err(refuse(StatusCode::BAD_REQUEST, "DOCTYPE and ENTITY are not accepted"));
    }
    Ok(bytes)
}

async fn payment_notify(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let merchant = &state.settings.merchant;
    let notify = match merchant.verify_payment_notify(&bytes) {
        Ok(n) => n,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("{}: {e}", e.code())),
    };
    let no = notify.out_trade_no.as_str();
    if !notify.is_success() {
        // A failed payment changes nothing here; acknowledge so WeChat stops resending it.
        tracing::info!(out_trade_no = %no, err_code = ?notify.err_code, "payment notify reports a failed payment");
        return reply(StatusCode::OK, true, "OK");
    }
    let order = match state.db.order(no).await {
        Ok(Some(o)) => o,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "unknown out_trade_no"),
        Err(e) => {
            tracing::error!(error = %e, "database error in notify");
            return reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error");
        }
    };
    // Pinned to the order's sign type: an HMAC-SHA256 order's notify must be HMAC-SHA256 (the
    // core would accept MD5 by the signature's length), and an MD5 order's MD5.
    if notify.sign_type.as_str() != order.sign_type {
        return refuse(StatusCode::BAD_REQUEST, &format!("signed with {} but the order uses {}", notify.sign_type.as_str(), order.sign_type));
    }
    if let Err(e) = notify.check_amount(wxpay::Fen::new(order.total_fee as u64)) {
        tracing::error!(out_trade_no = %no, error = %e, "payment notify amount differs from the order");
        return refuse(StatusCode::BAD_REQUEST, "total_fee does not match the order");
    }
    if notify.openid != order.openid {
        return refuse(StatusCode::BAD_REQUEST, "openid does not match the order");
    }
    let raw = String::from_utf8_lossy(&bytes);
    let now = state.clock.now_ms();
    match state.db.mark_paid(no, &notify.transaction_id, &notify.time_end, now, "wechat:notify", &raw).await {
        Ok(PaidOutcome::Applied { from, oversold }) => {
            crate::payments::log_paid(no, &notify.transaction_id, from, oversold);
            reply(StatusCode::OK, true, "OK")
        }
        Ok(PaidOutcome::AlreadyPaid { same_transaction: true }) => reply(StatusCode::OK, true, "OK"),
        Ok(PaidOutcome::AlreadyPaid { same_transaction: false }) => {
            tracing::error!(out_trade_no = %no, transaction_id = %notify.transaction_id, "second transaction for a paid order");
            refuse(StatusCode::CONFLICT, "order already paid by another transaction")
        }
        Ok(PaidOutcome::NotFound) => refuse(StatusCode::NOT_FOUND, "unknown out_trade_no"),
        Err(e) => {
            tracing::error!(out_trade_no = %no, error = %e, "could not record the payment");
            reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error")
        }
    }
}

/// `POST /wxpay/refund-notify`.
async fn refund_notify(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    // return_code, appid and mch_id of the outer message, then req_info (a wrong key, a cut or
    // altered ciphertext all fail here).
    let n = match state.settings.merchant.decrypt_refund_notify(&bytes) {
        Ok(n) => n,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("{}: {e}", e.code())),
    };
    let no = n.out_refund_no.as_str();
    let r = match state.db.refund(no).await {
        Ok(Some(r)) => r,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "unknown out_refund_no"),
        Err(e) => {
            tracing::error!(error = %e, "database error in refund notify");
            return reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error");
        }
    };
    if r.out_trade_no != n.out_trade_no || r.refund_fee as u64 != n.refund_fee.get() || r.total_fee as u64 != n.total_fee.get() {
        tracing::error!(out_refund_no = %no, "refund notify differs from the refund (order or amounts)");
        return refuse(StatusCode::BAD_REQUEST, "order or amounts do not match the refund");
    }
    // The ids we know must be the ones it names: WeChat's refund_id once it accepted the call,
    // and the payment's transaction_id.
    if r.refund_id.as_deref().is_some_and(|id| id != n.refund_id) {
        tracing::error!(out_refund_no = %no, ours = ?r.refund_id, notify = %n.refund_id, "refund notify names another refund_id");
        return refuse(StatusCode::BAD_REQUEST, "refund_id does not match the refund");
    }
    match state.db.order(&r.out_trade_no).await {
        Ok(Some(o)) if o.transaction_id.as_deref().is_some_and(|t| t != n.transaction_id) => {
            tracing::error!(out_refund_no = %no, ours = ?o.transaction_id, notify = %n.transaction_id, "refund notify names another transaction_id");
            return refuse(StatusCode::BAD_REQUEST, "transaction_id does not match the order");
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "database error in refund notify");
            return reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error");
        }
    }
    let status = match n.refund_status {
        wxpay::RefundNotifyStatus::Success => RefundState::Success,
        wxpay::RefundNotifyStatus::Change => RefundState::Change,
        wxpay::RefundNotifyStatus::Refundclose => RefundState::Closed,
    };
    let result = RefundResult {
        status,
        refund_id: &n.refund_id,
        settlement_refund_fee: n.settlement_refund_fee.map(|f| f.get() as i64),
        success_time: n.success_time.as_deref(),
        recv_account: n.refund_recv_accout.as_deref(),
    };
    let detail = format!(
        "refund notify: refund_status={} refund_id={} refund_fee={} settlement_refund_fee={}; body: {}",
        status.as_str(),
        n.refund_id,
        n.refund_fee.get(),
        n.settlement_refund_fee.map(|f| f.get()).unwrap_or(0),
        String::from_utf8_lossy(&bytes)
    );
    match state.db.finish_refund(no, &result, state.clock.now_ms(), "wechat:refund-notify", &detail).await {
        Ok(FinishOutcome::Applied { from }) => {
            tracing::info!(out_refund_no = %no, from = from.as_str(), to = status.as_str(), "refund finished");
            reply(StatusCode::OK, true, "OK")
        }
        // A duplicate of what is stored.
        Ok(FinishOutcome::Unmoved(s)) if s == status => reply(StatusCode::OK, true, "OK"),
        // A late CHANGE after the refund went on to its final state: stale, nothing to do.
        Ok(FinishOutcome::Unmoved(s)) if status == RefundState::Change && s.is_final() && s != RefundState::Rejected => {
            tracing::info!(out_refund_no = %no, stored = s.as_str(), "late CHANGE notify for a finished refund");
            reply(StatusCode::OK, true, "OK")
        }
        Ok(FinishOutcome::Unmoved(s)) if matches!(s, RefundState::Requested | RefundState::Rejected) => {
            tracing::error!(out_refund_no = %no, stored = s.as_str(), "refund notify for a refund never sent");
            refuse(StatusCode::CONFLICT, "refund was not sent")
        }
        Ok(FinishOutcome::Unmoved(s)) => {
            tracing::error!(out_refund_no = %no, stored = s.as_str(), reported = status.as_str(), "refund notify contradicts the stored result");
            refuse(StatusCode::CONFLICT, "refund already finished with another result")
        }
        Ok(FinishOutcome::NotFound) => refuse(StatusCode::NOT_FOUND, "unknown out_refund_no"),
        Err(e) => {
            tracing::error!(out_refund_no = %no, error = %e, "could not record the refund result");
            reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::declares_dtd;

    #[test]
    fn spots_dtd_in_any_case() {
        assert!(declares_dtd(b"<?xml version=\"1.0\"?><!doctype x [<!entity a SYSTEM \"file:///etc/passwd\">]><xml/>"));
        assert!(declares_dtd(b"<!ENTITY x \"y\">"));
        assert!(!declares_dtd(b"<xml><a>DOCTYPE</a></xml>"));
    }
}
