//! The control API's v3 part: WeChat's keys (show, rotate the platform certificate and
//! activate the new one, move notifies to the public key now) and probes (send some now, set the rate).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::notify;
use crate::context::Sim;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
}

/// `GET /control/v3/keys`: the mode, the key ids and which one signs notifies now.
pub(crate) async fn keys(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!(sim.v3.info(sim.clock.now_ms()))).into_response()
}

/// `POST /control/v3/keys/rotate {}`: a new platform certificate, listed at once, signing a
/// day of WeChat's time later (or when activated) → `{serial, takes_over_at_ms, keys}`.
pub(crate) async fn rotate(State(sim): State<Arc<Sim>>) -> Response {
    match sim.v3.rotate(sim.clock.now_ms()) {
        None => error(StatusCode::CONFLICT, "NO_CERTIFICATES", "public-key mode has no platform certificates"),
        Some(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, "ROTATE_FAILED", &e.to_string()),
        Some(Ok((serial, at))) => {
            Json(json!({ "serial": serial, "takes_over_at_ms": at, "keys": sim.v3.info(sim.clock.now_ms()) })).into_response()
        }
    }
}

/// `POST /control/v3/keys/activate {}`: the rotated certificate signs now (without it, a day
/// of WeChat's time after the rotation).
pub(crate) async fn activate(State(sim): State<Arc<Sim>>) -> Response {
    if sim.v3.activate(sim.clock.now_ms()) {
        Json(json!(sim.v3.info(sim.clock.now_ms()))).into_response()
    } else {
        error(StatusCode::CONFLICT, "NO_CERTIFICATES", "public-key mode has no platform certificates")
    }
}

/// `POST /control/v3/keys/switch {}`: notifies move to the public key now (switchover).
pub(crate) async fn switch(State(sim): State<Arc<Sim>>) -> Response {
    if sim.v3.switch_now(sim.clock.now_ms()) {
        Json(json!(sim.v3.info(sim.clock.now_ms()))).into_response()
    } else {
        error(StatusCode::CONFLICT, "NOT_SWITCHOVER", "only the switchover mode moves notifies")
    }
}

#[derive(Deserialize)]
pub(crate) struct Probes {
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    rate: Option<f64>,
    /// Where to send them (default: the last notify_url a v3 order or refund named).
    #[serde(default)]
    url: Option<String>,
}

/// `POST /control/v3/probes {count?, rate?, url?}`: sends `count` probes now (their answers
/// are in the body and in `/control/notifies`) and/or sets the probe rate.
pub(crate) async fn probes(State(sim): State<Arc<Sim>>, Json(p): Json<Probes>) -> Response {
    if let Some(rate) = p.rate {
        if !(0.0..=1.0).contains(&rate) {
            return error(StatusCode::BAD_REQUEST, "PARAM_ERROR", "rate: a number from 0 to 1");
        }
        sim.model.set_probe_rate(rate);
    }
    let mut sent = Vec::new();
    let count = p.count.unwrap_or(0).min(100);
    if count > 0 {
        let Some(url) = p.url.or_else(|| sim.model.last_notify_url()) else {
            return error(StatusCode::CONFLICT, "NO_NOTIFY_URL", "no v3 order or refund has named a notify_url yet (or pass url)");
        };
        for _ in 0..count {
            if let Some(d) = notify::send_probe(&sim, &url).await {
                sent.push(d);
            }
        }
    }
    Json(json!({ "rate": sim.model.probe_rate(), "sent": sent })).into_response()
}
