//! 平台证书更新: WeChat's verification keys kept in one store that every server instance shares
//! (WeChat's advice: one central store, not one download per server), and the rules for when to
//! download `/v3/certificates` again.
//!
//! The rules are on [`KeyStore`].

use core::fmt;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::v3::certificate::{DownloadCertificatesRequest, DownloadedCertificate};
use crate::v3::keys::ApiV3Key;
use crate::v3::platform_certificate::PlatformCertificate;
use crate::v3::request::{api_error, Request};
use crate::v3::verify::{KeySet, SignatureHeaders, PUB_KEY_ID_PREFIX};

/// The version of the saved form that [`KeyStore::to_json`] writes and [`KeyStore::from_json`]
/// reads.
pub const KEY_STORE_VERSION: u32 = 1;

/// How often the platform certificates are downloaded, by default: 12 hours, half of the
/// ~24 hours for which WeChat lists a new certificate before it signs with it.
pub const REFRESH_INTERVAL_SECS: u64 = 12 * 3600;

/// The shortest and longest intervals [`KeyStore::set_refresh_interval`] takes: 5 minutes, and
/// just under the 24 hours of notice WeChat gives for a new certificate.
pub const REFRESH_INTERVAL_RANGE: core::ops::RangeInclusive<u64> = 300..=23 * 3600;

/// Once the newest certificate expires within this margin (7 days), the download is repeated
/// every [`URGENT_REFRESH_INTERVAL_SECS`] until a successor is listed.
pub const EXPIRY_MARGIN_SECS: u64 = 7 * 24 * 3600;

/// The interval near the newest certificate's expiry: 1 hour (or the configured interval, if
/// shorter).
pub const URGENT_REFRESH_INTERVAL_SECS: u64 = 3600;

/// WeChat's verification keys and the bookkeeping of their downloads.
///
/// It holds the WeChat Pay public keys (`PUB_KEY_ID_…`, from the configuration) and the
/// platform certificates (from the download). It is saved as JSON ([`KeyStore::to_json`], or serde) in the server's database and read back with
/// [`KeyStore::from_json`], which parses and checks every key again: a tampered or truncated
/// store is refused as a whole. **The store holds no secret**: public keys and certificates only.
/// The APIv3 key that decrypts the download is passed in and never kept.
///
/// Like the rest of the core it does no I/O: the caller downloads, passes the answer and the time
/// (Unix seconds) in, and saves the store after every call that takes `&mut self`. Two
/// instances that change it at once are the database's concern (a row version and a
/// compare-and-swap, say): the store itself only promises that what it saves reads back equal.
///
/// The rules, each one a WeChat fact:
/// - **Refresh every 12 hours** ([`REFRESH_INTERVAL_SECS`]) while there are platform
///   certificates: WeChat lists a new certificate about 24 hours before it signs with it, so a
///   12-hour refresh sees it at least once before its first use, even when one refresh fails.
///   Every hour ([`URGENT_REFRESH_INTERVAL_SECS`]) once the newest certificate expires within 7
///   days ([`EXPIRY_MARGIN_SECS`]) and no successor has been listed.
/// - **Never for a merchant with only the WeChat Pay public key**: it does not expire, and
///   `/v3/certificates` answers 404 to merchants that have none. A 404 is recorded
///   ([`Refresh::NoCertificates`]) so that it does not make the store due again.
/// - **Unknown serials download at most once per interval** ([`KeyStore::on_unknown_serial`]):
///   a forged `Wechatpay-Serial` must not make every request a download. An unknown
///   `PUB_KEY_ID_…` never triggers a download: that key comes from the configuration.
///
/// ```
/// use wxpay::v3::{DownloadAdvice, KeyStore};
/// # let pem = include_str!("../../tests/data/v3_test_wechatpay_public_key.pem");
/// let mut store = KeyStore::new();
/// store.add_public_key("PUB_KEY_ID_0119000001202611230000000000000000", pem)?;
/// // A merchant with the WeChat Pay public key only: nothing to download, ever.
/// assert_eq!(store.next_refresh(), None);
/// assert_eq!(store.on_unknown_serial("PUB_KEY_ID_0119000001202611239999999999999999", 1_795_000_000),
///     DownloadAdvice::ConfigurePublicKey);
/// // Saved in the database as JSON, read back (and checked) by every instance.
/// let saved = store.to_json();
/// assert_eq!(KeyStore::from_json(&saved)?, store);
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Clone)]
pub struct KeyStore {
    /// What verification uses: always rebuilt from, or updated with, the maps below.
    keys: KeySet,
    /// `PUB_KEY_ID_…` → PEM.
    public_keys: BTreeMap<String, String>,
    /// Serial number (uppercase hex) → certificate.
    certificates: BTreeMap<String, HeldCertificate>,
    refresh_interval: u64,
    /// The last download that was verified and taken in.
    last_refresh: Option<u64>,
    /// The last download answered 404 (no platform certificate for this merchant), if it came
    /// after `last_refresh`.
    not_found_at: Option<u64>,
    /// When [`KeyStore::on_unknown_serial`] last advised a download.
    unknown_serial_download_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HeldCertificate {
    pem: String,
    certificate: PlatformCertificate,
}

/// What a download did to the store ([`KeyStore::ingest_certificates`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refresh {
    /// The answer was verified and its certificates taken in.
    Updated {
        /// Serials that were not held before.
        added: Vec<String>,
        /// Serials dropped because they had expired (`notAfter` before `now`).
        dropped: Vec<String>,
    },
    /// WeChat answered 404: it has no platform certificate for this merchant, who verifies
    /// with the WeChat Pay public key. Recorded, so the store does not become due because of it;
    /// expired certificates were dropped.
    NoCertificates {
        /// Serials dropped because they had expired.
        dropped: Vec<String>,
    },
}

