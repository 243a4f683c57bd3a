//! `GET /api/products`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use serde::Serialize;

use crate::db::products::Product;
use crate::error::Result;
use crate::AppState;

/// A product as the payer and the back office see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    /// Identifier.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Unit price.
    pub price_fen: wxpay::Fen,
    /// Units left to sell; `null`: not tracked (no limit).
    pub stock: Option<i64>,
}

impl From<Product> for ProductView {
    fn from(p: Product) -> Self {
        ProductView { id: p.id, name: p.name, price_fen: p.price_fen, stock: p.stock }
    }
}

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/products", get(list))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<ProductView>>> {
    Ok(Json(state.db.products().active().await?.into_iter().map(ProductView::from).collect()))
}
