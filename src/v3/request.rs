//! The shape every v3 call shares: a typed request becomes a signed HTTP request, and the
//! answer becomes a typed response or a typed error.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::v3::verify::{KeySet, SignatureHeaders};

/// The host of WeChat Pay API v3 (a backup domain, `api2.mch.weixin.qq.com`, also exists).
pub const API_BASE: &str = "https://api.mch.weixin.qq.com";

/// The HTTP methods v3 calls use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: no body; the signed body line is empty.
    Get,
    /// `POST` with a JSON body.
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A typed v3 request: where it goes, its JSON body, and how its answer reads.
pub trait Request {
    /// What a successful answer becomes.
    type Response;
    /// The HTTP method.
    const METHOD: Method;

    /// The path with its query string, validated and percent-encoded, e.g.
    /// `/v3/pay/transactions/out-trade-no/A1?mchid=1900000001`.
    ///
    /// # Errors
    /// Validation errors ([`Error::MissingField`], [`Error::InvalidField`]).
    fn path_and_query(&self, mchid: &str) -> Result<String>;

    /// The JSON body (empty for a GET), validated.
    ///
    /// # Errors
    /// Validation errors ([`Error::MissingField`], [`Error::InvalidField`]).
    fn body(&self, _appid: &str, _mchid: &str) -> Result<String> {
        Ok(String::new())
    }

    /// The `Wechatpay-Serial` this request must carry whatever the key set says: the serial of
    /// the key its sensitive fields were encrypted to. `None` (the default) for requests without
    /// encrypted fields.
    fn wechatpay_serial(&self) -> Option<&str> {
        None
    }

    /// Reads a verified 2xx body.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] when it is not the expected JSON.
    fn parse(body: &[u8]) -> Result<Self::Response>
    where
        Self::Response: DeserializeOwned,
    {
        json(body)
    }
}

/// A request ready for an HTTP client: send `method` to [`API_BASE`] + `path_and_query` with
/// headers `Authorization`, `Wechatpay-Serial` (when [`SignedRequest::wechatpay_serial`] is
/// set), `Accept: application/json`, `Content-Type: application/json` and a `User-Agent`
/// (WeChat refuses requests without one), and exactly `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path with its query string.
    pub path_and_query: String,
    /// The JSON body, byte for byte what was signed; empty for a GET.
    pub body: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// The `Wechatpay-Serial` header value: the WeChat key the answer is to be signed with, and
    /// the key the request's sensitive fields were encrypted to. Always set by
    /// [`Merchant::sign_request_with_keys`](crate::v3::Merchant::sign_request_with_keys);
    /// [`Merchant::sign_request`](crate::v3::Merchant::sign_request) sets it only for requests
    /// with encrypted fields.
    pub wechatpay_serial: Option<String>,
    /// The timestamp signed (seconds), as in `Authorization`.
    pub timestamp: u64,
    /// The nonce signed, as in `Authorization`.
    pub nonce: String,
}

impl SignedRequest {
    /// [`API_BASE`] + the path.
    pub fn url(&self) -> String {
        format!("{API_BASE}{}", self.path_and_query)
    }

    /// The message that was signed, `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY\n` (to compare with
    /// a `SIGN_ERROR`'s, see [`SignInformation`](crate::v3::SignInformation)).
    pub fn message(&self) -> String {
        format!("{}\n{}\n{}\n{}\n{}\n", self.method, self.path_and_query, self.timestamp, self.nonce, self.body)
    }
}

/// Reads WeChat's answer to a request of type `R`.
///
/// A 2xx answer is verified first (the signature over the exact bytes received, the timestamp
/// within 5 minutes of `now`, the key chosen by `Wechatpay-Serial`), then parsed. Any other
/// status becomes [`Error::ApiError`] from its `{code, message, detail}` body. Error answers
/// are not verified (the official SDKs do not either): act on one only by retrying or by
/// querying, never by moving money state.
///
/// # Errors
/// The verification errors of [`KeySet::verify`], [`Error::ApiError`], or
/// [`Error::MalformedJson`].
pub fn read_response<R: Request>(keys: &KeySet, status: u16, headers: &SignatureHeaders, body: &[u8], now: u64) -> Result<R::Response>
where
    R::Response: DeserializeOwned,
{
    if !(200..300).contains(&status) {
        return Err(api_error(status, body));
    }
    keys.verify(headers, body, now)?;
    R::parse(body)
}

/// Parses a v3 JSON body into `T`, naming the offending field on failure.
pub(crate) fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::MalformedJson(e.to_string()))
}

/// The typed error of a 4xx/5xx answer: `{code, message, detail}`. A body that is not that
/// JSON (a proxy's HTML page, say) keeps the status with code `UNKNOWN`.
pub fn api_error(status: u16, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        code: String,
        #[serde(default)]
        message: String,
        // Kept as received: `detail` is for people and logs.
        #[serde(default)]
        detail: Option<Box<serde_json::value::RawValue>>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(b) => Error::ApiError {
            status,
            code: b.code,
            message: b.message,
            detail: b.detail.map(|d| d.get().to_owned()).filter(|d| d != "null"),
        },
        Err(_) => Error::ApiError {
            status,
            code: "UNKNOWN".to_owned(),
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            detail: None,
        },
    }
}
