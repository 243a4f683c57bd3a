//! Configuration: one `clap` struct, every flag also read from the environment, validated into
//! [`Settings`] with a message that names the setting. No secret has a default, and no error
//! message ever repeats a secret's value. The API v3 settings are checked in [`v3`].

mod v3;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use wxpay::{ApiKey, Merchant, SignType};

pub(crate) use v3::given;
pub use v3::{KeyMode, V3Settings, WechatPayPublicKey};

use crate::api::ApiVersion;
use crate::client_cert::ClientIdentity;
use crate::error::{Error, Result};
use crate::secret::{AdminToken, AppSecret};
use crate::upstream::{RetryPolicy, UpstreamConfig};

/// The flags of `wxpay-server serve` (also used by `demo` to build its settings).
///
/// Secrets are plain `Option<String>` here so that clap never echoes a bad value; they are
/// checked and wrapped by [`Config::settings`].
#[derive(Clone, Default, clap::Args)]
pub struct Config {
    /// `v2` (default) or `v3`: the API new orders and refunds use. Orders already placed keep
    /// theirs, served while that version's settings are given.
    #[arg(long, env = "WXPAY_API_VERSION")]
    pub api_version: Option<String>,
    /// Mini-program AppID (`wx…`).
    #[arg(long, env = "WXPAY_APPID")]
    pub appid: Option<String>,
    /// Mini-program AppSecret, for jscode2session.
    #[arg(long, env = "WXPAY_APP_SECRET", hide_env_values = true)]
    pub app_secret: Option<String>,
    /// Merchant number (商户号).
    #[arg(long, env = "WXPAY_MCH_ID")]
    pub mch_id: Option<String>,
    /// API v2 key (32 letters and digits). Not needed in v3 unless v2 orders are still served.
    #[arg(long, env = "WXPAY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// API v3: path to the merchant API private key (`apiclient_key.pem`).
    #[arg(long, env = "WXPAY_MCH_PRIVATE_KEY")]
    pub mch_private_key: Option<String>,
    /// API v3: the merchant API certificate's serial number (商户API证书序列号).
    #[arg(long, env = "WXPAY_MCH_SERIAL")]
    pub mch_serial: Option<String>,
    /// API v3: the APIv3 key (32 bytes), which decrypts notifies and certificates.
    #[arg(long, env = "WXPAY_APIV3_KEY", hide_env_values = true)]
    pub apiv3_key: Option<String>,
    /// API v3: path to the WeChat Pay public key (`pub_key.pem`); without it, the platform
    /// certificates are downloaded.
    #[arg(long, env = "WXPAY_PUBLIC_KEY")]
    pub public_key: Option<String>,
    /// API v3: the WeChat Pay public key's id, `PUB_KEY_ID_…` in full.
    #[arg(long, env = "WXPAY_PUBLIC_KEY_ID")]
    pub public_key_id: Option<String>,
    /// `MD5` (default) or `HMAC-SHA256`.
    #[arg(long, env = "WXPAY_SIGN_TYPE")]
    pub sign_type: Option<String>,
    /// The public base URL WeChat calls back (`/wxpay/notify`, `/wxpay/refund-notify`).
    #[arg(long, env = "WXPAY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// WeChat Pay API base.
    #[arg(long, env = "WXPAY_API_BASE")]
    pub api_base: Option<String>,
    /// WeChat Pay disaster-recovery base, used when the primary cannot be reached.
    #[arg(long, env = "WXPAY_API_BACKUP_BASE")]
    pub api_backup_base: Option<String>,
    /// WeChat API base for jscode2session.
    #[arg(long, env = "WECHAT_API_BASE")]
    pub wechat_api_base: Option<String>,
    /// An extra trusted root certificate (PEM), on top of the system roots.
    #[arg(long, env = "WXPAY_CA_FILE")]
    pub ca_file: Option<String>,
    /// `sqlite://file.db?mode=rwc` (default `sqlite://wxpay.db?mode=rwc`) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to listen on (default `127.0.0.1:8080`).
    #[arg(long, env = "LISTEN")]
    pub listen: Option<String>,
    /// Bearer token for the admin endpoints (at least 16 characters; admin is off without it).
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// How long an order can be paid, in seconds (default 1800; WeChat wants more than 60).
    #[arg(long, env = "WXPAY_ORDER_TTL_SECS")]
    pub order_ttl_secs: Option<u64>,
    /// How long a login token lives, in seconds (default 7200).
    #[arg(long, env = "WXPAY_SESSION_TTL_SECS")]
    pub session_ttl_secs: Option<u64>,
    /// Seconds between reconciler passes (default 60; 0 disables the reconciler).
    #[arg(long, env = "WXPAY_RECONCILE_INTERVAL_SECS")]
    pub reconcile_interval_secs: Option<u64>,
    /// Age in seconds after which an unpaid order is queried (default 300).
    #[arg(long, env = "WXPAY_RECONCILE_AFTER_SECS")]
    pub reconcile_after_secs: Option<u64>,
    /// Timeout of one upstream call, in milliseconds (default 10000).
    #[arg(long, env = "WXPAY_UPSTREAM_TIMEOUT_MS")]
    pub upstream_timeout_ms: Option<u64>,
    /// Attempts per upstream call, across both bases (default 4).
    #[arg(long, env = "WXPAY_UPSTREAM_ATTEMPTS")]
    pub upstream_attempts: Option<u32>,
    /// First back-off between attempts, in milliseconds, doubled each time (default 200).
    #[arg(long, env = "WXPAY_UPSTREAM_BACKOFF_MS")]
    pub upstream_backoff_ms: Option<u64>,
    /// Merchant client certificate for refunds (`apiclient_cert.pem`), with `WXPAY_CLIENT_KEY`.
    #[arg(long, env = "WXPAY_CLIENT_CERT")]
    pub client_cert: Option<String>,
    /// Its private key (`apiclient_key.pem`).
    #[arg(long, env = "WXPAY_CLIENT_KEY")]
    pub client_key: Option<String>,
    /// Or the PKCS#12 file (`apiclient_cert.p12`), instead of the two PEM files.
    #[arg(long, env = "WXPAY_CLIENT_P12")]
    pub client_p12: Option<String>,
    /// The PKCS#12 password (default: the mch_id, as WeChat issues it).
    #[arg(long, env = "WXPAY_CLIENT_P12_PASSWORD", hide_env_values = true)]
    pub client_p12_password: Option<String>,
    /// Time budget of one reconciler pass, in seconds (default 30).
    #[arg(long, env = "WXPAY_RECONCILE_BUDGET_SECS")]
    pub reconcile_budget_secs: Option<u64>,
    /// A request taking longer is answered 503 `TIMEOUT`, in seconds (default 60).
    #[arg(long, env = "WXPAY_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Logins per minute from one client address (default 30; 0: no limit).
    #[arg(long, env = "WXPAY_LOGIN_PER_ADDRESS_PER_MINUTE")]
    pub login_per_address_per_minute: Option<u32>,
    /// Logins per minute in all, to stay within jscode2session's quota (default 600; 0: no limit).
    #[arg(long, env = "WXPAY_LOGIN_PER_MINUTE")]
    pub login_per_minute: Option<u32>,
    /// The proxies in front of the server whose `X-Forwarded-For` is believed: comma-separated
    /// addresses or CIDRs (`10.0.0.0/8,127.0.0.1`). The client is then the right-most hop that is
    /// not one of them; without this setting, the TCP peer.
    #[arg(long, env = "WXPAY_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Unpaid, still payable orders one payer may hold at once (default 20).
    #[arg(long, env = "WXPAY_MAX_OPEN_ORDERS_PER_PAYER")]
    pub max_open_orders_per_payer: Option<u32>,
    /// Units of stock one payer's unpaid orders may hold at once, all products together
    /// (default 30).
    #[arg(long, env = "WXPAY_MAX_HELD_UNITS_PER_PAYER")]
    pub max_held_units_per_payer: Option<u32>,
    /// Orders one payer may create per hour (default 60).
    #[arg(long, env = "WXPAY_MAX_ORDERS_PER_HOUR")]
    pub max_orders_per_hour: Option<u32>,
    /// Refund requests of a payer waiting for the merchant at once, per order (default 3).
    #[arg(long, env = "WXPAY_MAX_PENDING_REFUND_REQUESTS")]
    pub max_pending_refund_requests: Option<u32>,
    /// `http://` public URLs are for the sandbox only (set by `serve --sandbox`, the demo and the
    /// tests, never from outside).
    #[arg(skip)]
    pub allow_http_public_url: bool,
}

