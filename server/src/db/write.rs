//! Write transactions, one at a time on SQLite.
//!
//! SQLite has one writer. A second writer does not queue: it polls inside SQLite's busy
//! handler, sleeping up to 100 ms between tries, so under load most of a request's time went
//! to sleeping while the file was free. On SQLite every write transaction therefore first
//! takes its turn at an async FIFO lock, then a connection, and holds the turn until it
//! commits or is dropped. PostgreSQL needs no such lock: its row locks order writers.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::Result;

/// Begins write transactions.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    pool: AnyPool,
    /// SQLite: the turn every writer of this process takes.
    turn: Option<Arc<Mutex<()>>>,
}

impl Writer {
    /// `one_at_a_time` for SQLite.
    pub(crate) fn new(pool: AnyPool, one_at_a_time: bool) -> Writer {
        Writer { pool, turn: one_at_a_time.then(|| Arc::new(Mutex::new(()))) }
    }

    /// Whether this process's writers take turns (SQLite: one writer a file).
    pub(crate) fn one_at_a_time(&self) -> bool {
        self.turn.is_some()
    }

    /// The pool, for reads beside the writes.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for this process's turn (SQLite), then begins a transaction.
    pub(crate) async fn begin(&self) -> Result<WriteTx<'static>> {
        let turn = self.turn().await;
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Waits for this process's turn (SQLite), then begins a transaction on `conn`: a writer that
    /// keeps a connection of its own (its page cache stays warm, and no pool hand-over a batch).
    /// On SQLite the transaction takes the file's write lock at once (`BEGIN IMMEDIATE`, waiting
    /// its busy timeout for another process's writer): it reads before it writes, and a
    /// deferred transaction whose snapshot another process moved could not write any more.
    pub(crate) async fn begin_on<'c>(&self, conn: &'c mut AnyConnection) -> Result<WriteTx<'c>> {
        let turn = self.turn().await;
        let tx = match turn {
            Some(_) => sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await?,
            None => sqlx::Connection::begin(conn).await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    async fn turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.turn {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }
}

/// A write transaction; dropping it without [`WriteTx::commit`] rolls it back. Either way the
/// turn passes on.
pub(crate) struct WriteTx<'c> {
    tx: Transaction<'c, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx<'_> {
    /// Commits (durably: SQLite synchronous=FULL, PostgreSQL synchronous_commit).
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back now.
    pub(crate) async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Deref for WriteTx<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
