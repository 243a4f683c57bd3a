//! The payment logic shared by the HTTP handlers, the notify endpoint and the reconciler:
//! getting a prepay_id, asking WeChat about an order, closing it. Each order is served in the API
//! it was placed with (v2's unifiedorder / orderquery / closeorder, or v3's JSAPI prepay, query
//! and close), whatever `WXPAY_API_VERSION` says now.

use wxpay::acceptance::{Mismatch, PaymentReport, PaymentVerdict};
use wxpay::{CloseOrder, CloseOrderResponse, OrderQuery, OrderQueryResponse, PaymentParams, TradeRef, TradeState};
use wxpay::{UnifiedOrder, UnifiedOrderResponse};

use crate::api::OrderApi;
use crate::clock::beijing_rfc3339;
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

/// The JSAPI prepay of a stored v3 order: built from the stored fields, as v2's is.
pub fn jsapi_order(state: &AppState, o: &Order) -> wxpay::v3::JsapiOrderRequest {
    let mut j = wxpay::v3::JsapiOrderRequest::new(
        o.product_name.clone(),
        o.out_trade_no.clone(),
        o.total_fee,
        state.settings.v3_notify_url(),
        o.openid.clone(),
    );
    j.time_expire = Some(beijing_rfc3339(o.expires_at.div_euclid(1000)));
    j
}

/// The order's prepay_id: the stored one while valid, else a (re)call of unifiedorder (v2) or
/// the JSAPI prepay (v3).
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
    let answer = match o.api {
        // Signed as the order was first placed: its notify is pinned to that sign type.
        OrderApi::V2(sign_type) => {
            state.upstream.pay_as::<_, UnifiedOrderResponse>(&unified_order(state, o), sign_type).await.map(|a| a.prepay_id)
        }
        OrderApi::V3 => state.upstream.call_v3(&jsapi_order(state, o)).await.map(|a| a.prepay_id),
    };
    match answer {
        Ok(prepay_id) => {
            let until = now + Upstream::PREPAY_VALIDITY.as_millis() as i64;
            if !state.db.orders().set_prepay(&o.out_trade_no, &prepay_id, until, state.clock.now_ms(), actor).await?.applied() {
                return Err(Error::Conflict("order is no longer payable".into()));
            }
            Ok(prepay_id)
        }
        Err(Error::Upstream { code, message }) if code == "ORDERPAID" => {
            // WeChat says it is paid: learn the transaction before answering.
            let _ = sync(state, o, actor).await;
            Err(Error::Upstream { code, message })
        }
        Err(Error::Upstream { code, message }) if code == "ORDERCLOSED" || code == "ORDER_CLOSED" => {
            let call = if o.api == OrderApi::V3 { "prepay (v3)" } else { "unifiedorder" };
            state.db.orders().close(&o.out_trade_no, state.clock.now_ms(), actor, &format!("{call}: {code}")).await?;
            Err(Error::Upstream { code, message })
        }
        Err(e) => Err(e),
    }
}

/// The `wx.requestPayment` parameters (without `appId`, which the call does not take): the same
/// object in both versions, `signType` `MD5` / `HMAC-SHA256` (v2) or `RSA` (v3).
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
    /// `MD5`, `HMAC-SHA256` or `RSA`.
    #[serde(rename = "signType")]
    pub sign_type: String,
    /// The signature.
    #[serde(rename = "paySign")]
    pub pay_sign: String,
}

/// Signs the payment parameters for a prepay_id as the order was placed: v2 with its sign type,
/// v3 with the merchant's RSA key.
///
/// # Errors
/// Core errors (a malformed prepay_id); [`Error::Config`] without the order's version's settings.
pub fn payment(state: &AppState, o: &Order, prepay_id: &str) -> Result<Payment> {
    let (now, nonce) = (state.clock.now_secs() as u64, wxpay::nonce_str()?);
    Ok(match o.api {
        OrderApi::V2(sign_type) => {
            let m = state.settings.v2()?;
            let p = PaymentParams::new(&m.appid, prepay_id, &m.key, sign_type, now, &nonce)?;
            Payment {
                time_stamp: p.time_stamp,
                nonce_str: p.nonce_str,
                package: p.package,
                sign_type: p.sign_type.as_str().to_owned(),
                pay_sign: p.pay_sign,
            }
        }
        OrderApi::V3 => {
            let p = state.settings.v3()?.merchant.payment_params(prepay_id, now, &nonce)?;
            Payment { time_stamp: p.time_stamp, nonce_str: p.nonce_str, package: p.package, sign_type: p.sign_type, pay_sign: p.pay_sign }
        }
    })
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

/// Where a query says an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queried {
    Paid,
    Closed,
    Unpaid,
}

