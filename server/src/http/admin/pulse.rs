//! `GET /admin/api/pulse`: what open pages poll (every two seconds) to show new refund requests
//! and exceptions without a reload, and to stay consistent with each other across instances.

use axum::extract::State;
use axum::Json;

use crate::db::pulse::Pulse;
use crate::error::Result;
use crate::AppState;

/// The database-backed version and the counts (see [`crate::db::pulse`]).
pub async fn pulse(State(state): State<AppState>) -> Result<Json<Pulse>> {
    Ok(Json(state.db.audit().pulse().await?))
}
