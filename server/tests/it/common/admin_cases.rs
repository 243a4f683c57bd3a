//! Back-office scenarios shared by the SQLite tests (`tests/it/admin.rs`, and in v3
//! `tests/it/v3.rs`) and the PostgreSQL ones (`tests/it/postgres.rs`, two instances): search paging, daily totals at the Beijing day
//! boundary, the merchant's own refunds and their limits, "handled offline", the pulse, and the
//! reconciliation against the simulator's bill.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use serde_json::{json, Value};
use wxpay::RefundStatus;
use wxpay_server::clock::{beijing_day, day_name, day_start_ms};

use super::Harness;

/// Every case of this file, mounted as tests on one backend (see `mount_cases!`).
#[macro_export]
macro_rules! admin_cases {
    ($($attr:tt)*) => {
        $crate::mount_cases!(admin_cases [$($attr)*] :
            search_pages_every_order_once_with_ties,
            totals_cut_days_at_beijing_midnight,
            merchant_refund_is_approved_at_once_and_kept_within_the_total,
            handled_offline_changes_no_money_state,
            requery_resolves_a_change_refund,
            pulse_moves_on_every_instance,
            reconciliation_lists_the_differences,
        );
    };
}

/// An order written straight into the database, as the states the API would leave it in.
pub struct Seed<'a> {
    pub no: &'a str,
    pub openid: &'a str,
    pub created_at: i64,
    pub status: &'a str,
    pub total_fee: i64,
    pub paid_at: Option<i64>,
    pub transaction_id: Option<&'a str>,
}

pub async fn seed(h: &Harness, s: &Seed<'_>) {
    let time_end = s.paid_at.map(|t| wxpay_server::clock::beijing14(t.div_euclid(1000)));
    sqlx::query(
        "INSERT INTO orders (out_trade_no, openid, product_id, product_name, quantity, unit_price_fen, total_fee, status, sign_type, \
         spbill_create_ip, time_start, time_expire, expires_at, transaction_id, time_end, paid_at, created_at, updated_at) \
         VALUES ($1, $2, 1, '拿铁 Latte', 1, $3, $3, $4, 'MD5', '127.0.0.1', '20260101000000', '20260101000000', $5, $6, $7, $8, $5, $5)",
    )
    .bind(s.no)
    .bind(s.openid)
    .bind(s.total_fee)
    .bind(s.status)
    .bind(s.created_at)
    .bind(s.transaction_id)
    .bind(time_end)
    .bind(s.paid_at)
    .execute(h.state().db.pool())
    .await
    .expect("seed order");
}

/// A SUCCESS refund written straight into the database.
pub async fn seed_refund(h: &Harness, no: &str, order: &str, fee: i64, total: i64, finished_at: i64) {
    sqlx::query(
        "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, requested_at, approved_at, \
         finished_at, sent_at, updated_at) VALUES ($1, $2, 'oSeed', $3, $4, 'seed', 'SUCCESS', $5, $5, $5, $5, $5)",
    )
    .bind(no)
    .bind(order)
    .bind(total)
    .bind(fee)
    .bind(finished_at)
    .execute(h.state().db.pool())
    .await
    .expect("seed refund");
}

fn numbers(page: &Value) -> Vec<String> {
    page["orders"].as_array().unwrap().iter().map(|o| o["out_trade_no"].as_str().unwrap().to_owned()).collect()
}

/// Walks every page of `query` at `limit` per page → the order numbers in page order.
async fn walk(h: &Harness, query: &str, limit: usize) -> Vec<String> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/admin/api/orders/search?{query}&limit={limit}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let (status, v) = h.admin_get(&path).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let page = numbers(&v);
        assert!(page.len() <= limit, "{page:?}");
        all.extend(page);
        match v["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => return all,
        }
    }
    panic!("more than 100 pages");
}

