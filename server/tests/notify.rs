//! Payment notify on SQLite: exactly once, and every kind of bad notify refused with FAIL and
//! no state change.

mod common;

use common::{notify_cases as cases, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_notify_transitions_once() {
    cases::duplicate_notify_transitions_once(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_notify_transitions_once_with_two_instances_on_one_sqlite_file() {
    let h = Harness::start_with(common::Options { instances: 2, ..Default::default() }).await;
    cases::duplicate_notify_transitions_once(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_forged_sign_without_state_change() {
    cases::rejects_forged_sign_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_wrong_amount_without_state_change() {
    cases::rejects_wrong_amount_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_wrong_mch_id_without_state_change() {
    cases::rejects_wrong_mch_id_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_unknown_order_without_state_change() {
    cases::rejects_unknown_order_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_xxe_payload_without_state_change() {
    cases::rejects_xxe_payload_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_oversized_body_without_state_change() {
    cases::rejects_oversized_body_without_state_change(&Harness::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genuine_notify_after_refusals_still_applies() {
    cases::genuine_notify_after_refusals_still_applies(&Harness::start().await).await;
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
