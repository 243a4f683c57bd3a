//! The host backend (feature `v3-rules` without `v3`): the installed [`HostCrypto`] computes.
//! Keys are imported into the host once, when they are read, and named by a [`HostKey`] handle
//! from then on.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::host::{HostCrypto, HostKey, HOST};
use super::rsa_der;
use super::{NONCE_LEN, OAEP_SHA1_OVERHEAD, TAG_LEN};
use crate::error::{Error, Result};

fn host() -> Result<&'static dyn HostCrypto> {
    HOST.get().copied().ok_or(Error::InvalidKey("no crypto host installed (wxpay::v3::crypto::install)"))
}

/// A key held by the host, released when the last owner drops it.
struct Handle(HostKey);

impl Drop for Handle {
    fn drop(&mut self) {
        if let Ok(host) = host() {
            host.release(self.0);
        }
    }
}

/// The merchant's RSA private key, held by the host.
pub(crate) struct PrivateKey {
    handle: Handle,
    public: VerifyingKey,
    modulus_len: usize,
}

impl PrivateKey {
    /// `None` if it is not an RSA key ring would accept (see rsa_der.rs) or the host refuses it.
    pub(crate) fn from_der(der: Zeroizing<Vec<u8>>, pkcs8: bool) -> Option<Self> {
        let parts = rsa_der::private_key(&der, pkcs8)?;
        let public = VerifyingKey::from_pkcs1(parts.pkcs1, parts.modulus_len * 8)?;
        Some(PrivateKey { handle: Handle(host().ok()?.import_private_key(&der, pkcs8)?), public, modulus_len: parts.modulus_len })
    }

    /// SHA256withRSA (PKCS#1 v1.5) of `message`.
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        host()?.rsa_sha256_sign(self.handle.0, message).ok_or(Error::Random)
    }

    /// The public half.
    pub(crate) fn public(&self) -> VerifyingKey {
        self.public.clone()
    }

    /// The modulus' length in bytes.
    pub(crate) fn modulus_len(&self) -> usize {
        self.modulus_len
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) decryption, with the native backend's errors.
    pub(crate) fn oaep_sha1_decrypt(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if data.len() < self.modulus_len {
            return Err(Error::TruncatedCiphertext { len: data.len() });
        }
        host()?.rsa_oaep_sha1_decrypt(self.handle.0, data).map(Zeroizing::new).ok_or(Error::OaepDecryptFailed)
    }
}

/// An RSA public key of WeChat's, held by the host.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pkcs1: Vec<u8>,
    bits: usize,
    /// ring's rule for the public exponent (rsa_der.rs): a key outside it verifies nothing.
    verifies: bool,
    handle: Arc<Handle>,
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.pkcs1 == other.pkcs1
    }
}

impl Eq for VerifyingKey {}

impl VerifyingKey {
    /// The key, whose structure and size the core has checked; `None` if the host refuses it.
    pub(crate) fn from_pkcs1(pkcs1: Vec<u8>, bits: usize) -> Option<Self> {
        let handle = Arc::new(Handle(host().ok()?.import_public_key(&pkcs1)?));
        Some(VerifyingKey { verifies: rsa_der::public_key_verifies(&pkcs1), pkcs1, bits, handle })
    }

    /// Whether `signature` is SHA256withRSA (PKCS#1 v1.5) of `message` under this key.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        // ring's rule: the signature is exactly as long as the modulus.
        self.verifies
            && signature.len() == self.bits.div_ceil(8)
            && host().is_ok_and(|h| h.rsa_sha256_verify(self.handle.0, message, signature))
    }

    /// The longest plaintext RSA-OAEP (SHA-1) takes with this key; keys over 4096 bits are
    /// refused, as by the native backend.
    pub(crate) fn oaep_sha1_max(&self) -> Result<usize> {
        if self.bits > 4096 {
            return Err(Error::InvalidKey("WeChat's key is over 4096 bits"));
        }
        Ok(self.bits.div_ceil(8).saturating_sub(OAEP_SHA1_OVERHEAD))
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) of `plaintext`, randomised.
    pub(crate) fn oaep_sha1_encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.oaep_sha1_max()?;
        host()?.rsa_oaep_sha1_encrypt(self.handle.0, plaintext).ok_or(Error::Random)
    }
}

/// AES-256-GCM decryption of ciphertext ‖ tag; `None` when the tag does not match.
pub(crate) fn aes_256_gcm_open(key: &[u8; 32], nonce: [u8; NONCE_LEN], aad: &[u8], data: Vec<u8>) -> Option<Vec<u8>> {
    if data.len() < TAG_LEN {
        return None;
    }
    host().ok()?.aes_256_gcm_open(key, &nonce, aad, &data)
}

/// AES-256-GCM encryption: ciphertext ‖ tag.
pub(crate) fn aes_256_gcm_seal(key: &[u8; 32], nonce: [u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    host().ok()?.aes_256_gcm_seal(key, &nonce, aad, plaintext)
}
