//! Fault test: two server instances on one PostgreSQL database racing on the same orders and
//! refunds, with both instances' reconcilers running in the middle of it.
//!
//! 1. Orders (default 200, `WXPAY_FAULT_PG_ORDERS`) are placed alternately on both instances
//!    and paid at the simulator, whose notifies are dropped: the test delivers each payment
//!    notify 3× to *each* instance at once, while both reconcilers query the same orders.
//! 2. Per order, 3 refund requests of 40 % each, split over both instances, at once (2 fit).
//!    Per refund, 3 approvals and (every fourth refund) a reject, split over both instances,
//!    at once: one wins.
//! 3. Each refund notify is delivered 2× to each instance at once, while both reconcilers ask
//!    refundquery about the same refunds.
//!
//! Asserted: every order PAID with exactly one `order.paid` row and WeChat's transaction_id, and
//! the product's stock (set to exactly the units ordered) at 0;
//! per order the refunds holding money never exceed what was paid and `refunded_fee` is the
//! sum of the successful ones (and WeChat's); per refund one winner among approve/reject, one
//! upstream refund call per `out_refund_no`, one final move. Counts are printed
//! (`fault_pg_race: …`).
//!
//! Needs PostgreSQL (`WXPAY_TEST_POSTGRES_URL`); run by `scripts/test-server` under
//! `scripts/with-postgres`.

