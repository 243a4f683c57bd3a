//! v3 notifies: JSON with the resource AES-256-GCM encrypted under the APIv3 key, signed with
//! the key the mode says signs notifies now, delivered on the v2 retry ladder until the merchant
//! answers 200 or 204. `TRANSACTION.SUCCESS` for payments; `REFUND.SUCCESS`, `REFUND.ABNORMAL`
//! and `REFUND.CLOSED` for refunds. And WeChat's probes: a notify like the others whose
//! signature is `WECHATPAY/SIGNTEST/…`, which the merchant must refuse.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};
use wxpay::v3::{EncryptedResource, SIGNTEST_PREFIX};
use wxpay::RefundStatus;

use super::shape;
use crate::context::Sim;
use crate::dates::rfc3339;
use crate::model::{Delivery, NotifyKind, OrderKey};
use crate::notifier::{self, Acknowledgement, Outgoing};

/// What a notify says, before it is encrypted and signed.
pub(crate) struct Event {
    event_type: &'static str,
    summary: &'static str,
    resource: Value,
    original_type: &'static str,
}

fn payment_event(sim: &Sim, no: &str) -> Option<Event> {
    let o = sim.model.order(OrderKey::OutTradeNo(no))?;
    o.is_paid().then(|| Event {
        event_type: "TRANSACTION.SUCCESS",
        summary: "支付成功",
        resource: shape::transaction(sim, &o),
        original_type: "transaction",
    })
}

fn refund_event(sim: &Sim, no: &str) -> Option<Event> {
    let r = sim.model.refund_of(no)?;
    let (event_type, summary) = match r.refund_status {
        RefundStatus::Success => ("REFUND.SUCCESS", "退款成功"),
        RefundStatus::Change => ("REFUND.ABNORMAL", "退款异常"),
        RefundStatus::Refundclose => ("REFUND.CLOSED", "退款关闭"),
        RefundStatus::Processing => return None,
    };
    Some(Event { event_type, summary, resource: shape::refund_notice(sim, &r), original_type: "refund" })
}

