//! `wxpay-server doctor`: the settings `serve` reads, checked against the configured WeChat Pay
//! (real, or `wxpay-sim`), each finding one line in Chinese and English with its fix. The
//! classic misconfigurations are told apart: the AppSecret given as the API key, a wrong p12
//! password, another merchant's certificate, a private key that is not its serial's, a wrong
//! APIv3 key, a skewed clock, a notify URL WeChat will not call.
//!
//! What is checked locally comes first (each setting on its own, so that one broken setting
//! does not hide another), then one exchange per question with WeChat: its `Date` (the clock),
//! then v2's `orderquery` of an order nobody placed (a wrong key is `签名错误`, a right one
//! `ORDERNOTEXIST`) and the client certificate at `/secapi/pay/refund` for that order (refunds
//! are the one v2 call that needs it; nothing exists to refund), and v3's certificate download
//! (the signature, the APIv3 key) and a query of an order nobody placed (the answer's signature
//! under WeChat's configured key). Nothing is stored, and no secret is printed: findings carry
//! setting names, merchant numbers, serials, dates, seconds and lines of a signed message.

mod findings;
mod local;
mod v2;
mod v3;

use std::time::Duration;

pub use findings::{table, Finding, Severity};

use crate::api::ApiVersion;
use crate::upstream::{http_client, RetryPolicy};
use crate::{Clock, Config};

/// Beyond this, the clock is reported (v3 refuses timestamps 5 minutes off).
const CLOCK_TOLERANCE_SECS: i64 = 60;

/// What doctor found, in the order it looked.
#[derive(Debug, Default)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether anything failed (the exit code is then 1).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity() == Severity::Fail)
    }

    /// The codes found, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.code).collect()
    }

    /// One line per finding.
    pub fn lines(&self) -> Vec<String> {
        self.findings.iter().map(Finding::line).collect()
    }
}

/// Checks `config` (as `serve` would read it) against the WeChat Pay it names.
pub async fn run(config: &Config, clock: &Clock) -> Report {
    let mut out = Vec::new();
    check(config, clock, &mut out).await;
    Report { findings: out }
}

async fn check(config: &Config, clock: &Clock, out: &mut Vec<Finding>) {
    let Some(api) = local::api_version(config, out) else { return };
    // Each setting doctor judges on its own is set aside before the rest is read, so that the
    // rest is judged too.
    let mut rest = config.clone();
    local::public_url(config, out);
    rest.public_url = Some("https://doctor.invalid".into());
    local::app_secret_as_key(config, out);
    let identity = local::client_certificate(config, clock.now_secs(), out);
    (rest.client_cert, rest.client_key, rest.client_p12, rest.client_p12_password) = (None, None, None, None);
    if !local::public_key_id(config, out) {
        rest.public_key_id = Some(format!("{}0", wxpay::v3::PUB_KEY_ID_PREFIX));
    }
    let Some(settings) = local::settings(&mut rest, out) else { return };
    let policy = RetryPolicy { attempts: 1, ..settings.retry };
    let http = match http_client(settings.ca_file.as_deref(), &policy) {
        Ok(h) => h,
        Err(e) => return out.push(local::setting_error(&e)),
    };
    let skew = match wechat_clock(&http, &settings.api_base, clock).await {
        Ok(skew) => skew,
        Err(reason) => return out.push(Finding::new("WECHAT_UNREACHABLE").with("base", &settings.api_base).with("reason", reason)),
    };
    out.push(match skew {
        Some(s) if s.abs() > CLOCK_TOLERANCE_SECS => Finding::new("CLOCK_SKEW").with("skew", s),
        Some(s) => Finding::new("CLOCK_OK").with("skew", s.abs().max(1)),
        None => Finding::new("CLOCK_OK").with("skew", "?"),
    });
    // With the clock off, the keys are still judged: v3's requests are signed in WeChat's time.
    let wechat_time = match skew {
        Some(s) if s.abs() > CLOCK_TOLERANCE_SECS => clock.shifted(s),
        _ => clock.clone(),
    };
    let upstream = crate::Upstream::new(settings.upstream(), http.clone(), wechat_time.clone());
    if settings.v2.is_some() {
        v2::check(&settings, &upstream, &http, identity.as_ref(), &wechat_time, out).await;
    } else if api == ApiVersion::V2 {
        out.push(Finding::new("SETTING_MISSING").with("setting", "WXPAY_API_KEY"));
    }
    if settings.v3.is_some() {
        v3::check(&settings, &upstream, &wechat_time, out).await;
    }
}

/// WeChat's clock minus ours, in seconds (from any answer's `Date`), or `None` when WeChat
/// sent no readable `Date`.
///
/// # Errors
/// WeChat could not be reached: why.
async fn wechat_clock(http: &reqwest::Client, base: &str, clock: &Clock) -> Result<Option<i64>, String> {
    let asked = clock.now_ms();
    let resp = http
        .get(format!("{base}/v3/certificates"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let answered = clock.now_ms();
    let date = resp.headers().get(reqwest::header::DATE).and_then(|v| v.to_str().ok()).and_then(|v| httpdate::parse_http_date(v).ok());
    Ok(date.map(|at| {
        let theirs = at.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        // `Date` has whole seconds: compare with the middle of the exchange.
        theirs - (asked + answered) / 2000
    }))
}
