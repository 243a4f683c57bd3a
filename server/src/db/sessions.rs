//! Login sessions: a random bearer token, stored as its SHA-256.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Audit, Db};
use crate::error::Result;
use crate::secret::SessionKey;

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's openid for our appid.
    pub openid: String,
    /// WeChat's session_key (to check `wx.getUserInfo` signatures later); redacted in Debug.
    pub session_key: SessionKey,
    /// Expiry, Unix ms.
    pub expires_at: i64,
}

/// The stored form of a token: lowercase hex SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `sessions` table.
#[derive(Clone, Copy)]
pub struct Sessions<'a> {
    pub(super) db: &'a Db,
}

impl Sessions<'_> {
    /// Stores a new session for `token`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn insert(self, token: &str, session: &Session, now: i64) -> Result<()> {
        let hash = token_hash(token);
        let mut tx = self.db.begin_write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, openid, session_key, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&hash)
            .bind(&session.openid)
            .bind(session.session_key.expose())
            .bind(now)
            .bind(session.expires_at)
            .execute(&mut *tx)
            .await?;
        Audit {
            at: now,
            actor: &format!("user:{}", session.openid),
            action: "session.created",
            entity: "session",
            // A prefix of the hash identifies the session without being usable as a token.
            entity_id: &hash[..16],
            from_status: None,
            to_status: None,
            detail: None,
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unexpired session of `token`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn get(self, token: &str, now: i64) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT openid, session_key, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash(token))
            .bind(now)
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| {
            Ok(Session {
                openid: r.try_get("openid")?,
                session_key: SessionKey::new(r.try_get::<String, _>("session_key")?),
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Deletes sessions that expired before `now`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn purge(self, now: i64) -> Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
