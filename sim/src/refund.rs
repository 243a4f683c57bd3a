//! Refunds as WeChat handles them: `/secapi/pay/refund` (mutual TLS: refused without the
//! merchant client certificate), accepted at once and processed asynchronously, then the
//! refund notify (`req_info` AES-256-ECB encrypted with the MD5 of the API key) on the payment
//! notify's schedule; `/pay/refundquery`.
//!
//! The same `out_refund_no` with the same amounts is the same refund (answered again, never
//! made twice); with other amounts it is refused. The sum of a payment's refunds that are not
//! closed never exceeds its total.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use serde::Serialize;
use wxpay::{Params, RefundStatus, SignType, TradeState};

use crate::answer::{param_error, Answer};
use crate::faults::ForceSystemError;
use crate::notifier::{self, NotifyKind};
use crate::pay::find;
use crate::request::require;
use crate::state::{lock, Sim};
use crate::tls::ClientCert;

/// How long the simulated bank takes, in WeChat's seconds (divided by the time scale).
const PROCESSING_SECS: f64 = 3.0;

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

/// `/secapi/pay/refund`.
pub(crate) async fn refund(
    State(sim): State<Arc<Sim>>,
    Extension(cert): Extension<ClientCert>,
    forced: Option<Extension<ForceSystemError>>,
    body: Bytes,
) -> Response {
    sim.count("/secapi/pay/refund");
    let _in_flight = InFlight::enter(&sim, &body);
    if !cert.0 {
        tracing::info!("refund refused: no client certificate");
        return sim.answer(
            Answer::ReturnFail("CERT_ERROR: 证书错误，请求需要双向证书 (no merchant client certificate presented)".into()),
            SignType::Md5,
        );
    }
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    let (answer, created) = match apply(&sim, &p) {
        Ok(v) => v,
        Err(a) => (a, None),
    };
    if let Some(no) = created {
        tokio::spawn(process(sim.clone(), no));
    }
    if matches!(answer, Answer::Ok(_)) && sim.faults.take_systemerror(forced.is_some()) {
        // The refund is accepted but the answer says otherwise: a retry with the same
        // out_refund_no must get the same refund.
        return sim.answer(Answer::Business("SYSTEMERROR", "系统超时".into()), st);
    }
    sim.answer(answer, st)
}

/// Counts a refund call as in flight (by its out_refund_no) until dropped.
struct InFlight<'a> {
    sim: &'a Sim,
    no: Option<String>,
}

impl<'a> InFlight<'a> {
    fn enter(sim: &'a Sim, body: &[u8]) -> Self {
        let no = wxpay::xml::decode(body).ok().and_then(|p| p.get("out_refund_no").cloned());
        if let Some(no) = &no {
            let mut m = lock(&sim.refund_calls_in_flight);
            let e = m.entry(no.clone()).or_default();
            e.0 += 1;
            e.1 = e.1.max(e.0);
        }
        InFlight { sim, no }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(no) = &self.no {
            if let Some(e) = lock(&self.sim.refund_calls_in_flight).get_mut(no) {
                e.0 -= 1;
            }
        }
    }
}

fn accepted(r: &SimRefund) -> Answer {
    let mut f = Params::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_owned(), v);
    };
    put("transaction_id", r.transaction_id.clone());
    put("out_trade_no", r.out_trade_no.clone());
    put("out_refund_no", r.out_refund_no.clone());
    put("refund_id", r.refund_id.clone());
    put("refund_fee", r.refund_fee.to_string());
    put("total_fee", r.total_fee.to_string());
    put("cash_fee", r.total_fee.to_string());
    put("cash_refund_fee", r.refund_fee.to_string());
    put("refund_channel", String::new());
    Answer::Ok(f)
}

