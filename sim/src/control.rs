//! The control API (JSON) and its page, under `/control`: what a test or a person does in
//! WeChat's place (the user pays, cancels, the bank fails the payment, a refund settles), the
//! faults injected into the next calls, and what the simulator saw (every call, with whether
//! its signature and client certificate were valid; every notify attempt, with the merchant's
//! answer). Documented in `sim/README.md`.
//!
//! Served over HTTPS and, for a browser, over plain HTTP on the same port. POSTs must be JSON
//! (`Content-Type: application/json`): a page of another site cannot send those without a CORS
//! preflight, which is never granted.
//!
//! The one control surface: the older `/sandbox/…` views and knobs of the simulated client are
//! served from here too, and [`crate::Simulator`]'s methods ask the same model and fault model.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use wxpay::RefundStatus;

use crate::client;
use crate::context::Sim;
use crate::endpoint::Endpoint;
use crate::faults::{FaultKind, KnobChange};
use crate::model::{OrderKey, Refusal};
use crate::{login, notifier, refund, v3};

const PAGE: &str = include_str!("control.html");

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": { "code": code, "message": message.into() } }))).into_response()
}

/// Why the user could not pay, with the client's words; the codes are the control API's.
fn refused(r: Refusal) -> Response {
    let (status, msg) = client::refusal_message(r);
    let (status, code) = match r {
        Refusal::PrepayExpired => (status, "PREPAYEXPIRED"),
        Refusal::SignTypeMismatch => (status, "SIGNTYPEMISMATCH"),
        Refusal::OrderPaid => (status, "PAID"),
        Refusal::OrderClosed => (status, "CLOSED"),
        Refusal::OrderExpired => (status, "EXPIRED"),
        _ => (StatusCode::NOT_FOUND, "UNKNOWN"),
    };
    error(status, code, msg)
}

/// POSTs and DELETEs must carry JSON.
async fn json_only(req: Request, next: Next) -> Response {
    let json = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if req.method() != Method::GET && !json {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON_ONLY", "send Content-Type: application/json");
    }
    next.run(req).await
}

/// The control routes.
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/control", get(page))
        .route("/control/", get(page))
        .route("/control/info", get(info))
        .route("/control/login", post(login_as))
        .route("/control/calls", get(calls))
        .route("/control/orders", get(orders))
        .route("/control/orders/{no}", get(order))
        .route("/control/orders/{no}/pay", post(pay))
        .route("/control/orders/{no}/cancel", post(cancel))
        .route("/control/orders/{no}/fail", post(fail))
        .route("/control/refunds", get(refunds))
        .route("/control/refunds/{no}/settle", post(settle))
        .route("/control/notifies", get(notifies))
        .route("/control/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/control/knobs", get(knobs).post(turn_knobs))
        .route("/control/clock", get(clock).post(advance_clock))
        .route("/control/v3/keys", get(v3::control::keys))
        .route("/control/v3/keys/rotate", post(v3::control::rotate))
        .route("/control/v3/keys/activate", post(v3::control::activate))
        .route("/control/v3/keys/switch", post(v3::control::switch))
        .route("/control/v3/probes", post(v3::control::probes))
        .route_layer(axum::middleware::from_fn(json_only))
        .with_state(sim)
}

async fn page() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(PAGE)).into_response()
}

/// `GET /control/info`: who the simulator plays WeChat for (no secrets) and its endpoints.
async fn info(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "appid": sim.creds.appid,
        "mch_id": sim.creds.mch_id,
        "time_scale": sim.time_scale,
        "endpoints": Endpoint::ALL.iter().map(|e| json!({ "name": e, "path": e.path() })).collect::<Vec<_>>(),
        "v3_endpoints": Endpoint::V3.iter().map(|e| json!({ "name": e, "path": e.path() })).collect::<Vec<_>>(),
        "v3_keys": sim.v3.mode,
        "notify_ladder_secs": notifier::NOTIFY_SCHEDULE_SECS,
    }))
}

#[derive(Deserialize, Default)]
struct LoginAs {
    #[serde(default)]
    openid: Option<String>,
}

/// `POST /control/login {openid?}` → `{code, openid}`: `wx.login()` for that user (a new one
/// when absent).
async fn login_as(State(sim): State<Arc<Sim>>, body: Option<Json<LoginAs>>) -> Json<Value> {
    let req = body.map(|Json(b)| b).unwrap_or_default();
    let (code, openid) = login::issue(&sim, req.openid.as_deref().filter(|o| !o.is_empty() && o.len() <= 64));
    Json(json!({ "code": code, "openid": openid }))
}

#[derive(Deserialize)]
struct CallsQuery {
    since: Option<u64>,
    endpoint: Option<Endpoint>,
}

