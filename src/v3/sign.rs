//! 签名生成: the request signature and the `Authorization` header.
//!
//! The signed message is five lines, each ending in `\n` (never `\r\n`), the body exactly as
//! sent, and an empty line for a GET:
//!
//! ```text
//! METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n
//! ```

use crate::error::{Error, Result};
use crate::validate;

/// The scheme of the `Authorization` header: SHA256withRSA with a 2048-bit merchant key.
pub const AUTHORIZATION_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The message a request signature covers.
///
/// ```
/// // WeChat's example (签名生成, 构造签名串): GET /v3/certificates has an empty body line.
/// let m = wxpay::v3::request_message("GET", "/v3/certificates", 1554208460,
///     "593BEC0C930BF1AFEB40B4A08C8FB242", "")?;
/// assert_eq!(m, "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n");
/// # Ok::<(), wxpay::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidField`] for a method that is not upper-case letters, a path that does not
/// start with `/` or holds whitespace, or a nonce that is not 1–32 letters and digits.
pub fn request_message(method: &str, path_and_query: &str, timestamp: u64, nonce: &str, body: &str) -> Result<String> {
    validate::token("method", method, 7, |b| b.is_ascii_uppercase(), "upper-case letters")?;
    if !path_and_query.starts_with('/') {
        return Err(Error::invalid("path", "must start with / (no scheme or host)"));
    }
    validate::token("path", path_and_query, 2048, |b| b.is_ascii_graphic(), "printable ASCII without spaces")?;
    validate::nonce_str(nonce)?;
    Ok(format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n"))
}

/// What makes the merchant's signatures (request signatures and `paySign`): SHA256withRSA,
/// PKCS#1 v1.5, under the merchant API private key, as base64.
///
/// [`MerchantKey`](crate::v3::MerchantKey) is this crate's. Another implementation keeps the key
/// elsewhere: an HSM or a cloud KMS, or in the wasm package the caller's `node:crypto`, which
/// signs about ten times faster than RSA compiled to WebAssembly (BENCHMARKS.md).
pub trait Signer {
    /// Base64 of SHA256withRSA (PKCS#1 v1.5) over `message`.
    ///
    /// # Errors
    /// Whatever keeps it from signing ([`MerchantKey`](crate::v3::MerchantKey): only
    /// [`Error::Random`](crate::Error::Random)); the error must not carry the key.
    fn sign(&self, message: &[u8]) -> Result<String>;
}

/// The `Authorization` header value for an already computed `signature` (base64).
///
/// The fields may come in any order; this is the order of WeChat's example.
pub(crate) fn authorization_header(mchid: &str, serial_no: &str, timestamp: u64, nonce: &str, signature: &str) -> String {
    format!(
        "{AUTHORIZATION_SCHEME} mchid=\"{mchid}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{serial_no}\""
    )
}
