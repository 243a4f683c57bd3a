//! The WeChat client's side: `wx.requestPayment` (`/sandbox/requestPayment`, and v3's
//! `/sandbox/v3/requestPayment`) and the user paying, from the payment sheet or from the control
//! page.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use wxpay::v3::PaymentParams as V3PaymentParams;
use wxpay::{PaymentParams, SignType};

use crate::context::Sim;
use crate::model::{OrderKey, Paid, Refusal};
use crate::{notifier, v3};

/// What the mini-program passes to `wx.requestPayment` (v2, and v3's `signType: "RSA"`), plus
/// test switches.
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

/// Why the user could not pay, as the client's `errMsg` detail, and the HTTP status the
/// simulator answers with.
pub(crate) fn refusal_message(r: Refusal) -> (StatusCode, &'static str) {
    match r {
        Refusal::PrepayExpired => (StatusCode::BAD_REQUEST, "prepay_id已过期"),
        Refusal::SignTypeMismatch => (StatusCode::BAD_REQUEST, "signType与下单时不一致"),
        Refusal::OrderPaid => (StatusCode::CONFLICT, "该订单已支付"),
        Refusal::OrderClosed => (StatusCode::CONFLICT, "该订单已关闭"),
        Refusal::OrderExpired => (StatusCode::CONFLICT, "订单已过期"),
        // No such prepay_id / out_trade_no (the model refuses a payment for no other reason).
        _ => (StatusCode::BAD_REQUEST, "prepay_id无效"),
    }
}

/// The user pays the order `key` names (the sheet was shown for its prepay_id, or a person
/// pressed "pay" on the control page): WeChat marks it paid and starts the notify ladder.
pub(crate) fn pay(sim: &Arc<Sim>, key: OrderKey<'_>, sign_type: Option<SignType>) -> Result<Paid, Refusal> {
    let paid = sim.model.pay(key, sign_type)?;
    let no = &paid.out_trade_no;
    if sim.model.is_v3_order(no) {
        v3::notify::spawn_payment(sim, no);
    } else if sim.faults.drops_notifies() {
        tracing::info!(out_trade_no = %no, "paid by the user; notify dropped (fault)");
    } else {
        tracing::info!(out_trade_no = %no, "paid by the user; delivering the notify");
        tokio::spawn(notifier::deliver(sim.clone(), no.clone()));
    }
    Ok(paid)
}

/// `POST /sandbox/requestPayment`: verifies `paySign` as the client does, shows the sheet,
/// the user pays (or cancels, with `cancel: true`). One call for both APIs, as
/// `wx.requestPayment` is: `signType: "RSA"` is v3's sheet ([`request_payment_v3`]).
pub(crate) async fn request_payment(State(sim): State<Arc<Sim>>, Json(req): Json<RequestPayment>) -> Response {
    if req.sign_type == "RSA" {
        return request_payment_v3(State(sim), Json(req)).await;
    }
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
    let prepay_id = params.prepay_id().unwrap_or_default();
    if req.cancel {
        sim.model.cancel_payment(OrderKey::PrepayId(prepay_id));
        return fail(StatusCode::OK, "cancel");
    }
    match pay(&sim, OrderKey::PrepayId(prepay_id), Some(sign_type)) {
        Ok(p) => Json(json!({ "errMsg": "requestPayment:ok", "out_trade_no": p.out_trade_no, "transaction_id": p.transaction_id }))
            .into_response(),
        Err(r) => {
            let (status, msg) = refusal_message(r);
            fail(status, msg)
        }
    }
}

/// `POST /sandbox/v3/requestPayment`: the v3 sheet. The object `wx.requestPayment` is given
/// with `signType: "RSA"`; `paySign` is verified with the merchant's public key over
/// `appId\ntimeStamp\nnonceStr\npackage\n` as the client does, then the user pays (or cancels)
/// and the `TRANSACTION.SUCCESS` notify follows.
pub(crate) async fn request_payment_v3(State(sim): State<Arc<Sim>>, Json(req): Json<RequestPayment>) -> Response {
    if req.sign_type != "RSA" {
        return fail(StatusCode::BAD_REQUEST, "signType must be RSA (API v3)");
    }
    if req.time_stamp.is_empty() || !req.time_stamp.bytes().all(|b| b.is_ascii_digit()) {
        return fail(StatusCode::BAD_REQUEST, "timeStamp must be a string of seconds");
    }
    let app_id = req.app_id.unwrap_or_else(|| sim.creds.appid.clone());
    if app_id != sim.creds.appid {
        return fail(StatusCode::BAD_REQUEST, "appId mismatch");
    }
    let params = V3PaymentParams {
        time_stamp: req.time_stamp,
        nonce_str: req.nonce_str,
        package: req.package,
        sign_type: req.sign_type,
        pay_sign: req.pay_sign,
    };
    if params.verify(&app_id, &sim.v3.mch_public).is_err() {
        return fail(StatusCode::BAD_REQUEST, "支付验证签名失败");
    }
    let prepay_id = params.prepay_id().unwrap_or_default();
    let Some(order) = sim.model.order(OrderKey::PrepayId(prepay_id)).filter(|o| sim.model.is_v3_order(&o.out_trade_no)) else {
        return fail(StatusCode::BAD_REQUEST, "prepay_id无效");
    };
    if req.cancel {
        sim.model.cancel_payment(OrderKey::PrepayId(prepay_id));
        return fail(StatusCode::OK, "cancel");
    }
    // The user pays: the order is a v3 one, so its notify is v3's.
    match pay(&sim, OrderKey::OutTradeNo(&order.out_trade_no), None) {
        Ok(p) => Json(json!({ "errMsg": "requestPayment:ok", "out_trade_no": p.out_trade_no, "transaction_id": p.transaction_id }))
            .into_response(),
        Err(r) => {
            let (status, msg) = refusal_message(r);
            fail(status, msg)
        }
    }
}
