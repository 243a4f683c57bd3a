//! The payment logic shared by the HTTP handlers, the notify endpoint and the reconciler:
//! getting a prepay_id, asking WeChat about an order, closing it.

use wxpay::acceptance::{Mismatch, PaymentReport, PaymentVerdict};
use wxpay::{CloseOrder, CloseOrderResponse, OrderQuery, OrderQueryResponse, PaymentParams, SignType, TradeRef, TradeState};
use wxpay::{UnifiedOrder, UnifiedOrderResponse};

use crate::db::orders::{Order, OrderStatus, PaidOutcome};
use crate::error::{Error, Result};
use crate::upstream::Upstream;
use crate::AppState;

/// A prepay_id is reused while it has at least this long to live.
const PREPAY_MARGIN_MS: i64 = 60_000;

/// The unifiedorder of a stored order: always built from the stored fields, so a retry or a
/// renewal sends exactly the parameters of the first call (otherwise `OUT_TRADE_NO_USED`).
pub fn unified_order(state: &AppState, o: &Order) -> UnifiedOrder {
    let mut u = UnifiedOrder::new(
        o.product_name.clone(),
        o.out_trade_no.clone(),
        o.total_fee,
        o.spbill_create_ip.clone(),
        state.settings.notify_url(),
        o.openid.clone(),
    );
    u.time_start = Some(o.time_start.clone());
    u.time_expire = Some(o.time_expire.clone());
    u
}

/// The order's prepay_id: the stored one while valid, else a (re)call of unifiedorder.
///
/// # Errors
/// [`Error::Conflict`] if the order is no longer payable, upstream errors.
pub async fn ensure_prepay(state: &AppState, o: &Order, actor: &str) -> Result<String> {
    let now = state.clock.now_ms();
    if o.status != OrderStatus::Notpay {
        return Err(Error::Conflict(format!("order is {}", o.status.as_str())));
    }
    if o.expires_at <= now + PREPAY_MARGIN_MS {
        return Err(Error::Conflict("order has expired".into()));
    }
    if let (Some(id), Some(until)) = (&o.prepay_id, o.prepay_expires_at) {
        if until > now + PREPAY_MARGIN_MS {
            return Ok(id.clone());
        }
    }
    // Signed as the order was first placed: its notify is pinned to that sign type.
    let answer = state.upstream.pay_as::<_, UnifiedOrderResponse>(&unified_order(state, o), o.sign_type).await;
    match answer {
        Ok(a) => {
            let until = now + Upstream::PREPAY_VALIDITY.as_millis() as i64;
            if !state.db.orders().set_prepay(&o.out_trade_no, &a.prepay_id, until, state.clock.now_ms(), actor).await?.applied() {
                return Err(Error::Conflict("order is no longer payable".into()));
            }
            Ok(a.prepay_id)
        }
        Err(Error::Upstream { code, message }) if code == "ORDERPAID" => {
            // WeChat says it is paid: learn the transaction before answering.
            let _ = sync(state, o, actor).await;
            Err(Error::Upstream { code, message })
        }
        Err(Error::Upstream { code, message }) if code == "ORDERCLOSED" => {
            state.db.orders().close(&o.out_trade_no, state.clock.now_ms(), actor, "unifiedorder: ORDERCLOSED").await?;
            Err(Error::Upstream { code, message })
        }
        Err(e) => Err(e),
    }
}

/// The `wx.requestPayment` parameters (without `appId`, which the call does not take).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Payment {
    /// Seconds, as a string.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// Random.
    #[serde(rename = "nonceStr")]
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    /// `MD5` or `HMAC-SHA256`.
    #[serde(rename = "signType")]
    pub sign_type: SignType,
    /// The signature.
    #[serde(rename = "paySign")]
    pub pay_sign: String,
}

/// Signs the payment parameters for a prepay_id with the order's sign type.
///
/// # Errors
/// Core errors (a malformed prepay_id).
pub fn payment(state: &AppState, o: &Order, prepay_id: &str) -> Result<Payment> {
    let m = &state.settings.merchant;
    let p = PaymentParams::new(&m.appid, prepay_id, &m.key, o.sign_type, state.clock.now_secs() as u64, &wxpay::nonce_str()?)?;
    Ok(Payment { time_stamp: p.time_stamp, nonce_str: p.nonce_str, package: p.package, sign_type: p.sign_type, pay_sign: p.pay_sign })
}

/// What WeChat said about an unpaid order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    /// It is paid (now recorded).
    Paid,
    /// It is closed (now recorded).
    Closed,
    /// Still unpaid (`exists` false: WeChat has never seen it).
    Unpaid {
        /// Whether WeChat knows the order.
        exists: bool,
    },
}

