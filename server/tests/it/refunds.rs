//! Refunds end to end on loopback (SQLite): request, approval, the mutual-TLS refund call,
//! the refund notify, refundquery; the client certificate as PEM, as p12 (AES and the legacy
//! RC2/3DES kind), and missing.

use crate::common;

use std::sync::atomic::Ordering;

use common::{refund_cases as cases, Harness, Options};
use reqwest::StatusCode;
use wxpay_server::{AppState, Config};

/// The backend the shared cases run on (see `mount_cases!`): one instance on SQLite.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    Harness::start_with(Options { tweak, ..Default::default() }).await
}

refund_cases!();
refund_cases_v2!();

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_still_processing_at_wechat_stays_processing_until_it_is_done() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().hold_refunds.store(true, Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, None).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "PROCESSING", "{v}");
    h.clock.advance(std::time::Duration::from_secs(301));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.refunds_settled), (1, 0), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "PROCESSING");
    // The refund is still not double-counted: nothing more can be requested.
    let (status, _) = h.request_refund(&token, &no, Some(1)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    h.sandbox.settle_held_refunds();
    h.clock.advance(std::time::Duration::from_secs(301));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!(pass.refunds_settled, 1, "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_retry_after_systemerror_resends_the_same_request() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, Some(1200)).await;
    // WeChat makes the refund but answers SYSTEMERROR twice.
    h.sandbox.faults().systemerror_next.store(2, Ordering::SeqCst);
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let sim = h.sandbox.refund(&rno).unwrap();
    assert_eq!(sim.calls, 3, "the same out_refund_no three times");
    assert_eq!(h.sandbox.refund_count(), 1, "one refund at WeChat");
    h.wait_refund_status(&rno, "SUCCESS").await;
    assert_eq!(h.refunded_fee(&no).await, 1200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_without_client_cert_is_refused() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.client_cert = None;
            c.client_key = None;
        },
        ..Default::default()
    })
    .await;
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["upstream_code"], "CLIENT_CERT_REQUIRED", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("No required SSL certificate was sent") && message.contains("WXPAY_CLIENT_CERT"), "{message}");
    // The simulator was asked once (a refused certificate is final, not retried) and refused;
    // no refund exists; ours can be approved again.
    assert_eq!(h.sandbox.calls("/secapi/pay/refund"), 1);
    assert_eq!(h.sandbox.refund_count(), 0);
    let r = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    assert_eq!(r.status.as_str(), "REQUESTED");
    assert!(r.last_error.unwrap().contains("CLIENT_CERT_REQUIRED"));
    // The simulator refuses a raw call without a certificate too, before reading it, as
    // WeChat's front end does: HTTP 400 and nginx's page.
    let raw = h.wechat.post(format!("{}/secapi/pay/refund", h.sandbox.base_url())).body("<xml/>").send().await.unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let text = raw.text().await.unwrap();
    assert!(text.contains("<title>400 No required SSL certificate was sent</title>"), "{text}");
}

/// A second server state on the harness's database with the certificate configured by `f`.
async fn state_with(h: &Harness, f: impl FnOnce(&mut Config)) -> AppState {
    let mut c = common::server_config(&h.sandbox, h.url());
    c.database_url = Some(h.state().settings.database_url.clone());
    c.client_cert = None;
    c.client_key = None;
    f(&mut c);
    AppState::connect(c.settings().expect("valid settings"), h.clock.clone(), None).await.unwrap()
}

