//! Delivers payment and refund notifies until the merchant acknowledges them, on WeChat's
//! retry ladder (divided by the time scale), and records every attempt with the answer.

use std::sync::Arc;

use wxpay::{Params, SignType};

use crate::context::Sim;
use crate::model::{Delivery, NotifyKind, OrderKey};

/// Seconds to wait before each retry after the first delivery (about 24 hours in all).
pub const NOTIFY_SCHEDULE_SECS: [u64; 15] = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/// The payment notify WeChat sends for one paid JSAPI order: the simulator's notifies, and
/// the fixtures of benchmarks and tests, are made here.
#[derive(Debug, Clone, Copy)]
pub struct PaidNotify<'a> {
    /// The merchant's appid.
    pub appid: &'a str,
    /// The merchant number.
    pub mch_id: &'a str,
    /// The payer.
    pub openid: &'a str,
    /// The merchant's order number.
    pub out_trade_no: &'a str,
    /// Fen; `cash_fee` is the same.
    pub total_fee: i64,
    /// WeChat's transaction id.
    pub transaction_id: &'a str,
    /// `yyyyMMddHHmmss`.
    pub time_end: &'a str,
    /// The `attach` given at ordering.
    pub attach: Option<&'a str>,
    /// A fresh nonce for each delivery.
    pub nonce_str: &'a str,
}

impl PaidNotify<'_> {
    /// The fields, unsigned.
    pub fn params(&self) -> Params {
        let fee = self.total_fee.to_string();
        let mut p: Params = [
            ("return_code", "SUCCESS"),
            ("return_msg", "OK"),
            ("result_code", "SUCCESS"),
            ("appid", self.appid),
            ("mch_id", self.mch_id),
            ("nonce_str", self.nonce_str),
            ("openid", self.openid),
            ("is_subscribe", "N"),
            ("trade_type", "JSAPI"),
            ("bank_type", "CMC"),
            ("total_fee", &fee),
            ("cash_fee", &fee),
            ("fee_type", "CNY"),
            ("transaction_id", self.transaction_id),
            ("out_trade_no", self.out_trade_no),
            ("time_end", self.time_end),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        if let Some(a) = self.attach {
            p.insert("attach".into(), a.to_owned());
        }
        p
    }

    /// The signed XML body, without a `sign_type` field (WeChat sends none, whatever the
    /// order's sign type).
    pub fn xml(&self, key: &wxpay::ApiKey, sign_type: SignType) -> String {
        let mut p = self.params();
        let sign = wxpay::sign(&p, key, sign_type);
        p.insert("sign".into(), sign);
        wxpay::xml::encode(&p).expect("a flat map of text encodes")
    }
}

/// The notify XML for a paid order, freshly nonced and signed with the order's sign type.
pub(crate) fn notify_xml(sim: &Sim, no: &str) -> Option<String> {
    let o = sim.model.order(OrderKey::OutTradeNo(no))?;
    if !o.is_paid() {
        return None;
    }
    let nonce = wxpay::nonce_str().ok()?;
    let n = PaidNotify {
        appid: &sim.creds.appid,
        mch_id: &sim.creds.mch_id,
        openid: &o.openid,
        out_trade_no: &o.out_trade_no,
        total_fee: o.total_fee as i64,
        transaction_id: o.transaction_id.as_deref()?,
        time_end: o.time_end.as_deref()?,
        attach: o.attach.as_deref(),
        nonce_str: &nonce,
    };
    Some(n.xml(&sim.key, o.sign_type))
}

/// One copy of a notify as it goes out: v2's signed XML, or v3's JSON with its `Wechatpay-*`
/// headers; and what the journal shows of it.
pub(crate) struct Outgoing {
    pub(crate) body: String,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// v3's `event_type`.
    pub(crate) event_type: Option<&'static str>,
    /// v3: the serial of the key that signed it.
    pub(crate) signed_by: Option<String>,
}

/// How WeChat tells an acknowledged notify: v2 wants HTTP 200 and `return_code` SUCCESS, v3
/// HTTP 200 or 204.
#[derive(Clone, Copy)]
pub(crate) enum Acknowledgement {
    V2Success,
    V3Status,
}

impl Acknowledgement {
    fn judge(self, status: u16, reply: &str) -> bool {
        match self {
            Acknowledgement::V2Success => {
                status == 200
                    && wxpay::xml::decode(reply.as_bytes()).is_ok_and(|p| p.get("return_code").map(String::as_str) == Some("SUCCESS"))
            }
            Acknowledgement::V3Status => status == 200 || status == 204,
        }
    }
}

