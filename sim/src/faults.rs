//! Faults: standing knobs (a SYSTEMERROR rate, a delay, duplicated or dropped notifies, held
//! refunds, orderquery fields replaced) and rules for the next N calls of one endpoint (a delay,
//! a dropped connection, SYSTEMERROR, a chosen err_code, an HTTP status), consumed in order.
//!
//! The one fault model: the public fields stay for tests that turn a knob directly; the
//! simulator's own handlers ask through the methods below, so what a knob means is said once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wxpay::RefundStatus;

use crate::endpoint::Endpoint;
use crate::lock::lock;

/// Marks a call the `SystemError` fault rule applies to (its handler answers SYSTEMERROR).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ForceSystemError;

/// What a fault rule does to a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// The answer comes after `delay_ms` (the call is processed as usual).
    Delay {
        /// Milliseconds (at most 60 000).
        delay_ms: u64,
    },
    /// The call is processed, then its connection is closed without an answer: the caller
    /// cannot know the outcome.
    Drop,
    /// `SYSTEMERROR`. unifiedorder and refund are processed first (the order or refund exists,
    /// as when WeChat's answer failed), so a retry with the same parameters must get the same
    /// prepay_id or refund; the other endpoints are not processed.
    SystemError,
    /// `result_code=FAIL` with this `err_code` (signed), unprocessed: `NOTENOUGH`,
    /// `FREQUENCY_LIMITED`, `BIZERR_NEED_RETRY`, `TRADE_OVERDUE`, … For jscode2session a number
    /// is the `errcode` (e.g. 45011, -1).
    ErrCode {
        /// The code.
        err_code: String,
        /// `err_code_des` (a default when absent).
        #[serde(default)]
        err_code_des: Option<String>,
    },
    /// Answered with this HTTP status and an HTML page, unprocessed, as a proxy would.
    HttpStatus {
        /// 400–599.
        status: u16,
    },
}

/// A rule: `kind` for the next `remaining` calls of `endpoint` (all endpoints when `None`).
#[derive(Clone, Debug, Serialize)]
pub struct FaultRule {
    /// Its number, for the journal.
    pub id: u64,
    /// Which endpoint.
    pub endpoint: Option<Endpoint>,
    /// Calls left.
    pub remaining: u32,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// Fault knobs, changeable while running (`POST /sandbox/faults`, `POST /control/faults`).
#[derive(Debug, Default)]
pub struct Faults {
    /// Per-mille of Pay API calls answered `SYSTEMERROR`.
    pub systemerror_permille: AtomicU32,
    /// The next N Pay API calls answer `SYSTEMERROR` (unifiedorder and refund after storing,
    /// as when WeChat processed it but the answer failed).
    pub systemerror_next: AtomicU32,
    /// Delay before each Pay API answer, in ms.
    pub delay_ms: AtomicU64,
    /// Extra concurrent copies of every notify delivery.
    pub duplicate_notifies: AtomicU32,
    /// Payments are made but no notify is sent (a lost notify: orderquery must find it).
    /// Applies to refund notifies too (refundquery must find those).
    pub drop_notifies: AtomicBool,
    /// Refunds stay PROCESSING (until settled) instead of finishing.
    pub hold_refunds: AtomicBool,
    /// How refunds finish when not held (`None`: SUCCESS; CHANGE or REFUNDCLOSE otherwise).
    pub refund_outcome: Mutex<Option<wxpay::RefundStatus>>,
    /// The next N Pay API calls are processed, then their connection is dropped without an
    /// answer: the caller cannot know the outcome.
    pub drop_connections_next: AtomicU32,
    /// The next N Pay API calls are answered HTTP 403 with an HTML page, unprocessed, as a
    /// proxy in front of WeChat would.
    pub http_status_next: AtomicU32,
    /// Fields of successful orderquery answers replaced (`Some`) or left out (`None`), as a
    /// faulty or forged answer would carry them (signed all the same).
    pub orderquery_fields: Mutex<HashMap<String, Option<String>>>,
    /// orderquery and closeorder of these out_trade_no answer `SYSTEMERROR` (a row that fails
    /// for ever).
    pub failing_orders: Mutex<HashSet<String>>,
    rules: Mutex<VecDeque<FaultRule>>,
    next_rule: AtomicU64,
}

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("random source");
    u32::from_le_bytes(b)
}

fn take_counter(c: &AtomicU32) -> bool {
    c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
}

impl Faults {
    /// Adds a rule; returns it.
    pub fn add_rule(&self, endpoint: Option<Endpoint>, count: u32, kind: FaultKind) -> FaultRule {
        let rule = FaultRule { id: self.next_rule.fetch_add(1, Ordering::Relaxed) + 1, endpoint, remaining: count, kind };
        lock(&self.rules).push_back(rule.clone());
        rule
    }

