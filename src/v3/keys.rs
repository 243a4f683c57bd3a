//! The v3 keys: the merchant's API private key (signs requests and `paySign`), WeChat's public
//! keys (verify responses and notifies), and the APIv3 key (decrypts notify resources).
//!
//! Every key goes in as PEM text or a string, so the same constructors serve native callers
//! and the wasm glue. Secrets print as `***`.

use base64::Engine as _;
use core::fmt;

use der::{Decode, Reader};
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::v3::crypto::{PrivateKey, VerifyingKey};

/// `rsaEncryption` (1.2.840.113549.1.1.1), the only key type WeChat Pay v3 uses.
pub(crate) const RSA_ENCRYPTION: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// PEM text to (label, DER). Surrounding whitespace is tolerated: keys are pasted from files.
fn pem(text: &str) -> Option<(String, Zeroizing<Vec<u8>>)> {
    let (label, der) = der::pem::decode_vec(text.trim().as_bytes()).ok()?;
    Some((label.to_owned(), Zeroizing::new(der)))
}

/// The merchant's API private key (`apiclient_key.pem`, PKCS#8; PKCS#1 `RSA PRIVATE KEY` is
/// accepted too). It signs every request and the mini-program `paySign`.
///
/// Natively, signing is constant-time and blinded (ring); PKCS#1 v1.5 signatures are
/// deterministic, so the blinding randomness never shows in the output. Built for a host
/// (feature `v3-rules` alone), the host signs (`node:crypto` in the wasm package), with a key
/// the core has checked by the same rules (src/v3/crypto). `Debug` prints `***`.
pub struct MerchantKey {
    key: PrivateKey,
}

impl MerchantKey {
    /// Reads `-----BEGIN PRIVATE KEY-----` (PKCS#8) or `-----BEGIN RSA PRIVATE KEY-----`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the text is not such a PEM, not RSA, or under 2048 bits.
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, der) = pem(text).ok_or(Error::InvalidKey("merchant private key is not PEM"))?;
        let pkcs8 = match label.as_str() {
            "PRIVATE KEY" => true,
            "RSA PRIVATE KEY" => false,
            _ => return Err(Error::InvalidKey("merchant private key must be a PRIVATE KEY PEM (PKCS#8)")),
        };
        let key =
            PrivateKey::from_der(der, pkcs8).ok_or(Error::InvalidKey("merchant private key is not an RSA key of at least 2048 bits"))?;
        Ok(MerchantKey { key })
    }

    /// The backend's key, for RSA-OAEP (src/v3/sensitive.rs).
    pub(crate) fn backend(&self) -> &PrivateKey {
        &self.key
    }

    /// SHA256withRSA (PKCS#1 v1.5) of `message`, base64.
    ///
    /// # Errors
    /// [`Error::Random`] if the platform has no random source for the blinding.
    pub fn sign(&self, message: &[u8]) -> Result<String> {
        Ok(crate::v3::BASE64.encode(self.key.sign_sha256(message)?))
    }

    /// The matching public key (to verify our own signatures in tests, or to compare with the
    /// merchant certificate).
    pub fn public_key(&self) -> PublicKey {
        PublicKey { key: self.key.public(), bits: self.key.modulus_len() * 8 }
    }
}

impl crate::v3::Signer for MerchantKey {
    fn sign(&self, message: &[u8]) -> Result<String> {
        MerchantKey::sign(self, message)
    }
}

impl fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MerchantKey(***)")
    }
}

/// An RSA public key of WeChat's: the WeChat Pay public key (`pub_key.pem`) or the key inside a
/// platform certificate. Not a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// `RSAPublicKey` (PKCS#1) DER, and the backend's handle on it.
    key: VerifyingKey,
    bits: usize,
}

impl PublicKey {
    /// Reads `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, as WeChat hands out the
    /// WeChat Pay public key) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is not such a PEM, not RSA, or outside 2048–8192 bits.
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, der) = pem(text).ok_or(Error::InvalidKey("public key is not PEM"))?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(der.to_vec()),
            _ => Err(Error::InvalidKey("public key must be a PUBLIC KEY PEM")),
        }
    }

    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| Error::InvalidKey("public key is not a SubjectPublicKeyInfo"))?;
        Self::from_spki(&spki)
    }

    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self> {
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(Error::InvalidKey("public key is not RSA"));
        }
        let bits = spki.subject_public_key.as_bytes().ok_or(Error::InvalidKey("public key bit string is not whole bytes"))?;
        Self::from_pkcs1_der(bits.to_vec())
    }

    /// Checks the `RSAPublicKey` structure and size now, so a bad key fails when it is loaded
    /// rather than on the first notify.
    fn from_pkcs1_der(pkcs1: Vec<u8>) -> Result<Self> {
        let bad = Error::InvalidKey("public key is not an RSA key of 2048 to 8192 bits");
        let modulus_bits = der::SliceReader::new(&pkcs1)
            .and_then(|mut r| {
                let bits = r.sequence(|r| {
                    let n = der::asn1::UintRef::decode(r)?;
                    der::asn1::UintRef::decode(r)?;
                    // UintRef strips the sign byte; the top byte's leading zeros do not count.
                    let lead = n.as_bytes().first().map_or(8, |b| b.leading_zeros() as usize);
                    Ok::<_, der::Error>(n.as_bytes().len() * 8 - lead)
                })?;
                r.finish()?;
                Ok(bits)
            })
            .map_err(|_: der::Error| bad.clone())?;
        if !(2048..=8192).contains(&modulus_bits) {
            return Err(bad);
        }
        let key = VerifyingKey::from_pkcs1(pkcs1, modulus_bits).ok_or(bad)?;
        Ok(PublicKey { key, bits: modulus_bits })
    }

    /// The backend's key, for RSA-OAEP (src/v3/sensitive.rs).
    pub(crate) fn backend(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `signature` is SHA256withRSA (PKCS#1 v1.5) of `message` under this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sha256(message, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits)
    }
}

/// The APIv3 key (商户平台 → API安全 → APIv3密钥): 32 bytes, the AES-256-GCM key of notify
/// resources and of the platform-certificate download. Not the v2 API key.
///
/// `Debug` and `Display` print `***`; there is deliberately no `Serialize`.
///
/// ```
/// let key = wxpay::v3::ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
/// assert_eq!(format!("{key:?}"), "ApiV3Key(***)");
/// assert!(wxpay::v3::ApiV3Key::new("short").is_err());
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiV3Key(Zeroizing<[u8; 32]>);

impl ApiV3Key {
    /// Takes the key as set in the merchant platform: exactly 32 bytes (WeChat's rule).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for any other length; the error never echoes the key.
    pub fn new(key: &str) -> Result<Self> {
        let bytes: [u8; 32] = key.as_bytes().try_into().map_err(|_| Error::InvalidKey("APIv3 key must be 32 bytes"))?;
        Ok(ApiV3Key(Zeroizing::new(bytes)))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(***)")
    }
}

impl fmt::Display for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
