//! The control API: the user pays, cancels or fails; fault rules hit the next N calls of one
//! endpoint; refunds settle SUCCESS, CHANGE or REFUNDCLOSE with their notifies; every call is
//! journaled with whether its signature and client certificate were valid.

use crate::common;

use reqwest::Method;
use serde_json::json;
use wxpay::{CloseOrder, Fen, OrderQuery, Refund, RefundStatus, TradeRef};

fn refund_of(out_trade_no: &str, out_refund_no: &str, total: u64, fee: u64, notify_url: &str) -> Refund {
    Refund {
        trade: TradeRef::OutTradeNo(out_trade_no.into()),
        out_refund_no: out_refund_no.into(),
        total_fee: Fen::new(total),
        refund_fee: Fen::new(fee),
        refund_desc: None,
        notify_url: Some(notify_url.into()),
        refund_account: None,
    }
}

#[tokio::test]
async fn user_pays_cancels_and_fails_through_the_control_api() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("CTL1", 300, &r.url).await;
    let (status, v) = s.control(Method::POST, "/orders/CTL1/cancel", Some(json!({}))).await;
    assert_eq!((status, v["errMsg"].as_str()), (200, Some("requestPayment:fail cancel")));
    assert_eq!(s.sim.order("CTL1").unwrap().cancellations, 1);
    let (status, _) = s.control(Method::POST, "/orders/CTL1/fail", Some(json!({}))).await;
    assert_eq!(status, 200);
    let q = s.call(&OrderQuery { trade: TradeRef::OutTradeNo("CTL1".into()) }).await;
    assert_eq!(q["trade_state"], "PAYERROR", "{q:?}");
    assert_eq!(r.count(), 0, "a failed payment is not notified");
    // The user tries another card: paid, notified.
    let paid = s.pay("CTL1").await;
    r.wait_for(1, std::time::Duration::from_secs(10)).await;
    let n = s.merchant().verify_payment_notify(r.seen.lock().unwrap()[0].1.as_bytes()).unwrap();
    assert_eq!(n.transaction_id, paid["transaction_id"].as_str().unwrap());
    let (status, v) = s.control(Method::POST, "/orders/CTL1/pay", Some(json!({}))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("PAID")));
    let (status, _) = s.control(Method::POST, "/orders/NOPE/pay", Some(json!({}))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn fault_rules_hit_the_next_calls_of_one_endpoint_only() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("CTL2", 300, &r.url).await;
    s.pay("CTL2").await;
    let refund = |no: &str| refund_of("CTL2", no, 300, 100, &r.url);
    // A chosen err_code, twice, on refunds only.
    let (status, rule) = s
        .control(Method::POST, "/faults", Some(json!({ "endpoint": "refund", "count": 2, "kind": "err_code", "err_code": "NOTENOUGH" })))
        .await;
    assert_eq!(status, 201, "{rule}");
    let q = s.call(&OrderQuery { trade: TradeRef::OutTradeNo("CTL2".into()) }).await;
    assert_eq!(q["result_code"], "SUCCESS", "other endpoints are untouched");
    for _ in 0..2 {
        let a = s.call(&refund("CTL2R1")).await;
        assert_eq!((a["result_code"].as_str(), a["err_code"].as_str()), ("FAIL", "NOTENOUGH"));
        assert!(wxpay::verify(&a, &s.merchant().key, wxpay::SignType::Md5).is_ok(), "injected answers are signed");
    }
    assert_eq!(s.sim.refund_count(), 0, "an injected err_code is not processed");
    assert_eq!(s.call(&refund("CTL2R1")).await["result_code"], "SUCCESS", "the rule is used up");
    // An HTTP status on orderquery.
    s.control(Method::POST, "/faults", Some(json!({ "endpoint": "orderquery", "kind": "http_status", "status": 503 }))).await;
    let body = s.merchant().request_xml(&OrderQuery { trade: TradeRef::OutTradeNo("CTL2".into()) }, "n1").unwrap();
    let resp = s.https.post(format!("{}/pay/orderquery", s.sim.base_url())).body(body).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    // SYSTEMERROR on unifiedorder: the order exists all the same, a retry gets the same prepay_id.
    s.control(Method::POST, "/faults", Some(json!({ "endpoint": "unifiedorder", "kind": "system_error" }))).await;
    let (_, openid) = s.sim.issue_code(None);
    let o = wxpay::UnifiedOrder::new("T", "CTL3", wxpay::Fen::new(5), "127.0.0.1", &r.url, openid);
    assert_eq!(s.call(&o).await["err_code"], "SYSTEMERROR");
    assert!(s.sim.order("CTL3").is_some());
    assert_eq!(s.call(&o).await["prepay_id"], s.sim.order("CTL3").unwrap().prepay_id);
    // A dropped connection on closeorder: processed, never answered.
    s.control(Method::POST, "/faults", Some(json!({ "endpoint": "closeorder", "kind": "drop" }))).await;
    let body = s.merchant().request_xml(&CloseOrder { out_trade_no: "CTL3".into() }, "n2").unwrap();
    assert!(s.https.post(format!("{}/pay/closeorder", s.sim.base_url())).body(body).send().await.is_err());
    assert_eq!(s.sim.order("CTL3").unwrap().trade_state, wxpay::TradeState::Closed);
    // Bad rules are refused, and the journal names each fault.
    let (status, _) = s.control(Method::POST, "/faults", Some(json!({ "endpoint": "nowhere", "kind": "drop" }))).await;
    assert_eq!(status, 400);
    let (_, calls) = s.control(Method::GET, "/calls", None).await;
    let outcomes: Vec<(String, bool)> =
        calls.as_array().unwrap().iter().map(|c| (c["outcome"].as_str().unwrap().to_owned(), c["fault"].is_string())).collect();
    for expected in
        [("NOTENOUGH".to_owned(), true), ("HTTP 503".to_owned(), true), ("SYSTEMERROR".to_owned(), true), ("dropped".to_owned(), true)]
    {
        assert!(outcomes.contains(&expected), "{expected:?} in {outcomes:?}");
    }
    let (_, f) = s.control(Method::GET, "/faults", None).await;
    assert_eq!(f["rules"], json!([]), "every rule used up");
}

