//! What WeChat checks on a request, checked here first so a bad request fails locally with a
//! clear message instead of a `PARAM_ERROR` round trip.

use crate::error::{Error, Result};
use crate::Fen;

/// Non-empty, at most `max` bytes, each byte accepted by `allowed`.
pub(crate) fn token(name: &str, value: &str, max: usize, allowed: impl Fn(u8) -> bool, alphabet: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::missing(name));
    }
    if value.len() > max {
        return Err(Error::invalid(name, format!("at most {max} characters, got {}", value.len())));
    }
    if !value.bytes().all(allowed) {
        return Err(Error::invalid(name, format!("only {alphabet} are allowed")));
    }
    Ok(())
}

/// Non-empty text of at most `max` UTF-8 bytes.
pub(crate) fn text(name: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(Error::missing(name));
    }
    optional_text(name, value, max)
}

/// Text of at most `max` UTF-8 bytes (may be empty: empty values are simply not sent).
pub(crate) fn optional_text(name: &str, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(Error::invalid(name, format!("at most {max} bytes (UTF-8), got {}", value.len())));
    }
    if value.chars().any(char::is_control) && name != "detail" {
        return Err(Error::invalid(name, "control characters are not allowed"));
    }
    Ok(())
}

/// `nonce_str`: at most 32 ASCII letters and digits.
pub fn nonce_str(value: &str) -> Result<()> {
    token("nonce_str", value, 32, |b| b.is_ascii_alphanumeric(), "letters and digits")
}

/// `out_trade_no`: at most 32 of `0-9 a-z A-Z _ - | *`.
pub fn out_trade_no(value: &str) -> Result<()> {
    token("out_trade_no", value, 32, |b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b), "0-9 a-z A-Z _ - | *")
}

/// `out_refund_no`: at most 64 of `0-9 a-z A-Z _ - | * @`.
pub fn out_refund_no(value: &str) -> Result<()> {
    token("out_refund_no", value, 64, |b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b), "0-9 a-z A-Z _ - | * @")
}

/// WeChat identifiers (`appid`, `mch_id`, `transaction_id`, `refund_id`, `openid`):
/// non-empty, bounded, printable ASCII without spaces.
pub(crate) fn id(name: &str, value: &str, max: usize) -> Result<()> {
    token(name, value, max, |b| b.is_ascii_graphic(), "printable ASCII characters without spaces")
}

/// An amount to charge or refund: at least 1 fen.
pub(crate) fn positive(name: &str, value: Fen) -> Result<()> {
    if value.get() == 0 {
        return Err(Error::invalid(name, "must be at least 1 fen"));
    }
    Ok(())
}

/// `notify_url`: absolute http(s) URL, at most 256 bytes, no query string.
pub fn notify_url(value: &str) -> Result<()> {
    const NAME: &str = "notify_url";
    if value.is_empty() {
        return Err(Error::missing(NAME));
    }
    if value.len() > 256 {
        return Err(Error::invalid(NAME, "at most 256 characters"));
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid(NAME, "must start with https:// or http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(Error::invalid(NAME, "has no host"));
    }
    if value.contains('?') {
        return Err(Error::invalid(NAME, "must not carry a query string"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(NAME, "must be printable ASCII without spaces"));
    }
    Ok(())
}

/// `spbill_create_ip`: an IPv4 or IPv6 address.
pub(crate) fn ip(value: &str) -> Result<()> {
    const NAME: &str = "spbill_create_ip";
    if value.is_empty() {
        return Err(Error::missing(NAME));
    }
    value.parse::<core::net::IpAddr>().map(|_| ()).map_err(|_| Error::invalid(NAME, "not an IP address"))
}

/// `yyyyMMddHHmmss` (Beijing time), with a plausible calendar date and clock time.
pub fn timestamp14(name: &str, value: &str) -> Result<()> {
    let bad = || Error::invalid(name, "must be yyyyMMddHHmmss");
    if value.len() != 14 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: core::ops::Range<usize>| value[r].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day, hour, min, sec) = (n(0..4), n(4..6), n(6..8), n(8..10), n(10..12), n(12..14));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 2000 || day == 0 || day > days || hour > 23 || min > 59 || sec > 59 {
        return Err(bad());
    }
    Ok(())
}
