//! What a person does in the back office that changes state, apart from refunds (`refunds.rs`):
//! restocking, asking WeChat about an unpaid order now, and marking an exception handled
//! offline. The handlers in `http/admin/` read the request, call these and shape the answer.

use crate::db::orders::{Order, OrderStatus};
use crate::db::products::{Product, StockChange};
use crate::db::refunds::Refund;
use crate::db::search::OrderRow;
use crate::error::{Error, Result};
use crate::payments::Synced;
use crate::AppState;

/// A merchant's stock change, with its audit row.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Invalid`] (below zero), database errors.
pub async fn change_stock(state: &AppState, id: i64, change: StockChange, actor: &str) -> Result<Product> {
    let p = state.db.products().change_stock(id, change, state.clock.now_ms(), actor).await?;
    tracing::info!(product = id, ?change, stock = ?p.stock, "stock changed by the merchant");
    Ok(p)
}

/// The reconciler's visit of an unpaid order, now: orderquery (closeorder once expired), taking
/// the order's turn as any poller does, at most once per `every_ms` across instances.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Conflict`] (not NOTPAY), [`Error::RateLimited`] (asked a moment
/// ago), upstream and database errors.
pub async fn requery_order(state: &AppState, no: &str, every_ms: i64, actor: &str) -> Result<Order> {
    let o = state.db.orders().get(no).await?.ok_or(Error::NotFound("order"))?;
    if o.status != OrderStatus::Notpay {
        return Err(Error::Conflict(format!("order is {}: there is nothing to ask WeChat", o.status.as_str())));
    }
    let now = state.clock.now_ms();
    if !state.db.claims().order_check(no, now, now - every_ms).await? {
        return Err(Error::RateLimited("WeChat was asked about it a moment ago; try again in a few seconds".into()));
    }
    let outcome = crate::reconciler::visit_order(state, &o, actor).await;
    if let Ok(Synced::Paid | Synced::Closed) = outcome {
        tracing::info!(out_trade_no = %no, ?outcome, "order settled by a merchant's re-query");
    }
    outcome?;
    state.db.orders().get(no).await?.ok_or(Error::NotFound("order"))
}

/// A CHANGE refund dealt with offline: a note, not a move.
///
/// # Errors
/// As [`crate::db::refunds::Refunds::handled_offline`].
pub async fn refund_handled(state: &AppState, no: &str, note: &str, actor: &str) -> Result<Refund> {
    let r = state.db.refunds().handled_offline(no, note, state.clock.now_ms(), actor).await?;
    tracing::info!(out_refund_no = %no, "CHANGE refund marked handled offline (still CHANGE)");
    Ok(r)
}

/// An order paid after close dealt with offline (shipped, settled): a note, not a move.
///
/// # Errors
/// As [`crate::db::orders::Orders::handled_offline`].
pub async fn order_handled(state: &AppState, no: &str, note: &str, actor: &str) -> Result<OrderRow> {
    let o = state.db.orders().handled_offline(no, note, state.clock.now_ms(), actor).await?;
    tracing::info!(out_trade_no = %no, "paid-after-close order marked handled offline");
    Ok(o)
}
