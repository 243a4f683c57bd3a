//! Retries: a call's signed bytes are resent unchanged on a network error, a non-WeChat HTTP
//! answer or `SYSTEMERROR` / `BIZERR_NEED_RETRY`, with a doubling back-off; a connection failure
//! on the primary base moves traffic to the backup for a while. One non-XML answer is WeChat's
//! own and final: its front end's HTTP 400 page refusing a `/secapi/` call's client certificate.

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

/// The base a call goes to now.
pub(super) struct Base<'a> {
    /// The base URL.
    pub url: &'a str,
    /// Whether it is the backup (the primary failed a moment ago).
    pub on_backup: bool,
}

impl Upstream {
    /// The primary base, or the backup while the primary is cooling down.
    pub(super) fn base(&self) -> Base<'_> {
        let on_backup = self.primary_down_until.load(Ordering::Relaxed) > self.clock.now_ms();
        Base { url: if on_backup { &self.backup } else { &self.primary }, on_backup }
    }

    /// After a connection failure on `on_backup`'s base: the primary cools down; when the backup
    /// failed too, the primary gets another chance after a back-off (doubled).
    pub(super) async fn unreachable(&self, on_backup: bool, backoff: &mut Duration) {
        if on_backup {
            // Both failed once: give the primary another chance next time.
            self.primary_down_until.store(0, Ordering::Relaxed);
            tokio::time::sleep(*backoff).await;
            *backoff *= 2;
        } else {
            self.primary_down_until.store(self.clock.now_ms() + PRIMARY_COOL_DOWN_MS, Ordering::Relaxed);
        }
    }

    /// Sends `prepared` (retrying and failing over as above) and reads the answer with `parse`.
    pub(super) async fn send_with<P>(&self, prepared: &Prepared, parse: impl Fn(&[u8]) -> wxpay::Result<P>) -> Result<P> {
        let (path, body) = (prepared.path, &prepared.body);
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let Base { url: base, on_backup } = self.base();
            let url = format!("{base}{path}");
            // Only secapi calls present the client certificate; without one they are sent
            // anyway, and WeChat's refusal is reported.
            let http = if path.starts_with("/secapi/") { self.secapi.as_ref().unwrap_or(&self.http) } else { &self.http };
            let answer = self.post_xml(http, &url, body).await;
            let seen = match &answer {
                Ok(text) => Ok(text.as_str()),
                Err(Failed::Unreachable(why) | Failed::CertificateRefused(why)) => Err(why.clone()),
            };
            self.observe(format!("POST {url}"), Some(body), seen);
            match answer {
                Err(Failed::CertificateRefused(why)) => {
                    // Refused before WeChat read the message: nothing was done, and resending
                    // the same bytes over the same connection setup cannot change that.
                    tracing::warn!(%url, error = %why, "WeChat refused the client certificate");
                    let message = if self.has_client_cert() {
                        format!("{why}: WeChat did not accept the merchant client certificate (check WXPAY_CLIENT_CERT and WXPAY_CLIENT_KEY, or WXPAY_CLIENT_P12)")
                    } else {
                        format!("{why}: this call needs the merchant client certificate")
                    };
                    // `FAIL` as for return_code=FAIL: WeChat did not process the message.
                    return Err(Error::Upstream { code: "FAIL".into(), message });
                }
                Err(Failed::Unreachable(why)) => {
                    tracing::warn!(%url, attempt, error = %why, "WeChat Pay unreachable");
                    self.unreachable(on_backup, &mut backoff).await;
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

    async fn post_xml(&self, http: &reqwest::Client, url: &str, body: &str) -> std::result::Result<String, Failed> {
        let unreachable = |e: reqwest::Error| Failed::Unreachable(e.without_url().to_string());
        let resp =
            http.post(url).header("content-type", "text/xml; charset=utf-8").body(body.to_owned()).send().await.map_err(unreachable)?;
        let status = resp.status();
        let text = resp.text().await.map_err(unreachable)?;
        if let Some(refusal) = certificate_refusal(status, &text) {
            return Err(Failed::CertificateRefused(format!("HTTP 400 {refusal}")));
        }
        // WeChat answers every call with 200 and XML. Anything else came from something in
        // between (a proxy, a gateway): not WeChat's answer, so the outcome is unknown, never a
        // FAIL that would let a refund move back.
        if !status.is_success() {
            return Err(Failed::Unreachable(format!("HTTP {status} (not from WeChat Pay)")));
        }
        Ok(text)
    }
}

/// Why one exchange gave no XML answer.
enum Failed {
    /// No answer, or one from something in between: the outcome is unknown (retried).
    Unreachable(String),
    /// WeChat's front end refused the client certificate: nothing was done (final).
    CertificateRefused(String),
}

/// The reason on WeChat's front-end page refusing a `/secapi/` call's client certificate (nginx's
/// HTTP 400 pages: `No required SSL certificate was sent`, `The SSL certificate error`), if
/// `text` is one.
pub(super) fn certificate_refusal(status: reqwest::StatusCode, text: &str) -> Option<&'static str> {
    if status != reqwest::StatusCode::BAD_REQUEST || !text.contains("<center>nginx</center>") {
        return None;
    }
    ["No required SSL certificate was sent", "The SSL certificate error"]
        .into_iter()
        .find(|r| text.contains(&format!("<title>400 {r}</title>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_CERT: &str = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body bgcolor=\"white\">\r\n\
<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    #[test]
    fn nginx_certificate_pages_are_read_as_certificate_refusals() {
        let bad = reqwest::StatusCode::BAD_REQUEST;
        assert_eq!(certificate_refusal(bad, NO_CERT), Some("No required SSL certificate was sent"));
        let wrong = NO_CERT.replace("No required SSL certificate was sent", "The SSL certificate error");
        assert_eq!(certificate_refusal(bad, &wrong), Some("The SSL certificate error"));
    }

    #[test]
    fn other_error_pages_are_not_certificate_refusals() {
        assert_eq!(certificate_refusal(reqwest::StatusCode::BAD_GATEWAY, NO_CERT), None, "another status");
        assert_eq!(certificate_refusal(reqwest::StatusCode::BAD_REQUEST, "<html><body><h1>400</h1>proxy</body></html>"), None);
        assert_eq!(certificate_refusal(reqwest::StatusCode::BAD_REQUEST, "No required SSL certificate was sent"), None, "not the page");
    }
}