#[tokio::test]
async fn journal_records_signature_and_client_certificate() {
    let s = common::start(1000.0).await;
    let m = s.merchant();
    let q = OrderQuery { trade: TradeRef::OutTradeNo("J1".into()) };
    s.call(&q).await;
    let forged = m.request_xml(&q, "nonce1").unwrap().replace("J1", "J2");
    assert_eq!(s.post_xml(&s.https, "/pay/orderquery", forged).await["return_msg"], "签名错误");
    let hmac = m.clone().with_sign_type(wxpay::SignType::HmacSha256);
    s.post_xml(&s.https, "/pay/orderquery", hmac.request_xml(&q, "nonce2").unwrap()).await;
    let no_cert = s.https.post(format!("{}/secapi/pay/refund", s.sim.base_url())).body(m.request_xml(&q, "nonce3").unwrap());
    assert_eq!(no_cert.send().await.unwrap().status(), 400);
    s.post_xml(&s.mtls, "/secapi/pay/refund", m.request_xml(&q, "nonce4").unwrap()).await;
    let j = s.sim.journal();
    let seen: Vec<_> = j.iter().map(|c| (c.path.as_str(), c.signature_valid, c.client_cert, c.sign_type.as_deref())).collect();
    assert_eq!(
        seen,
        [
            ("/pay/orderquery", Some(true), false, Some("MD5")),
            ("/pay/orderquery", Some(false), false, Some("MD5")),
            ("/pay/orderquery", Some(true), false, Some("HMAC-SHA256")),
            ("/secapi/pay/refund", Some(true), false, Some("MD5")),
            ("/secapi/pay/refund", Some(true), true, Some("MD5")),
        ]
    );
    assert!(j.windows(2).all(|w| w[0].seq < w[1].seq));
}

