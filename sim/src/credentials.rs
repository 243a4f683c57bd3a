//! The merchant and mini-program the simulator plays WeChat for: generated, taken from the
//! `WXPAY_*` variables an existing server configuration already has, or kept in the state
//! directory (`credentials.json`, mode 0600) so a restart keeps answering the same merchant.

use std::path::Path;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// appid, AppSecret, mch_id and API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// AppID.
    pub appid: String,
    /// AppSecret (jscode2session).
    pub app_secret: Secret,
    /// mch_id.
    pub mch_id: String,
    /// The v2 API key (32 characters).
    pub api_key: Secret,
}

/// The variables [`Credentials::from_env`] reads: all four, or none.
pub const ENV_VARS: [&str; 4] = ["WXPAY_APPID", "WXPAY_APP_SECRET", "WXPAY_MCH_ID", "WXPAY_API_KEY"];

const FILE: &str = "credentials.json";

fn random_text() -> String {
    wxpay::nonce_str().expect("random source")
}

impl Credentials {
    /// Fresh random credentials of the right shapes.
    pub fn generate() -> Self {
        let hex: String = random_text().bytes().chain(random_text().bytes()).map(|b| format!("{:x}", b % 16)).collect();
        let digits: String = random_text().bytes().map(|b| char::from(b'0' + b % 10)).take(9).collect();
        Credentials {
            appid: format!("wx{}", &hex[..16]),
            app_secret: Secret::new(&hex[16..48]),
            mch_id: format!("1{digits}"),
            api_key: Secret::new(random_text()),
        }
    }

    /// From `WXPAY_APPID`, `WXPAY_APP_SECRET`, `WXPAY_MCH_ID`, `WXPAY_API_KEY`: `None` when none
    /// is set.
    ///
    /// # Errors
    /// Some but not all set, or a value WeChat would not have issued.
    pub fn from_env() -> Result<Option<Self>> {
        let vars: Vec<Option<String>> = ENV_VARS.iter().map(|k| std::env::var(k).ok().filter(|v| !v.is_empty())).collect();
        match vars.as_slice() {
            [None, None, None, None] => Ok(None),
            [Some(appid), Some(secret), Some(mch_id), Some(key)] => {
                let c = Credentials {
                    appid: appid.clone(),
                    app_secret: Secret::new(secret.clone()),
                    mch_id: mch_id.clone(),
                    api_key: Secret::new(key.clone()),
                };
                c.check()?;
                Ok(Some(c))
            }
            _ => {
                let missing = ENV_VARS.iter().zip(&vars).find(|(_, v)| v.is_none()).map(|(k, _)| *k).unwrap_or("WXPAY_*");
                Err(Error::Setting {
                    name: missing,
                    reason: "set all of WXPAY_APPID, WXPAY_APP_SECRET, WXPAY_MCH_ID, WXPAY_API_KEY, or none (generated)".into(),
                })
            }
        }
    }

    /// Refuses values WeChat would not have issued (without repeating a secret).
    ///
    /// # Errors
    /// The first bad value's name.
    pub fn check(&self) -> Result<()> {
        let bad = |name, reason: &str| Err(Error::Setting { name, reason: reason.to_owned() });
        if self.appid.is_empty() || self.appid.len() > 32 || !self.appid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return bad("WXPAY_APPID", "1 to 32 letters and digits");
        }
        if self.mch_id.is_empty() || self.mch_id.len() > 32 || !self.mch_id.bytes().all(|b| b.is_ascii_digit()) {
            return bad("WXPAY_MCH_ID", "1 to 32 digits");
        }
        if self.app_secret.expose().is_empty() || self.app_secret.expose().len() > 64 {
            return bad("WXPAY_APP_SECRET", "1 to 64 characters");
        }
        if wxpay::ApiKey::new(self.api_key.expose()).is_err() {
            return bad("WXPAY_API_KEY", "must be the 32-character v2 API key");
        }
        Ok(())
    }

    /// The credentials kept in `dir`, if any.
    ///
    /// # Errors
    /// An unreadable or malformed file.
    pub fn load(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::file(&path)(e)),
        };
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::Setting { name: "--state-dir", reason: format!("{}: {e}", path.display()) })?;
        let field = |k: &str| {
            v[k].as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::Setting { name: "--state-dir", reason: format!("{}: no {k}", path.display()) })
        };
        let c = Credentials {
            appid: field("appid")?,
            app_secret: Secret::new(field("app_secret")?),
            mch_id: field("mch_id")?,
            api_key: Secret::new(field("api_key")?),
        };
        c.check()?;
        Ok(Some(c))
    }

    /// Keeps these credentials in `dir` (mode 0600).
    ///
    /// # Errors
    /// I/O.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let v = serde_json::json!({
            "appid": self.appid,
            "mch_id": self.mch_id,
            "app_secret": self.app_secret.expose(),
            "api_key": self.api_key.expose(),
        });
        crate::files::write_private(&dir.join(FILE), v.to_string().as_bytes())
    }
}