/// Validated settings. `Debug` never shows a password (see the impl).
#[derive(Clone)]
pub struct Settings {
    /// The API new orders and refunds use.
    pub api_version: ApiVersion,
    /// The mini-program's AppID.
    pub appid: String,
    /// The merchant number.
    pub mch_id: String,
    /// API v2: appid, mch_id, API key, sign type (when the v2 settings are given).
    pub v2: Option<Merchant>,
    /// API v3: the merchant's key, the APIv3 key, WeChat's public key (when given).
    pub v3: Option<V3Settings>,
    /// For jscode2session.
    pub app_secret: AppSecret,
    /// Base URL WeChat calls back, without a trailing `/`.
    pub public_url: String,
    /// Primary WeChat Pay base.
    pub api_base: String,
    /// Backup WeChat Pay base.
    pub api_backup_base: String,
    /// jscode2session base.
    pub wechat_api_base: String,
    /// Extra trusted root.
    pub ca_file: Option<PathBuf>,
    /// Database URL.
    pub database_url: String,
    /// Listen address.
    pub listen: SocketAddr,
    /// Admin bearer token.
    pub admin_token: Option<AdminToken>,
    /// Order lifetime.
    pub order_ttl: Duration,
    /// Login token lifetime.
    pub session_ttl: Duration,
    /// Reconciler period (zero: off).
    pub reconcile_interval: Duration,
    /// Age before the reconciler looks at an unpaid order.
    pub reconcile_after: Duration,
    /// Upstream retry policy.
    pub retry: RetryPolicy,
    /// The merchant client certificate for `secapi` calls (refunds), if configured.
    pub client_identity: Option<ClientIdentity>,
    /// The PKCS#12 password, if one was given (only for the log scrubber).
    client_p12_password: Option<String>,
    /// Time budget of one reconciler pass.
    pub reconcile_budget: Duration,
    /// Server-side timeout of one request.
    pub request_timeout: Duration,
    /// Logins per minute per client address (0: no limit).
    pub login_per_address_per_minute: u32,
    /// Logins per minute in all (0: no limit).
    pub login_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed (empty: the TCP peer is the client).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// What one payer may hold and create.
    pub limits: PayerLimits,
}