/// What to do about a `Wechatpay-Serial` that the store does not hold
/// ([`KeyStore::on_unknown_serial`]). Whatever the advice, the message that carried the serial is
/// refused until a download brings its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadAdvice {
    /// Download `/v3/certificates` now, pass the answer to
    /// [`KeyStore::ingest_certificates`], save the store, and verify again.
    Download,
    /// Do not download: an unknown serial already caused one in this interval (a forged serial
    /// must not cause a download per request). The next one may happen at `next_allowed`.
    AlreadyDownloaded {
        /// Unix seconds from which an unknown serial may cause a download again.
        next_allowed: u64,
    },
    /// Do not download: WeChat answered 404 within this interval, it has no platform certificate
    /// for this merchant.
    NoCertificates,
    /// Do not download: a `PUB_KEY_ID_…` that the store does not hold. WeChat Pay public keys
    /// are never downloaded: this is a configuration error (the key of the merchant platform,
    /// 账户中心 → API安全 → 微信支付公钥, with its full id, is missing).
    ConfigurePublicKey,
    /// Do not download: the store holds this serial (another instance saved it since the
    /// message was checked): verify again with this store.
    Held,
}

impl DownloadAdvice {
    /// Whether the advice is to download now.
    pub fn should_download(self) -> bool {
        self == DownloadAdvice::Download
    }
}

impl Default for KeyStore {
    fn default() -> Self {
        KeyStore::new()
    }
}

impl KeyStore {
    /// An empty store that refreshes every [`REFRESH_INTERVAL_SECS`].
    ///
    /// An empty store is due for a download at once (it cannot verify anything), until a key
    /// is added or WeChat answers 404.
    pub fn new() -> Self {
        KeyStore {
            keys: KeySet::new(),
            public_keys: BTreeMap::new(),
            certificates: BTreeMap::new(),
            refresh_interval: REFRESH_INTERVAL_SECS,
            last_refresh: None,
            not_found_at: None,
            unknown_serial_download_at: None,
        }
    }

    /// Sets the interval between downloads (saved with the store, so that every instance
    /// shares it).
    ///
    /// # Errors
    /// [`Error::InvalidField`] outside [`REFRESH_INTERVAL_RANGE`].
    pub fn set_refresh_interval(&mut self, secs: u64) -> Result<()> {
        self.refresh_interval = checked_interval(secs)?;
        Ok(())
    }

    /// The interval between downloads, in seconds.
    pub fn refresh_interval(&self) -> u64 {
        self.refresh_interval
    }

