//! Fault matrix against the in-process simulator: every case ends with the server's database
//! and the simulator's view (`GET /sandbox/orders/{no}`, the simulator's refund records)
//! agreeing, and prints its counts (`fault_upstream[case]: …`).
//!
//! | fault                                         | where                                                     |
//! | --------------------------------------------- | --------------------------------------------------------- |
//! | unifiedorder past the client timeout → re-pay  | `upstream.rs` slow_wechat_times_out_then_the_same_order_goes_through |
//! | unifiedorder past the timeout → reconciler closes (orderquery also timing out first) | here: `fault_unifiedorder_and_orderquery_past_the_timeout_then_closed_everywhere` |
//! | orderquery past the timeout on the detail endpoint → later PAID | here: `fault_orderquery_past_the_timeout_keeps_notpay_then_finds_the_payment` |
//! | SYSTEMERROR once / on every attempt (unifiedorder) | `upstream.rs` systemerror_then_success_places_one_order, persistent_systemerror_surfaces_and_keeps_the_order_open; `reconciler.rs` reconciler_resolves_an_order_whose_unifiedorder_kept_failing |
//! | SYSTEMERROR on orderquery in the reconciler; closeorder's answer dropped | here: `fault_reconciler_survives_systemerror_and_a_dropped_closeorder_answer` |
//! | primary base down → backup; both down        | `upstream.rs` primary_base_down_uses_backup, both_bases_down_is_service_unavailable |
//! | primary down and the backup answering SYSTEMERROR / dropping the answer | here: `fault_primary_down_and_the_backup_faulty_still_places_each_order_once` |
//! | connection dropped after unifiedorder was processed (once; every attempt) | here: `fault_dropped_unifiedorder_answer_*` |
//! | duplicate payment notifies, concurrent (50×, 10× from the simulator) | `notify.rs` duplicate_notify_transitions_once, simulator_duplicate_notifies_transition_once; `postgres.rs` across two instances |
//! | duplicate refund notifies (20×)               | `refunds.rs` / `postgres.rs` refund_notify_replayed_20x_transitions_once |
//! | lost payment notify → orderquery / reconciler | `reconciler.rs` reconciler_finds_a_payment_whose_notify_was_lost |
//! | lost refund notify → refundquery              | `refunds.rs` refund_left_processing_is_settled_by_refundquery |
//! | payment notify after orderquery marked PAID; racing it | here: `fault_payment_notify_after_and_racing_orderquery_moves_once` |
//! | FAIL payment notify for an unpaid, then a closed order | here: `fault_fail_notify_for_unpaid_and_closed_orders_changes_nothing` |
//! | refund: SYSTEMERROR, then timeout, then dropped connections, then success → one refund; late refund notify ×2 after refundquery applied it | here: `fault_refund_systemerror_timeout_drop_then_success_makes_one_refund` |
//! | refund notify before the refund call's answer; the late answer | here: `fault_refund_notify_before_the_call_answer_then_the_late_answer` |
//! | kill -9 of the server during a notify stream  | `fault_kill.rs` |
//! | two instances on one PostgreSQL racing        | `fault_pg_race.rs` |
//! | two instances, failures on one's link, both reconcilers, a dead sender's claim: one sender per refund | `fault_pg_race.rs` two_instances_never_send_one_refund_twice |
//! | odd refund reasons (U+FFFE, controls, bidi, 81 bytes, …) → refused or sent, never wedged | here: `odd_refund_reason_is_refused_or_sent_never_wedged` |
//! | CHANGE (退款异常) → held, polled, then SUCCESS by refundquery and by notify | here: `change_refund_keeps_amount_held_then_success_is_applied` |
//! | a lost notify behind 150 orders whose orderquery always fails | here: `reconciler_finds_a_lost_notify_behind_150_failing_orders` |
//! | a lost refund notify behind 150 orders whose orderquery always fails (slowly, past the pass's budget) | here: `lost_refund_notify_found_behind_150_failing_orders` |
//! | a merchant refund whose every answer is lost, retried by the page → 202, one refund | here: `merchant_refund_retried_after_a_lost_answer_refunds_once` |
//! | 200 one-fen refund requests by one payer → 3 pending; the merchant told which, rejects them in one step | here: `payer_refund_requests_are_bounded` |
//! | a login flood from one address                | here: `login_is_rate_limited` |
//! | a login flood from one client behind the trusted proxy, forging hops | here: `login_behind_a_trusted_proxy_limits_per_client` |
//! | a double tap while unifiedorder is slow        | here: `double_tapped_checkout_makes_one_order` |
//! | a proxy's HTTP 403 to the refund call → unknown, refundquery, sent again once | `refunds.rs` refund_that_never_reached_wechat_is_sent_again_by_the_reconciler |

use crate::common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{is_success_reply, Harness, Options};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wxpay::Params;
use wxpay_server::{payments, reconciler, refunds};

/// Upstream calls time out after 1 s here (the simulator's delay fault is set to 2.5 s).
fn short_timeout() -> Options {
    Options {
        tweak: |c| {
            c.upstream_timeout_ms = Some(1_000);
            c.order_ttl_secs = Some(120);
            c.reconcile_after_secs = Some(60);
        },
        ..Default::default()
    }
}

/// The simulator's view of an order, over its HTTP API (`None`: WeChat never saw it).
async fn sim_order(h: &Harness, no: &str) -> Option<Value> {
    let url = format!("{}/sandbox/orders/{no}", h.sandbox.base_url());
    let r = h.wechat.get(url).send().await.expect("simulator answers");
    if r.status() == StatusCode::NOT_FOUND {
        return None;
    }
    assert!(r.status().is_success());
    Some(r.json().await.unwrap())
}

