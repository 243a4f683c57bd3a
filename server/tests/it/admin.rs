//! The back office on SQLite: every admin route behind the admin token (the route table walked
//! without it, with a payer's session token and with a wrong one), and the scenarios of
//! `common/admin_cases.rs` (also run on PostgreSQL with two instances by `tests/it/postgres.rs`).

use crate::common;

use common::{admin_cases as cases, Harness, Options, ADMIN_TOKEN};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use wxpay_server::http::admin::API_ROUTES;

/// The backend the shared cases run on (see `mount_cases!`): two instances sharing one SQLite file.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    Harness::start_with(Options { instances: 2, tweak, ..Default::default() }).await
}

admin_cases!();

/// `path` with its `{…}` parameters filled from `ids`.
fn fill(path: &str, order: &str, refund: &str) -> String {
    path.replace("{out_trade_no}", order).replace("{out_refund_no}", refund).replace("{id}", "1").replace("{day}", "2026-11-24")
}

async fn call(h: &Harness, method: &str, path: &str, auth: Option<&str>) -> (StatusCode, Value) {
    let mut req = h.http.request(Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", h.url()));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if method == "POST" {
        req = req.json(&serde_json::json!({ "note": "n", "reason": "r", "refund_fee": 1, "add": 1 }));
    }
    let r = common::bounded(path, req.send()).await.expect("server answers");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_refuses_without_the_admin_token() {
    let h = Harness::start().await;
    let (payer, no) = h.paid_order().await;
    let rno = h.requested_refund(&payer, &no, Some(100)).await;
    let stock = h.stock(1).await;
    let audit_rows = |h: &Harness| {
        let pool = h.state().db.pool().clone();
        async move {
            sqlx::query("SELECT COUNT(*) AS n FROM audit_log").fetch_one(&pool).await.map(|r| sqlx::Row::get::<i64, _>(&r, "n")).unwrap()
        }
    };
    let before = audit_rows(&h).await;
    let refusals = [
        None,
        Some(format!("Bearer {payer}")),
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Basic {ADMIN_TOKEN}")),
        Some(format!("Bearer {ADMIN_TOKEN}x")),
    ];
    for (method, route) in API_ROUTES {
        let path = fill(route, &no, &rno);
        for auth in &refusals {
            let (status, v) = call(&h, method, &path, auth.as_deref()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with {:?}: {v}", auth.as_deref().map(|a| &a[..a.len().min(12)]));
            assert_eq!(v["error"]["code"], "UNAUTHORIZED", "{method} {path}: {v}");
        }
        // With the token the route is there (on an order and a refund that do not exist, so
        // nothing moves): the handler answers, not the fallback.
        let (status, v) =
            call(&h, method, &fill(route, "20991231NOSUCHORDER", "R20991231NOSUCH"), Some(&format!("Bearer {ADMIN_TOKEN}"))).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {route}: {v}");
        assert!(!v.to_string().contains("admin route"), "{method} {route} is not routed: {v}");
    }
    // An admin path nobody routed: 401 before 404, so the tree's shape does not leak.
    let (status, _) = call(&h, "GET", "/admin/api/no-such-route", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing moved.
    assert_eq!(h.refund_status(&rno).await, "REQUESTED");
    assert_eq!(h.stored_status(&no).await, "PAID");
    assert_eq!(h.stock(1).await, stock);
    assert_eq!(h.sandbox.refund_count(), 0);
    assert_eq!(audit_rows(&h).await, before, "no state change wrote an audit row");
}

#[test]
fn readme_documents_every_admin_route() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (method, path) in API_ROUTES {
        assert!(readme.contains(&format!("`{method} {path}")), "server/README.md does not document {method} {path}");
    }
}

/// What the admin API answers about an order with a payment, refunds (one in CHANGE) and raw
/// notifies: never the API key, the AppSecret or the admin token, and never a whole openid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_answers_carry_no_secret_and_no_whole_openid() {
    let h = Harness::start().await;
    let (no, rno) = cases::change_refund(&h).await;
    let openid = h.state().db.orders().get(&no).await.unwrap().unwrap().openid;
    let c = h.sandbox.credentials();
    let secrets = [
        ("the API key", c.api_key.expose().to_owned()),
        ("the AppSecret", c.app_secret.expose().to_owned()),
        ("the admin token", ADMIN_TOKEN.to_owned()),
        ("a whole openid", openid.clone()),
    ];
    let (_, detail) = h.admin_get(&format!("/admin/api/orders/{no}")).await;
    let ids: Vec<i64> =
        detail["story"].as_array().unwrap().iter().filter(|s| s["has_raw"] == true).map(|s| s["id"].as_i64().unwrap()).collect();
    assert!(!ids.is_empty(), "the payment notify is kept raw: {detail}");
    let mut paths = vec![
        format!("/admin/api/orders/{no}"),
        format!("/admin/api/orders/search?q={no}"),
        format!("/admin/api/orders/search?q={openid}"),
        "/admin/api/refunds".to_owned(),
        "/admin/api/attention".to_owned(),
        "/admin/api/orders".to_owned(),
        format!("/admin/api/totals/{}", wxpay_server::clock::day_name(wxpay_server::clock::beijing_day(h.clock.now_ms()))),
    ];
    paths.extend(ids.iter().map(|id| format!("/admin/api/audit/{id}")));
    for p in &paths {
        let (status, v) = h.admin_get(p).await;
        assert_eq!(status, StatusCode::OK, "{p}: {v}");
        let text = v.to_string();
        for (what, s) in &secrets {
            assert!(!text.contains(s.as_str()), "{p} answers {what}");
        }
    }
    let csv =
        h.http.get(format!("{}/admin/api/orders/export.csv", h.url())).bearer_auth(ADMIN_TOKEN).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains(&no) && !csv.contains(&openid), "{csv}");
    assert!(h.state().db.refunds().get(&rno).await.unwrap().is_some());
}

