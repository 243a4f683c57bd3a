//! # wxpay-server — a mini-program payment server
//!
//! `main` parses the configuration and calls into this crate; tests drive [`app`] over real
//! HTTP on loopback against the WeChat Pay simulator (`wxpay-sim`) in-process. With the feature
//! `sandbox`, `serve --sandbox` and the demo run it too; the production build has none of it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod acceptance;
pub mod api;
pub mod back_office;
pub mod checkout;
pub mod cli;
pub mod client_addr;
pub mod client_cert;
pub mod clock;
pub mod config;
pub mod db;
#[cfg(feature = "sandbox")]
pub mod demo;
pub mod doctor;
pub mod error;
pub mod http;
pub mod limits;
pub mod logging;
pub mod login;
pub mod notifies;
pub mod payments;
pub mod reconcile;
pub mod reconciler;
pub mod refunds;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod secret;
pub mod shutdown;
pub mod upstream;
pub mod wechat_keys;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use axum::Router;

pub use clock::Clock;
pub use config::{Config, Settings};
pub use db::Db;
pub use error::{Error, Result};
pub use upstream::Upstream;

/// What every handler shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The contents of [`AppState`].
#[derive(Debug)]
pub struct Inner {
    /// Validated settings.
    pub settings: Settings,
    /// The database.
    pub db: Db,
    /// The WeChat client.
    pub upstream: Upstream,
    /// The clock (shiftable in tests).
    pub clock: Clock,
    /// This instance's name in refund claims (random per process).
    pub instance: String,
    /// `/api/login`'s budget per client address and overall.
    pub login_limit: limits::RateLimit,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(settings: Settings, db: Db, upstream: Upstream, clock: Clock) -> Self {
        let instance = format!("{}-{}", std::process::id(), wxpay::nonce_str().map(|n| n[..8].to_owned()).unwrap_or_default());
        let login_limit = limits::RateLimit::new(settings.login_per_address_per_minute, settings.login_per_minute);
        AppState(Arc::new(Inner { settings, db, upstream, clock, instance, login_limit }))
    }

    /// Connects the database (running migrations) and builds the WeChat client.
    ///
    /// # Errors
    /// Database or configuration errors.
    pub async fn connect(settings: Settings, clock: Clock, observer: Option<upstream::Observer>) -> Result<Self> {
        let db = Db::connect(&settings.database_url).await?;
        let http = upstream::http_client(settings.ca_file.as_deref(), &settings.retry)?;
        let mut wx = Upstream::new(settings.upstream(), http, clock.clone());
        if let Some(id) = &settings.client_identity {
            wx = wx.with_secapi(upstream::secapi_client(settings.ca_file.as_deref(), &settings.retry, id)?);
            tracing::info!(subject = %id.subject, not_after = id.not_after, source = id.source, "merchant client certificate loaded");
        }
        if let Some(o) = observer {
            wx = wx.with_observer(o);
        }
        let state = AppState::new(settings, db, wx, clock);
        // API v3: WeChat's keys from the shared store, and one signed request judging ours.
        wechat_keys::start(&state).await?;
        Ok(state)
    }
}

/// The whole HTTP API, each request bounded by the server-side timeout.
pub fn app(state: AppState) -> Router {
    let limit = state.settings.request_timeout;
    http::router(&state).with_state(state).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            use axum::response::IntoResponse as _;
            // Dropping the handler rolls back an open transaction; a refund call already under way
            // runs on in its own task and records its outcome.
            match tokio::time::timeout(limit, next.run(req)).await {
                Ok(r) => r,
                Err(_) => Error::Timeout.into_response(),
            }
        },
    ))
}

/// Serves [`app`] on `listener` until `shutdown` resolves.
///
/// # Errors
/// I/O errors of the listener.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    use axum::serve::ListenerExt as _;
    // Small answers go out at once (no Nagle delay waiting for the client's ACK).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Internal(format!("server: {e}")))
}
