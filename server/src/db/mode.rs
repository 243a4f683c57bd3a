//! What a database is for, `live` or `sandbox`: a sandbox never writes into a live database
//! (its made-up orders would mix with real ones), and a live server warns about a sandbox one.

use std::str::FromStr as _;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

use super::Db;
use crate::error::{Error, Result};

/// The sandbox's refusal of a live database (before connecting, and again once connected).
pub const LIVE_DATABASE: &str = "invalid setting DATABASE_URL: it holds a live database (or one with orders of unknown origin); \
     --sandbox will not write into it. Leave DATABASE_URL unset for a fresh one, or pass --sandbox-allow-live-database";

/// The one rule: `meta.mode` says, or else any stored order makes a database live.
fn is_live(mode: Option<&str>, any_order: bool) -> bool {
    match mode {
        Some("sandbox") => false,
        Some(_) => true,
        None => any_order,
    }
}

/// Who is opening the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `serve`: real WeChat, real money.
    Live,
    /// `serve --sandbox`: the simulator. `allow_live` is `--sandbox-allow-live-database`.
    Sandbox {
        /// Write into a database that a live server used (or one with orders of unknown origin).
        allow_live: bool,
    },
}

/// The `meta` table and the database itself.
#[derive(Clone, Copy)]
pub struct Meta<'a> {
    pub(super) db: &'a Db,
}

impl Meta<'_> {
    /// What the database says it is for (`sandbox`, `live`), if anything.
    ///
    /// # Errors
    /// Database errors.
    pub async fn mode(self) -> Result<Option<String>> {
        use sqlx::Row;
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'mode'").fetch_optional(self.db.pool()).await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// Records what the database is for, unless it already says.
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_mode_if_unset(self, mode: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
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
    pub async fn ping(self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(self.db.pool()).await?;
        Ok(())
    }

    /// Whether any order was ever stored.
    ///
    /// # Errors
    /// Database errors.
    pub async fn has_orders(self) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM orders LIMIT 1").fetch_optional(self.db.pool()).await?.is_some())
    }

    /// Checks that `mode` may use this database, then records the mode if the database has
    /// none yet.
    ///
    /// # Errors
    /// [`Error::Config`] (naming `DATABASE_URL`) when a sandbox would write into a live database;
    /// database errors.
    pub async fn enter_mode(self, mode: Mode) -> Result<()> {
        let stored = self.mode().await?;
        match mode {
            Mode::Sandbox { allow_live: false } => {
                let any_order = stored.is_none() && self.has_orders().await?;
                if is_live(stored.as_deref(), any_order) {
                    return Err(Error::Config(LIVE_DATABASE.into()));
                }
            }
            Mode::Sandbox { allow_live: true } => {}
            Mode::Live => {
                if stored.as_deref() == Some("sandbox") {
                    tracing::warn!("DATABASE_URL holds a database used by --sandbox: its orders are not real");
                }
            }
        }
        self.set_mode_if_unset(if mode == Mode::Live { "live" } else { "sandbox" }).await
    }
}

const MODE: &str = "SELECT value FROM meta WHERE key = 'mode'";
const ANY_ORDER: &str = "SELECT 1 FROM orders LIMIT 1";

/// Reads the mode and whether any order exists on `$conn` (a SQLite or a PostgreSQL connection:
/// sqlx types them apart), `$exists` telling whether a table is there; then closes it.
macro_rules! peek {
    ($conn:expr, $exists:expr) => {{
        let mut conn = $conn;
        let mut mode = None;
        if sqlx::query($exists).bind("meta").fetch_optional(&mut conn).await?.is_some() {
            mode = sqlx::query(MODE).fetch_optional(&mut conn).await?.map(|r| r.try_get::<String, _>("value")).transpose()?;
        }
        let mut any_order = false;
        if sqlx::query($exists).bind("orders").fetch_optional(&mut conn).await?.is_some() {
            any_order = sqlx::query(ANY_ORDER).fetch_optional(&mut conn).await?.is_some();
        }
        conn.close().await?;
        Ok(is_live(mode.as_deref(), any_order))
    }};
}

fn cannot(e: impl std::fmt::Display) -> String {
    // sqlx's errors do not carry the URL (nor its password).
    format!("invalid setting DATABASE_URL: cannot check whether it holds a live database: {e}")
}

/// Whether a database is live, read without writing a byte: SQLite opened read-only (a missing
/// file is a fresh database and is not created here), PostgreSQL in a read-only session. The rule
/// is [`Meta::enter_mode`]'s ([`is_live`]); a database without our tables is fresh.
///
/// # Errors
/// The database cannot be read (the message names `DATABASE_URL`, never the URL).
pub async fn holds_live(url: &str) -> Result<bool, String> {
    if url.starts_with("sqlite:") {
        sqlite(url).await.map_err(cannot)
    } else {
        postgres(url).await.map_err(cannot)
    }
}

async fn sqlite(url: &str) -> Result<bool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename().to_path_buf();
    if url.contains(":memory:") || url.contains("mode=memory") || !file.exists() {
        return Ok(false);
    }
    // Without a -wal file everything is in the main file: `immutable` reads it without
    // creating -wal and -shm beside it (which a read-only reader could not remove). With
    // one, a server may be running: read through it, as it is already there.
    let mut wal = file.into_os_string();
    wal.push("-wal");
    let in_use = std::path::Path::new(&wal).exists();
    let conn = options.read_only(true).create_if_missing(false).immutable(!in_use).connect().await?;
    peek!(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1")
}

async fn postgres(url: &str) -> Result<bool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.options([("default_transaction_read_only", "on")]);
    let conn = options.connect().await?;
    peek!(conn, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1")
}
