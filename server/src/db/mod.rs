//! Storage on SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! The SQL is written once, with `$1` placeholders (SQLite accepts them too), integer fen and
//! integer millisecond times. Every state change runs in a transaction whose first statement
//! is the write (so SQLite takes its write lock before reading, and PostgreSQL re-checks the
//! `WHERE` of a conditional update under the row lock) and adds an `audit_log` row.

pub mod audit;
pub mod exceptions;
pub mod mode;
pub mod money;
pub mod orders;
mod paid_writer;
pub mod products;
pub mod pulse;
pub mod reconcile;
pub mod refunds;
pub mod search;
pub mod sessions;
pub mod totals;
mod write;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};

use crate::error::Result;

pub(crate) use audit::Audit;
pub use audit::AuditRow;
pub use mode::Mode;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A row (order or refund) the reconciler failed to visit this many times in a row is shown to
/// the admin as needing action, and logged as an error once.
pub const SURFACE_AFTER_FAILURES: i64 = 5;

/// The connection pool.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    writer: write::Writer,
    /// SQLite: the group-commit writer of payment notifies.
    paid: Option<paid_writer::PaidWriter>,
}

impl std::fmt::Debug for Db {
    // The pool's options hold the database URL, password included: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Db {
    /// Connects (creating a SQLite file if needed) and runs the migrations for the backend.
    ///
    /// # Errors
    /// Connection or migration failures.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let options: AnyConnectOptions = url.parse::<AnyConnectOptions>()?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(20))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; writers wait (busy_timeout,
                        // 5 s by default) instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let writer = write::Writer::new(pool.clone(), backend == Backend::Sqlite);
        let paid = (backend == Backend::Sqlite).then(|| paid_writer::PaidWriter::spawn(writer.clone()));
        let db = Db { pool, backend, writer, paid };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            // The PostgreSQL migrator takes an advisory lock: instances starting together are fine.
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction (on SQLite, after this process's other writers).
    pub(crate) async fn begin_write(&self) -> Result<write::WriteTx> {
        self.writer().begin().await
    }

    pub(crate) fn writer(&self) -> &write::Writer {
        &self.writer
    }

    pub(crate) fn paid_writer(&self) -> Option<&paid_writer::PaidWriter> {
        self.paid.as_ref()
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// What the database says it is for (`sandbox`, `live`), if anything.
    ///
    /// # Errors
    /// Database errors.
    pub async fn mode(&self) -> Result<Option<String>> {
        use sqlx::Row;
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'mode'").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// Records what the database is for, unless it already says.
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_mode_if_unset(&self, mode: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO meta (key, value) SELECT 'mode', $1 WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'mode')")
            .bind(mode)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// The database answers (`/healthz`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Whether any order was ever stored.
    ///
    /// # Errors
    /// Database errors.
    pub async fn has_orders(&self) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM orders LIMIT 1").fetch_optional(&self.pool).await?.is_some())
    }
}

/// A value bound into a transition's extra assignments.
pub(crate) enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// One conditional state move of a row (`status = from` → `to`) with its audit row, in one
/// transaction: the conditional update is what makes concurrent callers (threads, or server
/// instances sharing PostgreSQL) apply a move at most once.
pub(crate) struct Transition<'a> {
    /// `orders` or `refunds`.
    pub table: &'static str,
    /// The key column: `out_trade_no` or `out_refund_no`.
    pub key_column: &'static str,
    /// The audit entity: `order` or `refund`.
    pub entity: &'static str,
    pub key: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// Extra assignments after `status` and `updated_at` (`$2` is `now`), binding `$4…` to `binds`.
    pub set: &'a str,
    pub binds: &'a [Bind<'a>],
    pub action: &'a str,
    pub detail: Option<&'a str>,
}

impl Db {
    /// Applies `t` if the row is still in `t.from`, in its own transaction. Returns whether
    /// this call made the move.
    pub(crate) async fn transition(&self, t: Transition<'_>, now: i64, actor: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let moved = transition_on(&mut tx, t, now, actor).await?;
        tx.commit().await?;
        Ok(moved)
    }
}

/// Applies `t` on `conn` (inside the caller's transaction) if the row is still in `t.from`.
/// Returns whether this call made the move.
pub(crate) async fn transition_on(conn: &mut AnyConnection, t: Transition<'_>, now: i64, actor: &str) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET status = $1, updated_at = $2{} WHERE {} = $3 AND status = ${}",
        t.table,
        t.set,
        t.key_column,
        4 + t.binds.len()
    );
    let mut q = sqlx::query(&sql).bind(t.to).bind(now).bind(t.key);
    for b in t.binds {
        q = match b {
            Bind::Text(v) => q.bind(*v),
            Bind::Int(v) => q.bind(*v),
        };
    }
    let n = q.bind(t.from).execute(&mut *conn).await?.rows_affected();
    if n == 1 {
        Audit {
            at: now,
            actor,
            action: t.action,
            entity: t.entity,
            entity_id: t.key,
            from_status: Some(t.from),
            to_status: Some(t.to),
            detail: t.detail,
        }
        .write(conn)
        .await?;
    }
    Ok(n == 1)
}
