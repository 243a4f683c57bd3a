//! The WeChat client's side: `wx.requestPayment`, plus read-only views and the fault knobs.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use wxpay::{PaymentParams, SignType, TradeState};

use super::{lock, notifier, Sim};
use crate::clock::beijing14;

/// What the mini-program passes to `wx.requestPayment`, plus test switches.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestPayment {
    #[serde(default)]
    app_id: Option<String>,
    time_stamp: String,
    nonce_str: String,
    package: String,
    sign_type: String,
    pay_sign: String,
    /// The user closes the payment sheet.
    #[serde(default)]
    cancel: bool,
}

fn fail(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "errMsg": format!("requestPayment:fail {msg}") }))).into_response()
}

/// `POST /sandbox/requestPayment`: verifies `paySign` as the client does, shows the sheet,
/// the user pays, WeChat marks the order paid and starts delivering the notify.
pub(super) async fn request_payment(State(sim): State<Arc<Sim>>, Json(req): Json<RequestPayment>) -> Response {
    let Ok(sign_type) = req.sign_type.parse::<SignType>() else {
        return fail(StatusCode::BAD_REQUEST, "invalid signType");
    };
    if req.time_stamp.is_empty() || !req.time_stamp.bytes().all(|b| b.is_ascii_digit()) {
        return fail(StatusCode::BAD_REQUEST, "timeStamp must be a string of seconds");
    }
    let params = PaymentParams {
        app_id: req.app_id.unwrap_or_else(|| sim.creds.appid.clone()),
        time_stamp: req.time_stamp,
        nonce_str: req.nonce_str,
        package: req.package,
        sign_type,
        pay_sign: req.pay_sign,
    };
    if params.app_id != sim.creds.appid {
        return fail(StatusCode::BAD_REQUEST, "appId mismatch");
    }
    if params.verify(&sim.key).is_err() {
        return fail(StatusCode::BAD_REQUEST, "支付验证签名失败");
    }
    let prepay_id = params.prepay_id().unwrap_or_default().to_owned();
    if req.cancel {
        return fail(StatusCode::OK, "cancel");
    }
    let now = sim.clock.now_ms();
    let no = {
        let mut orders = lock(&sim.orders);
        let Some(o) = orders.values_mut().find(|o| o.prepay_id == prepay_id) else {
            return fail(StatusCode::BAD_REQUEST, "prepay_id无效");
        };
        if o.prepay_expires_ms <= now {
            return fail(StatusCode::BAD_REQUEST, "prepay_id已过期");
        }
        if o.sign_type != sign_type {
            return fail(StatusCode::BAD_REQUEST, "signType与下单时不一致");
        }
        match o.trade_state {
            TradeState::Notpay | TradeState::Userpaying => {}
            TradeState::Success | TradeState::Refund => return fail(StatusCode::CONFLICT, "该订单已支付"),
            _ => return fail(StatusCode::CONFLICT, "该订单已关闭"),
        }
        if o.time_expire_ms.is_some_and(|t| t <= now) {
            return fail(StatusCode::CONFLICT, "订单已过期");
        }
        o.trade_state = TradeState::Success;
        o.transaction_id = Some(format!("4200{:024}", sim.next_seq() + (now as u64 % 1_000_000_000) * 1_000_000));
        o.time_end = Some(beijing14(now / 1000));
        o.out_trade_no.clone()
    };
    if sim.faults.drop_notifies.load(Ordering::Relaxed) {
        tracing::info!(out_trade_no = %no, "sandbox: paid by the user; notify dropped (fault)");
    } else {
        tracing::info!(out_trade_no = %no, "sandbox: paid by the user; delivering the notify");
        tokio::spawn(notifier::deliver(sim.clone(), no.clone()));
    }
    let txn = lock(&sim.orders).get(&no).and_then(|o| o.transaction_id.clone());
    Json(json!({ "errMsg": "requestPayment:ok", "out_trade_no": no, "transaction_id": txn })).into_response()
}

/// `GET /sandbox/orders/{out_trade_no}`.
pub(super) async fn show_order(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match lock(&sim.orders).get(&no) {
        Some(o) => Json(o.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "error": "ORDERNOTEXIST" }))).into_response(),
    }
}

/// `GET /sandbox/notifies/{out_trade_no}`.
pub(super) async fn show_deliveries(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    Json(lock(&sim.deliveries).get(&no).cloned().unwrap_or_default()).into_response()
}

#[derive(Deserialize)]
pub(super) struct SetFaults {
    systemerror_rate: Option<f64>,
    systemerror_next: Option<u32>,
    delay_ms: Option<u64>,
    duplicate_notifies: Option<u32>,
    drop_notifies: Option<bool>,
    hold_refunds: Option<bool>,
    drop_connections_next: Option<u32>,
}

/// `POST /sandbox/faults {systemerror_rate?, systemerror_next?, delay_ms?, duplicate_notifies?,
/// drop_notifies?, hold_refunds?, drop_connections_next?}`.
pub(super) async fn set_faults(State(sim): State<Arc<Sim>>, Json(f): Json<SetFaults>) -> Response {
    let faults = &sim.faults;
    if let Some(r) = f.systemerror_rate {
        faults.systemerror_permille.store((r.clamp(0.0, 1.0) * 1000.0).round() as u32, Ordering::Relaxed);
    }
    if let Some(n) = f.systemerror_next {
        faults.systemerror_next.store(n, Ordering::Relaxed);
    }
    if let Some(d) = f.delay_ms {
        faults.delay_ms.store(d.min(60_000), Ordering::Relaxed);
    }
    if let Some(n) = f.duplicate_notifies {
        faults.duplicate_notifies.store(n.min(100), Ordering::Relaxed);
    }
    if let Some(d) = f.drop_notifies {
        faults.drop_notifies.store(d, Ordering::Relaxed);
    }
    if let Some(h) = f.hold_refunds {
        faults.hold_refunds.store(h, Ordering::Relaxed);
    }
    if let Some(n) = f.drop_connections_next {
        faults.drop_connections_next.store(n, Ordering::Relaxed);
    }
    Json(json!({
        "drop_notifies": faults.drop_notifies.load(Ordering::Relaxed),
        "hold_refunds": faults.hold_refunds.load(Ordering::Relaxed),
        "systemerror_rate": f64::from(faults.systemerror_permille.load(Ordering::Relaxed)) / 1000.0,
        "systemerror_next": faults.systemerror_next.load(Ordering::Relaxed),
        "delay_ms": faults.delay_ms.load(Ordering::Relaxed),
        "duplicate_notifies": faults.duplicate_notifies.load(Ordering::Relaxed),
        "drop_connections_next": faults.drop_connections_next.load(Ordering::Relaxed),
    }))
    .into_response()
}
