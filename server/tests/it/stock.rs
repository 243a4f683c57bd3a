//! Stock end to end on loopback, two server instances sharing one SQLite file: orders take their
//! units, `GET /api/products` shows what is left, too many is refused before WeChat, closing
//! gives units back once, a payment after close takes them again or is flagged oversold, and
//! concurrent checkouts never oversell. The same cases run on PostgreSQL in tests/it/postgres.rs.

use crate::common;

use common::{Harness, Options};

async fn two_instances(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    Harness::start_with(Options { instances: 2, tweak, ..Default::default() }).await
}

/// The backend the shared cases run on (see `mount_cases!`): two instances sharing one SQLite file.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    two_instances(tweak).await
}

stock_cases!();

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_show_their_stock_and_the_merchant_restocks() {
    let h = Harness::start().await;
    let (status, v) = h.get_json("/api/products", None).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let stocks: Vec<(i64, Option<i64>)> = v.as_array().unwrap().iter().map(|p| (p["id"].as_i64().unwrap(), p["stock"].as_i64())).collect();
    assert_eq!(stocks, [(1, Some(100)), (2, Some(100)), (3, Some(20))], "the seeded stock: {v}");

    let post = |body: serde_json::Value| {
        let req = h.http.post(format!("{}/admin/api/products/3/stock", h.url())).bearer_auth(common::ADMIN_TOKEN).json(&body);
        async move {
            let r = common::bounded("stock", req.send()).await.unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, p) = post(serde_json::json!({ "add": 5 })).await;
    assert_eq!((status, p["stock"].as_i64()), (reqwest::StatusCode::OK, Some(25)), "{p}");
    let (status, e) = post(serde_json::json!({ "add": -26 })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (reqwest::StatusCode::CONFLICT, Some("CONFLICT")), "never below zero: {e}");
    let (status, e) = post(serde_json::json!({ "set": -1 })).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (status, e) = post(serde_json::json!({ "add": 1, "set": 3 })).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "one change at a time: {e}");
    assert_eq!(h.stock(3).await, Some(25), "refused changes change nothing");
    let (status, p) = post(serde_json::json!({ "set": 0 })).await;
    assert_eq!((status, p["stock"].as_i64()), (reqwest::StatusCode::OK, Some(0)));
    let audit: Vec<String> = h.state().db.audit().of("product", "3").await.unwrap().into_iter().map(|a| a.action).collect();
    assert_eq!(audit, ["product.restocked", "product.stock_set"]);

    // Untracked stock: no limit, and nothing to add to.
    sqlx::query("UPDATE products SET stock = NULL WHERE id = 2").execute(h.state().db.pool()).await.unwrap();
    assert_eq!(h.stock(2).await, None);
    let (token, _) = h.login().await;
    let order = h.order(&token, 2, 99).await;
    assert!(!h.state().db.orders().get(order["out_trade_no"].as_str().unwrap()).await.unwrap().unwrap().stock_reserved);
    assert_eq!(h.stock(2).await, None);
    let r = h
        .http
        .post(format!("{}/admin/api/products/2/stock", h.url()))
        .bearer_auth(common::ADMIN_TOKEN)
        .json(&serde_json::json!({ "add": 1 }));
    assert_eq!(common::bounded("stock", r.send()).await.unwrap().status(), reqwest::StatusCode::CONFLICT);
    // Without the admin token: nothing.
    let r = h.http.post(format!("{}/admin/api/products/3/stock", h.url())).json(&serde_json::json!({ "set": 9 }));
    assert_eq!(common::bounded("stock", r.send()).await.unwrap().status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(h.stock(3).await, Some(0));
}
