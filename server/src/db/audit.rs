//! The audit log: one row per state change, written in the transaction of the change it
//! describes (who, what, when, from → to, and the message that caused it), and read back as an
//! order's whole story for the back office.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::sql::{Sql, Value};
use super::Db;
use crate::error::Result;

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Its number (the order rows were written in).
    pub id: i64,
    /// When (Unix ms).
    pub at: i64,
    /// Who: `user:<openid>`, `wechat:notify`, `wechat:refund-notify`, `reconciler`,
    /// `api:orderquery`, `merchant:admin`.
    pub actor: String,
    /// What, e.g. `order.paid`.
    pub action: String,
    /// `order`, `refund` or `product`.
    pub entity: String,
    /// Its key.
    pub entity_id: String,
    /// State before.
    pub from_status: Option<String>,
    /// State after.
    pub to_status: Option<String>,
    /// Detail; for a notify, the raw body as received.
    pub detail: Option<String>,
}

const COLUMNS: &str = "id, at, actor, action, entity, entity_id, from_status, to_status, detail";

fn from_row(r: &AnyRow) -> Result<AuditRow> {
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        from_status: r.try_get("from_status")?,
        to_status: r.try_get("to_status")?,
        detail: r.try_get("detail")?,
    })
}

/// An audit row to write inside the transaction of the change it describes.
pub(crate) struct Audit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl Audit<'_> {
    /// Writes `rows` in one insert (none: nothing), in their order.
    pub(crate) async fn write_all(conn: &mut AnyConnection, rows: &[Audit<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::default();
        sql.push("INSERT INTO audit_log (at, actor, action, entity, entity_id, from_status, to_status, detail) VALUES ");
        for (i, a) in rows.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).value(Value::Int(a.at));
            for v in [Value::Text(a.actor), Value::Text(a.action), Value::Text(a.entity), Value::Text(a.entity_id)] {
                sql.push(", ").value(v);
            }
            for v in [a.from_status, a.to_status, a.detail] {
                sql.push(", ").value(Value::MaybeText(v));
            }
            sql.push(")");
        }
        sql.query().execute(&mut *conn).await?;
        Ok(())
    }

    pub(crate) async fn write(&self, conn: &mut AnyConnection) -> Result<()> {
        Audit::write_all(conn, std::slice::from_ref(self)).await
    }
}

/// The `audit_log` table.
#[derive(Clone, Copy)]
pub struct AuditLog<'a> {
    pub(super) db: &'a Db,
}

impl AuditLog<'_> {
    /// Audit rows about one entity, oldest first (for the admin page and tests).
    ///
    /// # Errors
    /// Database errors.
    pub async fn of(self, entity: &str, entity_id: &str) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id"))
            .bind(entity)
            .bind(entity_id)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// An order's whole story, oldest first: its own rows and those of its refunds, in the
    /// order they were written. One query (each part found through `audit_entity`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn story_of_order(self, out_trade_no: &str) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE entity = 'order' AND entity_id = $1 \
             UNION ALL SELECT {COLUMNS} FROM audit_log WHERE entity = 'refund' \
             AND entity_id IN (SELECT out_refund_no FROM refunds WHERE out_trade_no = $1) ORDER BY id"
        ))
        .bind(out_trade_no)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One audit row.
    ///
    /// # Errors
    /// Database errors.
    pub async fn row(self, id: i64) -> Result<Option<AuditRow>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE id = $1")).bind(id).fetch_optional(self.db.pool()).await?;
        row.as_ref().map(from_row).transpose()
    }
}
