//! The payment endpoints: `/pay/unifiedorder` (JSAPI), `/pay/orderquery`, `/pay/closeorder`.
//! Each reads and checks its request, asks the model, and words the model's answer as WeChat
//! does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use wxpay::time::parse_beijing14;
use wxpay::{Params, SignType, TradeState};

use crate::answer::{param_error, refused, system_error, Answer};
use crate::context::Sim;
use crate::faults::ForceSystemError;
use crate::model::{NewOrder, OrderKey, Refusal, SimOrder};
use crate::request::{optional, require};

/// `/pay/unifiedorder` (JSAPI).
pub(crate) async fn unifiedorder(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.model.count_call("/pay/unifiedorder");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    let answer = place_order(&sim, &p).unwrap_or_else(|a| a);
    if matches!(answer, Answer::Ok(_)) && sim.faults.take_systemerror(forced.is_some()) {
        // WeChat stored the order but the answer is an error: a retry with the same
        // parameters must get the same prepay_id.
        return sim.answer(system_error(), st);
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
    if !sim.model.knows_openid(openid) {
        return Err(param_error("appid和openid不匹配"));
    }
    if p.get("fee_type").is_some_and(|f| !f.is_empty() && f != "CNY") {
        return Err(param_error("fee_type参数错误"));
    }
    let now = sim.clock.now_ms();
    for name in ["time_start", "time_expire"] {
        if let Some(v) = optional(p, name) {
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
    let new = NewOrder {
        out_trade_no: no.clone(),
        fingerprint,
        total_fee,
        body: p["body"].clone(),
        openid: openid.to_owned(),
        notify_url: p["notify_url"].clone(),
        sign_type: p.get("sign_type").and_then(|s| s.parse().ok()).unwrap_or(SignType::Md5),
        attach: optional(p, "attach").map(str::to_owned),
        time_expire_ms,
    };
    sim.model.place_order(new).map(|prepay_id| prepaid(&prepay_id)).map_err(refused)
}

fn prepaid(prepay_id: &str) -> Answer {
    let mut f = Params::new();
    f.insert("prepay_id".into(), prepay_id.to_owned());
    f.insert("trade_type".into(), "JSAPI".into());
    Answer::Ok(f)
}

/// The order a call names by `transaction_id` (first) or `out_trade_no`.
pub(crate) fn order_key(p: &Params) -> Result<OrderKey<'_>, Answer> {
    match (optional(p, "transaction_id"), optional(p, "out_trade_no")) {
        (Some(t), _) => Ok(OrderKey::TransactionId(t)),
        (None, Some(n)) => Ok(OrderKey::OutTradeNo(n)),
        (None, None) => Err(Answer::Business("LACK_PARAMS", "缺少参数 out_trade_no 或 transaction_id".into())),
    }
}

/// Whether orderquery and closeorder of this request answer SYSTEMERROR (a rule, the counter,
/// the rate, or an order that fails for ever).
fn fails(sim: &Sim, forced: bool, p: &Params) -> bool {
    sim.faults.take_systemerror(forced) || p.get("out_trade_no").is_some_and(|n| sim.faults.order_fails(n))
}

/// `/pay/orderquery`.
pub(crate) async fn orderquery(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.model.count_call("/pay/orderquery");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if fails(&sim, forced.is_some(), &p) {
        return sim.answer(system_error(), st);
    }
    let answer = match order_key(&p) {
        Err(a) => a,
        Ok(key) => match sim.model.query_order(key) {
            Err(r) => refused(r),
            Ok(o) => queried(&sim, &o),
        },
    };
    sim.answer(answer, st)
}

/// orderquery's fields for an order (with the fields a fault replaces or leaves out).
fn queried(sim: &Sim, o: &SimOrder) -> Answer {
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
    for (k, v) in sim.faults.orderquery_overrides() {
        match v {
            Some(v) => f.insert(k, v),
            None => f.remove(&k),
        };
    }
    Answer::Ok(f)
}

/// `/pay/closeorder`.
pub(crate) async fn closeorder(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.model.count_call("/pay/closeorder");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if fails(&sim, forced.is_some(), &p) {
        return sim.answer(system_error(), st);
    }
    let answer = match require(&p, "out_trade_no") {
        Err(a) => a,
        Ok(no) => match sim.model.close(no) {
            Ok(()) => Answer::Ok(Params::new()),
            Err(Refusal::OrderPaid) => Answer::Business("ORDERPAID", "订单已支付，不能发起关单".into()),
            Err(Refusal::OrderClosed) => Answer::Business("ORDERCLOSED", "订单已关闭，无法重复关闭".into()),
            Err(Refusal::OrderNotExist) => Answer::Business("ORDERNOTEXIST", "订单不存在".into()),
            Err(r) => refused(r),
        },
    };
    sim.answer(answer, st)
}