use crate::common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{bounded, fresh_postgres_db, is_success_reply, Harness, Options, ADMIN_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;
use tokio::sync::Semaphore;
use wxpay_server::reconciler;

const USERS: usize = 20;
/// Payment notify copies per instance.
const PAY_COPIES: usize = 3;
/// Refund notify copies per instance.
const REFUND_COPIES: usize = 2;

#[derive(Default)]
struct Counts {
    notifies_sent: AtomicUsize,
    notifies_acked: AtomicUsize,
    refund_requests: AtomicUsize,
    refunds_created: AtomicUsize,
    refund_requests_refused: AtomicUsize,
    approvals_sent: AtomicUsize,
    approvals_won: AtomicUsize,
    rejects_sent: AtomicUsize,
    rejects_won: AtomicUsize,
    decisions_refused: AtomicUsize,
    refund_notifies_sent: AtomicUsize,
    refund_notifies_acked: AtomicUsize,
}

fn load(a: &AtomicUsize) -> usize {
    a.load(Ordering::Relaxed)
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, String) {
    let r = bounded("request", req.send()).await.expect("server answers");
    let status = r.status();
    (status, r.text().await.unwrap_or_default())
}

struct Placed {
    token: String,
    no: String,
    total_fee: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn fault_pg_two_instances_race_on_orders_and_refunds() {
    let n: usize = std::env::var("WXPAY_FAULT_PG_ORDERS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL")
        .expect("WXPAY_TEST_POSTGRES_URL must point at a PostgreSQL server (scripts/with-postgres sets it)");
    let started = Instant::now();
    let h = Harness::start_with(Options {
        database_url: Some(fresh_postgres_db(&base).await),
        instances: 2,
        // Each payer holds 55 units unpaid at once here (notifies are held back).
        tweak: |c| c.max_held_units_per_payer = Some(1_000),
        ..Default::default()
    })
    .await;
    assert_eq!(h.state().db.backend(), wxpay_server::db::Backend::Postgres);
    let h = Arc::new(h);
    // The test delivers every notify itself.
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let counts = Arc::new(Counts::default());
    let url = |i: usize| h.servers[i % 2].url.clone();

    // 1a. Orders, alternately on both instances, paid at WeChat (distinct quantities per user,
    // so no order is a double tap of another).
    let mut users = Vec::new();
    for _ in 0..USERS {
        users.push(h.login().await.0);
    }
    // Exactly the units these orders take: none may be refused, and none may be left.
    let units: i64 = (0..n).map(|k| (k / USERS + 1) as i64).sum();
    h.set_stock(1, units).await;
    let gate = Arc::new(Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..n {
        let (h, gate, token, url) = (h.clone(), gate.clone(), users[k % USERS].clone(), url(k));
        let quantity = (k / USERS + 1) as i64;
        tasks.spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let (status, text) =
                send(h.http.post(format!("{url}/api/orders")).bearer_auth(&token).json(&json!({ "product_id": 1, "quantity": quantity })))
                    .await;
            assert_eq!(status, StatusCode::CREATED, "{text}");
            let order: Value = serde_json::from_str(&text).unwrap();
            let (status, v) = h.pay(&order["payment"]).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            Placed { token, no: order["out_trade_no"].as_str().unwrap().to_owned(), total_fee: order["total_fee"].as_i64().unwrap() }
        });
    }
    let mut placed = Vec::new();
    while let Some(p) = bounded("placing orders", tasks.join_next()).await {
        placed.push(p.unwrap());
    }
    let placed = Arc::new(placed);
    let t_placed = started.elapsed();

    // 1b. Payment notifies, PAY_COPIES to each instance at once per order, racing both
    // instances' reconcilers (orderquery on the same orders).
    h.clock.advance(Duration::from_secs(301));
    let gate = Arc::new(Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for p in placed.iter() {
        for copy in 0..2 * PAY_COPIES {
            let (h, gate, counts, url, no) = (h.clone(), gate.clone(), counts.clone(), url(copy), p.no.clone());
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                let body = h.sandbox.signed_notify(&no).expect("paid at WeChat");
                counts.notifies_sent.fetch_add(1, Ordering::Relaxed);
                let (status, text) = send(h.http.post(format!("{url}/wxpay/notify")).header("content-type", "text/xml").body(body)).await;
                assert!(status == StatusCode::OK && is_success_reply(&text), "{no}: {status} {text}");
                counts.notifies_acked.fetch_add(1, Ordering::Relaxed);
            });
        }
    }
    let (a, b) = tokio::join!(reconciler::run_once(&h.servers[0].state), reconciler::run_once(&h.servers[1].state));
    assert_eq!(a.failed + b.failed, 0, "{a:?} {b:?}");
    let reconciler_passes_saw_paid = a.paid + b.paid;
    while let Some(r) = bounded("payment notifies", tasks.join_next()).await {
        r.unwrap();
    }
    let t_paid = started.elapsed();

    // 2a. Refund requests: 3 × 40 % per order at once, over both instances.
    let gate = Arc::new(Semaphore::new(24));
    let mut tasks = tokio::task::JoinSet::new();
    for (k, p) in placed.iter().enumerate() {
        for j in 0..3 {
            let (h, gate, counts, url, token, no) = (h.clone(), gate.clone(), counts.clone(), url(k + j), p.token.clone(), p.no.clone());
            let fee = p.total_fee * 40 / 100;
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                counts.refund_requests.fetch_add(1, Ordering::Relaxed);
                let body = json!({ "refund_fee": fee, "reason": "race" });
                let (status, text) = send(h.http.post(format!("{url}/api/orders/{no}/refunds")).bearer_auth(token).json(&body)).await;
                match status {
                    StatusCode::CREATED => {
                        counts.refunds_created.fetch_add(1, Ordering::Relaxed);
                        let v: Value = serde_json::from_str(&text).unwrap();
                        Some((no, v["out_refund_no"].as_str().unwrap().to_owned()))
                    }
                    StatusCode::CONFLICT => {
                        counts.refund_requests_refused.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                    other => panic!("refund request: {other} {text}"),
                }
            });
        }
    }
    let mut refunds: Vec<(String, String)> = Vec::new();
    while let Some(r) = bounded("refund requests", tasks.join_next()).await {
        refunds.extend(r.unwrap());
    }

    // 2b. Decisions: 3 approvals (+ a reject for every fourth refund) per refund at once, over
    // both instances. Which won is recorded per refund.
    let mut tasks = tokio::task::JoinSet::new();
    for (k, (_, rno)) in refunds.iter().enumerate() {
        let mut decisions = vec!["approve"; 3];
        if k % 4 == 0 {
            decisions.push("reject");
        }
        for (j, d) in decisions.into_iter().enumerate() {
            let (h, gate, counts, url, rno) = (h.clone(), gate.clone(), counts.clone(), url(k + j), rno.clone());
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                let sent = if d == "approve" { &counts.approvals_sent } else { &counts.rejects_sent };
                sent.fetch_add(1, Ordering::Relaxed);
                let (status, text) = send(h.http.post(format!("{url}/admin/api/refunds/{rno}/{d}")).bearer_auth(ADMIN_TOKEN)).await;
                match status {
                    StatusCode::OK => {
                        let won = if d == "approve" { &counts.approvals_won } else { &counts.rejects_won };
                        won.fetch_add(1, Ordering::Relaxed);
                        Some((rno, d))
                    }
                    StatusCode::CONFLICT => {
                        counts.decisions_refused.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                    other => panic!("{d} {rno}: {other} {text}"),
                }
            });
        }
    }
    let mut winner: HashMap<String, Vec<&'static str>> = HashMap::new();
    while let Some(r) = bounded("decisions", tasks.join_next()).await {
        if let Some((rno, d)) = r.unwrap() {
            winner.entry(rno).or_default().push(d);
        }
    }
    let approved: Vec<String> =
        refunds.iter().filter(|(_, r)| winner.get(r).is_some_and(|w| w == &["approve"])).map(|(_, r)| r.clone()).collect();
    let t_decided = started.elapsed();

    // 3. Refund notifies, REFUND_COPIES to each instance at once, racing both reconcilers'
    // refundquery.
    for rno in &approved {
        h.wait_sim_refund_final(rno).await;
    }
    h.clock.advance(Duration::from_secs(301));
    let mut tasks = tokio::task::JoinSet::new();
    for rno in &approved {
        for copy in 0..2 * REFUND_COPIES {
            let (h, gate, counts, url, rno) = (h.clone(), gate.clone(), counts.clone(), url(copy), rno.clone());
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                let body = h.sandbox.refund_notify(&rno).expect("finished at WeChat");
                counts.refund_notifies_sent.fetch_add(1, Ordering::Relaxed);
                let (status, text) =
                    send(h.http.post(format!("{url}/wxpay/refund-notify")).header("content-type", "text/xml").body(body)).await;
                assert!(status == StatusCode::OK && is_success_reply(&text), "{rno}: {status} {text}");
                counts.refund_notifies_acked.fetch_add(1, Ordering::Relaxed);
            });
        }
    }
    let (a, b) = tokio::join!(reconciler::run_once(&h.servers[0].state), reconciler::run_once(&h.servers[1].state));
    assert_eq!(a.failed + b.failed, 0, "{a:?} {b:?}");
    let reconciler_passes_saw_final = a.refunds_settled + b.refunds_settled;
    while let Some(r) = bounded("refund notifies", tasks.join_next()).await {
        r.unwrap();
    }

    // Verdict, from the shared database and from WeChat.
    let pool = h.state().db.pool();
    let paid_rows: Vec<(String, String)> =
        sqlx::query("SELECT entity_id, actor FROM audit_log WHERE entity = 'order' AND action = 'order.paid' AND from_status = 'NOTPAY' AND to_status = 'PAID'")
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.try_get("entity_id").unwrap(), r.try_get("actor").unwrap()))
            .collect();
    let mut paid_per_order: HashMap<&str, usize> = HashMap::new();
    for (no, _) in &paid_rows {
        *paid_per_order.entry(no.as_str()).or_default() += 1;
    }
    let paid_by_notify = paid_rows.iter().filter(|(_, a)| a == "wechat:notify").count();
    let paid_by_reconciler = paid_rows.iter().filter(|(_, a)| a == "reconciler").count();
    assert_eq!(h.stock(1).await, Some(0), "every unit sold once: paid orders keep theirs, refunds give none back");
    let mut refund_calls = 0;
    for p in placed.iter() {
        let o = h.state().db.orders().get(&p.no).await.unwrap().unwrap();
        let sim = h.sandbox.order(&p.no).unwrap();
        assert_eq!(o.status.as_str(), "PAID", "{}", p.no);
        assert_eq!(paid_per_order.get(p.no.as_str()), Some(&1), "{}: exactly one NOTPAY → PAID move", p.no);
        assert_eq!(o.transaction_id, sim.transaction_id, "{}", p.no);
        let stored = h.state().db.refunds().of_order(&p.no).await.unwrap();
        assert_eq!(stored.len(), 2, "{}: 3 requests of 40 %, 2 fit", p.no);
        let holding: i64 = stored
            .iter()
            .filter(|r| matches!(r.status.as_str(), "REQUESTED" | "APPROVED" | "PROCESSING" | "SUCCESS"))
            .map(|r| r.refund_fee.get() as i64)
            .sum();
        assert!(holding <= o.total_fee.get() as i64, "{}: refunds hold {holding} of {} fen", p.no, o.total_fee);
        let succeeded: i64 = stored.iter().filter(|r| r.status.as_str() == "SUCCESS").map(|r| r.refund_fee.get() as i64).sum();
        let refunded_fee: i64 = sqlx::query("SELECT refunded_fee FROM orders WHERE out_trade_no = $1")
            .bind(&p.no)
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get("refunded_fee")
            .unwrap();
        assert_eq!(refunded_fee, succeeded, "{}: refunded_fee is the sum of the successful refunds", p.no);
        let mut at_wechat = 0;
        for r in &stored {
            let w = winner.get(&r.out_refund_no).cloned().unwrap_or_default();
            assert_eq!(w.len(), 1, "{}: one decision wins, got {w:?}", r.out_refund_no);
            let actions = h.refund_actions(&r.out_refund_no).await;
            let count = |a: &str| actions.iter().filter(|x| *x == a).count();
            match w[0] {
                "approve" => {
                    let sim = h.sandbox.refund(&r.out_refund_no).expect("made at WeChat");
                    assert_eq!(sim.calls, 1, "{}: one upstream refund call", r.out_refund_no);
                    assert_eq!(sim.refund_status, wxpay::RefundStatus::Success);
                    refund_calls += sim.calls;
                    at_wechat += sim.refund_fee as i64;
                    assert_eq!(r.status.as_str(), "SUCCESS", "{}", r.out_refund_no);
                    assert_eq!((count("refund.approved"), count("refund.success"), count("refund.rejected")), (1, 1, 0), "{actions:?}");
                }
                _ => {
                    assert!(h.sandbox.refund(&r.out_refund_no).is_none(), "{}: rejected, never sent", r.out_refund_no);
                    assert_eq!(r.status.as_str(), "REJECTED");
                    assert_eq!((count("refund.approved"), count("refund.rejected")), (0, 1), "{actions:?}");
                }
            }
        }
        assert_eq!(at_wechat, refunded_fee, "{}: WeChat refunded what the database says", p.no);
    }
    let refund_success_actors: Vec<String> =
        sqlx::query("SELECT actor FROM audit_log WHERE entity = 'refund' AND action = 'refund.success'")
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("actor").unwrap())
            .collect();
    let refund_success_rows = refund_success_actors.len();
    let settled_by_refundquery = refund_success_actors.iter().filter(|a| *a == "reconciler").count();
    let c = &*counts;
    println!(
        "fault_pg_race: orders={n} payment_notifies sent={} acknowledged={} persisted_paid={} (moved by a notify {paid_by_notify}, by a reconciler's orderquery {paid_by_reconciler}; the passes saw {reconciler_passes_saw_paid} paid) order.paid_rows={}",
        load(&c.notifies_sent),
        load(&c.notifies_acked),
        placed.len(),
        paid_rows.len(),
    );
    println!(
        "fault_pg_race: refund requests={} created={} refused={}; approvals sent={} won={}; rejects sent={} won={}; losers 409={}; upstream refund calls={refund_calls} refunds at WeChat={}",
        load(&c.refund_requests),
        load(&c.refunds_created),
        load(&c.refund_requests_refused),
        load(&c.approvals_sent),
        load(&c.approvals_won),
        load(&c.rejects_sent),
        load(&c.rejects_won),
        load(&c.decisions_refused),
        h.sandbox.refund_count(),
    );
    println!(
        "fault_pg_race: refund notifies sent={} acknowledged={}; refund.success rows={refund_success_rows} (moved by a reconciler's refundquery {settled_by_refundquery}, the passes saw {reconciler_passes_saw_final} final); seconds: placed {:.1}, paid {:.1}, decided {:.1}, total {:.1}",
        load(&c.refund_notifies_sent),
        load(&c.refund_notifies_acked),
        t_placed.as_secs_f64(),
        t_paid.as_secs_f64(),
        t_decided.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    assert_eq!(paid_rows.len(), n);
    assert_eq!(load(&c.notifies_acked), load(&c.notifies_sent));
    assert_eq!(load(&c.refunds_created), 2 * n);
    assert_eq!(load(&c.approvals_won) + load(&c.rejects_won), 2 * n, "one decision per refund");
    assert_eq!(h.sandbox.refund_count(), approved.len());
    assert_eq!(refund_calls as usize, approved.len(), "one upstream refund call per out_refund_no");
    assert_eq!(refund_success_rows, approved.len());
    assert_eq!(load(&c.refund_notifies_acked), load(&c.refund_notifies_sent));
}

