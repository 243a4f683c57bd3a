//! The payment endpoints: `/pay/unifiedorder` (JSAPI), `/pay/orderquery`, `/pay/closeorder`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use wxpay::time::{beijing14, parse_beijing14};
use wxpay::{Params, SignType, TradeState};

use crate::answer::{param_error, Answer};
use crate::faults::ForceSystemError;
use crate::request::require;
use crate::state::{lock, Sim, SimOrder};

/// Prepay ids live two hours.
const PREPAY_TTL_MS: i64 = 2 * 3600 * 1000;

/// `/pay/unifiedorder` (JSAPI).
pub(crate) async fn unifiedorder(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.count("/pay/unifiedorder");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    let answer = place_order(&sim, &p).unwrap_or_else(|a| a);
    if matches!(answer, Answer::Ok(_)) && sim.faults.take_systemerror(forced.is_some()) {
        // WeChat stored the order but the answer is an error: a retry with the same
        // parameters must get the same prepay_id.
        return sim.answer(Answer::Business("SYSTEMERROR", "系统超时".into()), st);
    }
    sim.answer(answer, st)
}

fn place_order(sim: &Sim, p: &Params) -> Result<Answer, Answer> {
    for name in ["body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type"] {
        require(p, name)?;
    }
    let no = &p["out_trade_no"];
    wxpay::validate::out_trade_no(no).map_err(|e| param_error(format!("out_trade_no参数错误: {e}")))?;
    let total_fee: u64 = match p["total_fee"].parse::<wxpay::Fen>() {
        Ok(f) if f.get() >= 1 => f.get(),
        _ => return Err(param_error("total_fee参数错误: 必须为正整数(分)")),
    };
    if p["body"].len() > 128 {
        return Err(param_error("body参数长度有误"));
    }
    wxpay::validate::notify_url(&p["notify_url"]).map_err(|e| param_error(format!("notify_url参数错误: {e}")))?;
    if p["spbill_create_ip"].parse::<std::net::IpAddr>().is_err() {
        return Err(param_error("spbill_create_ip参数错误"));
    }
    if p["trade_type"] != "JSAPI" {
        return Err(param_error("trade_type参数错误 (the simulator implements JSAPI)"));
    }
    let openid = require(p, "openid").map_err(|_| param_error("JSAPI支付必须传openid"))?;
    if !lock(&sim.openids).contains(openid) {
        return Err(param_error("appid和openid不匹配"));
    }
    if p.get("fee_type").is_some_and(|f| !f.is_empty() && f != "CNY") {
        return Err(param_error("fee_type参数错误"));
    }
    let now = sim.clock.now_ms();
    for name in ["time_start", "time_expire"] {
        if let Some(v) = p.get(name).filter(|v| !v.is_empty()) {
            if parse_beijing14(v).is_none() {
                return Err(param_error(format!("{name}参数格式错误")));
            }
        }
    }
    let time_expire_ms = p.get("time_expire").and_then(|v| parse_beijing14(v)).map(|s| s * 1000);
    if time_expire_ms.is_some_and(|t| t - now < 60_000) {
        return Err(param_error("time_expire时间过短，至少1分钟"));
    }
    let fingerprint =
        wxpay::string_to_sign(&p.iter().filter(|(k, _)| *k != "nonce_str" && *k != "sign").map(|(k, v)| (k.clone(), v.clone())).collect());
    let mut orders = lock(&sim.orders);
    if let Some(o) = orders.get_mut(no.as_str()) {
        o.unifiedorder_calls += 1;
        match o.trade_state {
            TradeState::Success | TradeState::Refund => return Err(Answer::Business("ORDERPAID", "该订单已支付".into())),
            TradeState::Closed | TradeState::Revoked => return Err(Answer::Business("ORDERCLOSED", "该订单已关闭".into())),
            _ => {}
        }
        if o.fingerprint != fingerprint {
            return Err(Answer::Business("OUT_TRADE_NO_USED", "商户订单号重复".into()));
        }
        if o.prepay_expires_ms <= now {
            o.prepay_id = new_prepay_id(sim, now);
            o.prepay_expires_ms = now + PREPAY_TTL_MS;
        }
        return Ok(prepaid(&o.prepay_id));
    }
    let prepay_id = new_prepay_id(sim, now);
    let sign_type = p.get("sign_type").and_then(|s| s.parse().ok()).unwrap_or(SignType::Md5);
    orders.insert(
        no.clone(),
        SimOrder {
            out_trade_no: no.clone(),
            fingerprint,
            prepay_id: prepay_id.clone(),
            prepay_expires_ms: now + PREPAY_TTL_MS,
            trade_state: TradeState::Notpay,
            total_fee,
            body: p["body"].clone(),
            openid: openid.to_owned(),
            notify_url: p["notify_url"].clone(),
            sign_type,
            attach: p.get("attach").filter(|a| !a.is_empty()).cloned(),
            time_expire_ms,
            transaction_id: None,
            time_end: None,
            paid_ms: None,
            created_ms: now,
            unifiedorder_calls: 1,
            cancellations: 0,
        },
    );
    tracing::info!(out_trade_no = %no, total_fee, "order placed");
    Ok(prepaid(&prepay_id))
}

