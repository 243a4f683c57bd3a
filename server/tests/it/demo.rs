//! `wxpay-server demo` (what `./scripts/demo` runs) ends with the order PAID, then refunded, and
//! masks secrets.

use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_walks_a_purchase_to_paid() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let run = wxpay_server::demo::run(Arc::new(move |l: &str| sink.lock().unwrap().push(l.to_owned())));
    tokio::time::timeout(std::time::Duration::from_secs(60), run).await.expect("demo finishes").expect("demo succeeds");
    let out = lines.lock().unwrap().join("\n");
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
