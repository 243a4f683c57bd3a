//! What a host implements to compute the primitives for the core ([`HostCrypto`]), and where the
//! embedder installs it. The backend that asks it is `hosted.rs` (feature `v3-rules` without
//! `v3`); with `v3` too (features add up across a build), ring and rsa compute and an
//! installed host is not asked.

use std::sync::OnceLock;

use super::NONCE_LEN;

/// A key imported into the host: a number the host chose, valid until [`HostCrypto::release`].
pub type HostKey = u32;

/// The primitives a host computes for `wxpay::v3` when the crate is built without its own
/// backend (feature `v3-rules` without `v3`). Keys arrive already checked by the core (PEM, DER
/// structure, sizes), as DER; what a method answers with `None` or `false` becomes the same
/// error the native backend gives. No method may log or keep what it is given beyond the key
/// it imports.
pub trait HostCrypto: Sync {
    /// Imports an RSA private key: PKCS#8 `PrivateKeyInfo` DER if `pkcs8`, else PKCS#1
    /// `RSAPrivateKey` DER. The core has checked its structure and sizes; the host refuses
    /// (`None`) a key whose numbers do not belong together, as ring does: `p·q ≠ n`,
    /// `qInv·q ≢ 1 (mod p)`, `e·dP ≢ 1 (mod p−1)`; and, as ring, one whose `dQ` is wrong
    /// (`e·dQ ≢ 1 (mod q−1)`) is imported but does not sign (`None` from
    /// [`rsa_sha256_sign`](Self::rsa_sha256_sign)).
    fn import_private_key(&self, der: &[u8], pkcs8: bool) -> Option<HostKey>;
    /// Imports an RSA public key, `RSAPublicKey` (PKCS#1) DER.
    fn import_public_key(&self, pkcs1: &[u8]) -> Option<HostKey>;
    /// Forgets a key: its handle is not used again.
    fn release(&self, key: HostKey);
    /// SHA256withRSA (PKCS#1 v1.5) with a private key.
    fn rsa_sha256_sign(&self, key: HostKey, message: &[u8]) -> Option<Vec<u8>>;
    /// Whether `signature` is SHA256withRSA (PKCS#1 v1.5) of `message` under a public key.
    fn rsa_sha256_verify(&self, key: HostKey, message: &[u8], signature: &[u8]) -> bool;
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1 to a public key, randomised.
    fn rsa_oaep_sha1_encrypt(&self, key: HostKey, plaintext: &[u8]) -> Option<Vec<u8>>;
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1 with a private key; `None` when it does not decrypt.
    fn rsa_oaep_sha1_decrypt(&self, key: HostKey, ciphertext: &[u8]) -> Option<Vec<u8>>;
    /// AES-256-GCM decryption of ciphertext ‖ 16-byte tag; `None` when the tag does not match.
    fn aes_256_gcm_open(&self, key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], data: &[u8]) -> Option<Vec<u8>>;
    /// AES-256-GCM encryption: ciphertext ‖ 16-byte tag.
    fn aes_256_gcm_seal(&self, key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>>;
}

pub(super) static HOST: OnceLock<&'static dyn HostCrypto> = OnceLock::new();

/// Installs the host's primitives, once, before any key is read. A second call changes nothing.
pub fn install(host: &'static dyn HostCrypto) {
    let _ = HOST.set(host);
}
