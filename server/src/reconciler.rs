//! The background reconciler: refunds left APPROVED or PROCESSING (see `refunds`), and orders left NOTPAY for a while are checked with orderquery
//! (a lost notify is found this way), and orders past their `time_expire` (and at least five
//! minutes old, as closeorder requires) are closed with closeorder, then marked CLOSED. Safe to run on several instances at once: every change is
//! a conditional update.

use std::time::Duration;

use crate::db::refunds::RefundState;
use crate::payments::{self, Synced};
use crate::refunds;
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
    /// Refunds re-sent (APPROVED with an unknown outcome) or queried (PROCESSING).
    pub refunds_checked: u32,
    /// Refunds found final by refundquery.
    pub refunds_settled: u32,
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
    refunds(state, before, &mut pass).await;
    if pass.checked > 0 || pass.refunds_checked > 0 {
        tracing::info!(?pass, "reconciler pass");
    }
    pass
}

/// Refunds: APPROVED ones whose call had an unknown outcome get the same request again
/// (WeChat refunds an out_refund_no once); PROCESSING ones are asked about with refundquery.
async fn refunds(state: &AppState, before: i64, pass: &mut Pass) {
    for status in [RefundState::Approved, RefundState::Processing] {
        let list = match state.db.stale_refunds(status, before, 100).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "reconciler could not list refunds");
                return;
            }
        };
        for r in list {
            pass.refunds_checked += 1;
            let outcome = match status {
                RefundState::Approved => refunds::send(state, &r, "reconciler").await.map(|_| None),
                _ => refunds::sync(state, &r, "reconciler").await,
            };
            match outcome {
                Ok(Some(_)) => pass.refunds_settled += 1,
                Ok(None) => {}
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(out_refund_no = %r.out_refund_no, error = %e, "reconciler will retry the refund");
                }
            }
        }
    }
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
