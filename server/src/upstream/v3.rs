//! API v3 calls: a typed request signed once (`Authorization`, and `Wechatpay-Serial` naming the
//! key WeChat is to sign its answer with), sent and resent unchanged on a network error, an HTTP
//! 5xx, `SYSTEM_ERROR` or `FREQUENCY_LIMITED` (failing over to the backup base as v2 does), and
//! the answer verified over its exact bytes with WeChat's keys before it is typed.
//!
//! WeChat's keys come from the key store (the `wechat_keys` service, shared by every instance through
//! the database); this client only holds the latest copy.

use std::sync::{Arc, RwLock};

use serde::de::DeserializeOwned;
use wxpay::v3::{KeyStore, Request, SignInformation, SignatureHeaders, SignedRequest};

use super::retry::Base;
use super::Upstream;
use crate::error::{Error, Result};

/// The v3 side of the client: who signs, and WeChat's keys as last read from the store.
pub struct V3 {
    merchant: Arc<wxpay::v3::Merchant>,
    keys: RwLock<Arc<KeyStore>>,
}

impl V3 {
    /// A v3 client for `merchant`, verifying with `keys` until the store says otherwise.
    pub fn new(merchant: Arc<wxpay::v3::Merchant>, keys: KeyStore) -> Self {
        V3 { merchant, keys: RwLock::new(Arc::new(keys)) }
    }

    /// The merchant.
    pub fn merchant(&self) -> &wxpay::v3::Merchant {
        &self.merchant
    }
}

/// WeChat's answer to one v3 request, as received.
#[derive(Debug, Clone)]
pub struct V3Answer {
    /// The HTTP status.
    pub status: u16,
    /// The four `Wechatpay-*` headers.
    pub headers: SignatureHeaders,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl Upstream {
    /// The v3 client, if the v3 settings are given.
    ///
    /// # Errors
    /// [`Error::Config`] when they are not (an order placed in v3 needs them).
    pub fn v3(&self) -> Result<&V3> {
        self.v3
            .as_ref()
            .ok_or_else(|| Error::Config("API v3 settings are not given (WXPAY_MCH_PRIVATE_KEY, WXPAY_MCH_SERIAL, WXPAY_APIV3_KEY)".into()))
    }

    /// WeChat's keys as last read from the store.
    ///
    /// # Errors
    /// As [`Upstream::v3`].
    pub fn v3_keys(&self) -> Result<Arc<KeyStore>> {
        Ok(self.v3()?.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }

    /// Replaces the keys (after the store was read or refreshed).
    ///
    /// # Errors
    /// As [`Upstream::v3`].
    pub fn set_v3_keys(&self, keys: KeyStore) -> Result<()> {
        *self.v3()?.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(keys);
        Ok(())
    }

    /// Signs `request` for now, naming the key WeChat is to answer with.
    ///
    /// # Errors
    /// The request's validation errors, or no WeChat key yet.
    pub fn sign_v3<R: Request>(&self, request: &R) -> Result<SignedRequest> {
        self.sign_v3_with(&*self.v3_keys()?, request)
    }

    /// Signs `request` for now, naming a key of `keys`, or none when `keys` holds none yet (the
    /// first download of the platform certificates).
    ///
    /// # Errors
    /// The request's validation errors.
    pub fn sign_v3_with<R: Request>(&self, keys: &KeyStore, request: &R) -> Result<SignedRequest> {
        let merchant = &self.v3()?.merchant;
        let now = self.clock.now_secs() as u64;
        let nonce = wxpay::nonce_str()?;
        Ok(match keys.key_set().serials().next() {
            Some(_) => merchant.sign_request_with_keys(keys.key_set(), request, now, &nonce)?,
            None => merchant.sign_request(request, now, &nonce)?,
        })
    }

    /// Sends a v3 request and reads the answer: verified with WeChat's keys, then typed.
    ///
    /// # Errors
    /// [`Error::Upstream`] with WeChat's code (`SIGN_ERROR` says which line of the signed message
    /// WeChat saw differently), `RESPONSE_SIGNATURE_INVALID` for an answer that does not verify,
    /// or [`Error::UpstreamUnavailable`].
    pub async fn call_v3<R: Request>(&self, request: &R) -> Result<R::Response>
    where
        R::Response: DeserializeOwned,
    {
        self.send_read_v3::<R>(&self.sign_v3(request)?).await
    }

    /// Sends a request of type `R` signed already (the same bytes on every retry) and reads the
    /// answer as [`Upstream::call_v3`] does.
    ///
    /// # Errors
    /// As [`Upstream::call_v3`].
    pub async fn send_read_v3<R: Request>(&self, signed: &SignedRequest) -> Result<R::Response>
    where
        R::Response: DeserializeOwned,
    {
        let answer = self.send_v3(signed).await?;
        let keys = self.v3_keys()?;
        let now = self.clock.now_secs() as u64;
        wxpay::v3::read_response::<R>(keys.key_set(), answer.status, &answer.headers, &answer.body, now)
            .map_err(|e| from_v3_answer(e, signed))
    }

    /// Sends a signed v3 request (resending the same bytes as above) and returns WeChat's answer
    /// unread: a 2xx or a final 4xx. Retries end on the last attempt's 5xx or 429 as
    /// [`Error::Upstream`], on a transport error as [`Error::UpstreamUnavailable`].
    ///
    /// # Errors
    /// As above.
    pub async fn send_v3(&self, signed: &SignedRequest) -> Result<V3Answer> {
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let Base { url: base, on_backup } = self.base();
            let url = format!("{base}{}", signed.path_and_query);
            let answer = self.exchange_v3(&url, signed).await;
            if self.observer.is_some() {
                // The signed request as sent: its line, then the two headers that matter.
                let line = format!(
                    "{} {url}\nAuthorization: {}\nWechatpay-Serial: {}",
                    signed.method,
                    signed.authorization,
                    signed.wechatpay_serial.as_deref().unwrap_or("")
                );
                let seen = match &answer {
                    Ok(a) => Ok(String::from_utf8_lossy(&a.body)),
                    Err(why) => Err(why.clone()),
                };
                self.observe(line, Some(&signed.body).filter(|b| !b.is_empty()).map(String::as_str), seen.as_deref().map_err(Clone::clone));
            }
            match answer {
                Err(why) => {
                    tracing::warn!(%url, attempt, error = %why, "WeChat Pay unreachable");
                    self.unreachable(on_backup, &mut backoff).await;
                    last = Error::UpstreamUnavailable(why);
                }
                Ok(a) if a.status >= 500 || a.status == 429 => {
                    let e = wxpay::v3::api_error(a.status, &a.body);
                    tracing::warn!(%url, attempt, status = a.status, code = e.err_code().unwrap_or(""), "WeChat asked to retry");
                    last = from_v3_answer(e, signed);
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Ok(a) => return Ok(a),
            }
        }
        Err(last)
    }

    async fn exchange_v3(&self, url: &str, signed: &SignedRequest) -> std::result::Result<V3Answer, String> {
        let unreachable = |e: reqwest::Error| e.without_url().to_string();
        let method = if signed.method == "GET" { reqwest::Method::GET } else { reqwest::Method::POST };
        let mut req = self
            .http
            .request(method, url)
            .header("Authorization", &signed.authorization)
            .header("Accept", "application/json")
            .header("User-Agent", concat!("wxpay-server/", env!("CARGO_PKG_VERSION")));
        if let Some(serial) = &signed.wechatpay_serial {
            req = req.header("Wechatpay-Serial", serial);
        }
        if signed.method != "GET" {
            req = req.header("Content-Type", "application/json").body(signed.body.clone());
        }
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status().as_u16();
        let headers = SignatureHeaders::from_pairs(resp.headers().iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))));
        let body = resp.bytes().await.map_err(unreachable)?.to_vec();
        Ok(V3Answer { status, headers, body })
    }
}