    /// The rules with calls left.
    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.rules).iter().cloned().collect()
    }

    /// Removes every rule.
    pub fn clear_rules(&self) {
        lock(&self.rules).clear();
    }

    /// The first rule for `endpoint` with calls left, consumed once.
    pub(crate) fn take_rule(&self, endpoint: Endpoint) -> Option<FaultRule> {
        let mut rules = lock(&self.rules);
        let i = rules.iter().position(|r| r.endpoint.is_none_or(|e| e == endpoint) && r.remaining > 0)?;
        rules[i].remaining -= 1;
        let taken = rules[i].clone();
        if rules[i].remaining == 0 {
            rules.remove(i);
        }
        Some(taken)
    }

    /// Whether this call answers SYSTEMERROR: a rule already taken for it (`forced`), the next-N
    /// counter, or the rate.
    pub(crate) fn take_systemerror(&self, forced: bool) -> bool {
        if forced || take_counter(&self.systemerror_next) {
            return true;
        }
        let rate = self.systemerror_permille.load(Ordering::Relaxed);
        rate > 0 && random_u32() % 1000 < rate
    }

    pub(crate) fn order_fails(&self, out_trade_no: &str) -> bool {
        lock(&self.failing_orders).contains(out_trade_no)
    }

    pub(crate) fn take_drop_connection(&self) -> bool {
        take_counter(&self.drop_connections_next)
    }

    pub(crate) fn take_http_status(&self) -> bool {
        take_counter(&self.http_status_next)
    }

    /// How long every Pay API answer waits first, if at all.
    pub(crate) fn delay(&self) -> Option<Duration> {
        let ms = self.delay_ms.load(Ordering::Relaxed);
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// How many copies of each notify delivery go out at once.
    pub(crate) fn notify_copies(&self) -> u32 {
        1 + self.duplicate_notifies.load(Ordering::Relaxed)
    }

    /// Whether notifies are lost (a payment or refund is made, no notify is sent).
    pub(crate) fn drops_notifies(&self) -> bool {
        self.drop_notifies.load(Ordering::Relaxed)
    }

    /// Whether refunds stay PROCESSING until settled.
    pub(crate) fn holds_refunds(&self) -> bool {
        self.hold_refunds.load(Ordering::Relaxed)
    }

    /// How a refund that is not held ends.
    pub(crate) fn refund_outcome(&self) -> RefundStatus {
        lock(&self.refund_outcome).unwrap_or(RefundStatus::Success)
    }

    /// The orderquery fields to replace (`Some`) or leave out (`None`).
    pub(crate) fn orderquery_overrides(&self) -> Vec<(String, Option<String>)> {
        lock(&self.orderquery_fields).iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// The knobs now.
    pub(crate) fn knobs(&self) -> Knobs {
        Knobs {
            drop_notifies: self.drop_notifies.load(Ordering::Relaxed),
            hold_refunds: self.hold_refunds.load(Ordering::Relaxed),
            systemerror_rate: f64::from(self.systemerror_permille.load(Ordering::Relaxed)) / 1000.0,
            systemerror_next: self.systemerror_next.load(Ordering::Relaxed),
            delay_ms: self.delay_ms.load(Ordering::Relaxed),
            duplicate_notifies: self.duplicate_notifies.load(Ordering::Relaxed),
            drop_connections_next: self.drop_connections_next.load(Ordering::Relaxed),
            http_status_next: self.http_status_next.load(Ordering::Relaxed),
            refund_outcome: self.refund_outcome().as_str(),
        }
    }

    /// Turns the knobs `change` names (the others stay); out-of-range values are clamped.
    ///
    /// # Errors
    /// A `refund_outcome` other than SUCCESS, CHANGE or REFUNDCLOSE (nothing is changed then).
    pub(crate) fn turn(&self, change: &KnobChange) -> Result<Knobs, &'static str> {
        if let Some(o) = &change.refund_outcome {
            let status = match o.as_str() {
                "SUCCESS" => None,
                // v3 names them ABNORMAL and CLOSED.
                "CHANGE" | "ABNORMAL" => Some(RefundStatus::Change),
                "REFUNDCLOSE" | "CLOSED" => Some(RefundStatus::Refundclose),
                _ => return Err("refund_outcome: SUCCESS, CHANGE (ABNORMAL) or REFUNDCLOSE (CLOSED)"),
            };
            *lock(&self.refund_outcome) = status;
        }
        if let Some(n) = change.http_status_next {
            self.http_status_next.store(n, Ordering::Relaxed);
        }
        if let Some(r) = change.systemerror_rate {
            self.systemerror_permille.store((r.clamp(0.0, 1.0) * 1000.0).round() as u32, Ordering::Relaxed);
        }
        if let Some(n) = change.systemerror_next {
            self.systemerror_next.store(n, Ordering::Relaxed);
        }
        if let Some(d) = change.delay_ms {
            self.delay_ms.store(d.min(60_000), Ordering::Relaxed);
        }
        if let Some(n) = change.duplicate_notifies {
            self.duplicate_notifies.store(n.min(100), Ordering::Relaxed);
        }
        if let Some(d) = change.drop_notifies {
            self.drop_notifies.store(d, Ordering::Relaxed);
        }
        if let Some(h) = change.hold_refunds {
            self.hold_refunds.store(h, Ordering::Relaxed);
        }
        if let Some(n) = change.drop_connections_next {
            self.drop_connections_next.store(n, Ordering::Relaxed);
        }
        Ok(self.knobs())
    }
}

/// The standing knobs as the control API shows them.
#[derive(Debug, Serialize)]
pub(crate) struct Knobs {
    drop_notifies: bool,
    hold_refunds: bool,
    systemerror_rate: f64,
    systemerror_next: u32,
    delay_ms: u64,
    duplicate_notifies: u32,
    drop_connections_next: u32,
    http_status_next: u32,
    refund_outcome: &'static str,
}

/// The knobs a control call turns (absent ones stay as they are).
#[derive(Debug, Deserialize)]
pub(crate) struct KnobChange {
    systemerror_rate: Option<f64>,
    systemerror_next: Option<u32>,
    delay_ms: Option<u64>,
    duplicate_notifies: Option<u32>,
    drop_notifies: Option<bool>,
    hold_refunds: Option<bool>,
    drop_connections_next: Option<u32>,
    http_status_next: Option<u32>,
    refund_outcome: Option<String>,
}
