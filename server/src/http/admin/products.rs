//! Products and their stock in the back office.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;

use super::MERCHANT;
use crate::db::products::{Product, StockChange};
use crate::error::Result;
use crate::http::ApiJson;
use crate::AppState;

/// `GET /admin/api/products`.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Product>>> {
    Ok(Json(state.db.products().active().await?))
}

/// `{"add": n}` (restock; negative removes, never below 0) or `{"set": n}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum Stock {
    Add(i64),
    Set(i64),
}

/// `POST /admin/api/products/{id}/stock`.
pub async fn stock(State(state): State<AppState>, Path(id): Path<i64>, ApiJson(change): ApiJson<Stock>) -> Result<Json<Product>> {
    let change = match change {
        Stock::Add(n) => StockChange::Add(n),
        Stock::Set(n) => StockChange::Set(n),
    };
    Ok(Json(crate::back_office::change_stock(&state, id, change, MERCHANT).await?))
}