    /// Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
    ///
    /// # Errors
    /// As [`KeySet::add_public_key`]; the store is unchanged.
    pub fn add_public_key(&mut self, id: &str, pem: &str) -> Result<()> {
        self.keys.add_public_key(id, pem)?;
        self.public_keys.insert(id.to_owned(), pem.trim().to_owned());
        Ok(())
    }

    /// Adds a platform certificate obtained some other way (the merchant platform) and returns
    /// its serial number. It counts as held for the rules of the download.
    ///
    /// # Errors
    /// As [`PlatformCertificate::from_pem`]; the store is unchanged.
    pub fn add_certificate_pem(&mut self, pem: &str) -> Result<String> {
        let certificate = PlatformCertificate::from_pem(pem)?;
        let serial = certificate.serial_no.clone();
        self.hold(HeldCertificate { pem: pem.trim().to_owned(), certificate });
        Ok(serial)
    }

    /// The keys to verify responses and notifies with.
    pub fn key_set(&self) -> &KeySet {
        &self.keys
    }

    /// [`KeySet::verify`] with the keys held.
    ///
    /// # Errors
    /// As [`KeySet::verify`]. On [`Error::UnknownSerial`], ask [`KeyStore::on_unknown_serial`].
    pub fn verify(&self, headers: &SignatureHeaders, body: &[u8], now: u64) -> Result<()> {
        self.keys.verify(headers, body, now)
    }

    /// The WeChat Pay public key ids held.
    pub fn public_key_ids(&self) -> impl Iterator<Item = &str> {
        self.public_keys.keys().map(String::as_str)
    }

    /// The platform certificates held, by serial number.
    pub fn certificates(&self) -> impl Iterator<Item = &PlatformCertificate> {
        self.certificates.values().map(|c| &c.certificate)
    }

    /// When the last download was verified and taken in (Unix seconds).
    pub fn last_refresh(&self) -> Option<u64> {
        self.last_refresh
    }

    /// When WeChat last answered a download (Unix seconds): certificates verified and taken in,
    /// or a 404 (no platform certificate for this merchant). `None`: never asked. A merchant with
    /// the WeChat Pay public key asks once, to learn whether WeChat still lists certificates (the
    /// switchover); [`KeyStore::next_refresh`] takes it from there.
    pub fn last_download(&self) -> Option<u64> {
        self.last_refresh.max(self.not_found_at)
    }

    /// When the certificates should be downloaded next (Unix seconds; a time at or before now
    /// means now), or `None` when never:
    /// - no platform certificate and a WeChat Pay public key, or a 404 recorded: never (the
    ///   public key does not expire; WeChat has no certificate for this merchant);
    /// - nothing at all: now (the first download), or an interval after a download that
    ///   brought no certificate;
    /// - otherwise the last download (or 404) plus the interval, or plus
    ///   [`URGENT_REFRESH_INTERVAL_SECS`] from [`EXPIRY_MARGIN_SECS`] before the newest
    ///   certificate's expiry. A failed download changes nothing, so it stays due: retry with a
    ///   backoff of the caller's choice.
    pub fn next_refresh(&self) -> Option<u64> {
        let Some(newest_expiry) = self.certificates.values().map(|c| c.certificate.not_after).max() else {
            if !self.public_keys.is_empty() || self.not_found_at.is_some() {
                return None;
            }
            // Nothing to verify with: download now, or an interval after a download that
            // brought no certificate in force.
            return Some(self.last_refresh.map_or(0, |last| last.saturating_add(self.refresh_interval)));
        };
        let Some(last) = self.last_refresh.max(self.not_found_at) else {
            return Some(0);
        };
        let normal = last.saturating_add(self.refresh_interval);
        let urgent_from = newest_expiry.saturating_sub(EXPIRY_MARGIN_SECS);
        let urgent = last.saturating_add(URGENT_REFRESH_INTERVAL_SECS.min(self.refresh_interval));
        Some(normal.min(urgent_from.max(urgent)))
    }

    /// Whether the certificates should be downloaded at `now` ([`KeyStore::next_refresh`]).
    pub fn refresh_due(&self, now: u64) -> bool {
        self.next_refresh().is_some_and(|at| at <= now)
    }

