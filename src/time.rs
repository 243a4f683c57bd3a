//! WeChat's `yyyyMMddHHmmss` timestamps: Beijing time (UTC+8, no daylight saving), as in
//! `time_end`, `time_start` and `time_expire`. Pure arithmetic: the caller passes the time in.

use crate::validate;

const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// Unix seconds → `yyyyMMddHHmmss` in Beijing time.
pub fn beijing14(unix_secs: i64) -> String {
    let t = unix_secs + BEIJING_OFFSET_SECS;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// `yyyyMMddHHmmss` in Beijing time → Unix seconds; `None` if malformed.
pub fn parse_beijing14(s: &str) -> Option<i64> {
    validate::timestamp14("time", s).ok()?;
    let n = |r: core::ops::Range<usize>| s[r].parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(4..6)?, n(6..8)?);
    Some(days * 86_400 + n(8..10)? * 3600 + n(10..12)? * 60 + n(12..14)? - BEIJING_OFFSET_SECS)
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_beijing_time() {
        // 2014-09-03 05:15:40 UTC is 13:15:40 in Beijing (the notify example's time_end).
        assert_eq!(beijing14(1_409_721_340), "20140903131540");
        assert_eq!(beijing14(0), "19700101080000");
        // A leap day.
        assert_eq!(beijing14(1_709_164_800), "20240229080000");
    }

    #[test]
    fn parse_round_trips() {
        for t in [1_409_721_340, 1_709_164_800, 1_795_000_000, 4_102_444_799] {
            assert_eq!(parse_beijing14(&beijing14(t)), Some(t));
        }
        assert_eq!(parse_beijing14("20240230000000"), None);
        assert_eq!(parse_beijing14("2024"), None);
    }
}
