//! API v3 end to end with the core's v3 client: JSAPI prepay, the paySign accepted by the
//! payer sheet, the TRANSACTION.SUCCESS notify verified and decrypted, both queries, close,
//! refund, settle, the REFUND.SUCCESS notify.

use crate::common;

use std::time::Duration;

use serde_json::json;
use wxpay::v3::{
    CloseOrderRequest, JsapiOrderRequest, NotifyEvent, QueryByOutTradeNoRequest, QueryByTransactionIdRequest, RefundQueryRequest,
    RefundRequest, RefundStatus, TradeState,
};
use wxpay::{Fen, TradeRef};
use wxpay_sim::{Clock, NotifyKind};

use common::v3::{now, tls_receiver};

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_v3_payment_and_refund_flow_with_the_core_client() {
    let s = common::start_with(1000.0, Clock::system(), |_| {}).await;
    let keys = s.v3_keys();
    let verifier = keys.clone();
    // A merchant that verifies: 200 for a good signature, 401 otherwise.
    let merchant =
        tls_receiver(&s, move |r| if verifier.verify(&r.signature_headers(), r.body.as_bytes(), now()).is_ok() { 200 } else { 401 }).await;
    let (_, openid) = s.sim.issue_code(None);

    // Prepay.
    let order = JsapiOrderRequest::new("咖啡", "V3FLOW000001", Fen::new(1200), &merchant.url, &openid);
    let answer = s.v3_call(&keys, &order).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    let prepay = answer.read::<JsapiOrderRequest>(&keys).expect("a signed prepay answer");
    assert!(prepay.prepay_id.starts_with("wx"), "{prepay:?}");

    // The payer sheet takes the paySign of the core's PaymentParams.
    let params = s.v3_merchant().payment_params(&prepay.prepay_id, now(), &wxpay::nonce_str().unwrap()).unwrap();
    let sheet = s.https.post(format!("{}/sandbox/v3/requestPayment", s.sim.base_url())).json(&params).send().await.unwrap();
    assert_eq!(sheet.status(), 200);
    let sheet: serde_json::Value = sheet.json().await.unwrap();
    assert_eq!(sheet["errMsg"], "requestPayment:ok", "{sheet}");

    // The notify, verified and decrypted by the core.
    let got = merchant.wait_for(1, LIMIT).await;
    let n = keys
        .open_notification(&s.api_v3_key(), &got[0].signature_headers(), got[0].body.as_bytes(), now())
        .expect("verified and decrypted");
    assert_eq!(n.event_type, "TRANSACTION.SUCCESS");
    let NotifyEvent::Payment(t) = n.event else { panic!("not a payment: {n:?}") };
    assert_eq!((t.out_trade_no.as_str(), t.trade_state.clone(), t.amount.total), ("V3FLOW000001", TradeState::Success, Fen::new(1200)));
    t.check_identity(&s.sim.credentials().appid, &s.sim.credentials().mch_id).unwrap();
    let transaction_id = t.transaction_id.clone().unwrap();

    // Both queries.
    let by_no = s.v3_call(&keys, &QueryByOutTradeNoRequest { out_trade_no: "V3FLOW000001".into() }).await;
    let by_no = by_no.read::<QueryByOutTradeNoRequest>(&keys).unwrap();
    assert_eq!((by_no.trade_state.clone(), by_no.transaction_id.as_deref()), (TradeState::Success, Some(transaction_id.as_str())));
    assert!(by_no.success_time.as_deref().is_some_and(|t| t.ends_with("+08:00")), "{by_no:?}");
    let by_id = s.v3_call(&keys, &QueryByTransactionIdRequest { transaction_id: transaction_id.clone() }).await;
    assert_eq!(by_id.read::<QueryByTransactionIdRequest>(&keys).unwrap().out_trade_no, "V3FLOW000001");

    // Close another order: 204, signed all the same; it is CLOSED.
    let other = JsapiOrderRequest::new("茶", "V3FLOW000002", Fen::new(800), &merchant.url, &openid);
    s.v3_call(&keys, &other).await.read::<JsapiOrderRequest>(&keys).unwrap();
    let closed = s.v3_call(&keys, &CloseOrderRequest { out_trade_no: "V3FLOW000002".into() }).await;
    assert_eq!(closed.status, 204);
    closed.read::<CloseOrderRequest>(&keys).expect("a signed 204");
    let q = s.v3_call(&keys, &QueryByOutTradeNoRequest { out_trade_no: "V3FLOW000002".into() }).await;
    assert_eq!(q.read::<QueryByOutTradeNoRequest>(&keys).unwrap().trade_state, TradeState::Closed);

    // Refund, held PROCESSING until settled, then the REFUND.SUCCESS notify.
    s.sim.faults().hold_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut refund = RefundRequest::new(TradeRef::OutTradeNo("V3FLOW000001".into()), "V3REFUND0001", Fen::new(500), Fen::new(1200));
    refund.notify_url = Some(merchant.url.clone());
    let r = s.v3_call(&keys, &refund).await;
    let r = r.read::<RefundRequest>(&keys).unwrap();
    assert_eq!((r.status.clone(), r.amount.refund, r.out_trade_no.as_str()), (RefundStatus::Processing, Fen::new(500), "V3FLOW000001"));
    common::v3::wait_until("the refund is held", LIMIT, || s.sim.refund("V3REFUND0001").is_some_and(|r| r.held)).await;
    let (status, settled) = s.control(reqwest::Method::POST, "/refunds/V3REFUND0001/settle", Some(json!({ "status": "SUCCESS" }))).await;
    assert_eq!((status, settled["status"].as_str()), (200, Some("SUCCESS")), "{settled}");
    let got = merchant.wait_for(2, LIMIT).await;
    let n = keys.open_notification(&s.api_v3_key(), &got[1].signature_headers(), got[1].body.as_bytes(), now()).unwrap();
    assert_eq!(n.event_type, "REFUND.SUCCESS");
    let NotifyEvent::Refund(notice) = n.event else { panic!("not a refund: {n:?}") };
    assert_eq!(
        (notice.refund_status.clone(), notice.out_refund_no.as_str(), notice.amount.refund),
        (RefundStatus::Success, "V3REFUND0001", Fen::new(500))
    );
    let q = s.v3_call(&keys, &RefundQueryRequest { out_refund_no: "V3REFUND0001".into() }).await;
    assert_eq!(q.read::<RefundQueryRequest>(&keys).unwrap().status, RefundStatus::Success);

    // The journal shows the v3 calls, each signature valid; the notifies with the replies.
    let (_, calls) = s.control(reqwest::Method::GET, "/calls", None).await;
    let v3: Vec<_> = calls.as_array().unwrap().iter().filter(|c| c["api"] == "v3").collect();
    assert!(v3.len() == 8 && v3.iter().all(|c| c["signature_valid"] == true), "{v3:?}");
    // Attempts are recorded once the merchant's answer is in: wait for both.
    let acknowledged = |kind: NotifyKind| s.sim.all_deliveries().iter().any(|d| d.kind == kind && d.acknowledged);
    common::v3::wait_until("both notifies recorded", LIMIT, || acknowledged(NotifyKind::V3Payment) && acknowledged(NotifyKind::V3Refund))
        .await;
    let (_, notifies) = s.control(reqwest::Method::GET, "/notifies", None).await;
    let kinds: Vec<_> =
        notifies.as_array().unwrap().iter().map(|d| (d["kind"].as_str(), d["event_type"].as_str(), d["status"].as_u64())).collect();
    assert!(kinds.contains(&(Some("v3_payment"), Some("TRANSACTION.SUCCESS"), Some(200))), "{kinds:?}");
    assert!(kinds.contains(&(Some("v3_refund"), Some("REFUND.SUCCESS"), Some(200))), "{kinds:?}");
}

#[tokio::test]
async fn a_pay_sign_over_another_prepay_id_is_refused_by_the_sheet() {
    let s = common::start(1000.0).await;
    let keys = s.v3_keys();
    let (_, openid) = s.sim.issue_code(None);
    let order = JsapiOrderRequest::new("咖啡", "V3SHEET00001", Fen::new(100), "https://127.0.0.1:9/notify", &openid);
    let prepay = s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
    let mut params = s.v3_merchant().payment_params(&prepay.prepay_id, now(), &wxpay::nonce_str().unwrap()).unwrap();
    params.nonce_str = wxpay::nonce_str().unwrap();
    let sheet = s.https.post(format!("{}/sandbox/v3/requestPayment", s.sim.base_url())).json(&params).send().await.unwrap();
    assert_eq!(sheet.status(), 400);
    let sheet: serde_json::Value = sheet.json().await.unwrap();
    assert_eq!(sheet["errMsg"], "requestPayment:fail 支付验证签名失败");
    assert_eq!(s.sim.order("V3SHEET00001").unwrap().trade_state, wxpay::TradeState::Notpay);
}
