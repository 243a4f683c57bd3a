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
