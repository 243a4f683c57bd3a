//! The `wechatpay_keys` row: WeChat's verification keys for API v3 (the core's `KeyStore` as
//! JSON, public keys and certificates only), shared by every instance, with a version for
//! compare-and-swap saves and the lease that names the one instance downloading certificates.

use sqlx::Row;

use super::{Audit, Db};
use crate::error::Result;

/// The stored key store and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedKeys {
    /// `KeyStore::to_json`.
    pub store: String,
    /// Bumped by every save.
    pub version: i64,
}

/// The `wechatpay_keys` table (one row).
#[derive(Clone, Copy)]
pub struct WechatKeys<'a> {
    pub(super) db: &'a Db,
}

impl WechatKeys<'_> {
    /// The saved store, if any instance saved one.
    ///
    /// # Errors
    /// Database errors.
    pub async fn load(self) -> Result<Option<SavedKeys>> {
        let row = sqlx::query("SELECT store, version FROM wechatpay_keys WHERE id = 1").fetch_optional(self.db.pool()).await?;
        Ok(match row {
            Some(r) => Some(SavedKeys { store: r.try_get("store")?, version: r.try_get("version")? }),
            None => None,
        })
    }

    /// Saves `store` if the saved version is still `expected` (`None`: nothing saved yet), with
    /// an audit row saying `why`. `false`: another instance saved first (read it again).
    ///
    /// # Errors
    /// Database errors.
    pub async fn save(self, store: &str, expected: Option<i64>, now: i64, actor: &str, why: &str) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let saved = match expected {
            None => {
                sqlx::query("INSERT INTO wechatpay_keys (id, store, version, updated_at) VALUES (1, $1, 1, $2) ON CONFLICT (id) DO NOTHING")
                    .bind(store)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            Some(v) => {
                sqlx::query("UPDATE wechatpay_keys SET store = $1, version = version + 1, updated_at = $2 WHERE id = 1 AND version = $3")
                    .bind(store)
                    .bind(now)
                    .bind(v)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
        } == 1;
        if !saved {
            tx.rollback().await?;
            return Ok(false);
        }
        Audit {
            at: now,
            actor,
            action: "keys.saved",
            entity: "wechatpay_keys",
            entity_id: "1",
            from_status: None,
            to_status: None,
            detail: Some(why),
        }
        .write(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Takes the refresh lease for `owner` until `until` (Unix ms) if nobody holds it at `now`
    /// (or `owner` does). `false`: another instance holds it. The row must exist ([`Self::save`]).
    ///
    /// # Errors
    /// Database errors.
    pub async fn take_lease(self, owner: &str, until: i64, now: i64) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let taken = sqlx::query(
            "UPDATE wechatpay_keys SET lease_owner = $1, lease_until = $2 \
             WHERE id = 1 AND (lease_owner IS NULL OR lease_owner = $1 OR COALESCE(lease_until, 0) <= $3)",
        )
        .bind(owner)
        .bind(until)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(taken)
    }

    /// Gives the lease back, if `owner` holds it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn release_lease(self, owner: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE wechatpay_keys SET lease_owner = NULL, lease_until = NULL WHERE id = 1 AND lease_owner = $1")
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