/// Asserts that the server's order and WeChat's agree; returns (local status, WeChat's state).
async fn assert_order_agrees(h: &Harness, no: &str) -> (String, String) {
    let local = h.state().db.orders().get(no).await.unwrap().expect("order stored");
    let sim = sim_order(h, no).await;
    let sim_state = sim.as_ref().map_or("ABSENT".to_owned(), |s| s["trade_state"].as_str().unwrap().to_owned());
    match local.status.as_str() {
        "PAID" => {
            assert!(sim_state == "SUCCESS" || sim_state == "REFUND", "{no}: PAID here, {sim_state} at WeChat");
            assert_eq!(local.transaction_id.as_deref(), sim.as_ref().unwrap()["transaction_id"].as_str(), "{no}: transaction_id");
            assert_eq!(h.paid_transitions(no).await, 1, "{no}: one NOTPAY → PAID move");
        }
        // Never placed at WeChat, or closed there too: it can never be paid.
        "CLOSED" => assert!(sim_state == "CLOSED" || sim_state == "ABSENT", "{no}: CLOSED here, {sim_state} at WeChat"),
        "NOTPAY" => assert!(sim_state == "NOTPAY" || sim_state == "ABSENT", "{no}: NOTPAY here, {sim_state} at WeChat"),
        other => panic!("{other}"),
    }
    (local.status.as_str().to_owned(), sim_state)
}

fn report(case: &str, h: &Harness, extra: &str) {
    let c = |p| h.sandbox.calls(p);
    println!(
        "fault_upstream[{case}]: unifiedorder={} orderquery={} closeorder={} refund={} refundquery={} {extra}",
        c("/pay/unifiedorder"),
        c("/pay/orderquery"),
        c("/pay/closeorder"),
        c("/secapi/pay/refund"),
        c("/pay/refundquery"),
    );
}

fn set_delay(h: &Harness, ms: u64) {
    h.sandbox.faults().delay_ms.store(ms, Ordering::SeqCst);
}

