//! The download of WeChat's platform certificates (`GET /v3/certificates`), for merchants
//! registered before WeChat Pay public keys (late 2024): the request, and the answer decrypted
//! with the APIv3 key and verified into a [`KeySet`].
//!
//! New merchants get no platform certificate (the download answers 404): they verify with the
//! WeChat Pay public key instead ([`KeySet::add_public_key`](crate::v3::KeySet::add_public_key)).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::keys::ApiV3Key;
use crate::v3::platform_certificate::PlatformCertificate;
use crate::v3::request::{api_error, Method, Request};
use crate::v3::resource::EncryptedResource;
use crate::v3::verify::{KeySet, SignatureHeaders};

/// `GET /v3/certificates`: the platform certificates, encrypted with the APIv3 key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadCertificatesRequest;

impl Request for DownloadCertificatesRequest {
    type Response = CertificatesResponse;
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        Ok("/v3/certificates".to_owned())
    }
}

/// The download's body: `{data: [{serial_no, effective_time, expire_time, encrypt_certificate}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatesResponse {
    /// One entry per certificate in use (two while WeChat rolls a certificate over).
    pub data: Vec<EncryptedCertificate>,
}

/// One certificate of the download, still encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedCertificate {
    /// The serial number WeChat announces for it.
    pub serial_no: String,
    /// From when WeChat signs with it (RFC 3339).
    pub effective_time: String,
    /// When it expires (RFC 3339).
    pub expire_time: String,
    /// The PEM, encrypted with the APIv3 key.
    pub encrypt_certificate: EncryptedResource,
}

/// A decrypted certificate of the download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedCertificate {
    /// The PEM text, as decrypted.
    pub pem: String,
    /// The parsed certificate.
    pub certificate: PlatformCertificate,
    /// From when WeChat signs with it (RFC 3339).
    pub effective_time: String,
    /// When it expires (RFC 3339).
    pub expire_time: String,
}

impl CertificatesResponse {
    /// Decrypts and parses every certificate, checking that each one's serial number is the one
    /// announced next to it.
    ///
    /// The download's own signature is by one of these certificates: put them in a
    /// [`KeySet`](crate::v3::KeySet) and verify the response with it before trusting them
    /// (the official SDKs do the same).
    ///
    /// # Errors
    /// [`Error::AeadTagMismatch`] (wrong APIv3 key), [`Error::InvalidCertificate`], or
    /// [`Error::InvalidField`] when a serial number differs from the announced one.
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Vec<DownloadedCertificate>> {
        self.data
            .iter()
            .map(|c| {
                let pem = c.encrypt_certificate.decrypt_text(key)?;
                let certificate = PlatformCertificate::from_pem(&pem)?;
                if !certificate.serial_no.eq_ignore_ascii_case(&c.serial_no) {
                    return Err(Error::invalid("serial_no", "differs from the serial number of the certificate it announces"));
                }
                Ok(DownloadedCertificate { pem, certificate, effective_time: c.effective_time.clone(), expire_time: c.expire_time.clone() })
            })
            .collect()
    }
}

impl KeySet {
    /// Reads WeChat's answer to [`DownloadCertificatesRequest`]: decrypts the certificates with the
    /// APIv3 key, verifies the answer's signature with the keys held plus the downloaded ones
    /// (the first download is signed by a certificate it carries; the APIv3 key, which only
    /// WeChat and the merchant know, is what vouches for them), and only then adds them.
    /// Nothing is added when any step fails.
    ///
    /// # Errors
    /// [`Error::ApiError`] for a 4xx/5xx answer (404 for merchants who only have the WeChat Pay
    /// public key), the errors of [`CertificatesResponse::decrypt`] and [`KeySet::verify`], or
    /// [`Error::MalformedJson`].
    pub fn add_downloaded_certificates(
        &mut self,
        key: &ApiV3Key,
        status: u16,
        headers: &SignatureHeaders,
        body: &[u8],
        now: u64,
    ) -> Result<Vec<DownloadedCertificate>> {
        if !(200..300).contains(&status) {
            return Err(api_error(status, body));
        }
        let downloaded = DownloadCertificatesRequest::parse(body)?.decrypt(key)?;
        let mut with = self.clone();
        for d in &downloaded {
            with.add_certificate(d.certificate.clone());
        }
        with.verify(headers, body, now)?;
        *self = with;
        Ok(downloaded)
    }
}
