//! `GET /api/products`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::db::products::Product;
use crate::error::Result;
use crate::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/products", get(list))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<Product>>> {
    Ok(Json(state.db.products().active().await?))
}
