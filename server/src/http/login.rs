//! `POST /api/login {code}` → `{token, expires_in}`. The openid and session_key stay here.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ApiJson, ClientIp};
use crate::error::Result;
use crate::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/login", post(login))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    code: String,
}

async fn login(State(state): State<AppState>, ClientIp(ip): ClientIp, ApiJson(req): ApiJson<LoginRequest>) -> Result<Json<Value>> {
    let session = crate::login::log_in(&state, ip, &req.code).await?;
    Ok(Json(json!({ "token": session.token, "expires_in": session.ttl.as_secs() })))
}
