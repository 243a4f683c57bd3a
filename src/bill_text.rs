//! The text both API versions' bills are written in: a header line, data lines whose every
//! field starts with a backquote, and amounts in yuan with two decimals. Shared by v2's
//! `downloadbill` and v3's trade and fund flow bills.

use crate::error::{quoted, Error, Result};
use crate::Fen;

/// A data line's fields: each starts with a backquote, so a comma inside a field (a product
/// name) is told apart from the separator by the backquote after it.
pub(crate) fn fields(line: &str, expected: usize, n: usize) -> Result<Vec<&str>> {
    let name = || format!("bill line {n}");
    let rest = line.strip_prefix('`').ok_or_else(|| Error::invalid(&name(), "a field does not start with a backquote"))?;
    let out: Vec<&str> = rest.split(",`").collect();
    if out.len() != expected {
        return Err(Error::invalid(&name(), format!("{expected} fields expected, got {}", out.len())));
    }
    Ok(out)
}

/// Yuan with exactly two decimals (`12.34`) as fen, by integer arithmetic.
pub(crate) fn yuan(name: &str, v: &str) -> Result<Fen> {
    let bad = || Error::invalid(name, format!("not an amount in yuan with two decimals: {}", quoted(v)));
    let (whole, cents) = v.split_once('.').ok_or_else(bad)?;
    if whole.is_empty() || whole.len() > 15 || cents.len() != 2 || !whole.bytes().chain(cents.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let fen = whole.parse::<u64>().map_err(|_| bad())? * 100 + cents.parse::<u64>().map_err(|_| bad())?;
    Ok(Fen::new(fen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_is_read_by_integer_arithmetic() {
        assert_eq!(yuan("x", "0.01").unwrap(), Fen::new(1));
        assert_eq!(yuan("x", "18.34").unwrap(), Fen::new(1834));
        assert_eq!(yuan("x", "100000.00").unwrap(), Fen::new(10_000_000));
        for bad in ["1", "1.0", "1.000", ".50", "-1.00", "1e2.00", "1,00", " 1.00", "１.00", ""] {
            assert!(yuan("x", bad).is_err(), "{bad:?}");
        }
    }
}