    /// Takes in WeChat's answer to [`DownloadCertificatesRequest`], as received.
    ///
    /// - **404**: no platform certificate for this merchant. Recorded (the store does not
    ///   become due again because of it); certificates that have expired are dropped.
    /// - **2xx**: the answer's signature is checked first, with the keys held. The one exception
    ///   is the bootstrap, when the store holds no unexpired platform certificate (the first
    ///   download, or after all of them expired): then a certificate that the answer itself
    ///   carries may verify the answer, as WeChat's SDKs do. What vouches for it then is the
    ///   AES-GCM encryption under the APIv3 key, which only WeChat and the merchant know. Once a
    ///   valid certificate is held, a new certificate is trusted only in an answer signed by a
    ///   key already held (WeChat lists it a day before using it, while the old one still signs).
    ///   A store that missed a whole rollover (no refresh in the day of notice) refuses an
    ///   answer signed by the new certificate while the old one is valid: ask for the download
    ///   with `Wechatpay-Serial` naming a held key (WeChat signs answers with the key a request
    ///   names; documented for the move to the WeChat Pay public key), or, as a last resort,
    ///   start again from an empty store with the configured public keys (the bootstrap).
    ///   Then the certificates are decrypted, the ones not held yet are added, and the held ones
    ///   are kept until they expire: a certificate is dropped by the first download (or 404)
    ///   after its `notAfter`, also when WeChat no longer lists it. An expired certificate in
    ///   the answer is not added.
    ///
    /// Any other answer, or one that fails a check, changes nothing.
    ///
    /// # Errors
    /// [`Error::ApiError`] for another 4xx/5xx, the errors of [`KeySet::verify`]
    /// ([`Error::UnknownSerial`] for an answer signed by a key neither held nor allowed to
    /// bootstrap), and of [`CertificatesResponse::decrypt`](crate::v3::CertificatesResponse::decrypt)
    /// ([`Error::AeadTagMismatch`]: the wrong APIv3 key), or [`Error::MalformedJson`].
    pub fn ingest_certificates(
        &mut self,
        key: &ApiV3Key,
        status: u16,
        headers: &SignatureHeaders,
        body: &[u8],
        now: u64,
    ) -> Result<Refresh> {
        if status == 404 {
            let dropped = self.drop_expired(now);
            self.not_found_at = Some(now);
            return Ok(Refresh::NoCertificates { dropped });
        }
        if !(200..300).contains(&status) {
            return Err(api_error(status, body));
        }
        let downloaded = match self.keys.verify(headers, body, now) {
            // Verified first, then decrypted, as for notifies.
            Ok(()) => decrypt(key, body)?,
            Err(Error::UnknownSerial(_)) if !self.holds_valid_certificate(now) => {
                let downloaded = decrypt(key, body)?;
                let mut carried = KeySet::new();
                for d in &downloaded {
                    carried.add_certificate(d.certificate.clone());
                }
                carried.verify(headers, body, now)?;
                downloaded
            }
            Err(e) => return Err(e),
        };
        let mut added = Vec::new();
        for d in downloaded {
            if now > d.certificate.not_after {
                continue;
            }
            if !self.certificates.contains_key(&d.certificate.serial_no) {
                added.push(d.certificate.serial_no.clone());
            }
            self.hold(HeldCertificate { pem: d.pem.trim().to_owned(), certificate: d.certificate });
        }
        let dropped = self.drop_expired(now);
        self.last_refresh = Some(now);
        self.not_found_at = None;
        Ok(Refresh::Updated { added, dropped })
    }

