//! The API v3 settings: the merchant's API private key and its certificate's serial, the APIv3
//! key, and WeChat's key, either the WeChat Pay public key with its id (new merchants) or, without
//! it, the platform certificates downloaded at start-up. Every one is checked here, naming the
//! setting and never echoing a secret; whether the key matches its serial only WeChat can say
//! (the start-up check of `wechat_keys`).

use std::sync::Arc;

use wxpay::v3::{ApiV3Key, KeySet, MerchantKey, PUB_KEY_ID_PREFIX};

use super::{bad, missing, Config};
use crate::error::Result;

/// The v3 settings, checked.
#[derive(Clone, Debug)]
pub struct V3Settings {
    /// appid, mchid, the API certificate's serial and its private key (`Debug` shows `***`).
    pub merchant: Arc<wxpay::v3::Merchant>,
    /// Decrypts notifies and the certificate download (`Debug` shows `***`).
    pub api_v3_key: ApiV3Key,
    /// The WeChat Pay public key, when given.
    pub public_key: Option<WechatPayPublicKey>,
}

/// The WeChat Pay public key (`pub_key.pem`) and its id, as the merchant platform shows them.
#[derive(Clone, Debug)]
pub struct WechatPayPublicKey {
    /// `PUB_KEY_ID_…`, in full.
    pub id: String,
    /// The PEM (a public key: not a secret).
    pub pem: String,
}

/// How WeChat's signatures are verified, by what the settings give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// The WeChat Pay public key (and any platform certificate WeChat still lists: the
    /// switchover, while WeChat moves a merchant from certificates to the public key).
    PublicKey,
    /// Platform certificates only, downloaded from `/v3/certificates` and refreshed.
    Certificates,
}

impl V3Settings {
    /// How WeChat's signatures are verified.
    pub fn key_mode(&self) -> KeyMode {
        if self.public_key.is_some() {
            KeyMode::PublicKey
        } else {
            KeyMode::Certificates
        }
    }
}

/// A setting given: trimmed, and not empty.
pub(crate) fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The v3 settings of `c`, or `None` when none is given. `required`: `WXPAY_API_VERSION=v3`.
///
/// # Errors
/// [`crate::Error::Config`] naming the first missing or malformed setting.
pub(super) fn settings(c: &Config, appid: &str, mch_id: &str, required: bool) -> Result<Option<V3Settings>> {
    let (key_path, serial, api_v3_key) = (given(&c.mch_private_key), given(&c.mch_serial), given(&c.apiv3_key));
    let any = key_path.is_some()
        || serial.is_some()
        || api_v3_key.is_some()
        || given(&c.public_key).is_some()
        || given(&c.public_key_id).is_some();
    if !required && !any {
        return Ok(None);
    }
    let key_path = key_path.ok_or_else(|| missing("WXPAY_MCH_PRIVATE_KEY"))?;
    let serial = serial.ok_or_else(|| missing("WXPAY_MCH_SERIAL"))?;
    let api_v3_key = api_v3_key.ok_or_else(|| missing("WXPAY_APIV3_KEY"))?;
    let pem = std::fs::read_to_string(key_path).map_err(|e| bad("WXPAY_MCH_PRIVATE_KEY", format!("{key_path}: {e}")))?;
    // The core's error names the shape (not a PKCS#8 RSA key, too short), never the key.
    let key = MerchantKey::from_pem(&pem)
        .map_err(|e| bad("WXPAY_MCH_PRIVATE_KEY", format!("{key_path}: {e} (the merchant API private key, apiclient_key.pem, in PEM)")))?;
    let serial = serial.to_ascii_uppercase();
    let merchant = wxpay::v3::Merchant::new(appid, mch_id, serial, key).map_err(|e| bad("WXPAY_MCH_SERIAL", e))?;
    let api_v3_key = ApiV3Key::new(api_v3_key).map_err(|e| bad("WXPAY_APIV3_KEY", e))?;
    let public_key = match (given(&c.public_key), given(&c.public_key_id)) {
        (None, None) => None,
        (Some(_), None) => return Err(missing("WXPAY_PUBLIC_KEY_ID")),
        (None, Some(_)) => return Err(missing("WXPAY_PUBLIC_KEY")),
        (Some(path), Some(id)) => {
            if !id.starts_with(PUB_KEY_ID_PREFIX) {
                return Err(bad("WXPAY_PUBLIC_KEY_ID", format!("must be the whole id as shown, {PUB_KEY_ID_PREFIX}…")));
            }
            let pem = std::fs::read_to_string(path).map_err(|e| bad("WXPAY_PUBLIC_KEY", format!("{path}: {e}")))?;
            KeySet::new()
                .add_public_key(id, &pem)
                .map_err(|e| bad("WXPAY_PUBLIC_KEY", format!("{path}: {e} (the WeChat Pay public key, pub_key.pem)")))?;
            Some(WechatPayPublicKey { id: id.to_owned(), pem })
        }
    };
    Ok(Some(V3Settings { merchant: Arc::new(merchant), api_v3_key, public_key }))
}
