//! A day's activity, as the bill lists it: payments on the day they were paid, refunds on the
//! day they were requested (with their payment).

use super::{Model, SimOrder, SimRefund};
use crate::dates::day_of;

/// What happened on one day (Beijing time).
pub(crate) struct Day {
    /// Orders paid that day, in the order they were paid.
    pub(crate) paid: Vec<SimOrder>,
    /// Refunds requested that day, in the order they were requested, with their order.
    pub(crate) refunded: Vec<(SimRefund, SimOrder)>,
}

impl Model {
    /// The activity of `date` (`yyyyMMdd`).
    pub(crate) fn day(&self, date: &str) -> Day {
        let l = self.ledger();
        let mut paid: Vec<SimOrder> = l.orders.values().filter(|o| o.paid_ms.is_some_and(|t| day_of(t) == date)).cloned().collect();
        paid.sort_by_key(|o| o.paid_ms);
        let mut refunded: Vec<(SimRefund, SimOrder)> = l
            .refunds
            .values()
            .filter(|r| day_of(r.requested_ms) == date)
            .filter_map(|r| Some((r.clone(), l.orders.get(&r.out_trade_no)?.clone())))
            .collect();
        refunded.sort_by_key(|(r, _)| r.requested_ms);
        Day { paid, refunded }
    }
}