/// Every key of `v`, at any depth.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

/// The back office is answered with views, never storage rows: with a refund whose sender's
/// claim is held (as an instance that died mid-send leaves it), no GET of the admin API names
/// the claim's columns or shows its holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_answers_never_show_a_refunds_claim() {
    let h = Harness::start().await;
    let (payer, no) = h.paid_order().await;
    let rno = h.requested_refund(&payer, &no, Some(100)).await;
    let claimed = sqlx::query("UPDATE refunds SET send_owner = 'instance-holding-the-claim', send_until = $1 WHERE out_refund_no = $2")
        .bind(h.clock.now_ms() + 600_000)
        .bind(&rno)
        .execute(h.state().db.pool())
        .await
        .unwrap();
    assert_eq!(claimed.rows_affected(), 1);
    let mut answered = 0;
    for (method, route) in API_ROUTES.iter().filter(|(m, _)| *m == "GET") {
        let path = fill(route, &no, &rno);
        let (status, v) = call(&h, method, &path, Some(&format!("Bearer {ADMIN_TOKEN}"))).await;
        let mut names = Vec::new();
        keys(&v, &mut names);
        assert!(!names.iter().any(|k| k.starts_with("send_")), "{path} ({status}) names a claim column: {v}");
        assert!(!v.to_string().contains("instance-holding-the-claim"), "{path} shows the claim's holder: {v}");
        answered += usize::from(status.is_success());
    }
    // The order, its refunds and the refund lists answered (not only refusals).
    let (_, order) = call(&h, "GET", &format!("/admin/api/orders/{no}"), Some(&format!("Bearer {ADMIN_TOKEN}"))).await;
    assert!(order.to_string().contains(&rno), "the order's answer shows its refund: {order}");
    assert!(answered >= 5, "only {answered} GET routes answered 2xx");
}
