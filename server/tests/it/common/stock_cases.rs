//! The stock scenarios, run on SQLite (tests/it/stock.rs, two instances sharing the file) and on
//! PostgreSQL with two server instances (tests/it/postgres.rs). Requests are spread over every
//! instance.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use wxpay_server::reconciler;

use super::{bounded, Harness};

/// Every case of this file, mounted as tests on one backend (see `mount_cases!`).
#[macro_export]
macro_rules! stock_cases {
    ($($attr:tt)*) => {
        $crate::mount_cases!(stock_cases [$($attr)*] :
            order_takes_its_units_once_per_checkout,
            order_beyond_stock_is_refused_before_wechat,
            concurrent_checkouts_never_oversell,
            one_payer_cannot_hold_the_whole_stock,
            closing_gives_the_units_back_once = common::stock_cases::short_orders,
            close_racing_a_payment_settles_the_stock_once,
            payment_after_close_takes_the_units_again_or_flags_oversold,
        );
    };
}

/// Orders past their `time_expire` (120 s) and old enough for closeorder after a 301 s shift.
pub fn short_orders(c: &mut wxpay_server::Config) {
    c.order_ttl_secs = Some(120);
    c.reconcile_after_secs = Some(60);
}

fn no_of(v: &Value) -> String {
    v["out_trade_no"].as_str().unwrap_or_else(|| panic!("an order: {v}")).to_owned()
}

/// One payer firing 100 checkouts at once (distinct keys, spread over every instance) for a
/// product with 100 units holds at most `WXPAY_MAX_HELD_UNITS_PER_PAYER` (30) of them unpaid:
/// the limit is counted in the transaction that takes the stock. Another payer still buys.
pub async fn one_payer_cannot_hold_the_whole_stock(h: &Harness) {
    const CHECKOUTS: usize = 100;
    h.set_stock(1, 100).await;
    let (token, _) = h.login().await;
    let unifiedorder = h.prepay_calls();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(CHECKOUTS));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CHECKOUTS {
        let (http, url, start, token) =
            (h.http.clone(), format!("{}/api/orders", h.servers[i % h.servers.len()].url), start.clone(), token.clone());
        tasks.spawn(async move {
            start.wait().await;
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", format!("hoard-{i}"))
                .json(&json!({ "product_id": 1, "quantity": 10 }));
            let r = r.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        });
    }
    let (mut created, mut limited) = (0, 0);
    while let Some(r) = bounded("100 checkouts of one payer", tasks.join_next()).await {
        let (status, v) = r.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(v["error"]["code"], "RATE_LIMITED", "{v}");
                limited += 1;
            }
            other => panic!("a checkout answered {other}: {v}"),
        }
    }
    println!(
        "stock: one payer, {CHECKOUTS} checkouts of 10 units for 100 over {} instances: created={created} limited={limited} left={:?}",
        h.servers.len(),
        h.stock(1).await
    );
    assert_eq!(created, 3, "30 units held at most, 10 an order");
    assert_eq!(limited, CHECKOUTS - 3);
    assert_eq!(h.stock(1).await, Some(70));
    assert_eq!(h.prepay_calls(), unifiedorder + 3, "a limited checkout never reaches WeChat");
    let (other, _) = h.login().await;
    let (status, v) = h.order_on(0, &other, 1, 10, Some("another-payer")).await;
    assert_eq!(status, StatusCode::CREATED, "another payer still buys: {v}");
}

