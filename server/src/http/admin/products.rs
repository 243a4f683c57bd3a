//! Products and their stock in the back office.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;

use super::MERCHANT;
use crate::db::products::StockChange;
use crate::error::Result;
use crate::http::products::ProductView;
use crate::http::ApiJson;
use crate::AppState;

/// `GET /admin/api/products`.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ProductView>>> {
    Ok(Json(state.db.products().active().await?.into_iter().map(ProductView::from).collect()))
}

/// `{"add": n}` (restock; negative removes, never below 0) or `{"set": n}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum Stock {
    Add(i64),
    Set(i64),
}

/// `POST /admin/api/products/{id}/stock`.
pub async fn stock(State(state): State<AppState>, Path(id): Path<i64>, ApiJson(change): ApiJson<Stock>) -> Result<Json<ProductView>> {
    let change = match change {
        Stock::Add(n) => StockChange::Add(n),
        Stock::Set(n) => StockChange::Set(n),
    };
    Ok(Json(crate::back_office::change_stock(&state, id, change, MERCHANT).await?.into()))
}
