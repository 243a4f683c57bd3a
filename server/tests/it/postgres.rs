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
    two_instances_of(Options { tweak, ..Default::default() }).await
}

/// Two instances of `opts` on a fresh PostgreSQL database.
async fn two_instances_of(opts: Options) -> Harness {
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL")
        .expect("WXPAY_TEST_POSTGRES_URL must point at a PostgreSQL server (scripts/test-server sets it)");
    let url = fresh_postgres_db(&base).await;
    let h = Harness::start_with(Options { database_url: Some(url), instances: 2, ..opts }).await;
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
async fn pg_a_close_during_the_payment_batch_waits_and_finds_the_order_paid() {
    let base = std::env::var("WXPAY_TEST_POSTGRES_URL").expect("WXPAY_TEST_POSTGRES_URL");
    let db = wxpay_server::Db::connect(&fresh_postgres_db(&base).await).await.unwrap();
    crate::group_commit::a_close_during_the_batch_waits_and_finds_the_order_paid(db).await;
}

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

/// API v3 on PostgreSQL, two instances sharing the database and WeChat's keys (downloaded
/// platform certificates): the shared cases, and one download per interval across both.
mod v3 {
    use std::time::Duration;

    use wxpay_server::api::ApiVersion;
    use wxpay_server::wechat_keys::{self, Ticked};

    use super::common::{self, Harness, Options};

    async fn two_v3_instances(tweak: fn(&mut wxpay_server::Config)) -> Harness {
        super::two_instances_of(Options { tweak, api: ApiVersion::V3, v3_keys: wxpay_sim::KeyMode::Certificate, ..Default::default() })
            .await
    }

    async fn harness(tweak: fn(&mut wxpay_server::Config)) -> Harness {
        two_v3_instances(tweak).await
    }

    notify_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
    notify_cases_v3!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);
    refund_cases!(#[ignore = "needs PostgreSQL: run by scripts/test-server"]);

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    #[ignore = "needs PostgreSQL: run by scripts/test-server"]
    async fn one_certificate_download_per_interval_across_two_instances() {
        let h = two_v3_instances(|_| {}).await;
        let downloads = || h.v3_calls(wxpay_sim::Endpoint::V3Certificates);
        assert_eq!(downloads(), 1, "the first instance downloaded at start; the second read the store");
        let store = |i: usize| h.servers[i].state.upstream.v3_keys().unwrap();
        assert_eq!(*store(0), *store(1), "both verify with the same keys");
        // Within the interval nothing is due, however often the instances look.
        h.clock.advance(Duration::from_secs(6 * 3600));
        for _ in 0..3 {
            let (a, b) = tokio::join!(wechat_keys::tick(&h.servers[0].state), wechat_keys::tick(&h.servers[1].state));
            assert_eq!((a.unwrap(), b.unwrap()), (Ticked::Unchanged, Ticked::Unchanged));
        }
        assert_eq!(downloads(), 1);
        // Past the 12 hours: both look at once, one downloads, the other reads what it saved.
        h.clock.advance(Duration::from_secs(6 * 3600 + 1));
        let (a, b) = tokio::join!(wechat_keys::tick(&h.servers[0].state), wechat_keys::tick(&h.servers[1].state));
        let ticked = [a.unwrap(), b.unwrap()];
        assert_eq!(ticked.iter().filter(|t| **t == Ticked::Refreshed).count(), 1, "{ticked:?}");
        assert_eq!(downloads(), 2, "one download for the interval, across both");
        for i in 0..2 {
            wechat_keys::tick(&h.servers[i].state).await.unwrap();
        }
        assert_eq!(*store(0), *store(1));
        assert_eq!(downloads(), 2);
        // And the shop still works on the refreshed keys.
        let (_, no) = h.paid_order().await;
        assert_eq!(h.stored_status(&no).await, "PAID");
    }
}
