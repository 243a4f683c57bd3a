//! The layer around WeChat's endpoints: it applies the fault rules (`POST /control/faults`)
//! and the older next-N knobs, then records every call in the model's journal, as received:
//! whether its signature and its client certificate were valid, what was answered, and which
//! fault was injected.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wxpay::SignType;

use crate::answer::Answer;
use crate::context::Sim;
use crate::endpoint::Endpoint;
use crate::faults::{FaultKind, ForceSystemError};
use crate::model::Call;
use crate::request::{declared_sign_type, signature_valid};
use crate::tls::{ClientCert, CutConnection};

/// Requests larger than this are refused (WeChat's messages are a few KiB).
const MAX_BODY: usize = 256 * 1024;

/// Request and answer text kept per call.
const KEPT_CHARS: usize = 4096;

fn truncate(s: &str) -> String {
    s.chars().take(KEPT_CHARS).collect()
}

/// The query string with the AppSecret masked: the journal and the page never show it.
fn masked_query(query: &str) -> String {
    query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some(("secret", _)) => "secret=***".to_owned(),
            _ => kv.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn outcome_of(endpoint: Option<Endpoint>, status: StatusCode, body: &[u8]) -> String {
    if !status.is_success() {
        return format!("HTTP {}", status.as_u16());
    }
    if endpoint == Some(Endpoint::Jscode2session) {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        return match v.get("errcode") {
            Some(code) => format!("errcode {code}"),
            None => "SUCCESS".into(),
        };
    }
    match wxpay::xml::decode(body) {
        Ok(p) => match (p.get("return_code").map(String::as_str), p.get("result_code").map(String::as_str)) {
            (Some("SUCCESS"), Some("SUCCESS")) => "SUCCESS".into(),
            (Some("SUCCESS"), _) => p.get("err_code").cloned().unwrap_or_else(|| "FAIL".into()),
            _ => format!("FAIL: {}", p.get("return_msg").map(String::as_str).unwrap_or_default()),
        },
        // downloadbill answers its bill as text.
        Err(_) => "SUCCESS".into(),
    }
}

fn http_fault_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page = format!("<html><body><h1>{status}</h1>proxy</body></html>");
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// The layer around WeChat's endpoints: applies faults, records the call.
pub(crate) async fn layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let seq = sim.model.next_seq();
    let at_ms = sim.clock.now_ms();
    let path = req.uri().path().to_owned();
    let endpoint = Endpoint::from_path(&path);
    let method = req.method().to_string();
    let client_cert = req.extensions().get::<ClientCert>().is_some_and(|c| c.0);
    let cut = req.extensions().get::<CutConnection>().cloned();
    let query = req.uri().query().map(masked_query);
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response();
    };
    let params = wxpay::xml::decode(&bytes).ok();
    let signature = params.as_ref().filter(|p| p.contains_key("sign")).map(|p| signature_valid(&sim, p));
    let sign_type = params.as_ref().and_then(|p| p.get("sign_type").cloned().or_else(|| Some("MD5".into())));
    let request_text = match &query {
        Some(q) if bytes.is_empty() => q.clone(),
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    };
    let pay_api = endpoint.is_some_and(|e| e != Endpoint::Jscode2session);

    let rule = endpoint.and_then(|e| sim.faults.take_rule(e));
    let fault = rule.as_ref().map(|r| format!("rule {}: {}", r.id, serde_json::to_string(&r.kind).unwrap_or_default()));
    let mut drop_after = false;
    let early = match rule.map(|r| r.kind) {
        Some(FaultKind::HttpStatus { status }) => Some(http_fault_page(status)),
        Some(FaultKind::ErrCode { err_code, err_code_des }) => Some(if endpoint == Some(Endpoint::Jscode2session) {
            let code: i64 = err_code.parse().unwrap_or(-1);
            let msg = err_code_des.unwrap_or_else(|| "injected".into());
            axum::Json(serde_json::json!({ "errcode": code, "errmsg": msg })).into_response()
        } else {
            let st = params.as_ref().and_then(declared_sign_type).unwrap_or(SignType::Md5);
            let des = err_code_des.unwrap_or_else(|| format!("{err_code} (injected)"));
            sim.answer(Answer::Injected(err_code, des), st)
        }),
        Some(FaultKind::Delay { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms.min(60_000))).await;
            None
        }
        Some(FaultKind::Drop) => {
            drop_after = true;
            None
        }
        Some(FaultKind::SystemError) => {
            parts.extensions.insert(ForceSystemError);
            None
        }
        None => None,
    };
    let (fault, early) = match early {
        None if pay_api && sim.faults.take_http_status() => (Some("http_status_next".to_owned()), Some(http_fault_page(403))),
        e => (fault, e),
    };
    let answer = match early {
        Some(a) => a,
        None => next.run(Request::from_parts(parts, Body::from(bytes.clone()))).await,
    };
    let (answer_parts, answer_body) = answer.into_parts();
    let answer_bytes = to_bytes(answer_body, usize::MAX).await.unwrap_or_default();
    let mut fault = fault;
    if !drop_after && pay_api && fault.is_none() && sim.faults.take_drop_connection() {
        drop_after = true;
        fault = Some("drop_connections_next".into());
    }
    let dropped = drop_after && cut.is_some();
    let response_text = if answer_parts.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/x-gzip")) {
        format!("({} bytes of gzip)", answer_bytes.len())
    } else {
        String::from_utf8_lossy(&answer_bytes).into_owned()
    };
    let call = Call {
        seq,
        at_ms,
        method,
        path,
        endpoint,
        client_cert,
        signature_valid: signature,
        sign_type: if params.is_some() { sign_type } else { None },
        http_status: if dropped { 0 } else { answer_parts.status.as_u16() },
        outcome: if dropped { "dropped".into() } else { outcome_of(endpoint, answer_parts.status, &answer_bytes) },
        fault,
        request: truncate(&request_text),
        response: truncate(&response_text),
        api: "v2",
        expected_message: None,
    };
    sim.model.record_call(call);
    if dropped {
        if let Some(cut) = cut {
            cut.0.notify_one();
            // The connection task drops this future with the connection.
            std::future::pending::<()>().await;
        }
    }
    Response::from_parts(answer_parts, Body::from(answer_bytes))
}
