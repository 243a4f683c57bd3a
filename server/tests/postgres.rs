//! The notify and refund scenarios on PostgreSQL with two server instances sharing the database.
//!
//! Needs a PostgreSQL server: `WXPAY_TEST_POSTGRES_URL=postgres://user@127.0.0.1:PORT/postgres`.
//! `./scripts/test-server` installs Debian's postgresql, starts a throwaway cluster, sets the
//! variable and runs these with `--ignored`; each test creates its own database.

mod common;

use common::{admin_cases, fresh_postgres_db, notify_cases as cases, refund_cases, stock_cases, Harness, Options};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_duplicate_notify_transitions_once_across_two_instances() {
    cases::duplicate_notify_transitions_once(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_forged_sign_without_state_change() {
    cases::rejects_forged_sign_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_wrong_amount_without_state_change() {
    cases::rejects_wrong_amount_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_wrong_mch_id_without_state_change() {
    cases::rejects_wrong_mch_id_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_unknown_order_without_state_change() {
    cases::rejects_unknown_order_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_xxe_payload_without_state_change() {
    cases::rejects_xxe_payload_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_rejects_oversized_body_without_state_change() {
    cases::rejects_oversized_body_without_state_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_genuine_notify_after_refusals_still_applies() {
    cases::genuine_notify_after_refusals_still_applies(&two_instances().await).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_full_refund_reaches_success() {
    refund_cases::full_refund_reaches_success(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_partial_refunds_up_to_the_total_then_one_more_is_refused() {
    refund_cases::partial_refunds_up_to_the_total_then_one_more_is_refused(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_concurrent_requests_never_exceed_the_total_across_two_instances() {
    refund_cases::concurrent_requests_never_exceed_the_total(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_concurrent_approvals_make_one_upstream_call_across_two_instances() {
    refund_cases::concurrent_approvals_make_one_upstream_call(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_refund_notify_replayed_20x_transitions_once_across_two_instances() {
    refund_cases::refund_notify_replayed_20x_transitions_once(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_tampered_req_info_is_refused_without_change() {
    refund_cases::tampered_req_info_is_refused_without_change(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_refund_left_processing_is_settled_by_refundquery() {
    refund_cases::refund_left_processing_is_settled_by_refundquery(&two_instances().await).await;
}

// Stock on PostgreSQL, two instances sharing the database.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_order_takes_its_units_once_per_checkout() {
    stock_cases::order_takes_its_units_once_per_checkout(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_order_beyond_stock_is_refused_before_wechat() {
    stock_cases::order_beyond_stock_is_refused_before_wechat(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_concurrent_checkouts_never_oversell_across_two_instances() {
    stock_cases::concurrent_checkouts_never_oversell(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_closing_gives_the_units_back_once_across_two_instances() {
    stock_cases::closing_gives_the_units_back_once(&two_instances_with(stock_cases::short_orders).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_close_racing_a_payment_settles_the_stock_once() {
    stock_cases::close_racing_a_payment_settles_the_stock_once(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_payment_after_close_takes_the_units_again_or_flags_oversold() {
    stock_cases::payment_after_close_takes_the_units_again_or_flags_oversold(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_order_json_tells_its_refund_story() {
    refund_cases::order_json_tells_its_refund_story(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_reject_reason_is_checked_like_the_payers() {
    refund_cases::reject_reason_is_checked_like_the_payers(&two_instances().await).await;
}

// The back office on PostgreSQL, two instances sharing the database.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_search_pages_every_order_once_with_ties() {
    admin_cases::search_pages_every_order_once_with_ties(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_totals_cut_days_at_beijing_midnight() {
    admin_cases::totals_cut_days_at_beijing_midnight(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_merchant_refund_is_approved_at_once_and_kept_within_the_total() {
    admin_cases::merchant_refund_is_approved_at_once_and_kept_within_the_total(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_handled_offline_changes_no_money_state() {
    admin_cases::handled_offline_changes_no_money_state(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_requery_resolves_a_change_refund() {
    admin_cases::requery_resolves_a_change_refund(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_pulse_moves_on_every_instance() {
    admin_cases::pulse_moves_on_every_instance(&two_instances().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run by scripts/test-server"]
async fn pg_reconciliation_lists_the_differences() {
    admin_cases::reconciliation_lists_the_differences(&two_instances().await).await;
}
