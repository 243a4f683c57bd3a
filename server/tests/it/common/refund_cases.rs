//! Refund scenarios shared by the SQLite tests (`tests/it/refunds.rs`, and in v3
//! `tests/it/v3.rs`) and the PostgreSQL ones (`tests/it/postgres.rs`, two instances): admin
//! calls alternate between the instances. v2's `req_info` is v2's own case.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use wxpay::Params;

/// Every case of this file, mounted as tests on one backend (see `mount_cases!`).
#[macro_export]
macro_rules! refund_cases {
    ($($attr:tt)*) => {
        $crate::mount_cases!(refund_cases [$($attr)*] :
            full_refund_reaches_success,
            partial_refunds_up_to_the_total_then_one_more_is_refused,
            concurrent_requests_never_exceed_the_total,
            concurrent_approvals_make_one_upstream_call,
            refund_notify_replayed_20x_transitions_once,
            refund_left_processing_is_settled_by_refundquery,
            order_json_tells_its_refund_story,
            reject_reason_is_checked_like_the_payers,
        );
    };
}

/// The cases about v2's wire only (`req_info`, encrypted with the API key).
#[macro_export]
macro_rules! refund_cases_v2 {
    ($($attr:tt)*) => {
        $crate::mount_cases!(refund_cases [$($attr)*] :
            tampered_req_info_is_refused_without_change,
        );
    };
}

use super::{is_fail_reply, is_success_reply, Harness};

pub async fn full_refund_reaches_success(h: &Harness) {
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["refund_fee"], 3600, "the default is the full amount: {v}");
    h.wait_refund_status(&rno, "SUCCESS").await;
    h.wait_acknowledged(&rno).await;
    assert_eq!(h.refunded_fee(&no).await, 3600);
    let sim = h.sandbox.refund(&rno).unwrap();
    assert_eq!((sim.refund_fee, sim.calls), (3600, 1));
    let actions = h.refund_actions(&rno).await;
    for a in ["refund.requested", "refund.approved", "refund.success"] {
        assert_eq!(actions.iter().filter(|x| *x == a).count(), 1, "{actions:?}");
    }
    // The payer sees it too.
    let (_, list) = h.get_json(&format!("/api/orders/{no}/refunds"), Some(&token)).await;
    assert_eq!(list[0]["status"], "SUCCESS", "{list}");
}

