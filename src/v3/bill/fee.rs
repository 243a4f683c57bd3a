//! 手续费: the fee column of a trade bill, which WeChat prints in yuan with five decimals (a fee
//! is a rate times an amount, so it has fractions of a fen) and negative on a refund row.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{quoted, Error, Result};

/// A fee in units of 0.00001 yuan (0.001 fen), signed: a refund gives its fee back.
///
/// Read exactly from the bill's text (`0.06000` → 6000, `-0.01000` → -1000): no floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Fee(i64);

/// 0.00001 yuan units in one yuan.
const PER_YUAN: i64 = 100_000;

impl Fee {
    /// No fee.
    pub const ZERO: Fee = Fee(0);

    /// A fee of `units` × 0.00001 yuan.
    pub const fn new(units: i64) -> Self {
        Fee(units)
    }

    /// The fee in 0.00001 yuan units.
    pub const fn units(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Fee) -> Option<Fee> {
        self.0.checked_add(other.0).map(Fee)
    }

    /// The fee in yuan as WeChat prints it, with five decimals: `-1000` → `"-0.01000"`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let n = self.0.unsigned_abs();
        format!("{sign}{}.{:05}", n / PER_YUAN as u64, n % PER_YUAN as u64)
    }

    /// Reads yuan with one to five decimals, optionally negative (`-0.06000`), by integer
    /// arithmetic.
    pub(crate) fn parse_yuan(name: &str, v: &str) -> Result<Fee> {
        let bad = || Error::invalid(name, format!("not a fee in yuan with up to five decimals: {}", quoted(v)));
        let (negative, digits) = match v.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, v),
        };
        let (whole, frac) = digits.split_once('.').ok_or_else(bad)?;
        if whole.is_empty()
            || whole.len() > 12
            || frac.is_empty()
            || frac.len() > 5
            || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let scale = 10_i64.pow(5 - frac.len() as u32);
        let units = whole.parse::<i64>().map_err(|_| bad())? * PER_YUAN + frac.parse::<i64>().map_err(|_| bad())? * scale;
        Ok(Fee(if negative { -units } else { units }))
    }
}

impl fmt::Display for Fee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_read_exactly() {
        let f = |v| Fee::parse_yuan("手续费", v).unwrap().units();
        assert_eq!(f("0.00000"), 0);
        assert_eq!(f("0.06000"), 6_000);
        assert_eq!(f("7.79000"), 779_000);
        assert_eq!(f("-0.01000"), -1_000);
        assert_eq!(f("0.00001"), 1);
        assert_eq!(f("0.6"), 60_000);
        assert_eq!(Fee::new(-1_000).yuan_string(), "-0.01000");
        assert_eq!(Fee::new(779_000).to_string(), "7.79000");
    }

    #[test]
    fn a_fee_that_is_not_plain_decimal_yuan_is_refused() {
        for bad in ["", "1", "1.", ".5", "0.000001", "--1.00", "+1.00", "1e2.0", " 0.06", "0,06", "1.0a", "１.00", "9999999999999.0"] {
            assert!(Fee::parse_yuan("手续费", bad).is_err(), "{bad:?}");
        }
    }
}
