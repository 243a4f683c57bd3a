//! Orders: placed by unifiedorder, paid, cancelled or failed by the user, closed by the
//! merchant, queried.

use serde::Serialize;
use wxpay::time::beijing14;
use wxpay::{SignType, TradeState};

use super::{Ledger, Model, Refusal};

/// Prepay ids live two hours.
const PREPAY_TTL_MS: i64 = 2 * 3600 * 1000;

/// An order as the simulator (WeChat) knows it.
#[derive(Clone, Debug, Serialize)]
pub struct SimOrder {
    /// Merchant order number.
    pub out_trade_no: String,
    /// The parameters of the first unifiedorder (minus nonce and sign), for OUT_TRADE_NO_USED.
    #[serde(skip)]
    fingerprint: String,
    /// Current prepay_id.
    pub prepay_id: String,
    /// When it stops being valid (ms).
    pub prepay_expires_ms: i64,
    /// WeChat's trade state.
    pub trade_state: TradeState,
    /// Amount.
    pub total_fee: u64,
    /// `body` (the bill's 商品名称).
    pub body: String,
    /// Payer.
    pub openid: String,
    /// Where notifies go.
    pub notify_url: String,
    /// The order's sign type (notifies are signed with it).
    pub sign_type: SignType,
    /// Echoed attach.
    pub attach: Option<String>,
    /// time_expire as ms, if given.
    pub time_expire_ms: Option<i64>,
    /// Once paid.
    pub transaction_id: Option<String>,
    /// Once paid (`yyyyMMddHHmmss`).
    pub time_end: Option<String>,
    /// Once paid (ms).
    pub paid_ms: Option<i64>,
    /// When the first unifiedorder placed it (ms).
    pub created_ms: i64,
    /// How many unifiedorder calls named this out_trade_no.
    pub unifiedorder_calls: u32,
    /// How many times the user closed the payment sheet without paying.
    pub cancellations: u32,
}

impl SimOrder {
    /// A paid order nobody placed, for what a v3 probe notify describes (never stored).
    pub(crate) fn probe_sample(now_ms: i64) -> SimOrder {
        let digits: String = wxpay::nonce_str().unwrap_or_default().bytes().map(|b| char::from(b'0' + b % 10)).collect();
        SimOrder {
            out_trade_no: format!("SIGNTEST{}", &digits[..16]),
            fingerprint: String::new(),
            prepay_id: String::new(),
            prepay_expires_ms: now_ms,
            trade_state: TradeState::Success,
            total_fee: 1,
            body: "probe".into(),
            openid: format!("o{}", &digits[..27]),
            notify_url: String::new(),
            sign_type: SignType::HmacSha256,
            attach: None,
            time_expire_ms: None,
            transaction_id: Some(format!("4200{}", &digits[..24])),
            time_end: Some(beijing14(now_ms / 1000)),
            paid_ms: Some(now_ms),
            created_ms: now_ms,
            unifiedorder_calls: 0,
            cancellations: 0,
        }
    }

    /// Paid, whether refunded since or not.
    pub(crate) fn is_paid(&self) -> bool {
        matches!(self.trade_state, TradeState::Success | TradeState::Refund)
    }
}

/// A unifiedorder's order, its parameters checked.
pub(crate) struct NewOrder {
    pub(crate) out_trade_no: String,
    /// The call's parameters but nonce and sign: the same out_trade_no with others is refused.
    pub(crate) fingerprint: String,
    pub(crate) total_fee: u64,
    pub(crate) body: String,
    pub(crate) openid: String,
    pub(crate) notify_url: String,
    pub(crate) sign_type: SignType,
    pub(crate) attach: Option<String>,
    pub(crate) time_expire_ms: Option<i64>,
}