/// Keyset paging, newest first, with many orders created in the same millisecond: every page
/// size walks every order once, in order, whatever the filter.
pub async fn search_pages_every_order_once_with_ties(h: &Harness) {
    let t = 1_795_449_600_000; // 2026-11-24 00:00:00 Beijing
    let mut expected: Vec<(i64, String, &str, &str)> = Vec::new();
    for i in 0..23i64 {
        // Seven distinct times, three or four orders at each: ties everywhere.
        let at = t + (i % 7) * 1000;
        let no = format!("S2026112400{i:02}TIE{}", ["A", "B", "C"][(i % 3) as usize]);
        let (status, openid) = if i % 2 == 0 { ("PAID", "oSearchPayerEven0000000001") } else { ("NOTPAY", "oSearchPayerOdd00000000002") };
        let tx = format!("42000000002026112400{i:08}");
        let paid = (status == "PAID").then_some(at + 5);
        seed(
            h,
            &Seed { no: &no, openid, created_at: at, status, total_fee: 100 + i, paid_at: paid, transaction_id: paid.map(|_| tx.as_str()) },
        )
        .await;
        expected.push((at, no, status, openid));
    }
    // A day later, outside the range filter below.
    seed(
        h,
        &Seed {
            no: "S20261125NEXTDAY",
            openid: "oSearchPayerEven0000000001",
            created_at: t + 86_400_000,
            status: "PAID",
            total_fee: 1,
            paid_at: Some(t + 86_400_000),
            transaction_id: Some("4200000000202611250000000001"),
        },
    )
    .await;
    expected.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let all: Vec<String> = expected.iter().map(|e| e.1.clone()).collect();
    for limit in [1, 2, 3, 5, 50] {
        let got = walk(h, "from=2026-11-24&to=2026-11-24", limit).await;
        assert_eq!(got, all, "limit {limit}");
        let paid: Vec<String> = expected.iter().filter(|e| e.2 == "PAID").map(|e| e.1.clone()).collect();
        assert_eq!(walk(h, "status=PAID&to=2026-11-24", limit).await, paid, "status, limit {limit}");
        let odd: Vec<String> = expected.iter().filter(|e| e.3.contains("Odd")).map(|e| e.1.clone()).collect();
        assert_eq!(walk(h, "openid=oSearchPayerOdd00000000002", limit).await, odd, "openid, limit {limit}");
    }
    // The newest first without a range: the next day's order leads.
    let (_, v) = h.admin_get("/admin/api/orders/search?limit=1&q=oSearchPayerEven0000000001").await;
    assert_eq!(numbers(&v), ["S20261125NEXTDAY"]);
    // One term finds an order by 微信支付单号, and openids never leave whole.
    let (_, v) = h.admin_get("/admin/api/orders/search?q=4200000000202611240000000004").await;
    assert_eq!(numbers(&v), [expected.iter().find(|e| e.1.starts_with("S202611240004")).unwrap().1.clone()]);
    assert_eq!(v["orders"][0]["openid"], "oSea…0001", "{v}");
    // A cursor that is not one, a day that is not one: 400, never a silent first page.
    for bad in ["after=12", "from=2026-13-01", "status=PAYED", "from=2026-11-25&to=2026-11-24"] {
        let (status, v) = h.admin_get(&format!("/admin/api/orders/search?{bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
}

/// Payments and SUCCESS refunds count on their Beijing-time day: one millisecond before
/// 00:00 Beijing (16:00 UTC) is the day before. Every day's totals equal the sum of its rows.
pub async fn totals_cut_days_at_beijing_midnight(h: &Harness) {
    let midnight = 1_795_449_600_000; // 2026-11-24 00:00:00 Beijing = 2026-11-23 16:00:00 UTC
    let day = beijing_day(midnight);
    assert_eq!(day_start_ms(day), midnight);
    let rows = [
        ("T1LATE", midnight - 1, 1000),
        ("T2EARLY", midnight, 2000),
        ("T3NOON", midnight + 4 * 3_600_000, 300),
        ("T4LAST", midnight + 86_400_000 - 1, 45),
    ];
    for (i, (no, at, fee)) in rows.iter().enumerate() {
        let tx = format!("42000000002026112300000000{i:02}");
        seed(
            h,
            &Seed {
                no,
                openid: "oTotalsPayer00000000000001",
                created_at: at - 60_000,
                status: "PAID",
                total_fee: *fee,
                paid_at: Some(*at),
                transaction_id: Some(&tx),
            },
        )
        .await;
    }
    // Refunds finished either side of the next midnight.
    seed_refund(h, "RT2A", "T2EARLY", 500, 2000, midnight + 86_400_000 - 1).await;
    seed_refund(h, "RT2B", "T2EARLY", 700, 2000, midnight + 86_400_000).await;
    let (status, v) = h.admin_get(&format!("/admin/api/totals?from={}&to={}", day_name(day - 1), day_name(day + 1))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let days: Vec<(String, i64, i64, i64)> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_owned(),
                d["paid_fen"].as_i64().unwrap(),
                d["refunded_fen"].as_i64().unwrap(),
                d["net_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-25".to_owned(), 0, 700, -700),
            ("2026-11-24".to_owned(), 2000 + 300 + 45, 500, 2345 - 500),
            ("2026-11-23".to_owned(), 1000, 0, 1000)
        ]
    );
    assert_eq!((v["total"]["paid_fen"].as_i64(), v["total"]["refunded_fen"].as_i64()), (Some(3345), Some(1200)));
    // Each day's totals are the sum of the rows it lists.
    for (d, paid, refunded, _) in &days {
        let (status, r) = h.admin_get(&format!("/admin/api/totals/{d}")).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let sum = |k: &str, f: &str| r[k].as_array().unwrap().iter().map(|x| x[f].as_i64().unwrap()).sum::<i64>();
        assert_eq!((sum("payments", "total_fee"), sum("refunds", "refund_fee")), (*paid, *refunded), "{d}: {r}");
    }
    let (status, _) = h.admin_get("/admin/api/totals?from=2026-11-24&to=2026-11-23").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn merchant_refund(h: &Harness, i: usize, no: &str, body: Value) -> (StatusCode, Value) {
    h.admin_post_json(i, &format!("/admin/api/orders/{no}/refunds"), body).await
}

/// The merchant's own refunds: created APPROVED and sent at once, under the payer's limits
/// (everything held by any refund of the order counts), the audit trail naming the merchant.
pub async fn merchant_refund_is_approved_at_once_and_kept_within_the_total(h: &Harness) {
    let (token, no) = h.paid_order().await; // 3600 fen
    let (status, v) = merchant_refund(h, 0, &no, json!({ "refund_fee": 1000, "reason": "少发一杯 one missing" })).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let first = v["out_refund_no"].as_str().unwrap().to_owned();
    assert!(v["openid"].as_str().unwrap().contains('…'), "masked: {v}");
    h.wait_refund_status(&first, "SUCCESS").await;
    let audit = h.state().db.audit().of("refund", &first).await.unwrap();
    assert_eq!(
        (audit[0].actor.as_str(), audit[0].action.as_str(), audit[0].from_status.as_deref(), audit[0].to_status.as_deref()),
        ("merchant:admin", "refund.approved", None, Some("APPROVED"))
    );
    assert!(audit.iter().all(|a| a.action != "refund.requested"), "never waited for approval: {audit:?}");
    // The payer's pending request holds its amount against the merchant's next refund.
    let pending = h.requested_refund(&token, &no, Some(2000)).await;
    let (status, v) = merchant_refund(h, 1, &no, json!({ "refund_fee": 601, "reason": "再退" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "only 600 fen are left: {v}");
    let (status, v) = merchant_refund(h, 1, &no, json!({ "reason": "退余额 the rest" })).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["refund_fee"], 600, "no amount: everything still refundable: {v}");
    let rest = v["out_refund_no"].as_str().unwrap().to_owned();
    for (body, want) in [
        (json!({ "refund_fee": 1, "reason": "x" }), StatusCode::CONFLICT),
        (json!({ "refund_fee": 0, "reason": "x" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "refund_fee": -5, "reason": "x" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "refund_fee": 1, "reason": "" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "refund_fee": 1, "reason": "bad\u{202e}reason" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "refund_fee": 1 }), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, v) = merchant_refund(h, 0, &no, body.clone()).await;
        assert_eq!(status, want, "{body}: {v}");
    }
    let (status, _) = merchant_refund(h, 0, "20991231000000NOSUCHORDER", json!({ "reason": "x" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (unpaid, _) = h.login().await;
    let open = h.order(&unpaid, 2, 1).await;
    let (status, v) = merchant_refund(h, 0, open["out_trade_no"].as_str().unwrap(), json!({ "reason": "x" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "an unpaid order: {v}");
    h.wait_refund_status(&rest, "SUCCESS").await;
    assert_eq!(h.refund_status(&pending).await, "REQUESTED");
    let (_, d) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    assert_eq!((d["order"]["refunded_fee"].as_i64(), d["refundable_fee"].as_i64()), (Some(1600), Some(0)), "{d}");
    assert_eq!(h.sandbox.refund_count(), 2, "the refused ones never reached WeChat");
}

/// A refund WeChat ends CHANGE: held PROCESSING at the simulator, then settled CHANGE and its
/// notify delivered. → (out_trade_no, out_refund_no).
pub async fn change_refund(h: &Harness) -> (String, String) {
    let (_, no) = h.paid_order().await;
    h.sandbox.faults().hold_refunds.store(true, Ordering::SeqCst);
    let (status, v) = merchant_refund(h, 0, &no, json!({ "refund_fee": 1500, "reason": "缺货 out of stock" })).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let rno = v["out_refund_no"].as_str().unwrap().to_owned();
    for _ in 0..400 {
        if h.sandbox.refund(&rno).is_some_and(|r| r.held) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    h.sandbox.settle_held_refunds_as(RefundStatus::Change);
    h.sandbox.faults().hold_refunds.store(false, Ordering::SeqCst);
    let (status, body) = h.send_refund_notify(1, &h.genuine_refund_notify(&rno)).await;
    assert!(h.acknowledged(status, &body), "{status} {body}");
    assert_eq!(h.refund_status(&rno).await, "CHANGE");
    (no, rno)
}

fn queued_refunds(q: &Value) -> Vec<String> {
    q["refunds"].as_array().unwrap().iter().map(|r| r["out_refund_no"].as_str().unwrap().to_owned()).collect()
}

/// "Handled offline" takes a CHANGE refund off the queue with a note and changes no money
/// state: still CHANGE, its amount still held, the order's refunded sum unchanged; WeChat's
/// later word still applies.
pub async fn handled_offline_changes_no_money_state(h: &Harness) {
    let (no, rno) = change_refund(h).await;
    let (_, q) = h.admin_get("/admin/api/attention").await;
    assert!(queued_refunds(&q).contains(&rno), "{q}");
    assert_eq!(q["refunds"][0]["kind"], "refund_change", "{q}");
    let (_, pulse) = h.admin_get("/admin/api/pulse").await;
    let before = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    let (_, order_before) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    for bad in [json!({ "note": "" }), json!({ "note": "x\u{0007}" }), json!({ "note": "a".repeat(201) }), json!({})] {
        let (status, v) = h.admin_post_json(0, &format!("/admin/api/refunds/{rno}/handled"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
    let note = "已在商户平台重新发起 retried on the merchant platform";
    let (status, v) = h.admin_post_json(1, &format!("/admin/api/refunds/{rno}/handled"), json!({ "note": note })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["handled"]["note"].as_str(), v["handled"]["by"].as_str()),
        (Some("CHANGE"), Some(note), Some("merchant:admin"))
    );
    let after = h.state().db.refunds().get(&rno).await.unwrap().unwrap();
    assert_eq!(
        (after.status, after.refund_fee, after.refund_id.clone(), after.finished_at, after.needs_action),
        (before.status, before.refund_fee, before.refund_id.clone(), before.finished_at, false)
    );
    let (_, order_after) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    for k in ["refunded_fee", "status", "total_fee"] {
        assert_eq!(order_after["order"][k], order_before["order"][k], "{k}");
    }
    assert_eq!(order_after["refundable_fee"], order_before["refundable_fee"], "the CHANGE refund still holds its amount");
    let (_, q) = h.admin_get("/admin/api/attention").await;
    assert!(!queued_refunds(&q).contains(&rno), "off the queue: {q}");
    let (_, pulse_after) = h.admin_get("/admin/api/pulse").await;
    assert_eq!(pulse_after["exceptions"].as_i64(), pulse["exceptions"].as_i64().map(|n| n - 1), "{pulse} {pulse_after}");
    assert_ne!(pulse_after["version"], pulse["version"]);
    let audit = h.state().db.audit().of("refund", &rno).await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str(), last.from_status.as_deref(), last.to_status.as_deref(), last.detail.as_deref()),
        ("refund.handled_offline", "merchant:admin", Some("CHANGE"), Some("CHANGE"), Some(note))
    );
    let (status, v) = h.admin_post_json(0, &format!("/admin/api/refunds/{rno}/handled"), json!({ "note": "again" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "once: {v}");
    // WeChat's later word still moves it along the state machine.
    assert!(h.sandbox.set_refund_status(&rno, RefundStatus::Success));
    let (status, body) = h.send_refund_notify(0, &h.genuine_refund_notify(&rno)).await;
    assert!(h.acknowledged(status, &body), "{body}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
    // Only a CHANGE refund can be marked so.
    let (status, v) = h.admin_post_json(1, &format!("/admin/api/refunds/{rno}/handled"), json!({ "note": "late" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, _) = h.admin_post_json(1, "/admin/api/refunds/RNOSUCHREFUND/handled", json!({ "note": "x" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A CHANGE refund WeChat later settles is resolved by a re-query from the queue: refundquery,
/// its answer applied, off the queue.
pub async fn requery_resolves_a_change_refund(h: &Harness) {
    let (no, rno) = change_refund(h).await;
    assert!(h.sandbox.set_refund_status(&rno, RefundStatus::Success));
    // The CHANGE notify was just applied: a re-query right away is refused politely.
    let mut answer = (StatusCode::TOO_MANY_REQUESTS, Value::Null);
    for _ in 0..60 {
        answer = h.admin_post(1, &format!("/admin/api/refunds/{rno}/requery")).await;
        if answer.0 != StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    assert_eq!(answer.1["status"], "SUCCESS", "{}", answer.1);
    let (_, q) = h.admin_get("/admin/api/attention").await;
    assert!(!queued_refunds(&q).contains(&rno), "{q}");
    let (_, d) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    assert_eq!(d["order"]["refunded_fee"], 1500, "{d}");
    let last = h.state().db.audit().of("refund", &rno).await.unwrap().pop().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("refund.success", "merchant:admin"));
}

/// The pulse moves on every instance when anything changes on any one of them, and the counts
/// agree.
pub async fn pulse_moves_on_every_instance(h: &Harness) {
    let pulse = |i: usize| {
        let url = format!("{}/admin/api/pulse", h.servers[i % h.servers.len()].url);
        async move {
            let r = h.http.get(url).bearer_auth(super::ADMIN_TOKEN).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let (token, no) = h.paid_order().await;
    let (a0, a1) = (pulse(0).await, pulse(1).await);
    assert_eq!(a0, a1, "two instances, one database, one pulse");
    let rno = h.requested_refund(&token, &no, Some(100)).await;
    let (b0, b1) = (pulse(0).await, pulse(1).await);
    assert_eq!(b0, b1);
    assert_ne!(b0["version"], a0["version"], "a refund request moves the pulse");
    assert_eq!(b0["requested"].as_i64(), a0["requested"].as_i64().map(|n| n + 1));
    let (status, v) = h.admin_post_json(1, &format!("/admin/api/refunds/{rno}/reject"), json!({ "reason": "已发货" })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let c0 = pulse(0).await;
    assert_ne!(c0["version"], b0["version"], "a rejection on the other instance moves it too");
    assert_eq!(c0["requested"], a0["requested"]);
    assert_eq!(pulse(0).await, c0, "nothing changed, nothing moves");
}

/// Today's bill from the simulator against our rows: what agrees matches, and each kind of
/// difference is listed (a payment we have and WeChat has not, another amount, a refund
/// WeChat has that we do not).
pub async fn reconciliation_lists_the_differences(h: &Harness) {
    let (_, a) = h.paid_order().await;
    let (_, b) = h.paid_order().await;
    let (status, v) = merchant_refund(h, 0, &a, json!({ "refund_fee": 100, "reason": "对账" })).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let rno = v["out_refund_no"].as_str().unwrap().to_owned();
    h.wait_refund_status(&rno, "SUCCESS").await;
    let today = day_name(beijing_day(h.clock.now_ms()));
    let (status, r) = h.admin_get(&format!("/admin/api/reconcile?day={today}")).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!((r["matched"].as_i64(), r["differences"].as_array().map(Vec::len)), (Some(3), Some(0)), "{r}");
    assert_eq!((r["wechat"]["paid_fen"].as_i64(), r["ours"]["paid_fen"].as_i64()), (Some(7200), Some(7200)), "{r}");
    // Now make our side disagree: an amount, a payment WeChat never saw, a refund we lost.
    let pool = h.state().db.pool();
    sqlx::query("UPDATE orders SET total_fee = 3500 WHERE out_trade_no = $1").bind(&b).execute(pool).await.unwrap();
    let now = h.clock.now_ms();
    seed(
        h,
        &Seed {
            no: "RECONGHOST000000000001",
            openid: "oGhost000000000000000001",
            created_at: now,
            status: "PAID",
            total_fee: 99,
            paid_at: Some(now),
            transaction_id: Some("4200000000999999999999999999"),
        },
    )
    .await;
    sqlx::query("DELETE FROM audit_log WHERE entity = 'refund' AND entity_id = $1").bind(&rno).execute(pool).await.unwrap();
    sqlx::query("DELETE FROM refunds WHERE out_refund_no = $1").bind(&rno).execute(pool).await.unwrap();
    let (status, r) = h.admin_get(&format!("/admin/api/reconcile?day={today}")).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let mut diffs: Vec<(String, String, String)> = r["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["kind"].as_str().unwrap().to_owned(), d["what"].as_str().unwrap().to_owned(), d["out_trade_no"].as_str().unwrap().to_owned())
        })
        .collect();
    diffs.sort();
    let mut want = vec![
        ("amount".to_owned(), "payment".to_owned(), b.clone()),
        ("missing_at_wechat".to_owned(), "payment".to_owned(), "RECONGHOST000000000001".to_owned()),
        ("missing_here".to_owned(), "refund".to_owned(), a.clone()),
    ];
    want.sort();
    assert_eq!(diffs, want, "{r}");
    assert_eq!(r["matched"], 1, "{r}");
    let (status, _) = h.admin_get("/admin/api/reconcile?day=2099-01-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no bill of a day to come");
}
