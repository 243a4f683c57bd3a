//! The reconciler: finds lost payments with orderquery, closes expired orders with closeorder.

mod common;

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
