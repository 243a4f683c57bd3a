//! Money as an integer number of fen (分, 0.01 CNY). There is no floating point in this crate.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// An amount in fen, as WeChat Pay v2 carries it in `total_fee`, `refund_fee`, `cash_fee`, …
///
/// Parsing accepts only ASCII digits: `"12.5"`, `"-1"`, `"1e3"`, `" 1"` and values past
/// `u64::MAX` are errors, so a float can never sneak into an order.
///
/// ```
/// use wxpay::Fen;
/// let price: Fen = "1999".parse()?;
/// assert_eq!(price.yuan_string(), "19.99");
/// assert!("19.99".parse::<Fen>().is_err());
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(u64);

impl Fen {
    /// Zero fen.
    pub const ZERO: Fen = Fen(0);

    /// Wraps a number of fen.
    pub const fn new(fen: u64) -> Self {
        Fen(fen)
    }

    /// The number of fen.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// `self - other`, or `None` if it would go below zero.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// `self * n` (e.g. unit price × quantity), or `None` on overflow.
    pub fn checked_mul(self, n: u64) -> Option<Fen> {
        self.0.checked_mul(n).map(Fen)
    }

    /// The amount in yuan for display, always with two decimals: `1999` → `"19.99"`.
    pub fn yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// Checks an amount WeChat reported against the order's, before anything is marked paid.
    pub(crate) fn check_matches(self, order_total: Fen) -> Result<()> {
        if self == order_total {
            Ok(())
        } else {
            Err(Error::AmountMismatch { expected: order_total.get(), actual: self.get() })
        }
    }

    /// Parses the value of the field `name`, naming it in the error.
    pub(crate) fn parse_field(name: &str, value: &str) -> Result<Fen> {
        value.parse().map_err(|e| match e {
            Error::InvalidAmount { reason, .. } => Error::invalid(name, reason),
            other => other,
        })
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Fen {
    type Err = Error;

    fn from_str(s: &str) -> Result<Fen> {
        let refuse = |reason| Error::InvalidAmount { value: s.chars().take(40).collect(), reason };
        if s.is_empty() {
            return Err(refuse("empty"));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse(if s.contains(['.', 'e', 'E']) {
                "amounts are integer fen, not decimals"
            } else if s.starts_with('-') {
                "amounts cannot be negative"
            } else {
                "only the digits 0-9 are allowed"
            }));
        }
        s.parse::<u64>().map(Fen).map_err(|_| refuse("too large"))
    }
}

impl From<Fen> for u64 {
    fn from(f: Fen) -> u64 {
        f.0
    }
}

impl Serialize for Fen {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Fen {
    // Accepts a non-negative integer or a string of digits. A float is refused even when
    // integral (`100.0`): it means someone upstream computes money in floats.
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Fen, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Fen;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer number of fen")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> core::result::Result<Fen, E> {
                Ok(Fen(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> core::result::Result<Fen, E> {
                u64::try_from(v).map(Fen).map_err(|_| E::custom("amounts cannot be negative"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> core::result::Result<Fen, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}
