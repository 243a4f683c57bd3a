//! Upstream behaviour: retry with the same request on SYSTEMERROR, failover to the backup
//! base, and WeChat's error codes surfacing as clear API errors.

use crate::common;

use std::sync::atomic::Ordering;

use common::{Harness, Options};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemerror_then_success_places_one_order() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    // WeChat stores the order, then answers SYSTEMERROR: the retry must send the same
    // parameters (else OUT_TRADE_NO_USED) and get the same prepay_id.
    h.sandbox.faults().systemerror_next.store(1, Ordering::SeqCst);
    let (status, order) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let no = order["out_trade_no"].as_str().unwrap();
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 2);
    assert_eq!(h.sandbox.order_count(), 1);
    let sim = h.sandbox.order(no).unwrap();
    assert_eq!(sim.unifiedorder_calls, 2);
    assert_eq!(order["payment"]["package"], format!("prepay_id={}", sim.prepay_id));
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // And it can be paid.
    let (status, _) = h.pay(&order["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(no, "PAID").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_systemerror_surfaces_and_keeps_the_order_open() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    h.sandbox.faults().systemerror_next.store(100, Ordering::SeqCst);
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UPSTREAM_ERROR");
    assert_eq!(v["error"]["upstream_code"], "SYSTEMERROR");
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 4, "WXPAY_UPSTREAM_ATTEMPTS defaults to 4");
    // WeChat may hold the order: it stays NOTPAY for the reconciler, not CLOSED.
    h.sandbox.faults().systemerror_next.store(0, Ordering::SeqCst);
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list[0]["status"], "NOTPAY");
    let no = list[0]["out_trade_no"].as_str().unwrap();
    // Paying it again goes through with the same parameters.
    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(h.sandbox.order_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_base_down_uses_backup() {
    let h = Harness::start_with(Options { primary_down: true, ..Default::default() }).await;
    assert_ne!(h.state().settings.api_base, h.state().settings.api_backup_base);
    let (token, _) = h.login().await;
    let order = h.order(&token, 2, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    assert_eq!(h.sandbox.order(no).unwrap().unifiedorder_calls, 1, "one request reached WeChat, via the backup");
    let (status, _) = h.pay(&order["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(no, "PAID").await;
    // orderquery goes to the backup as well.
    let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("PAID")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_bases_down_is_service_unavailable() {
    let h =
        Harness::start_with(Options { primary_down: true, tweak: |c| c.api_backup_base = c.api_base.clone(), ..Default::default() }).await;
    let (token, _) = h.login().await;
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "UPSTREAM_UNAVAILABLE");
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_api_key_surfaces_signerror_and_closes_the_order() {
    let h =
        Harness::start_with(Options { tweak: |c| c.api_key = Some("0123456789abcdefghijklmnopqrstuv".into()), ..Default::default() }).await;
    let (token, _) = h.login().await;
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UPSTREAM_ERROR");
    // WeChat answers a wrong signature return_code=FAIL / 签名错误, unsigned: reported as
    // SIGNERROR, naming the setting to check.
    assert_eq!(v["error"]["upstream_code"], "SIGNERROR");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("签名错误") && message.contains("WXPAY_API_KEY"), "{v}");
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 1, "a business error is not retried");
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list[0]["status"], "CLOSED", "a refused order can never be paid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_wechat_times_out_then_the_same_order_goes_through() {
    let h = Harness::start_with(Options { tweak: |c| c.upstream_timeout_ms = Some(300), ..Default::default() }).await;
    let (token, _) = h.login().await;
    h.sandbox.faults().delay_ms.store(1_000, Ordering::SeqCst);
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 3, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "UPSTREAM_UNAVAILABLE");
    h.sandbox.faults().delay_ms.store(0, Ordering::SeqCst);
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list[0]["status"], "NOTPAY", "a timeout is not a refusal");
    let no = list[0]["out_trade_no"].as_str().unwrap();
    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    // The timed-out requests may have reached WeChat; the same parameters find the same order.
    assert_eq!(h.sandbox.order_count(), 1);
    let (status, _) = h.pay(&again["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(no, "PAID").await;
}
