//! API v3's key store: WeChat's keys kept as JSON in the server's database, shared by every
//! instance, with the rules for when to download `/v3/certificates` again. The rules are the
//! core's (`wxpay::v3::KeyStore`); this class holds one store and converts its answers.

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wxpay::v3::{self, ApiV3Key, DownloadAdvice, Refresh};

use super::convert::to_js;
use super::error::Result;
use super::js;
use super::v3::{seconds, KeySet, ResponseIn};

/// WeChat's verification keys and the bookkeeping of their downloads:
/// `new KeyStore()` or `new KeyStore(savedJson)` (checked as a whole: a tampered or truncated
/// store is refused). It holds no secret; save `toJson()` after every call that changes it.
#[wasm_bindgen]
pub struct KeyStore {
    // Borrowed only once the caller's values are read (see KeySet).
    inner: RefCell<v3::KeyStore>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshOut<'a> {
    /// `updated` or `noCertificates` (WeChat answered 404: this merchant has the WeChat Pay
    /// public key instead).
    result: &'static str,
    added: &'a [String],
    dropped: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdviceOut {
    advice: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_allowed: Option<u64>,
}

#[wasm_bindgen]
impl KeyStore {
    /// An empty store, or the one `saved` (a `toJson()` string) holds.
    ///
    /// @throws {WxPayError} `INVALID_KEY_STORE`, `INVALID_ARGUMENT`
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_optional_param_type = "string")] saved: &JsValue) -> Result<KeyStore> {
        super::v3_crypto::install();
        let store = if saved.is_undefined() || saved.is_null() {
            v3::KeyStore::new()
        } else {
            v3::KeyStore::from_json(&js::text(saved, "saved")?)?
        };
        Ok(KeyStore { inner: RefCell::new(store) })
    }

    /// The store as JSON, to save in the database (public keys and certificates only).
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.borrow().to_json()
    }

    /// Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
    ///
    /// @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = addPublicKey)]
    pub fn add_public_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Pem")] pem: &JsValue,
    ) -> Result<()> {
        let (id, pem) = (js::text(id, "id")?, js::pem(pem, "pem")?);
        Ok(self.inner.borrow_mut().add_public_key(&id, &pem)?)
    }

    /// Adds a platform certificate (PEM) and returns its serial number.
    ///
    /// @throws {WxPayError} `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = addCertificate)]
    pub fn add_certificate(&self, #[wasm_bindgen(unchecked_param_type = "Pem")] pem: &JsValue) -> Result<String> {
        let pem = js::pem(pem, "pem")?;
        Ok(self.inner.borrow_mut().add_certificate_pem(&pem)?)
    }

    /// Whether `/v3/certificates` should be downloaded now: every 12 hours while there are
    /// platform certificates, hourly near the newest one's expiry, never for a merchant with
    /// only the WeChat Pay public key.
    ///
    /// @throws {WxPayError} `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = refreshDue)]
    pub fn refresh_due(&self, #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue) -> Result<bool> {
        let now = seconds(now, "now")?;
        Ok(self.inner.borrow().refresh_due(now))
    }

    /// When the next download is due (Unix seconds), or `undefined` when never.
    #[wasm_bindgen(getter = nextRefresh)]
    pub fn next_refresh(&self) -> Option<f64> {
        self.inner.borrow().next_refresh().map(|t| t as f64)
    }

    /// WeChat's answer to `Merchant#buildDownloadCertificates`, taken in: verified with the keys
    /// held (a first download by a certificate it carries), decrypted with the APIv3 key, new
    /// certificates added, expired ones dropped. A 404 is recorded as "no certificates". Any
    /// other answer, or one that fails a check, changes nothing.
    ///
    /// @throws {WxPayError} `API_ERROR`, `UNKNOWN_SERIAL`, the codes of `KeySet#verifySignature`, `AEAD_TAG_MISMATCH` (the wrong APIv3 key), `INVALID_CERTIFICATE`, `MALFORMED_JSON`, `INVALID_KEY`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = ingestCertificates, unchecked_return_type = "KeyStoreRefresh")]
    pub fn ingest_certificates(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WeChatResponse")] response: JsValue,
        #[wasm_bindgen(js_name = apiV3Key, unchecked_param_type = "string")] api_v3_key: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let (status, headers, body) = ResponseIn::read(response)?;
        let key = ApiV3Key::new(&js::text(api_v3_key, "apiV3Key")?)?;
        let now = seconds(now, "now")?;
        let refresh = self.inner.borrow_mut().ingest_certificates(&key, status, &headers, body.bytes(), now)?;
        let (result, added, dropped): (_, &[String], &[String]) = match &refresh {
            Refresh::Updated { added, dropped } => ("updated", added, dropped),
            Refresh::NoCertificates { dropped } => ("noCertificates", &[], dropped),
            _ => ("updated", &[], &[]),
        };
        to_js(&RefreshOut { result, added, dropped })
    }

    /// What to do about a `Wechatpay-Serial` the store does not hold (`UNKNOWN_SERIAL`):
    /// `{ advice: 'download' }` at most once per interval, shared by every instance through the
    /// saved store; otherwise `alreadyDownloaded` (with `nextAllowed`), `noCertificates`,
    /// `configurePublicKey` (an unknown `PUB_KEY_ID_…`: never downloaded, it comes from the
    /// merchant platform) or `held`.
    ///
    /// @throws {WxPayError} `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = onUnknownSerial, unchecked_return_type = "DownloadAdvice")]
    pub fn on_unknown_serial(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] serial: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UnixSeconds")] now: &JsValue,
    ) -> Result<JsValue> {
        let serial = js::text(serial, "serial")?;
        let now = seconds(now, "now")?;
        let advice = self.inner.borrow_mut().on_unknown_serial(&serial, now);
        let (advice, next_allowed) = match advice {
            DownloadAdvice::Download => ("download", None),
            DownloadAdvice::AlreadyDownloaded { next_allowed } => ("alreadyDownloaded", Some(next_allowed)),
            DownloadAdvice::NoCertificates => ("noCertificates", None),
            DownloadAdvice::ConfigurePublicKey => ("configurePublicKey", None),
            _ => ("held", None),
        };
        to_js(&AdviceOut { advice, next_allowed })
    }

    /// A `KeySet` with the store's keys as they are now (and the APIv3 key, for notifies), to
    /// verify answers and notifies with.
    ///
    /// @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
    #[wasm_bindgen(js_name = keySet)]
    pub fn key_set(
        &self,
        #[wasm_bindgen(js_name = apiV3Key, unchecked_optional_param_type = "string")] api_v3_key: &JsValue,
    ) -> Result<KeySet> {
        let api_v3_key =
            if api_v3_key.is_undefined() || api_v3_key.is_null() { None } else { Some(ApiV3Key::new(&js::text(api_v3_key, "apiV3Key")?)?) };
        Ok(KeySet { inner: RefCell::new(self.inner.borrow().key_set().clone()), api_v3_key })
    }
}
