//! Refunds: accepted against a paid order, processed by the bank, settled by a person, queried.
//!
//! The same `out_refund_no` with the same amounts is the same refund (answered again, never
//! made twice); with other amounts it is refused. The sum of a payment's refunds that are not
//! closed never exceeds its total.

use serde::Serialize;
use wxpay::{RefundStatus, TradeState};

use super::{Model, OrderKey, Refusal};
use crate::dates::dashed;

/// WeChat keeps at most 50 refunds per payment.
const MAX_REFUNDS_PER_ORDER: usize = 50;

/// A refund as the simulator (WeChat) knows it.
#[derive(Clone, Debug, Serialize)]
pub struct SimRefund {
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The payment's order number.
    pub out_trade_no: String,
    /// The payment's transaction id.
    pub transaction_id: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// The payment's total.
    pub total_fee: u64,
    /// The amount refunded.
    pub refund_fee: u64,
    /// Where it is.
    pub refund_status: RefundStatus,
    /// `yyyy-MM-dd HH:mm:ss` once successful.
    pub success_time: Option<String>,
    /// Where the refund notify goes. None when the call named none: WeChat would then use the
    /// merchant platform's setting, which the simulator does not have, so no notify is sent and
    /// refundquery tells the result.
    pub notify_url: Option<String>,
    /// How many refund calls named this out_refund_no.
    pub calls: u32,
    /// When the first refund call created it (ms; the bill's 退款申请时间).
    pub requested_ms: i64,
    /// Held PROCESSING by the `hold_refunds` fault, until settled.
    pub held: bool,
    /// Order of creation.
    #[serde(skip)]
    seq: u64,
}

impl SimRefund {
    fn finish(&mut self, status: RefundStatus, now_secs: i64) {
        self.refund_status = status;
        self.held = false;
        self.success_time = (status == RefundStatus::Success).then(|| dashed(now_secs));
    }
}

/// A refund call, its parameters checked.
pub(crate) struct NewRefund<'a> {
    pub(crate) out_refund_no: &'a str,
    /// The payment, by transaction_id or out_trade_no.
    pub(crate) order: OrderKey<'a>,
    pub(crate) total_fee: u64,
    pub(crate) refund_fee: u64,
    pub(crate) notify_url: Option<&'a str>,
}

