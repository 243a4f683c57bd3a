//! The server's clock: system time plus an offset tests can advance. WeChat's
//! `yyyyMMddHHmmss` Beijing-time format comes from the core (`wxpay::time`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time in milliseconds since the Unix epoch, shiftable for tests. Cheap to clone;
/// clones share the offset (the simulator and the server of one test share one clock).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// Milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        real + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Seconds since the epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// A clock of its own, `by_secs` off this one (either way; clones of this one do not move
    /// with it): doctor reads WeChat's time this way once it has measured the skew.
    pub fn shifted(&self, by_secs: i64) -> Self {
        Clock { offset_ms: Arc::new(AtomicI64::new(self.offset_ms.load(Ordering::Relaxed) + by_secs * 1000)) }
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

pub use wxpay::time::{beijing14, parse_beijing14};

/// Beijing time is UTC+8 all year (China has no daylight saving).
pub const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// One day.
pub const DAY_MS: i64 = 86_400_000;

/// The Beijing-time day of a time: days since 1970-01-01 (Beijing), as SQL computes it with
/// `(t + 28800000) / 86400000` for the times we store (all after 1970).
pub const fn beijing_day(ms: i64) -> i64 {
    (ms + BEIJING_OFFSET_MS).div_euclid(DAY_MS)
}

/// When a Beijing-time day starts (Unix ms): 16:00 UTC the day before.
pub const fn day_start_ms(day: i64) -> i64 {
    day * DAY_MS - BEIJING_OFFSET_MS
}

/// `yyyy-MM-dd` of a Beijing-time day.
pub fn day_name(day: i64) -> String {
    let t = beijing14(day_start_ms(day).div_euclid(1000));
    format!("{}-{}-{}", &t[0..4], &t[4..6], &t[6..8])
}

/// `yyyyMMdd` of a Beijing-time day (WeChat's `bill_date`).
pub fn day_compact(day: i64) -> String {
    beijing14(day_start_ms(day).div_euclid(1000))[..8].to_owned()
}

/// A `yyyy-MM-dd` day (Beijing time); `None` if malformed or not a calendar day.
pub fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let secs = parse_beijing14(&format!("{}{}{}000000", &s[0..4], &s[5..7], &s[8..10]))?;
    Some(beijing_day(secs * 1000))
}

/// RFC 3339 in Beijing time, `yyyy-MM-ddTHH:mm:ss+08:00`, as API v3 writes times.
pub fn beijing_rfc3339(secs: i64) -> String {
    let t = beijing14(secs);
    format!("{}-{}-{}T{}:{}:{}+08:00", &t[0..4], &t[4..6], &t[6..8], &t[8..10], &t[10..12], &t[12..14])
}

/// API v3's RFC 3339 time (`2026-11-23T12:00:00+08:00`, Beijing time as WeChat writes it) as
/// v2's `time_end` (`20261123120000`), the form orders store.
pub fn beijing14_of_rfc3339(t: &str) -> String {
    t.chars().take(19).filter(char::is_ascii_digit).collect()
}

/// API v3's RFC 3339 time as v2 writes a refund's `success_time` (`2026-11-23 12:00:00`), the
/// form refunds store.
pub fn display_of_rfc3339(t: &str) -> String {
    t.chars().take(19).map(|c| if c == 'T' { ' ' } else { c }).collect()
}

/// `yyyy-MM-dd HH:mm:ss` in Beijing time (for people and CSV files).
pub fn beijing_display(ms: i64) -> String {
    let t = beijing14(ms.div_euclid(1000));
    format!("{}-{}-{} {}:{}:{}", &t[0..4], &t[4..6], &t[6..8], &t[8..10], &t[10..12], &t[12..14])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_days_start_at_16_utc() {
        // 2026-11-23 16:00:00 UTC is 2026-11-24 00:00:00 in Beijing.
        let midnight = 1_795_449_600_000;
        assert_eq!(beijing_display(midnight), "2026-11-24 00:00:00");
        assert_eq!(beijing_rfc3339(midnight / 1000), "2026-11-24T00:00:00+08:00");
        assert_eq!(beijing14_of_rfc3339("2026-11-24T00:00:00+08:00"), "20261124000000");
        assert_eq!(display_of_rfc3339("2026-11-24T00:00:00+08:00"), "2026-11-24 00:00:00");
        let day = beijing_day(midnight);
        assert_eq!((day_name(day), day_compact(day)), ("2026-11-24".to_owned(), "20261124".to_owned()));
        assert_eq!(beijing_day(midnight - 1), day - 1, "one millisecond earlier is the day before");
        assert_eq!(day_start_ms(day), midnight);
        assert_eq!(parse_day("2026-11-24"), Some(day));
        for bad in ["2026-02-30", "2026-1-24", "20261124", "2026/11/24", "2026-11-24 ", ""] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
        // SQL's integer division agrees with div_euclid for every time we store (after 1970).
        for t in [0, midnight - 1, midnight, midnight + DAY_MS - 1, 4_102_444_799_999] {
            assert_eq!((t + BEIJING_OFFSET_MS) / DAY_MS, beijing_day(t));
        }
    }

    #[test]
    fn advance_is_shared_by_clones() {
        let a = Clock::system();
        let b = a.clone();
        let before = b.now_ms();
        a.advance(Duration::from_secs(3600));
        assert!(b.now_ms() >= before + 3_600_000);
    }
}
