//! Notify attempts: every copy sent, with the merchant's answer, kept by the order's or the
//! refund's number.

use serde::Serialize;

use super::Model;

/// Which notify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyKind {
    /// A payment notify (signed XML), keyed by out_trade_no.
    Payment,
    /// A refund notify (`req_info` encrypted), keyed by out_refund_no.
    Refund,
    /// A v3 payment notify (`TRANSACTION.SUCCESS`), keyed by out_trade_no.
    #[serde(rename = "v3_payment")]
    V3Payment,
    /// A v3 refund notify (`REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`), keyed by
    /// out_refund_no.
    #[serde(rename = "v3_refund")]
    V3Refund,
    /// A v3 probe: signed `WECHATPAY/SIGNTEST/…`, to be refused; keyed `probe-N`.
    Probe,
}

/// One delivery attempt (one copy).
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    /// Payment or refund.
    pub kind: NotifyKind,
    /// out_trade_no (payment) or out_refund_no (refund).
    pub key: String,
    /// Where it was sent.
    pub url: String,
    /// 1 for the first delivery, 2 for the first retry, …
    pub attempt: u32,
    /// When this attempt was due, after the first one: the ladder's sum so far, divided by the
    /// time scale (ms).
    pub due_offset_ms: u64,
    /// When it was sent (ms).
    pub at_ms: i64,
    /// How long the merchant took to answer (ms).
    pub elapsed_ms: u64,
    /// HTTP status, if an answer came.
    pub status: Option<u16>,
    /// The answer body (or the transport error), truncated.
    pub reply: String,
    /// Whether the answer was the SUCCESS XML.
    pub acknowledged: bool,
    /// The notify that was sent (XML for v2, JSON for v3).
    pub body: String,
    /// v3: the event type (`TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// v3: the `Wechatpay-Serial` it was signed under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// Whether it was a probe (v3: a deliberately bad signature).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
    /// For a probe: `refused` (the merchant answered non-2xx, as it must) or `accepted` (2xx:
    /// it does not verify signatures), `no answer` when the transport failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_verdict: Option<String>,
}

impl Model {
    /// Keeps an attempt, once the merchant answered it (or the transport failed).
    pub(crate) fn record_delivery(&self, d: Delivery) {
        self.ledger().deliveries.entry(d.key.clone()).or_default().push(d);
    }

    /// The attempts for an order (out_trade_no) or a refund (out_refund_no), in the order
    /// they were recorded.
    pub(crate) fn deliveries(&self, key: &str) -> Vec<Delivery> {
        self.ledger().deliveries.get(key).cloned().unwrap_or_default()
    }

    /// Every attempt so far, oldest first.
    pub(crate) fn all_deliveries(&self) -> Vec<Delivery> {
        let mut all: Vec<Delivery> = self.ledger().deliveries.values().flatten().cloned().collect();
        all.sort_by_key(|d| (d.at_ms, d.attempt));
        all
    }
}
