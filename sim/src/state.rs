//! What the simulator (WeChat) knows: orders, login codes, refunds, notify attempts, the calls
//! it received. Shared by every handler; each map behind its own lock, never two held across
//! an await.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use wxpay::{ApiKey, SignType, TradeState};

use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::faults::Faults;
use crate::journal::Call;
pub(crate) use crate::lock::lock;
use crate::notifier::Delivery;
use crate::refund::SimRefund;

/// An order as the simulator (WeChat) knows it.
#[derive(Clone, Debug, Serialize)]
pub struct SimOrder {
    /// Merchant order number.
    pub out_trade_no: String,
    /// The parameters of the first unifiedorder (minus nonce and sign), for OUT_TRADE_NO_USED.
    #[serde(skip)]
    pub(crate) fingerprint: String,
    /// Current prepay_id.
    pub prepay_id: String,
    /// When it stops being valid (ms).
    pub prepay_expires_ms: i64,
    /// WeChat's trade state.
    pub trade_state: TradeState,
    /// Amount.
    pub total_fee: u64,
    /// `body` (the bill's 商品名称).
    pub body: String,
    /// Payer.
    pub openid: String,
    /// Where notifies go.
    pub notify_url: String,
    /// The order's sign type (notifies are signed with it).
    pub sign_type: SignType,
    /// Echoed attach.
    pub attach: Option<String>,
    /// time_expire as ms, if given.
    pub time_expire_ms: Option<i64>,
    /// Once paid.
    pub transaction_id: Option<String>,
    /// Once paid (`yyyyMMddHHmmss`).
    pub time_end: Option<String>,
    /// Once paid (ms).
    pub paid_ms: Option<i64>,
    /// When the first unifiedorder placed it (ms).
    pub created_ms: i64,
    /// How many unifiedorder calls named this out_trade_no.
    pub unifiedorder_calls: u32,
    /// How many times the user closed the payment sheet without paying.
    pub cancellations: u32,
}

pub(crate) struct Code {
    pub(crate) openid: String,
    pub(crate) issued_ms: i64,
    pub(crate) used: bool,
}

/// At most this many calls are kept in the journal (the oldest go first).
pub(crate) const JOURNAL_LIMIT: usize = 10_000;

/// Shared simulator state.
pub(crate) struct Sim {
    pub(crate) creds: Credentials,
    pub(crate) key: ApiKey,
    pub(crate) clock: Clock,
    pub(crate) faults: Faults,
    /// Notify retries and refund processing go this many times faster than WeChat's.
    pub(crate) time_scale: f64,
    pub(crate) accept_any_code: bool,
    pub(crate) http: reqwest::Client,
    pub(crate) orders: Mutex<HashMap<String, SimOrder>>,
    pub(crate) codes: Mutex<HashMap<String, Code>>,
    pub(crate) openids: Mutex<HashSet<String>>,
    pub(crate) deliveries: Mutex<HashMap<String, Vec<Delivery>>>,
    pub(crate) refunds: Mutex<HashMap<String, SimRefund>>,
    /// Refund calls being handled per out_refund_no, and the most seen at once.
    pub(crate) refund_calls_in_flight: Mutex<HashMap<String, (u32, u32)>>,
    pub(crate) calls: Mutex<HashMap<&'static str, u32>>,
    pub(crate) journal: Mutex<VecDeque<Call>>,
    seq: AtomicU64,
}

impl Sim {
    pub(crate) fn new(
        creds: Credentials,
        key: ApiKey,
        clock: Clock,
        time_scale: f64,
        accept_any_code: bool,
        http: reqwest::Client,
    ) -> Self {
        Sim {
            creds,
            key,
            clock,
            faults: Faults::default(),
            time_scale,
            accept_any_code,
            http,
            orders: Mutex::default(),
            codes: Mutex::default(),
            openids: Mutex::default(),
            deliveries: Mutex::default(),
            refunds: Mutex::default(),
            refund_calls_in_flight: Mutex::default(),
            calls: Mutex::default(),
            journal: Mutex::default(),
            seq: AtomicU64::new(0),
        }
    }

    pub(crate) fn count(&self, path: &'static str) {
        *lock(&self.calls).entry(path).or_default() += 1;
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// WeChat's `secs` seconds at this simulator's speed.
    pub(crate) fn scaled(&self, secs: f64) -> std::time::Duration {
        std::time::Duration::from_secs_f64((secs / self.time_scale).max(0.0))
    }
}