pub async fn partial_refunds_up_to_the_total_then_one_more_is_refused(h: &Harness) {
    let (token, no) = h.paid_order().await;
    let a = h.requested_refund(&token, &no, Some(1000)).await;
    // More than is left is refused while the first is still only REQUESTED.
    let (status, v) = h.request_refund(&token, &no, Some(2601)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let b = h.requested_refund(&token, &no, Some(2600)).await;
    let (status, v) = h.request_refund(&token, &no, Some(1)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, v) = h.request_refund(&token, &no, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    for (i, r) in [&a, &b].into_iter().enumerate() {
        let (status, v) = h.admin_post(i, &format!("/admin/api/refunds/{r}/approve")).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    h.wait_refund_status(&a, "SUCCESS").await;
    h.wait_refund_status(&b, "SUCCESS").await;
    assert_eq!(h.refunded_fee(&no).await, 3600);
    let (status, v) = h.request_refund(&token, &no, Some(1)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(h.sandbox.refund_count(), 2);
}

pub async fn concurrent_requests_never_exceed_the_total(h: &Harness) {
    let (token, no) = h.paid_order().await;
    // 8 requests of 1000 fen at once on a 3600 fen order: exactly 3 fit.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let url = format!("{}/api/orders/{no}/refunds", h.servers[i % h.servers.len()].url);
        let (http, token) = (h.http.clone(), token.clone());
        tasks.spawn(async move {
            let body = serde_json::json!({ "refund_fee": 1000, "reason": "partial" });
            http.post(url).bearer_auth(token).json(&body).send().await.unwrap().status()
        });
    }
    let mut created = 0;
    while let Some(s) = super::bounded("requests", tasks.join_next()).await {
        let s = s.unwrap();
        assert!(s == StatusCode::CREATED || s == StatusCode::CONFLICT, "{s}");
        created += usize::from(s == StatusCode::CREATED);
    }
    assert_eq!(created, 3);
}

pub async fn concurrent_approvals_make_one_upstream_call(h: &Harness) {
    let (token, no) = h.paid_order().await;
    let rno = h.requested_refund(&token, &no, None).await;
    let before = h.refund_calls();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let url = format!("{}/admin/api/refunds/{rno}/approve", h.servers[i % h.servers.len()].url);
        let http = h.http.clone();
        tasks.spawn(async move { http.post(url).bearer_auth(super::ADMIN_TOKEN).send().await.unwrap().status() });
    }
    let mut ok = 0;
    while let Some(s) = super::bounded("approvals", tasks.join_next()).await {
        let s = s.unwrap();
        assert!(s == StatusCode::OK || s == StatusCode::CONFLICT, "{s}");
        ok += usize::from(s == StatusCode::OK);
    }
    assert_eq!(ok, 1, "one approval wins");
    h.wait_refund_status(&rno, "SUCCESS").await;
    assert_eq!(h.refund_calls() - before, 1, "one upstream refund call");
    assert_eq!(h.sandbox.refund(&rno).unwrap().calls, 1);
    let approved = h.refund_actions(&rno).await.iter().filter(|a| *a == "refund.approved").count();
    assert_eq!(approved, 1);
}

/// Drops refund notifies, approves, and waits until WeChat has finished the refund: the
/// refund is PROCESSING here and the test delivers (or withholds) the notify.
pub async fn processed_without_notify(h: &Harness) -> (String, String) {
    let (token, no) = h.paid_order().await;
    h.sandbox.faults().drop_notifies.store(true, Ordering::SeqCst);
    let rno = h.requested_refund(&token, &no, Some(1500)).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{rno}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    h.wait_sim_refund_final(&rno).await;
    assert_eq!(h.refund_status(&rno).await, "PROCESSING");
    (no, rno)
}

pub async fn refund_notify_replayed_20x_transitions_once(h: &Harness) {
    let (no, rno) = processed_without_notify(h).await;
    let wire = h.genuine_refund_notify(&rno);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        tasks.spawn(super::wire::send(h.notify_request(i, h.refund_notify_path(), &wire)));
    }
    while let Some(r) = super::bounded("replays", tasks.join_next()).await {
        let (status, text) = r.unwrap();
        assert!(h.acknowledged(status, &text), "{status} {text}");
    }
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
    let done = h.refund_actions(&rno).await.iter().filter(|a| *a == "refund.success").count();
    assert_eq!(done, 1, "one transition for 20 deliveries");
    assert_eq!(h.refunded_fee(&no).await, 1500, "the amount is counted once");
}

fn outer(body: &str) -> Params {
    wxpay::xml::decode(body.as_bytes()).unwrap()
}

pub async fn tampered_req_info_is_refused_without_change(h: &Harness) {
    let (no, rno) = processed_without_notify(h).await;
    let genuine = h.sandbox.refund_notify(&rno).unwrap();
    let audit_before = h.refund_actions(&rno).await;
    let key = h.merchant().key;
    let inner = wxpay::refund_notify::decrypt_req_info(&outer(&genuine)["req_info"], &key).unwrap();

    let mut flipped = outer(&genuine);
    let mut chars: Vec<char> = flipped["req_info"].chars().collect();
    chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
    flipped.insert("req_info".into(), chars.into_iter().collect());

    let mut cut = outer(&genuine);
    let s = cut["req_info"].clone();
    cut.insert("req_info".into(), s[..s.len() - 24].to_owned());

    let other_key = wxpay::ApiKey::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let mut wrong_key = outer(&genuine);
    wrong_key.insert("req_info".into(), wxpay::refund_notify::encrypt_req_info(&inner, &other_key).unwrap());

    // Properly encrypted (only someone with the key could) but for another amount.
    let mut more = inner.clone();
    more.insert("refund_fee".into(), "3600".into());
    let mut wrong_amount = outer(&genuine);
    wrong_amount.insert("req_info".into(), wxpay::refund_notify::encrypt_req_info(&more, &key).unwrap());

    let mut wrong_mch = outer(&genuine);
    wrong_mch.insert("mch_id".into(), "1999999999".into());

    for (i, p) in [flipped, cut, wrong_key, wrong_amount, wrong_mch].into_iter().enumerate() {
        let (status, text) = h.post_refund_notify(i, wxpay::xml::encode(&p).unwrap().into_bytes()).await;
        assert!(is_fail_reply(&text), "case {i}: {status} {text}");
        assert_eq!(h.refund_status(&rno).await, "PROCESSING", "case {i}");
    }
    assert_eq!(h.refund_actions(&rno).await, audit_before, "no transition, no audit row");
    assert_eq!(h.refunded_fee(&no).await, 0);
    // The genuine one still applies.
    let (_, text) = h.post_refund_notify(0, genuine.into_bytes()).await;
    assert!(is_success_reply(&text), "{text}");
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
}

pub async fn refund_left_processing_is_settled_by_refundquery(h: &Harness) {
    let (no, rno) = processed_without_notify(h).await;
    let before = h.refund_queries();
    h.clock.advance(Duration::from_secs(301));
    let pass = super::bounded("reconciler", wxpay_server::reconciler::run_once(h.state())).await;
    assert_eq!((pass.refunds_settled, pass.failed), (1, 0), "{pass:?}");
    assert!(h.refund_queries() > before);
    assert_eq!(h.refund_status(&rno).await, "SUCCESS");
    assert_eq!(h.refunded_fee(&no).await, 1500);
    let audit = h.state().db.audit().of("refund", &rno).await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("refund.success", "reconciler"));
    // Nothing is left for the next pass.
    h.clock.advance(Duration::from_secs(301));
    let pass = wxpay_server::reconciler::run_once(h.state()).await;
    assert_eq!(pass.refunds_checked, 0, "{pass:?}");
}

