//! The HTTP API, grouped by domain; each module has its own `router()`.

pub mod admin;
pub mod health;
pub mod login;
pub mod notify;
pub mod orders;
pub mod products;
pub mod refunds;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::AppState;

/// Every route.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(login::router())
        .merge(products::router())
        .merge(orders::router())
        .merge(notify::router())
        .merge(refunds::router())
        .merge(admin::router(state.clone()))
}

/// A JSON body whose rejections use the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(Error::Invalid(rejection.body_text())),
        }
    }
}

/// The `Idempotency-Key` header, if given: the client's name for one checkout or one merchant
/// refund, 1 to 64 of `A-Z a-z 0-9 - _ . :`.
///
/// # Errors
/// [`Error::Invalid`] for any other value.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let key =
        v.to_str().ok().filter(|k| (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)));
    key.map(Some).ok_or_else(|| Error::Invalid("Idempotency-Key must be 1 to 64 of A-Z a-z 0-9 - _ . :".into()))
}

/// The logged-in caller (from `Authorization: Bearer <token>`).
#[derive(Debug, Clone)]
pub struct User {
    /// The caller's openid.
    pub openid: String,
}

impl FromRequestParts<AppState> for User {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(Error::Unauthorized)?;
        let session = state.db.sessions().get(token, state.clock.now_ms()).await?.ok_or(Error::Unauthorized)?;
        Ok(User { openid: session.openid })
    }
}

/// The client's address (login limits, `spbill_create_ip`): the connection's peer, or behind
/// `WXPAY_TRUSTED_PROXIES` the right-most untrusted hop of `X-Forwarded-For`
/// ([`crate::client_addr`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientIp(crate::client_addr::client_addr(peer, forwarded, &state.settings.trusted_proxies)))
    }
}
