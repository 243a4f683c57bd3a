//! Storage on SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! The SQL is written once, with `$1` placeholders (SQLite accepts them too), integer fen and
//! integer millisecond times. Every state change runs in a transaction whose first statement
//! is the write (so SQLite takes its write lock before reading, and PostgreSQL re-checks the
//! `WHERE` of a conditional update under the row lock) and adds an `audit_log` row; orders and
//! refunds move through one engine (`transition.rs`), and the claims on calling WeChat about a
//! row are `claims.rs`.
//!
//! [`Db`] holds the pool and, on SQLite, the one writer; queries go through a handle per table
//! ([`Db::orders`], [`Db::refunds`], …), each a borrow of it.

pub mod audit;
pub mod claims;
pub mod exceptions;
mod migrations;
pub mod mode;
pub mod money;
pub mod orders;
mod paid_writer;
pub mod products;
pub mod pulse;
pub mod reconcile;
pub mod refund_row;
pub mod refund_states;
pub mod refunds;
pub mod search;
pub mod sessions;
mod sql;
pub mod totals;
pub mod transition;
pub mod wechat_keys;
mod write;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::error::Result;

pub(crate) use audit::Audit;
pub use audit::AuditRow;
pub use mode::Mode;
pub use paid_writer::{Judge, PaymentApplied};
pub use transition::Moved;

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
    /// The group-commit writer of payments.
    paid: paid_writer::PaidWriter,
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
                        // A multi-row update's statement journal in memory, not in a file made
                        // and unlinked each time (the payment writer's batches).
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let writer = write::Writer::new(pool.clone(), backend == Backend::Sqlite);
        let paid = paid_writer::PaidWriter::spawn(writer.clone());
        let db = Db { pool, backend, writer, paid };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        // On PostgreSQL the migrator takes an advisory lock: instances starting together are fine.
        migrations::migrator(self.backend).await?.run(&self.pool).await?;
        Ok(())
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction (on SQLite, after this process's other writers).
    pub(crate) async fn begin_write(&self) -> Result<write::WriteTx<'static>> {
        self.writer().begin().await
    }

    pub(crate) fn writer(&self) -> &write::Writer {
        &self.writer
    }

    pub(crate) fn paid_writer(&self) -> &paid_writer::PaidWriter {
        &self.paid
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The `orders` table.
    pub fn orders(&self) -> orders::Orders<'_> {
        orders::Orders { db: self }
    }

    /// The `refunds` table.
    pub fn refunds(&self) -> refunds::Refunds<'_> {
        refunds::Refunds { db: self }
    }

    /// The claims on calling WeChat about a row.
    pub fn claims(&self) -> claims::Claims<'_> {
        claims::Claims { db: self }
    }

    /// The `products` table.
    pub fn products(&self) -> products::Products<'_> {
        products::Products { db: self }
    }

    /// The `sessions` table.
    pub fn sessions(&self) -> sessions::Sessions<'_> {
        sessions::Sessions { db: self }
    }

    /// The `audit_log` table.
    pub fn audit(&self) -> audit::AuditLog<'_> {
        audit::AuditLog { db: self }
    }

    /// The exceptions queue.
    pub fn exceptions(&self) -> exceptions::Exceptions<'_> {
        exceptions::Exceptions { db: self }
    }

    /// Daily totals and the rows behind them.
    pub fn totals(&self) -> totals::Totals<'_> {
        totals::Totals { db: self }
    }

    /// Our side of a day's bill.
    pub fn bill(&self) -> reconcile::Bill<'_> {
        reconcile::Bill { db: self }
    }

    /// The `wechatpay_keys` row: WeChat's v3 keys, shared by every instance.
    pub fn wechat_keys(&self) -> wechat_keys::WechatKeys<'_> {
        wechat_keys::WechatKeys { db: self }
    }

    /// The `meta` table and the database itself (what it is for, whether it answers).
    pub fn meta(&self) -> mode::Meta<'_> {
        mode::Meta { db: self }
    }
}
