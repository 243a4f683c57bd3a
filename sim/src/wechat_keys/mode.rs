//! Which keys WeChat has for the merchant (`--v3-keys`).

use serde::Serialize;

/// The merchant's WeChat keys: the WeChat Pay public key (new merchants since 2024-10),
/// platform certificates (older ones), or both during the move from one to the other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMode {
    /// The WeChat Pay public key only (`PUB_KEY_ID_…`); `/v3/certificates` answers 404.
    #[default]
    PublicKey,
    /// Platform certificates only.
    Certificate,
    /// Both: answers follow `Wechatpay-Serial`; notifies, and answers naming no serial, move to
    /// the public key after a set time.
    Switchover,
}

impl KeyMode {
    /// `public-key`, `certificate` or `switchover`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::PublicKey => "public-key",
            KeyMode::Certificate => "certificate",
            KeyMode::Switchover => "switchover",
        }
    }

    /// Whether WeChat has a public key for the merchant.
    pub fn has_public_key(self) -> bool {
        self != KeyMode::Certificate
    }

    /// Whether WeChat has platform certificates for the merchant.
    pub fn has_certificates(self) -> bool {
        self != KeyMode::PublicKey
    }
}

impl std::str::FromStr for KeyMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "public-key" => Ok(KeyMode::PublicKey),
            "certificate" => Ok(KeyMode::Certificate),
            "switchover" => Ok(KeyMode::Switchover),
            _ => Err(format!("{s:?}: one of public-key, certificate, switchover")),
        }
    }
}

impl std::fmt::Display for KeyMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
