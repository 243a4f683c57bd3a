//! The purchase through real HTTP on loopback: login → products → order → pay → notify → PAID,
//! and the API's contract around it.

use crate::common;

use common::Harness;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_purchase_ends_paid() {
    let h = Harness::start().await;
    let (code, openid) = h.sandbox.issue_code(None);
    let (status, login) = h.post_json("/api/login", None, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["token"].as_str().unwrap();
    assert_eq!(login["expires_in"], 7200);
    assert!(!login.to_string().contains(&openid), "the openid stays on the server");

    let (status, products) = h.get_json("/api/products", None).await;
    assert_eq!(status, StatusCode::OK);
    let latte = &products[0];
    assert_eq!(latte["id"], 1);
    let price = latte["price_fen"].as_i64().unwrap();

    let (status, order) = h.post_json("/api/orders", Some(token), json!({ "product_id": 1, "quantity": 3 })).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["total_fee"].as_i64().unwrap(), price * 3, "the server computes total_fee");
    assert_eq!(order["status"], "NOTPAY");
    let no = order["out_trade_no"].as_str().unwrap();
    let payment = &order["payment"];
    for k in ["timeStamp", "nonceStr", "package", "signType", "paySign"] {
        assert!(payment[k].is_string(), "payment.{k} missing: {payment}");
    }
    assert_eq!(payment["signType"], "MD5");
    // WeChat holds the same order, for the same amount and payer.
    let sim = h.sandbox.order(no).expect("placed at WeChat");
    assert_eq!(sim.total_fee as i64, price * 3);
    assert_eq!(sim.openid, openid);
    assert_eq!(payment["package"], format!("prepay_id={}", sim.prepay_id));

    let (status, paid) = h.pay(payment).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["errMsg"], "requestPayment:ok");

    h.wait_stored_status(no, "PAID").await;
    h.wait_acknowledged(no).await;
    let (status, detail) = h.get_json(&format!("/api/orders/{no}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["status"], "PAID");
    assert_eq!(detail["transaction_id"], paid["transaction_id"]);
    assert_eq!(detail["total_fee"].as_i64().unwrap(), price * 3);

    h.assert_paid_by_notify(no, &openid).await;

    let (status, list) = h.get_json("/api/orders", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "PAID");

    let (status, health) = h.get_json("/healthz", None).await;
    assert_eq!((status, health["status"].as_str()), (StatusCode::OK, Some("ok")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_are_private_to_their_owner() {
    let h = Harness::start().await;
    let (alice, _) = h.login().await;
    let (bob, _) = h.login().await;
    let order = h.order(&alice, 2, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&bob)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "NOT_FOUND");
    let (_, list) = h.get_json("/api/orders", Some(&bob)).await;
    assert_eq!(list, json!([]));
    let (status, _) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&bob), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_requests_without_valid_token() {
    let h = Harness::start().await;
    for token in [None, Some("not-a-token")] {
        let (status, v) = h.post_json("/api/orders", token, json!({ "product_id": 1, "quantity": 1 })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(v["error"]["code"], "UNAUTHORIZED");
    }
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_bad_order_input_without_ordering() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    for body in [
        json!({ "product_id": 1, "quantity": 1, "total_fee": 1 }),
        json!({ "product_id": 1, "quantity": 0 }),
        json!({ "product_id": 1, "quantity": 100 }),
        json!({ "product_id": 999, "quantity": 1 }),
        json!({ "product_id": "1", "quantity": 1 }),
        json!({ "quantity": 1 }),
    ] {
        let (status, v) = h.post_json("/api/orders", Some(&token), body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {v}");
        assert_eq!(v["error"]["code"], "INVALID_REQUEST");
    }
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 0);
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_tap_reuses_the_prepay_id() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    let first = h.order(&token, 3, 2).await;
    let (status, second) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 3, "quantity": 2 })).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(first["out_trade_no"], second["out_trade_no"]);
    assert_eq!(first["payment"]["package"], second["payment"]["package"]);
    let no = first["out_trade_no"].as_str().unwrap();
    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["payment"]["package"], first["payment"]["package"]);
    assert_eq!(h.sandbox.calls("/pay/unifiedorder"), 1, "the prepay_id is reused, not re-ordered");
    // A different quantity is a different order.
    let other = h.order(&token, 3, 1).await;
    assert_ne!(other["out_trade_no"], first["out_trade_no"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_prepay_id_is_renewed_with_the_same_parameters() {
    let h = Harness::start_with(common::Options {
        tweak: |c| {
            c.order_ttl_secs = Some(4 * 3600);
            c.session_ttl_secs = Some(8 * 3600);
        },
        ..Default::default()
    })
    .await;
    let (token, _) = h.login().await;
    let first = h.order(&token, 1, 1).await;
    let no = first["out_trade_no"].as_str().unwrap();
    h.clock.advance(std::time::Duration::from_secs(2 * 3600 + 60));
    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_ne!(again["payment"]["package"], first["payment"]["package"], "a new prepay_id");
    let sim = h.sandbox.order(no).unwrap();
    assert_eq!(sim.unifiedorder_calls, 2, "same out_trade_no and parameters: no OUT_TRADE_NO_USED");
    let (status, paid) = h.pay(&again["payment"]).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    h.wait_status(&token, no, "PAID").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_asks_orderquery_when_the_notify_is_lost() {
    let h = Harness::start().await;
    let (token, no) = h.paid_without_notify().await;
    let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "PAID", "{v}");
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    assert_eq!(paid.actor, "api:orderquery");
    assert_eq!(h.sandbox.calls("/pay/orderquery"), 1);
    // The late notify is then a duplicate: acknowledged, no second transition.
    let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(common::is_success_reply(&body));
    assert_eq!(h.paid_transitions(&no).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_errors_surface_wechat_codes() {
    let h = Harness::start().await;
    let (code, _) = h.sandbox.issue_code(None);
    let (status, _) = h.post_json("/api/login", None, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK);
    // A code is single use.
    let (status, v) = h.post_json("/api/login", None, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(v["error"]["code"], "UPSTREAM_ERROR");
    assert_eq!(v["error"]["upstream_code"], "40163");
    let (_, v) = h.post_json("/api/login", None, json!({ "code": "never-issued" })).await;
    assert_eq!(v["error"]["upstream_code"], "40029");
    let (status, v) = h.post_json("/api/login", None, json!({ "code": "" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, _) = h.post_json("/api/login", None, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_session_is_refused() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    let (status, _) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    h.clock.advance(std::time::Duration::from_secs(7201));
    let (status, _) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_an_unpaid_order_queries_wechat_at_most_every_two_seconds() {
    let h = Harness::start().await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    for _ in 0..5 {
        let (_, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
        assert_eq!(v["status"], "NOTPAY");
    }
    assert_eq!(h.sandbox.calls("/pay/orderquery"), 1);
    h.clock.advance(std::time::Duration::from_secs(3));
    h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    assert_eq!(h.sandbox.calls("/pay/orderquery"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_purchase_with_hmac_sha256() {
    let h = Harness::start_with(common::Options { tweak: |c| c.sign_type = Some("HMAC-SHA256".into()), ..Default::default() }).await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 2, 2).await;
    assert_eq!(order["payment"]["signType"], "HMAC-SHA256");
    assert_eq!(order["payment"]["paySign"].as_str().unwrap().len(), 64);
    let no = order["out_trade_no"].as_str().unwrap();
    assert_eq!(h.sandbox.order(no).unwrap().sign_type, wxpay::SignType::HmacSha256);
    let (status, v) = h.pay(&order["payment"]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    h.wait_stored_status(no, "PAID").await;
    // The notify carried no sign_type; the server told HMAC-SHA256 from the signature.
    let d = h.wait_acknowledged(no).await;
    assert!(!d[0].body.contains("sign_type"));
    assert_eq!(h.paid_transitions(no).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_detail_asks_wechat_once_per_interval_across_instances() {
    let h = Harness::start_with(common::Options { instances: 2, ..Default::default() }).await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap().to_owned();
    // WeChat is slow, so every poll arrives while the first query is still out.
    h.sandbox.faults().delay_ms.store(300, std::sync::atomic::Ordering::SeqCst);
    let before = h.sandbox.calls("/pay/orderquery");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let url = format!("{}/api/orders/{no}", h.servers[i % 2].url);
        let (http, token) = (h.http.clone(), token.clone());
        tasks.spawn(async move { http.get(url).bearer_auth(token).send().await.unwrap().status() });
    }
    while let Some(s) = common::bounded("polls", tasks.join_next()).await {
        assert_eq!(s.unwrap(), StatusCode::OK);
    }
    assert_eq!(h.sandbox.calls("/pay/orderquery") - before, 1, "one orderquery for 20 polls on two instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_creation_is_limited_per_payer() {
    // The open-orders limit alone (the held units are bounded by another test).
    let h = Harness::start_with(common::Options { tweak: |c| c.max_held_units_per_payer = Some(1_000), ..Default::default() }).await;
    // 1 + 2 + … + 21 units: enough stock that only the payer's limit can refuse.
    h.set_stock(2, 1_000).await;
    let (token, _) = h.login().await;
    // Distinct quantities: none is a double tap of another.
    for q in 1..=20 {
        h.order(&token, 2, q).await;
    }
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 2, "quantity": 21 })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["error"]["code"], "RATE_LIMITED");
    assert_eq!(h.sandbox.order_count(), 20, "the refused order never reached WeChat");
    // Another payer is not affected.
    let (other, _) = h.login().await;
    h.order(&other, 2, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_is_answered_with_a_timeout() {
    let h = Harness::start_with(common::Options { tweak: |c| c.request_timeout_secs = Some(1), ..Default::default() }).await;
    let (token, _) = h.login().await;
    // WeChat answers within the upstream timeout (5 s) but after the request's (1 s).
    h.sandbox.faults().delay_ms.store(2_500, std::sync::atomic::Ordering::SeqCst);
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "TIMEOUT", "{v}");
}

/// An order placed while `WXPAY_SIGN_TYPE` was HMAC-SHA256, renewed after the server went back
/// to MD5: the renewed unifiedorder is signed as the order was (its notify is pinned to that),
/// so the payment's notify is accepted and the order is PAID by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_keeps_the_order_sign_type() {
    let h = Harness::start().await;
    assert_eq!(h.state().settings.v2().unwrap().sign_type, wxpay::SignType::Md5);
    let (token, openid) = h.login().await;
    let no = format!("H{}", &wxpay::nonce_str().unwrap()[..20]);
    let mut o = common::fixtures::unpaid_order(&no, &openid, 1800, h.clock.now_ms());
    o.api = wxpay_server::api::OrderApi::V2(wxpay::SignType::HmacSha256);
    h.state().db.orders().insert(&o, "test").await.unwrap();

    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["payment"]["signType"], "HMAC-SHA256", "{again}");
    let (status, v) = h.pay(&again["payment"]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let deliveries = h.wait_acknowledged(&no).await;
    assert!(deliveries.iter().any(|d| d.acknowledged), "{deliveries:?}");
    assert_eq!(h.stored_status(&no).await, "PAID");
    let audit = h.audit(&no).await;
    assert!(audit.iter().any(|a| a.action == "order.paid" && a.actor == "wechat:notify"), "paid by its notify: {audit:?}");
}
