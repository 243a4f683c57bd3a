//! API v3 on SQLite: a merchant with only a private key, an APIv3 key and a WeChat Pay public key
//! (or platform certificates, or both during the switchover). The shared notify cases are
//! mounted here in v3, with the cases only v3 has (probes, timestamps); then the purchase end to
//! end, the query and close of the reconciler, and start-up's judgement of the settings.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use wxpay_server::api::ApiVersion;

use crate::common;

use common::Harness;

/// The backend the shared cases run on (see `mount_cases!`): one instance on SQLite, in v3.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    Harness::start_with(common::Options { tweak, api: ApiVersion::V3, ..Default::default() }).await
}

notify_cases!();
notify_cases_v3!();
refund_cases!();
admin_cases!();
stock_cases!();

async fn v3_with_keys(v3_keys: wxpay_sim::KeyMode) -> Harness {
    Harness::start_with(common::Options { api: ApiVersion::V3, v3_keys, ..Default::default() }).await
}

/// How many times the servers asked `/v3/certificates`.
fn certificate_downloads(h: &Harness) -> usize {
    h.sandbox.journal().iter().filter(|c| c.endpoint == Some(wxpay_sim::Endpoint::V3Certificates)).count()
}

/// login → order (JSAPI prepay) → the RSA paySign taken by the payer sheet → the v3 notify →
/// PAID, with the same audit rows as v2.
async fn purchase_ends_paid(h: &Harness) {
    let (token, openid) = h.login().await;
    let (status, order) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 2 })).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let no = order["out_trade_no"].as_str().unwrap();
    let payment = &order["payment"];
    assert_eq!(payment["signType"], "RSA", "{payment}");
    for k in ["timeStamp", "nonceStr", "package", "paySign"] {
        assert!(payment[k].is_string(), "payment.{k} missing: {payment}");
    }
    let sim = h.sandbox.order(no).expect("placed at WeChat");
    assert_eq!((sim.total_fee as i64, sim.openid.as_str()), (order["total_fee"].as_i64().unwrap(), openid.as_str()));
    assert_eq!(payment["package"], format!("prepay_id={}", sim.prepay_id));

    let (status, paid) = h.pay(payment).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    h.wait_stored_status(no, "PAID").await;
    let deliveries = h.wait_acknowledged(no).await;
    assert!(deliveries.iter().any(|d| d.acknowledged && d.status == Some(204)), "{deliveries:?}");
    h.assert_paid_by_notify(no, &openid).await;
    let o = h.state().db.orders().get(no).await.unwrap().unwrap();
    assert_eq!(o.api, wxpay_server::api::OrderApi::V3);
    assert_eq!(o.transaction_id.as_deref(), paid["transaction_id"].as_str());
    assert_eq!(o.time_end.as_deref().map(str::len), Some(14), "stored as v2's yyyyMMddHHmmss");
    // The back office says which API the order speaks.
    let (status, detail) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let row = &detail["order"];
    assert_eq!((row["api_version"].as_str(), row["sign_type"].as_str()), (Some("v3"), Some("RSA")), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_purchase_with_the_wechat_pay_public_key_ends_paid() {
    let h = v3_with_keys(wxpay_sim::KeyMode::PublicKey).await;
    purchase_ends_paid(&h).await;
    // A merchant with the public key asked once whether WeChat still lists certificates (404).
    assert_eq!(certificate_downloads(&h), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_purchase_with_downloaded_platform_certificates_ends_paid() {
    let h = v3_with_keys(wxpay_sim::KeyMode::Certificate).await;
    assert!(h.state().settings.v3().unwrap().public_key.is_none());
    let keys = h.state().upstream.v3_keys().unwrap();
    assert_eq!(keys.certificates().count(), 1, "downloaded at start-up");
    purchase_ends_paid(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_purchase_during_the_switchover_ends_paid() {
    let h = v3_with_keys(wxpay_sim::KeyMode::Switchover).await;
    let keys = h.state().upstream.v3_keys().unwrap();
    assert_eq!((keys.public_key_ids().count(), keys.certificates().count()), (1, 1), "the public key and the listed certificate");
    purchase_ends_paid(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_detail_asks_the_query_when_the_notify_is_lost() {
    let h = v3_with_keys(wxpay_sim::KeyMode::PublicKey).await;
    let (token, no) = h.paid_without_notify().await;
    let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "PAID", "{v}");
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    assert_eq!(paid.actor, "api:orderquery");
    assert!(paid.detail.unwrap().starts_with("query (v3): trade_state=SUCCESS"));
    // The late notify is then a duplicate: acknowledged, no second transition.
    let (status, body) = h.send_notify(0, &h.genuine_notify(&no)).await;
    assert!(h.acknowledged(status, &body), "{status} {body}");
    assert_eq!(h.paid_transitions(&no).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_reconciler_closes_an_expired_order_at_wechat() {
    let h = v3_with_keys(wxpay_sim::KeyMode::PublicKey).await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    h.clock.advance(Duration::from_secs(601));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!(pass.closed, 1, "{pass:?}");
    assert_eq!(h.stored_status(no).await, "CLOSED");
    let closed = h.audit(no).await.into_iter().find(|a| a.action == "order.closed").expect("audited");
    assert_eq!(closed.detail.as_deref(), Some("close (v3): SUCCESS"));
    assert_eq!(h.sandbox.order(no).unwrap().trade_state.as_str(), "CLOSED", "closed at WeChat too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_start_refuses_a_key_that_is_not_the_serials() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = wxpay_sim::SimConfig::new(dir.path().join("sim"));
    sc.time_scale = 1000.0;
    let clock = wxpay_server::Clock::system();
    let sim = wxpay_sim::Simulator::start(sc, wxpay_server::sandbox::sim_clock(&clock)).await.unwrap();
    let mut config = common::server_config_v3(&sim, "http://127.0.0.1:9");
    config.database_url = Some(format!("sqlite://{}?mode=rwc", dir.path().join("wxpay.db").display()));
    // Another RSA key, in a file of its own: the serial still names the simulator's merchant key.
    let other = dir.path().join("other_key.pem");
    std::fs::write(&other, OTHER_KEY).unwrap();
    config.mch_private_key = Some(other.display().to_string());
    let settings = config.settings().expect("well-formed settings");
    let e = wxpay_server::AppState::connect(settings, clock, None).await.expect_err("WeChat refuses the signature");
    let e = e.to_string();
    assert!(e.contains("WXPAY_MCH_PRIVATE_KEY") && e.contains("SIGN_ERROR"), "{e}");
    assert!(!e.contains("PRIVATE KEY-----"), "the key never appears: {e}");
}

#[test]
fn v3_settings_name_what_is_missing_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("apiclient_key.pem");
    std::fs::write(&key, OTHER_KEY).unwrap();
    let full = || wxpay_server::Config {
        api_version: Some("v3".into()),
        appid: Some("wxd930ea5d5a258f4f".into()),
        app_secret: Some("0f1e2d3c4b5a69788796a5b4c3d2e1f0".into()),
        mch_id: Some("10000100".into()),
        public_url: Some("https://shop.example.com".into()),
        mch_private_key: Some(key.display().to_string()),
        mch_serial: Some("5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into()),
        apiv3_key: Some("0123456789abcdefghijklmnopqrstuv".into()),
        ..Default::default()
    };
    let s = full().settings().expect("v3 needs no API key and no client certificate");
    assert_eq!(s.api_version, ApiVersion::V3);
    assert!(s.v2.is_none());
    assert!(s.versions_line().contains("API v3 for new orders"), "{}", s.versions_line());
    let shown = format!("{s:?}");
    assert!(!shown.contains("0123456789abcdefghijklmnopqrstuv") && !shown.contains("PRIVATE KEY"), "Debug hides the v3 secrets: {shown}");
    type Case = (fn(&mut wxpay_server::Config), &'static str);
    let cases: [Case; 9] = [
        (|c| c.mch_private_key = None, "missing setting WXPAY_MCH_PRIVATE_KEY"),
        (|c| c.mch_serial = None, "missing setting WXPAY_MCH_SERIAL"),
        (|c| c.apiv3_key = None, "missing setting WXPAY_APIV3_KEY"),
        (|c| c.mch_private_key = Some("/nonexistent/apiclient_key.pem".into()), "invalid setting WXPAY_MCH_PRIVATE_KEY"),
        (|c| c.mch_serial = Some("not-hex".into()), "invalid setting WXPAY_MCH_SERIAL"),
        (|c| c.apiv3_key = Some("short".into()), "invalid setting WXPAY_APIV3_KEY"),
        (|c| c.public_key_id = Some("PUB_KEY_ID_0119".into()), "missing setting WXPAY_PUBLIC_KEY"),
        (|c| c.public_key = Some("/nonexistent/pub_key.pem".into()), "missing setting WXPAY_PUBLIC_KEY_ID"),
        (|c| c.api_version = Some("v4".into()), "invalid setting WXPAY_API_VERSION"),
    ];
    for (change, want) in cases {
        let mut c = full();
        change(&mut c);
        let e = c.settings().unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
        assert!(!e.contains("0123456789abcdefghijklmnopqrstuv"), "the APIv3 key never appears: {e}");
    }
    // The private key's file given as the public key: named, and its text never shown.
    let mut c = full();
    c.public_key = Some(key.display().to_string());
    c.public_key_id = Some("PUB_KEY_ID_0119000001202611230000000000000000".into());
    let e = c.settings().unwrap_err().to_string();
    assert!(e.contains("invalid setting WXPAY_PUBLIC_KEY") && !e.contains("BEGIN"), "{e}");
}

/// An RSA key that is not the simulator's merchant key: the core's test key for a platform
/// certificate (made by the repository's script, not any merchant's).
const OTHER_KEY: &str = include_str!("../../../tests/data/v3_test_platform_key.pem");

/// The switch: v2 orders in flight, a restart with `WXPAY_API_VERSION=v3` (the v2 settings still
/// given), then the v2 notify, the v2 refund and a v2 query finish on v2, and new orders are v3.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v2_orders_in_flight_finish_on_v2_after_a_restart_in_v3() {
    let mut h = Harness::start().await;
    // A: paid at WeChat, its notify not delivered yet. B: paid, a refund requested. C: paid,
    // its notify lost for good (found by the query after the restart).
    let (token, a) = h.paid_without_notify().await;
    h.sandbox.faults().drop_notifies.store(false, std::sync::atomic::Ordering::SeqCst);
    let (token_b, b) = h.paid_order().await;
    let rb = h.requested_refund(&token_b, &b, Some(1000)).await;
    h.sandbox.faults().drop_notifies.store(true, std::sync::atomic::Ordering::SeqCst);
    let c_order = h.order(&token, 2, 1).await;
    let c = c_order["out_trade_no"].as_str().unwrap().to_owned();
    let (status, _) = h.pay(&c_order["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.sandbox.faults().drop_notifies.store(false, std::sync::atomic::Ordering::SeqCst);

    // The restart in v3, keeping v2's API key and client certificate for the orders in flight.
    h.restart(ApiVersion::V3, |sim, c| {
        c.api_key = Some(sim.credentials().api_key.expose().to_owned());
        c.client_cert = Some(sim.client_cert_file().display().to_string());
        c.client_key = Some(sim.client_key_file().display().to_string());
    })
    .await;
    let line = h.state().settings.versions_line();
    assert!(line.contains("API v3 for new orders") && line.contains("v2 orders in flight are still served"), "{line}");

    // A's v2 notify, as WeChat resends it: applied by v2's rules.
    let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&a).unwrap().into_bytes()).await;
    assert!(status == StatusCode::OK && common::is_success_reply(&body), "{status} {body}");
    assert_eq!(h.stored_status(&a).await, "PAID");
    // B's refund, approved now: sent with v2's client certificate, finished by v2's refund notify.
    let calls = h.sandbox.calls("/secapi/pay/refund");
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rb}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    h.wait_refund_status(&rb, "SUCCESS").await;
    assert_eq!(h.sandbox.calls("/secapi/pay/refund") - calls, 1, "a v2 refund call");
    assert_eq!(h.v3_calls(wxpay_sim::Endpoint::V3Refund), 0, "no v3 refund call for a v2 order");
    // C: the payer looks at it; the v2 orderquery finds it paid.
    let (status, v) = h.get_json(&format!("/api/orders/{c}"), Some(&token)).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("PAID")), "{v}");
    assert!(h.sandbox.calls("/pay/orderquery") >= 1);

    // A new order is v3, paid with RSA, PAID by the v3 notify.
    let (token, _) = h.login().await;
    let d = h.order(&token, 1, 1).await;
    assert_eq!(d["payment"]["signType"], "RSA", "{d}");
    let dn = d["out_trade_no"].as_str().unwrap();
    let (status, _) = h.pay(&d["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(dn, "PAID").await;
    let orders = h.state().db.orders();
    assert_eq!(orders.get(&a).await.unwrap().unwrap().api, wxpay_server::api::OrderApi::V2(wxpay::SignType::Md5));
    assert_eq!(orders.get(dn).await.unwrap().unwrap().api, wxpay_server::api::OrderApi::V3);
    assert_eq!(h.state().db.refunds().get(&rb).await.unwrap().unwrap().api, ApiVersion::V2);
}

/// Without the v2 settings, a v2 notify is not lost: it is refused for now (WeChat resends it),
/// and `serve` says v2 orders are not served.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v2_notify_without_the_v2_settings_waits_for_them() {
    let mut h = Harness::start().await;
    let (_, a) = h.paid_without_notify().await;
    h.restart(ApiVersion::V3, |_, _| {}).await;
    assert!(h.state().settings.versions_line().contains("v2 orders are not served"));
    let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&a).unwrap().into_bytes()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(h.stored_status(&a).await, "NOTPAY");
}

/// 退款异常 in v3: `REFUND.ABNORMAL` puts the refund in the exceptions queue as CHANGE, with the
/// abnormal-refund action; sent again to the payer's card (number and name encrypted to WeChat's
/// key), WeChat refunds it and its notify ends it SUCCESS.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_abnormal_refund_is_sent_again_to_a_bank_card() {
    let h = v3_with_keys(wxpay_sim::KeyMode::PublicKey).await;
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().hold_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, None).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("PROCESSING")), "{v}");
    common::bounded("WeChat reports ABNORMAL", async {
        while !h.sandbox.refund(&rno).is_some_and(|x| x.refund_status == wxpay::RefundStatus::Change) {
            h.sandbox.settle_held_refunds_as(wxpay::RefundStatus::Change);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let (status, text) = h.send_refund_notify(0, &h.genuine_refund_notify(&rno)).await;
    assert!(h.acknowledged(status, &text), "{status} {text}");
    assert_eq!(h.refund_status(&rno).await, "CHANGE");
    let (_, queue) = h.admin_get("/admin/api/attention").await;
    let item = queue["refunds"].as_array().unwrap().iter().find(|r| r["out_refund_no"] == rno).expect("queued").clone();
    assert_eq!(item["kind"], "refund_change", "{item}");
    assert!(item["actions"].as_array().unwrap().iter().any(|a| a == "abnormal_refund"), "{item}");
    assert_eq!(item["api_version"], "v3", "{item}");

    // A card without its holder is refused before anything is sent.
    let path = format!("/admin/api/refunds/{rno}/abnormal-refund");
    let (status, v) = h
        .admin_post_json(0, &path, json!({ "type": "USER_BANK_CARD", "bank_type": "ICBC_DEBIT", "bank_account": "6222021234567890123" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(h.v3_calls(wxpay_sim::Endpoint::V3AbnormalRefund), 0);
    h.sandbox.faults().hold_refunds.store(false, std::sync::atomic::Ordering::SeqCst);
    let card = json!({ "type": "USER_BANK_CARD", "bank_type": "ICBC_DEBIT", "bank_account": "6222021234567890123", "real_name": "张三" });
    let (status, v) = h.admin_post_json(0, &path, card).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["handled"].to_string().contains("USER_BANK_CARD"), "{v}");
    assert!(!v.to_string().contains("6222021234567890123") && !v.to_string().contains("张三"), "never stored nor shown: {v}");
    h.wait_refund_status(&rno, "SUCCESS").await;
    assert_eq!(h.refunded_fee(&no).await, 3600);
    let sent = h.sandbox.journal().into_iter().find(|c| c.endpoint == Some(wxpay_sim::Endpoint::V3AbnormalRefund)).unwrap();
    assert_eq!(sent.signature_valid, Some(true));
}

/// WeChat signs with a platform certificate rotated since the last download: the first notify
/// naming it makes one download (the core's rule for an unknown serial, recorded in the shared
/// store), and is then verified and applied; a made-up serial after it makes no other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn v3_notify_signed_by_a_rotated_certificate_downloads_it_once() {
    let h = v3_with_keys(wxpay_sim::KeyMode::Certificate).await;
    assert_eq!(certificate_downloads(&h), 1);
    for step in ["rotate", "activate"] {
        let url = format!("{}/v3/keys/{step}", h.sandbox.control_url());
        let r = h.http.post(url).json(&json!({})).send().await.unwrap();
        assert!(r.status().is_success(), "{step}: {}", r.text().await.unwrap());
    }
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    let (status, _) = h.pay(&order["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(no, "PAID").await;
    assert_eq!(certificate_downloads(&h), 2, "one download, for the certificate the notify named");
    assert_eq!(h.state().upstream.v3_keys().unwrap().certificates().count(), 2);

    // A serial nobody issued, within the same interval: refused, and no download for it.
    let mut forged = h.genuine_notify(no);
    for (k, v) in &mut forged.headers {
        if k == "wechatpay-serial" {
            *v = "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF".into();
        }
    }
    let (status, body) = h.send_notify(0, &forged).await;
    assert!(h.refused(status, &body), "{status} {body}");
    assert_eq!(certificate_downloads(&h), 2);
}
