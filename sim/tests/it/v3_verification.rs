//! How the simulator verifies the merchant's v3 requests, and WeChat's errors: SIGN_ERROR with
//! the detail the core's `SignInformation` reads, the timestamp window, nonce replay, the
//! merchant's serial, PARAM_ERROR, over-refund INVALID_REQUEST, and injected NOT_ENOUGH /
//! FREQUENCY_LIMITED / SYSTEM_ERROR.

use crate::common;

use serde_json::{json, Value};
use wxpay::v3::{api_error, JsapiOrderRequest, QueryByOutTradeNoRequest, RefundRequest, SignDiagnosis, SignInformation, SignLine};
use wxpay::{Fen, TradeRef};

use common::v3::{now, Answer};
use common::Sim;

async fn last_call(s: &Sim) -> Value {
    let (_, calls) = s.control(reqwest::Method::GET, "/calls", None).await;
    calls.as_array().unwrap().last().cloned().unwrap()
}

fn code(a: &Answer) -> (u16, String) {
    (a.status, a.json()["code"].as_str().unwrap_or_default().to_owned())
}

/// A paid v3 order of `fee` fen.
async fn paid(s: &Sim, no: &str, fee: u64) {
    let (_, openid) = s.sim.issue_code(None);
    let keys = s.v3_keys();
    let order = JsapiOrderRequest::new("咖啡", no, Fen::new(fee), "https://127.0.0.1:9/notify", &openid);
    s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
    s.pay(no).await;
}

#[tokio::test]
async fn a_tampered_body_is_answered_sign_error_with_the_message_that_should_have_been_signed() {
    let s = common::start(1000.0).await;
    let keys = s.v3_keys();
    let (_, openid) = s.sim.issue_code(None);
    let order = JsapiOrderRequest::new("咖啡", "V3SIGN000001", Fen::new(1200), "https://127.0.0.1:9/notify", &openid);
    let signed = s.v3_merchant().sign_request_with_keys(&keys, &order, now(), &wxpay::nonce_str().unwrap()).unwrap();
    let mut tampered = signed.clone();
    tampered.body = tampered.body.replace("1200", "12000");
    let a = s.v3_send(&tampered).await;
    assert_eq!(code(&a), (401, "SIGN_ERROR".to_owned()), "{:?}", a.json());
    keys.verify(&a.signature_headers(), &a.body, now()).expect("errors are signed too");
    let info = SignInformation::from_error(&api_error(a.status, &a.body)).expect("the core reads the detail");
    assert_eq!(info.sign_message_length, Some(tampered.message().len() as u64));
    assert_eq!(
        info.diagnose(&signed),
        SignDiagnosis::LengthDiffers { expected: tampered.message().len() as u64, signed: signed.message().len() as u64 }
    );
    let call = last_call(&s).await;
    assert_eq!((call["signature_valid"].as_bool(), call["api"].as_str()), (Some(false), Some("v3")));
    assert_eq!(call["expected_message"].as_str(), Some(tampered.message().as_str()));
    assert!(s.sim.order("V3SIGN000001").is_none(), "nothing was ordered");

    // A request sent to another path than signed: the path line differs.
    let mut elsewhere = s
        .v3_merchant()
        .sign_request(&QueryByOutTradeNoRequest { out_trade_no: "V3SIGN000001".into() }, now(), &wxpay::nonce_str().unwrap())
        .unwrap();
    let original = elsewhere.clone();
    elsewhere.path_and_query = elsewhere.path_and_query.replace("V3SIGN000001", "V3SIGN000002");
    let a = s.v3_send(&elsewhere).await;
    let info = SignInformation::from_error(&api_error(a.status, &a.body)).unwrap();
    assert!(matches!(info.diagnose(&original), SignDiagnosis::LineDiffers { line: SignLine::Path, .. }), "{:?}", info.diagnose(&original));
}

