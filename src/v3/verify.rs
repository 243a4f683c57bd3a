//! 签名验证: WeChat's signature on responses and notifies, and the keys it is checked with.
//!
//! The message is `TIMESTAMP\nNONCE\nBODY\n` over the body exactly as received (re-serialised
//! JSON breaks it). `Wechatpay-Serial` chooses the key: a platform certificate's serial number,
//! or `PUB_KEY_ID_…` for the WeChat Pay public key. During WeChat's switch from certificates to
//! the public key both arrive, so a [`KeySet`] holds both.

use base64::Engine as _;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::keys::PublicKey;
use crate::v3::platform_certificate::PlatformCertificate;
use crate::v3::BASE64;

/// How far `Wechatpay-Timestamp` may be from `now`, in seconds (5 minutes, WeChat's rule).
pub const MAX_SKEW_SECS: u64 = 300;

/// The prefix of WeChat's deliberate probe signatures, which a merchant must refuse.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// The prefix of a WeChat Pay public key's id in `Wechatpay-Serial`. It is part of the id:
/// stripping it breaks the lookup.
pub const PUB_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

/// The four `Wechatpay-*` headers of a response or notify. A missing header is an empty string
/// (and fails verification as a missing field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureHeaders {
    /// `Wechatpay-Timestamp`, seconds.
    pub timestamp: String,
    /// `Wechatpay-Nonce`.
    pub nonce: String,
    /// `Wechatpay-Signature`, base64.
    pub signature: String,
    /// `Wechatpay-Serial`: a certificate serial or `PUB_KEY_ID_…`.
    pub serial: String,
}

impl SignatureHeaders {
    /// Picks the four headers out of `(name, value)` pairs, names compared case-insensitively
    /// (`node:http` lower-cases them).
    pub fn from_pairs<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut out = SignatureHeaders::default();
        for (name, value) in headers {
            let slot = match name.to_ascii_lowercase().as_str() {
                "wechatpay-timestamp" => &mut out.timestamp,
                "wechatpay-nonce" => &mut out.nonce,
                "wechatpay-signature" => &mut out.signature,
                "wechatpay-serial" => &mut out.serial,
                _ => continue,
            };
            value.trim().clone_into(slot);
        }
        out
    }
}

/// The message WeChat signs: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), b"\n", nonce.as_bytes(), b"\n", body, b"\n"] {
        m.extend_from_slice(part);
    }
    m
}

#[derive(Debug, Clone)]
pub(crate) enum Key {
    PublicKey(PublicKey),
    Certificate(PlatformCertificate),
}

/// WeChat's verification keys, by the `Wechatpay-Serial` that selects them: WeChat Pay public
/// keys (`PUB_KEY_ID_…`), platform certificates (by serial number), or both.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    pub(crate) keys: BTreeMap<String, Key>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        KeySet::default()
    }

    /// Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for an id without the `PUB_KEY_ID_` prefix or a bad PEM.
    pub fn add_public_key(&mut self, id: &str, pem: &str) -> Result<()> {
        if !id.starts_with(PUB_KEY_ID_PREFIX) || id.len() == PUB_KEY_ID_PREFIX.len() {
            return Err(Error::InvalidKey("the WeChat Pay public key id is PUB_KEY_ID_… in full"));
        }
        self.keys.insert(id.to_owned(), Key::PublicKey(PublicKey::from_pem(pem)?));
        Ok(())
    }

    /// Adds a platform certificate (PEM) and returns its serial number.
    ///
    /// # Errors
    /// As [`PlatformCertificate::from_pem`].
    pub fn add_certificate_pem(&mut self, pem: &str) -> Result<String> {
        let cert = PlatformCertificate::from_pem(pem)?;
        let serial = cert.serial_no.clone();
        self.add_certificate(cert);
        Ok(serial)
    }

    /// Adds a parsed platform certificate.
    pub fn add_certificate(&mut self, cert: PlatformCertificate) {
        self.keys.insert(cert.serial_no.to_ascii_uppercase(), Key::Certificate(cert));
    }

    /// The serials and ids held, in order.
    pub fn serials(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    fn key(&self, serial: &str) -> Option<&Key> {
        // Certificate serials are hex, compared without regard to case; PUB_KEY_ID_ ids exactly.
        self.keys.get(serial).or_else(|| self.keys.get(&serial.to_ascii_uppercase()).filter(|k| matches!(k, Key::Certificate(_))))
    }

    /// Verifies a response or notify: refuses a `WECHATPAY/SIGNTEST/` probe, then a timestamp
    /// more than 5 minutes from `now` (seconds), then an unknown serial or an expired
    /// certificate, then checks the signature over `body` exactly as received.
    ///
    /// # Errors
    /// [`Error::MissingField`] (a header is missing), [`Error::SignatureProbe`],
    /// [`Error::InvalidField`] (a timestamp that is not a number), [`Error::TimestampSkew`],
    /// [`Error::UnknownSerial`] (refresh the keys), [`Error::CertificateExpired`], or
    /// [`Error::SignatureMismatch`].
    pub fn verify(&self, headers: &SignatureHeaders, body: &[u8], now: u64) -> Result<()> {
        for (name, value) in [
            ("Wechatpay-Timestamp", &headers.timestamp),
            ("Wechatpay-Nonce", &headers.nonce),
            ("Wechatpay-Signature", &headers.signature),
            ("Wechatpay-Serial", &headers.serial),
        ] {
            if value.is_empty() {
                return Err(Error::missing(name));
            }
        }
        // WeChat sends these on purpose to check that merchants verify; they are never genuine.
        if headers.signature.starts_with(SIGNTEST_PREFIX) {
            return Err(Error::SignatureProbe);
        }
        let timestamp = parse_timestamp(&headers.timestamp)?;
        if timestamp.abs_diff(now) > MAX_SKEW_SECS {
            return Err(Error::TimestampSkew { timestamp, now });
        }
        let key = match self.key(&headers.serial) {
            Some(Key::PublicKey(k)) => k,
            Some(Key::Certificate(c)) if now > c.not_after => {
                return Err(Error::CertificateExpired { serial_no: c.serial_no.clone() });
            }
            Some(Key::Certificate(c)) => &c.key,
            None => return Err(Error::UnknownSerial(headers.serial.chars().take(64).collect())),
        };
        let signature = BASE64.decode(&headers.signature).map_err(|_| Error::SignatureMismatch)?;
        if key.verify(&response_message(&headers.timestamp, &headers.nonce, body), &signature) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
    }

    /// Removes the key held under `serial` (a certificate serial as [`PlatformCertificate`]
    /// writes it, or a `PUB_KEY_ID_…`): the key store drops expired certificates with it.
    pub(crate) fn remove(&mut self, serial: &str) {
        self.keys.remove(serial);
    }
}

fn parse_timestamp(text: &str) -> Result<u64> {
    let bad = || Error::invalid("Wechatpay-Timestamp", "must be whole seconds since the Unix epoch");
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}
