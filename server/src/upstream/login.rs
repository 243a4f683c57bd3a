//! `jscode2session`: a `wx.login()` code for the openid and the session key.

use serde::Deserialize;

use super::Upstream;
use crate::error::{Error, Result};
use crate::secret::SessionKey;

/// What jscode2session answered.
pub struct Login {
    /// The user's openid for our appid.
    pub openid: String,
    /// The session key (redacted in Debug).
    pub session_key: SessionKey,
}

#[derive(Deserialize)]
struct Code2SessionAnswer {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    session_key: Option<String>,
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

impl Upstream {
    /// `jscode2session`: exchanges a `wx.login()` code for the openid and session_key.
    ///
    /// A code is single use, so only a failure to connect (nothing was sent) or `errcode -1`
    /// (busy) is retried.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed code, [`Error::Upstream`] with WeChat's `errcode`
    /// (40029 invalid code, 40163 code used, 45011 rate limit, …), or
    /// [`Error::UpstreamUnavailable`].
    pub async fn code2session(&self, code: &str) -> Result<Login> {
        if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Invalid("code must be the non-empty string from wx.login()".into()));
        }
        let url = format!("{}/sns/jscode2session", self.wechat);
        let shown = format!("GET {url}?appid={}&secret=***&js_code={code}&grant_type=authorization_code", self.appid);
        let mut backoff = self.policy.backoff;
        let mut last = Error::UpstreamUnavailable("no attempt made".into());
        for attempt in 1..=self.policy.attempts {
            let sent = self
                .http
                .get(&url)
                .query(&[
                    ("appid", self.appid.as_str()),
                    ("secret", self.app_secret.expose()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ])
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    // The URL carries the AppSecret: never let it into a message.
                    let connect = e.is_connect();
                    let why = e.without_url().to_string();
                    self.observe(shown.clone(), None, Err(why.clone()));
                    tracing::warn!(attempt, error = %why, "jscode2session unreachable");
                    last = Error::UpstreamUnavailable(why);
                    if !connect {
                        return Err(last);
                    }
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
            };
            let text = resp.text().await.map_err(|e| Error::UpstreamUnavailable(e.without_url().to_string()))?;
            let answer: Code2SessionAnswer = serde_json::from_str(&text)
                .map_err(|_| Error::Upstream { code: "BAD_RESPONSE".into(), message: "jscode2session answer is not JSON".into() })?;
            let session_key = answer.session_key.map(SessionKey::new);
            let masked = match &session_key {
                Some(k) => text.replace(k.expose(), "***"),
                None => text.clone(),
            };
            self.observe(shown.clone(), None, Ok(&masked));
            match (answer.errcode.unwrap_or(0), answer.openid, session_key) {
                (0, Some(openid), Some(session_key)) if !openid.is_empty() => return Ok(Login { openid, session_key }),
                (0, _, _) => {
                    return Err(Error::Upstream { code: "BAD_RESPONSE".into(), message: "jscode2session answer lacks openid".into() });
                }
                (-1, _, _) => {
                    last = Error::Upstream { code: "-1".into(), message: answer.errmsg.unwrap_or_default() };
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                (code, _, _) => {
                    return Err(Error::Upstream { code: code.to_string(), message: answer.errmsg.unwrap_or_default() });
                }
            }
        }
        Err(last)
    }
}