fn apply(sim: &Sim, p: &Params) -> Result<(Answer, Option<String>), Answer> {
    for name in ["out_refund_no", "total_fee", "refund_fee"] {
        require(p, name)?;
    }
    let no = p["out_refund_no"].clone();
    wxpay::validate::out_refund_no(&no).map_err(|e| param_error(format!("out_refund_no参数错误: {e}")))?;
    let fee = |name: &str| match p[name].parse::<wxpay::Fen>() {
        Ok(f) if f.get() >= 1 => Ok(f.get()),
        _ => Err(param_error(format!("{name}参数错误: 必须为正整数(分)"))),
    };
    let (total_fee, refund_fee) = (fee("total_fee")?, fee("refund_fee")?);
    if refund_fee > total_fee {
        return Err(param_error("refund_fee不能大于total_fee"));
    }
    // Optional, as at WeChat (several SDKs never send it).
    let notify_url = p.get("notify_url").map(String::as_str).filter(|u| !u.is_empty());
    if let Some(url) = notify_url {
        wxpay::validate::notify_url(url).map_err(|e| param_error(format!("notify_url参数错误: {e}")))?;
    }
    let mut orders = lock(&sim.orders);
    let order = find(&mut orders, p)?;
    if !matches!(order.trade_state, TradeState::Success | TradeState::Refund) {
        return Err(Answer::Business("TRADE_STATE_ERROR", "订单状态错误，未支付的订单不能退款".into()));
    }
    if total_fee != order.total_fee {
        return Err(param_error("total_fee与订单金额不一致"));
    }
    let mut refunds = lock(&sim.refunds);
    if let Some(r) = refunds.get_mut(&no) {
        if r.out_trade_no != order.out_trade_no || r.refund_fee != refund_fee || r.total_fee != total_fee {
            return Err(Answer::Business("INVALID_REQUEST", "订单金额或退款金额与之前请求不一致，请核实后再试".into()));
        }
        r.calls += 1;
        return Ok((accepted(r), None));
    }
    let mine: Vec<&SimRefund> = refunds.values().filter(|r| r.out_trade_no == order.out_trade_no).collect();
    if mine.len() >= MAX_REFUNDS_PER_ORDER {
        return Err(Answer::Business("INVALID_REQUEST", "退款次数超过限制(50)".into()));
    }
    let taken: u64 = mine.iter().filter(|r| r.refund_status != RefundStatus::Refundclose).map(|r| r.refund_fee).sum();
    if taken + refund_fee > order.total_fee {
        return Err(Answer::Business("INVALID_REQUEST", format!("累计退款金额大于支付金额 (refundable {} fen)", order.total_fee - taken)));
    }
    let now = sim.clock.now_ms();
    let seq = sim.next_seq();
    let r = SimRefund {
        out_refund_no: no.clone(),
        out_trade_no: order.out_trade_no.clone(),
        transaction_id: order.transaction_id.clone().unwrap_or_default(),
        refund_id: format!("50{:012}{:016}", seq, now.rem_euclid(10_000_000_000_000_000)),
        total_fee,
        refund_fee,
        refund_status: RefundStatus::Processing,
        success_time: None,
        notify_url: notify_url.map(str::to_owned),
        calls: 1,
        requested_ms: now,
        held: false,
        seq,
    };
    order.trade_state = TradeState::Refund;
    let answer = accepted(&r);
    tracing::info!(out_refund_no = %no, refund_fee, "refund accepted");
    refunds.insert(no.clone(), r);
    Ok((answer, Some(no)))
}

/// The bank's part: after a while the refund ends (SUCCESS, or the outcome the
/// `refund_outcome` knob names), then the refund notify is delivered.
async fn process(sim: Arc<Sim>, no: String) {
    tokio::time::sleep(sim.scaled(PROCESSING_SECS).max(Duration::from_millis(1))).await;
    {
        let mut refunds = lock(&sim.refunds);
        let Some(r) = refunds.get_mut(&no) else { return };
        // Settled meanwhile (the control API, as a person at the bank): that word stands.
        if r.refund_status != RefundStatus::Processing {
            return;
        }
        if sim.faults.hold_refunds.load(Ordering::Relaxed) {
            r.held = true;
            return;
        }
        let status = lock(&sim.faults.refund_outcome).unwrap_or(RefundStatus::Success);
        finish(r, status, sim.clock.now_secs());
    }
    notify(&sim, &no);
}

/// Starts delivering the refund notify of a finished refund (unless notifies are dropped).
pub(crate) fn notify(sim: &Arc<Sim>, no: &str) {
    let Some((url, status)) = lock(&sim.refunds).get(no).map(|r| (r.notify_url.clone(), r.refund_status)) else { return };
    let Some(url) = url else {
        tracing::info!(out_refund_no = %no, %status, "refund finished; the call named no notify_url: no notify (refundquery tells)");
        return;
    };
    if sim.faults.drop_notifies.load(Ordering::Relaxed) {
        tracing::info!(out_refund_no = %no, %status, "refund finished; notify dropped (fault)");
        return;
    }
    tracing::info!(out_refund_no = %no, %status, "refund finished; delivering the refund notify");
    tokio::spawn(notifier::deliver_to(sim.clone(), NotifyKind::Refund, no.to_owned(), url, refund_notify_xml));
}

/// Held refunds end in `status` now (no notify: refundquery finds them).
pub(crate) fn settle_held(sim: &Sim, status: RefundStatus) {
    let now = sim.clock.now_secs();
    for r in lock(&sim.refunds).values_mut().filter(|r| r.held && r.refund_status == RefundStatus::Processing) {
        finish(r, status, now);
    }
}

/// A refund moved to `status` (no notify). Returns whether it exists.
pub(crate) fn set_status(sim: &Sim, no: &str, status: RefundStatus) -> bool {
    let now = sim.clock.now_secs();
    match lock(&sim.refunds).get_mut(no) {
        Some(r) => {
            finish(r, status, now);
            true
        }
        None => false,
    }
}

