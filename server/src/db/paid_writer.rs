//! One writer of payments per database: group commit, with the read of the orders in the batch.
//!
//! With every notify in its own transaction, concurrent notifies queue on SQLite's one writer
//! (or on PostgreSQL's commit flushes), and each notify pays a read of its order, a durable
//! commit and a round trip or a thread hop per statement. Here one task takes every waiting
//! payment and, in one transaction:
//!
//! 1. reads the orders the batch names, in one statement (on PostgreSQL locking them in the
//!    order of their numbers, so that two instances' batches cannot deadlock);
//! 2. judges each payment against its order with the caller's rule (the core's acceptance);
//! 3. moves every order that is NOTPAY, named once in the batch and judged "record", to PAID in
//!    one conditional multi-row update, and writes their audit rows in one insert;
//! 4. records the rest one after another, each with the one conditional move of
//!    [`mark_paid_on`] (a CLOSED order, an order named twice, a plain [`Orders::mark_paid`], a
//!    row another instance moved between the read and the write);
//! 5. commits once, and only then answers each caller with its own outcome.
//!
//! Nobody waits for a timer: a batch is whatever queued while the previous commit ran, so one
//! lone notify commits at once. If a statement fails inside a batch, the batch is rolled back
//! and each payment is written again in its own transaction (with the verdict already given),
//! so one bad record cannot fail the others. A failed read or commit fails every caller of the
//! batch (none was acknowledged, WeChat resends).

use std::collections::{HashMap, HashSet};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use tokio::sync::{mpsc, oneshot};
use wxpay::acceptance::PaymentVerdict;

use super::audit::Audit;
use super::orders::{mark_paid_on, Order, OrderStatus, Orders, PaidOutcome, PaidRecord, COLUMNS};
use super::sql::{Sql, Value};
use super::transition::decode;
use super::write::Writer;
use crate::error::{Error, Result};

/// The rule a payment is judged by against its stored order (`None`: no such order), inside the
/// writer's transaction.
pub type Judge = Box<dyn FnOnce(Option<&Order>) -> PaymentVerdict + Send + Sync>;

/// What [`Orders::judge_and_mark_paid`] came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentApplied {
    /// The verdict was not to record: nothing was written.
    Judged(PaymentVerdict),
    /// The verdict was to record, and this is what the write did.
    Paid(PaidOutcome),
}

impl Orders<'_> {
    /// Moves an order to PAID exactly once: a conditional update on the current state, so
    /// concurrent duplicates (threads, or server instances sharing PostgreSQL) cannot apply it
    /// twice. The audit row (with `detail`, e.g. the raw notify) commits with the change; the
    /// call returns only after that commit is durable. Concurrent calls commit together.
    ///
    /// # Errors
    /// Database errors (including a `transaction_id` already used by another order).
    pub async fn mark_paid(
        self,
        no: &str,
        transaction_id: &str,
        time_end: &str,
        now: i64,
        actor: &str,
        detail: &str,
    ) -> Result<PaidOutcome> {
        let p = PaidRecord {
            no: no.into(),
            transaction_id: transaction_id.into(),
            time_end: time_end.into(),
            now,
            actor: actor.into(),
            detail: detail.into(),
        };
        match self.db.paid_writer().submit(p, None).await? {
            PaymentApplied::Paid(outcome) => Ok(outcome),
            PaymentApplied::Judged(v) => Err(Error::Internal(format!("a plain payment record was judged: {v:?}"))),
        }
    }

    /// Reads order `p.no`, judges the payment against it with `judge`, and when the verdict is
    /// [`PaymentVerdict::Record`] moves it to PAID as [`Orders::mark_paid`] does: the read, the
    /// verdict and the write in one transaction of the payment writer, answered after its commit.
    ///
    /// # Errors
    /// Database errors.
    pub async fn judge_and_mark_paid(self, p: PaidRecord, judge: Judge) -> Result<PaymentApplied> {
        self.db.paid_writer().submit(p, Some(judge)).await
    }
}

/// At most this many payments a transaction.
const MAX_BATCH: usize = 128;

struct Job {
    record: PaidRecord,
    judge: Option<Judge>,
    reply: oneshot::Sender<Result<PaymentApplied>>,
}

/// A job in a batch: judged once, inside the batch's transaction.
struct Pending {
    record: PaidRecord,
    /// Not judged yet; `None` with no verdict: a plain record (written whatever the order's state).
    judge: Option<Judge>,
    verdict: Option<PaymentVerdict>,
    /// The order's state as the batch read it; `None` sends a payment to record down the
    /// one-by-one path.
    read: Option<OrderStatus>,
}

