//! Calls to WeChat, one concern a file: [`tls`] (the HTTP clients: TLS always verified),
//! [`retry`] (the same signed bytes resent, failover to the backup base), [`pay`] (API v2's
//! signed XML), [`v3`] (API v3's signed JSON, answers verified with WeChat's keys) and [`login`]
//! (jscode2session). This file holds the client itself.
//!
//! TLS is always verified: the system roots plus, optionally, one extra CA file (the
//! simulator's). There is no switch to turn verification off.

mod login;
mod pay;
mod retry;
mod tls;
mod v3;

use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use wxpay::Merchant;

use crate::clock::Clock;
use crate::secret::AppSecret;

pub use login::Login;
pub use pay::Prepared;
pub use retry::RetryPolicy;
pub use tls::{http_client, parse_pem_certs, secapi_client};
pub(crate) use v3::from_v3_answer;
pub use v3::{V3Answer, V3};

/// One HTTP exchange, as shown by the demo. Holds no secret: the AppSecret and the
/// session_key are masked before an observer sees them.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Method and URL.
    pub request_line: String,
    /// Body sent (XML, or v3's JSON), if any.
    pub request_body: Option<String>,
    /// Body received, or the transport error.
    pub response: std::result::Result<String, String>,
}

/// Sees every upstream exchange (the demo prints them).
pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// Who we are at WeChat and where WeChat is (from the settings).
#[derive(Clone)]
pub struct UpstreamConfig {
    /// The mini-program's AppID (jscode2session).
    pub appid: String,
    /// API v2: appid, mch_id, API key, sign type (when the v2 settings are given).
    pub v2: Option<Merchant>,
    /// API v3: appid, mchid, the merchant's key and its serial (when the v3 settings are given).
    pub v3: Option<Arc<wxpay::v3::Merchant>>,
    /// For jscode2session.
    pub app_secret: AppSecret,
    /// The Pay API's primary base.
    pub api_base: String,
    /// The Pay API's backup base (failover).
    pub api_backup_base: String,
    /// jscode2session's base.
    pub wechat_api_base: String,
    /// Timeouts and retries.
    pub retry: RetryPolicy,
}

/// The WeChat client of the server.
pub struct Upstream {
    http: reqwest::Client,
    secapi: Option<reqwest::Client>,
    appid: String,
    v2: Option<Merchant>,
    v3: Option<V3>,
    app_secret: AppSecret,
    primary: String,
    backup: String,
    wechat: String,
    policy: RetryPolicy,
    clock: Clock,
    primary_down_until: AtomicI64,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").field("primary", &self.primary).field("backup", &self.backup).finish_non_exhaustive()
    }
}

impl Upstream {
    /// A client for `config`, using `http` (see [`http_client`]).
    pub fn new(config: UpstreamConfig, http: reqwest::Client, clock: Clock) -> Self {
        Upstream {
            http,
            secapi: None,
            appid: config.appid,
            v2: config.v2,
            v3: config.v3.map(|m| V3::new(m, wxpay::v3::KeyStore::new())),
            app_secret: config.app_secret,
            primary: config.api_base,
            backup: config.api_backup_base,
            wechat: config.wechat_api_base,
            policy: config.retry,
            clock,
            primary_down_until: AtomicI64::new(0),
            observer: None,
        }
    }

    /// Shows every exchange to `observer` (the demo prints them).
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Uses `client` (with the merchant certificate) for `/secapi/…` calls.
    pub fn with_secapi(mut self, client: reqwest::Client) -> Self {
        self.secapi = Some(client);
        self
    }

    /// Whether a merchant client certificate is configured for `secapi` calls.
    pub fn has_client_cert(&self) -> bool {
        self.secapi.is_some()
    }

    /// The v2 merchant this client signs for, if the v2 settings are given.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) when they are not (an order placed in v2 needs
    /// them).
    pub fn v2(&self) -> crate::Result<&Merchant> {
        self.v2.as_ref().ok_or_else(|| crate::Error::Config("API v2 settings are not given (WXPAY_API_KEY)".into()))
    }

    fn observe(&self, request_line: String, request_body: Option<&str>, response: std::result::Result<&str, String>) {
        if let Some(o) = &self.observer {
            o(&Exchange { request_line, request_body: request_body.map(str::to_owned), response: response.map(str::to_owned) });
        }
    }

    /// The longest one [`Upstream::send`] can take: every attempt timing out, plus the back-offs.
    pub fn longest_call(&self) -> Duration {
        let p = &self.policy;
        p.timeout * p.attempts + p.backoff * (1u32 << p.attempts.min(16))
    }

    /// How long a prepay_id stays valid (WeChat: two hours), minus a safety margin.
    pub const PREPAY_VALIDITY: Duration = Duration::from_secs(2 * 3600 - 300);
}