async fn stored_order(h: &Harness, no: &str) -> wxpay_server::db::orders::Order {
    h.state().db.orders().get(no).await.unwrap().expect("order stored")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_unifiedorder_and_orderquery_past_the_timeout_then_closed_everywhere() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, _) = h.login().await;
    set_delay(&h, 2_500);
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    let no = list[0]["out_trade_no"].as_str().unwrap().to_owned();
    assert_eq!(h.stored_status(&no).await, "NOTPAY", "a timeout is not a refusal");
    // The reconciler's orderquery times out too: nothing changes, the pass reports a failure.
    h.clock.advance(Duration::from_secs(301));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.failed, pass.closed), (1, 1, 0), "{pass:?}");
    assert_eq!(h.stored_status(&no).await, "NOTPAY");
    // WeChat answers in time again: after the order's back-off, it is closed, here and (if it
    // got there) at WeChat.
    set_delay(&h, 0);
    assert_eq!(reconciler::run_once(h.state()).await.checked, 0, "a failed order backs off");
    h.clock.advance(Duration::from_secs(61));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.failed, pass.closed), (1, 0, 1), "{pass:?}");
    let (local, sim) = assert_order_agrees(&h, &no).await;
    assert_eq!(local, "CLOSED");
    assert_eq!(reconciler::run_once(h.state()).await.checked, 0, "nothing left to do");
    report("unifiedorder+orderquery timeout → closed", &h, &format!("local={local} wechat={sim} passes=3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_orderquery_past_the_timeout_keeps_notpay_then_finds_the_payment() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, no) = h.paid_without_notify().await;
    set_delay(&h, 2_500);
    let (status, v) = h.get_json(&format!("/api/orders/{no}"), Some(&token)).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("NOTPAY")), "the stored state is answered: {v}");
    assert_eq!(h.paid_transitions(&no).await, 0);
    set_delay(&h, 0);
    h.clock.advance(Duration::from_secs(3));
    let v = h.wait_status(&token, &no, "PAID").await;
    let (local, sim) = assert_order_agrees(&h, &no).await;
    assert_eq!(v["transaction_id"].as_str(), stored_order(&h, &no).await.transaction_id.as_deref());
    report("orderquery timeout → PAID", &h, &format!("local={local} wechat={sim}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_reconciler_survives_systemerror_and_a_dropped_closeorder_answer() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap().to_owned();
    h.clock.advance(Duration::from_secs(301));
    // Every orderquery attempt answers SYSTEMERROR: the pass fails, nothing changes.
    h.sandbox.faults().systemerror_next.store(4, Ordering::SeqCst);
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.checked, pass.failed, pass.closed), (1, 1, 0), "{pass:?}");
    assert_order_agrees(&h, &no).await;
    assert_eq!(h.stored_status(&no).await, "NOTPAY");
    // closeorder is processed by WeChat but its answer never arrives (the connection drops);
    // the retry hears ORDERCLOSED, which settles it.
    h.sandbox.faults().drop_connections_next.store(1, Ordering::SeqCst);
    let o = stored_order(&h, &no).await;
    let closed = payments::close(h.state(), &o, "reconciler").await.expect("closed");
    assert_eq!(closed, payments::Synced::Closed);
    assert_eq!(h.sandbox.calls("/pay/closeorder"), 2, "one dropped, one answered");
    let (local, sim) = assert_order_agrees(&h, &no).await;
    assert_eq!((local.as_str(), sim.as_str()), ("CLOSED", "CLOSED"));
    let audit = h.audit(&no).await;
    let closes: Vec<_> = audit.iter().filter(|a| a.action == "order.closed").collect();
    assert_eq!(closes.len(), 1);
    assert_eq!(closes[0].detail.as_deref(), Some("closeorder: ORDERCLOSED"));
    assert_eq!(reconciler::run_once(h.state()).await.checked, 0);
    report("SYSTEMERROR orderquery, dropped closeorder answer → closed", &h, &format!("local={local} wechat={sim}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_dropped_unifiedorder_answer_is_retried_to_the_same_order() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, _) = h.login().await;
    h.sandbox.faults().drop_connections_next.store(1, Ordering::SeqCst);
    let (status, order) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 2, "quantity": 1 })).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let no = order["out_trade_no"].as_str().unwrap().to_owned();
    let sim = h.sandbox.order(&no).unwrap();
    assert_eq!((sim.unifiedorder_calls, h.sandbox.order_count()), (2, 1), "the retry is the same order");
    assert_eq!(order["payment"]["package"], format!("prepay_id={}", sim.prepay_id));
    let (status, _) = h.pay(&order["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(&no, "PAID").await;
    let (local, sim) = assert_order_agrees(&h, &no).await;
    report("unifiedorder answer dropped once → PAID", &h, &format!("local={local} wechat={sim}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_dropped_unifiedorder_answer_on_every_attempt_then_paid_with_the_same_order() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, _) = h.login().await;
    h.sandbox.faults().drop_connections_next.store(4, Ordering::SeqCst);
    let (status, v) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 2, "quantity": 2 })).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "UPSTREAM_UNAVAILABLE");
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    let no = list[0]["out_trade_no"].as_str().unwrap().to_owned();
    // WeChat placed it (the answers were lost): NOTPAY on both sides.
    let (local, sim) = assert_order_agrees(&h, &no).await;
    assert_eq!((local.as_str(), sim.as_str()), ("NOTPAY", "NOTPAY"));
    let (status, again) = h.post_json(&format!("/api/orders/{no}/pay"), Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(h.sandbox.order_count(), 1);
    assert_eq!(again["payment"]["package"], format!("prepay_id={}", h.sandbox.order(&no).unwrap().prepay_id));
    let (status, _) = h.pay(&again["payment"]).await;
    assert_eq!(status, StatusCode::OK);
    h.wait_stored_status(&no, "PAID").await;
    let (local, sim) = assert_order_agrees(&h, &no).await;
    report("unifiedorder answer dropped ×4 → re-pay → PAID", &h, &format!("local={local} wechat={sim}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_primary_down_and_the_backup_faulty_still_places_each_order_once() {
    let mut opts = short_timeout();
    opts.primary_down = true;
    let h = Harness::start_with(opts).await;
    let (token, _) = h.login().await;
    let mut placed = Vec::new();
    // On the backup base: SYSTEMERROR once (after storing), then a dropped answer once.
    for (quantity, fault) in [(1, "systemerror"), (2, "dropped")] {
        match fault {
            "systemerror" => h.sandbox.faults().systemerror_next.store(1, Ordering::SeqCst),
            _ => h.sandbox.faults().drop_connections_next.store(1, Ordering::SeqCst),
        }
        let (status, order) = h.post_json("/api/orders", Some(&token), json!({ "product_id": 1, "quantity": quantity })).await;
        assert_eq!(status, StatusCode::CREATED, "{fault}: {order}");
        let no = order["out_trade_no"].as_str().unwrap().to_owned();
        let sim = h.sandbox.order(&no).unwrap();
        assert_eq!(sim.unifiedorder_calls, 2, "{fault}: the same request twice, one order");
        assert_eq!(order["payment"]["package"], format!("prepay_id={}", sim.prepay_id));
        let (status, _) = h.pay(&order["payment"]).await;
        assert_eq!(status, StatusCode::OK);
        h.wait_stored_status(&no, "PAID").await;
        placed.push(no);
    }
    assert_eq!(h.sandbox.order_count(), 2);
    for no in &placed {
        assert_order_agrees(&h, no).await;
    }
    report("primary down; backup SYSTEMERROR, then dropped → one order each", &h, "local=PAID wechat=SUCCESS orders_at_wechat=2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_payment_notify_after_and_racing_orderquery_moves_once() {
    let h = Harness::start_with(short_timeout()).await;
    // After: orderquery (the detail endpoint) records the payment, then the notify arrives twice.
    let (token, no) = h.paid_without_notify().await;
    h.wait_status(&token, &no, "PAID").await;
    let paid = h.audit(&no).await.into_iter().find(|a| a.action == "order.paid").unwrap();
    assert_eq!(paid.actor, "api:orderquery");
    let mut acked = 0;
    for i in 0..2 {
        let (status, body) = h.post_notify(0, h.sandbox.signed_notify(&no).unwrap().into_bytes()).await;
        assert_eq!(status, StatusCode::OK, "copy {i}: {body}");
        acked += usize::from(is_success_reply(&body));
    }
    assert_eq!(acked, 2, "a late notify of an applied payment is acknowledged");
    assert_order_agrees(&h, &no).await;

    // Racing: 10 notifies, 4 detail requests and a reconciler pass at once.
    let (token2, no2) = h.paid_without_notify().await;
    h.clock.advance(Duration::from_secs(61));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (http, url, body) = (h.http.clone(), format!("{}/wxpay/notify", h.url()), h.sandbox.signed_notify(&no2).unwrap());
        tasks.spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            is_success_reply(&r.text().await.unwrap())
        });
    }
    for _ in 0..4 {
        let (http, url, token) = (h.http.clone(), format!("{}/api/orders/{no2}", h.url()), token2.clone());
        tasks.spawn(async move { http.get(url).bearer_auth(token).send().await.unwrap().status().is_success() });
    }
    let state = h.state().clone();
    tasks.spawn(async move { reconciler::run_once(&state).await.failed == 0 });
    let mut ok = 0;
    while let Some(r) = common::bounded("race", tasks.join_next()).await {
        ok += usize::from(r.unwrap());
    }
    assert_eq!(ok, 15, "every notify acknowledged, every request answered, the pass clean");
    let (local, sim) = assert_order_agrees(&h, &no2).await;
    assert_eq!(local, "PAID");
    report("notify after / racing orderquery", &h, &format!("acked_late={acked} race_ok={ok} local={local} wechat={sim} order.paid=1"));
}

