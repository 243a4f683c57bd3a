//! What the back office is answered about orders and refunds: views made from the stored rows,
//! never the rows themselves, so a column added to storage (a claim, a back-off) stays inside
//! the server unless a view names it. The payer is masked in both.

use serde::Serialize;
use wxpay::Fen;

use super::mask;
use crate::api::ApiVersion;
use crate::db::orders::{OrderStatus, OrderSummary};
use crate::db::refunds::{Refund, RefundState};
use crate::db::search::{Handled, OrderRow};

/// A refund as the back office shows it: everything but who holds its claim and until when.
#[derive(Debug, Clone, Serialize)]
pub struct RefundView {
    pub out_refund_no: String,
    pub out_trade_no: String,
    /// Masked.
    pub openid: String,
    pub total_fee: Fen,
    pub refund_fee: Fen,
    pub reason: String,
    pub status: RefundState,
    pub refund_id: Option<String>,
    pub settlement_refund_fee: Option<Fen>,
    pub success_time: Option<String>,
    pub recv_account: Option<String>,
    pub last_error: Option<String>,
    pub reject_reason: Option<String>,
    pub requested_at: i64,
    pub approved_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub checked_at: Option<i64>,
    pub updated_at: i64,
    pub sent_at: Option<i64>,
    pub failures: i64,
    pub next_check_at: Option<i64>,
    pub handled: Option<Handled>,
    pub needs_action: bool,
    pub outside: bool,
    /// `v2` or `v3`: the API of its order.
    pub api_version: ApiVersion,
}

impl From<Refund> for RefundView {
    fn from(r: Refund) -> Self {
        RefundView {
            openid: mask::openid(&r.openid),
            out_refund_no: r.out_refund_no,
            out_trade_no: r.out_trade_no,
            total_fee: r.total_fee,
            refund_fee: r.refund_fee,
            reason: r.reason,
            status: r.status,
            refund_id: r.refund_id,
            settlement_refund_fee: r.settlement_refund_fee,
            success_time: r.success_time,
            recv_account: r.recv_account,
            last_error: r.last_error,
            reject_reason: r.reject_reason,
            requested_at: r.requested_at,
            approved_at: r.approved_at,
            finished_at: r.finished_at,
            checked_at: r.checked_at,
            updated_at: r.updated_at,
            sent_at: r.sent_at,
            failures: r.failures,
            next_check_at: r.next_check_at,
            handled: r.handled,
            needs_action: r.needs_action,
            outside: r.outside,
            api_version: r.api,
        }
    }
}

/// An order as the back office lists and shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub out_trade_no: String,
    /// Masked.
    pub openid: String,
    pub product_id: i64,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_fen: Fen,
    pub total_fee: Fen,
    pub refunded_fee: Fen,
    pub status: OrderStatus,
    /// `v2` or `v3`: the API the order was placed with.
    pub api_version: ApiVersion,
    /// `MD5`, `HMAC-SHA256` (v2), or `RSA` (v3).
    pub sign_type: &'static str,
    pub transaction_id: Option<String>,
    pub time_end: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub paid_after_close: bool,
    pub oversold: bool,
    pub failures: i64,
    pub last_error: Option<String>,
    pub handled: Option<Handled>,
}

impl From<OrderRow> for OrderView {
    fn from(o: OrderRow) -> Self {
        OrderView {
            openid: mask::openid(&o.openid),
            out_trade_no: o.out_trade_no,
            product_id: o.product_id,
            product_name: o.product_name,
            quantity: o.quantity,
            unit_price_fen: o.unit_price_fen,
            total_fee: o.total_fee,
            refunded_fee: o.refunded_fee,
            status: o.status,
            api_version: o.api.version(),
            sign_type: o.api.sign_type_str(),
            transaction_id: o.transaction_id,
            time_end: o.time_end,
            created_at: o.created_at,
            expires_at: o.expires_at,
            paid_at: o.paid_at,
            closed_at: o.closed_at,
            paid_after_close: o.paid_after_close,
            oversold: o.oversold,
            failures: o.failures,
            last_error: o.last_error,
            handled: o.handled,
        }
    }
}

/// An order as the newest-orders list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLineView {
    pub out_trade_no: String,
    pub product_name: String,
    pub quantity: i64,
    pub total_fee: Fen,
    pub status: String,
    pub refunded_fee: Fen,
    pub created_at: i64,
    pub paid_at: Option<i64>,
}

impl From<OrderSummary> for OrderLineView {
    fn from(o: OrderSummary) -> Self {
        OrderLineView {
            out_trade_no: o.out_trade_no,
            product_name: o.product_name,
            quantity: o.quantity,
            total_fee: o.total_fee,
            status: o.status,
            refunded_fee: o.refunded_fee,
            created_at: o.created_at,
            paid_at: o.paid_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The admin API never shows who holds a refund's claim.
    #[test]
    fn refund_view_leaves_out_the_claim() {
        let r = Refund {
            out_refund_no: "R1".into(),
            out_trade_no: "O1".into(),
            openid: "oAbcdefghijklmnopqrstuvwxyz".into(),
            total_fee: Fen::new(100),
            refund_fee: Fen::new(100),
            reason: String::new(),
            status: RefundState::Approved,
            refund_id: None,
            settlement_refund_fee: None,
            success_time: None,
            recv_account: None,
            last_error: None,
            reject_reason: None,
            requested_at: 1,
            approved_at: Some(1),
            finished_at: None,
            checked_at: None,
            updated_at: 1,
            sent_at: None,
            send_owner: Some("instance-1".into()),
            send_until: Some(2),
            failures: 0,
            next_check_at: None,
            handled: None,
            needs_action: false,
            outside: false,
            api: crate::api::ApiVersion::V2,
        };
        let json = serde_json::to_value(RefundView::from(r)).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert!(!keys.iter().any(|k| k.starts_with("send_")), "{keys:?}");
        assert_ne!(json["openid"], "oAbcdefghijklmnopqrstuvwxyz", "the payer is masked");
    }
}
