//! No log line or response contains the API key, the AppSecret, a session_key, the admin
//! token, the merchant client key or a PKCS#12 password.
//!
//! Everything logged by every crate, at TRACE, is captured for a whole session of use and
//! misuse (logins good and bad, a purchase, forged notifies, WeChat errors, a bad setting),
//! then searched for the secrets. The production log scrubber is not installed here: this
//! checks that no code path logs a secret in the first place.

// Its own binary: it installs the process's one log subscriber to read everything logged.
#[path = "it/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Harness, Options};
use serde_json::json;
use sqlx::Row;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_or_response_contains_a_secret() {
    let capture = Capture::default();
    tracing_subscriber::fmt().with_env_filter("trace").with_ansi(false).with_writer(capture.clone()).init();

    let h = Harness::start().await;
    let mut seen = Vec::<String>::new();

    // A purchase, start to finish.
    let (code, _) = h.sandbox.issue_code(None);
    let (_, v) = h.post_json("/api/login", None, json!({ "code": code })).await;
    seen.push(v.to_string());
    let token = v["token"].as_str().unwrap().to_owned();
    let (_, v) = h.post_json("/api/login", None, json!({ "code": code })).await;
    seen.push(v.to_string());
    let (_, v) = h.get_json("/api/products", None).await;
    seen.push(v.to_string());
    let (_, order) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    seen.push(order.to_string());
    let no = order["out_trade_no"].as_str().unwrap().to_owned();
    let (_, v) = h.pay(&order["payment"]).await;
    seen.push(v.to_string());
    h.wait_stored_status(&no, "PAID").await;
    let (_, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    seen.push(v.to_string());
    let (_, v) = h.get_json("/api/orders", Some(&token)).await;
    seen.push(v.to_string());

    // A refund: request, approval (the mutual-TLS call), notify; admin calls good and bad.
    let (_, v) = h.post_json(&format!("/api/orders/{no}/refunds"), Some(&token), json!({ "reason": "secrets test" })).await;
    seen.push(v.to_string());
    let rno = v["out_refund_no"].as_str().unwrap().to_owned();
    let (_, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    seen.push(v.to_string());
    h.wait_refund_status(&rno, "SUCCESS").await;
    let (_, v) = h.get_json("/admin/api/refunds", Some("wrong-admin-token-0000000")).await;
    seen.push(v.to_string());
    let (_, v) = h.admin_get("/admin/api/refunds").await;
    seen.push(v.to_string());
    let (_, v) = h.admin_get("/admin/api/orders").await;
    seen.push(v.to_string());
    seen.push(h.post_refund_notify(0, b"<xml><return_code>SUCCESS</return_code></xml>".to_vec()).await.1);

    // A wrong PKCS#12 password.
    let mut c = common::server_config(&h.sandbox, "http://127.0.0.1:1");
    (c.client_cert, c.client_key) = (None, None);
    c.client_p12 = Some(h.sandbox.client_p12_file().display().to_string());
    c.client_p12_password = Some("p12-password-that-is-wrong".into());
    let e = c.settings().unwrap_err();
    tracing::error!(error = %e, "configuration refused");
    seen.push(e.to_string());

    // Forged and broken notifies.
    let mut p = h.notify_params(&no);
    p.insert("total_fee".into(), "1".into());
    seen.push(h.post_notify(0, wxpay::xml::encode(&p).unwrap().into_bytes()).await.1);
    seen.push(h.post_notify(0, b"<!DOCTYPE x><xml/>".to_vec()).await.1);
    seen.push(h.post_notify(0, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await.1);

    // A server with the wrong AppSecret and the wrong API key: WeChat refuses.
    let bad = Harness::start_with(Options {
        tweak: |c| {
            c.app_secret = Some("ffffffffffffffffffffffffffffffff".into());
        },
        ..Default::default()
    })
    .await;
    let (code, _) = bad.sandbox.issue_code(None);
    let (_, v) = bad.post_json("/api/login", None, json!({ "code": code })).await;
    assert_eq!(v["error"]["upstream_code"], "40125", "{v}");
    seen.push(v.to_string());
    let bad_key =
        Harness::start_with(Options { tweak: |c| c.api_key = Some("0123456789abcdefghijklmnopqrstuv".into()), ..Default::default() }).await;
    let (token2, _) = bad_key.login().await;
    let (_, v) = bad_key.post_json("/api/orders", Some(&token2), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(v["error"]["code"], "UPSTREAM_ERROR", "{v}");
    seen.push(v.to_string());

    // A malformed key in the configuration.
    let mut c = common::server_config(&h.sandbox, "http://127.0.0.1:1");
    let real_key = c.api_key.clone().unwrap();
    c.api_key = Some(format!("{real_key}x"));
    let e = c.settings().unwrap_err();
    tracing::error!(error = %e, "configuration refused");
    seen.push(e.to_string());
    seen.push(format!("{:?}", h.state()));

    // The secrets: the API key and AppSecret of every simulator, and every session_key stored.
    let mut secrets = Vec::new();
    for harness in [&h, &bad, &bad_key] {
        let c = harness.sandbox.credentials();
        secrets.push(c.api_key.expose().to_owned());
        secrets.push(c.app_secret.expose().to_owned());
        for row in sqlx::query("SELECT session_key FROM sessions").fetch_all(harness.state().db.pool()).await.unwrap() {
            secrets.push(row.get::<String, _>("session_key"));
        }
    }
    secrets.push(common::ADMIN_TOKEN.into());
    secrets.push("p12-password-that-is-wrong".into());
    // Every line of the base64 body of the merchant client key.
    let key_pem = std::fs::read_to_string(h.sandbox.client_key_file()).unwrap();
    secrets.extend(key_pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 16).map(str::to_owned));
    secrets.push("0123456789abcdefghijklmnopqrstuv".into());
    secrets.push("ffffffffffffffffffffffffffffffff".into());
    assert!(secrets.len() >= 9, "sessions were stored: {}", secrets.len());

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 50, "the capture works: {} lines", logs.lines().count());
    assert!(logs.contains("order paid") && logs.contains(&no), "the purchase was logged");
    assert!(logs.contains("refund finished") && logs.contains(&rno), "the refund was logged");
    for s in &secrets {
        for (i, line) in logs.lines().enumerate() {
            assert!(!line.contains(s.as_str()), "log line {i} contains a secret: {line}");
        }
        for r in &seen {
            assert!(!r.contains(s.as_str()), "a response contains a secret: {r}");
        }
    }
}
