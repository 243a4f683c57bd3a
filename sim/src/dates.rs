//! Dates as WeChat prints them, in Beijing time: the bill's and the refund's
//! `yyyy-MM-dd HH:mm:ss`, and the bill's day `yyyyMMdd`.

use wxpay::time::beijing14;

/// `yyyy-MM-dd HH:mm:ss`, Beijing time.
pub(crate) fn dashed(unix_secs: i64) -> String {
    let t = beijing14(unix_secs);
    format!("{}-{}-{} {}:{}:{}", &t[0..4], &t[4..6], &t[6..8], &t[8..10], &t[10..12], &t[12..14])
}

/// `yyyyMMdd` of a time (ms), Beijing time.
pub(crate) fn day_of(ms: i64) -> String {
    beijing14(ms.div_euclid(1000))[..8].to_owned()
}

/// RFC 3339 in Beijing time, as v3 prints times: `2026-11-24T10:20:30+08:00`.
pub(crate) fn rfc3339(unix_secs: i64) -> String {
    let t = beijing14(unix_secs);
    format!("{}-{}-{}T{}:{}:{}+08:00", &t[0..4], &t[4..6], &t[6..8], &t[8..10], &t[10..12], &t[12..14])
}

/// `yyyy-MM-dd HH:mm:ss` (Beijing time, as [`dashed`] prints it) as RFC 3339.
pub(crate) fn dashed_to_rfc3339(dashed: &str) -> String {
    format!("{}+08:00", dashed.replacen(' ', "T", 1))
}

/// RFC 3339 (any offset) → Unix seconds; `None` if malformed.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once('T')?;
    if date.len() != 10 || rest.len() < 9 {
        return None;
    }
    let (time, zone) = rest.split_at(8);
    let digits = format!("{}{}", date.replace('-', ""), time.replace(':', ""));
    let local = wxpay::time::parse_beijing14(&digits)? + 8 * 3600;
    let offset = match zone {
        "Z" => 0,
        z if z.len() == 6 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (z[1..3].parse::<i64>().ok()? * 3600 + z[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    Some(local - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_prints_beijing_time_and_reads_any_offset() {
        // 2026-11-24 02:20:30 UTC is 10:20:30 in Beijing.
        let t = 1_795_486_830;
        assert_eq!(rfc3339(t), "2026-11-24T10:20:30+08:00");
        assert_eq!(parse_rfc3339("2026-11-24T10:20:30+08:00"), Some(t));
        assert_eq!(parse_rfc3339("2026-11-24T02:20:30Z"), Some(t));
        assert_eq!(parse_rfc3339("2026-11-23T21:20:30-05:00"), Some(t));
        assert_eq!(dashed_to_rfc3339(&dashed(t)), rfc3339(t));
        assert_eq!(parse_rfc3339("2026-11-24 10:20:30"), None);
    }
}