/// Two instances on one PostgreSQL database, failures injected on the first one's link to
/// WeChat, both reconcilers running at once, and a sender that claimed a refund and died: no
/// refund is ever sent by two senders at the same time (the simulator sees at most one call per
/// `out_refund_no` in flight), a refund WeChat already holds is not sent again, and the dead
/// sender's claim is taken over only after its lease has expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn two_instances_never_send_one_refund_twice() {
    use common::link::Link;
    const N: usize = 8;
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL")
        .expect("WXPAY_TEST_POSTGRES_URL must point at a PostgreSQL server (scripts/with-postgres sets it)");
    let link = Link::start().await;
    let h = Harness::start_with(Options {
        database_url: Some(fresh_postgres_db(&base).await),
        instances: 2,
        links: vec![Some(link.clone()), None],
        ..Default::default()
    })
    .await;
    // Three groups of N refunds: (a) WeChat takes the request but every answer to instance 0 is
    // lost, (b) instance 0 cannot reach WeChat at all, (c) approved on both instances at once.
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for g in groups.iter_mut() {
        for _ in 0..N {
            let (token, no) = h.paid_order().await;
            g.push((no.clone(), h.requested_refund(&token, &no, None).await));
        }
    }
    let dead_order = h.paid_order().await;
    let dead = h.requested_refund(&dead_order.0, &dead_order.1, None).await;
    // Refund results come by refundquery only; every refund call stays at WeChat a while, so
    // two senders of one refund would overlap there.
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    h.sandbox.faults().delay_ms.store(150, Ordering::SeqCst);

    let approve = |i: usize, rno: String| {
        let url = format!("{}/admin/api/refunds/{rno}/approve", h.servers[i].url);
        h.http.post(url).bearer_auth(ADMIN_TOKEN).send()
    };
    let (mut lost_answers, mut unreachable, mut races_won) = (0, 0, 0);
    for (_, rno) in &groups[0] {
        // Processed by WeChat, then the connection is cut, on every attempt.
        h.sandbox.faults().drop_connections_next.store(4, Ordering::SeqCst);
        let r = bounded("approve", approve(0, rno.clone())).await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        lost_answers += 1;
    }
    h.sandbox.faults().drop_connections_next.store(0, Ordering::SeqCst);
    link.set_down(true);
    for (_, rno) in &groups[1] {
        let r = bounded("approve", approve(0, rno.clone())).await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(h.sandbox.refund(rno).is_none(), "never reached WeChat");
        unreachable += 1;
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (_, rno) in &groups[2] {
        for i in 0..2 {
            let req = approve(i, rno.clone());
            tasks.spawn(async move { req.await.unwrap().status() });
        }
    }
    while let Some(s) = bounded("approvals", tasks.join_next()).await {
        let s = s.unwrap();
        assert!(matches!(s, StatusCode::OK | StatusCode::CONFLICT | StatusCode::SERVICE_UNAVAILABLE), "{s}");
        races_won += usize::from(s == StatusCode::OK);
    }
    assert!(h.sandbox.max_concurrent_refund_calls() <= 1, "two approvals sent one refund at once");

    // Both reconcilers, at once, over several passes; instance 0's link flaps.
    let mut passes = 0;
    let mut dead_claimed_at = None;
    for round in 0..6 {
        link.set_down(round % 2 == 1 && round < 4);
        h.clock.advance(Duration::from_secs(301));
        let (a, b) = tokio::join!(reconciler::run_once(&h.servers[0].state), reconciler::run_once(&h.servers[1].state));
        passes += 2;
        let _ = (a, b);
        assert!(h.sandbox.max_concurrent_refund_calls() <= 1, "round {round}: two senders of one refund at once");
        match (round, dead_claimed_at) {
            (0, _) => {
                // A sender claims `dead` and dies before its call leaves (the row as a crashed
                // instance leaves it): nobody may send it while the claim's 10-minute lease runs.
                let now = h.clock.now_ms();
                let claimed = sqlx::query(
                    "UPDATE refunds SET status = 'APPROVED', approved_at = $1, updated_at = $1, send_owner = 'crashed-instance', \
                     send_until = $2 WHERE out_refund_no = $3 AND status = 'REQUESTED'",
                )
                .bind(now)
                .bind(now + 600_000)
                .bind(&dead)
                .execute(h.state().db.pool())
                .await
                .unwrap()
                .rows_affected();
                assert_eq!(claimed, 1);
                dead_claimed_at = Some(now);
            }
            (_, Some(at)) if h.clock.now_ms() < at + 600_000 => {
                assert!(h.sandbox.refund(&dead).is_none(), "round {round}: the dead sender's claim was taken over while its lease ran");
            }
            _ => {}
        }
    }
    link.set_down(false);

    let mut calls_total = 0;
    for (g, list) in groups.iter().enumerate() {
        for (no, rno) in list {
            let sim = h.sandbox.refund(rno).unwrap_or_else(|| panic!("group {g}: {rno} made at WeChat"));
            assert_eq!(h.refund_status(rno).await, "SUCCESS", "group {g}: {rno}");
            match g {
                // WeChat held it after the first call: found by refundquery, never sent again.
                0 => assert_eq!(sim.calls, 4, "group 0: {rno}: the four attempts of the approval only"),
                _ => assert_eq!(sim.calls, 1, "group {g}: {rno}: one call"),
            }
            calls_total += sim.calls;
            assert_eq!(h.refunded_fee(no).await, sim.refund_fee as i64);
        }
    }
    let sim = h.sandbox.refund(&dead).expect("taken over after the lease");
    assert_eq!(sim.calls, 1);
    assert_eq!(h.refund_status(&dead).await, "SUCCESS");
    assert_eq!(h.sandbox.refund_count(), 3 * N + 1, "one refund at WeChat per out_refund_no");
    println!(
        "two_instances_never_send_one_refund_twice: refunds={} answers_lost_on_instance0={lost_answers} unreachable_from_instance0={unreachable} \
         raced_approvals_won={races_won} dead_claim_taken_over=1 reconciler_passes={passes} link_resets={} refund_calls_at_wechat={} \
         max_concurrent_calls_per_refund={} refunds_at_wechat={}",
        3 * N + 1,
        link.refused(),
        calls_total + sim.calls,
        h.sandbox.max_concurrent_refund_calls(),
        h.sandbox.refund_count(),
    );
}