/// Asks WeChat about `o` (orderquery in v2, the query by out_trade_no in v3) and records what it
/// learns.
///
/// # Errors
/// Upstream or database errors; [`Error::Conflict`] if WeChat's amount is not the order's.
pub async fn sync(state: &AppState, o: &Order, actor: &str) -> Result<Synced> {
    let not_placed = |e: &Error| matches!(e, Error::Upstream { code, .. } if code == "ORDERNOTEXIST" || code == "ORDER_NOT_EXIST");
    match o.api {
        OrderApi::V2(_) => {
            let q = OrderQuery { trade: TradeRef::OutTradeNo(o.out_trade_no.clone()) };
            let answer = match state.upstream.pay::<_, OrderQueryResponse>(&q).await {
                Ok(a) => a,
                Err(e) if not_placed(&e) => return Ok(Synced::Unpaid { exists: false }),
                Err(e) => return Err(e),
            };
            let queried = match answer.trade_state {
                TradeState::Success | TradeState::Refund => Queried::Paid,
                TradeState::Closed | TradeState::Revoked => Queried::Closed,
                TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => Queried::Unpaid,
            };
            let detail = format!(
                "orderquery: trade_state={} transaction_id={} total_fee={}",
                answer.trade_state,
                answer.transaction_id.as_deref().unwrap_or_default(),
                answer.total_fee.unwrap_or(wxpay::Fen::ZERO)
            );
            let time_end = answer.time_end.clone().unwrap_or_default();
            record_query(state, o, actor, queried, &PaymentReport::from(&answer), &time_end, &detail).await
        }
        OrderApi::V3 => {
            let q = wxpay::v3::QueryByOutTradeNoRequest { out_trade_no: o.out_trade_no.clone() };
            let t = match state.upstream.call_v3(&q).await {
                Ok(t) => t,
                Err(e) if not_placed(&e) => return Ok(Synced::Unpaid { exists: false }),
                Err(e) => return Err(e),
            };
            t.check_identity(&state.settings.appid, &state.settings.mch_id)?;
            use wxpay::v3::TradeState as T;
            let queried = match t.trade_state {
                T::Success | T::Refund => Queried::Paid,
                T::Closed | T::Revoked => Queried::Closed,
                _ => Queried::Unpaid,
            };
            let detail = format!(
                "query (v3): trade_state={} transaction_id={} total={}",
                t.trade_state,
                t.transaction_id.as_deref().unwrap_or_default(),
                t.amount.total
            );
            let time_end = t.success_time.as_deref().map(crate::clock::beijing14_of_rfc3339).unwrap_or_default();
            record_query(state, o, actor, queried, &PaymentReport::from(&t), &time_end, &detail).await
        }
    }
}

/// Records what a query said about `o`.
async fn record_query(
    state: &AppState,
    o: &Order,
    actor: &str,
    queried: Queried,
    report: &PaymentReport<'_>,
    time_end: &str,
    detail: &str,
) -> Result<Synced> {
    let now = state.clock.now_ms();
    state.db.orders().touch_checked(&o.out_trade_no, now).await?;
    match queried {
        Queried::Paid => {
            // Paid means paid by this payer, this amount (the core's acceptance rule): an answer
            // that does not say so never marks the order PAID (the reconciler surfaces it if it
            // keeps saying so).
            let txn = report.transaction_id.unwrap_or_default();
            match crate::acceptance::payment(Some(o), report) {
                PaymentVerdict::Refuse(Mismatch::TransactionIdMissing) => {
                    return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "paid order without transaction_id".into() });
                }
                PaymentVerdict::Refuse(m) => {
                    tracing::error!(out_trade_no = %o.out_trade_no, mismatch = m.code(), "the query's answer does not match the order: {m}");
                    return Err(Error::Conflict(format!("WeChat's payment does not match the order ({})", m.code())));
                }
                PaymentVerdict::AlreadyRecorded => return Ok(Synced::Paid),
                // Not for a paid trade_state; said as the rule would.
                PaymentVerdict::NothingToRecord => return Ok(Synced::Unpaid { exists: true }),
                PaymentVerdict::Record { .. } => {}
            }
            match state.db.orders().mark_paid(&o.out_trade_no, txn, time_end, now, actor, detail).await? {
                PaidOutcome::Applied { from, oversold } => {
                    log_paid(&o.out_trade_no, txn, from, oversold);
                    Ok(Synced::Paid)
                }
                PaidOutcome::AlreadyPaid { .. } => Ok(Synced::Paid),
                PaidOutcome::NotFound => Err(Error::NotFound("order")),
            }
        }
        Queried::Closed => {
            state.db.orders().close(&o.out_trade_no, now, actor, detail).await?;
            Ok(Synced::Closed)
        }
        Queried::Unpaid => Ok(Synced::Unpaid { exists: true }),
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

/// Closes an expired unpaid order at WeChat (closeorder in v2, close in v3), then here.
///
/// # Errors
/// Upstream or database errors.
pub async fn close(state: &AppState, o: &Order, actor: &str) -> Result<Synced> {
    let answer = match o.api {
        OrderApi::V2(_) => {
            state.upstream.pay::<_, CloseOrderResponse>(&CloseOrder { out_trade_no: o.out_trade_no.clone() }).await.map(|_| ())
        }
        OrderApi::V3 => state.upstream.call_v3(&wxpay::v3::CloseOrderRequest { out_trade_no: o.out_trade_no.clone() }).await,
    };
    let call = match o.api {
        OrderApi::V2(_) => "closeorder",
        OrderApi::V3 => "close (v3)",
    };
    let detail = match answer {
        Ok(()) => format!("{call}: SUCCESS"),
        Err(Error::Upstream { code, .. }) if code == "ORDERCLOSED" || code == "ORDER_CLOSED" => format!("{call}: {code}"),
        // Never placed at WeChat (the prepay failed): nothing to close there.
        Err(Error::Upstream { code, .. }) if code == "ORDERNOTEXIST" || code == "ORDER_NOT_EXIST" => format!("{call}: {code}"),
        Err(Error::Upstream { code, .. }) if code == "ORDERPAID" => return sync(state, o, actor).await,
        Err(e) => return Err(e),
    };
    state.db.orders().close(&o.out_trade_no, state.clock.now_ms(), actor, &detail).await?;
    Ok(Synced::Closed)
}