/// Asks orderquery about `o` and records what it learns.
///
/// # Errors
/// Upstream or database errors; [`Error::Conflict`] if WeChat's amount is not the order's.
pub async fn sync(state: &AppState, o: &Order, actor: &str) -> Result<Synced> {
    let q = OrderQuery { trade: TradeRef::OutTradeNo(o.out_trade_no.clone()) };
    let answer = match state.upstream.pay::<_, OrderQueryResponse>(&q).await {
        Ok(a) => a,
        Err(Error::Upstream { code, .. }) if code == "ORDERNOTEXIST" => return Ok(Synced::Unpaid { exists: false }),
        Err(e) => return Err(e),
    };
    let now = state.clock.now_ms();
    state.db.orders().touch_checked(&o.out_trade_no, now).await?;
    match answer.trade_state {
        TradeState::Success | TradeState::Refund => {
            // Paid means paid by this payer, this amount (the core's acceptance rule): an answer
            // that does not say so never marks the order PAID (the reconciler surfaces it if it
            // keeps saying so).
            let txn = answer.transaction_id.as_deref().unwrap_or_default();
            match crate::acceptance::payment(Some(o), &PaymentReport::from(&answer)) {
                PaymentVerdict::Refuse(Mismatch::TransactionIdMissing) => {
                    return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "paid order without transaction_id".into() });
                }
                PaymentVerdict::Refuse(m) => {
                    tracing::error!(out_trade_no = %o.out_trade_no, mismatch = m.code(), "orderquery does not match the order: {m}");
                    return Err(Error::Conflict(format!("WeChat's payment does not match the order ({})", m.code())));
                }
                PaymentVerdict::AlreadyRecorded => return Ok(Synced::Paid),
                // Not for a paid trade_state; said as the rule would.
                PaymentVerdict::NothingToRecord => return Ok(Synced::Unpaid { exists: true }),
                PaymentVerdict::Record { .. } => {}
            }
            let detail = format!(
                "orderquery: trade_state={} transaction_id={txn} total_fee={}",
                answer.trade_state,
                answer.total_fee.unwrap_or(wxpay::Fen::ZERO)
            );
            let time_end = answer.time_end.clone().unwrap_or_default();
            match state.db.orders().mark_paid(&o.out_trade_no, txn, &time_end, now, actor, &detail).await? {
                PaidOutcome::Applied { from, oversold } => {
                    log_paid(&o.out_trade_no, txn, from, oversold);
                    Ok(Synced::Paid)
                }
                PaidOutcome::AlreadyPaid { .. } => Ok(Synced::Paid),
                PaidOutcome::NotFound => Err(Error::NotFound("order")),
            }
        }
        TradeState::Closed | TradeState::Revoked => {
            state.db.orders().close(&o.out_trade_no, now, actor, &format!("orderquery: trade_state={}", answer.trade_state)).await?;
            Ok(Synced::Closed)
        }
        TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => Ok(Synced::Unpaid { exists: true }),
    }
}

/// Logs a payment just recorded; one for an order we had closed is a warning (a person should
/// refund it or ship it), louder when its units had gone to other orders.
pub fn log_paid(no: &str, transaction_id: &str, from: OrderStatus, oversold: bool) {
    match (from, oversold) {
        (OrderStatus::Closed, true) => {
            tracing::warn!(out_trade_no = %no, transaction_id, "payment for an order we had closed, and its stock is gone: PAID and flagged oversold (refund or restock)")
        }
        (OrderStatus::Closed, false) => {
            tracing::warn!(out_trade_no = %no, transaction_id, "payment for an order we had closed: PAID, stock taken again, flagged (refund or ship)")
        }
        _ => tracing::info!(out_trade_no = %no, transaction_id, "order paid"),
    }
}

/// Closes an expired unpaid order at WeChat, then here.
///
/// # Errors
/// Upstream or database errors.
pub async fn close(state: &AppState, o: &Order, actor: &str) -> Result<Synced> {
    let answer = state.upstream.pay::<_, CloseOrderResponse>(&CloseOrder { out_trade_no: o.out_trade_no.clone() }).await;
    let detail = match answer {
        Ok(_) => "closeorder: SUCCESS",
        Err(Error::Upstream { code, .. }) if code == "ORDERCLOSED" => "closeorder: ORDERCLOSED",
        // Never placed at WeChat (unifiedorder failed): nothing to close there.
        Err(Error::Upstream { code, .. }) if code == "ORDERNOTEXIST" => "closeorder: ORDERNOTEXIST",
        Err(Error::Upstream { code, .. }) if code == "ORDERPAID" => return sync(state, o, actor).await,
        Err(e) => return Err(e),
    };
    state.db.orders().close(&o.out_trade_no, state.clock.now_ms(), actor, detail).await?;
    Ok(Synced::Closed)
}