    /// What to do when [`KeyStore::verify`] answered [`Error::UnknownSerial`] for `serial`.
    ///
    /// The first unknown certificate serial in an interval ([`KeyStore::refresh_interval`]) is
    /// told to download, and the time is recorded in the store (save it, so that every instance
    /// counts the same interval); any other unknown serial in the same interval is told not to.
    /// An unknown `PUB_KEY_ID_…` never causes a download ([`DownloadAdvice::ConfigurePublicKey`]),
    /// nor does any serial within an interval of a 404 ([`DownloadAdvice::NoCertificates`]).
    pub fn on_unknown_serial(&mut self, serial: &str, now: u64) -> DownloadAdvice {
        if serial.starts_with(PUB_KEY_ID_PREFIX) {
            return if self.public_keys.contains_key(serial) { DownloadAdvice::Held } else { DownloadAdvice::ConfigurePublicKey };
        }
        if self.certificates.contains_key(&serial.to_ascii_uppercase()) {
            return DownloadAdvice::Held;
        }
        if self.not_found_at.is_some_and(|at| now < at.saturating_add(self.refresh_interval)) {
            return DownloadAdvice::NoCertificates;
        }
        if let Some(at) = self.unknown_serial_download_at {
            let next_allowed = at.saturating_add(self.refresh_interval);
            if now < next_allowed {
                return DownloadAdvice::AlreadyDownloaded { next_allowed };
            }
        }
        self.unknown_serial_download_at = Some(now);
        DownloadAdvice::Download
    }

    /// The store as JSON, for the database: the version, the interval, the bookkeeping, and
    /// each key as PEM with the SHA-256 of its DER (which [`KeyStore::from_json`] checks).
    /// Public keys only: nothing in it is secret. The same store always gives the same text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Saved::from(self)).expect("the saved form is plain JSON")
    }

    /// Reads a store saved by [`KeyStore::to_json`], parsing and checking every key again: its
    /// PEM, its SHA-256, and that a certificate's serial number and dates are the ones recorded.
    /// The whole store or nothing.
    ///
    /// # Errors
    /// [`Error::InvalidKeyStore`] when anything is wrong (not the JSON of a store, another
    /// version, an entry tampered with or cut off).
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let refused = |e: serde_json::Error| Error::InvalidKeyStore(format!("not the JSON of a key store: {e}"));
        // The version first: a store of another version is refused as such, not for its fields.
        let Version { version } = serde_json::from_str(text).map_err(refused)?;
        if version != KEY_STORE_VERSION {
            return Err(Error::InvalidKeyStore(format!("version {version} is not supported (expected {KEY_STORE_VERSION})")));
        }
        KeyStore::try_from(serde_json::from_str::<Saved>(text).map_err(refused)?)
    }

    fn hold(&mut self, held: HeldCertificate) {
        self.keys.add_certificate(held.certificate.clone());
        self.certificates.insert(held.certificate.serial_no.clone(), held);
    }

    fn holds_valid_certificate(&self, now: u64) -> bool {
        self.certificates.values().any(|c| now <= c.certificate.not_after)
    }

    fn drop_expired(&mut self, now: u64) -> Vec<String> {
        let expired: Vec<String> =
            self.certificates.values().filter(|c| now > c.certificate.not_after).map(|c| c.certificate.serial_no.clone()).collect();
        for serial in &expired {
            self.certificates.remove(serial);
            self.keys.remove(serial);
        }
        expired
    }
}

fn decrypt(key: &ApiV3Key, body: &[u8]) -> Result<Vec<DownloadedCertificate>> {
    DownloadCertificatesRequest::parse(body)?.decrypt(key)
}

fn checked_interval(secs: u64) -> Result<u64> {
    if REFRESH_INTERVAL_RANGE.contains(&secs) {
        Ok(secs)
    } else {
        Err(Error::invalid("refresh_interval_secs", "must be from 5 minutes to 23 hours (WeChat lists a new certificate 24 hours ahead)"))
    }
}

/// The SHA-256 of a PEM's DER, lowercase hex (what `openssl x509 -fingerprint -sha256` shows).
fn fingerprint(pem: &str) -> Option<String> {
    let (_, der) = der::pem::decode_vec(pem.trim().as_bytes()).ok()?;
    Some(Sha256::digest(&der).iter().map(|b| format!("{b:02x}")).collect())
}

impl PartialEq for KeyStore {
    // Equal when everything saved is equal (the KeySet is made from it).
    fn eq(&self, other: &Self) -> bool {
        self.public_keys == other.public_keys
            && self.certificates == other.certificates
            && self.refresh_interval == other.refresh_interval
            && self.last_refresh == other.last_refresh
            && self.not_found_at == other.not_found_at
            && self.unknown_serial_download_at == other.unknown_serial_download_at
    }
}

