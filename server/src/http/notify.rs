//! `POST /wxpay/notify`: WeChat's payment notify; `POST /wxpay/refund-notify`: its refund
//! notify (`req_info` decrypted with the API key, then the refund's amounts checked, then the
//! one conditional move to the final state; same replies).
//!
//! Here: the size (before reading it all) and DOCTYPE/ENTITY (before parsing), then
//! [`crate::notifies`] applies it, and its answer becomes WeChat's reply: SUCCESS only after the
//! state change commits (or for an already-applied duplicate); anything else is FAIL with a
//! word for the network and the reason in the log, and changes nothing; WeChat will retry.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use crate::notifies::{self, Answer, Refusal};
use crate::AppState;

/// Far above any real notify (about 1 KiB), far below anything harmful.
pub const MAX_NOTIFY_BYTES: usize = 16 * 1024;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/wxpay/notify", post(payment_notify)).route("/wxpay/refund-notify", post(refund_notify))
}

fn reply(status: StatusCode, ok: bool, message: &str) -> Response {
    let body = wxpay::notify::reply(ok, message)
        .unwrap_or_else(|_| "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[error]]></return_msg></xml>".into());
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
    match read_body(&headers, body).await {
        Ok(bytes) => answer(notifies::payment(&state, &bytes).await),
        Err(refused) => refused,
    }
}

/// `POST /wxpay/refund-notify`.
async fn refund_notify(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match read_body(&headers, body).await {
        Ok(bytes) => answer(notifies::refund(&state, &bytes).await),
        Err(refused) => refused,
    }
}

/// The service's answer as WeChat's reply.
fn answer(a: Answer) -> Response {
    match a {
        Answer::Success => reply(StatusCode::OK, true, "OK"),
        Answer::Refused { kind, reason } => {
            let status = match kind {
                Refusal::Invalid => StatusCode::BAD_REQUEST,
                Refusal::Unknown => StatusCode::NOT_FOUND,
                Refusal::Conflict => StatusCode::CONFLICT,
            };
            refuse(status, &reason)
        }
        Answer::Unavailable => reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error"),
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