/// An order takes its units when it is created, `GET /api/products` shows what is left, and the
/// same checkout sent again (its Idempotency-Key, on every instance at once) takes nothing more.
pub async fn order_takes_its_units_once_per_checkout(h: &Harness) {
    h.set_stock(1, 10).await;
    let other = h.stock(2).await;
    let (token, _) = h.login().await;
    let (status, first) = h.order_on(0, &token, 1, 3, Some("checkout-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let no = no_of(&first);
    assert_eq!(h.stock(1).await, Some(7), "3 of 10 taken");
    assert_eq!(h.stock(2).await, other, "another product is untouched");

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (http, url, token) = (h.http.clone(), format!("{}/api/orders", h.servers[i % h.servers.len()].url), token.clone());
        tasks.spawn(async move {
            let r =
                http.post(url).bearer_auth(token).header("Idempotency-Key", "checkout-1").json(&json!({ "product_id": 1, "quantity": 3 }));
            let r = r.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        });
    }
    while let Some(r) = bounded("replayed checkouts", tasks.join_next()).await {
        let (status, v) = r.unwrap();
        assert_eq!((status, no_of(&v)), (StatusCode::OK, no.clone()), "{v}");
    }
    assert_eq!(h.stock(1).await, Some(7), "a replayed Idempotency-Key takes nothing more");
    let o = h.state().db.orders().get(&no).await.unwrap().unwrap();
    assert!(o.stock_reserved);
    let created = h.audit(&no).await.into_iter().find(|a| a.action == "order.created").unwrap();
    assert_eq!(created.detail.as_deref(), Some("product 1 × 3 = 5400 fen; taken off the stock"));
}

/// More than is left: 409 `OUT_OF_STOCK` with what is left, nothing stored, and not a single
/// call to unifiedorder. The refused key may be used again once there is stock.
pub async fn order_beyond_stock_is_refused_before_wechat(h: &Harness) {
    h.set_stock(3, 2).await;
    let (token, _) = h.login().await;
    let unifiedorder = h.prepay_calls();
    let (status, v) = h.order_on(0, &token, 3, 3, Some("too-many")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "OUT_OF_STOCK", "{v}");
    assert_eq!(v["error"]["available"], 2, "{v}");
    assert_eq!(v["error"]["message"], "only 2 left", "{v}");
    assert_eq!(h.prepay_calls(), unifiedorder, "nothing went to WeChat");
    assert_eq!(h.sandbox.order_count(), 0, "WeChat knows no order");
    let (_, list) = h.get_json("/api/orders", Some(&token)).await;
    assert_eq!(list, json!([]), "nothing stored");
    assert_eq!(h.stock(3).await, Some(2), "nothing taken");

    // Restocked: the same checkout goes through (the refusal stored nothing under its key).
    h.set_stock(3, 3).await;
    let (status, v) = h.order_on(h.servers.len() - 1, &token, 3, 3, Some("too-many")).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(h.prepay_calls(), unifiedorder + 1);
    assert_eq!(h.stock(3).await, Some(0));

    // Sold out.
    let (other, _) = h.login().await;
    let (status, v) = h.order_on(0, &other, 3, 1, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!((v["error"]["code"].as_str(), v["error"]["available"].as_i64()), (Some("OUT_OF_STOCK"), Some(0)), "{v}");
    assert_eq!(v["error"]["message"], "sold out");
    assert_eq!(h.prepay_calls(), unifiedorder + 1, "still nothing more to WeChat");
}

/// 20 payers check out 1 unit each at the same moment, over every instance, with 5 left:
/// exactly 5 orders, 15 `OUT_OF_STOCK`, 5 unifiedorder calls, nothing left.
pub async fn concurrent_checkouts_never_oversell(h: &Harness) {
    const PAYERS: usize = 20;
    const STOCK: i64 = 5;
    h.set_stock(1, STOCK).await;
    let mut tokens = Vec::new();
    for _ in 0..PAYERS {
        tokens.push(h.login().await.0);
    }
    let unifiedorder = h.prepay_calls();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(PAYERS));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (http, url, start) = (h.http.clone(), format!("{}/api/orders", h.servers[i % h.servers.len()].url), start.clone());
        tasks.spawn(async move {
            start.wait().await;
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", format!("payer-{i}"))
                .json(&json!({ "product_id": 1, "quantity": 1 }));
            let r = r.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        });
    }
    let (mut created, mut refused) = (Vec::new(), 0);
    while let Some(r) = bounded("20 checkouts", tasks.join_next()).await {
        let (status, v) = r.unwrap();
        match status {
            StatusCode::CREATED => created.push(no_of(&v)),
            StatusCode::CONFLICT => {
                assert_eq!(v["error"]["code"], "OUT_OF_STOCK", "{v}");
                refused += 1;
            }
            other => panic!("a checkout answered {other}: {v}"),
        }
    }
    println!("stock: {PAYERS} checkouts for {STOCK} over {} instances: created={} out_of_stock={refused}", h.servers.len(), created.len());
    assert_eq!(created.len(), STOCK as usize, "exactly as many orders as units");
    assert_eq!(refused, PAYERS - STOCK as usize);
    assert_eq!(h.stock(1).await, Some(0));
    assert_eq!(h.prepay_calls(), unifiedorder + STOCK as usize, "one unifiedorder per created order, none for a refusal");
    for no in &created {
        assert!(h.state().db.orders().get(no).await.unwrap().unwrap().stock_reserved);
    }
}

