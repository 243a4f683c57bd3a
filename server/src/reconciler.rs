//! The background reconciler: orders left NOTPAY for a while are checked with orderquery
//! (a lost notify is found this way), and orders past their `time_expire` (and at least five
//! minutes old, as closeorder requires) are closed with closeorder, then marked CLOSED. Safe to run on several instances at once: every change is
//! a conditional update.

use std::time::Duration;

use crate::payments::{self, Synced};
use crate::AppState;

/// WeChat refuses closeorder sooner than about five minutes after the order was created.
const CLOSE_NOT_BEFORE_MS: i64 = 5 * 60 * 1000;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Orders looked at.
    pub checked: u32,
    /// Found paid.
    pub paid: u32,
    /// Closed.
    pub closed: u32,
    /// Failed (retried next pass).
    pub failed: u32,
}

/// One pass over the stale unpaid orders (at most 100).
pub async fn run_once(state: &AppState) -> Pass {
    let now = state.clock.now_ms();
    let before = now - state.settings.reconcile_after.as_millis() as i64;
    let mut pass = Pass::default();
    let orders = match state.db.stale_unpaid(before, 100).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "reconciler could not list orders");
            return pass;
        }
    };
    for o in orders {
        pass.checked += 1;
        let outcome = match payments::sync(state, &o, "reconciler").await {
            Ok(Synced::Unpaid { .. })
                if o.expires_at.max(o.created_at + CLOSE_NOT_BEFORE_MS) <= state.clock.now_ms() =>
            {
                payments::close(state, &o, "reconciler").await
            }
            other => other,
        };
        match outcome {
            Ok(Synced::Paid) => pass.paid += 1,
            Ok(Synced::Closed) => pass.closed += 1,
            Ok(Synced::Unpaid { .. }) => {}
            Err(e) => {
                pass.failed += 1;
                tracing::warn!(out_trade_no = %o.out_trade_no, error = %e, "reconciler will retry");
            }
        }
    }
    if pass.checked > 0 {
        tracing::info!(?pass, "reconciler pass");
    }
    pass
}

/// Runs a pass every `reconcile_interval` (nothing if it is zero), and purges expired sessions.
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
            if let Err(e) = state.db.purge_sessions(state.clock.now_ms()).await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    }))
}
