//! The reconciler: finds lost payments with orderquery, closes expired orders with closeorder.

use crate::common;

use std::time::Duration;

use common::{Harness, Options};
use wxpay::TradeState;
use wxpay_server::reconciler;

fn short_orders() -> Options {
    Options {
        tweak: |c| {
            c.order_ttl_secs = Some(120);
            c.reconcile_after_secs = Some(60);
        },
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciler_closes_an_expired_order() {
    let h = Harness::start_with(short_orders()).await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();

    // Young orders are left alone.
    assert_eq!(reconciler::run_once(h.state()).await.checked, 0);
    // Old enough to query, not yet expired: queried, left open.
    h.clock.advance(Duration::from_secs(90));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.closed, pass.paid), (1, 0, 0));
    assert_eq!(h.stored_status(no).await, "NOTPAY");
    // Past time_expire (120 s) but younger than five minutes: closeorder must wait.
    h.clock.advance(Duration::from_secs(60));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.closed), (1, 0));
    assert_eq!(h.sandbox.calls("/pay/closeorder"), 0);
    // Past both: closed at WeChat, then here.
    h.clock.advance(Duration::from_secs(160));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.closed, pass.failed), (1, 1, 0));
    assert_eq!(h.stored_status(no).await, "CLOSED");
    assert_eq!(h.sandbox.order(no).unwrap().trade_state, TradeState::Closed);
    assert_eq!(h.sandbox.calls("/pay/closeorder"), 1);
    let closed = h.audit(no).await.into_iter().find(|a| a.action == "order.closed").unwrap();
    assert_eq!((closed.actor.as_str(), closed.detail.as_deref()), ("reconciler", Some("closeorder: SUCCESS")));
    // The user can no longer pay it.
    let (status, _) = h.pay(&order["payment"]).await;
    assert!(status.is_client_error());
    // And the next pass has nothing to do.
    assert_eq!(reconciler::run_once(h.state()).await.checked, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciler_finds_a_payment_whose_notify_was_lost() {
    let h = Harness::start_with(short_orders()).await;
    let (_, no) = h.paid_without_notify().await;
    h.clock.advance(Duration::from_secs(61));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.paid, pass.closed), (1, 1, 0));
    assert_eq!(h.stored_status(&no).await, "PAID");
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    assert_eq!(paid.actor, "reconciler");
    assert_eq!(h.sandbox.calls("/pay/closeorder"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciler_resolves_an_order_whose_unifiedorder_kept_failing() {
    let h = Harness::start_with(short_orders()).await;
    let (token, _) = h.login().await;
    // Every attempt answers SYSTEMERROR (after WeChat stored the order): the API reports the
    // error and leaves the order NOTPAY, because WeChat may hold it.
    h.sandbox.faults().systemerror_next.store(4, std::sync::atomic::Ordering::SeqCst);
    let (status, _) = h.post_json("/api/orders", Some(&token), serde_json::json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, reqwest::StatusCode::BAD_GATEWAY);
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    let no = list[0]["out_trade_no"].as_str().unwrap().to_owned();
    assert_eq!(h.stored_status(&no).await, "NOTPAY");
    assert_eq!(h.sandbox.order(&no).unwrap().trade_state, TradeState::Notpay);
    // After time_expire the reconciler closes it at WeChat too, so it can never be paid.
    h.clock.advance(Duration::from_secs(301));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.closed, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(h.stored_status(&no).await, "CLOSED");
    assert_eq!(h.sandbox.order(&no).unwrap().trade_state, TradeState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_failing_five_times_is_surfaced_to_the_admin_and_backs_off() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.reconcile_after_secs = Some(60);
            c.upstream_attempts = Some(1);
        },
        ..Default::default()
    })
    .await;
    let (token, _) = h.login().await;
    let no = h.order(&token, 1, 1).await["out_trade_no"].as_str().unwrap().to_owned();
    h.sandbox.faults().failing_orders.lock().unwrap().insert(no.clone());
    h.clock.advance(Duration::from_secs(61));
    let listed = |v: &serde_json::Value| v["orders"].as_array().unwrap().iter().any(|o| o["out_trade_no"] == no.as_str());
    let mut queries = Vec::new();
    for failure in 1..=5 {
        let before = h.sandbox.calls("/pay/orderquery");
        assert_eq!(reconciler::run_once(h.state()).await.failed, 1, "failure {failure}");
        // Backed off: a pass a little later leaves it alone.
        h.clock.advance(Duration::from_secs(5));
        assert_eq!(reconciler::run_once(h.state()).await.checked, 0, "failure {failure}: backed off");
        queries.push(h.sandbox.calls("/pay/orderquery") - before);
        let (_, v) = h.admin_get("/admin/api/attention").await;
        assert_eq!(listed(&v), failure >= 5, "failure {failure}: {v}");
        // 60 s doubled per failure.
        h.clock.advance(Duration::from_secs((60 << (failure - 1)) - 4));
    }
    assert_eq!(queries, [1, 1, 1, 1, 1]);
    let o = h.state().db.orders().get(&no).await.unwrap().unwrap();
    assert!(o.last_error.unwrap().contains("SYSTEMERROR"));
    // It recovers: the flag goes away with the failures.
    h.sandbox.faults().failing_orders.lock().unwrap().clear();
    assert_eq!(reconciler::run_once(h.state()).await.failed, 0);
    let (_, v) = h.admin_get("/admin/api/attention").await;
    assert!(!listed(&v), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciler_pass_stops_at_its_time_budget() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.reconcile_after_secs = Some(60);
            c.reconcile_budget_secs = Some(1);
            // 55 units held by one payer here.
            c.max_held_units_per_payer = Some(1_000);
        },
        ..Default::default()
    })
    .await;
    let (token, _) = h.login().await;
    for q in 1..=10 {
        h.order(&token, 1, q).await;
    }
    h.clock.advance(Duration::from_secs(61));
    // Each orderquery takes 0.4 s: ten do not fit in a one-second pass.
    h.sandbox.faults().delay_ms.store(400, std::sync::atomic::Ordering::SeqCst);
    let first = reconciler::run_once(h.state()).await;
    assert!(first.out_of_time && first.checked < 10, "{first:?}");
    // The next pass goes on with the rows not yet visited.
    let second = reconciler::run_once(h.state()).await;
    assert!(second.checked > 0, "{second:?}");
}