/// What one payer may hold at once and create, checked in the transaction that takes the stock
/// or creates the refund request (so concurrent requests cannot all pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayerLimits {
    /// Unpaid, still payable orders at once.
    pub open_orders: i64,
    /// Units of stock held by those orders, all products together.
    pub held_units: i64,
    /// Orders created in the last hour.
    pub orders_per_hour: i64,
    /// Refund requests waiting for the merchant, per order.
    pub pending_refund_requests: i64,
}

impl Default for PayerLimits {
    fn default() -> Self {
        PayerLimits { open_orders: 20, held_units: 30, orders_per_hour: 60, pending_refund_requests: 3 }
    }
}

/// `scheme://user:***@host/…`: a URL with its password (if any) masked.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{scheme}://{masked}@{host}{}", redact_query(path))
        }
        None => format!("{scheme}://{authority}{}", redact_query(path)),
    }
}

/// `?password=…` in a query (PostgreSQL accepts it there too) masked.
fn redact_query(path: &str) -> String {
    let Some((p, q)) = path.split_once('?') else { return path.to_owned() };
    let q: Vec<String> = q
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{p}?{}", q.join("&"))
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api_version", &self.api_version)
            .field("v2", &self.v2)
            .field("v3", &self.v3)
            .field("app_secret", &self.app_secret)
            .field("public_url", &self.public_url)
            .field("api_base", &self.api_base)
            .field("api_backup_base", &self.api_backup_base)
            .field("wechat_api_base", &self.wechat_api_base)
            .field("ca_file", &self.ca_file)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("admin_token", &self.admin_token)
            .field("order_ttl", &self.order_ttl)
            .field("session_ttl", &self.session_ttl)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("reconcile_after", &self.reconcile_after)
            .field("reconcile_budget", &self.reconcile_budget)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("limits", &self.limits)
            .field("client_identity", &self.client_identity.as_ref().map(|i| (&i.subject, i.not_after, i.source)))
            .field("client_p12_password", &self.client_p12_password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The v2 merchant, when the v2 settings are given.
    ///
    /// # Errors
    /// [`Error::Config`] when they are not.
    pub fn v2(&self) -> Result<&Merchant> {
        self.v2.as_ref().ok_or_else(|| Error::Config("API v2 settings are not given (WXPAY_API_KEY)".into()))
    }

    /// The v3 settings, when given.
    ///
    /// # Errors
    /// [`Error::Config`] when they are not.
    pub fn v3(&self) -> Result<&V3Settings> {
        self.v3
            .as_ref()
            .ok_or_else(|| Error::Config("API v3 settings are not given (WXPAY_MCH_PRIVATE_KEY, WXPAY_MCH_SERIAL, WXPAY_APIV3_KEY)".into()))
    }

    /// `<public_url>/wxpay/v3/notify`: API v3's notifies, payments and refunds alike.
    pub fn v3_notify_url(&self) -> String {
        format!("{}/wxpay/v3/notify", self.public_url)
    }

    /// What `serve` says about the versions: the one new orders use, and the other one's orders
    /// still served (or not, for want of its settings).
    pub fn versions_line(&self) -> String {
        let other = match self.api_version {
            ApiVersion::V2 if self.v3.is_some() => "; v3 orders in flight are still served (v3 settings given)",
            ApiVersion::V2 => "; v3 orders are not served (no v3 settings)",
            ApiVersion::V3 if self.v2.is_some() => "; v2 orders in flight are still served (WXPAY_API_KEY given)",
            ApiVersion::V3 => "; v2 orders are not served (no WXPAY_API_KEY)",
        };
        let keys = match self.v3.as_ref().map(V3Settings::key_mode) {
            Some(KeyMode::PublicKey) => ", WeChat verified with the WeChat Pay public key",
            Some(KeyMode::Certificates) => ", WeChat verified with downloaded platform certificates",
            None => "",
        };
        format!("API {} for new orders{keys}{other}", self.api_version)
    }

    /// `<public_url>/wxpay/notify`.
    pub fn notify_url(&self) -> String {
        format!("{}/wxpay/notify", self.public_url)
    }

    /// `<public_url>/wxpay/refund-notify`.
    pub fn refund_notify_url(&self) -> String {
        format!("{}/wxpay/refund-notify", self.public_url)
    }

    /// Every secret value, for the log scrubber.
    pub fn secret_values(&self) -> Vec<String> {
        let mut v = vec![self.app_secret.expose().to_owned()];
        v.extend(self.client_p12_password.clone());
        if let Some(t) = &self.admin_token {
            v.push(t.expose().to_owned());
        }
        v
    }
}

fn missing(env: &str) -> Error {
    Error::Config(format!("missing setting {env}"))
}

fn bad(env: &str, why: impl std::fmt::Display) -> Error {
    Error::Config(format!("invalid setting {env}: {why}"))
}

fn https_base(env: &str, value: Option<&str>, default: &str) -> Result<String> {
    let v = value.unwrap_or(default).trim_end_matches('/');
    let rest = v.strip_prefix("https://").ok_or_else(|| bad(env, "must be an https:// URL (TLS is always verified)"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(bad(env, "must be a base URL without query"));
    }
    Ok(v.to_owned())
}

impl Settings {
    /// What the WeChat client needs of these settings.
    pub fn upstream(&self) -> UpstreamConfig {
        UpstreamConfig {
            appid: self.appid.clone(),
            v2: self.v2.clone(),
            v3: self.v3.as_ref().map(|v| v.merchant.clone()),
            app_secret: self.app_secret.clone(),
            api_base: self.api_base.clone(),
            api_backup_base: self.api_backup_base.clone(),
            wechat_api_base: self.wechat_api_base.clone(),
            retry: self.retry,
        }
    }
}

/// `127.0.0.1:8080/…`, `localhost/…`, `[::1]:8080`: an authority only this machine can reach.
pub(crate) fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `10.0.0.0/8, 127.0.0.1, ::1`: addresses and CIDRs, separated by commas or spaces.
fn parse_proxies(list: &str) -> std::result::Result<Vec<ipnet::IpNet>, String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{s:?} is not an address or CIDR"))
        })
        .collect()
}

