//! `wxpay-server demo [v3]` (what `./scripts/demo [v3]` runs) ends with the order PAID, then
//! refunded, and masks secrets.

use std::sync::{Arc, Mutex};

use wxpay_server::api::ApiVersion;

/// The demo's output, once it succeeded.
async fn demo_output(api: ApiVersion) -> String {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let run = wxpay_server::demo::run(Arc::new(move |l: &str| sink.lock().unwrap().push(l.to_owned())), api);
    tokio::time::timeout(std::time::Duration::from_secs(60), run).await.expect("demo finishes").expect("demo succeeds");
    lines.lock().unwrap().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_walks_a_purchase_to_paid() {
    let out = demo_output(ApiVersion::V2).await;
    for step in [
        "== 1. wx.login()",
        "== 2. POST /api/login",
        "== 4. POST /api/orders",
        "== 6. WeChat → POST /wxpay/notify",
        "== 8. POST /api/orders/",
        "== 9. POST /admin/api/refunds/",
        "== 10. WeChat → POST /wxpay/refund-notify",
    ] {
        assert!(out.contains(step), "missing step {step}:\n{out}");
    }
    assert!(out.contains("/pay/unifiedorder") && out.contains("<prepay_id>"), "the XML exchange is shown");
    assert!(out.contains("<return_code><![CDATA[SUCCESS]]></return_code>"));
    assert!(out.contains("api_key=*** app_secret=***") && out.contains("secret=***"), "{out}");
    assert!(out.contains("\"session_key\":\"***\""), "{out}");
    assert!(out.contains("/secapi/pay/refund") && out.contains("<refund_id>") && out.contains("<req_info>"), "{out}");
    assert!(out.contains("req_info decrypted: <root>") && out.contains("<refund_status><![CDATA[SUCCESS]]></refund_status>"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.contains("is PAID") && last.contains("is SUCCESS"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_v3_walks_a_purchase_to_paid_with_signed_requests_and_decrypted_notifies() {
    let out = demo_output(ApiVersion::V3).await;
    for step in [
        "API v3",
        "== 4. POST /api/orders",
        "JSAPI prepay, signed SHA256withRSA",
        "== 6. WeChat → POST /wxpay/v3/notify",
        "== 10. WeChat → POST /wxpay/v3/notify (REFUND.SUCCESS",
    ] {
        assert!(out.contains(step), "missing {step}:\n{out}");
    }
    // The signed requests: the JSAPI prepay, then the refund, each with its Authorization.
    assert!(out.contains("POST https://") && out.contains("/v3/pay/transactions/jsapi"), "{out}");
    assert!(out.contains("/v3/refund/domestic/refunds"), "{out}");
    assert!(out.contains("Authorization: WECHATPAY2-SHA256-RSA2048 mchid=") && out.contains("Wechatpay-Serial: PUB_KEY_ID_"), "{out}");
    assert!(out.contains("\"signType\":\"RSA\""), "the payment object is v3's: {out}");
    // The notifies, decrypted.
    assert!(out.contains("resource decrypted (AES-256-GCM, APIv3 key): {") && out.contains("\"trade_state\":\"SUCCESS\""), "{out}");
    assert!(out.contains("\"refund_status\":\"SUCCESS\""), "{out}");
    // Secrets masked: the APIv3 key, the AppSecret; the private key is never printed.
    assert!(out.contains("apiv3_key=") && out.contains("…(masked)") && out.contains("app_secret=***"), "{out}");
    assert!(!out.contains("PRIVATE KEY-----"), "{out}");
    assert!(!out.contains("/secapi/"), "no client certificate call in v3: {out}");
    let last = out.lines().last().unwrap();
    assert!(last.contains("API v3") && last.contains("is PAID") && last.contains("is SUCCESS"), "{out}");
}
