//! JSAPI ordering, the two queries and closing, as `/v3/pay/transactions/…` answers them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use wxpay::SignType;

use super::reply::{no_content, ok, V3Error, V3Result};
use super::shape;
use crate::context::Sim;
use crate::dates::parse_rfc3339;
use crate::model::{NewOrder, OrderKey, Refusal};

/// The JSON body, or 400 PARAM_ERROR as WeChat answers a body it cannot read.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, V3Error> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| V3Error::param("body", "", "请求体不是合法的JSON对象"))
}

/// A required text field of the body (`a.b` names a nested one).
pub(crate) fn text<'a>(v: &'a Value, name: &str) -> Result<&'a str, V3Error> {
    let found = name.split('.').try_fold(v, |v, k| v.get(k));
    found.and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| V3Error::param("body", name, format!("缺少参数{name}")))
}

/// A required positive amount (fen).
pub(crate) fn amount(v: &Value, name: &str) -> Result<u64, V3Error> {
    let found = name.split('.').try_fold(v, |v, k| v.get(k));
    match found {
        None | Some(Value::Null) => Err(V3Error::param("body", name, format!("缺少参数{name}"))),
        Some(x) => x.as_u64().filter(|n| *n > 0).ok_or_else(|| V3Error::param("body", name, format!("{name}必须为正整数（单位：分）"))),
    }
}

/// `currency`, when given, must be CNY.
pub(crate) fn currency(v: &Value, name: &str) -> Result<(), V3Error> {
    match name.split('.').try_fold(v, |v, k| v.get(k)) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(c)) if c == "CNY" => Ok(()),
        Some(c) => Err(V3Error::param("body", &c.to_string(), format!("{name}仅支持CNY"))),
    }
}

fn out_trade_no_ok(no: &str) -> bool {
    (6..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b))
}

fn refusal(r: Refusal) -> V3Error {
    match r {
        Refusal::OrderPaid => V3Error::new(StatusCode::FORBIDDEN, "ORDERPAID", "该订单已支付"),
        Refusal::OrderClosed => V3Error::new(StatusCode::BAD_REQUEST, "ORDER_CLOSED", "订单已关闭"),
        Refusal::OutTradeNoUsed => V3Error::new(StatusCode::FORBIDDEN, "OUT_TRADE_NO_USED", "商户订单号重复"),
        Refusal::OrderNotExist => V3Error::no_order(),
        _ => V3Error::system(),
    }
}

/// `POST /v3/pay/transactions/jsapi` → `{prepay_id}`.
pub(crate) async fn jsapi(State(sim): State<Arc<Sim>>, body: Bytes) -> V3Result {
    let v = json_body(&body)?;
    let appid = text(&v, "appid")?;
    let mchid = text(&v, "mchid")?;
    let description = text(&v, "description")?;
    let out_trade_no = text(&v, "out_trade_no")?;
    let notify_url = text(&v, "notify_url")?;
    let total = amount(&v, "amount.total")?;
    currency(&v, "amount.currency")?;
    let openid = text(&v, "payer.openid")?;
    if appid != sim.creds.appid {
        return Err(V3Error::param("body", appid, "appid不存在或与商户号不匹配"));
    }
    if mchid != sim.creds.mch_id {
        return Err(V3Error::param("body", mchid, "mchid与请求签名的商户号不一致"));
    }
    if !out_trade_no_ok(out_trade_no) {
        return Err(V3Error::param("body", out_trade_no, "out_trade_no长度为6-32位，仅支持数字、大小写字母、_-|*"));
    }
    if description.len() > 127 {
        return Err(V3Error::param("body", "description", "description超过最大长度127字节"));
    }
    if !(notify_url.starts_with("https://") || notify_url.starts_with("http://")) || notify_url.contains('?') {
        return Err(V3Error::param("body", notify_url, "notify_url必须为不带参数的URL"));
    }
    if !sim.model.knows_openid(openid) {
        return Err(V3Error::param("body", openid, "openid与appid不匹配"));
    }
    let time_expire_ms = match v.get("time_expire").and_then(Value::as_str) {
        None => None,
        Some(t) => Some(parse_rfc3339(t).ok_or_else(|| V3Error::param("body", t, "time_expire格式错误，应为RFC3339"))? * 1000),
    };
    let new = NewOrder {
        out_trade_no: out_trade_no.to_owned(),
        fingerprint: format!("v3 {v}"),
        total_fee: total,
        body: description.to_owned(),
        openid: openid.to_owned(),
        notify_url: notify_url.to_owned(),
        sign_type: SignType::HmacSha256,
        attach: v.get("attach").and_then(Value::as_str).map(str::to_owned),
        time_expire_ms,
    };
    let prepay_id = sim.model.place_order(new).map_err(refusal)?;
    sim.model.mark_v3_order(out_trade_no, notify_url);
    ok(json!({ "prepay_id": prepay_id }))
}

#[derive(Deserialize)]
pub(crate) struct MchidQuery {
    mchid: Option<String>,
}

fn check_mchid(sim: &Sim, q: &MchidQuery) -> Result<(), V3Error> {
    match q.mchid.as_deref() {
        None | Some("") => Err(V3Error::param("query", "mchid", "缺少参数mchid")),
        Some(m) if m != sim.creds.mch_id => Err(V3Error::param("query", m, "mchid与请求签名的商户号不一致")),
        Some(_) => Ok(()),
    }
}

fn query(sim: &Sim, key: OrderKey<'_>) -> V3Result {
    let o = sim.model.query_order(key).map_err(refusal)?;
    ok(shape::transaction(sim, &o))
}

/// `GET /v3/pay/transactions/id/{transaction_id}?mchid=`.
pub(crate) async fn by_transaction_id(State(sim): State<Arc<Sim>>, Path(id): Path<String>, Query(q): Query<MchidQuery>) -> V3Result {
    check_mchid(&sim, &q)?;
    query(&sim, OrderKey::TransactionId(&id))
}

/// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`.
pub(crate) async fn by_out_trade_no(State(sim): State<Arc<Sim>>, Path(no): Path<String>, Query(q): Query<MchidQuery>) -> V3Result {
    check_mchid(&sim, &q)?;
    query(&sim, OrderKey::OutTradeNo(&no))
}

/// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` `{mchid}` → 204.
pub(crate) async fn close(State(sim): State<Arc<Sim>>, Path(no): Path<String>, body: Bytes) -> V3Result {
    let v = json_body(&body)?;
    let mchid = text(&v, "mchid")?;
    if mchid != sim.creds.mch_id {
        return Err(V3Error::param("body", mchid, "mchid与请求签名的商户号不一致"));
    }
    sim.model.close(&no).map_err(refusal)?;
    no_content()
}
