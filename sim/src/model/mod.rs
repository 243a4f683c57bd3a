//! The simulator's state model: what WeChat knows — orders, refunds, login codes, notify
//! attempts, the calls it received — as private maps behind one lock.
//!
//! Handlers ask it with operations named for what they mean (`place_order`, `pay`, `refund`,
//! `record_delivery`, …) and get values back, or a [`Refusal`] saying which of WeChat's rules
//! said no; none of them sees a map. One lock, held only inside an operation and never across
//! an await: a rule that reads one map and writes another (a refund checks its payment and the
//! payment's other refunds) is then one step that no other call can split.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::lock::lock;

mod call;
mod code;
mod day;
mod delivery;
mod order;
mod refund;
mod refusal;
mod v3;

pub use call::Call;
pub(crate) use day::Day;
pub use delivery::{Delivery, NotifyKind};
pub use order::SimOrder;
pub(crate) use order::{NewOrder, OrderKey, Paid};
pub use refund::SimRefund;
pub(crate) use refund::{Ending, NewRefund, RefundKey};
pub(crate) use refusal::Refusal;
pub(crate) use v3::BillFile;

/// Every map, behind the model's one lock.
#[derive(Default)]
struct Ledger {
    orders: HashMap<String, SimOrder>,
    refunds: HashMap<String, SimRefund>,
    codes: HashMap<String, code::Code>,
    openids: HashSet<String>,
    deliveries: HashMap<String, Vec<Delivery>>,
    /// Refund calls being handled per out_refund_no, and the most seen at once.
    refund_calls_in_flight: HashMap<String, (u32, u32)>,
    /// Calls received per API path.
    calls: HashMap<&'static str, u32>,
    journal: VecDeque<Call>,
    /// What v3 remembers besides.
    v3: v3::V3Ledger,
}

/// What the simulator (WeChat) knows. Shared by every handler.
pub(crate) struct Model {
    ledger: Mutex<Ledger>,
    clock: Clock,
    /// One sequence for prepay ids, transaction ids, refund ids and the journal: the order of
    /// events across them all.
    seq: AtomicU64,
}

impl Model {
    pub(crate) fn new(clock: Clock) -> Self {
        Model { ledger: Mutex::default(), clock, seq: AtomicU64::new(0) }
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        lock(&self.ledger)
    }

    /// The next number of the simulator's one sequence (1, 2, …).
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }
}
