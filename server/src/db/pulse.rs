//! What the back office polls to stay live: a version that changes whenever anything it shows
//! may have changed, on any instance, and the counts for the page's title.
//!
//! Every state change writes an `audit_log` row in its own transaction, so the newest audit id
//! moves with every change on every instance sharing the database. PostgreSQL hands out ids
//! before commit, so a transaction holding a lower id can become visible after a higher one was
//! seen: the version also counts the rows among the last [`WINDOW`] ids, which grows when such a
//! late row appears. Changes that write no audit row (a reconciler failure, which can put a row
//! on the exceptions queue) show in the counts, which are part of the version too.

use serde::Serialize;
use sqlx::Row;

use super::audit::AuditLog;
use super::exceptions::Waiting;
use crate::error::Result;

/// How far back a late-committing audit row is looked for (ids).
const WINDOW: i64 = 1000;

/// The back office's heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pulse {
    /// Changes whenever the lists may have: compare, do not parse.
    pub version: String,
    /// What waits for a person.
    #[serde(flatten)]
    pub waiting: Waiting,
}

impl AuditLog<'_> {
    /// The current [`Pulse`]: three index lookups and the counts.
    ///
    /// # Errors
    /// Database errors.
    pub async fn pulse(self) -> Result<Pulse> {
        let r = sqlx::query(
            "SELECT m.top AS top, (SELECT COUNT(*) FROM audit_log WHERE id > m.top - $1) AS recent \
             FROM (SELECT COALESCE(MAX(id), 0) AS top FROM audit_log) AS m",
        )
        .bind(WINDOW)
        .fetch_one(self.db.pool())
        .await?;
        let (top, recent): (i64, i64) = (r.try_get("top")?, r.try_get("recent")?);
        let waiting = self.db.exceptions().waiting().await?;
        Ok(Pulse { version: format!("{top}.{recent}.{}.{}", waiting.requested, waiting.exceptions), waiting })
    }
}