fn prepaid(prepay_id: &str) -> Answer {
    let mut f = Params::new();
    f.insert("prepay_id".into(), prepay_id.to_owned());
    f.insert("trade_type".into(), "JSAPI".into());
    Answer::Ok(f)
}

fn new_prepay_id(sim: &Sim, now_ms: i64) -> String {
    format!("wx{}{:010}{}", beijing14(now_ms / 1000), sim.next_seq(), &wxpay::nonce_str().unwrap_or_default()[..8])
}

/// The order named by `transaction_id` or `out_trade_no`.
pub(crate) fn find<'a>(orders: &'a mut std::collections::HashMap<String, SimOrder>, p: &Params) -> Result<&'a mut SimOrder, Answer> {
    let by_txn = p.get("transaction_id").filter(|v| !v.is_empty());
    let by_no = p.get("out_trade_no").filter(|v| !v.is_empty());
    let found = match (by_txn, by_no) {
        (Some(t), _) => orders.values_mut().find(|o| o.transaction_id.as_deref() == Some(t.as_str())),
        (None, Some(n)) => orders.get_mut(n.as_str()),
        (None, None) => return Err(Answer::Business("LACK_PARAMS", "缺少参数 out_trade_no 或 transaction_id".into())),
    };
    found.ok_or_else(|| Answer::Business("ORDERNOTEXIST", "此交易订单号不存在".into()))
}

/// `/pay/orderquery`.
pub(crate) async fn orderquery(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.count("/pay/orderquery");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if sim.faults.take_systemerror(forced.is_some()) || p.get("out_trade_no").is_some_and(|n| sim.faults.order_fails(n)) {
        return sim.answer(Answer::Business("SYSTEMERROR", "系统超时".into()), st);
    }
    let answer = {
        let mut orders = lock(&sim.orders);
        match find(&mut orders, &p) {
            Err(a) => a,
            Ok(o) => {
                let mut f = Params::new();
                let mut put = |k: &str, v: String| {
                    f.insert(k.to_owned(), v);
                };
                put("out_trade_no", o.out_trade_no.clone());
                put("trade_state", o.trade_state.as_str().to_owned());
                put(
                    "trade_state_desc",
                    match o.trade_state {
                        TradeState::Success => "支付成功",
                        TradeState::Closed => "已关闭",
                        TradeState::Notpay => "订单未支付",
                        _ => "",
                    }
                    .to_owned(),
                );
                put("total_fee", o.total_fee.to_string());
                put("trade_type", "JSAPI".into());
                put("openid", o.openid.clone());
                if let Some(a) = &o.attach {
                    put("attach", a.clone());
                }
                if let (Some(t), Some(e)) = (&o.transaction_id, &o.time_end) {
                    put("transaction_id", t.clone());
                    put("time_end", e.clone());
                    put("cash_fee", o.total_fee.to_string());
                    put("fee_type", "CNY".into());
                    put("bank_type", "CMC".into());
                    put("is_subscribe", "N".into());
                }
                for (k, v) in lock(&sim.faults.orderquery_fields).iter() {
                    match v {
                        Some(v) => f.insert(k.clone(), v.clone()),
                        None => f.remove(k),
                    };
                }
                Answer::Ok(f)
            }
        }
    };
    sim.answer(answer, st)
}

/// `/pay/closeorder`.
pub(crate) async fn closeorder(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.count("/pay/closeorder");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if sim.faults.take_systemerror(forced.is_some()) || p.get("out_trade_no").is_some_and(|n| sim.faults.order_fails(n)) {
        return sim.answer(Answer::Business("SYSTEMERROR", "系统超时".into()), st);
    }
    let answer = match require(&p, "out_trade_no") {
        Err(a) => a,
        Ok(no) => match lock(&sim.orders).get_mut(no) {
            None => Answer::Business("ORDERNOTEXIST", "订单不存在".into()),
            Some(o) => match o.trade_state {
                TradeState::Success | TradeState::Refund => Answer::Business("ORDERPAID", "订单已支付，不能发起关单".into()),
                TradeState::Closed | TradeState::Revoked => Answer::Business("ORDERCLOSED", "订单已关闭，无法重复关闭".into()),
                _ => {
                    o.trade_state = TradeState::Closed;
                    tracing::info!(out_trade_no = %no, "order closed");
                    Answer::Ok(Params::new())
                }
            },
        },
    };
    sim.answer(answer, st)
}
