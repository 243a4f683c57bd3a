//! Calls to WeChat: the Pay API (signed XML, retried with the same body on network errors
//! and `SYSTEMERROR`, failing over to the backup base) and jscode2session.
//!
//! TLS is always verified: the system roots plus, optionally, one extra CA file (the
//! simulator's). There is no switch to turn verification off.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde::Deserialize;
use wxpay::{Merchant, Request, Response};

use crate::client_cert::ClientIdentity;
use crate::clock::Clock;
use crate::config::{RetryPolicy, Settings};
use crate::error::{Error, Result};
use crate::secret::{AppSecret, SessionKey};

/// How long the primary base is avoided after a connection failure.
const PRIMARY_COOL_DOWN_MS: i64 = 30_000;

/// One HTTP exchange, as shown by the demo. Holds no secret: the AppSecret and the
/// session_key are masked before an observer sees them.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Method and URL.
    pub request_line: String,
    /// Body sent (XML), if any.
    pub request_body: Option<String>,
    /// Body received, or the transport error.
    pub response: std::result::Result<String, String>,
}

/// Sees every upstream exchange (the demo prints them).
pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// Parses the certificates of a PEM file.
///
/// # Errors
/// A message when the PEM is malformed.
pub fn parse_pem_certs(pem: &[u8]) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem).collect::<std::result::Result<Vec<_>, _>>().map_err(|e| format!("bad PEM: {e}"))
}

/// A reqwest client over rustls that trusts the system roots and `ca_file`.
///
/// # Errors
/// [`Error::Config`] if the CA file cannot be read.
pub fn http_client(ca_file: Option<&Path>, policy: &RetryPolicy) -> Result<reqwest::Client> {
    builder(ca_file, policy)?.build().map_err(|e| Error::Config(format!("HTTP client: {e}")))
}

/// Like [`http_client`], presenting the merchant client certificate (for `secapi` only).
///
/// # Errors
/// [`Error::Config`] if the CA file cannot be read or the identity is refused.
pub fn secapi_client(ca_file: Option<&Path>, policy: &RetryPolicy, id: &ClientIdentity) -> Result<reqwest::Client> {
    builder(ca_file, policy)?
        .identity(id.reqwest_identity()?)
        .build()
        .map_err(|_| Error::Config("HTTP client with the client certificate could not be built".into()))
}

fn builder(ca_file: Option<&Path>, policy: &RetryPolicy) -> Result<reqwest::ClientBuilder> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_native_certs(true)
        .https_only(true)
        .timeout(policy.timeout)
        .connect_timeout(policy.connect_timeout)
        .user_agent(concat!("wxpay-server/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| Error::Config(format!("invalid setting WXPAY_CA_FILE: {e}")))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|_| Error::Config("invalid setting WXPAY_CA_FILE: bad PEM".into()))?
        {
            b = b.add_root_certificate(cert);
        }
    }
    Ok(b)
}

/// A signed request body, ready to send (and to resend: the same bytes every time).
#[derive(Debug, Clone)]
pub struct Prepared {
    path: &'static str,
    body: String,
}

