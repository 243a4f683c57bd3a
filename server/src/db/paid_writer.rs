//! Group commit of payment notifies on SQLite.
//!
//! SQLite has one writer. With every notify in its own transaction, concurrent notifies queue
//! on the file lock (sleeping in SQLite's busy handler) and each pays a full durable commit.
//! Here one task takes every waiting [`PaidRecord`], applies them one after another in a single
//! transaction — each still a conditional update with its audit row — and commits once; each
//! caller gets its own outcome only after that commit. Nobody waits for a timer: a batch is
//! whatever queued while the previous commit ran, so one lone notify commits at once.
//!
//! If a statement fails inside a batch, the batch is rolled back and each record is retried in
//! its own transaction, so one bad record cannot fail the others. A failed commit fails every
//! caller of the batch (none was acknowledged, WeChat resends).

use tokio::sync::{mpsc, oneshot};

use super::orders::{mark_paid_on, Orders, PaidOutcome, PaidRecord};
use super::write::Writer;
use crate::error::{Error, Result};

impl Orders<'_> {
    /// Moves an order to PAID exactly once: a conditional update on the current state, so
    /// concurrent duplicates (threads, or server instances sharing PostgreSQL) cannot apply it
    /// twice. The audit row (with `detail`, e.g. the raw notify) commits with the change; the
    /// call returns only after that commit is durable.
    ///
    /// On SQLite, concurrent calls are committed together (this module).
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
        match self.db.paid_writer() {
            Some(w) => w.mark_paid(p).await,
            None => record_alone(self.db.writer(), &p).await,
        }
    }
}

/// At most this many records a transaction.
const MAX_BATCH: usize = 128;

type Job = (PaidRecord, oneshot::Sender<Result<PaidOutcome>>);

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

    /// Records `p` in the next batch and returns its outcome once that batch committed.
    pub(crate) async fn mark_paid(&self, p: PaidRecord) -> Result<PaidOutcome> {
        let (tx, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError((p, _))) = self.jobs.send((p, tx)).await {
            // The writer is gone (its runtime is shutting down): record it on its own.
            return record_alone(&self.writer, &p).await;
        }
        rx.await.map_err(|_| Error::Internal("the payment writer stopped before answering".into()))?
    }
}

async fn run(writer: Writer, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match commit_batch(&writer, &batch).await {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            // A lone record's own error is its answer.
            Err(Failure::Statement(e)) if batch.len() == 1 => {
                let _ = batch.pop().map(|(_, reply)| reply.send(Err(e)));
            }
            Err(Failure::Statement(_)) => {
                for (p, reply) in batch.drain(..) {
                    let _ = reply.send(record_alone(&writer, &p).await);
                }
            }
            Err(Failure::Commit(e)) => {
                tracing::error!(error = %e, records = batch.len(), "payment batch did not commit");
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(Error::Internal(format!("commit failed: {e}"))));
                }
            }
        }
    }
}

enum Failure {
    /// A record's statement failed; the transaction was rolled back.
    Statement(Error),
    /// Beginning or committing failed.
    Commit(Error),
}

async fn commit_batch(writer: &Writer, batch: &[Job]) -> Result<Vec<PaidOutcome>, Failure> {
    let mut tx = writer.begin().await.map_err(Failure::Commit)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (p, _) in batch {
        outcomes.push(mark_paid_on(&mut tx, p).await.map_err(Failure::Statement)?);
    }
    tx.commit().await.map_err(Failure::Commit)?;
    Ok(outcomes)
}

/// One record in its own transaction (PostgreSQL's way, and a failed batch's retry).
pub(crate) async fn record_alone(writer: &Writer, p: &PaidRecord) -> Result<PaidOutcome> {
    let mut tx = writer.begin().await?;
    let outcome = mark_paid_on(&mut tx, p).await?;
    tx.commit().await?;
    Ok(outcome)
}
