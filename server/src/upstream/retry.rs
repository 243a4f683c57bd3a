//! Retries: a call's signed bytes are resent unchanged on a network error, a non-WeChat HTTP
//! answer or `SYSTEMERROR` / `BIZERR_NEED_RETRY`, with a doubling back-off; a connection failure
//! on the primary base moves traffic to the backup for a while.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::pay::{from_answer, Prepared};
use super::Upstream;
use crate::error::{Error, Result};

/// How long the primary base is avoided after a connection failure.
const PRIMARY_COOL_DOWN_MS: i64 = 30_000;

/// How upstream calls are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Timeout of one HTTP exchange.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// First back-off, doubled after each failure.
    pub backoff: Duration,
}

impl Upstream {
    /// Sends `prepared` (retrying and failing over as above) and reads the answer with `parse`.
    pub(super) async fn send_with<P>(&self, prepared: &Prepared, parse: impl Fn(&[u8]) -> wxpay::Result<P>) -> Result<P> {
        let (path, body) = (prepared.path, &prepared.body);
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let on_backup = self.primary_down_until.load(Ordering::Relaxed) > self.clock.now_ms();
            let base = if on_backup { &self.backup } else { &self.primary };
            let url = format!("{base}{path}");
            // Only secapi calls present the client certificate; without one they are sent
            // anyway, and WeChat's refusal is reported.
            let http = if path.starts_with("/secapi/") { self.secapi.as_ref().unwrap_or(&self.http) } else { &self.http };
            let answer = self.post_xml(http, &url, body).await;
            self.observe(format!("POST {url}"), Some(body), answer.as_deref().map_err(Clone::clone));
            match answer {
                Err(why) => {
                    tracing::warn!(%url, attempt, error = %why, "WeChat Pay unreachable");
                    if on_backup {
                        // Both failed once: give the primary another chance next time.
                        self.primary_down_until.store(0, Ordering::Relaxed);
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    } else {
                        self.primary_down_until.store(self.clock.now_ms() + PRIMARY_COOL_DOWN_MS, Ordering::Relaxed);
                    }
                    last = Error::UpstreamUnavailable(why);
                }
                Ok(bytes) => match parse(bytes.as_bytes()) {
                    Ok(p) => return Ok(p),
                    Err(e) if e.is_retryable() => {
                        tracing::warn!(%url, attempt, code = e.err_code().unwrap_or(""), "WeChat asked to retry");
                        last = from_answer(e, bytes.as_bytes());
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    }
                    Err(e) => return Err(from_answer(e, bytes.as_bytes())),
                },
            }
        }
        Err(last)
    }

    async fn post_xml(&self, http: &reqwest::Client, url: &str, body: &str) -> std::result::Result<String, String> {
        let resp = http
            .post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.without_url().to_string())?;
        // WeChat answers every call with 200 and XML. Anything else came from something in
        // between (a proxy, a gateway): not WeChat's answer, so the outcome is unknown, never a
        // FAIL that would let a refund move back.
        if !status.is_success() {
            return Err(format!("HTTP {status} (not from WeChat Pay)"));
        }
        Ok(text)
    }
}