/// An unpaid order closed by both instances' reconcilers and two more closers at once gives its
/// units back exactly once; closing it again gives nothing. Needs [`short_orders`].
pub async fn closing_gives_the_units_back_once(h: &Harness) {
    h.set_stock(1, 5).await;
    let (token, _) = h.login().await;
    let no = no_of(&h.order(&token, 1, 2).await);
    assert_eq!(h.stock(1).await, Some(3));
    h.clock.advance(Duration::from_secs(301));
    let last = h.servers.len() - 1;
    let (s0, s1) = (&h.servers[0].state, &h.servers[last].state);
    let now = h.clock.now_ms();
    let (a, b, c, d) = tokio::join!(
        reconciler::run_once(s0),
        reconciler::run_once(s1),
        s0.db.orders().close(&no, now, "test", "closed by a second closer"),
        s1.db.orders().close(&no, now, "test", "closed by a third closer"),
    );
    assert_eq!(a.failed + b.failed, 0, "{a:?} {b:?}");
    let direct = usize::from(c.unwrap().applied()) + usize::from(d.unwrap().applied());
    println!("stock: closers racing: reconcilers {a:?} {b:?}, direct moves={direct}");
    assert_eq!(h.stored_status(&no).await, "CLOSED");
    assert_eq!(h.stock(1).await, Some(5), "the 2 units are back");
    assert_eq!(h.audit_count(&no, "order.closed").await, 1);
    assert_eq!(h.audit_count(&no, "order.stock_released").await, 1, "given back once");
    assert!(!h.state().db.orders().get(&no).await.unwrap().unwrap().stock_reserved);

    assert!(!s0.db.orders().close(&no, h.clock.now_ms(), "test", "again").await.unwrap().applied());
    assert_eq!(reconciler::run_once(s1).await.checked, 0);
    assert_eq!(h.stock(1).await, Some(5), "nothing more");
}

