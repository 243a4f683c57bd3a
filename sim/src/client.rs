//! The WeChat client's side: `wx.requestPayment` (`/sandbox/requestPayment`), the user paying
//! (also from the control API), plus read-only views and the fault knobs.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use wxpay::time::beijing14;
use wxpay::{PaymentParams, SignType, TradeState};

use crate::notifier;
use crate::state::{lock, Sim, SimOrder};

/// What the mini-program passes to `wx.requestPayment`, plus test switches.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestPayment {
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

/// Why the user could not pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayRefusal {
    /// No such prepay_id / out_trade_no.
    Unknown,
    /// The prepay_id is older than two hours.
    PrepayExpired,
    /// The order was placed with another sign type than the payment's.
    SignTypeMismatch,
    /// Already paid.
    Paid,
    /// Closed.
    Closed,
    /// Past its time_expire.
    Expired,
}

impl PayRefusal {
    /// The client's `errMsg` detail and the HTTP status the simulator answers with.
    pub(crate) fn message(self) -> (StatusCode, &'static str) {
        match self {
            PayRefusal::Unknown => (StatusCode::BAD_REQUEST, "prepay_id无效"),
            PayRefusal::PrepayExpired => (StatusCode::BAD_REQUEST, "prepay_id已过期"),
            PayRefusal::SignTypeMismatch => (StatusCode::BAD_REQUEST, "signType与下单时不一致"),
            PayRefusal::Paid => (StatusCode::CONFLICT, "该订单已支付"),
            PayRefusal::Closed => (StatusCode::CONFLICT, "该订单已关闭"),
            PayRefusal::Expired => (StatusCode::CONFLICT, "订单已过期"),
        }
    }
}

/// The user pays the order `find` picks (the sheet was shown for its prepay_id, or a person
/// pressed "pay" on the control page): WeChat marks it paid and starts the notify ladder.
/// Returns `(out_trade_no, transaction_id)`.
pub(crate) fn pay(sim: &Arc<Sim>, find: impl Fn(&SimOrder) -> bool, sign_type: Option<SignType>) -> Result<(String, String), PayRefusal> {
    let now = sim.clock.now_ms();
    let (no, txn) = {
        let mut orders = lock(&sim.orders);
        let o = orders.values_mut().find(|o| find(o)).ok_or(PayRefusal::Unknown)?;
        if o.prepay_expires_ms <= now {
            return Err(PayRefusal::PrepayExpired);
        }
        if sign_type.is_some_and(|t| t != o.sign_type) {
            return Err(PayRefusal::SignTypeMismatch);
        }
        match o.trade_state {
            // PAYERROR: the bank refused; the user may pay again (another card).
            TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => {}
            TradeState::Success | TradeState::Refund => return Err(PayRefusal::Paid),
            TradeState::Closed | TradeState::Revoked => return Err(PayRefusal::Closed),
        }
        if o.time_expire_ms.is_some_and(|t| t <= now) {
            return Err(PayRefusal::Expired);
        }
        let txn = format!("4200{:024}", sim.next_seq() + (now as u64 % 1_000_000_000) * 1_000_000);
        o.trade_state = TradeState::Success;
        o.transaction_id = Some(txn.clone());
        o.time_end = Some(beijing14(now / 1000));
        o.paid_ms = Some(now);
        (o.out_trade_no.clone(), txn)
    };
    if sim.faults.drop_notifies.load(Ordering::Relaxed) {
        tracing::info!(out_trade_no = %no, "paid by the user; notify dropped (fault)");
    } else {
        tracing::info!(out_trade_no = %no, "paid by the user; delivering the notify");
        tokio::spawn(notifier::deliver(sim.clone(), no.clone()));
    }
    Ok((no, txn))
}

/// The user closes the payment sheet: nothing changes at WeChat but the count.
pub(crate) fn cancel(sim: &Sim, find: impl Fn(&SimOrder) -> bool) -> bool {
    match lock(&sim.orders).values_mut().find(|o| find(o)) {
        Some(o) => {
            o.cancellations += 1;
            true
        }
        None => false,
    }
}

