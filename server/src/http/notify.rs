//! `POST /wxpay/notify`: WeChat's payment notify; `POST /wxpay/refund-notify`: its refund
//! notify (`req_info` decrypted with the API key, then the refund's amounts checked, then the
//! one conditional move to the final state; same replies). `POST /wxpay/v3/notify`: API v3's
//! notifies, payments and refunds at one URL, answered 204 or, refused, a 4xx/5xx with
//! `{"code":"FAIL","message":…}` as WeChat documents; a signature probe gets 401.
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
    Router::new()
        .route("/wxpay/notify", post(payment_notify))
        .route("/wxpay/refund-notify", post(refund_notify))
        .route("/wxpay/v3/notify", post(v3_notify))
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

/// A notify body of at most [`MAX_NOTIFY_BYTES`], or `None`: refused by its Content-Length before
/// anything is read, or as soon as the limit is passed (chunked bodies have none).
async fn read_limited(headers: &HeaderMap, body: Body) -> Option<axum::body::Bytes> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_NOTIFY_BYTES) {
        return None;
    }
    axum::body::to_bytes(body, MAX_NOTIFY_BYTES).await.ok()
}

/// Reads a v2 notify body, refusing an oversized one (before reading it all) and any DTD or
/// entity declaration (before parsing).
async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Response> {
    let Some(bytes) = read_limited(headers, body).await else {
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

/// `POST /wxpay/v3/notify`: the raw bytes and the four `Wechatpay-*` headers to the service.
async fn v3_notify(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let Some(bytes) = read_limited(&headers, body).await else {
        return v3_reply(StatusCode::PAYLOAD_TOO_LARGE, "too large", "body too large");
    };
    let signature = wxpay::v3::SignatureHeaders::from_pairs(headers.iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))));
    match notifies::v3(&state, &signature, &bytes).await {
        Answer::Success => StatusCode::NO_CONTENT.into_response(),
        Answer::Probe => {
            tracing::info!("WeChat's signature probe (WECHATPAY/SIGNTEST/) refused, as it must be");
            v3_json(StatusCode::UNAUTHORIZED, "refused")
        }
        Answer::Refused { kind, reason } => {
            let status = match kind {
                Refusal::Invalid => StatusCode::BAD_REQUEST,
                Refusal::Unknown => StatusCode::NOT_FOUND,
                Refusal::Conflict => StatusCode::CONFLICT,
            };
            v3_reply(status, "refused", &reason)
        }
        Answer::Unavailable => v3_reply(StatusCode::INTERNAL_SERVER_ERROR, "temporary error", "state unavailable"),
    }
}

/// A v3 FAIL reply: the network hears only a word; the reason goes to the log.
fn v3_reply(status: StatusCode, word: &str, reason: &str) -> Response {
    tracing::warn!(reason, "v3 notify refused");
    v3_json(status, word)
}

fn v3_json(status: StatusCode, word: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "code": "FAIL", "message": word }))).into_response()
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
        // Probes are v3's; a v2 notify never is one.
        Answer::Unavailable | Answer::Probe => reply(StatusCode::INTERNAL_SERVER_ERROR, false, "temporary error"),
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