/// A `result_code=FAIL` payment notify for `no`, signed with the merchant key.
fn fail_notify(h: &Harness, no: &str, openid: &str, total_fee: i64) -> Vec<u8> {
    let m = h.merchant();
    let mut p = Params::new();
    for (k, v) in [
        ("return_code", "SUCCESS"),
        ("result_code", "FAIL"),
        ("err_code", "PAYERROR"),
        ("err_code_des", "支付失败"),
        ("appid", m.appid.as_str()),
        ("mch_id", m.mch_id.as_str()),
        ("nonce_str", &wxpay::nonce_str().unwrap()),
        ("openid", openid),
        ("trade_type", "JSAPI"),
        ("total_fee", &total_fee.to_string()),
        ("transaction_id", "4200000000000000000000000000"),
        ("out_trade_no", no),
        ("time_end", "20270115081500"),
    ] {
        p.insert(k.to_owned(), v.to_owned());
    }
    h.resign(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_fail_notify_for_unpaid_and_closed_orders_changes_nothing() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, openid) = h.login().await;
    let order = h.order(&token, 1, 3).await;
    let no = order["out_trade_no"].as_str().unwrap().to_owned();
    let fee = order["total_fee"].as_i64().unwrap();
    let before = h.audit(&no).await;
    let (status, body) = h.post_notify(0, fail_notify(&h, &no, &openid, fee)).await;
    assert!(status == StatusCode::OK && is_success_reply(&body), "acknowledged so WeChat stops: {body}");
    assert_eq!(h.audit(&no).await, before, "no move, no audit row");
    assert_order_agrees(&h, &no).await;
    // Closed by the reconciler, then a late FAIL notify.
    h.clock.advance(Duration::from_secs(301));
    assert_eq!(reconciler::run_once(h.state()).await.closed, 1);
    let before = h.audit(&no).await;
    let (status, body) = h.post_notify(0, fail_notify(&h, &no, &openid, fee)).await;
    assert!(status == StatusCode::OK && is_success_reply(&body), "{body}");
    assert_eq!(h.audit(&no).await, before);
    let (local, sim) = assert_order_agrees(&h, &no).await;
    assert_eq!((local.as_str(), sim.as_str()), ("CLOSED", "CLOSED"));
    report("FAIL notify for NOTPAY then CLOSED", &h, &format!("local={local} wechat={sim} fail_notifies=2 moves=0"));
}