/// How a call names an order.
#[derive(Clone, Copy, Debug)]
pub(crate) enum OrderKey<'a> {
    /// The merchant's number.
    OutTradeNo(&'a str),
    /// WeChat's number, once paid.
    TransactionId(&'a str),
    /// The prepay_id the payment sheet was shown for.
    PrepayId(&'a str),
}

impl OrderKey<'_> {
    fn matches(self, o: &SimOrder) -> bool {
        match self {
            OrderKey::OutTradeNo(n) => o.out_trade_no == n,
            OrderKey::TransactionId(t) => o.transaction_id.as_deref() == Some(t),
            OrderKey::PrepayId(p) => o.prepay_id == p,
        }
    }
}

/// A payment just made.
#[derive(Debug)]
pub(crate) struct Paid {
    pub(crate) out_trade_no: String,
    pub(crate) transaction_id: String,
}

impl Ledger {
    pub(super) fn order_mut(&mut self, key: OrderKey<'_>) -> Option<&mut SimOrder> {
        match key {
            OrderKey::OutTradeNo(n) => self.orders.get_mut(n),
            _ => self.orders.values_mut().find(|o| key.matches(o)),
        }
    }
}

impl Model {
    fn new_prepay_id(&self, now_ms: i64) -> String {
        format!("wx{}{:010}{}", beijing14(now_ms / 1000), self.next_seq(), &wxpay::nonce_str().unwrap_or_default()[..8])
    }

    /// unifiedorder: places the order, or finds it again when the same parameters come back
    /// (a fresh prepay_id once the old one expired). Returns the prepay_id.
    pub(crate) fn place_order(&self, new: NewOrder) -> Result<String, Refusal> {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        if let Some(o) = l.orders.get_mut(&new.out_trade_no) {
            o.unifiedorder_calls += 1;
            match o.trade_state {
                TradeState::Success | TradeState::Refund => return Err(Refusal::OrderPaid),
                TradeState::Closed | TradeState::Revoked => return Err(Refusal::OrderClosed),
                _ => {}
            }
            if o.fingerprint != new.fingerprint {
                return Err(Refusal::OutTradeNoUsed);
            }
            if o.prepay_expires_ms <= now {
                o.prepay_id = self.new_prepay_id(now);
                o.prepay_expires_ms = now + PREPAY_TTL_MS;
            }
            return Ok(o.prepay_id.clone());
        }
        let prepay_id = self.new_prepay_id(now);
        tracing::info!(out_trade_no = %new.out_trade_no, total_fee = new.total_fee, "order placed");
        let order = SimOrder {
            out_trade_no: new.out_trade_no.clone(),
            fingerprint: new.fingerprint,
            prepay_id: prepay_id.clone(),
            prepay_expires_ms: now + PREPAY_TTL_MS,
            trade_state: TradeState::Notpay,
            total_fee: new.total_fee,
            body: new.body,
            openid: new.openid,
            notify_url: new.notify_url,
            sign_type: new.sign_type,
            attach: new.attach,
            time_expire_ms: new.time_expire_ms,
            transaction_id: None,
            time_end: None,
            paid_ms: None,
            created_ms: now,
            unifiedorder_calls: 1,
            cancellations: 0,
        };
        l.orders.insert(new.out_trade_no, order);
        Ok(prepay_id)
    }

    /// The order as it is now.
    pub(crate) fn order(&self, key: OrderKey<'_>) -> Option<SimOrder> {
        self.ledger().order_mut(key).map(|o| o.clone())
    }

    /// orderquery: the order as it is now.
    pub(crate) fn query_order(&self, key: OrderKey<'_>) -> Result<SimOrder, Refusal> {
        self.order(key).ok_or(Refusal::OrderNotExist)
    }

    /// Every order, oldest first.
    pub(crate) fn orders(&self) -> Vec<SimOrder> {
        let mut list: Vec<SimOrder> = self.ledger().orders.values().cloned().collect();
        list.sort_by_key(|o| o.created_ms);
        list
    }

    /// How many orders there are.
    pub(crate) fn order_count(&self) -> usize {
        self.ledger().orders.len()
    }

    /// closeorder: an unpaid order closes.
    pub(crate) fn close(&self, out_trade_no: &str) -> Result<(), Refusal> {
        let mut l = self.ledger();
        let o = l.orders.get_mut(out_trade_no).ok_or(Refusal::OrderNotExist)?;
        match o.trade_state {
            TradeState::Success | TradeState::Refund => Err(Refusal::OrderPaid),
            TradeState::Closed | TradeState::Revoked => Err(Refusal::OrderClosed),
            _ => {
                o.trade_state = TradeState::Closed;
                tracing::info!(out_trade_no, "order closed");
                Ok(())
            }
        }
    }

    /// The user pays (with `sign_type` when the payment sheet was signed, which must be the
    /// order's): the order becomes SUCCESS with a transaction id.
    pub(crate) fn pay(&self, key: OrderKey<'_>, sign_type: Option<SignType>) -> Result<Paid, Refusal> {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        let o = l.order_mut(key).ok_or(Refusal::OrderNotExist)?;
        if o.prepay_expires_ms <= now {
            return Err(Refusal::PrepayExpired);
        }
        if sign_type.is_some_and(|t| t != o.sign_type) {
            return Err(Refusal::SignTypeMismatch);
        }
        match o.trade_state {
            // PAYERROR: the bank refused; the user may pay again (another card).
            TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => {}
            TradeState::Success | TradeState::Refund => return Err(Refusal::OrderPaid),
            TradeState::Closed | TradeState::Revoked => return Err(Refusal::OrderClosed),
        }
        if o.time_expire_ms.is_some_and(|t| t <= now) {
            return Err(Refusal::OrderExpired);
        }
        let txn = format!("4200{:024}", self.next_seq() + (now as u64 % 1_000_000_000) * 1_000_000);
        o.trade_state = TradeState::Success;
        o.transaction_id = Some(txn.clone());
        o.time_end = Some(beijing14(now / 1000));
        o.paid_ms = Some(now);
        Ok(Paid { out_trade_no: o.out_trade_no.clone(), transaction_id: txn })
    }

    /// The user closes the payment sheet: nothing changes at WeChat but the count. Returns
    /// whether the order exists.
    pub(crate) fn cancel_payment(&self, key: OrderKey<'_>) -> bool {
        match self.ledger().order_mut(key) {
            Some(o) => {
                o.cancellations += 1;
                true
            }
            None => false,
        }
    }

    /// The payment fails at the bank: `PAYERROR`.
    pub(crate) fn fail_payment(&self, out_trade_no: &str) -> Result<(), Refusal> {
        let mut l = self.ledger();
        let o = l.orders.get_mut(out_trade_no).ok_or(Refusal::OrderNotExist)?;
        match o.trade_state {
            TradeState::Notpay | TradeState::Userpaying | TradeState::Payerror => {
                o.trade_state = TradeState::Payerror;
                tracing::info!(out_trade_no, "payment failed at the bank (PAYERROR)");
                Ok(())
            }
            TradeState::Success | TradeState::Refund => Err(Refusal::OrderPaid),
            TradeState::Closed | TradeState::Revoked => Err(Refusal::OrderClosed),
        }
    }
}
