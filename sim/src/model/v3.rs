//! What WeChat remembers for API v3 beside the orders and refunds both APIs share: which of
//! them were made through v3 (their notifies are v3's), the request nonces of the last five
//! minutes (a replay is refused), the bill download tokens, and the probe setting.

use std::collections::{HashMap, HashSet};

use super::Model;

/// Nonces are remembered this long: the timestamp window (a request older than this is refused
/// for its timestamp anyway).
const NONCE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A bill file ready for download under a token.
#[derive(Clone, Debug)]
pub(crate) struct BillFile {
    pub(crate) bytes: Vec<u8>,
    pub(crate) gzip: bool,
    pub(crate) expires_ms: i64,
}

/// The v3 part of the ledger.
#[derive(Default)]
pub(crate) struct V3Ledger {
    orders: HashSet<String>,
    refunds: HashSet<String>,
    nonces: HashMap<String, i64>,
    bills: HashMap<String, BillFile>,
    /// Fraction (per mille) of notifies followed by a probe.
    probe_permille: u32,
    /// The last notify_url a v3 order or refund named (where probes go).
    last_notify_url: Option<String>,
}

impl Model {
    /// Marks an order as made through v3.
    pub(crate) fn mark_v3_order(&self, out_trade_no: &str, notify_url: &str) {
        let mut l = self.ledger();
        l.v3.orders.insert(out_trade_no.to_owned());
        l.v3.last_notify_url = Some(notify_url.to_owned());
    }

    /// Whether an order was made through v3.
    pub(crate) fn is_v3_order(&self, out_trade_no: &str) -> bool {
        self.ledger().v3.orders.contains(out_trade_no)
    }

    /// Marks a refund as made through v3.
    pub(crate) fn mark_v3_refund(&self, out_refund_no: &str) {
        self.ledger().v3.refunds.insert(out_refund_no.to_owned());
    }

    /// Whether a refund was made through v3.
    pub(crate) fn is_v3_refund(&self, out_refund_no: &str) -> bool {
        self.ledger().v3.refunds.contains(out_refund_no)
    }

    /// Records a request nonce; `false` if it was seen in the last five minutes (a replay).
    pub(crate) fn fresh_nonce(&self, mchid: &str, nonce: &str) -> bool {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        l.v3.nonces.retain(|_, at| now - *at < NONCE_WINDOW_MS);
        l.v3.nonces.insert(format!("{mchid}\n{nonce}"), now).is_none()
    }

    /// Keeps a bill file for download under `token`.
    pub(crate) fn keep_bill(&self, token: String, file: BillFile) {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        l.v3.bills.retain(|_, f| f.expires_ms > now - 3_600_000);
        l.v3.bills.insert(token, file);
    }

    /// The bill file under `token`, if any (expired or not: the caller tells).
    pub(crate) fn bill_file(&self, token: &str) -> Option<BillFile> {
        self.ledger().v3.bills.get(token).cloned()
    }

    /// Sets the fraction of notifies followed by a probe (0–1).
    pub(crate) fn set_probe_rate(&self, rate: f64) {
        self.ledger().v3.probe_permille = (rate.clamp(0.0, 1.0) * 1000.0).round() as u32;
    }

    /// The fraction of notifies followed by a probe.
    pub(crate) fn probe_rate(&self) -> f64 {
        f64::from(self.ledger().v3.probe_permille) / 1000.0
    }

    /// Where probes go: the last notify_url a v3 order or refund named.
    pub(crate) fn last_notify_url(&self) -> Option<String> {
        self.ledger().v3.last_notify_url.clone()
    }

    /// Remembers a notify_url (a refund's) as the last one named.
    pub(crate) fn saw_notify_url(&self, url: &str) {
        self.ledger().v3.last_notify_url = Some(url.to_owned());
    }
}
