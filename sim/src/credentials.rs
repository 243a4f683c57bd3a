//! The merchant and mini-program the simulator plays WeChat for: generated, adopted from the
//! `WXPAY_*` variables an existing server configuration already has (only when asked: those may
//! be a live merchant's), or kept in the state directory (`credentials.json`, mode 0600) so a
//! restart keeps answering the same merchant.

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

/// What the state directory keeps (`credentials.json`).
#[derive(Clone, Debug)]
pub(crate) enum Kept {
    /// Credentials the simulator generated: played again at the next start.
    Generated(Credentials),
    /// Credentials adopted from the environment: never played again from the file (adopting
    /// takes the flag each time, and their secrets are only there when asked for); the mch_id
    /// says whom the kept client certificate was issued to.
    Adopted {
        /// mch_id.
        mch_id: String,
    },
}

impl Kept {
    /// The mch_id the kept client certificate was issued to.
    pub(crate) fn mch_id(&self) -> &str {
        match self {
            Kept::Generated(c) => &c.mch_id,
            Kept::Adopted { mch_id } => mch_id,
        }
    }
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

    /// What `dir` keeps, if anything. A file without `adopted` (as before adopting needed a
    /// flag) is taken as generated.
    ///
    /// # Errors
    /// An unreadable or malformed file.
    pub(crate) fn load(dir: &Path) -> Result<Option<Kept>> {
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
        if v["adopted"].as_bool() == Some(true) {
            return Ok(Some(Kept::Adopted { mch_id: field("mch_id")? }));
        }
        let c = Credentials {
            appid: field("appid")?,
            app_secret: Secret::new(field("app_secret")?),
            mch_id: field("mch_id")?,
            api_key: Secret::new(field("api_key")?),
        };
        c.check()?;
        Ok(Some(Kept::Generated(c)))
    }

    /// Keeps these credentials in `dir` (mode 0600), marked if adopted; the API key and
    /// AppSecret only `with_secrets` (the simulator withholds adopted ones, maybe a live
    /// merchant's, unless asked).
    ///
    /// # Errors
    /// I/O.
    pub(crate) fn save(&self, dir: &Path, adopted: bool, with_secrets: bool) -> Result<()> {
        let mut v = serde_json::json!({ "appid": self.appid, "mch_id": self.mch_id });
        if adopted {
            v["adopted"] = true.into();
        }
        if with_secrets {
            v["app_secret"] = self.app_secret.expose().into();
            v["api_key"] = self.api_key.expose().into();
        }
        crate::files::write_private(&dir.join(FILE), v.to_string().as_bytes())
    }
}
