//! Which WeChat Pay API a merchant, an order or a refund speaks: v2 (signed XML, the API key) or
//! v3 (signed JSON, RSA keys, the APIv3 key). New orders take the configured version
//! (`WXPAY_API_VERSION`); every order and refund keeps the one it was placed with, so that a
//! restart in the other version still finishes what is in flight.

use wxpay::SignType;

use crate::error::{Error, Result};

/// `v2` or `v3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum ApiVersion {
    /// API v2: XML, MD5 or HMAC-SHA256 with the API key.
    #[default]
    #[serde(rename = "v2")]
    V2,
    /// API v3: JSON, SHA256withRSA, notifies encrypted with the APIv3 key.
    #[serde(rename = "v3")]
    V3,
}

impl ApiVersion {
    /// `v2` or `v3`, as configured and stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "v2",
            ApiVersion::V3 => "v3",
        }
    }

    /// Reads `v2` or `v3`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "v2" => Ok(ApiVersion::V2),
            "v3" => Ok(ApiVersion::V3),
            other => Err(Error::Invalid(format!("{other:?} is not an API version (v2 or v3)"))),
        }
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an order speaks to WeChat: v2 with the sign type its unifiedorder used (its notify is
/// signed the same way, and a renewed unifiedorder keeps it), or v3 (one algorithm: RSA).
///
/// Stored as two columns: `api_version` (`v2`, `v3`) and `sign_type` (`MD5`, `HMAC-SHA256`, or
/// `RSA` for v3, the `signType` of its `wx.requestPayment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderApi {
    /// API v2, signed with this sign type.
    V2(SignType),
    /// API v3.
    V3,
}

impl OrderApi {
    /// The version.
    pub const fn version(self) -> ApiVersion {
        match self {
            OrderApi::V2(_) => ApiVersion::V2,
            OrderApi::V3 => ApiVersion::V3,
        }
    }

    /// The stored `sign_type`: `MD5`, `HMAC-SHA256` or `RSA`.
    pub const fn sign_type_str(self) -> &'static str {
        match self {
            OrderApi::V2(s) => s.as_str(),
            OrderApi::V3 => "RSA",
        }
    }

    /// The v2 sign type the order's notify must carry (`None` for v3).
    pub const fn v2_sign_type(self) -> Option<SignType> {
        match self {
            OrderApi::V2(s) => Some(s),
            OrderApi::V3 => None,
        }
    }

    /// Reads the two stored columns.
    ///
    /// # Errors
    /// [`Error::Internal`] for a pair no version of this server writes.
    pub fn from_columns(api_version: &str, sign_type: &str) -> Result<Self> {
        match (ApiVersion::parse(api_version), sign_type) {
            (Ok(ApiVersion::V3), "RSA") => Ok(OrderApi::V3),
            (Ok(ApiVersion::V2), s) => {
                s.parse().map(OrderApi::V2).map_err(|_| Error::Internal(format!("stored sign_type {s:?} is not a v2 sign type")))
            }
            _ => Err(Error::Internal(format!("stored api_version {api_version:?} with sign_type {sign_type:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_columns_read_back() {
        for api in [OrderApi::V2(SignType::Md5), OrderApi::V2(SignType::HmacSha256), OrderApi::V3] {
            assert_eq!(OrderApi::from_columns(api.version().as_str(), api.sign_type_str()).unwrap(), api);
        }
    }

    #[test]
    fn mixed_columns_are_refused() {
        assert!(OrderApi::from_columns("v3", "MD5").is_err());
        assert!(OrderApi::from_columns("v2", "RSA").is_err());
        assert!(OrderApi::from_columns("v4", "RSA").is_err());
        assert!(ApiVersion::parse("V3").is_err());
    }
}
