//! The background reconciler. Orders left NOTPAY for a while are checked with orderquery (a
//! lost notify is found this way); orders past their `time_expire` (and at least five minutes
//! old, as closeorder requires) are closed with closeorder, then marked CLOSED. Refunds in
//! flight (APPROVED, PROCESSING, CHANGE) are visited under their claim (see `refunds::visit`).
//!
//! Fair and bounded: refunds and orders are visited in turn, each kind least recently checked
//! first (not oldest first), so neither starves the other; a row
//! that fails backs off on its own (doubling), a row failing [`SURFACE_AFTER_FAILURES`] times in
//! a row is logged and shown to the admin instead of blocking the rest, and a pass stops when
//! its time budget is spent. Safe to run on several instances at once: every change is a
//! conditional update, and refunds are claimed.

use std::time::{Duration, Instant};

use crate::db::orders::Order;
use crate::db::refunds::Refund;
use crate::db::SURFACE_AFTER_FAILURES;
use crate::payments::{self, Synced};
use crate::refunds::{self, Visited};
use crate::AppState;

/// WeChat refuses closeorder sooner than about five minutes after the order was created.
const CLOSE_NOT_BEFORE_MS: i64 = 5 * 60 * 1000;

/// Rows of each kind looked at in one pass, at most.
const PER_PASS: i64 = 100;

/// How often expired login sessions are deleted.
const SESSION_PURGE_EVERY: Duration = Duration::from_secs(600);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Orders looked at.
    pub checked: u32,
    /// Found paid.
    pub paid: u32,
    /// Closed.
    pub closed: u32,
    /// Failed (visited again after a back-off).
    pub failed: u32,
    /// Refunds visited (refund call or refundquery).
    pub refunds_checked: u32,
    /// Refunds found final by refundquery (SUCCESS, CLOSED).
    pub refunds_settled: u32,
    /// The time budget ran out before every due row was visited.
    pub out_of_time: bool,
}

/// A row due for a visit.
enum Due {
    Order(Order),
    Refund(Refund),
}

/// Refunds and orders taken in turn, a refund first: however many orders keep failing (or
/// refunds), the other kind still gets half of every pass, so a lost refund notify is not left
/// behind unpaid orders until the budget runs out.
fn in_turn(refunds: Vec<Refund>, orders: Vec<Order>) -> Vec<Due> {
    let (mut r, mut o) = (refunds.into_iter().map(Due::Refund), orders.into_iter().map(Due::Order));
    let mut all = Vec::new();
    loop {
        match (r.next(), o.next()) {
            (None, None) => return all,
            (a, b) => all.extend(a.into_iter().chain(b)),
        }
    }
}

/// One pass: the due refunds and unpaid orders in turn, within the time budget.
pub async fn run_once(state: &AppState) -> Pass {
    let started = Instant::now();
    let budget = state.settings.reconcile_budget;
    let now = state.clock.now_ms();
    let before = now - state.settings.reconcile_after.as_millis() as i64;
    let mut pass = Pass::default();
    let orders = state.db.orders().due_unpaid(before, now, PER_PASS).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "reconciler could not list orders");
        Vec::new()
    });
    let refunds = state.db.refunds().due(before, now, PER_PASS).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "reconciler could not list refunds");
        Vec::new()
    });
    for due in in_turn(refunds, orders) {
        if started.elapsed() >= budget {
            pass.out_of_time = true;
            break;
        }
        match due {
            Due::Order(o) => order_turn(state, &o, &mut pass).await,
            Due::Refund(r) => refund_turn(state, &r, &mut pass).await,
        }
    }
    if pass.out_of_time {
        tracing::warn!(?pass, ?budget, "reconciler pass ran out of time; the rest waits for the next pass");
    } else if pass.checked > 0 || pass.refunds_checked > 0 {
        tracing::info!(?pass, "reconciler pass");
    }
    pass
}

async fn order_turn(state: &AppState, o: &Order, pass: &mut Pass) {
    // Another instance (or the order page) asked WeChat a moment ago: its turn is taken.
    let now = state.clock.now_ms();
    if !state.db.claims().order_check(&o.out_trade_no, now, now - 1_000).await.unwrap_or(false) {
        return;
    }
    pass.checked += 1;
    match visit_order(state, o, "reconciler").await {
        Ok(Synced::Paid) => pass.paid += 1,
        Ok(Synced::Closed) => pass.closed += 1,
        Ok(Synced::Unpaid { .. }) => {}
        Err(_) => pass.failed += 1,
    }
}

/// One visit of an unpaid order whose turn the caller has claimed (`claim_order_check`):
/// orderquery, and closeorder once it is past `time_expire` (and five minutes old). A failure is
/// recorded on the order with its back-off, and logged once when it starts needing a person.
///
/// # Errors
/// Upstream or database errors (already recorded on the order).
pub async fn visit_order(state: &AppState, o: &Order, actor: &str) -> crate::Result<Synced> {
    let outcome = match payments::sync(state, o, actor).await {
        Ok(Synced::Unpaid { .. }) if o.expires_at.max(o.created_at + CLOSE_NOT_BEFORE_MS) <= state.clock.now_ms() => {
            payments::close(state, o, actor).await
        }
        other => other,
    };
    if let Err(e) = &outcome {
        let now = state.clock.now_ms();
        let next = now + refunds::backoff_ms(state, o.failures);
        match state.db.orders().note_failure(&o.out_trade_no, &e.to_string(), now, next).await {
            Ok(n) if n == SURFACE_AFTER_FAILURES => {
                tracing::error!(out_trade_no = %o.out_trade_no, failures = n, error = %e, "order keeps failing; shown to the admin as needing action");
            }
            Ok(_) => tracing::warn!(out_trade_no = %o.out_trade_no, error = %e, "reconciler will retry after a back-off"),
            Err(db) => tracing::error!(out_trade_no = %o.out_trade_no, error = %db, "could not record the failure"),
        }
    }
    outcome
}

async fn refund_turn(state: &AppState, r: &Refund, pass: &mut Pass) {
    match refunds::visit(state, &r.out_refund_no, "reconciler").await {
        Ok(Visited::Skipped) => {}
        Ok(Visited::Moved(s)) => {
            pass.refunds_checked += 1;
            pass.refunds_settled += u32::from(s.is_final());
        }
        Ok(Visited::Unchanged) => pass.refunds_checked += 1,
        Err(e) => {
            pass.refunds_checked += 1;
            pass.failed += 1;
            tracing::warn!(out_refund_no = %r.out_refund_no, error = %e, "reconciler will retry the refund after a back-off");
        }
    }
}

/// Runs a pass every `reconcile_interval` (nothing if it is zero).
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.settings.reconcile_interval;
    if every == Duration::ZERO {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            run_once(&state).await;
        }
    }))
}

/// Deletes expired login sessions every ten minutes, on a schedule of its own (also when the
/// reconciler is off).
pub fn spawn_session_purge(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SESSION_PURGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match state.db.sessions().purge(state.clock.now_ms()).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired sessions deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
        }
    })
}
