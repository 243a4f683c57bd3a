//! Refunds as WeChat handles them: `/secapi/pay/refund` (mutual TLS: without the merchant
//! client certificate, WeChat's front end answers HTTP 400 with its HTML page), accepted at once and processed asynchronously, then the
//! refund notify (`req_info` AES-256-ECB encrypted with the MD5 of the API key) on the payment
//! notify's schedule; `/pay/refundquery`. The rules of which refund may be made are the
//! model's.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use wxpay::Params;

use crate::answer::{no_client_certificate, param_error, refused, system_error, Answer};
use crate::context::Sim;
use crate::faults::ForceSystemError;
use crate::model::{Ending, NewRefund, NotifyKind, RefundKey, SimRefund};
use crate::notifier;
use crate::pay::order_key;
use crate::request::{optional, require};
use crate::tls::ClientCert;

/// How long the simulated bank takes, in WeChat's seconds (divided by the time scale).
const PROCESSING_SECS: f64 = 3.0;

/// `/secapi/pay/refund`.
pub(crate) async fn refund(
    State(sim): State<Arc<Sim>>,
    Extension(cert): Extension<ClientCert>,
    forced: Option<Extension<ForceSystemError>>,
    body: Bytes,
) -> Response {
    sim.model.count_call("/secapi/pay/refund");
    let _in_flight = InFlight::enter(&sim, &body);
    if !cert.0 {
        tracing::info!("refund refused: no client certificate");
        return no_client_certificate();
    }
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    let answer = match apply(&sim, &p) {
        Ok((r, created)) => {
            if created {
                tokio::spawn(process(sim.clone(), r.out_refund_no.clone()));
            }
            accepted(&r)
        }
        Err(a) => a,
    };
    if matches!(answer, Answer::Ok(_)) && sim.faults.take_systemerror(forced.is_some()) {
        // The refund is accepted but the answer says otherwise: a retry with the same
        // out_refund_no must get the same refund.
        return sim.answer(system_error(), st);
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
            sim.model.refund_call_started(no);
        }
        InFlight { sim, no }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(no) = &self.no {
            self.sim.model.refund_call_ended(no);
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

/// Checks the call's parameters and asks the model for the refund: it, and whether this call
/// made it.
fn apply(sim: &Sim, p: &Params) -> Result<(SimRefund, bool), Answer> {
    for name in ["out_refund_no", "total_fee", "refund_fee"] {
        require(p, name)?;
    }
    let no = &p["out_refund_no"];
    wxpay::validate::out_refund_no(no).map_err(|e| param_error(format!("out_refund_no参数错误: {e}")))?;
    let fee = |name: &str| match p[name].parse::<wxpay::Fen>() {
        Ok(f) if f.get() >= 1 => Ok(f.get()),
        _ => Err(param_error(format!("{name}参数错误: 必须为正整数(分)"))),
    };
    let (total_fee, refund_fee) = (fee("total_fee")?, fee("refund_fee")?);
    if refund_fee > total_fee {
        return Err(param_error("refund_fee不能大于total_fee"));
    }
    // Optional, as at WeChat (several SDKs never send it).
    let notify_url = optional(p, "notify_url");
    if let Some(url) = notify_url {
        wxpay::validate::notify_url(url).map_err(|e| param_error(format!("notify_url参数错误: {e}")))?;
    }
    let order = order_key(p)?;
    sim.model.refund(NewRefund { out_refund_no: no, order, total_fee, refund_fee, notify_url }).map_err(refused)
}

/// The bank's part: after a while the refund ends (SUCCESS, or the outcome the
/// `refund_outcome` knob names; held PROCESSING by `hold_refunds`), then the refund notify is
/// delivered.
async fn process(sim: Arc<Sim>, no: String) {
    tokio::time::sleep(sim.scaled(PROCESSING_SECS).max(Duration::from_millis(1))).await;
    let ending = if sim.faults.holds_refunds() { Ending::Hold } else { Ending::Finish(sim.faults.refund_outcome()) };
    if sim.model.end_processing(&no, ending) {
        notify(&sim, &no);
    }
}

/// Starts delivering the refund notify of a finished refund (unless notifies are dropped).
pub(crate) fn notify(sim: &Arc<Sim>, no: &str) {
    let Some(r) = sim.model.refund_of(no) else { return };
    let status = r.refund_status;
    let Some(url) = r.notify_url else {
        tracing::info!(out_refund_no = %no, %status, "refund finished; the call named no notify_url: no notify (refundquery tells)");
        return;
    };
    if sim.faults.drops_notifies() {
        tracing::info!(out_refund_no = %no, %status, "refund finished; notify dropped (fault)");
        return;
    }
    tracing::info!(out_refund_no = %no, %status, "refund finished; delivering the refund notify");
    tokio::spawn(notifier::deliver_to(sim.clone(), NotifyKind::Refund, no.to_owned(), url, refund_notify_xml));
}

/// The refund notify WeChat would send now for a finished refund: outer fields in clear,
/// the rest in `req_info`.
pub(crate) fn refund_notify_xml(sim: &Sim, no: &str) -> Option<String> {
    let r = sim.model.refund_of(no)?;
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
    sim.model.count_call("/pay/refundquery");
    let (p, st) = match sim.check(&body).await {
        Ok(v) => v,
        Err((a, st)) => return sim.answer(a, st),
    };
    if sim.faults.take_systemerror(forced.is_some()) {
        return sim.answer(system_error(), st);
    }
    let key = if let Some(id) = optional(&p, "refund_id") {
        RefundKey::RefundId(id)
    } else if let Some(no) = optional(&p, "out_refund_no") {
        RefundKey::OutRefundNo(no)
    } else if let Some(t) = optional(&p, "transaction_id") {
        RefundKey::TransactionId(t)
    } else if let Some(o) = optional(&p, "out_trade_no") {
        RefundKey::OutTradeNo(o)
    } else {
        return sim.answer(Answer::Business("LACK_PARAMS", "缺少参数 refund_id/out_refund_no/transaction_id/out_trade_no".into()), st);
    };
    let found = sim.model.query_refunds(key);
    let Some(first) = found.first() else {
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
    sim.answer(Answer::Ok(f), st)
}