#[tokio::test]
async fn a_timestamp_out_of_the_window_is_refused() {
    let s = common::start(1000.0).await;
    let path = format!("/v3/pay/transactions/out-trade-no/V3TIME000001?mchid={}", s.sim.credentials().mch_id);
    let auth = s.v3_merchant().authorization("GET", &path, now() - 400, &wxpay::nonce_str().unwrap(), "").unwrap();
    let a = s.v3_raw("GET", &path, "", &auth, None).await;
    assert_eq!(code(&a), (401, "SIGN_ERROR".to_owned()));
    assert_eq!(last_call(&s).await["signature_valid"].as_bool(), Some(true), "the signature itself was good");
    let auth = s.v3_merchant().authorization("GET", &path, now() - 200, &wxpay::nonce_str().unwrap(), "").unwrap();
    assert_eq!(code(&s.v3_raw("GET", &path, "", &auth, None).await), (404, "ORDER_NOT_EXIST".to_owned()), "within 5 minutes");
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let s = common::start(1000.0).await;
    let signed = s
        .v3_merchant()
        .sign_request(&QueryByOutTradeNoRequest { out_trade_no: "V3NONCE00001".into() }, now(), &wxpay::nonce_str().unwrap())
        .unwrap();
    assert_eq!(code(&s.v3_send(&signed).await), (404, "ORDER_NOT_EXIST".to_owned()));
    assert_eq!(code(&s.v3_send(&signed).await), (401, "SIGN_ERROR".to_owned()), "the same nonce again");
}

