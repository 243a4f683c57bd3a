//! The catalog. Prices live here; clients never send one.

use serde::Serialize;
use sqlx::Row;

use super::Db;
use crate::error::Result;

/// A product for sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Identifier.
    pub id: i64,
    /// Display name (also the order's `body`).
    pub name: String,
    /// Unit price in fen.
    pub price_fen: i64,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Product> {
    Ok(Product { id: r.try_get("id")?, name: r.try_get("name")?, price_fen: r.try_get("price_fen")? })
}

impl Db {
    /// The active products, by id.
    ///
    /// # Errors
    /// Database errors.
    pub async fn products(&self) -> Result<Vec<Product>> {
        let rows = sqlx::query("SELECT id, name, price_fen FROM products WHERE active = 1 ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One active product.
    ///
    /// # Errors
    /// Database errors.
    pub async fn product(&self, id: i64) -> Result<Option<Product>> {
        let row = sqlx::query("SELECT id, name, price_fen FROM products WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
