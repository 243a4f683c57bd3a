//! 平台证书: a WeChat Pay platform certificate read from its PEM — the serial number that
//! `Wechatpay-Serial` carries, its validity and its RSA key — and nothing else of X.509.

use der::asn1::{GeneralizedTime, UintRef, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use spki::SubjectPublicKeyInfoRef;

use crate::error::{Error, Result};
use crate::v3::keys::PublicKey;

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