/// One POST: `(status, the reply's first 300 characters, acknowledged)`.
pub(crate) async fn send_once(sim: &Sim, url: &str, out: &Outgoing, ack: Acknowledgement) -> (Option<u16>, String, bool) {
    let mut req = sim.http.post(url).header("content-type", out.content_type).body(out.body.clone());
    for (k, v) in &out.headers {
        req = req.header(*k, v);
    }
    match req.send().await {
        Err(e) => (None, e.without_url().to_string(), false),
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let ok = ack.judge(status, &text);
            (Some(status), text.chars().take(300).collect(), ok)
        }
    }
}

/// A v2 notify: the XML `xml` makes, nothing else.
fn v2(xml: Option<String>) -> Option<Outgoing> {
    Some(Outgoing { body: xml?, content_type: "text/xml", headers: Vec::new(), event_type: None, signed_by: None })
}

/// Delivers the payment notify of a paid order until acknowledged or the ladder runs out.
pub(crate) async fn deliver(sim: Arc<Sim>, no: String) {
    let Some(url) = sim.model.order(OrderKey::OutTradeNo(&no)).map(|o| o.notify_url) else { return };
    deliver_to(sim, NotifyKind::Payment, no, url, notify_xml).await;
}

/// Delivers the v2 notify `xml` makes (fresh for each copy) on the ladder: see [`ladder`].
pub(crate) async fn deliver_to(sim: Arc<Sim>, kind: NotifyKind, key: String, url: String, xml: fn(&Sim, &str) -> Option<String>) {
    ladder(sim, kind, key, url, move |sim, key| v2(xml(sim, key)), Acknowledgement::V2Success, || {}).await;
}

/// When attempt `n` (0-based) is due after the first one, in WeChat's seconds.
pub fn due_offset_secs(n: usize) -> u64 {
    NOTIFY_SCHEDULE_SECS[..n.min(NOTIFY_SCHEDULE_SECS.len())].iter().sum()
}

/// Delivers what `make` makes (fresh for each copy) to `url` until acknowledged or the ladder
/// runs out; attempts are recorded under `key`. Each attempt is due at its offset from the first
/// one (not after the previous one ends), so slow answers do not push the ladder back.
/// `after_first` runs once the first attempt is recorded (v3: a probe may follow).
pub(crate) async fn ladder(
    sim: Arc<Sim>,
    kind: NotifyKind,
    key: String,
    url: String,
    make: impl Fn(&Sim, &str) -> Option<Outgoing>,
    ack: Acknowledgement,
    after_first: impl FnOnce(),
) {
    let start = tokio::time::Instant::now();
    let mut after_first = Some(after_first);
    for attempt in 0..=NOTIFY_SCHEDULE_SECS.len() {
        let due = sim.scaled(due_offset_secs(attempt) as f64);
        tokio::time::sleep_until(start + due).await;
        let copies = sim.faults.notify_copies();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..copies {
            let Some(out) = make(&sim, &key) else { return };
            let (sim, url) = (sim.clone(), url.clone());
            tasks.spawn(async move {
                let at_ms = sim.clock.now_ms();
                let sent = std::time::Instant::now();
                let (status, reply, ok) = send_once(&sim, &url, &out, ack).await;
                (at_ms, sent.elapsed(), status, reply, ok, out)
            });
        }
        let mut acknowledged = false;
        while let Some(Ok((at_ms, elapsed, status, reply, ok, out))) = tasks.join_next().await {
            acknowledged |= ok;
            sim.model.record_delivery(Delivery {
                kind,
                key: key.clone(),
                url: url.clone(),
                attempt: attempt as u32 + 1,
                due_offset_ms: due.as_millis() as u64,
                at_ms,
                elapsed_ms: elapsed.as_millis() as u64,
                status,
                reply,
                acknowledged: ok,
                body: out.body,
                event_type: out.event_type.map(str::to_owned),
                signed_by: out.signed_by,
                probe: false,
                probe_verdict: None,
            });
        }
        tracing::info!(?kind, key = %key, attempt = attempt + 1, acknowledged, "notify delivered");
        if let Some(f) = after_first.take() {
            f();
        }
        if acknowledged {
            return;
        }
    }
    tracing::warn!(?kind, key = %key, "notify ladder exhausted without an acknowledgement");
}