/// The handle; cloning shares the one writer task.
#[derive(Clone, Debug)]
pub(crate) struct PaidWriter {
    jobs: mpsc::Sender<Job>,
    writer: Writer,
}

impl PaidWriter {
    /// Starts the writer task on the current tokio runtime. It ends when every handle is gone.
    pub(crate) fn spawn(writer: Writer) -> PaidWriter {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer.clone(), rx));
        PaidWriter { jobs, writer }
    }

    async fn submit(&self, record: PaidRecord, judge: Option<Judge>) -> Result<PaymentApplied> {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = self.jobs.send(Job { record, judge, reply }).await {
            // The writer is gone (its runtime is shutting down): this payment on its own.
            let (reply, rx) = oneshot::channel();
            batch(&self.writer, &mut None, vec![Job { reply, ..job }]).await;
            return rx.await.map_err(|_| Error::Internal("the payment writer stopped before answering".into()))?;
        }
        rx.await.map_err(|_| Error::Internal("the payment writer stopped before answering".into()))?
    }
}

/// The writer's task: one connection of its own, kept while it works.
async fn run(writer: Writer, mut rx: mpsc::Receiver<Job>) {
    let mut conn = None;
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        batch(&writer, &mut conn, std::mem::take(&mut jobs)).await;
    }
}

/// One batch on the writer's connection (taken from the pool when it has none, and given back
/// after a failure): read, judge, write, commit, then answer each job.
async fn batch(writer: &Writer, conn: &mut Option<PoolConnection<Any>>, jobs: Vec<Job>) {
    let (mut pending, replies): (Vec<Pending>, Vec<Reply>) =
        jobs.into_iter().map(|Job { record, judge, reply }| (Pending { record, judge, verdict: None, read: None }, reply)).unzip();
    let c = match conn {
        Some(c) => c,
        None => match writer.pool().acquire().await {
            Ok(c) => conn.insert(c),
            Err(e) => {
                tracing::error!(error = %e, payments = replies.len(), "no connection for a payment batch");
                for reply in replies {
                    let _ = reply.send(Err(Error::Internal(format!("no connection: {e}"))));
                }
                return;
            }
        },
    };
    let result = commit(writer, c, &mut pending).await;
    if result.is_err() {
        // It may be broken: the next batch takes a fresh one.
        *conn = None;
    }
    match result {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        // A lone payment's own error is its answer.
        Err(Failure::Statement(e)) if pending.len() == 1 => {
            let _ = replies.into_iter().next().map(|reply| reply.send(Err(e)));
        }
        Err(Failure::Statement(_)) => {
            for (mut p, reply) in pending.into_iter().zip(replies) {
                // Judged already (or not, if the read failed): alone, one by one.
                p.read = None;
                let outcome = match writer.pool().acquire().await {
                    Ok(mut c) => match commit(writer, &mut c, std::slice::from_mut(&mut p)).await {
                        Ok(mut one) => Ok(one.remove(0)),
                        Err(Failure::Statement(e) | Failure::Commit(e)) => Err(e),
                    },
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(outcome);
            }
        }
        Err(Failure::Commit(e)) => {
            tracing::error!(error = %e, payments = pending.len(), "payment batch did not commit");
            for reply in replies {
                let _ = reply.send(Err(Error::Internal(format!("commit failed: {e}"))));
            }
        }
    }
}

type Reply = oneshot::Sender<Result<PaymentApplied>>;

enum Failure {
    /// A statement failed; the transaction was rolled back.
    Statement(Error),
    /// Beginning or committing failed.
    Commit(Error),
}

/// One transaction on `conn`: reads the orders of the jobs not judged yet (one statement) and
/// judges them, writes, commits.
async fn commit(writer: &Writer, conn: &mut AnyConnection, pending: &mut [Pending]) -> std::result::Result<Vec<PaymentApplied>, Failure> {
    let mut tx = writer.begin_on(conn).await.map_err(Failure::Commit)?;
    {
        // Every order the batch writes, read (and on PostgreSQL locked) in one order: another
        // instance's batch locks them in the same order, so two batches never deadlock, and
        // what was judged is what is written.
        let mut nos: Vec<&str> = pending.iter().map(|p| p.record.no.as_str()).collect();
        nos.sort_unstable();
        nos.dedup();
        let orders = read_orders_on(&mut tx, &nos, !writer.one_at_a_time()).await.map_err(Failure::Statement)?;
        for p in pending.iter_mut() {
            if let Some(judge) = p.judge.take() {
                let order = orders.get(&p.record.no);
                p.verdict = Some(judge(order));
                p.read = order.map(|o| o.status);
            }
        }
    }
    let mut outcomes: Vec<Option<PaymentApplied>> =
        pending.iter().map(|p| p.verdict.filter(|v| !records(v)).map(PaymentApplied::Judged)).collect();

    // The common case, together: NOTPAY orders named once among the payments to write.
    let mut named: HashMap<&str, usize> = HashMap::new();
    for p in pending.iter().filter(|p| p.verdict.is_none_or(|v| records(&v))) {
        *named.entry(p.record.no.as_str()).or_default() += 1;
    }
    let together: Vec<usize> = (0..pending.len())
        .filter(|&i| {
            let p = &pending[i];
            p.verdict.is_some_and(|v| records(&v)) && p.read == Some(OrderStatus::Notpay) && named[p.record.no.as_str()] == 1
        })
        .collect();
    if !together.is_empty() {
        let records: Vec<&PaidRecord> = together.iter().map(|&i| &pending[i].record).collect();
        let moved = pay_notpay_on(&mut tx, &records).await.map_err(Failure::Statement)?;
        for &i in &together {
            if moved.contains(pending[i].record.no.as_str()) {
                outcomes[i] = Some(PaymentApplied::Paid(PaidOutcome::Applied { from: OrderStatus::Notpay, oversold: false }));
            }
        }
    }
    // The rest, one by one, in the order they came.
    for (i, p) in pending.iter().enumerate() {
        if outcomes[i].is_none() {
            let outcome = mark_paid_on(&mut tx, &p.record).await.map_err(Failure::Statement)?;
            outcomes[i] = Some(PaymentApplied::Paid(outcome));
        }
    }
    tx.commit().await.map_err(Failure::Commit)?;
    Ok(outcomes.into_iter().map(|o| o.expect("every job has an outcome")).collect())
}

fn records(v: &PaymentVerdict) -> bool {
    matches!(v, PaymentVerdict::Record { .. })
}

/// The orders named, by number, in one statement; with `lock` (PostgreSQL), locked for the
/// transaction in the order of their numbers (SQLite's writer holds the file's write lock).
async fn read_orders_on(conn: &mut AnyConnection, nos: &[&str], lock: bool) -> Result<HashMap<String, Order>> {
    let mut sql = Sql::default();
    sql.push(&format!("SELECT {COLUMNS} FROM orders WHERE out_trade_no IN ("));
    for (i, no) in nos.iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " }).value(Value::Text(no));
    }
    sql.push(if lock { ") ORDER BY out_trade_no FOR UPDATE" } else { ")" });
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter().map(|r| decode::<Order>(r).map(|o| (o.out_trade_no.clone(), o))).collect()
}

