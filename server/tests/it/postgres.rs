//! The notify and refund scenarios on PostgreSQL with two server instances sharing the database.
//!
//! Needs a PostgreSQL server: `WXPAY_TEST_POSTGRES_URL=postgres://user@127.0.0.1:PORT/postgres`.
//! `./scripts/test-server` installs Debian's postgresql, starts a throwaway cluster, sets the
//! variable and runs these with `--ignored`; each test creates its own database.

use crate::common;

use common::{fresh_postgres_db, Harness, Options};

async fn two_instances() -> Harness {
    two_instances_with(|_| {}).await
}

async fn two_instances_with(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL")
        .expect("WXPAY_TEST_POSTGRES_URL must point at a PostgreSQL server (scripts/test-server sets it)");
    let url = fresh_postgres_db(&base).await;
    let h = Harness::start_with(Options { database_url: Some(url), instances: 2, tweak, ..Default::default() }).await;
    assert_eq!(h.state().db.backend(), wxpay_server::db::Backend::Postgres);
    h
}

/// The backend the shared cases run on (see `mount_cases!`): two instances on PostgreSQL.
async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
    two_instances_with(tweak).await
}

notify_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
notify_cases_v2!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
refund_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
refund_cases_v2!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
stock_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
admin_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_full_purchase_ends_paid() {
    let h = two_instances().await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 2).await;
    let no = order["out_trade_no"].as_str().unwrap();
    let (status, _) = h.pay(&order["payment"]).await;
    assert!(status.is_success());
    h.wait_stored_status(no, "PAID").await;
    h.wait_acknowledged(no).await;
    let actions: Vec<String> = h.audit(no).await.into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["order.created", "order.prepaid", "order.paid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_reconciler_closes_an_expired_order_once_across_two_instances() {
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL").expect("WXPAY_TEST_POSTGRES_URL");
    let url = fresh_postgres_db(&base).await;
    let h = Harness::start_with(Options {
        database_url: Some(url),
        instances: 2,
        tweak: |c| {
            c.order_ttl_secs = Some(120);
            c.reconcile_after_secs = Some(60);
        },
        ..Default::default()
    })
    .await;
    let (token, _) = h.login().await;
    let order = h.order(&token, 1, 1).await;
    let no = order["out_trade_no"].as_str().unwrap();
    h.clock.advance(std::time::Duration::from_secs(301));
    // Both instances reconcile at the same time.
    let (a, b) =
        tokio::join!(wxpay_server::reconciler::run_once(&h.servers[0].state), wxpay_server::reconciler::run_once(&h.servers[1].state));
    assert_eq!(a.failed + b.failed, 0, "{a:?} {b:?}");
    assert_eq!(h.stored_status(no).await, "CLOSED");
    let closed = h.audit(no).await.into_iter().filter(|a| a.action == "order.closed").count();
    assert_eq!(closed, 1, "one transition however many reconcilers");
}

// Refunds on PostgreSQL, two instances sharing the database (admin calls, replays and
// concurrent requests alternate between them).

// Stock on PostgreSQL, two instances sharing the database.

// The back office on PostgreSQL, two instances sharing the database.