/// The refund's audit actions, counted.
async fn count_actions(h: &Harness, rno: &str, action: &str) -> usize {
    h.refund_actions(rno).await.iter().filter(|a| *a == action).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_refund_systemerror_timeout_drop_then_success_makes_one_refund() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, no) = h.paid_order().await;
    // WeChat keeps the refund PROCESSING until released, and its notify is lost.
    h.sandbox.faults().hold_refunds.store(true, Ordering::SeqCst);
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, Some(1000)).await;

    // 1. SYSTEMERROR on every attempt (WeChat stored the refund each time).
    h.sandbox.faults().systemerror_next.store(4, Ordering::SeqCst);
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["upstream_code"], "SYSTEMERROR");
    assert_eq!(h.refund_status(&rno).await, "APPROVED", "outcome unknown: stays APPROVED");
    let calls_systemerror = h.sandbox.refund(&rno).unwrap().calls;

    // 2. The reconciler asks refundquery (the refund may exist); WeChat is too slow (past the
    // 1 s timeout). Each failure doubles the refund's back-off (60 s, 120 s, 240 s).
    set_delay(&h, 2_500);
    h.clock.advance(Duration::from_secs(61));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.failed), (1, 1), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "APPROVED");
    set_delay(&h, 0);

    // 3. Asked again; every answer is lost (dropped connections).
    h.sandbox.faults().drop_connections_next.store(4, Ordering::SeqCst);
    h.clock.advance(Duration::from_secs(121));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.failed), (1, 1), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "APPROVED");

    // 4. Asked again: WeChat holds it (PROCESSING) → PROCESSING here, never sent again.
    h.clock.advance(Duration::from_secs(241));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "PROCESSING");

    // 5. WeChat finishes it (no notify): refundquery applies SUCCESS.
    h.sandbox.faults().hold_refunds.store(false, Ordering::SeqCst);
    h.sandbox.settle_held_refunds();
    h.clock.advance(Duration::from_secs(61));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_settled, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");

    // 6. The refund notify arrives late, twice: acknowledged, nothing moves again.
    let body = h.sandbox.refund_notify(&rno).unwrap();
    for _ in 0..2 {
        let (status, text) = h.post_refund_notify(0, body.clone().into_bytes()).await;
        assert!(status == StatusCode::OK && is_success_reply(&text), "{text}");
    }

    let sim = h.sandbox.refund(&rno).unwrap();
    assert_eq!(h.sandbox.refund_count(), 1, "exactly one refund at WeChat");
    assert_eq!((sim.refund_fee, sim.refund_status), (1000, wxpay::RefundStatus::Success));
    let stored = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    assert_eq!(stored.refund_id.as_deref(), Some(sim.refund_id.as_str()));
    assert_eq!(h.refunded_fee(&no).await, 1000, "counted once");
    for (action, n) in [("refund.approved", 1), ("refund.accepted", 1), ("refund.success", 1)] {
        assert_eq!(count_actions(&h, &rno, action).await, n, "{action}: {:?}", h.refund_actions(&rno).await);
    }
    assert_order_agrees(&h, &no).await;
    report(
        "refund SYSTEMERROR → timeout → dropped → accepted → refundquery",
        &h,
        &format!(
            "refund_calls_at_wechat={} (after SYSTEMERROR: {calls_systemerror}) refunds_at_wechat=1 late_notifies=2 local=SUCCESS refunded_fee=1000",
            sim.calls
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_refund_notify_before_the_call_answer_then_the_late_answer() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    // The call's answers are lost (SYSTEMERROR after storing), while WeChat processes the
    // refund and its notify arrives: APPROVED → SUCCESS straight from the notify.
    h.sandbox.faults().systemerror_next.store(4, Ordering::SeqCst);
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    h.wait_refund_status(&rno, "SUCCESS").await;
    h.wait_acknowledged(&rno).await;
    let audit = h.state().db.audit().of("refund", &rno).await.unwrap();
    let done = audit.iter().find(|a| a.action == "refund.success").unwrap();
    assert_eq!((done.from_status.as_deref(), done.actor.as_str()), (Some("APPROVED"), "wechat:refund-notify"));
    // The late answer of the call (the same request once more, accepted) changes nothing.
    let r = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    let after = refunds::send(h.state(), &r, "reconciler").await.expect("accepted again");
    assert_eq!(after.status.as_str(), "SUCCESS");
    // And the reconciler has nothing to re-send.
    h.clock.advance(Duration::from_secs(61));
    assert_eq!(reconciler::run_once(h.state()).await.refunds_checked, 0);
    assert_eq!(h.sandbox.refund_count(), 1);
    assert_eq!(h.refunded_fee(&no).await, 3600);
    assert_eq!(count_actions(&h, &rno, "refund.success").await, 1);
    assert_eq!(count_actions(&h, &rno, "refund.accepted").await, 0, "never PROCESSING: the notify came first");
    report(
        "refund notify before the call's answer",
        &h,
        &format!("refund_calls_at_wechat={} refunds_at_wechat=1 local=SUCCESS", h.sandbox.refund(&rno).unwrap().calls),
    );
}

// ---- Money safety under odd input, faults and abuse (issue 10) ------------------------------

/// Every odd refund reason is either refused when asked for (422, nothing stored) or sent to
/// WeChat when approved; none answers 500 or leaves a refund APPROVED. A refund already stored
/// with a reason that cannot be sent (as older versions accepted) goes back to REQUESTED on
/// approval, where the merchant can reject it and free its amount.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_refund_reason_is_refused_or_sent_never_wedged() {
    #[derive(serde::Deserialize)]
    struct Case {
        case: String,
        reason: String,
    }
    let cases: Vec<Case> = serde_json::from_str(include_str!("../data/odd_refund_reasons.json")).unwrap();
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    let (mut refused, mut sent) = (0, 0);
    for c in &cases {
        let body = json!({ "refund_fee": 1, "reason": c.reason });
        let (status, v) = h.post_json(&format!("/api/orders/{no}/refunds"), Some(&token), body).await;
        match status {
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(v["error"]["code"], "INVALID_REQUEST", "{}: {v}", c.case);
                refused += 1;
            }
            StatusCode::CREATED => {
                let rno = v["out_refund_no"].as_str().unwrap().to_owned();
                let (status, a) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
                assert_eq!(status, StatusCode::OK, "{}: approving answered {status} {a}", c.case);
                let stored = h.refund_status(&rno).await;
                assert!(matches!(stored.as_str(), "PROCESSING" | "SUCCESS"), "{}: {stored}", c.case);
                assert!(h.sandbox.refund(&rno).is_some(), "{}: sent to WeChat", c.case);
                sent += 1;
            }
            other => panic!("{}: asking answered {other} {v}", c.case),
        }
    }
    let stored = h.state().db.refunds().of_order(&no).await.unwrap().len();
    assert_eq!(stored, sent, "a refused reason stores nothing");

    // A reason stored before this check existed: approval must not wedge the refund.
    let rno = h.requested_refund(&token, &no, Some(100)).await;
    sqlx::query("UPDATE refunds SET reason = $1 WHERE out_refund_no = $2")
        .bind("x\u{FFFE}")
        .bind(&rno)
        .execute(h.state().db.pool())
        .await
        .unwrap();
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert!(status.is_client_error(), "a refund that cannot be encoded is not a server error: {status} {v}");
    let r = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    assert_eq!(r.status.as_str(), "REQUESTED", "never sent, so back to REQUESTED");
    assert!(r.last_error.is_some());
    assert!(h.sandbox.refund(&rno).is_none(), "nothing reached WeChat");
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/reject")).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("REJECTED")), "{v}");
    report(
        "odd refund reasons",
        &h,
        &format!("cases={} refused_at_request={refused} sent={sent} legacy_unsendable=REQUESTED→REJECTED wedged=0", cases.len()),
    );
}