impl Eq for KeyStore {}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("public_keys", &self.public_keys.keys().collect::<Vec<_>>())
            .field(
                "certificates",
                &self.certificates.values().map(|c| (&c.certificate.serial_no, c.certificate.not_after)).collect::<Vec<_>>(),
            )
            .field("refresh_interval", &self.refresh_interval)
            .field("last_refresh", &self.last_refresh)
            .field("not_found_at", &self.not_found_at)
            .field("unknown_serial_download_at", &self.unknown_serial_download_at)
            .finish()
    }
}

/// The saved form, version 1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    version: u32,
    refresh_interval_secs: u64,
    last_refresh: Option<u64>,
    certificates_not_found_at: Option<u64>,
    unknown_serial_download_at: Option<u64>,
    public_keys: Vec<SavedPublicKey>,
    certificates: Vec<SavedCertificate>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPublicKey {
    id: String,
    sha256: String,
    pem: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedCertificate {
    serial_no: String,
    not_before: u64,
    not_after: u64,
    sha256: String,
    pem: String,
}

impl From<&KeyStore> for Saved {
    fn from(s: &KeyStore) -> Self {
        // Every PEM held was parsed when it was added, so it has a fingerprint.
        let sha256 = |pem: &str| fingerprint(pem).unwrap_or_default();
        Saved {
            version: KEY_STORE_VERSION,
            refresh_interval_secs: s.refresh_interval,
            last_refresh: s.last_refresh,
            certificates_not_found_at: s.not_found_at,
            unknown_serial_download_at: s.unknown_serial_download_at,
            public_keys: s
                .public_keys
                .iter()
                .map(|(id, pem)| SavedPublicKey { id: id.clone(), sha256: sha256(pem), pem: pem.clone() })
                .collect(),
            certificates: s
                .certificates
                .values()
                .map(|c| SavedCertificate {
                    serial_no: c.certificate.serial_no.clone(),
                    not_before: c.certificate.not_before,
                    not_after: c.certificate.not_after,
                    sha256: sha256(&c.pem),
                    pem: c.pem.clone(),
                })
                .collect(),
        }
    }
}

impl TryFrom<Saved> for KeyStore {
    type Error = Error;

    fn try_from(saved: Saved) -> Result<Self> {
        let refused = |what: &str, name: &str, why: &dyn fmt::Display| {
            Error::InvalidKeyStore(format!("{what} {}: {why}", crate::error::quoted(&name.chars().take(64).collect::<String>())))
        };
        if saved.version != KEY_STORE_VERSION {
            return Err(Error::InvalidKeyStore(format!("version {} is not supported (expected {KEY_STORE_VERSION})", saved.version)));
        }
        let mut store = KeyStore::new();
        store.refresh_interval = checked_interval(saved.refresh_interval_secs).map_err(|e| Error::InvalidKeyStore(e.to_string()))?;
        store.last_refresh = saved.last_refresh;
        store.not_found_at = saved.certificates_not_found_at;
        store.unknown_serial_download_at = saved.unknown_serial_download_at;
        for k in saved.public_keys {
            if store.public_keys.contains_key(&k.id) {
                return Err(refused("public key", &k.id, &"appears twice"));
            }
            if fingerprint(&k.pem).as_deref() != Some(k.sha256.as_str()) {
                return Err(refused("public key", &k.id, &"its PEM does not match its sha256"));
            }
            store.add_public_key(&k.id, &k.pem).map_err(|e| refused("public key", &k.id, &e))?;
        }
        for c in saved.certificates {
            if store.certificates.contains_key(&c.serial_no) {
                return Err(refused("certificate", &c.serial_no, &"appears twice"));
            }
            if fingerprint(&c.pem).as_deref() != Some(c.sha256.as_str()) {
                return Err(refused("certificate", &c.serial_no, &"its PEM does not match its sha256"));
            }
            let certificate = PlatformCertificate::from_pem(&c.pem).map_err(|e| refused("certificate", &c.serial_no, &e))?;
            if (certificate.serial_no.as_str(), certificate.not_before, certificate.not_after)
                != (c.serial_no.as_str(), c.not_before, c.not_after)
            {
                return Err(refused("certificate", &c.serial_no, &"its serial number or dates are not the ones recorded"));
            }
            store.hold(HeldCertificate { pem: c.pem, certificate });
        }
        Ok(store)
    }
}

impl Serialize for KeyStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        Saved::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KeyStore {
    // As KeyStore::from_json: every key checked again, the whole store or an error.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
        KeyStore::try_from(Saved::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../tests/data/v3_test_platform_cert.pem");
    const PUBLIC_KEY: &str = include_str!("../../tests/data/v3_test_wechatpay_public_key.pem");
    const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000001202611230000000000000000";
    /// The test certificate's `notAfter`: 2029-01-01T00:00:00Z.
    const NOT_AFTER: u64 = 1_861_920_000;
    const T: u64 = 1_795_000_000;

    fn with_certificate() -> KeyStore {
        let mut store = KeyStore::new();
        store.add_certificate_pem(CERT).unwrap();
        store
    }

    #[test]
    fn an_empty_store_is_due_at_once() {
        assert_eq!(KeyStore::new().next_refresh(), Some(0));
        assert!(KeyStore::new().refresh_due(0));
    }

    #[test]
    fn a_public_key_merchant_is_never_due() {
        let mut store = KeyStore::new();
        store.add_public_key(PUB_KEY_ID, PUBLIC_KEY).unwrap();
        assert_eq!(store.next_refresh(), None);
        assert!(!store.refresh_due(u64::MAX));
    }

    #[test]
    fn a_404_is_the_last_download_of_a_public_key_merchant() {
        let mut store = KeyStore::new();
        store.add_public_key(PUB_KEY_ID, PUBLIC_KEY).unwrap();
        assert_eq!(store.last_download(), None, "never asked");
        store.ingest_certificates(&key(), 404, &SignatureHeaders::default(), b"", T).unwrap();
        assert_eq!(store.last_download(), Some(T));
        assert_eq!(KeyStore::from_json(&store.to_json()).unwrap().last_download(), Some(T), "saved with the store");
    }

    #[test]
    fn certificates_never_downloaded_are_due_at_once() {
        assert_eq!(with_certificate().next_refresh(), Some(0));
    }

    #[test]
    fn a_refreshed_store_is_due_an_interval_later() {
        let mut store = with_certificate();
        store.last_refresh = Some(T);
        assert_eq!(store.next_refresh(), Some(T + REFRESH_INTERVAL_SECS));
        assert!(!store.refresh_due(T + REFRESH_INTERVAL_SECS - 1));
        assert!(store.refresh_due(T + REFRESH_INTERVAL_SECS));
        store.set_refresh_interval(3 * 3600).unwrap();
        assert_eq!(store.next_refresh(), Some(T + 3 * 3600));
    }

    #[test]
    fn a_certificate_near_its_expiry_is_refreshed_hourly() {
        let mut store = with_certificate();
        // The margin starts in the middle of the interval: due when it starts.
        let last = NOT_AFTER - EXPIRY_MARGIN_SECS - 3600;
        store.last_refresh = Some(last);
        assert_eq!(store.next_refresh(), Some(NOT_AFTER - EXPIRY_MARGIN_SECS));
        // Inside the margin: an hour after each download, not at once (no download storm).
        store.last_refresh = Some(NOT_AFTER - 3 * 24 * 3600);
        assert_eq!(store.next_refresh(), Some(NOT_AFTER - 3 * 24 * 3600 + URGENT_REFRESH_INTERVAL_SECS));
        // Expired and still held: hourly as well, until a download drops it.
        store.last_refresh = Some(NOT_AFTER + 10);
        assert_eq!(store.next_refresh(), Some(NOT_AFTER + 10 + URGENT_REFRESH_INTERVAL_SECS));
    }

    #[test]
    fn a_404_counts_as_a_download_for_a_merchant_with_certificates() {
        let mut store = with_certificate();
        assert_eq!(
            store.ingest_certificates(&key(), 404, &SignatureHeaders::default(), b"{}", T),
            Ok(Refresh::NoCertificates { dropped: vec![] })
        );
        assert_eq!(store.next_refresh(), Some(T + REFRESH_INTERVAL_SECS));
        assert_eq!(store.certificates().count(), 1);
    }

    #[test]
    fn a_404_drops_expired_certificates() {
        let mut store = with_certificate();
        let got = store.ingest_certificates(&key(), 404, &SignatureHeaders::default(), b"", NOT_AFTER + 1).unwrap();
        assert_eq!(got, Refresh::NoCertificates { dropped: vec!["5157F09EFDC096DE15EBE81A47057A7232F1B8E1".to_owned()] });
        assert_eq!(store.certificates().count(), 0);
        assert_eq!(store.key_set().serials().count(), 0);
        assert_eq!(store.next_refresh(), None);
    }

    #[test]
    fn other_error_answers_change_nothing() {
        for status in [301, 400, 401, 403, 429, 500, 503] {
            let mut store = with_certificate();
            let before = store.clone();
            let err =
                store.ingest_certificates(&key(), status, &SignatureHeaders::default(), br#"{"code":"SYSTEM_ERROR","message":"x"}"#, T);
            assert_eq!(err.unwrap_err().code(), "API_ERROR", "{status}");
            assert_eq!(store, before, "{status}");
        }
    }

    #[test]
    fn an_unknown_serial_downloads_again_after_the_interval() {
        let mut store = with_certificate();
        assert_eq!(store.on_unknown_serial("AB", T), DownloadAdvice::Download);
        assert_eq!(store.on_unknown_serial("CD", T + 1), DownloadAdvice::AlreadyDownloaded { next_allowed: T + REFRESH_INTERVAL_SECS });
        assert_eq!(store.on_unknown_serial("CD", T + REFRESH_INTERVAL_SECS), DownloadAdvice::Download);
    }

    #[test]
    fn a_held_serial_needs_no_download() {
        let mut store = with_certificate();
        store.add_public_key(PUB_KEY_ID, PUBLIC_KEY).unwrap();
        assert_eq!(store.on_unknown_serial("5157f09efdc096de15ebe81a47057a7232f1b8e1", T), DownloadAdvice::Held);
        assert_eq!(store.on_unknown_serial(PUB_KEY_ID, T), DownloadAdvice::Held);
        assert_eq!(store.unknown_serial_download_at, None);
    }

    #[test]
    fn an_interval_outside_the_range_is_refused() {
        let mut store = KeyStore::new();
        for bad in [0, 299, 23 * 3600 + 1, 24 * 3600] {
            assert_eq!(store.set_refresh_interval(bad).unwrap_err().code(), "INVALID_FIELD", "{bad}");
        }
        assert_eq!(store.refresh_interval(), REFRESH_INTERVAL_SECS);
    }

    #[test]
    fn debug_shows_serials_not_pems() {
        let mut store = with_certificate();
        store.add_public_key(PUB_KEY_ID, PUBLIC_KEY).unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("5157F09EFDC096DE15EBE81A47057A7232F1B8E1") && shown.contains(PUB_KEY_ID), "{shown}");
        assert!(!shown.contains("BEGIN"), "{shown}");
    }

    #[test]
    fn a_saved_public_key_of_another_prefix_is_refused() {
        let mut store = KeyStore::new();
        store.add_public_key(PUB_KEY_ID, PUBLIC_KEY).unwrap();
        // Consistent (the sha256 is of the PEM) but under an id without its prefix.
        let text = store.to_json().replace(PUB_KEY_ID, "0119000001202611230000000000000000");
        assert_eq!(KeyStore::from_json(&text).unwrap_err().code(), "INVALID_KEY_STORE");
    }

    #[test]
    fn a_saved_interval_outside_the_range_is_refused() {
        let text = KeyStore::new().to_json().replace("\"refresh_interval_secs\":43200", "\"refresh_interval_secs\":0");
        assert_eq!(KeyStore::from_json(&text).unwrap_err().code(), "INVALID_KEY_STORE");
    }

    fn key() -> ApiV3Key {
        ApiV3Key::new("wxpayTestApiV3Key0123456789abcde").unwrap()
    }
}