/// `GET /control/calls?since=SEQ&endpoint=NAME`: calls received, oldest first.
async fn calls(State(sim): State<Arc<Sim>>, Query(q): Query<CallsQuery>) -> Json<Value> {
    Json(json!(sim.model.calls(q.since, q.endpoint)))
}

/// `GET /control/orders`: every order, oldest first.
/// Every order, oldest first; v3 ones say `"api": "v3"` (their sign type is RSA, not the
/// `sign_type` a v2 order keeps).
async fn orders(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let shown = sim.model.orders().into_iter().map(|o| {
        let v3 = sim.model.is_v3_order(&o.out_trade_no);
        let mut v = json!(o);
        v["api"] = json!(if v3 { "v3" } else { "v2" });
        v
    });
    Json(Value::Array(shown.collect()))
}

async fn order(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match sim.model.order(OrderKey::OutTradeNo(&no)) {
        Some(o) => Json(o).into_response(),
        None => error(StatusCode::NOT_FOUND, "ORDERNOTEXIST", "no such out_trade_no"),
    }
}

/// `POST /control/orders/{no}/pay`: the user pays (no paySign needed); the notify ladder starts.
async fn pay(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match client::pay(&sim, OrderKey::OutTradeNo(&no), None) {
        Ok(p) => {
            Json(json!({ "out_trade_no": p.out_trade_no, "transaction_id": p.transaction_id, "trade_state": "SUCCESS" })).into_response()
        }
        Err(r) => refused(r),
    }
}

/// `POST /control/orders/{no}/cancel`: the user closes the payment sheet (the order stays as it
/// is; `cancellations` counts).
async fn cancel(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    if sim.model.cancel_payment(OrderKey::OutTradeNo(&no)) {
        Json(json!({ "out_trade_no": no, "errMsg": "requestPayment:fail cancel" })).into_response()
    } else {
        refused(Refusal::OrderNotExist)
    }
}

/// `POST /control/orders/{no}/fail`: the bank refuses the payment (`PAYERROR`).
async fn fail(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match sim.model.fail_payment(&no) {
        Ok(()) => Json(json!({ "out_trade_no": no, "trade_state": "PAYERROR" })).into_response(),
        Err(r) => refused(r),
    }
}

/// `GET /control/refunds`: every refund, oldest first.
/// Every refund, oldest first; v3 ones say `"api": "v3"` and their v3 `status` (ABNORMAL for
/// CHANGE, CLOSED for REFUNDCLOSE).
async fn refunds(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let shown = sim.model.refunds().into_iter().map(|r| {
        let v3 = sim.model.is_v3_refund(&r.out_refund_no);
        let mut v = json!(r);
        v["api"] = json!(if v3 { "v3" } else { "v2" });
        if v3 {
            v["status"] = json!(v3::refund_status(r.refund_status));
        }
        v
    });
    Json(Value::Array(shown.collect()))
}

#[derive(Deserialize)]
struct Settle {
    status: String,
    #[serde(default = "yes")]
    notify: bool,
}

fn yes() -> bool {
    true
}

/// `POST /control/refunds/{no}/settle {status: SUCCESS|CHANGE|REFUNDCLOSE, notify?: true}`:
/// the refund ends so (a CHANGE refund can later be settled SUCCESS, as after a person sent it
/// again on the merchant platform), and its refund notify is delivered unless `notify: false`.
async fn settle(State(sim): State<Arc<Sim>>, Path(no): Path<String>, Json(s): Json<Settle>) -> Response {
    // v3 names ABNORMAL and CLOSED what v2 names CHANGE and REFUNDCLOSE.
    let status = match s.status.as_str() {
        "SUCCESS" => RefundStatus::Success,
        "CHANGE" | "ABNORMAL" => RefundStatus::Change,
        "REFUNDCLOSE" | "CLOSED" => RefundStatus::Refundclose,
        _ => return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "status: SUCCESS, CHANGE (ABNORMAL) or REFUNDCLOSE (CLOSED)"),
    };
    match sim.model.settle(&no, status) {
        Ok(r) => {
            let is_v3 = sim.model.is_v3_refund(&no);
            if s.notify && is_v3 {
                v3::notify::spawn_refund(&sim, &no);
            } else if s.notify {
                refund::notify(&sim, &no);
            }
            let mut shown = json!(r);
            if is_v3 {
                shown["api"] = json!("v3");
                shown["status"] = json!(v3::refund_status(r.refund_status));
            }
            Json(shown).into_response()
        }
        Err(Refusal::RefundFinished) => error(StatusCode::CONFLICT, "REFUND_FINISHED", "the refund is already SUCCESS or REFUNDCLOSE"),
        Err(_) => error(StatusCode::NOT_FOUND, "REFUNDNOTEXIST", "no such out_refund_no"),
    }
}

#[derive(Deserialize)]
struct NotifiesQuery {
    key: Option<String>,
}