/// 退款异常: a CHANGE refund keeps its amount held, is shown as needing action, is polled with
/// refundquery, and a later SUCCESS (from refundquery or the notify) is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_refund_keeps_amount_held_then_success_is_applied() {
    let h = Harness::start_with(short_timeout()).await;
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().hold_refunds.store(true, Ordering::SeqCst);
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let a = h.requested_refund(&token, &no, Some(2000)).await;
    let b = h.requested_refund(&token, &no, Some(1000)).await;
    for r in [&a, &b] {
        let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{r}/approve")).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    // The bank could not return the money: WeChat reports CHANGE for both.
    common::bounded("both refunds held, then CHANGE", async {
        loop {
            h.sandbox.settle_held_refunds_as(wxpay::RefundStatus::Change);
            let change = |r: &str| h.sandbox.refund(r).is_some_and(|s| s.refund_status == wxpay::RefundStatus::Change);
            if change(&a) && change(&b) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    for r in [&a, &b] {
        let (status, text) = h.post_refund_notify(0, h.sandbox.refund_notify(r).unwrap().into_bytes()).await;
        assert!(status == StatusCode::OK && is_success_reply(&text), "{text}");
        assert_eq!(h.refund_status(r).await, "CHANGE");
    }
    // The money has not come back, but it is not refundable again either.
    let (status, v) = h.request_refund(&token, &no, Some(601)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a CHANGE refund holds its amount: {v}");
    assert_eq!(h.refunded_fee(&no).await, 0);
    // The merchant sees both as needing action.
    let (_, list) = h.admin_get("/admin/api/refunds?status=CHANGE").await;
    let listed: Vec<&Value> = list.as_array().unwrap().iter().filter(|r| r["out_refund_no"] == *a || r["out_refund_no"] == *b).collect();
    assert_eq!(listed.len(), 2, "{list}");
    assert!(listed.iter().all(|r| r["needs_action"] == true), "{list}");
    // refundquery keeps asking about them (with back-off).
    let queries = h.sandbox.calls("/pay/refundquery");
    h.clock.advance(Duration::from_secs(3600));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_checked, pass.refunds_settled, pass.failed), (2, 0, 0), "{pass:?}");
    assert_eq!(h.sandbox.calls("/pay/refundquery"), queries + 2);
    assert_eq!(h.refund_status(&a).await, "CHANGE");
    // A person sends `a` again to another account on the merchant platform: refundquery finds
    // SUCCESS. `b` is settled by WeChat's SUCCESS notify.
    h.sandbox.set_refund_status(&a, wxpay::RefundStatus::Success);
    h.sandbox.set_refund_status(&b, wxpay::RefundStatus::Success);
    let (status, text) = h.post_refund_notify(0, h.sandbox.refund_notify(&b).unwrap().into_bytes()).await;
    assert!(status == StatusCode::OK && is_success_reply(&text), "a later SUCCESS is applied: {text}");
    assert_eq!(h.refund_status(&b).await, "SUCCESS");
    h.clock.advance(Duration::from_secs(6 * 3600));
    let pass = reconciler::run_once(h.state()).await;
    assert_eq!((pass.refunds_settled, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(h.refund_status(&a).await, "SUCCESS");
    assert_eq!(h.refunded_fee(&no).await, 3000, "counted once each, when they succeeded");
    for r in [&a, &b] {
        let audit = h.state().db.audit().of("refund", r).await.unwrap();
        let done = audit.iter().find(|x| x.action == "refund.success").unwrap();
        assert_eq!(done.from_status.as_deref(), Some("CHANGE"));
    }
    report(
        "CHANGE → held → polled → SUCCESS",
        &h,
        &format!(
            "change_refunds=2 held_fen=3000 refused_request=1 polls={} local=SUCCESS refunded_fee=3000",
            h.sandbox.calls("/pay/refundquery") - queries
        ),
    );
}

/// 150 unpaid orders whose orderquery fails every time, all older than one whose notify was
/// lost: the reconciler visits in rotation and finds the payment within two passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciler_finds_a_lost_notify_behind_150_failing_orders() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.order_ttl_secs = Some(120);
            c.reconcile_after_secs = Some(60);
            // One attempt per call: each failing order costs one round trip.
            c.upstream_attempts = Some(1);
        },
        ..Default::default()
    })
    .await;
    let (_, openid) = h.login().await;
    let now = h.clock.now_ms();
    let failing: Vec<String> = (0..150).map(|i| format!("F{i:03}{}", &wxpay::nonce_str().unwrap()[..12])).collect();
    for (i, no) in failing.iter().enumerate() {
        let o = common::fixtures::unpaid_order(no, &openid, 100, now - 3_600_000 + i as i64);
        h.state().db.orders().insert(&o, "test").await.unwrap();
        h.sandbox.faults().failing_orders.lock().unwrap().insert(no.clone());
    }
    let (_, lost) = h.paid_without_notify().await;
    h.clock.advance(Duration::from_secs(61));
    let mut passes = 0;
    let mut failed = 0;
    while h.stored_status(&lost).await != "PAID" {
        passes += 1;
        assert!(passes <= 2, "the lost payment was not found in two passes");
        let pass = reconciler::run_once(h.state()).await;
        failed += pass.failed;
    }
    assert_order_agrees(&h, &lost).await;
    report(
        "lost notify behind 150 failing orders",
        &h,
        &format!("failing_orders=150 passes_to_find={passes} failures_seen={failed} local=PAID"),
    );
}

/// A refund that succeeded at WeChat while its notify was lost, behind 150 unpaid orders whose
/// orderquery fails every time (slowly: the pass's budget is spent on them): refunds and orders
/// are visited in turn, so the refund is settled by refundquery in the first pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_refund_notify_found_behind_150_failing_orders() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.order_ttl_secs = Some(120);
            c.reconcile_after_secs = Some(60);
            c.reconcile_budget_secs = Some(1);
            c.upstream_attempts = Some(1);
        },
        ..Default::default()
    })
    .await;
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, Some(1000)).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    h.wait_sim_refund_final(&rno).await;
    assert_eq!(h.refund_status(&rno).await, "PROCESSING", "the refund notify was lost");

    let (_, openid) = h.login().await;
    let now = h.clock.now_ms();
    for i in 0..150 {
        let o = format!("F{i:03}{}", &wxpay::nonce_str().unwrap()[..12]);
        h.state().db.orders().insert(&common::fixtures::unpaid_order(&o, &openid, 100, now - 3_600_000 + i), "test").await.unwrap();
        h.sandbox.faults().failing_orders.lock().unwrap().insert(o);
    }
    // Every call now takes 20 ms: 150 failing orderqueries are three times the 1 s budget.
    set_delay(&h, 20);
    h.clock.advance(Duration::from_secs(61));
    let pass = reconciler::run_once(h.state()).await;
    set_delay(&h, 0);
    assert_eq!(h.refund_status(&rno).await, "SUCCESS", "the lost refund notify was not found in the first pass: {pass:?}");
    assert_eq!(pass.refunds_settled, 1, "{pass:?}");
    assert_eq!(h.refunded_fee(&no).await, 1000);
    report(
        "lost refund notify behind 150 failing orders",
        &h,
        &format!(
            "failing_orders=150 budget=1s orders_visited_in_pass={} out_of_time={} passes_to_find=1 local=SUCCESS",
            pass.checked, pass.out_of_time
        ),
    );
}

