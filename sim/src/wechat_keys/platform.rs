//! Platform certificates: RSA 2048 keys in X.509 certificates valid five years, issued by a
//! "Tenpay" CA the simulator makes (WeChat's are issued by Tenpay's CA), kept in the state
//! directory.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use wxpay::v3::{MerchantKey, PlatformCertificate};

use crate::error::{Error, Result};
use crate::files::{read_optional, write_private, write_public};

/// Five years, as WeChat's platform certificates.
pub(crate) const VALIDITY_SECS: i64 = 5 * 365 * 86_400;

/// One platform certificate with its private key (WeChat's side).
pub(crate) struct PlatformCert {
    pub(crate) serial: String,
    pub(crate) pem: String,
    pub(crate) key: Arc<MerchantKey>,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
    /// From when (ms) it signs what names no serial: at once for the first, about 24 h after
    /// issue for a rotated one (WeChat lists a new certificate a day before using it).
    pub(crate) active_from_ms: i64,
}

fn pki_error(e: impl std::fmt::Display) -> Error {
    Error::Pki(e.to_string())
}

fn ca_params() -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, "Tenpay.com Root CA (wxpay-sim, for tests only)");
    p.distinguished_name.push(DnType::OrganizationName, "Tenpay.com");
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(p)
}

/// Year, month and day (UTC) of Unix seconds.
fn ymd(secs: i64) -> (i32, u8, u8) {
    let t = wxpay::time::beijing14(secs - 8 * 3600);
    let n = |r: std::ops::Range<usize>| t[r].parse::<i64>().unwrap_or(1);
    (n(0..4) as i32, n(4..6) as u8, n(6..8) as u8)
}

/// The list of kept certificates, oldest first (several are issued the same day).
const LIST: &str = "platform_serials";

impl PlatformCert {
    /// Reads a kept certificate and its key.
    pub(crate) fn read(cert_pem: String, key_pem: &str) -> Result<Self> {
        let cert = PlatformCertificate::from_pem(&cert_pem).map_err(pki_error)?;
        let key = MerchantKey::from_pem(key_pem).map_err(pki_error)?;
        Ok(PlatformCert {
            serial: cert.serial_no,
            pem: cert_pem,
            key: Arc::new(key),
            not_before: cert.not_before,
            not_after: cert.not_after,
            active_from_ms: i64::MIN,
        })
    }

    /// Issues a new platform certificate valid from today for five years, kept in `dir`
    /// (`platform_<serial>.pem` and its key).
    pub(crate) fn issue(dir: &Path, now_secs: i64) -> Result<Self> {
        let (ca_cert, ca_key) = (dir.join("tenpay_ca.pem"), dir.join("tenpay_ca_key.pem"));
        let ca_key = match read_optional(&ca_key)? {
            Some(k) => KeyPair::from_pem(&k).map_err(pki_error)?,
            None => {
                let key = KeyPair::generate().map_err(pki_error)?;
                let cert = ca_params()?.self_signed(&key).map_err(pki_error)?;
                write_private(&ca_key, key.serialize_pem().as_bytes())?;
                write_public(&ca_cert, cert.pem().as_bytes())?;
                key
            }
        };
        let issuer = Issuer::new(ca_params()?, &ca_key);
        let (key_pem, _) = crate::rsakey::generate()?;
        let key = KeyPair::from_pem(&key_pem).map_err(pki_error)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
        p.distinguished_name.push(DnType::CommonName, "Tenpay.com sign");
        p.distinguished_name.push(DnType::OrganizationName, "Tenpay.com");
        p.serial_number = Some(rcgen::SerialNumber::from_slice(&crate::rsakey::serial_bytes()));
        let from = now_secs - 86_400;
        let ((y0, m0, d0), (y1, m1, d1)) = (ymd(from), ymd(now_secs + VALIDITY_SECS));
        // To the second, as WeChat's: a certificate rotated the same day is the newer one by
        // `not_before`, which is how SDKs pick the one to name.
        p.not_before = rcgen::date_time_ymd(y0, m0, d0) + std::time::Duration::from_secs(from.rem_euclid(86_400) as u64);
        p.not_after = rcgen::date_time_ymd(y1, m1, d1);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        let cert = p.signed_by(&key, &issuer).map_err(pki_error)?;
        let made = PlatformCert::read(cert.pem(), &key_pem)?;
        write_private(&dir.join(format!("platform_{}_key.pem", made.serial)), key_pem.as_bytes())?;
        write_public(&dir.join(format!("platform_{}.pem", made.serial)), made.pem.as_bytes())?;
        let mut list = read_optional(&dir.join(LIST))?.unwrap_or_default();
        list.push_str(&made.serial);
        list.push('\n');
        write_public(&dir.join(LIST), list.as_bytes())?;
        Ok(made)
    }

    /// The certificates kept in `dir`, oldest first.
    pub(crate) fn kept(dir: &Path) -> Result<Vec<Self>> {
        let mut found = Vec::new();
        for serial in read_optional(&dir.join(LIST))?.unwrap_or_default().lines().filter(|l| !l.is_empty()) {
            let cert = read_optional(&dir.join(format!("platform_{serial}.pem")))?;
            let key = read_optional(&dir.join(format!("platform_{serial}_key.pem")))?;
            if let (Some(cert), Some(key)) = (cert, key) {
                found.push(PlatformCert::read(cert, &key)?);
            }
        }
        Ok(found)
    }
}