/// Orders paid at WeChat whose notifies race closers (both instances, twice each) and both
/// instances' reconcilers: each ends PAID with its units off the stock exactly once — given back
/// and taken again as a pair when a close won first, untouched when the payment did.
pub async fn close_racing_a_payment_settles_the_stock_once(h: &Harness) {
    const ORDERS: usize = 8;
    const STOCK: i64 = 40;
    h.set_stock(1, STOCK).await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let mut placed = Vec::new();
    for k in 0..ORDERS {
        let (token, _) = h.login().await;
        let q = (k % 3 + 1) as i64;
        let order = h.order(&token, 1, q).await;
        let (status, v) = h.pay(&order["payment"]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        placed.push((no_of(&order), q));
    }
    let sold: i64 = placed.iter().map(|(_, q)| q).sum();
    assert_eq!(h.stock(1).await, Some(STOCK - sold));

    // Half the orders have one notify through before the race (the payment wins for sure), half
    // not (in practice a closer wins: it needs no HTTP round trip).
    for (no, _) in placed.iter().step_by(2) {
        let (status, text) = h.send_notify(0, &h.genuine_notify(no)).await;
        assert!(h.acknowledged(status, &text), "{status} {text}");
    }
    h.clock.advance(Duration::from_secs(301));
    let mut tasks = tokio::task::JoinSet::new();
    for (no, _) in &placed {
        for i in 0..2 * h.servers.len() {
            let state = h.servers[i % h.servers.len()].state.clone();
            let (closing, now) = (no.clone(), h.clock.now_ms());
            let closer = async move {
                state.db.orders().close(&closing, now, "test", "closed while the payment arrives").await.unwrap();
            };
            let request = h.notify_request(i, h.notify_path(), &h.genuine_notify(no));
            let api = h.api;
            let payment = async move {
                let (status, text) = super::wire::send(request).await;
                assert!(super::wire::acknowledges(api, status, &text), "{status} {text}");
            };
            tasks.spawn(closer);
            tasks.spawn(payment);
        }
    }
    for s in &h.servers {
        let state = s.state.clone();
        tasks.spawn(async move {
            let pass = reconciler::run_once(&state).await;
            assert_eq!(pass.failed, 0, "{pass:?}");
        });
    }
    while let Some(r) = bounded("closers, notifies and reconcilers", tasks.join_next()).await {
        r.unwrap();
    }

    let (mut closed_first, mut paid_first) = (0, 0);
    for (no, _) in &placed {
        assert_eq!(h.stored_status(no).await, "PAID", "{no}");
        assert_eq!(h.paid_transitions(no).await, 1, "{no}");
        let released = h.audit_count(no, "order.stock_released").await;
        let retaken = h.audit_count(no, "order.stock_retaken").await;
        assert!(released <= 1 && retaken == released, "{no}: released {released}, retaken {retaken}");
        assert_eq!(h.audit_count(no, "order.oversold").await, 0, "{no}: its units were there to take again");
        let o = h.state().db.orders().get(no).await.unwrap().unwrap();
        assert!(o.stock_reserved && !o.oversold, "{no}");
        if released == 1 {
            closed_first += 1;
        } else {
            paid_first += 1;
        }
    }
    println!("stock: {ORDERS} payments racing closers: closed first (given back, taken again)={closed_first} paid first={paid_first}");
    assert_eq!(h.stock(1).await, Some(STOCK - sold), "every paid unit off the stock once");
}

/// A payment for an order we had closed takes its units again while they are there; once other
/// orders have them, it is recorded all the same, flagged `oversold` for the merchant, and the
/// stock never goes below zero.
pub async fn payment_after_close_takes_the_units_again_or_flags_oversold(h: &Harness) {
    h.set_stock(2, 4).await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let paid_at_wechat = |quantity: i64| async move {
        let (token, _) = h.login().await;
        let order = h.order(&token, 2, quantity).await;
        let (status, v) = h.pay(&order["payment"]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        no_of(&order)
    };
    let close = |no: String| async move {
        assert!(h.state().db.orders().close(&no, h.clock.now_ms(), "test", "closed before the notify").await.unwrap().applied());
    };
    let notify = |i: usize, no: String| async move {
        let (status, text) = h.send_notify(i, &h.genuine_notify(&no)).await;
        assert!(h.acknowledged(status, &text), "{status} {text}");
    };

    // Closed, its 2 units back (4), then paid: taken again (2).
    let a = paid_at_wechat(2).await;
    close(a.clone()).await;
    assert_eq!(h.stock(2).await, Some(4));
    notify(0, a.clone()).await;
    let o = h.state().db.orders().get(&a).await.unwrap().unwrap();
    assert_eq!((o.status.as_str(), o.paid_after_close, o.stock_reserved, o.oversold), ("PAID", true, true, false));
    assert_eq!(h.stock(2).await, Some(2));
    assert_eq!(h.audit_count(&a, "order.stock_retaken").await, 1);

    // Closed (back to 2), another payer takes those 2, then the payment arrives: oversold.
    let b = paid_at_wechat(2).await;
    assert_eq!(h.stock(2).await, Some(0));
    close(b.clone()).await;
    assert_eq!(h.stock(2).await, Some(2));
    let c = paid_at_wechat(2).await;
    assert_eq!(h.stock(2).await, Some(0));
    notify(1, b.clone()).await;
    let o = h.state().db.orders().get(&b).await.unwrap().unwrap();
    assert_eq!((o.status.as_str(), o.paid_after_close, o.stock_reserved, o.oversold), ("PAID", true, false, true));
    assert_eq!(h.stock(2).await, Some(0), "never below zero");
    assert_eq!(h.audit_count(&b, "order.oversold").await, 1);
    // The same notify again changes nothing.
    notify(0, b.clone()).await;
    assert_eq!(h.audit_count(&b, "order.oversold").await, 1);
    assert!(h.state().db.orders().get(&c).await.unwrap().unwrap().stock_reserved, "the other payer keeps its units");

    let (status, v) = h.admin_get("/admin/api/attention").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let flagged = |no: &str| v["orders"].as_array().unwrap().iter().find(|o| o["out_trade_no"] == no).cloned();
    let fa = flagged(&a).expect("paid after close is listed");
    let fb = flagged(&b).expect("oversold is listed");
    assert_eq!((fa["paid_after_close"].as_bool(), fa["oversold"].as_bool()), (Some(true), Some(false)));
    assert_eq!((fb["paid_after_close"].as_bool(), fb["oversold"].as_bool()), (Some(true), Some(true)));
}