/// The WeChat client of the server.
pub struct Upstream {
    http: reqwest::Client,
    secapi: Option<reqwest::Client>,
    merchant: Merchant,
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

/// What jscode2session answered.
pub struct Login {
    /// The user's openid for our appid.
    pub openid: String,
    /// The session key (redacted in Debug).
    pub session_key: SessionKey,
}

#[derive(Deserialize)]
struct Code2SessionAnswer {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    session_key: Option<String>,
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

/// Turns a core error about WeChat's answer into the server's error.
fn from_answer(e: wxpay::Error, raw: &[u8]) -> Error {
    match e {
        wxpay::Error::Business { code, message } => Error::Upstream { code, message },
        wxpay::Error::ReturnFail { message } => Error::Upstream { code: "FAIL".into(), message },
        wxpay::Error::SignatureMismatch | wxpay::Error::MissingSignature => {
            // Say what WeChat complained about, if anything, but trust none of it.
            let said = wxpay::xml::decode(raw).ok().and_then(|p| p.get("err_code").cloned()).unwrap_or_default();
            Error::Upstream {
                code: "RESPONSE_SIGNATURE_INVALID".into(),
                message: format!("the answer's signature does not verify (check WXPAY_API_KEY); unverified err_code {said:?}"),
            }
        }
        other => Error::Upstream { code: "BAD_RESPONSE".into(), message: other.to_string() },
    }
}

impl Upstream {
    /// A client for `settings`, using `http` (see [`http_client`]).
    pub fn new(settings: &Settings, http: reqwest::Client, clock: Clock) -> Self {
        Upstream {
            http,
            secapi: None,
            merchant: settings.merchant.clone(),
            app_secret: settings.app_secret.clone(),
            primary: settings.api_base.clone(),
            backup: settings.api_backup_base.clone(),
            wechat: settings.wechat_api_base.clone(),
            policy: settings.retry,
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

    /// The merchant this client signs for.
    pub fn merchant(&self) -> &Merchant {
        &self.merchant
    }

    fn observe(&self, request_line: String, request_body: Option<&str>, response: std::result::Result<&str, String>) {
        if let Some(o) = &self.observer {
            o(&Exchange {
                request_line,
                request_body: request_body.map(str::to_owned),
                response: response.map(str::to_owned),
            });
        }
    }

    /// Sends a Pay API request and parses the answer.
    ///
    /// The body is signed once and the *same* bytes are resent on a network error, an HTTP 5xx
    /// or `SYSTEMERROR` / `BIZERR_NEED_RETRY`, so WeChat sees one request however often it
    /// arrives. A connection failure on the primary base moves traffic to the backup for a
    /// while; business errors never cause a failover.
    ///
    /// # Errors
    /// [`Error::Upstream`] with WeChat's code, or [`Error::UpstreamUnavailable`].
    pub async fn pay<Q: Request, P: Response>(&self, request: &Q) -> Result<P> {
        self.send(&self.prepare(request)?).await
    }

    /// Signs and encodes a request: nothing leaves the process. An error here means the request
    /// was never sent (e.g. a field the XML encoder cannot carry).
    ///
    /// # Errors
    /// [`Error::Core`] with the core's validation or encoding error.
    pub fn prepare<Q: Request>(&self, request: &Q) -> Result<Prepared> {
        let nonce = wxpay::nonce_str()?;
        Ok(Prepared { path: Q::PATH, body: self.merchant.request_xml(request, &nonce)? })
    }

    /// Sends a [`Prepared`] request (see [`Upstream::pay`]).
    ///
    /// # Errors
    /// As [`Upstream::pay`].
    pub async fn send<P: Response>(&self, prepared: &Prepared) -> Result<P> {
        self.send_with(prepared, |bytes| self.merchant.parse_response::<P>(bytes)).await
    }

    /// `downloadbill`: the bill of one day, or WeChat's refusal (`20002` `No Bill Exist`) as
    /// [`Error::Upstream`]. Retried like every call; the answer is text, not signed XML.
    ///
    /// # Errors
    /// As [`Upstream::pay`]; `BAD_RESPONSE` for a bill that cannot be read whole.
    pub async fn download_bill(&self, request: &wxpay::bill::DownloadBill) -> Result<wxpay::bill::Bill> {
        self.send_with(&self.prepare(request)?, wxpay::bill::parse_answer).await
    }

    /// [`Upstream::send`] with the answer read by `parse`.
    async fn send_with<P>(&self, prepared: &Prepared, parse: impl Fn(&[u8]) -> wxpay::Result<P>) -> Result<P> {
        let (path, body) = (prepared.path, &prepared.body);
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let on_backup = self.primary_down_until.load(Ordering::Relaxed) > self.clock.now_ms();
            let base = if on_backup { &self.backup } else { &self.primary };
            let url = format!("{base}{path}");
            // Only secapi calls present the client certificate; without one they are sent
            // anyway, and WeChat's refusal is reported.
            let http = if path.starts_with("/secapi/") { self.secapi.as_ref().unwrap_or(&self.http) } else { &self.http };
            let answer = self.post_xml(http, &url, body).await;
            self.observe(format!("POST {url}"), Some(body), answer.as_deref().map_err(Clone::clone));
            match answer {
                Err(why) => {
                    tracing::warn!(%url, attempt, error = %why, "WeChat Pay unreachable");
                    if on_backup {
                        // Both failed once: give the primary another chance next time.
                        self.primary_down_until.store(0, Ordering::Relaxed);
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    } else {
                        self.primary_down_until.store(self.clock.now_ms() + PRIMARY_COOL_DOWN_MS, Ordering::Relaxed);
                    }
                    last = Error::UpstreamUnavailable(why);
                }
                Ok(bytes) => match parse(bytes.as_bytes()) {
                    Ok(p) => return Ok(p),
                    Err(e) if e.is_retryable() => {
                        tracing::warn!(%url, attempt, code = e.err_code().unwrap_or(""), "WeChat asked to retry");
                        last = from_answer(e, bytes.as_bytes());
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    }
                    Err(e) => return Err(from_answer(e, bytes.as_bytes())),
                },
            }
        }
        Err(last)
    }

    async fn post_xml(&self, http: &reqwest::Client, url: &str, body: &str) -> std::result::Result<String, String> {
        let resp = http
            .post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.without_url().to_string())?;
        // WeChat answers every call with 200 and XML. Anything else came from something in
        // between (a proxy, a gateway): not WeChat's answer, so the outcome is unknown, never a
        // FAIL that would let a refund move back.
        if !status.is_success() {
            return Err(format!("HTTP {status} (not from WeChat Pay)"));
        }
        Ok(text)
    }

