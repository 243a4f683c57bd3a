//! Logging a payer in: a `wx.login()` code → jscode2session → a session of our own. The openid
//! and the session_key stay on the server; the mini-program gets an opaque token.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;

use crate::db::sessions::Session;
use crate::error::{Error, Result};
use crate::AppState;

/// A new session: its bearer token and how long it lives.
pub struct LoggedIn {
    /// 32 random bytes, base64url.
    pub token: String,
    /// The session's time to live.
    pub ttl: Duration,
}

/// Logs in the holder of `code`, calling from `ip`.
///
/// # Errors
/// [`Error::RateLimited`] before any call to WeChat when `ip` or everyone logs in too often
/// (a flood must not spend WeChat's quota); jscode2session's errors; database errors.
pub async fn log_in(state: &AppState, ip: IpAddr, code: &str) -> Result<LoggedIn> {
    if let Err(which) = state.login_limit.take(ip, &state.clock) {
        tracing::warn!(%ip, limit = which, "login rate limited");
        return Err(Error::RateLimited("too many logins, try again in a minute".into()));
    }
    let login = state.upstream.code2session(code).await?;
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|_| Error::Internal("random source unavailable".into()))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let now = state.clock.now_ms();
    let ttl = state.settings.session_ttl;
    let session = Session { openid: login.openid, session_key: login.session_key, expires_at: now + ttl.as_millis() as i64 };
    state.db.sessions().insert(&token, &session, now).await?;
    tracing::info!(openid = %session.openid, "logged in");
    Ok(LoggedIn { token, ttl })
}
