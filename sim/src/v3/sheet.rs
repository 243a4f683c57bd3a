//! The WeChat client's v3 payment sheet: `POST /sandbox/v3/requestPayment` takes the object
//! `wx.requestPayment` is given (`signType: "RSA"`), verifies `paySign` with the merchant's
//! public key over `appId\ntimeStamp\nnonceStr\npackage\n` as the client does, then the user
//! pays and the `TRANSACTION.SUCCESS` notify follows.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use wxpay::v3::PaymentParams;

use super::notify;
use crate::context::Sim;
use crate::model::{OrderKey, Refusal};

/// What the mini-program passes to `wx.requestPayment`, plus the test switch `cancel`.
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
    #[serde(default)]
    cancel: bool,
}

fn fail(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "errMsg": format!("requestPayment:fail {msg}") }))).into_response()
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::PrepayExpired => fail(StatusCode::BAD_REQUEST, "prepay_id已过期"),
        Refusal::OrderPaid => fail(StatusCode::CONFLICT, "该订单已支付"),
        Refusal::OrderClosed => fail(StatusCode::CONFLICT, "该订单已关闭"),
        Refusal::OrderExpired => fail(StatusCode::CONFLICT, "订单已过期"),
        _ => fail(StatusCode::BAD_REQUEST, "prepay_id无效"),
    }
}

/// `POST /sandbox/v3/requestPayment`.
pub(crate) async fn request_payment(State(sim): State<Arc<Sim>>, Json(req): Json<RequestPayment>) -> Response {
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
    let params = PaymentParams {
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
    match sim.model.pay(OrderKey::OutTradeNo(&order.out_trade_no), None) {
        Ok(p) => {
            notify::spawn_payment(&sim, &p.out_trade_no);
            Json(json!({ "errMsg": "requestPayment:ok", "out_trade_no": p.out_trade_no, "transaction_id": p.transaction_id }))
                .into_response()
        }
        Err(r) => refusal(r),
    }
}