fn finish(r: &mut SimRefund, status: RefundStatus, now_secs: i64) {
    r.refund_status = status;
    r.held = false;
    r.success_time = (status == RefundStatus::Success).then(|| crate::dates::dashed(now_secs));
}

/// The refund notify WeChat would send now for a finished refund: outer fields in clear,
/// the rest in `req_info`.
pub(crate) fn refund_notify_xml(sim: &Sim, no: &str) -> Option<String> {
    let r = lock(&sim.refunds).get(no).cloned()?;
    if !r.refund_status.is_final() {
        return None;
    }
    let mut inner = Params::new();
    let mut put = |k: &str, v: &str| {
        inner.insert(k.to_owned(), v.to_owned());
    };
    put("transaction_id", &r.transaction_id);
    put("out_trade_no", &r.out_trade_no);
    put("refund_id", &r.refund_id);
    put("out_refund_no", &r.out_refund_no);
    put("total_fee", &r.total_fee.to_string());
    put("settlement_total_fee", &r.total_fee.to_string());
    put("refund_fee", &r.refund_fee.to_string());
    put("settlement_refund_fee", &r.refund_fee.to_string());
    put("refund_status", r.refund_status.as_str());
    if let Some(t) = &r.success_time {
        put("success_time", t);
    }
    put("refund_recv_accout", "支付用户的零钱");
    put("refund_account", "REFUND_SOURCE_UNSETTLED_FUNDS");
    put("refund_request_source", "API");
    let req_info = wxpay::refund_notify::encrypt_req_info(&inner, &sim.key).ok()?;
    let mut outer = Params::new();
    for (k, v) in [
        ("return_code", "SUCCESS"),
        ("appid", sim.creds.appid.as_str()),
        ("mch_id", sim.creds.mch_id.as_str()),
        ("nonce_str", &wxpay::nonce_str().ok()?),
        ("req_info", &req_info),
    ] {
        outer.insert(k.to_owned(), v.to_owned());
    }
    wxpay::xml::encode(&outer).ok()
}

/// `/pay/refundquery`.
pub(crate) async fn refundquery(State(sim): State<Arc<Sim>>, forced: Option<Extension<ForceSystemError>>, body: Bytes) -> Response {
    sim.count("/pay/refundquery");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if sim.faults.take_systemerror(forced.is_some()) {
        return sim.answer(Answer::Business("SYSTEMERROR", "系统超时".into()), st);
    }
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    let refunds = lock(&sim.refunds);
    let mut found: Vec<&SimRefund> = if let Some(id) = get("refund_id") {
        refunds.values().filter(|r| r.refund_id == id).collect()
    } else if let Some(no) = get("out_refund_no") {
        refunds.get(&no).into_iter().collect()
    } else if let Some(t) = get("transaction_id") {
        refunds.values().filter(|r| r.transaction_id == t).collect()
    } else if let Some(o) = get("out_trade_no") {
        refunds.values().filter(|r| r.out_trade_no == o).collect()
    } else {
        drop(refunds);
        return sim.answer(Answer::Business("LACK_PARAMS", "缺少参数 refund_id/out_refund_no/transaction_id/out_trade_no".into()), st);
    };
    found.sort_by_key(|r| r.seq);
    let Some(first) = found.first() else {
        drop(refunds);
        return sim.answer(Answer::Business("REFUNDNOTEXIST", "退款订单查询失败".into()), st);
    };
    let mut f = Params::new();
    f.insert("transaction_id".into(), first.transaction_id.clone());
    f.insert("out_trade_no".into(), first.out_trade_no.clone());
    f.insert("total_fee".into(), first.total_fee.to_string());
    f.insert("cash_fee".into(), first.total_fee.to_string());
    f.insert("refund_count".into(), found.len().to_string());
    f.insert("refund_fee".into(), found.iter().map(|r| r.refund_fee).sum::<u64>().to_string());
    for (n, r) in found.iter().enumerate() {
        f.insert(format!("out_refund_no_{n}"), r.out_refund_no.clone());
        f.insert(format!("refund_id_{n}"), r.refund_id.clone());
        f.insert(format!("refund_fee_{n}"), r.refund_fee.to_string());
        f.insert(format!("refund_status_{n}"), r.refund_status.as_str().to_owned());
        f.insert(format!("refund_channel_{n}"), "ORIGINAL".into());
        f.insert(format!("refund_recv_accout_{n}"), "支付用户的零钱".into());
        if let Some(t) = &r.success_time {
            f.insert(format!("refund_success_time_{n}"), t.clone());
        }
    }
    drop(refunds);
    sim.answer(Answer::Ok(f), st)
}
