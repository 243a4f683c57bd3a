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
    // What passes here must also pass the encoder, or a valid-looking request fails at send time.
    if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
        return Err(Error::invalid(name, format!("character U+{:04X} cannot be sent in XML", u32::from(c))));
    }
    Ok(())
}

/// A character XML 1.0 can carry (its `Char` production): what the XML encoder (`xml.rs`) writes.
pub const fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// A character fit for free text that WeChat shows to people (`refund_desc`, `body`): XML 1.0
/// can carry it, and it is not a control character (C0, DEL, C1: tab and newline included), a
/// Unicode noncharacter, a line or paragraph separator, or a bidirectional embedding, override or
/// isolate (those make text display as something other than what it is).
pub const fn is_plain_text_char(c: char) -> bool {
    let n = c as u32;
    is_xml_char(c)
        && !(n < 0x20 || (n >= 0x7F && n <= 0x9F))
        && !(n >= 0xFDD0 && n <= 0xFDEF)
        && (n & 0xFFFE) != 0xFFFE
        && !matches!(n, 0x2028 | 0x2029 | 0x200E | 0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// Free text to send and show (a refund reason, a product name): non-empty, at most `max_bytes`
/// of UTF-8 (WeChat counts bytes), every character [`is_plain_text_char`].
///
/// # Errors
/// [`Error::MissingField`] or [`Error::InvalidField`] naming `name`.
pub fn plain_text(name: &str, value: &str, max_bytes: usize) -> Result<()> {
    if value.is_empty() {
        return Err(Error::missing(name));
    }
    if value.len() > max_bytes {
        return Err(Error::invalid(name, format!("at most {max_bytes} bytes (UTF-8), got {}", value.len())));
    }
    if let Some(c) = value.chars().find(|&c| !is_plain_text_char(c)) {
        return Err(Error::invalid(name, format!("character U+{:04X} is not allowed", u32::from(c))));
    }
    Ok(())
}

/// `value` made fit for [`plain_text`]: characters that are not [`is_plain_text_char`] dropped,
/// then cut to at most `max_bytes` on a character boundary. May be empty.
pub fn clean_text(value: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max_bytes));
    for c in value.chars().filter(|&c| is_plain_text_char(c)) {
        if out.len() + c.len_utf8() > max_bytes {
            break;
        }
        out.push(c);
    }
    out
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

/// A `prepay_id` as WeChat returned it: an id (see [`id`]) without the `prepay_id=` that
/// `package` puts before it, so that a `package` value passed back is not prefixed twice.
pub(crate) fn prepay_id(value: &str) -> Result<()> {
    const NAME: &str = "prepay_id";
    id(NAME, value, 64)?;
    if value.starts_with("prepay_id=") {
        return Err(Error::invalid(NAME, "is the bare id: `package` adds the `prepay_id=` itself"));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_refuses_what_cannot_be_sent_or_shown() {
        for bad in
            ["x\u{FFFE}", "x\u{FFFF}", "a\u{0}b", "a\tb", "a\u{85}b", "\u{202E}abc", "a\u{2066}b", "a\u{2028}", "a\u{FDD0}", "a\u{1FFFF}"]
        {
            assert!(plain_text("reason", bad, 80).is_err(), "{bad:?}");
        }
        for good in ["不想要了", "a]]>b", "<xml>&amp;</xml>", "😀", "a\u{E000}b"] {
            assert_eq!(plain_text("reason", good, 80), Ok(()), "{good:?}");
        }
        assert!(plain_text("reason", &"退".repeat(27), 80).is_err(), "bytes, not characters");
        assert_eq!(plain_text("reason", &"退".repeat(26), 80), Ok(()));
        assert_eq!(plain_text("reason", "", 80), Err(Error::missing("reason")));
    }

    #[test]
    fn clean_text_keeps_what_plain_text_accepts() {
        assert_eq!(clean_text("拿铁\u{202E} Latte\u{FFFE}\n", 128), "拿铁 Latte");
        // Cut on a character boundary, never inside one.
        assert_eq!(clean_text("拿铁拿铁", 7), "拿铁");
        let cleaned = clean_text(&"x\u{FFFF}".repeat(100), 128);
        assert_eq!(plain_text("body", &cleaned, 128), Ok(()));
    }

    #[test]
    fn optional_text_refuses_what_the_encoder_refuses() {
        assert!(optional_text("refund_desc", "x\u{FFFE}", 80).is_err());
        assert!(crate::xml::encode(&[("a".to_owned(), "x\u{FFFE}".to_owned())].into_iter().collect()).is_err());
    }
}