/// `/api/login` is limited per client address: past the limit the server answers 429 without
/// calling jscode2session, and the address may log in again once the window has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_rate_limited() {
    let h = Harness::start().await;
    let (mut ok, mut limited) = (0, 0);
    for _ in 0..80 {
        let (code, _) = h.sandbox.issue_code(None);
        let (status, v) = h.post_json("/api/login", None, json!({ "code": code })).await;
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(v["error"]["code"], "RATE_LIMITED", "{v}");
                limited += 1;
            }
            other => panic!("{other} {v}"),
        }
    }
    assert!(limited > 0, "80 logins from one address in a moment were all let through");
    assert_eq!(h.sandbox.calls("/sns/jscode2session"), ok, "a refused login never reaches WeChat");
    h.clock.advance(Duration::from_secs(120));
    let (code, _) = h.sandbox.issue_code(None);
    let (status, v) = h.post_json("/api/login", None, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    report("login flood from one address", &h, &format!("logins=80 ok={ok} limited={limited} jscode2session={}", ok + 1));
}

/// POST /admin/api/orders/{no}/refunds with an Idempotency-Key.
async fn merchant_refund(h: &Harness, no: &str, key: &str, refund_fee: i64) -> (StatusCode, Value) {
    let url = format!("{}/admin/api/orders/{no}/refunds", h.url());
    let req = h.http.post(url).bearer_auth(common::ADMIN_TOKEN).header("Idempotency-Key", key);
    let r = common::bounded("merchant refund", req.json(&json!({ "refund_fee": refund_fee, "reason": "少发一杯" })).send()).await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

/// WeChat makes a merchant refund but every answer to the call is lost. The API answers 202 with
/// the refund (APPROVED: outcome unknown), not an error that invites a retry; the page's retry
/// of the same submission (its Idempotency-Key) finds that refund; WeChat makes one refund.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_refund_retried_after_a_lost_answer_refunds_once() {
    let h = Harness::start_with(short_timeout()).await;
    let (_, no) = h.paid_order().await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    // Every attempt of the refund call is processed by WeChat, and its answer dropped.
    h.sandbox.faults().drop_connections_next.store(4, Ordering::SeqCst);
    let (status, first) = merchant_refund(&h, &no, "form-1", 1000).await;
    assert_eq!(status, StatusCode::ACCEPTED, "an unknown outcome is 202 with the refund: {first}");
    assert_eq!(first["status"], "APPROVED", "{first}");
    let rno = first["out_refund_no"].as_str().unwrap().to_owned();
    assert!(h.sandbox.refund(&rno).is_some(), "WeChat made it");
    // The page sends the same submission again (and a double click on top).
    for _ in 0..2 {
        let (status, again) = merchant_refund(&h, &no, "form-1", 1000).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["out_refund_no"], rno.as_str(), "the same refund, not a new one");
    }
    // The same key for another amount is refused, not a second refund.
    let (status, v) = merchant_refund(&h, &no, "form-1", 500).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(h.sandbox.refund_count(), 1, "one refund at WeChat");
    // The reconciler learns the outcome by refundquery.
    h.wait_sim_refund_final(&rno).await;
    h.clock.advance(Duration::from_secs(61));
    reconciler::run_once(h.state()).await;
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
    assert_eq!(h.refunded_fee(&no).await, 1000, "refunded once");
    let (status, done) = merchant_refund(&h, &no, "form-1", 1000).await;
    assert_eq!((status, done["status"].as_str()), (StatusCode::OK, Some("SUCCESS")), "{done}");
    report(
        "merchant refund, every answer lost, retried",
        &h,
        &format!("first_answer=202 retries=3 refunds_at_wechat={} local=SUCCESS refunded_fee=1000", h.sandbox.refund_count()),
    );
}

/// WeChat takes longer to answer a merchant refund than the request may last: the API answers
/// 202 with the refund (APPROVED) before its own timeout would answer 503, and the call, going
/// on detached, records WeChat's answer; WeChat makes one refund.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_refund_slower_than_the_request_answers_202_and_completes() {
    let h = Harness::start_with(Options {
        tweak: |c| {
            c.request_timeout_secs = Some(3);
            c.upstream_timeout_ms = Some(10_000);
        },
        ..Default::default()
    })
    .await;
    let (_, no) = h.paid_order().await;
    set_delay(&h, 4_000);
    let (status, v) = merchant_refund(&h, &no, "slow-1", 1000).await;
    assert_eq!(status, StatusCode::ACCEPTED, "answered before the request timeout, with the refund: {v}");
    assert_eq!(v["status"], "APPROVED", "{v}");
    let rno = v["out_refund_no"].as_str().unwrap().to_owned();
    set_delay(&h, 0);
    h.wait_refund_status(&rno, "SUCCESS").await;
    assert_eq!(h.sandbox.refund_count(), 1);
    assert_eq!(h.refunded_fee(&no).await, 1000);
}

