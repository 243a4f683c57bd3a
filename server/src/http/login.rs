//! `POST /api/login {code}` → `{token, expires_in}`. The openid and session_key stay here.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ApiJson, ClientIp};
use crate::db::sessions::Session;
use crate::error::{Error, Result};
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
    // Before jscode2session: a flood must not spend WeChat's quota (nor ours).
    if let Err(which) = state.login_limit.take(ip, &state.clock) {
        tracing::warn!(%ip, limit = which, "login rate limited");
        return Err(Error::RateLimited("too many logins, try again in a minute".into()));
    }
    let login = state.upstream.code2session(&req.code).await?;
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|_| Error::Internal("random source unavailable".into()))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let now = state.clock.now_ms();
    let ttl = state.settings.session_ttl;
    let session = Session { openid: login.openid, session_key: login.session_key, expires_at: now + ttl.as_millis() as i64 };
    state.db.insert_session(&token, &session, now).await?;
    tracing::info!(openid = %session.openid, "logged in");
    Ok(Json(json!({ "token": token, "expires_in": ttl.as_secs() })))
}