/// The payment fails at the bank: `PAYERROR` (no notify; orderquery tells).
pub(crate) fn fail_payment(sim: &Sim, no: &str) -> Result<(), PayRefusal> {
    let mut orders = lock(&sim.orders);
    let o = orders.get_mut(no).ok_or(PayRefusal::Unknown)?;
    match o.trade_state {
        TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => {
            o.trade_state = TradeState::Payerror;
            tracing::info!(out_trade_no = %no, "payment failed at the bank (PAYERROR)");
            Ok(())
        }
        TradeState::Success | TradeState::Refund => Err(PayRefusal::Paid),
        TradeState::Closed | TradeState::Revoked => Err(PayRefusal::Closed),
    }
}

/// `POST /sandbox/requestPayment`: verifies `paySign` as the client does, shows the sheet,
/// the user pays (or cancels, with `cancel: true`).
pub(crate) async fn request_payment(State(sim): State<Arc<Sim>>, Json(req): Json<RequestPayment>) -> Response {
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
        cancel(&sim, |o| o.prepay_id == prepay_id);
        return fail(StatusCode::OK, "cancel");
    }
    match pay(&sim, |o| o.prepay_id == prepay_id, Some(sign_type)) {
        Ok((no, txn)) => Json(json!({ "errMsg": "requestPayment:ok", "out_trade_no": no, "transaction_id": txn })).into_response(),
        Err(r) => {
            let (status, msg) = r.message();
            fail(status, msg)
        }
    }
}

/// `GET /sandbox/orders/{out_trade_no}`.
pub(crate) async fn show_order(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    match lock(&sim.orders).get(&no) {
        Some(o) => Json(o.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "error": "ORDERNOTEXIST" }))).into_response(),
    }
}

/// `GET /sandbox/notifies/{out_trade_no}`.
pub(crate) async fn show_deliveries(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> Response {
    Json(lock(&sim.deliveries).get(&no).cloned().unwrap_or_default()).into_response()
}

#[derive(Deserialize)]
pub(crate) struct SetFaults {
    systemerror_rate: Option<f64>,
    systemerror_next: Option<u32>,
    delay_ms: Option<u64>,
    duplicate_notifies: Option<u32>,
    drop_notifies: Option<bool>,
    hold_refunds: Option<bool>,
    drop_connections_next: Option<u32>,
    http_status_next: Option<u32>,
    refund_outcome: Option<String>,
}

/// `POST /sandbox/faults` (also `POST /control/knobs`) `{systemerror_rate?, systemerror_next?,
/// delay_ms?, duplicate_notifies?, drop_notifies?, hold_refunds?, drop_connections_next?,
/// http_status_next?, refund_outcome?}` → the knobs now.
pub(crate) async fn set_faults(State(sim): State<Arc<Sim>>, Json(f): Json<SetFaults>) -> Response {
    let faults = &sim.faults;
    if let Some(o) = &f.refund_outcome {
        let status = match o.as_str() {
            "SUCCESS" => None,
            "CHANGE" => Some(wxpay::RefundStatus::Change),
            "REFUNDCLOSE" => Some(wxpay::RefundStatus::Refundclose),
            _ => {
                return (StatusCode::BAD_REQUEST, Json(json!({ "error": "refund_outcome: SUCCESS, CHANGE or REFUNDCLOSE" })))
                    .into_response()
            }
        };
        *lock(&faults.refund_outcome) = status;
    }
    if let Some(n) = f.http_status_next {
        faults.http_status_next.store(n, Ordering::Relaxed);
    }
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
    Json(knobs(faults)).into_response()
}

/// `GET /control/knobs`.
pub(crate) async fn get_knobs(State(sim): State<Arc<Sim>>) -> Response {
    Json(knobs(&sim.faults)).into_response()
}

fn knobs(faults: &crate::faults::Faults) -> serde_json::Value {
    json!({
        "drop_notifies": faults.drop_notifies.load(Ordering::Relaxed),
        "hold_refunds": faults.hold_refunds.load(Ordering::Relaxed),
        "systemerror_rate": f64::from(faults.systemerror_permille.load(Ordering::Relaxed)) / 1000.0,
        "systemerror_next": faults.systemerror_next.load(Ordering::Relaxed),
        "delay_ms": faults.delay_ms.load(Ordering::Relaxed),
        "duplicate_notifies": faults.duplicate_notifies.load(Ordering::Relaxed),
        "drop_connections_next": faults.drop_connections_next.load(Ordering::Relaxed),
        "http_status_next": faults.http_status_next.load(Ordering::Relaxed),
        "refund_outcome": lock(&faults.refund_outcome).unwrap_or(wxpay::RefundStatus::Success).as_str(),
    })
}
