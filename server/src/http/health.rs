//! `GET /healthz`: the process answers and the database responds.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::Result;
use crate::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> Result<Json<Value>> {
    state.db.meta().ping().await?;
    Ok(Json(json!({ "status": "ok" })))
}
