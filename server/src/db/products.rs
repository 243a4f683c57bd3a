//! The catalog and its stock. Prices live here; clients never send one.
//!
//! `stock` is what is left to sell: an order takes its quantity off when it is created (see
//! [`reserve_on`], in the transaction that inserts the order) and an unpaid order gives it back
//! when it is closed. `None` means the product's stock is not tracked: it sells without limit.

use sqlx::{AnyConnection, Row};

use super::{Audit, Db};
use crate::error::{Error, Result};

/// A product for sale (the API answers with a view of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Identifier.
    pub id: i64,
    /// Display name (also the order's `body`).
    pub name: String,
    /// Unit price.
    pub price_fen: wxpay::Fen,
    /// Units left to sell; `None`: not tracked (no limit).
    pub stock: Option<i64>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Product> {
    Ok(Product {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        price_fen: super::money::fen(r, "price_fen")?,
        stock: r.try_get("stock")?,
    })
}

/// What [`reserve_on`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// The units are off the stock now.
    Taken,
    /// The product's stock is not tracked: nothing to take.
    Untracked,
    /// Fewer units are left than asked for; nothing changed.
    Short {
        /// Units left.
        available: i64,
    },
}

/// Takes `quantity` units of product `id` off its stock, inside the caller's transaction: one
/// conditional update (`stock >= quantity`), which PostgreSQL re-checks under the row lock and
/// SQLite runs under its write lock, so concurrent takers on any instance never take more than
/// there is.
pub(crate) async fn reserve_on(conn: &mut AnyConnection, id: i64, quantity: i64) -> Result<Reserved> {
    let n = sqlx::query("UPDATE products SET stock = stock - $1 WHERE id = $2 AND stock >= $1")
        .bind(quantity)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 1 {
        return Ok(Reserved::Taken);
    }
    let row = sqlx::query("SELECT stock FROM products WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    match row.map(|r| r.try_get::<Option<i64>, _>("stock")).transpose()?.flatten() {
        Some(available) => Ok(Reserved::Short { available }),
        None => Ok(Reserved::Untracked),
    }
}

/// Gives `quantity` units of product `id` back, inside the caller's transaction (nothing if its
/// stock is not tracked).
pub(crate) async fn release_on(conn: &mut AnyConnection, id: i64, quantity: i64) -> Result<()> {
    sqlx::query("UPDATE products SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL")
        .bind(quantity)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A change of a product's stock by the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockChange {
    /// Add (or, negative, remove) units: exact however many orders take units meanwhile.
    Add(i64),
    /// Set what is left. Units that unpaid orders hold are already off it and stay held.
    Set(i64),
}

/// The `products` table.
#[derive(Clone, Copy)]
pub struct Products<'a> {
    pub(super) db: &'a Db,
}

impl Products<'_> {
    /// The active products, by id.
    ///
    /// # Errors
    /// Database errors.
    pub async fn active(self) -> Result<Vec<Product>> {
        let rows =
            sqlx::query("SELECT id, name, price_fen, stock FROM products WHERE active = 1 ORDER BY id").fetch_all(self.db.pool()).await?;
        rows.iter().map(from_row).collect()
    }

    /// One active product.
    ///
    /// # Errors
    /// Database errors.
    pub async fn get(self, id: i64) -> Result<Option<Product>> {
        let row = sqlx::query("SELECT id, name, price_fen, stock FROM products WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Changes a product's stock (the merchant restocking or counting), with its audit row.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] when adding to an untracked stock or taking more
    /// than is left; [`Error::Invalid`] for a negative stock; database errors.
    pub async fn change_stock(self, id: i64, change: StockChange, now: i64, actor: &str) -> Result<Product> {
        let mut tx = self.db.begin_write().await?;
        let (sql, value, action) = match change {
            StockChange::Add(n) => {
                ("UPDATE products SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL AND stock + $1 >= 0", n, "product.restocked")
            }
            StockChange::Set(n) if n < 0 => return Err(Error::Invalid("stock must be 0 or more".into())),
            StockChange::Set(n) => ("UPDATE products SET stock = $1 WHERE id = $2", n, "product.stock_set"),
        };
        let n = sqlx::query(sql).bind(value).bind(id).execute(&mut *tx).await?.rows_affected();
        let row = sqlx::query("SELECT id, name, price_fen, stock FROM products WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        // Read after the update: the stock as changed (or, unchanged, why not).
        let Some(product) = row.as_ref().map(from_row).transpose()? else {
            return Err(Error::NotFound("product"));
        };
        if n != 1 {
            return Err(match product.stock {
                None => Error::Conflict("this product's stock is not tracked: set it first".into()),
                Some(left) => Error::Conflict(format!("only {left} left: cannot remove more")),
            });
        }
        let detail = format!("{change:?} → {}", product.stock.unwrap_or_default());
        let key = id.to_string();
        Audit { at: now, actor, action, entity: "product", entity_id: &key, from_status: None, to_status: None, detail: Some(&detail) }
            .write(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(product)
    }
}