/// NOTPAY → PAID for every record at once, as [`mark_paid_on`] moves one (the same columns), with
/// their audit rows in one insert. Returns the orders moved: one still NOTPAY when the update ran.
async fn pay_notpay_on(conn: &mut AnyConnection, records: &[&PaidRecord]) -> Result<HashSet<String>> {
    use sqlx::Row as _;
    let (from, to) = (OrderStatus::Notpay.as_str(), OrderStatus::Paid.as_str());
    let mut sql = Sql::default();
    sql.push("UPDATE orders SET status = ").value(Value::Text(to)).push(
        ", updated_at = v.at, transaction_id = v.txn, time_end = v.te, paid_at = v.at, failures = 0, next_check_at = NULL \
         FROM (SELECT column1 AS no, column2 AS txn, column3 AS te, column4 AS at FROM (VALUES ",
    );
    for (i, p) in records.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" }).value(Value::Text(&p.no));
        sql.push(", ").value(Value::Text(&p.transaction_id)).push(", ").value(Value::Text(&p.time_end));
        sql.push(", ").value(Value::Int(p.now)).push(")");
    }
    sql.push(") AS t) AS v WHERE orders.out_trade_no = v.no AND orders.status = ").value(Value::Text(from));
    sql.push(" RETURNING orders.out_trade_no");
    let moved: HashSet<String> =
        sql.query().fetch_all(&mut *conn).await?.iter().map(|r| r.try_get::<String, _>(0)).collect::<std::result::Result<_, _>>()?;
    let audits: Vec<Audit<'_>> = records
        .iter()
        .filter(|p| moved.contains(p.no.as_str()))
        .map(|p| Audit {
            at: p.now,
            actor: &p.actor,
            action: "order.paid",
            entity: "order",
            entity_id: &p.no,
            from_status: Some(from),
            to_status: Some(to),
            detail: Some(&p.detail),
        })
        .collect();
    Audit::write_all(conn, &audits).await?;
    Ok(moved)
}