/// Turns a core error about WeChat's v3 answer into the server's error.
pub(crate) fn from_v3_answer(e: wxpay::Error, signed: &SignedRequest) -> Error {
    // A SIGN_ERROR with WeChat's sign information: which line it saw differently.
    let diagnosis = SignInformation::from_error(&e).map(|info| format!("; {}", info.diagnose(signed))).unwrap_or_default();
    match e {
        wxpay::Error::ApiError { code, message, .. } if code == "SIGN_ERROR" => Error::Upstream {
            code,
            message: format!(
                "{message}{diagnosis} (WeChat did not accept the request's signature: check that WXPAY_MCH_PRIVATE_KEY is the key of the certificate WXPAY_MCH_SERIAL names)"
            ),
        },
        wxpay::Error::ApiError { code, message, .. } => Error::Upstream { code, message },
        e @ (wxpay::Error::SignatureMismatch
        | wxpay::Error::UnknownSerial(_)
        | wxpay::Error::CertificateExpired { .. }
        | wxpay::Error::TimestampSkew { .. }
        | wxpay::Error::SignatureProbe
        | wxpay::Error::MissingField { .. }) => Error::Upstream {
            code: "RESPONSE_SIGNATURE_INVALID".into(),
            message: format!("the answer's signature does not verify with WeChat's keys (check WXPAY_PUBLIC_KEY and WXPAY_PUBLIC_KEY_ID): {e}"),
        },
        other => Error::Upstream { code: "BAD_RESPONSE".into(), message: other.to_string() },
    }
}
