//! The JSON WeChat answers for orders and refunds (the query, the refund answer and the notify
//! resources), from the model's view of them.

use serde_json::{json, Value};
use wxpay::{RefundStatus, TradeState};

use crate::context::Sim;
use crate::dates::{dashed_to_rfc3339, rfc3339};
use crate::model::{SimOrder, SimRefund};

/// v3's name for a trade state, and its description.
fn trade_state(s: TradeState) -> (&'static str, &'static str) {
    match s {
        TradeState::Success => ("SUCCESS", "支付成功"),
        TradeState::Refund => ("REFUND", "转入退款"),
        TradeState::Notpay => ("NOTPAY", "订单未支付"),
        TradeState::Closed => ("CLOSED", "订单已关闭"),
        TradeState::Revoked => ("REVOKED", "已撤销"),
        TradeState::Userpaying => ("USERPAYING", "用户支付中"),
        TradeState::Payerror => ("PAYERROR", "支付失败"),
    }
}

/// v3's name for a refund status: the v2 model's CHANGE is v3's ABNORMAL, REFUNDCLOSE CLOSED.
pub(crate) fn refund_status(s: RefundStatus) -> &'static str {
    match s {
        RefundStatus::Success => "SUCCESS",
        RefundStatus::Processing => "PROCESSING",
        RefundStatus::Change => "ABNORMAL",
        RefundStatus::Refundclose => "CLOSED",
    }
}

/// A payment as the query and the `TRANSACTION.SUCCESS` resource show it.
pub(crate) fn transaction(sim: &Sim, o: &SimOrder) -> Value {
    let (state, desc) = trade_state(o.trade_state);
    let paid = o.is_paid();
    let mut t = json!({
        "appid": sim.creds.appid,
        "mchid": sim.creds.mch_id,
        "out_trade_no": o.out_trade_no,
        "trade_type": "JSAPI",
        "trade_state": state,
        "trade_state_desc": desc,
        "payer": { "openid": o.openid },
        "amount": { "total": o.total_fee, "currency": "CNY" },
    });
    if let Some(a) = &o.attach {
        t["attach"] = json!(a);
    }
    if paid {
        t["transaction_id"] = json!(o.transaction_id);
        t["bank_type"] = json!("OTHERS");
        t["success_time"] = json!(o.paid_ms.map(|ms| rfc3339(ms.div_euclid(1000))));
        t["amount"]["payer_total"] = json!(o.total_fee);
        t["amount"]["payer_currency"] = json!("CNY");
    }
    t
}

/// A refund as the refund call, its query and apply-abnormal-refund answer it.
pub(crate) fn refund(r: &SimRefund) -> Value {
    let mut v = json!({
        "refund_id": r.refund_id,
        "out_refund_no": r.out_refund_no,
        "transaction_id": r.transaction_id,
        "out_trade_no": r.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": rfc3339(r.requested_ms.div_euclid(1000)),
        "status": refund_status(r.refund_status),
        "funds_account": "AVAILABLE",
        "amount": {
            "total": r.total_fee,
            "refund": r.refund_fee,
            "payer_total": r.total_fee,
            "payer_refund": r.refund_fee,
            "settlement_total": r.total_fee,
            "settlement_refund": r.refund_fee,
            "discount_refund": 0,
            "currency": "CNY",
            "from": [],
        },
        "promotion_detail": [],
    });
    if let Some(t) = &r.success_time {
        v["success_time"] = json!(dashed_to_rfc3339(t));
    }
    v
}

/// The resource of a refund notify.
pub(crate) fn refund_notice(sim: &Sim, r: &SimRefund) -> Value {
    let mut v = json!({
        "mchid": sim.creds.mch_id,
        "out_trade_no": r.out_trade_no,
        "transaction_id": r.transaction_id,
        "out_refund_no": r.out_refund_no,
        "refund_id": r.refund_id,
        "refund_status": refund_status(r.refund_status),
        "user_received_account": "支付用户零钱",
        "amount": { "total": r.total_fee, "refund": r.refund_fee, "payer_total": r.total_fee, "payer_refund": r.refund_fee },
    });
    if let Some(t) = &r.success_time {
        v["success_time"] = json!(dashed_to_rfc3339(t));
    }
    v
}