#[tokio::test]
async fn a_missing_authorization_or_another_serial_is_refused() {
    let s = common::start(1000.0).await;
    let path = format!("/v3/pay/transactions/out-trade-no/V3AUTH000001?mchid={}", s.sim.credentials().mch_id);
    let a = s.v3_raw("GET", &path, "", "", None).await;
    assert_eq!(code(&a), (401, "SIGN_ERROR".to_owned()));
    assert_eq!(last_call(&s).await["signature_valid"], Value::Null);
    let auth = s.v3_merchant().authorization("GET", &path, now(), &wxpay::nonce_str().unwrap(), "").unwrap();
    let other = auth.replace(&s.sim.ready().v3.mch_serial, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
    assert_eq!(code(&s.v3_raw("GET", &path, "", &other, None).await), (401, "SIGN_ERROR".to_owned()));
}

#[tokio::test]
async fn a_missing_field_is_param_error_naming_it() {
    let s = common::start(1000.0).await;
    let c = s.sim.credentials();
    let body = json!({ "appid": c.appid, "mchid": c.mch_id, "description": "x", "out_trade_no": "V3PARAM00001",
        "notify_url": "https://127.0.0.1:9/notify", "amount": { "total": 1 } })
    .to_string();
    let a = s.v3_signed_raw("POST", "/v3/pay/transactions/jsapi", &body).await;
    assert_eq!(code(&a), (400, "PARAM_ERROR".to_owned()), "{:?}", a.json());
    assert_eq!((a.json()["detail"]["location"].as_str(), a.json()["detail"]["value"].as_str()), (Some("body"), Some("payer.openid")));
}

#[tokio::test]
async fn a_refund_beyond_what_is_left_is_400_invalid_request() {
    let s = common::start(1000.0).await;
    paid(&s, "V3ENOUGH0001", 1200).await;
    let keys = s.v3_keys();
    let first = RefundRequest::new(TradeRef::OutTradeNo("V3ENOUGH0001".into()), "V3ENOUGHR001", Fen::new(1000), Fen::new(1200));
    assert_eq!(s.v3_call(&keys, &first).await.status, 200);
    let second = RefundRequest::new(TradeRef::OutTradeNo("V3ENOUGH0001".into()), "V3ENOUGHR002", Fen::new(300), Fen::new(1200));
    let a = s.v3_call(&keys, &second).await;
    assert_eq!(code(&a), (400, "INVALID_REQUEST".to_owned()));
    assert_eq!(a.json()["message"], "申请退款金额超过订单可退金额");
    keys.verify(&a.signature_headers(), &a.body, now()).unwrap();
    assert!(s.sim.refund("V3ENOUGHR002").is_none());
}

#[tokio::test]
async fn an_injected_not_enough_is_403_and_the_refund_is_not_made() {
    let s = common::start(1000.0).await;
    paid(&s, "V3ENOUGH0003", 1200).await;
    let keys = s.v3_keys();
    let rule = json!({ "endpoint": "v3_refund", "kind": "err_code", "err_code": "NOT_ENOUGH", "err_code_des": "基本账户余额不足，请充值后重新发起" });
    assert_eq!(s.control(reqwest::Method::POST, "/faults", Some(rule)).await.0, 201);
    let refund = RefundRequest::new(TradeRef::OutTradeNo("V3ENOUGH0003".into()), "V3ENOUGHR003", Fen::new(100), Fen::new(1200));
    let a = s.v3_call(&keys, &refund).await;
    assert_eq!(code(&a), (403, "NOT_ENOUGH".to_owned()));
    assert_eq!(a.json()["message"], "基本账户余额不足，请充值后重新发起");
    keys.verify(&a.signature_headers(), &a.body, now()).unwrap();
    assert!(s.sim.refund("V3ENOUGHR003").is_none(), "the merchant's balance was short: no refund");
    assert_eq!(s.v3_call(&keys, &refund).await.status, 200, "the rule is used up: the retry refunds");
}

#[tokio::test]
async fn injected_faults_answer_frequency_limited_and_system_error() {
    let s = common::start(1000.0).await;
    let keys = s.v3_keys();
    let query = QueryByOutTradeNoRequest { out_trade_no: "V3FAULT00001".into() };
    let rule = json!({ "endpoint": "v3_query", "kind": "err_code", "err_code": "FREQUENCY_LIMITED" });
    assert_eq!(s.control(reqwest::Method::POST, "/faults", Some(rule)).await.0, 201);
    let a = s.v3_call(&keys, &query).await;
    assert_eq!(code(&a), (429, "FREQUENCY_LIMITED".to_owned()));
    keys.verify(&a.signature_headers(), &a.body, now()).unwrap();
    let rule = json!({ "endpoint": "v3_query", "kind": "system_error" });
    assert_eq!(s.control(reqwest::Method::POST, "/faults", Some(rule)).await.0, 201);
    assert_eq!(code(&s.v3_call(&keys, &query).await), (500, "SYSTEM_ERROR".to_owned()));
    assert_eq!(code(&s.v3_call(&keys, &query).await), (404, "ORDER_NOT_EXIST".to_owned()), "the rules are used up");
}

#[tokio::test]
async fn the_standing_knobs_apply_to_v3_calls() {
    let s = common::start(1000.0).await;
    let keys = s.v3_keys();
    let query = QueryByOutTradeNoRequest { out_trade_no: "V3KNOBS00001".into() };
    assert_eq!(s.control(reqwest::Method::POST, "/knobs", Some(json!({ "systemerror_next": 1 }))).await.0, 200);
    let a = s.v3_call(&keys, &query).await;
    assert_eq!(code(&a), (500, "SYSTEM_ERROR".to_owned()));
    keys.verify(&a.signature_headers(), &a.body, now()).expect("signed");
    assert_eq!(s.control(reqwest::Method::POST, "/knobs", Some(json!({ "http_status_next": 1 }))).await.0, 200);
    let a = s.v3_call(&keys, &query).await;
    assert_eq!((a.status, a.header("wechatpay-signature")), (403, None), "a proxy's page, unsigned");
    assert_eq!(code(&s.v3_call(&keys, &query).await), (404, "ORDER_NOT_EXIST".to_owned()));
}

#[tokio::test]
async fn the_same_out_trade_no_with_other_parameters_is_out_trade_no_used() {
    let s = common::start(1000.0).await;
    let keys = s.v3_keys();
    let (_, openid) = s.sim.issue_code(None);
    let first = JsapiOrderRequest::new("咖啡", "V3USED000001", Fen::new(100), "https://127.0.0.1:9/notify", &openid);
    let prepay = s.v3_call(&keys, &first).await.read::<JsapiOrderRequest>(&keys).unwrap();
    let again = s.v3_call(&keys, &first).await.read::<JsapiOrderRequest>(&keys).unwrap();
    assert_eq!(again.prepay_id, prepay.prepay_id, "the same order again: the same prepay_id");
    let other = JsapiOrderRequest::new("咖啡", "V3USED000001", Fen::new(200), "https://127.0.0.1:9/notify", &openid);
    assert_eq!(code(&s.v3_call(&keys, &other).await), (403, "OUT_TRADE_NO_USED".to_owned()));
}
