//! The server's records as the core's acceptance rule reads them ([`wxpay::acceptance`]): every
//! place that takes a payment or refund report (the notifies, orderquery, refundquery) asks the
//! same judge, as the cloud functions do through `wxpay/notify`.

use wxpay::acceptance::{
    judge_payment, judge_refund, PaymentReport, PaymentVerdict, RefundReport, RefundVerdict, StoredOrder, StoredOrderState, StoredRefund,
    StoredRefundState,
};

use crate::db::orders::{Order, OrderStatus};
use crate::db::refunds::{Refund, RefundState};

/// An order as the rule reads it: its amount, payer, pinned sign type (v2) and state.
pub fn stored_order(o: &Order) -> StoredOrder<'_> {
    StoredOrder {
        out_trade_no: &o.out_trade_no,
        total_fee: o.total_fee,
        openid: Some(&o.openid),
        sign_type: o.api.v2_sign_type(),
        state: match o.status {
            OrderStatus::Notpay => StoredOrderState::Unpaid,
            OrderStatus::Closed => StoredOrderState::Closed,
            OrderStatus::Paid => StoredOrderState::Paid { transaction_id: o.transaction_id.as_deref().unwrap_or_default() },
        },
    }
}

/// A refund (with its order's transaction id, once paid) as the rule reads it.
pub fn stored_refund<'a>(r: &'a Refund, order_transaction_id: Option<&'a str>) -> StoredRefund<'a> {
    StoredRefund {
        out_refund_no: &r.out_refund_no,
        out_trade_no: &r.out_trade_no,
        refund_fee: r.refund_fee,
        total_fee: r.total_fee,
        refund_id: r.refund_id.as_deref(),
        transaction_id: order_transaction_id,
        state: match r.status {
            RefundState::Requested | RefundState::Rejected => StoredRefundState::NotSent,
            RefundState::Approved => StoredRefundState::Approved,
            RefundState::Processing => StoredRefundState::Processing,
            RefundState::Change => StoredRefundState::Change,
            RefundState::Success => StoredRefundState::Success,
            RefundState::Closed => StoredRefundState::Closed,
        },
    }
}

/// [`judge_payment`] of `report` against `order`.
pub fn payment(order: Option<&Order>, report: &PaymentReport<'_>) -> PaymentVerdict {
    judge_payment(order.map(stored_order).as_ref(), report)
}

/// [`judge_refund`] of `report` against `refund` (with its order's transaction id).
pub fn refund(refund: Option<(&Refund, Option<&str>)>, report: &RefundReport<'_>) -> RefundVerdict {
    judge_refund(refund.map(|(r, t)| stored_refund(r, t)).as_ref(), report)
}