impl Config {
    /// The secret values given (API key, AppSecret, admin token, database URL, p12 password),
    /// for the log filter that masks them.
    pub fn secret_values(&self) -> Vec<String> {
        [&self.api_key, &self.app_secret, &self.admin_token, &self.database_url, &self.client_p12_password, &self.apiv3_key]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// Checks every setting and builds [`Settings`].
    ///
    /// # Errors
    /// [`Error::Config`] naming the first missing or malformed setting (never its value if
    /// it is a secret).
    pub fn settings(&self) -> Result<Settings> {
        let api_version = match self.api_version.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ApiVersion::V2,
            Some(v) => ApiVersion::parse(&v.to_ascii_lowercase()).map_err(|_| bad("WXPAY_API_VERSION", "must be v2 or v3"))?,
        };
        let appid = self.appid.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| missing("WXPAY_APPID"))?;
        if !(appid.starts_with("wx") && appid.len() <= 32 && appid.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return Err(bad("WXPAY_APPID", "must be wx followed by letters and digits"));
        }
        let app_secret = self.app_secret.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| missing("WXPAY_APP_SECRET"))?;
        if !(16..=64).contains(&app_secret.len()) || !app_secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("WXPAY_APP_SECRET", "must be 16 to 64 letters and digits"));
        }
        let mch_id = self.mch_id.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| missing("WXPAY_MCH_ID"))?;
        if mch_id.len() > 32 || !mch_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("WXPAY_MCH_ID", "must be digits"));
        }
        // v2's key is required in v2; in v3 it is optional (given, v2 orders in flight are
        // still served).
        let v2 = match (self.api_key.as_deref().filter(|s| !s.is_empty()), api_version) {
            (None, ApiVersion::V2) => return Err(missing("WXPAY_API_KEY")),
            (None, ApiVersion::V3) => None,
            (Some(key), _) => {
                // The core's error says what is wrong with the shape, never the key.
                let key = ApiKey::new(key).map_err(|e| bad("WXPAY_API_KEY", e))?;
                let sign_type = match self.sign_type.as_deref().filter(|s| !s.is_empty()) {
                    None => SignType::Md5,
                    Some(s) => s.parse().map_err(|e| bad("WXPAY_SIGN_TYPE", e))?,
                };
                Some(Merchant::new(appid, mch_id, key).with_sign_type(sign_type))
            }
        };
        let v3 = v3::settings(self, appid, mch_id, api_version == ApiVersion::V3)?;
        let public_url = self.public_url.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| missing("WXPAY_PUBLIC_URL"))?;
        let public_url = public_url.trim_end_matches('/').to_owned();
        // WeChat calls back over the internet: a payment notify over plain HTTP can be read and
        // replayed on the way. Plain HTTP is for a simulator on this machine only (loopback, which
        // WeChat can never reach), or the sandbox.
        let plain = public_url.strip_prefix("http://").is_some_and(|rest| self.allow_http_public_url || is_loopback_authority(rest));
        if !(public_url.starts_with("https://") || plain) {
            return Err(bad(
                "WXPAY_PUBLIC_URL",
                "must be an https:// URL (WeChat's callbacks carry payments; http:// only on loopback, for a simulator)",
            ));
        }
        // Both callback URLs must fit WeChat's notify_url (256 bytes): a refund whose URL does not
        // could never be sent, so this is a start-up error, not a failure at approval.
        for path in ["/wxpay/notify", "/wxpay/refund-notify", "/wxpay/v3/notify"] {
            wxpay::validate::notify_url(&format!("{public_url}{path}"))
                .map_err(|e| bad("WXPAY_PUBLIC_URL", format!("{public_url}{path}: {e}")))?;
        }

        let ca_file = match self.ca_file.as_deref().filter(|p| !p.is_empty()).map(PathBuf::from) {
            None => None,
            Some(p) => {
                let pem = std::fs::read(&p).map_err(|e| bad("WXPAY_CA_FILE", format!("{}: {e}", p.display())))?;
                let n = crate::upstream::parse_pem_certs(&pem).map_err(|e| bad("WXPAY_CA_FILE", e))?.len();
                if n == 0 {
                    return Err(bad("WXPAY_CA_FILE", "no CERTIFICATE in the file"));
                }
                Some(p)
            }
        };
        let database_url = self.database_url.clone().unwrap_or_else(|| "sqlite://wxpay.db?mode=rwc".into());
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
            return Err(bad("DATABASE_URL", "must start with sqlite: or postgres://"));
        }
        let listen = self.listen.as_deref().unwrap_or("127.0.0.1:8080");
        let listen: SocketAddr = listen.parse().map_err(|_| bad("LISTEN", "must be host:port, e.g. 127.0.0.1:8080"))?;
        let admin_token = match self.admin_token.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(t) if t.len() < 16 => return Err(bad("ADMIN_TOKEN", "must be at least 16 characters")),
            Some(t) => Some(AdminToken::new(t)),
        };
        let order_ttl = self.order_ttl_secs.unwrap_or(1800);
        if order_ttl <= 60 {
            return Err(bad("WXPAY_ORDER_TTL_SECS", "must be more than 60 (WeChat refuses shorter time_expire)"));
        }
        let attempts = self.upstream_attempts.unwrap_or(4);
        if attempts == 0 {
            return Err(bad("WXPAY_UPSTREAM_ATTEMPTS", "must be at least 1"));
        }
        let now_secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default();
        let nonempty = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(PathBuf::from);
        let client_p12_password = self.client_p12_password.clone().filter(|p| !p.is_empty());
        let client_identity = match (nonempty(&self.client_cert), nonempty(&self.client_key), nonempty(&self.client_p12)) {
            (None, None, None) => None,
            (Some(c), Some(k), None) => Some(ClientIdentity::from_pem_files(&c, &k, mch_id, now_secs)?),
            (None, None, Some(p)) => {
                let password = client_p12_password.as_deref().unwrap_or(mch_id);
                Some(ClientIdentity::from_p12_file(&p, password, mch_id, now_secs)?)
            }
            (Some(_), None, None) => return Err(missing("WXPAY_CLIENT_KEY")),
            (None, Some(_), None) => return Err(missing("WXPAY_CLIENT_CERT")),
            _ => {
                return Err(bad("WXPAY_CLIENT_P12", "give either WXPAY_CLIENT_CERT + WXPAY_CLIENT_KEY or WXPAY_CLIENT_P12, not both"));
            }
        };
        let trusted_proxies = match self.trusted_proxies.as_deref() {
            None => Vec::new(),
            Some(list) => parse_proxies(list).map_err(|e| bad("WXPAY_TRUSTED_PROXIES", e))?,
        };
        let d = PayerLimits::default();
        let limit = |v: Option<u32>, default: i64, env: &str| -> Result<i64> {
            match v {
                None => Ok(default),
                Some(0) => Err(bad(env, "must be at least 1")),
                Some(n) => Ok(i64::from(n)),
            }
        };
        let limits = PayerLimits {
            open_orders: limit(self.max_open_orders_per_payer, d.open_orders, "WXPAY_MAX_OPEN_ORDERS_PER_PAYER")?,
            held_units: limit(self.max_held_units_per_payer, d.held_units, "WXPAY_MAX_HELD_UNITS_PER_PAYER")?,
            orders_per_hour: limit(self.max_orders_per_hour, d.orders_per_hour, "WXPAY_MAX_ORDERS_PER_HOUR")?,
            pending_refund_requests: limit(
                self.max_pending_refund_requests,
                d.pending_refund_requests,
                "WXPAY_MAX_PENDING_REFUND_REQUESTS",
            )?,
        };
        Ok(Settings {
            trusted_proxies,
            limits,
            client_identity,
            client_p12_password,
            api_version,
            appid: appid.to_owned(),
            mch_id: mch_id.to_owned(),
            v2,
            v3,
            app_secret: AppSecret::new(app_secret),
            public_url,
            api_base: https_base("WXPAY_API_BASE", self.api_base.as_deref(), "https://api.mch.weixin.qq.com")?,
            api_backup_base: https_base("WXPAY_API_BACKUP_BASE", self.api_backup_base.as_deref(), "https://api2.mch.weixin.qq.com")?,
            wechat_api_base: https_base("WECHAT_API_BASE", self.wechat_api_base.as_deref(), "https://api.weixin.qq.com")?,
            ca_file,
            database_url,
            listen,
            admin_token,
            order_ttl: Duration::from_secs(order_ttl),
            session_ttl: Duration::from_secs(self.session_ttl_secs.unwrap_or(7200).max(60)),
            reconcile_interval: Duration::from_secs(self.reconcile_interval_secs.unwrap_or(60)),
            reconcile_after: Duration::from_secs(self.reconcile_after_secs.unwrap_or(300)),
            reconcile_budget: Duration::from_secs(self.reconcile_budget_secs.unwrap_or(30).max(1)),
            request_timeout: Duration::from_secs(self.request_timeout_secs.unwrap_or(60).max(1)),
            login_per_address_per_minute: self.login_per_address_per_minute.unwrap_or(30),
            login_per_minute: self.login_per_minute.unwrap_or(600),
            retry: RetryPolicy {
                timeout: Duration::from_millis(self.upstream_timeout_ms.unwrap_or(10_000).max(100)),
                connect_timeout: Duration::from_millis(self.upstream_timeout_ms.unwrap_or(10_000).clamp(100, 3_000)),
                attempts,
                backoff: Duration::from_millis(self.upstream_backoff_ms.unwrap_or(200)),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change to a full config, and the setting it should be blamed on.
    type Case = (fn(&mut Config), &'static str);

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
    const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    fn full() -> Config {
        Config {
            appid: Some("wxd930ea5d5a258f4f".into()),
            app_secret: Some(SECRET.into()),
            mch_id: Some("10000100".into()),
            api_key: Some(KEY.into()),
            public_url: Some("https://shop.example.com/".into()),
            ..Config::default()
        }
    }

    #[test]
    fn defaults_apply_to_non_secrets() {
        let s = full().settings().unwrap();
        assert_eq!(s.api_base, "https://api.mch.weixin.qq.com");
        assert_eq!(s.api_backup_base, "https://api2.mch.weixin.qq.com");
        assert_eq!(s.wechat_api_base, "https://api.weixin.qq.com");
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.notify_url(), "https://shop.example.com/wxpay/notify");
        assert_eq!(s.v2.as_ref().unwrap().sign_type, SignType::Md5);
        assert_eq!(s.api_version, ApiVersion::V2);
        assert!(s.v3.is_none());
    }

    #[test]
    fn missing_secret_names_the_setting() {
        let cases: [Case; 5] = [
            (|c| c.api_key = None, "WXPAY_API_KEY"),
            (|c| c.app_secret = None, "WXPAY_APP_SECRET"),
            (|c| c.appid = None, "WXPAY_APPID"),
            (|c| c.mch_id = None, "WXPAY_MCH_ID"),
            (|c| c.public_url = None, "WXPAY_PUBLIC_URL"),
        ];
        for (clear, name) in cases {
            let mut c = full();
            clear(&mut c);
            let e = c.settings().unwrap_err().to_string();
            assert_eq!(e, format!("configuration: missing setting {name}"));
        }
    }

    #[test]
    fn malformed_secret_is_named_but_not_echoed() {
        let mut c = full();
        c.api_key = Some("short-and-wrong-key-value".into());
        let e = c.settings().unwrap_err().to_string();
        assert!(e.contains("WXPAY_API_KEY"), "{e}");
        assert!(!e.contains("short-and-wrong-key-value"), "{e}");

        let mut c = full();
        c.app_secret = Some("bad secret with spaces!".into());
        let e = c.settings().unwrap_err().to_string();
        assert!(e.contains("WXPAY_APP_SECRET") && !e.contains("spaces"), "{e}");
    }

    #[test]
    fn rejects_malformed_non_secrets() {
        let cases: [Case; 10] = [
            (|c| c.sign_type = Some("SHA1".into()), "WXPAY_SIGN_TYPE"),
            (|c| c.public_url = Some("ftp://x".into()), "WXPAY_PUBLIC_URL"),
            (|c| c.public_url = Some("http://shop.example.com".into()), "WXPAY_PUBLIC_URL"),
            (|c| c.trusted_proxies = Some("10.0.0.0/8, proxy.internal".into()), "WXPAY_TRUSTED_PROXIES"),
            (|c| c.max_open_orders_per_payer = Some(0), "WXPAY_MAX_OPEN_ORDERS_PER_PAYER"),
            (|c| c.max_pending_refund_requests = Some(0), "WXPAY_MAX_PENDING_REFUND_REQUESTS"),
            (|c| c.api_base = Some("http://plain.example".into()), "WXPAY_API_BASE"),
            (|c| c.listen = Some("nowhere".into()), "LISTEN"),
            (|c| c.database_url = Some("mysql://x".into()), "DATABASE_URL"),
            (|c| c.ca_file = Some("/nonexistent/ca.pem".into()), "WXPAY_CA_FILE"),
        ];
        for (change, name) in cases {
            let mut c = full();
            change(&mut c);
            let e = c.settings().unwrap_err().to_string();
            assert!(e.contains(&format!("invalid setting {name}")), "{e}");
        }
    }

    #[test]
    fn http_public_url_is_refused_outside_the_sandbox() {
        for url in ["http://shop.example.com", "http://203.0.113.7:8080", "http://127.0.0.1.example.com", "http://[2001:db8::1]"] {
            let mut c = full();
            c.public_url = Some(url.into());
            let e = c.settings().unwrap_err().to_string();
            assert!(e.contains("invalid setting WXPAY_PUBLIC_URL") && e.contains("https://"), "{url}: {e}");
            c.allow_http_public_url = true;
            assert_eq!(c.settings().unwrap().notify_url(), format!("{url}/wxpay/notify"), "the sandbox may");
        }
        // A simulator on this machine calls back on loopback, which WeChat can never reach.
        for url in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
            let mut c = full();
            c.public_url = Some(url.into());
            assert!(c.settings().is_ok(), "{url}");
        }
    }

    #[test]
    fn trusted_proxies_and_limits_are_parsed() {
        let mut c = full();
        c.trusted_proxies = Some("10.0.0.0/8, 127.0.0.1 ::1".into());
        c.max_held_units_per_payer = Some(10);
        let s = c.settings().unwrap();
        assert_eq!(s.trusted_proxies.len(), 3);
        assert!(s.trusted_proxies[0].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(s.limits, PayerLimits { held_units: 10, ..PayerLimits::default() });
    }

    #[test]
    fn settings_debug_hides_secrets() {
        let mut c = full();
        c.database_url = Some("postgres://wxpay:db-pass-9f8e7d@db.internal:5432/wxpay?sslmode=require&password=other-pass-1a2b".into());
        let s = c.settings().unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains(KEY) && !dbg.contains(SECRET), "{dbg}");
        assert!(!dbg.contains("db-pass-9f8e7d") && !dbg.contains("other-pass-1a2b"), "{dbg}");
        assert!(dbg.contains("postgres://wxpay:***@db.internal:5432/wxpay?sslmode=require&password=***"), "{dbg}");
    }

    #[test]
    fn public_url_too_long_for_the_refund_notify_url_is_a_configuration_error() {
        // `/wxpay/notify` fits in 256 bytes, `/wxpay/refund-notify` does not.
        let mut c = full();
        let base = "https://shop.example.com/";
        c.public_url = Some(format!("{base}{}", "p".repeat(256 - base.len() - "/wxpay/notify".len())));
        let e = c.settings().unwrap_err().to_string();
        assert!(e.contains("invalid setting WXPAY_PUBLIC_URL") && e.contains("refund-notify"), "{e}");
    }
}
