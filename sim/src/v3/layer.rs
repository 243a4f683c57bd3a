//! The layer around every v3 endpoint: verifies the merchant's `Authorization`, applies the
//! fault rules, signs the answer (all but the bill file), and records the call in the journal
//! with its signature's validity and, when invalid, the message that should have been signed.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth;
use super::reply::{sign_headers, V3Error};
use crate::context::Sim;
use crate::endpoint::Endpoint;
use crate::faults::FaultKind;
use crate::model::Call;
use crate::tls::CutConnection;

/// Requests larger than this are refused.
const MAX_BODY: usize = 256 * 1024;

/// Request and answer text kept per call.
const KEPT_CHARS: usize = 4096;

/// The Wechatpay-Serial a request named (the key its answer is to be signed with).
#[derive(Clone, Debug)]
pub(crate) struct RequestedSerial(pub(crate) Option<String>);

fn outcome(status: StatusCode, body: &[u8]) -> String {
    if status.is_success() {
        return "SUCCESS".into();
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
}

/// The standing knobs, for a call no rule applied to: `http_status_next` (a proxy's 403
/// page), `systemerror_next` and `systemerror_rate` (500 SYSTEM_ERROR, unprocessed),
/// `drop_connections_next` (processed, then the connection is closed unanswered).
fn knobs(sim: &Sim, fault: &mut Option<String>, unsigned: &mut bool, drop_after: &mut bool) -> Option<Response> {
    if fault.is_some() {
        return None;
    }
    if sim.faults.take_http_status() {
        *fault = Some("http_status_next".into());
        *unsigned = true;
        return Some(
            (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/html")], "<html><body><h1>403 Forbidden</h1>proxy</body></html>")
                .into_response(),
        );
    }
    if sim.faults.take_systemerror(false) {
        *fault = Some("systemerror".into());
        return Some(V3Error::system().into_response());
    }
    if sim.faults.take_drop_connection() {
        *fault = Some("drop_connections_next".into());
        *drop_after = true;
    }
    None
}

/// The layer.
pub(crate) async fn layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let seq = sim.model.next_seq();
    let at_ms = sim.clock.now_ms();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| path.clone());
    let endpoint = Endpoint::from_v3(&method, &path);
    let (requested, authorization) = {
        let h = req.headers();
        let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (text("wechatpay-serial"), text("authorization"))
    };
    let cut = req.extensions().get::<CutConnection>().cloned();
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response();
    };
    let checked = auth::verify(&sim, &method, &path_and_query, authorization.as_deref(), &bytes);
    let (signature_valid, expected_message) = match &checked {
        Ok(()) => (Some(true), None),
        Err(r) => (r.signature_valid, r.expected_message.clone()),
    };
    let mut fault = None;
    let mut drop_after = false;
    let mut unsigned = false;
    let early: Option<Response> = match checked {
        Err(r) => Some(r.error.into_response()),
        Ok(()) => {
            let rule = endpoint.and_then(|e| sim.faults.take_rule(e));
            fault = rule.as_ref().map(|r| format!("rule {}: {}", r.id, serde_json::to_string(&r.kind).unwrap_or_default()));
            match rule.map(|r| r.kind) {
                Some(FaultKind::HttpStatus { status }) => {
                    unsigned = true;
                    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                    Some(
                        (status, [(header::CONTENT_TYPE, "text/html")], format!("<html><body><h1>{status}</h1>proxy</body></html>"))
                            .into_response(),
                    )
                }
                Some(FaultKind::ErrCode { err_code, err_code_des }) => Some(V3Error::injected(&err_code, err_code_des).into_response()),
                Some(FaultKind::SystemError) => Some(V3Error::system().into_response()),
                Some(FaultKind::Delay { delay_ms }) => {
                    tokio::time::sleep(Duration::from_millis(delay_ms.min(60_000))).await;
                    None
                }
                Some(FaultKind::Drop) => {
                    drop_after = true;
                    None
                }
                None => None,
            }
            .or_else(|| knobs(&sim, &mut fault, &mut unsigned, &mut drop_after))
        }
    };
    if early.is_none() {
        if let Some(d) = sim.faults.delay() {
            tokio::time::sleep(d.min(Duration::from_secs(60))).await;
        }
    }
    parts.extensions.insert(RequestedSerial(requested.clone()));
    let answer = match early {
        Some(a) => a,
        None => next.run(axum::extract::Request::from_parts(parts, Body::from(bytes.clone()))).await,
    };
    let (mut answer_parts, answer_body) = answer.into_parts();
    let answer_bytes = to_bytes(answer_body, usize::MAX).await.unwrap_or_default();
    // The bill file is not signed (its SHA-1 is the integrity check); errors of that URL are.
    let file = endpoint == Some(Endpoint::V3Billdownload) && answer_parts.status.is_success();
    if !unsigned && !file {
        sign_headers(&sim, requested.as_deref(), &mut answer_parts.headers, &answer_bytes);
    }
    let dropped = drop_after && cut.is_some();
    let response_text =
        if file && answer_parts.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/x-gzip")) {
            format!("({} bytes of gzip)", answer_bytes.len())
        } else {
            String::from_utf8_lossy(&answer_bytes).into_owned()
        };
    let keep = |s: &str| s.chars().take(KEPT_CHARS).collect::<String>();
    sim.model.record_call(Call {
        seq,
        at_ms,
        method,
        path: path_and_query,
        endpoint,
        client_cert: false,
        signature_valid,
        sign_type: Some("WECHATPAY2-SHA256-RSA2048".into()),
        http_status: if dropped { 0 } else { answer_parts.status.as_u16() },
        outcome: if dropped { "dropped".into() } else { outcome(answer_parts.status, &answer_bytes) },
        fault,
        request: keep(&String::from_utf8_lossy(&bytes)),
        response: keep(&response_text),
        api: "v3",
        expected_message,
    });
    if dropped {
        if let Some(cut) = cut {
            cut.0.notify_one();
            std::future::pending::<()>().await;
        }
    }
    Response::from_parts(answer_parts, Body::from(answer_bytes))
}