#[tokio::test]
async fn refunds_settle_change_refundclose_and_success_with_their_notifies() {
    let s = common::start(1000.0).await;
    let pay_r = common::receiver(0).await;
    let refund_r = common::receiver(0).await;
    s.place("CTL5", 900, &pay_r.url).await;
    s.pay("CTL5").await;
    s.sim.faults().hold_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
    for no in ["CTL5A", "CTL5B"] {
        let a = s.call(&refund_of("CTL5", no, 900, 300, &refund_r.url)).await;
        assert_eq!(a["result_code"], "SUCCESS", "{a:?}");
    }
    // Wait until the bank holds them.
    for _ in 0..400 {
        if s.sim.refund("CTL5A").is_some_and(|r| r.held) && s.sim.refund("CTL5B").is_some_and(|r| r.held) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let key = s.merchant().key;
    let settle = |no: &'static str, status: &'static str| {
        let s = &s;
        async move { s.control(Method::POST, &format!("/refunds/{no}/settle"), Some(json!({ "status": status }))).await }
    };
    let inner = |n: usize| {
        let body = refund_r.seen.lock().unwrap()[n].1.clone();
        let outer = wxpay::xml::decode(body.as_bytes()).unwrap();
        wxpay::refund_notify::decrypt_req_info(&outer["req_info"], &key).unwrap()
    };
    assert_eq!(settle("CTL5A", "CHANGE").await.0, 200);
    refund_r.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!((inner(0)["out_refund_no"].as_str(), inner(0)["refund_status"].as_str()), ("CTL5A", "CHANGE"));
    // A person sent it again to another account: SUCCESS, notified again.
    assert_eq!(settle("CTL5A", "SUCCESS").await.0, 200);
    refund_r.wait_for(2, std::time::Duration::from_secs(10)).await;
    assert_eq!(inner(1)["refund_status"], "SUCCESS");
    assert!(inner(1).contains_key("success_time"));
    assert_eq!(settle("CTL5B", "REFUNDCLOSE").await.0, 200);
    refund_r.wait_for(3, std::time::Duration::from_secs(10)).await;
    assert_eq!(inner(2)["refund_status"], "REFUNDCLOSE");
    assert_eq!(s.sim.refund("CTL5B").unwrap().refund_status, RefundStatus::Refundclose);
    // Finished refunds stay finished; unknown ones and unknown statuses are refused.
    assert_eq!(settle("CTL5A", "CHANGE").await.0, 409);
    assert_eq!(settle("NOPE", "SUCCESS").await.0, 404);
    assert_eq!(settle("CTL5B", "PROCESSING").await.0, 400);
    // The page's notify list shows the merchant's answers.
    let (_, all) = s.control(Method::GET, "/notifies?key=CTL5A", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["kind"] == "refund" && d["acknowledged"] == true && d["reply"].as_str().unwrap().contains("SUCCESS")));
}