async fn refund_through(h: &Harness, state: &AppState) {
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    let r = wxpay_server::refunds::approve(state, &rno, "admin").await.expect("the refund call is accepted");
    // The refund notify may land before the call's answer is recorded.
    assert!(matches!(r.status.as_str(), "PROCESSING" | "SUCCESS"), "{r:?}");
    h.wait_refund_status(&rno, "SUCCESS").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p12_client_certificate_works() {
    let h = Harness::start().await;
    let p12 = h.sandbox.client_p12_file().to_owned();
    // The password defaults to the mch_id, as WeChat issues the file.
    let state = state_with(&h, |c| c.client_p12 = Some(p12.display().to_string())).await;
    assert_eq!(state.settings.client_identity.as_ref().unwrap().source, "WXPAY_CLIENT_P12");
    refund_through(&h, &state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_3des_rc2_p12_client_certificate_works() {
    let h = Harness::start().await;
    let password = "legacy-pass-123";
    // `-legacy`: certificates under RC2-40, key under 3DES; `-descert`: both under 3DES. The
    // openssl command line only makes the fixtures; the server reads them in pure Rust.
    for (name, extra, expect) in [("rc2", None, "RC2"), ("3des", Some("-descert"), "TripleDES")] {
        let legacy = h.dir.path().join(format!("legacy-{name}.p12"));
        let mut cmd = std::process::Command::new("openssl");
        cmd.args(["pkcs12", "-export", "-legacy"]).args(extra).arg("-in").arg(h.sandbox.client_cert_file());
        cmd.arg("-inkey").arg(h.sandbox.client_key_file()).arg("-out").arg(&legacy);
        let out = cmd.args(["-passout", &format!("pass:{password}")]).output().expect("the openssl command line");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let info = std::process::Command::new("openssl")
            .args(["pkcs12", "-info", "-noout", "-legacy", "-in"])
            .arg(&legacy)
            .args(["-passin", &format!("pass:{password}")])
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stderr).to_string() + &String::from_utf8_lossy(&info.stdout);
        assert!(info.contains(expect), "a legacy {name} file: {info}");
        let state = state_with(&h, |c| {
            c.client_p12 = Some(legacy.display().to_string());
            c.client_p12_password = Some(password.into());
        })
        .await;
        refund_through(&h, &state).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificate_problems_are_reported_at_startup() {
    let h = Harness::start().await;
    let dir = h.dir.path();
    let base = || {
        let mut c = common::server_config(&h.sandbox, h.url());
        c.client_cert = None;
        c.client_key = None;
        c
    };
    let err = |c: Config| c.settings().unwrap_err().to_string();

    // Wrong p12 password: named, never echoed.
    let mut c = base();
    c.client_p12 = Some(h.sandbox.client_p12_file().display().to_string());
    c.client_p12_password = Some("not-the-password-42".into());
    let e = err(c);
    assert!(e.contains("WXPAY_CLIENT_P12") && !e.contains("not-the-password-42"), "{e}");

    // Unreadable files.
    let mut c = base();
    c.client_cert = Some(dir.join("missing.pem").display().to_string());
    c.client_key = Some(h.sandbox.client_key_file().display().to_string());
    assert!(err(c).contains("invalid setting WXPAY_CLIENT_CERT"));
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a key").unwrap();
    let mut c = base();
    c.client_cert = Some(h.sandbox.client_cert_file().display().to_string());
    c.client_key = Some(garbage.display().to_string());
    let e = err(c);
    assert!(e.contains("invalid setting WXPAY_CLIENT_KEY"), "{e}");

    // Only half of the pair.
    let mut c = base();
    c.client_cert = Some(h.sandbox.client_cert_file().display().to_string());
    assert!(err(c).contains("missing setting WXPAY_CLIENT_KEY"));

    // A key that is not the certificate's.
    let other = rcgen::KeyPair::generate().unwrap();
    let other_key = dir.join("other_key.pem");
    std::fs::write(&other_key, other.serialize_pem()).unwrap();
    let mut c = base();
    c.client_cert = Some(h.sandbox.client_cert_file().display().to_string());
    c.client_key = Some(other_key.display().to_string());
    let e = err(c);
    assert!(e.contains("does not belong to the certificate"), "{e}");

    // Expired, and issued to another merchant.
    let write_cert = |name: &str, cn: &str, expired: bool| {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        if expired {
            p.not_before = rcgen::date_time_ymd(2020, 1, 1);
            p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = p.self_signed(&key).unwrap();
        let (cp, kp) = (dir.join(format!("{name}_cert.pem")), dir.join(format!("{name}_key.pem")));
        std::fs::write(&cp, cert.pem()).unwrap();
        std::fs::write(&kp, key.serialize_pem()).unwrap();
        (cp.display().to_string(), kp.display().to_string())
    };
    let mch = h.sandbox.credentials().mch_id.clone();
    let (cp, kp) = write_cert("expired", &mch, true);
    let mut c = base();
    (c.client_cert, c.client_key) = (Some(cp), Some(kp));
    let e = err(c);
    assert!(e.contains("expired"), "{e}");
    let (cp, kp) = write_cert("other", "1000000001", false);
    let mut c = base();
    (c.client_cert, c.client_key) = (Some(cp), Some(kp));
    let e = err(c);
    assert!(e.contains("not WXPAY_MCH_ID"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_requires_the_token_and_reject_frees_the_amount() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    let (status, _) = h.get_json("/admin/api/refunds", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h.get_json("/admin/api/refunds", Some("wrong-token-wrong-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A payer's login token is not an admin token.
    let (status, _) = h.post_json(&format!("/admin/api/refunds/{rno}/approve"), Some(&token), serde_json::json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, v) = h.admin_get("/admin/api/refunds?status=REQUESTED").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/reject")).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("REJECTED")), "{v}");
    let (status, _) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Someone else cannot ask for a refund of this order.
    let (other, _) = h.login().await;
    let (status, _) = h.request_refund(&other, &no, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The rejected amount is refundable again.
    h.requested_refund(&token, &no, None).await;
    assert_eq!(h.sandbox.calls("/secapi/pay/refund"), 0);
    let page = h.http.get(format!("{}/admin", h.url())).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("ADMIN_TOKEN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_with_unknown_outcome_is_found_by_refundquery_not_sent_again() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, None).await;
    // WeChat makes the refund but answers SYSTEMERROR to every attempt of the approval.
    h.sandbox.faults().systemerror_next.store(100, Ordering::SeqCst);
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["upstream_code"], "SYSTEMERROR", "{v}");
    h.sandbox.faults().systemerror_next.store(0, Ordering::SeqCst);
    let r = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    assert_eq!(r.status.as_str(), "APPROVED", "outcome unknown: not sent again by hand, not failed");
    assert!(r.last_error.unwrap().contains("SYSTEMERROR"));
    let calls = h.sandbox.refund(&rno).unwrap().calls;
    // The reconciler asks refundquery first: WeChat holds the refund, so it is not sent again,
    // and what WeChat says about it is applied.
    h.wait_sim_refund_final(&rno).await;
    h.clock.advance(std::time::Duration::from_secs(301));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.refunds_settled, pass.failed), (1, 1, 0), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
    assert_eq!(h.sandbox.refund(&rno).unwrap().calls, calls, "not sent again");
    assert_eq!(h.sandbox.refund_count(), 1, "one refund at WeChat");
    assert_eq!(h.refunded_fee(&no).await, 3600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_that_never_reached_wechat_is_sent_again_by_the_reconciler() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    // A proxy in front of WeChat answers HTTP 403 to every attempt: not WeChat's answer, so
    // the outcome is unknown (not a FAIL that would send the refund back to REQUESTED).
    h.sandbox.faults().http_status_next.store(4, Ordering::SeqCst);
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(h.refund_status(&rno).await, "APPROVED");
    assert!(h.sandbox.refund(&rno).is_none());
    // refundquery: REFUNDNOTEXIST, so the same request goes again, once.
    h.clock.advance(std::time::Duration::from_secs(301));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.failed), (1, 0), "{pass:?}");
    assert!(matches!(h.refund_status(&rno).await.as_str(), "PROCESSING" | "SUCCESS"));
    assert_eq!(h.sandbox.refund(&rno).unwrap().calls, 1);
    h.wait_refund_status(&rno, "SUCCESS").await;
    assert_eq!(h.refunded_fee(&no).await, 3600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_notify_naming_another_refund_or_transaction_is_refused() {
    let h = Harness::start().await;
    let (no, rno) = cases::processed_without_notify(&h).await;
    let genuine = h.sandbox.refund_notify(&rno).unwrap();
    let outer: wxpay::Params = wxpay::xml::decode(genuine.as_bytes()).unwrap();
    let key = h.merchant().key;
    let inner = wxpay::refund_notify::decrypt_req_info(&outer["req_info"], &key).unwrap();
    // Properly encrypted with our key, our refund and amounts, but another refund_id or payment.
    for (field, value) in [("refund_id", "50000000000000000000000000000001"), ("transaction_id", "4200000000000000000000000000000")] {
        let mut altered = inner.clone();
        altered.insert(field.into(), value.into());
        let mut o = outer.clone();
        o.insert("req_info".into(), wxpay::refund_notify::encrypt_req_info(&altered, &key).unwrap());
        let (status, text) = h.post_refund_notify(0, wxpay::xml::encode(&o).unwrap().into_bytes()).await;
        assert!(common::is_fail_reply(&text), "{field}: {status} {text}");
        assert_eq!(h.refund_status(&rno).await, "PROCESSING", "{field}");
    }
    assert_eq!(h.refunded_fee(&no).await, 0);
    let (_, text) = h.post_refund_notify(0, genuine.into_bytes()).await;
    assert!(common::is_success_reply(&text), "{text}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
}
