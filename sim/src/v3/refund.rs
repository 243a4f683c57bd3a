//! Refunds: `POST /v3/refund/domestic/refunds`, its query, and `apply-abnormal-refund` for a
//! refund the payer's account could not take. The refund is processed by the bank as for v2
//! (the `hold_refunds` and `refund_outcome` knobs apply), then its v3 notify is delivered.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Extension;
use serde_json::Value;
use wxpay::RefundStatus;

use super::layer::RequestedSerial;
use super::notify;
use super::pay::{amount, currency, json_body, text};
use super::reply::{ok, V3Error, V3Result};
use super::shape;
use crate::context::Sim;
use crate::model::{Ending, NewRefund, OrderKey, Refusal};

/// How long the bank takes with a refund, in WeChat's seconds (divided by the time scale).
const PROCESSING_SECS: f64 = 3.0;

fn refusal(r: Refusal) -> V3Error {
    match r {
        Refusal::OrderNotExist => V3Error::no_order(),
        Refusal::NotPaid => V3Error::invalid("订单未支付，不能发起退款"),
        Refusal::TotalFeeMismatch => V3Error::param("body", "amount.total", "订单金额与原订单金额不一致"),
        Refusal::RefundMismatch => V3Error::invalid("同一商户退款单号的请求参数与之前不一致"),
        Refusal::TooManyRefunds => V3Error::invalid("该订单退款次数已达上限（50次）"),
        // WeChat answers a refund beyond what is left to refund 400 INVALID_REQUEST (as merchants
        // report it); 403 NOT_ENOUGH is the merchant's balance being short (a fault rule).
        Refusal::OverRefund { .. } => V3Error::invalid("申请退款金额超过订单可退金额"),
        Refusal::RefundNotExist => V3Error::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在"),
        _ => V3Error::system(),
    }
}

/// The bank's part: after a while the refund ends (as the knobs say), then its notify.
pub(crate) async fn process(sim: Arc<Sim>, no: String) {
    tokio::time::sleep(sim.scaled(PROCESSING_SECS).max(Duration::from_millis(1))).await;
    let ending = if sim.faults.holds_refunds() { Ending::Hold } else { Ending::Finish(sim.faults.refund_outcome()) };
    if sim.model.end_processing(&no, ending) {
        notify::spawn_refund(&sim, &no);
    }
}

/// `POST /v3/refund/domestic/refunds` → the refund, PROCESSING.
pub(crate) async fn create(State(sim): State<Arc<Sim>>, body: Bytes) -> V3Result {
    let v = json_body(&body)?;
    let out_refund_no = text(&v, "out_refund_no")?;
    let refund = amount(&v, "amount.refund")?;
    let total = amount(&v, "amount.total")?;
    currency(&v, "amount.currency")?;
    if v.pointer("/amount/currency").is_none() {
        return Err(V3Error::param("body", "amount.currency", "缺少参数amount.currency"));
    }
    let notify_url = v.get("notify_url").and_then(Value::as_str);
    let order = match (v.get("transaction_id").and_then(Value::as_str), v.get("out_trade_no").and_then(Value::as_str)) {
        (Some(t), _) if !t.is_empty() => OrderKey::TransactionId(t),
        (_, Some(o)) if !o.is_empty() => OrderKey::OutTradeNo(o),
        _ => return Err(V3Error::param("body", "transaction_id", "transaction_id和out_trade_no必须二选一")),
    };
    if !(1..=64).contains(&out_refund_no.len()) {
        return Err(V3Error::param("body", out_refund_no, "out_refund_no长度为1-64位"));
    }
    let (r, created) =
        sim.model.refund(NewRefund { out_refund_no, order, total_fee: total, refund_fee: refund, notify_url }).map_err(refusal)?;
    if created {
        sim.model.mark_v3_refund(out_refund_no);
        if let Some(url) = notify_url {
            sim.model.saw_notify_url(url);
        }
        tokio::spawn(process(sim.clone(), out_refund_no.to_owned()));
    }
    ok(shape::refund(&r))
}

/// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
pub(crate) async fn query(State(sim): State<Arc<Sim>>, Path(no): Path<String>) -> V3Result {
    let r = sim.model.refund_of(&no).ok_or_else(|| refusal(Refusal::RefundNotExist))?;
    ok(shape::refund(&r))
}

/// `POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund`: an ABNORMAL refund
/// sent again, to a bank card (the payer's: `bank_account` and `real_name` encrypted to the key
/// `Wechatpay-Serial` names) or the merchant's. → the refund, PROCESSING again.
pub(crate) async fn apply_abnormal(
    State(sim): State<Arc<Sim>>,
    Path(refund_id): Path<String>,
    Extension(serial): Extension<RequestedSerial>,
    body: Bytes,
) -> V3Result {
    let v = json_body(&body)?;
    let no = text(&v, "out_refund_no")?;
    let kind = text(&v, "type")?;
    let r = sim.model.refund_of(no).filter(|r| r.refund_id == refund_id).ok_or_else(|| refusal(Refusal::RefundNotExist))?;
    if r.refund_status != RefundStatus::Change {
        return Err(V3Error::invalid("退款单状态不是退款异常（ABNORMAL），不能发起异常退款"));
    }
    match kind {
        "USER_BANK_CARD" => {
            text(&v, "bank_type")?;
            let serial =
                serial.0.as_deref().ok_or_else(|| V3Error::param("header", "Wechatpay-Serial", "加密敏感信息须传Wechatpay-Serial"))?;
            let key = sim
                .v3
                .by_serial(serial, sim.clock.now_secs())
                .ok_or_else(|| V3Error::param("header", serial, "Wechatpay-Serial不是有效的微信支付公钥ID或平台证书序列号"))?;
            for field in ["bank_account", "real_name"] {
                let ciphertext = text(&v, field)?;
                let plain = key.key.decrypt_sensitive(ciphertext).map_err(|_| V3Error::param("body", field, format!("{field}解密失败")))?;
                if plain.is_empty() {
                    return Err(V3Error::param("body", field, format!("{field}不能为空")));
                }
            }
        }
        "MERCHANT_BANK_CARD" => {}
        other => return Err(V3Error::param("body", other, "type仅支持USER_BANK_CARD、MERCHANT_BANK_CARD")),
    }
    sim.model.set_refund_status(no, RefundStatus::Processing);
    tokio::spawn(process(sim.clone(), no.to_owned()));
    let r = sim.model.refund_of(no).ok_or_else(V3Error::system)?;
    ok(shape::refund(&r))
}