/// `GET /control/notifies?key=out_trade_no|out_refund_no`: every notify attempt, oldest first,
/// with the merchant's answer.
async fn notifies(State(sim): State<Arc<Sim>>, Query(q): Query<NotifiesQuery>) -> Json<Value> {
    let all = sim.model.all_deliveries();
    Json(json!(all.into_iter().filter(|d| q.key.as_ref().is_none_or(|k| &d.key == k)).collect::<Vec<_>>()))
}

/// `GET /control/faults`: the rules with calls left, and the knobs.
async fn faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "rules": sim.faults.rules() }))
}

#[derive(Deserialize)]
struct NewFault {
    /// An endpoint name, or `*` / absent for every endpoint.
    #[serde(default)]
    endpoint: Option<String>,
    /// How many calls (default 1).
    #[serde(default)]
    count: Option<u32>,
    #[serde(flatten)]
    kind: FaultKind,
}

/// `POST /control/faults {endpoint, count, kind, …}` → the rule.
async fn add_fault(State(sim): State<Arc<Sim>>, body: Result<Json<NewFault>, axum::extract::rejection::JsonRejection>) -> Response {
    let Json(f) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", e.body_text()),
    };
    let endpoint = match f.endpoint.as_deref() {
        None | Some("*") => None,
        Some(name) => match serde_json::from_value::<Endpoint>(json!(name)) {
            Ok(e) => Some(e),
            Err(_) => return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", format!("unknown endpoint {name:?}")),
        },
    };
    match &f.kind {
        FaultKind::HttpStatus { status } if !(400..=599).contains(status) => {
            return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "status: 400 to 599")
        }
        FaultKind::ErrCode { err_code, .. } if err_code.is_empty() || err_code.len() > 32 => {
            return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "err_code: 1 to 32 characters")
        }
        FaultKind::Delay { delay_ms } if *delay_ms > 60_000 => {
            return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "delay_ms: at most 60000")
        }
        _ => {}
    }
    let count = f.count.unwrap_or(1);
    if count == 0 || count > 10_000 {
        return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "count: 1 to 10000");
    }
    let rule = sim.faults.add_rule(endpoint, count, f.kind);
    (StatusCode::CREATED, Json(json!(rule))).into_response()
}

/// `DELETE /control/faults`: removes every rule.
async fn clear_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.faults.clear_rules();
    Json(json!({ "rules": [] }))
}

/// `GET /sandbox/orders/{out_trade_no}`.
pub(crate) async fn show_order(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match sim.model.order(OrderKey::OutTradeNo(&no)) {
        Some(o) => Json(o).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "error": "ORDERNOTEXIST" }))).into_response(),
    }
}

/// `GET /sandbox/notifies/{out_trade_no}`.
pub(crate) async fn show_deliveries(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    Json(sim.model.deliveries(&no)).into_response()
}

/// `POST /sandbox/faults` (also `POST /control/knobs`) `{systemerror_rate?, systemerror_next?,
/// delay_ms?, duplicate_notifies?, drop_notifies?, hold_refunds?, drop_connections_next?,
/// http_status_next?, refund_outcome?}` → the knobs now.
pub(crate) async fn turn_knobs(State(sim): State<Arc<Sim>>, Json(change): Json<KnobChange>) -> Response {
    match sim.faults.turn(&change) {
        Ok(knobs) => Json(json!(knobs)).into_response(),
        Err(msg) => (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response(),
    }
}

/// The furthest one `POST /control/clock` moves WeChat's clock: ten years (the clock keeps
/// milliseconds in an `i64`, and no test needs more).
const MAX_CLOCK_ADVANCE_SECS: u64 = 10 * 365 * 24 * 3600;

/// `{advance_secs}`: how far to move WeChat's clock forward.
#[derive(Deserialize)]
struct ClockMove {
    advance_secs: u64,
}

/// `POST /control/clock {advance_secs}` → `{now}`: moves WeChat's clock forward (its `Date`
/// headers, timestamps, expiries), e.g. to plant a merchant clock that is behind.
async fn advance_clock(State(sim): State<Arc<Sim>>, Json(m): Json<ClockMove>) -> Response {
    if m.advance_secs > MAX_CLOCK_ADVANCE_SECS {
        let error = format!("advance_secs must be at most {MAX_CLOCK_ADVANCE_SECS} (ten years)");
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
    }
    sim.clock.advance(std::time::Duration::from_secs(m.advance_secs));
    clock(State(sim)).await
}

/// `GET /control/clock` → `{now}`: WeChat's time, seconds since the epoch.
async fn clock(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({ "now": sim.clock.now_secs() })).into_response()
}

/// `GET /control/knobs`.
async fn knobs(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!(sim.faults.knobs())).into_response()
}