/// A notification id as WeChat's look (a UUID).
fn notify_id() -> String {
    let h = crate::rsakey::random_hex(16).to_lowercase();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The notify's JSON text, its resource freshly encrypted.
fn body(sim: &Sim, e: &Event) -> Option<String> {
    let nonce = &wxpay::nonce_str().ok()?[..12];
    let plain = serde_json::to_vec(&e.resource).ok()?;
    let resource = EncryptedResource::encrypt(&sim.v3.api_v3_key, &plain, nonce, e.original_type, e.original_type).ok()?;
    let v = json!({
        "id": notify_id(),
        "create_time": rfc3339(sim.clock.now_secs()),
        "resource_type": "encrypt-resource",
        "event_type": e.event_type,
        "summary": e.summary,
        "resource": resource,
    });
    serde_json::to_string(&v).ok()
}

/// The `Wechatpay-*` headers of a notify, signed by the key that signs notifies now (or, for
/// a probe, a signature that is WeChat's deliberate garbage).
fn headers(sim: &Sim, body: &str, probe: bool) -> Option<(String, Vec<(&'static str, String)>)> {
    let key = sim.v3.notify_key(sim.clock.now_ms())?;
    let ts = sim.clock.now_secs().to_string();
    let nonce = wxpay::nonce_str().ok()?;
    let signature = if probe {
        let mut garbage = [0u8; 48];
        getrandom::fill(&mut garbage).ok()?;
        format!("{SIGNTEST_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(garbage))
    } else {
        key.key.sign(&wxpay::v3::response_message(&ts, &nonce, body.as_bytes())).ok()?
    };
    let list = vec![
        ("wechatpay-serial", key.serial.clone()),
        ("wechatpay-timestamp", ts),
        ("wechatpay-nonce", nonce),
        ("wechatpay-signature", signature),
        ("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048".to_owned()),
    ];
    Some((key.serial, list))
}

fn random_below_1000() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("random source");
    u32::from_le_bytes(b) % 1000
}

/// One copy of the notify `event` describes: encrypted, then signed.
fn outgoing(sim: &Sim, event: &Event, probe: bool) -> Option<Outgoing> {
    let body = body(sim, event)?;
    let (serial, headers) = headers(sim, &body, probe)?;
    Some(Outgoing { body, content_type: "application/json", headers, event_type: Some(event.event_type), signed_by: Some(serial) })
}

/// A v3 notify as WeChat sends it: its `Wechatpay-*` headers and its JSON body. For tests
/// that deliver notifies themselves ([`crate::Simulator::signed_v3_notify`]).
#[derive(Debug, Clone)]
pub struct SignedV3Notify {
    /// `wechatpay-serial`, `-timestamp`, `-nonce`, `-signature`, `-signature-type`.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON text, signed as it is.
    pub body: String,
}

/// The payment notify of a paid order (`TRANSACTION.SUCCESS`), the resource as WeChat describes
/// the order now.
pub(crate) fn payment_resource(sim: &Sim, no: &str) -> Option<Value> {
    payment_event(sim, no).map(|e| e.resource)
}

/// The refund notify's resource of a finished refund.
pub(crate) fn refund_resource(sim: &Sim, out_refund_no: &str) -> Option<(&'static str, Value)> {
    refund_event(sim, out_refund_no).map(|e| (e.event_type, e.resource))
}

/// A notify of `event_type` carrying `resource` (`original_type` `transaction` or `refund`),
/// encrypted and signed now by the key that signs notifies, or a probe.
pub(crate) fn signed(sim: &Sim, event_type: &'static str, resource: Value, probe: bool) -> Option<SignedV3Notify> {
    let original_type = if event_type.starts_with("REFUND.") { "refund" } else { "transaction" };
    let event = Event { event_type, summary: "", resource, original_type };
    let out = outgoing(sim, &event, probe)?;
    Some(SignedV3Notify { headers: out.headers, body: out.body })
}

/// Delivers the notify `make` describes (fresh for each copy) on the v2 ladder until the
/// merchant answers 200 or 204. After the first delivery a probe follows at the probe rate.
async fn deliver(sim: Arc<Sim>, kind: NotifyKind, key: String, url: String, make: fn(&Sim, &str) -> Option<Event>) {
    let probe = (sim.clone(), url.clone());
    let maybe_probe = move || {
        let (sim, url) = probe;
        if random_below_1000() < (sim.model.probe_rate() * 1000.0).round() as u32 {
            tokio::spawn(async move { send_probe(&sim, &url).await });
        }
    };
    notifier::ladder(sim, kind, key, url, move |sim, key| outgoing(sim, &make(sim, key)?, false), Acknowledgement::V3Status, maybe_probe)
        .await;
}

/// Sends one probe to `url` now and records the merchant's answer: `refused` (non-2xx, as it
/// must) or `accepted` (2xx: it did not verify the signature).
pub(crate) async fn send_probe(sim: &Arc<Sim>, url: &str) -> Option<Delivery> {
    let fake = crate::model::SimOrder::probe_sample(sim.clock.now_ms());
    let event = Event {
        event_type: "TRANSACTION.SUCCESS",
        summary: "支付成功",
        resource: shape::transaction(sim, &fake),
        original_type: "transaction",
    };
    let out = outgoing(sim, &event, true)?;
    let at_ms = sim.clock.now_ms();
    let sent = std::time::Instant::now();
    let (status, reply, _) = notifier::send_once(sim, url, &out, Acknowledgement::V3Status).await;
    let verdict = match status {
        None => "no answer",
        Some(s) if (200..300).contains(&s) => "accepted",
        Some(_) => "refused",
    };
    tracing::info!(url, verdict, "probe sent");
    let d = Delivery {
        kind: NotifyKind::Probe,
        key: format!("probe-{}", sim.model.next_seq()),
        url: url.to_owned(),
        attempt: 1,
        due_offset_ms: 0,
        at_ms,
        elapsed_ms: sent.elapsed().as_millis() as u64,
        status,
        reply,
        acknowledged: verdict == "accepted",
        body: out.body,
        event_type: out.event_type.map(str::to_owned),
        signed_by: out.signed_by,
        probe: true,
        probe_verdict: Some(verdict.to_owned()),
    };
    sim.model.record_delivery(d.clone());
    Some(d)
}

/// Starts delivering the `TRANSACTION.SUCCESS` notify of a paid v3 order.
pub(crate) fn spawn_payment(sim: &Arc<Sim>, out_trade_no: &str) {
    let Some(url) = sim.model.order(OrderKey::OutTradeNo(out_trade_no)).map(|o| o.notify_url) else { return };
    if sim.faults.drops_notifies() {
        tracing::info!(out_trade_no, "paid by the user; v3 notify dropped (fault)");
        return;
    }
    tokio::spawn(deliver(sim.clone(), NotifyKind::V3Payment, out_trade_no.to_owned(), url, payment_event));
}

/// Starts delivering the notify of a finished v3 refund (when the refund named a notify_url).
pub(crate) fn spawn_refund(sim: &Arc<Sim>, out_refund_no: &str) {
    let Some(url) = sim.model.refund_of(out_refund_no).and_then(|r| r.notify_url) else { return };
    if sim.faults.drops_notifies() {
        tracing::info!(out_refund_no, "refund finished; v3 notify dropped (fault)");
        return;
    }
    tokio::spawn(deliver(sim.clone(), NotifyKind::V3Refund, out_refund_no.to_owned(), url, refund_event));
}
