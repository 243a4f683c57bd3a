//! 平台证书: WeChat's platform certificates, for merchants registered before WeChat Pay public
//! keys (late 2024), and the decryption of their download (`GET /v3/certificates`).
//!
//! New merchants get no platform certificate (the download answers 404): they verify with the
//! WeChat Pay public key instead ([`KeySet::add_public_key`](crate::v3::KeySet::add_public_key)).

use der::asn1::{GeneralizedTime, UintRef, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoRef;

use crate::error::{Error, Result};
use crate::v3::keys::{ApiV3Key, PublicKey};
use crate::v3::request::{api_error, Method, Request};
use crate::v3::resource::EncryptedResource;
use crate::v3::verify::{KeySet, SignatureHeaders};

/// A platform certificate: its serial number (what `Wechatpay-Serial` carries), validity and
/// RSA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformCertificate {
    /// Uppercase hex, without leading zero bytes: `Wechatpay-Serial`'s form.
    pub serial_no: String,
    /// `notBefore`, Unix seconds.
    pub not_before: u64,
    /// `notAfter`, Unix seconds: a signature under an expired certificate is refused.
    pub not_after: u64,
    pub(crate) key: PublicKey,
}

impl PlatformCertificate {
    /// Reads an X.509 certificate (`-----BEGIN CERTIFICATE-----`).
    ///
    /// This does not check who issued it: a platform certificate is trusted because it came
    /// from the authenticated download (or the merchant platform), not because of its chain.
    ///
    /// # Errors
    /// [`Error::InvalidCertificate`] if it is not an X.509 PEM or its key is not RSA.
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, der) = der::pem::decode_vec(text.trim().as_bytes()).map_err(|_| Error::InvalidCertificate("not PEM"))?;
        if label != "CERTIFICATE" {
            return Err(Error::InvalidCertificate("not a CERTIFICATE PEM"));
        }
        let (serial, not_before, not_after, spki) =
            read_tbs(&der).map_err(|_: der::Error| Error::InvalidCertificate("not an X.509 certificate"))?;
        let serial = &serial[serial.iter().take_while(|b| **b == 0).count().min(serial.len().saturating_sub(1))..];
        let serial_no = serial.iter().map(|b| format!("{b:02X}")).collect();
        let key = PublicKey::from_spki_der(spki).map_err(|_| Error::InvalidCertificate("the key is not RSA of 2048 to 8192 bits"))?;
        Ok(PlatformCertificate { serial_no, not_before, not_after, key })
    }

    /// The certificate's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }
}

/// The four fields of `TBSCertificate` (RFC 5280 §4.1) we use: serial number, validity and
/// SubjectPublicKeyInfo (DER). Read with `der` directly rather than a full X.509 decoder:
/// names and extensions are skipped, not decoded, which keeps the `.wasm` about 40 KB smaller.
type Tbs<'a> = (&'a [u8], u64, u64, &'a [u8]);

fn read_tbs(der: &[u8]) -> der::Result<Tbs<'_>> {
    let mut r = SliceReader::new(der)?;
    let tbs = r.sequence(|cert| {
        let tbs = cert.sequence(|tbs| {
            // version [0] EXPLICIT, absent for v1.
            if Tag::peek(tbs)? == (Tag::ContextSpecific { constructed: true, number: TagNumber(0) }) {
                der::asn1::AnyRef::decode(tbs)?;
            }
            let serial = UintRef::decode(tbs)?.as_bytes();
            der::asn1::AnyRef::decode(tbs)?; // signature algorithm
            der::asn1::AnyRef::decode(tbs)?; // issuer
            let (not_before, not_after) = tbs.sequence(|v| Ok::<_, der::Error>((time(v)?, time(v)?)))?;
            der::asn1::AnyRef::decode(tbs)?; // subject
            let spki = tbs.tlv_bytes()?;
            SubjectPublicKeyInfoRef::from_der(spki)?;
            // issuerUniqueID, subjectUniqueID, extensions: not needed.
            while !tbs.is_finished() {
                der::asn1::AnyRef::decode(tbs)?;
            }
            Ok::<_, der::Error>((serial, not_before, not_after, spki))
        })?;
        der::asn1::AnyRef::decode(cert)?; // signatureAlgorithm
        der::asn1::AnyRef::decode(cert)?; // signatureValue
        Ok::<_, der::Error>(tbs)
    })?;
    r.finish()?;
    Ok(tbs)
}

/// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`, as Unix seconds.
fn time<'a>(r: &mut impl Reader<'a>) -> der::Result<u64> {
    Ok(match Tag::peek(r)? {
        Tag::UtcTime => UtcTime::decode(r)?.to_unix_duration().as_secs(),
        _ => GeneralizedTime::decode(r)?.to_unix_duration().as_secs(),
    })
}

/// `GET /v3/certificates`: the platform certificates, encrypted with the APIv3 key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadCertificates;

impl Request for DownloadCertificates {
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
    /// Reads WeChat's answer to [`DownloadCertificates`]: decrypts the certificates with the
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
        let downloaded = DownloadCertificates::parse(body)?.decrypt(key)?;
        let mut with = self.clone();
        for d in &downloaded {
            with.add_certificate(d.certificate.clone());
        }
        with.verify(headers, body, now)?;
        *self = with;
        Ok(downloaded)
    }
}