pub fn json_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// `GET /api/orders/{no}` and the same order in `GET /api/orders`, which must agree.
async fn order_story(h: &Harness, token: &str, no: &str) -> Value {
    let (status, detail) = h.get_json(&format!("/api/orders/{no}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let (status, list) = h.get_json("/api/orders", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = list.as_array().unwrap().iter().find(|o| o["out_trade_no"] == no).expect("listed").clone();
    assert_eq!(listed, detail, "the list tells the same story as the order");
    detail
}

/// `(refunded_fee, refund_summary, [(status, refund_fee)…])` of an order's JSON.
fn story(o: &Value) -> (i64, String, Vec<(String, i64)>) {
    let refunds = o["refunds"].as_array().unwrap_or_else(|| panic!("refunds in {o}"));
    (
        o["refunded_fee"].as_i64().unwrap(),
        o["refund_summary"].as_str().unwrap().to_owned(),
        refunds.iter().map(|r| (r["status"].as_str().unwrap().to_owned(), r["refund_fee"].as_i64().unwrap())).collect(),
    )
}

fn s(v: &str, fee: i64) -> (String, i64) {
    (v.to_owned(), fee)
}

/// A refunded order's own JSON (and its item in the list) carries its refund state, driven
/// through each: under review, with WeChat, 退款异常 (CHANGE), partly and fully refunded, and a
/// rejection with the merchant's reason. `refunded_fee` is always the stored one.
pub async fn order_json_tells_its_refund_story(h: &Harness) {
    let (token, no) = h.paid_order().await;
    assert_eq!(story(&order_story(h, &token, &no).await), (0, "NONE".into(), vec![]));

    // 1000 asked for, rejected with a reason; asked again, approved, refunded.
    let r1 = h.requested_refund(&token, &no, Some(1000)).await;
    assert_eq!(story(&order_story(h, &token, &no).await), (0, "NONE".into(), vec![s("REQUESTED", 1000)]));
    let reason = "商品已发货，请收货后再申请";
    let (status, v) = h.admin_post_json(1, &format!("/admin/api/refunds/{r1}/reject"), serde_json::json!({ "reason": reason })).await;
    assert_eq!((status, v["reject_reason"].as_str()), (StatusCode::OK, Some(reason)), "{v}");
    let o = order_story(h, &token, &no).await;
    assert_eq!(story(&o), (0, "NONE".into(), vec![s("REJECTED", 1000)]));
    assert_eq!(o["refunds"][0]["reject_reason"], reason, "the payer reads the merchant's reason: {o}");
    let r2 = h.requested_refund(&token, &no, Some(1000)).await;
    let (status, v) = h.admin_post(0, &format!("/admin/api/refunds/{r2}/approve")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    h.wait_refund_status(&r2, "SUCCESS").await;
    let o = order_story(h, &token, &no).await;
    assert_eq!(story(&o), (1000, "PARTLY_REFUNDED".into(), vec![s("REJECTED", 1000), s("SUCCESS", 1000)]));
    assert_eq!(o["refunds"][1]["reject_reason"], Value::Null);
    assert!(o["refunds"][1]["finished_at"].is_i64(), "{o}");

    // The rest: held by WeChat (PROCESSING), then CHANGE (the money did not come back).
    h.sandbox.faults().hold_refunds.store(true, Ordering::SeqCst);
    let r3 = h.requested_refund(&token, &no, None).await;
    let (status, v) = h.admin_post(1, &format!("/admin/api/refunds/{r3}/approve")).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("PROCESSING")), "{v}");
    assert_eq!(story(&order_story(h, &token, &no).await).2[2], s("PROCESSING", 2600));
    super::bounded("WeChat reports CHANGE", async {
        while !h.sandbox.refund(&r3).is_some_and(|x| x.refund_status == wxpay::RefundStatus::Change) {
            h.sandbox.settle_held_refunds_as(wxpay::RefundStatus::Change);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // Its refund notify (the simulator settles a held refund without one).
    let (status, text) = h.send_refund_notify(1, &h.genuine_refund_notify(&r3)).await;
    assert!(h.acknowledged(status, &text), "{text}");
    assert_eq!(h.refund_status(&r3).await, "CHANGE");
    let o = order_story(h, &token, &no).await;
    assert_eq!(story(&o), (1000, "PARTLY_REFUNDED".into(), vec![s("REJECTED", 1000), s("SUCCESS", 1000), s("CHANGE", 2600)]));
    assert_eq!(h.refunded_fee(&no).await, 1000, "the stored refunded_fee agrees");

    // A person settles it on the merchant platform: SUCCESS, the whole order refunded.
    h.sandbox.set_refund_status(&r3, wxpay::RefundStatus::Success);
    let (status, text) = h.send_refund_notify(0, &h.genuine_refund_notify(&r3)).await;
    assert!(h.acknowledged(status, &text), "{text}");
    let o = order_story(h, &token, &no).await;
    assert_eq!(story(&o), (3600, "FULLY_REFUNDED".into(), vec![s("REJECTED", 1000), s("SUCCESS", 1000), s("SUCCESS", 2600)]));
    assert_eq!(h.refunded_fee(&no).await, 3600);
    assert_eq!(o["status"], "PAID", "the order's own state stays PAID");
}

/// The merchant's rejection reason is checked like the payer's own (the odd reasons of
/// `tests/data/odd_refund_reasons.json`): where the payer's would be refused, the rejection is
/// refused (422) and the refund stays REQUESTED; otherwise it is stored trimmed and shown. No
/// body: rejected without a reason.
pub async fn reject_reason_is_checked_like_the_payers(h: &Harness) {
    #[derive(serde::Deserialize)]
    struct Case {
        case: String,
        reason: String,
    }
    let cases: Vec<Case> = serde_json::from_str(include_str!("../../data/odd_refund_reasons.json")).unwrap();
    let (token, no) = h.paid_order().await;
    let (mut refused, mut stored) = (0, 0);
    for (i, c) in cases.iter().enumerate() {
        // The payer's verdict on the same text.
        let (payer, _) = h
            .post_json(&format!("/api/orders/{no}/refunds"), Some(&token), serde_json::json!({ "refund_fee": 1, "reason": c.reason }))
            .await;
        let rno = match payer {
            StatusCode::CREATED => {
                h.state()
                    .db
                    .refunds()
                    .of_order(&no)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|r| r.status.as_str() == "REQUESTED")
                    .unwrap()
                    .out_refund_no
            }
            _ => h.requested_refund(&token, &no, Some(1)).await,
        };
        let (status, v) =
            h.admin_post_json(i, &format!("/admin/api/refunds/{rno}/reject"), serde_json::json!({ "reason": c.reason })).await;
        if payer == StatusCode::CREATED {
            assert_eq!(status, StatusCode::OK, "{}: {v}", c.case);
            assert_eq!(v["reject_reason"].as_str(), Some(c.reason.trim()), "{}", c.case);
            stored += 1;
        } else {
            assert_eq!(
                (status, v["error"]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("INVALID_REQUEST")),
                "{}: {v}",
                c.case
            );
            assert_eq!(h.refund_status(&rno).await, "REQUESTED", "{}: nothing changed", c.case);
            let (status, v) = h.admin_post(i, &format!("/admin/api/refunds/{rno}/reject")).await;
            assert_eq!((status, v["reject_reason"].clone()), (StatusCode::OK, Value::Null), "{}: no body, no reason: {v}", c.case);
            refused += 1;
        }
    }
    assert!(refused > 0 && stored > 0, "refused={refused} stored={stored}");
    // Not JSON, or not the shape: refused.
    let rno = h.requested_refund(&token, &no, Some(1)).await;
    for body in [serde_json::json!({ "why": "x" }), serde_json::json!({ "reason": "" }), serde_json::json!({ "reason": "   " })] {
        let (status, v) = h.admin_post_json(0, &format!("/admin/api/refunds/{rno}/reject"), body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
    }
    assert_eq!(h.refund_status(&rno).await, "REQUESTED");
}