/// A payer may have at most 3 refund requests waiting per order (200 one-fen requests once each
/// held their amount); a merchant refund they block names them, and one call rejects them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payer_refund_requests_are_bounded() {
    let h = Harness::start().await;
    let (token, no) = h.paid_order().await;
    let (mut created, mut limited) = (Vec::new(), 0);
    for _ in 0..200 {
        let (status, v) = h.request_refund(&token, &no, Some(1)).await;
        match status {
            StatusCode::CREATED => created.push(v["out_refund_no"].as_str().unwrap().to_owned()),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(v["error"]["code"], "RATE_LIMITED", "{v}");
                limited += 1;
            }
            other => panic!("{other} {v}"),
        }
    }
    assert_eq!(created.len(), 3, "three pending at once");
    // The merchant's refund of the whole order is blocked by them, and told which.
    let whole = json!({ "refund_fee": 3600, "reason": "缺货" });
    let (status, v) = h.admin_post_json(0, &format!("/admin/api/orders/{no}/refunds"), whole.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "HELD_BY_REQUESTS", "{v}");
    assert_eq!(v["error"]["refundable_fee"], 3597, "{v}");
    let named: Vec<&str> = v["error"]["pending"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(named, created.iter().map(String::as_str).collect::<Vec<_>>(), "{v}");
    // One step rejects them all; then the whole order is refunded.
    let (status, rejected) =
        h.admin_post_json(0, &format!("/admin/api/orders/{no}/refunds/reject-pending"), json!({ "reason": "已全额退款" })).await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected.as_array().unwrap().len(), 3, "{rejected}");
    for r in &created {
        assert_eq!(h.refund_status(r).await, "REJECTED");
    }
    let (status, v) = h.admin_post_json(0, &format!("/admin/api/orders/{no}/refunds"), whole).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    report(
        "payer refund requests bounded",
        &h,
        &format!("requests=200 created={} limited={limited} held_by_requests_named=3 rejected_in_one_step=3", created.len()),
    );
}

/// `/api/login` through the proxy, for the client `xff` names.
async fn login_from(h: &Harness, xff: String) -> StatusCode {
    let (code, _) = h.sandbox.issue_code(None);
    let req = h.http.post(format!("{}/api/login", h.url())).header("x-forwarded-for", xff).json(&json!({ "code": code }));
    common::bounded("login", req.send()).await.unwrap().status()
}

/// Behind the HTTPS proxy every mini-program backend needs (here: loopback, trusted through
/// `WXPAY_TRUSTED_PROXIES`), a junk-login flood from one client is limited per that client:
/// forging left-most `X-Forwarded-For` hops does not spread it, and other payers behind the same
/// proxy still log in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_behind_a_trusted_proxy_limits_per_client() {
    let h = Harness::start_with(Options { tweak: |c| c.trusted_proxies = Some("127.0.0.0/8, ::1".into()), ..Default::default() }).await;
    let (mut ok, mut limited) = (0, 0);
    for i in 0..80 {
        // The attacker makes up a new left-most hop each time; the proxy appends the real one.
        match login_from(&h, format!("198.18.{}.{}, 203.0.113.66", i / 250, i % 250 + 1)).await {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(ok, 30, "one client's budget is 30 a minute, whatever hops it forges");
    let mut others_ok = 0;
    for i in 0..20 {
        let status = login_from(&h, format!("198.51.100.{}", i + 1)).await;
        assert_eq!(status, StatusCode::OK, "another payer behind the same proxy is locked out");
        others_ok += 1;
    }
    report(
        "login flood behind a trusted proxy",
        &h,
        &format!("flood=80 flood_ok={ok} flood_limited={limited} other_clients=20 other_clients_ok={others_ok}"),
    );
}

/// A double tap on "pay" sends the checkout's Idempotency-Key twice while the first request is
/// still talking to WeChat: one order, both answers name it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_tapped_checkout_makes_one_order() {
    let h = Harness::start().await;
    let (token, openid) = h.login().await;
    set_delay(&h, 600);
    let post = |key: &str| {
        h.http
            .post(format!("{}/api/orders", h.url()))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&json!({ "product_id": 1, "quantity": 2 }))
            .send()
    };
    let first = tokio::spawn(post("checkout-7f3a9c01"));
    // The second tap arrives while the first is stored but still waiting for unifiedorder.
    common::bounded("the first order stored", async {
        while h.state().db.orders().of_payer(&openid).await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let second = post("checkout-7f3a9c01").await.unwrap();
    let first = first.await.unwrap().unwrap();
    let (s1, s2) = (first.status(), second.status());
    let (v1, v2): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert!(s1.is_success() && s2.is_success(), "{s1} {v1} / {s2} {v2}");
    assert_eq!(v1["out_trade_no"], v2["out_trade_no"], "both taps answer the same order");
    assert_eq!(h.state().db.orders().of_payer(&openid).await.unwrap().len(), 1, "one order stored");
    set_delay(&h, 0);
    // A retry of the same checkout later is still the same order; another checkout is another.
    let again: Value = post("checkout-7f3a9c01").await.unwrap().json().await.unwrap();
    assert_eq!(again["out_trade_no"], v1["out_trade_no"]);
    let other = post("checkout-0b1d2e3f").await.unwrap();
    assert_eq!(other.status(), StatusCode::CREATED);
    assert_eq!(h.state().db.orders().of_payer(&openid).await.unwrap().len(), 2);
    assert_eq!(h.sandbox.order_count(), 2);
    report("double-tapped checkout", &h, "taps=2 retry=1 orders_for_the_checkout=1 orders_at_wechat=2");
}