    /// `jscode2session`: exchanges a `wx.login()` code for the openid and session_key.
    ///
    /// A code is single use, so only a failure to connect (nothing was sent) or `errcode -1`
    /// (busy) is retried.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed code, [`Error::Upstream`] with WeChat's `errcode`
    /// (40029 invalid code, 40163 code used, 45011 rate limit, …), or
    /// [`Error::UpstreamUnavailable`].
    pub async fn code2session(&self, code: &str) -> Result<Login> {
        if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Invalid("code must be the non-empty string from wx.login()".into()));
        }
        let url = format!("{}/sns/jscode2session", self.wechat);
        let shown = format!(
            "GET {url}?appid={}&secret=***&js_code={code}&grant_type=authorization_code",
            self.merchant.appid
        );
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let sent = self
                .http
                .get(&url)
                .query(&[
                    ("appid", self.merchant.appid.as_str()),
                    ("secret", self.app_secret.expose()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ])
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    // The URL carries the AppSecret: never let it into a message.
                    let connect = e.is_connect();
                    let why = e.without_url().to_string();
                    self.observe(shown.clone(), None, Err(why.clone()));
                    tracing::warn!(attempt, error = %why, "jscode2session unreachable");
                    last = Error::UpstreamUnavailable(why);
                    if !connect {
                        return Err(last);
                    }
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
            };
            let text = resp.text().await.map_err(|e| Error::UpstreamUnavailable(e.without_url().to_string()))?;
            let answer: Code2SessionAnswer = serde_json::from_str(&text)
                .map_err(|_| Error::Upstream { code: "BAD_RESPONSE".into(), message: "jscode2session answer is not JSON".into() })?;
            let session_key = answer.session_key.map(SessionKey::new);
            let masked = match &session_key {
                Some(k) => text.replace(k.expose(), "***"),
                None => text.clone(),
            };
            self.observe(shown.clone(), None, Ok(&masked));
            match (answer.errcode.unwrap_or(0), answer.openid, session_key) {
                (0, Some(openid), Some(session_key)) if !openid.is_empty() => return Ok(Login { openid, session_key }),
                (0, _, _) => {
                    return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "jscode2session answer lacks openid".into() });
                }
                (-1, _, _) => {
                    last = Error::Upstream { code: "-1".into(), message: answer.errmsg.unwrap_or_default() };
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                (code, _, _) => {
                    return Err(Error::Upstream { code: code.to_string(), message: answer.errmsg.unwrap_or_default() });
                }
            }
        }
        Err(last)
    }

    /// The longest one [`Upstream::send`] can take: every attempt timing out, plus the back-offs.
    pub fn longest_call(&self) -> Duration {
        let p = &self.policy;
        p.timeout * p.attempts + p.backoff * (1u32 << p.attempts.min(16))
    }

    /// How long a prepay_id stays valid (WeChat: two hours), minus a safety margin.
    pub const PREPAY_VALIDITY: Duration = Duration::from_secs(2 * 3600 - 300);
}
