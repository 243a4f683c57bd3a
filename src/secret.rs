//! Secrets that must never be printed.

use core::fmt;

use serde::{Deserialize, Deserializer};

use crate::error::{Error, Result};

/// The merchant's API v2 key (商户平台 → API安全 → API密钥): 32 ASCII letters and digits.
///
/// It signs every message, and its MD5 is the AES key of refund notifies. `Debug` and
/// `Display` print `***`; there is deliberately no `Serialize`.
///
/// ```
/// let key = wxpay::ApiKey::new("192006250b4c09247ec02edce69f6a2d")?;
/// assert_eq!(format!("{key:?}"), "ApiKey(***)");
/// assert!(wxpay::ApiKey::new("too-short").is_err());
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Checks the shape WeChat issues (32 ASCII alphanumerics); the error never echoes the key.
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`] when the length or alphabet is wrong.
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        if key.len() != 32 {
            return Err(Error::InvalidApiKey("must be 32 characters"));
        }
        if !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::InvalidApiKey("must be ASCII letters and digits"));
        }
        Ok(ApiKey(key))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        ApiKey::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