/// How refundquery names refunds (the first one given wins, in this order).
#[derive(Clone, Copy, Debug)]
pub(crate) enum RefundKey<'a> {
    /// WeChat's refund id: one refund.
    RefundId(&'a str),
    /// The merchant's refund number: one refund.
    OutRefundNo(&'a str),
    /// The payment's transaction id: its refunds.
    TransactionId(&'a str),
    /// The payment's order number: its refunds.
    OutTradeNo(&'a str),
}

/// How the bank's processing time ends for a refund.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ending {
    /// It stays PROCESSING until settled (the `hold_refunds` fault).
    Hold,
    /// It ends in this status.
    Finish(RefundStatus),
}

impl Model {
    /// A refund call: the refund is accepted PROCESSING (its order becomes REFUND), or found
    /// again when the same out_refund_no comes back with the same amounts. Returns the refund
    /// and whether this call created it.
    pub(crate) fn refund(&self, new: NewRefund<'_>) -> Result<(SimRefund, bool), Refusal> {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        let order = l.order_mut(new.order).ok_or(Refusal::OrderNotExist)?;
        if !order.is_paid() {
            return Err(Refusal::NotPaid);
        }
        if new.total_fee != order.total_fee {
            return Err(Refusal::TotalFeeMismatch);
        }
        let (out_trade_no, order_total, transaction_id) =
            (order.out_trade_no.clone(), order.total_fee, order.transaction_id.clone().unwrap_or_default());
        if let Some(r) = l.refunds.get_mut(new.out_refund_no) {
            if r.out_trade_no != out_trade_no || r.refund_fee != new.refund_fee || r.total_fee != new.total_fee {
                return Err(Refusal::RefundMismatch);
            }
            r.calls += 1;
            return Ok((r.clone(), false));
        }
        let mine: Vec<&SimRefund> = l.refunds.values().filter(|r| r.out_trade_no == out_trade_no).collect();
        if mine.len() >= MAX_REFUNDS_PER_ORDER {
            return Err(Refusal::TooManyRefunds);
        }
        let taken: u64 = mine.iter().filter(|r| r.refund_status != RefundStatus::Refundclose).map(|r| r.refund_fee).sum();
        if taken + new.refund_fee > order_total {
            return Err(Refusal::OverRefund { refundable: order_total - taken });
        }
        let seq = self.next_seq();
        let r = SimRefund {
            out_refund_no: new.out_refund_no.to_owned(),
            out_trade_no: out_trade_no.clone(),
            transaction_id,
            refund_id: format!("50{:012}{:016}", seq, now.rem_euclid(10_000_000_000_000_000)),
            total_fee: new.total_fee,
            refund_fee: new.refund_fee,
            refund_status: RefundStatus::Processing,
            success_time: None,
            notify_url: new.notify_url.map(str::to_owned),
            calls: 1,
            requested_ms: now,
            held: false,
            seq,
        };
        if let Some(o) = l.orders.get_mut(&out_trade_no) {
            o.trade_state = TradeState::Refund;
        }
        tracing::info!(out_refund_no = %new.out_refund_no, refund_fee = new.refund_fee, "refund accepted");
        l.refunds.insert(new.out_refund_no.to_owned(), r.clone());
        Ok((r, true))
    }

    /// The refund as it is now.
    pub(crate) fn refund_of(&self, out_refund_no: &str) -> Option<SimRefund> {
        self.ledger().refunds.get(out_refund_no).cloned()
    }

    /// Every refund, oldest first.
    pub(crate) fn refunds(&self) -> Vec<SimRefund> {
        let mut list: Vec<SimRefund> = self.ledger().refunds.values().cloned().collect();
        list.sort_by_key(|r| r.requested_ms);
        list
    }

    /// How many refunds there are.
    pub(crate) fn refund_count(&self) -> usize {
        self.ledger().refunds.len()
    }

    /// refundquery: the refunds `key` names, in the order they were made.
    pub(crate) fn query_refunds(&self, key: RefundKey<'_>) -> Vec<SimRefund> {
        let l = self.ledger();
        let mut found: Vec<SimRefund> = match key {
            RefundKey::RefundId(id) => l.refunds.values().filter(|r| r.refund_id == id).cloned().collect(),
            RefundKey::OutRefundNo(no) => l.refunds.get(no).cloned().into_iter().collect(),
            RefundKey::TransactionId(t) => l.refunds.values().filter(|r| r.transaction_id == t).cloned().collect(),
            RefundKey::OutTradeNo(o) => l.refunds.values().filter(|r| r.out_trade_no == o).cloned().collect(),
        };
        found.sort_by_key(|r| r.seq);
        found
    }

    /// The bank's processing time is over: a refund still PROCESSING ends as `ending` says.
    /// Returns whether it finished now (then its notify is due). A refund settled meanwhile
    /// (the control API, as a person at the bank) keeps that word.
    pub(crate) fn end_processing(&self, out_refund_no: &str, ending: Ending) -> bool {
        let now = self.clock.now_secs();
        let mut l = self.ledger();
        let Some(r) = l.refunds.get_mut(out_refund_no) else { return false };
        if r.refund_status != RefundStatus::Processing {
            return false;
        }
        match ending {
            Ending::Hold => {
                r.held = true;
                false
            }
            Ending::Finish(status) => {
                r.finish(status, now);
                true
            }
        }
    }

    /// Held refunds end in `status` now.
    pub(crate) fn settle_held(&self, status: RefundStatus) {
        let now = self.clock.now_secs();
        for r in self.ledger().refunds.values_mut().filter(|r| r.held && r.refund_status == RefundStatus::Processing) {
            r.finish(status, now);
        }
    }

    /// A refund moved to `status`, whatever it was. Returns whether it exists.
    pub(crate) fn set_refund_status(&self, out_refund_no: &str, status: RefundStatus) -> bool {
        let now = self.clock.now_secs();
        match self.ledger().refunds.get_mut(out_refund_no) {
            Some(r) => {
                r.finish(status, now);
                true
            }
            None => false,
        }
    }

    /// A person settles a refund that has not ended (PROCESSING or CHANGE) in `status`.
    pub(crate) fn settle(&self, out_refund_no: &str, status: RefundStatus) -> Result<SimRefund, Refusal> {
        let now = self.clock.now_secs();
        let mut l = self.ledger();
        let r = l.refunds.get_mut(out_refund_no).ok_or(Refusal::RefundNotExist)?;
        if matches!(r.refund_status, RefundStatus::Success | RefundStatus::Refundclose) {
            return Err(Refusal::RefundFinished);
        }
        r.finish(status, now);
        Ok(r.clone())
    }

    /// A refund call for `out_refund_no` starts being handled.
    pub(crate) fn refund_call_started(&self, out_refund_no: &str) {
        let mut l = self.ledger();
        let e = l.refund_calls_in_flight.entry(out_refund_no.to_owned()).or_default();
        e.0 += 1;
        e.1 = e.1.max(e.0);
    }

    /// A refund call for `out_refund_no` is answered.
    pub(crate) fn refund_call_ended(&self, out_refund_no: &str) {
        if let Some(e) = self.ledger().refund_calls_in_flight.get_mut(out_refund_no) {
            e.0 -= 1;
        }
    }

    /// The most refund calls for one out_refund_no handled at the same time.
    pub(crate) fn max_concurrent_refund_calls(&self) -> u32 {
        self.ledger().refund_calls_in_flight.values().map(|&(_, max)| max).max().unwrap_or(0)
    }
}