#[tokio::test]
async fn refund_outcome_knob_ends_refunds_refundclose() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("CTL6", 100, &r.url).await;
    s.pay("CTL6").await;
    let (status, knobs) = s.control(Method::POST, "/knobs", Some(json!({ "refund_outcome": "REFUNDCLOSE" }))).await;
    assert_eq!((status, knobs["refund_outcome"].as_str()), (200, Some("REFUNDCLOSE")));
    s.call(&refund_of("CTL6", "CTL6R", 100, 100, &r.url)).await;
    r.wait_for(2, std::time::Duration::from_secs(10)).await;
    assert_eq!(s.sim.refund("CTL6R").unwrap().refund_status, RefundStatus::Refundclose);
    let (status, _) = s.control(Method::POST, "/knobs", Some(json!({ "refund_outcome": "MAYBE" }))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn control_posts_must_be_json() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("CTL7", 100, &r.url).await;
    // What a form on another site could send: refused, nothing paid.
    let resp = s
        .http
        .post(format!("{}/orders/CTL7/pay", s.sim.control_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    assert_eq!(s.sim.order("CTL7").unwrap().trade_state, wxpay::TradeState::Notpay);
    // Plain HTTP reaches only the control API, never WeChat's endpoints.
    let resp =
        s.http.post(format!("{}/pay/orderquery", s.sim.base_url().replace("https://", "http://"))).body("<xml/>").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn settled_refund_is_not_overwritten_when_its_processing_ends() {
    // 3 s of processing at 10× speed: 300 ms, long enough to settle it first.
    let s = common::start(10.0).await;
    let pay_r = common::receiver(0).await;
    let refund_r = common::receiver(0).await;
    s.place("CTL7", 500, &pay_r.url).await;
    s.pay("CTL7").await;
    let a = s.call(&refund_of("CTL7", "CTL7R", 500, 500, &refund_r.url)).await;
    assert_eq!(a["result_code"], "SUCCESS", "{a:?}");
    let (status, _) = s.control(Method::POST, "/refunds/CTL7R/settle", Some(json!({ "status": "CHANGE" }))).await;
    assert_eq!(status, 200);
    refund_r.wait_for(1, std::time::Duration::from_secs(10)).await;
    // Past the end of the processing time: the person's CHANGE stands, and no second notify.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(s.sim.refund("CTL7R").unwrap().refund_status, RefundStatus::Change);
    assert_eq!(refund_r.count(), 1);
}

#[tokio::test]
async fn refund_without_notify_url_is_made_and_told_by_refundquery_only() {
    // WeChat takes a refund call without notify_url (it would use the merchant platform's
    // setting, which the simulator does not have): SDKs that never send one must still refund.
    let s = common::start(1000.0).await;
    let pay_r = common::receiver(0).await;
    s.place("CTL8", 700, &pay_r.url).await;
    s.pay("CTL8").await;
    let refund = Refund { notify_url: None, ..refund_of("CTL8", "CTL8R", 700, 200, "") };
    let a = s.call(&refund).await;
    assert_eq!(a["result_code"], "SUCCESS", "{a:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while s.sim.refund("CTL8R").unwrap().refund_status == RefundStatus::Processing {
        assert!(std::time::Instant::now() < deadline, "the refund never settled");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let q = s.call(&wxpay::RefundQuery { by: wxpay::RefundRef::OutRefundNo("CTL8R".into()), offset: None }).await;
    assert_eq!((q["result_code"].as_str(), q["refund_status_0"].as_str()), ("SUCCESS", "SUCCESS"), "{q:?}");
    // Nothing was delivered for it: the control API lists no notify attempt.
    let (_, attempts) = s.control(Method::GET, "/notifies?key=CTL8R", None).await;
    assert_eq!(attempts.as_array().unwrap().len(), 0, "{attempts}");
}

#[tokio::test]
async fn the_clock_moves_forward_on_command_and_refuses_what_it_cannot_move() {
    let s = common::start(1000.0).await;
    let (status, before) = s.control(Method::GET, "/clock", None).await;
    assert_eq!(status, 200);
    let before = before["now"].as_i64().unwrap();
    let (status, after) = s.control(Method::POST, "/clock", Some(json!({ "advance_secs": 600 }))).await;
    assert_eq!(status, 200);
    let moved = after["now"].as_i64().unwrap() - before;
    assert!((600..=602).contains(&moved), "moved {moved} s");
    // Bad input: a clear refusal, and the clock where it was.
    let (status, v) = s.control(Method::POST, "/clock", Some(json!({ "advance_secs": u64::MAX }))).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("advance_secs"), "{v}");
    let (status, _) = s.control(Method::POST, "/clock", Some(json!({ "advance_secs": -1 }))).await;
    assert!(status >= 400);
    let (_, now) = s.control(Method::GET, "/clock", None).await;
    assert!(now["now"].as_i64().unwrap() - before < 700, "unchanged by the refusals: {now}");
}
