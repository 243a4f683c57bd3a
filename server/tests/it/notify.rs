//! Payment notify on SQLite: exactly once, and every kind of bad notify refused with FAIL and
//! no state change.

use crate::common;

use common::{notify_cases as cases, Harness};

/// The backend the shared cases run on (see `mount_cases!`): one instance on SQLite.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    Harness::start_with(common::Options { tweak, ..Default::default() }).await
}

notify_cases!();
notify_cases_v2!();

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_notify_transitions_once_with_two_instances_on_one_sqlite_file() {
    let h = Harness::start_with(common::Options { instances: 2, ..Default::default() }).await;
    cases::duplicate_notify_transitions_once(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simulator_duplicate_notifies_transition_once() {
    let h = Harness::start().await;
    h.sandbox.faults().duplicate_notifies.store(9, std::sync::atomic::Ordering::SeqCst);
    let (token, _) = h.login().await;
    let order = h.order(&token, 2, 3).await;
    let no = order["out_trade_no"].as_str().unwrap();
    let (status, _) = h.pay(&order["payment"]).await;
    assert!(status.is_success());
    h.wait_status(&token, no, "PAID").await;
    // Wait until the simulator has recorded all ten copies of the first delivery.
    for _ in 0..400 {
        if h.sandbox.deliveries(no).len() >= 10 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let d = h.sandbox.deliveries(no);
    assert_eq!(d.len(), 10, "{d:?}");
    assert!(d.iter().all(|d| d.acknowledged && d.attempt == 1), "{d:?}");
    assert_eq!(h.paid_transitions(no).await, 1);
}

fn hmac_orders() -> common::Options {
    common::Options { tweak: |c| c.sign_type = Some("HMAC-SHA256".into()), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hmac_order_refuses_a_notify_signed_with_md5() {
    let h = Harness::start_with(hmac_orders()).await;
    let (_, no) = h.paid_without_notify().await;
    // Every field genuine and correctly signed with the API key, but MD5 (the core would accept
    // it, telling the algorithm by the signature's length): refused for an HMAC-SHA256 order.
    let (status, body) = h.post_notify(0, h.resign(h.notify_params(&no))).await;
    assert!(common::is_fail_reply(&body), "{status} {body}");
    assert_eq!(h.stored_status(&no).await, "NOTPAY");
    let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await;
    assert!(status.is_success() && common::is_success_reply(&body), "the order's own sign type applies: {body}");
    assert_eq!(h.stored_status(&no).await, "PAID");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn md5_order_refuses_a_notify_signed_with_hmac_sha256() {
    let h = Harness::start().await;
    let (_, no) = h.paid_without_notify().await;
    let mut p = h.notify_params(&no);
    p.remove("sign");
    let sign = wxpay::sign(&p, &h.merchant().key, wxpay::SignType::HmacSha256);
    p.insert("sign".into(), sign);
    let (status, body) = h.post_notify(0, wxpay::xml::encode(&p).unwrap().into_bytes()).await;
    assert!(common::is_fail_reply(&body), "{status} {body}");
    assert_eq!(h.stored_status(&no).await, "NOTPAY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_on_a_closed_order_is_paid_and_flagged() {
    let h = Harness::start().await;
    let (_, no) = h.paid_without_notify().await;
    // We closed it (say closeorder raced the payment), then WeChat reports the payment.
    assert!(h.state().db.orders().close(&no, h.clock.now_ms(), "test", "closed before the notify").await.unwrap().applied());
    let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await;
    assert!(status.is_success() && common::is_success_reply(&body), "{body}");
    let o = h.state().db.orders().get(&no).await.unwrap().unwrap();
    assert_eq!(o.status.as_str(), "PAID", "the money arrived: it is paid");
    assert!(o.paid_after_close);
    let (status, v) = h.admin_get("/admin/api/attention").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{v}");
    let flagged: Vec<_> = v["orders"].as_array().unwrap().iter().filter(|x| x["out_trade_no"] == no.as_str()).collect();
    assert_eq!(flagged.len(), 1, "{v}");
    assert_eq!(flagged[0]["paid_after_close"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orderquery_without_total_fee_or_for_another_payer_never_marks_paid() {
    let h = Harness::start().await;
    let (token, no) = h.paid_without_notify().await;
    let fields = &h.sandbox.faults().orderquery_fields;
    let cases: [(&str, Option<&str>); 3] = [("total_fee", None), ("openid", Some("oAnotherPayer000000000000000")), ("openid", None)];
    for (i, (field, value)) in cases.into_iter().enumerate() {
        fields.lock().unwrap().clear();
        fields.lock().unwrap().insert(field.into(), value.map(str::to_owned));
        h.clock.advance(std::time::Duration::from_secs(3));
        let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
        assert_eq!((status, v["status"].as_str()), (reqwest::StatusCode::OK, Some("NOTPAY")), "case {i}: {v}");
        assert_eq!(h.stored_status(&no).await, "NOTPAY", "case {i}: {field} = {value:?}");
    }
    fields.lock().unwrap().clear();
    h.clock.advance(std::time::Duration::from_secs(3));
    h.wait_status(&token, &no, "PAID").await;
}
