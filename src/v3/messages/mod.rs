//! Typed v3 requests and responses, validated locally so a bad request fails here with the
//! field's name instead of a `PARAM_ERROR` round trip. Amounts are [`Fen`](crate::Fen).

mod abnormal_refund;
mod close;
mod jsapi_order;
mod refund;
mod transaction;

pub use abnormal_refund::{AbnormalRefundFields, AbnormalRefundRequest, AbnormalRefundType, EncryptedAbnormalRefund};
pub use close::CloseOrderRequest;
pub use jsapi_order::{JsapiOrderRequest, PrepayResponse};
pub use refund::{RefundAmount, RefundNotice, RefundQueryRequest, RefundRequest, RefundResponse, RefundStatus};
pub use transaction::{Payer, QueryByOutTradeNoRequest, QueryByTransactionIdRequest, TradeState, Transaction, TransactionAmount};

use crate::error::Result;
use crate::validate;

/// An enum of WeChat's SCREAMING_SNAKE_CASE values that keeps unknown ones as `Other(String)`
/// (WeChat adds values over time; an unknown state must never read as a known one), with
/// `as_str`, `Display` and serde as the wire string.
macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this crate does not know.
            Other(String),
        }

        impl $name {
            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            /// A wire name; one this crate does not know is `Other`.
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}
pub(crate) use open_enum;

/// The only currency of mini-program payments.
pub(crate) const CNY: &str = "CNY";

/// v3 `out_trade_no`: 6–32 of `0-9 a-z A-Z _ - *` (v3 no longer allows `|`).
pub(crate) fn out_trade_no(value: &str) -> Result<()> {
    validate::token("out_trade_no", value, 32, |b| b.is_ascii_alphanumeric() || b"_-*".contains(&b), "0-9 a-z A-Z _ - *")?;
    if value.len() < 6 {
        return Err(crate::Error::invalid("out_trade_no", "at least 6 characters in API v3"));
    }
    Ok(())
}

/// v3 `notify_url`: as v2, and HTTPS only, but for a loopback host (`127.0.0.1`, `[::1]`,
/// `localhost`): only a simulator on the same machine can call it back, and WeChat refuses it
/// anyway.
pub(crate) fn notify_url(value: &str) -> Result<()> {
    validate::notify_url(value)?;
    let loopback = value.strip_prefix("http://").is_some_and(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        };
        host.eq_ignore_ascii_case("localhost")
            || host == "::1"
            || host.split('.').next() == Some("127") && host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok())
    });
    if !value.starts_with("https://") && !loopback {
        return Err(crate::Error::invalid("notify_url", "must be https:// in API v3 (http:// only on loopback, for a simulator)"));
    }
    Ok(())
}

/// A path segment with every byte RFC 3986 does not allow there percent-encoded (`|` becomes
/// `%7C`; `*` and `@` stay), so the path signed is the path an HTTP client sends unchanged.
pub(crate) fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~*@:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
