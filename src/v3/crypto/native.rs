//! The native backend (feature `v3`): ring for RSA signatures and AES-256-GCM, RustCrypto's
//! `rsa` for RSA-OAEP, which ring does not offer.
//!
//! ring's private-key operations are constant-time and blinded. `rsa`'s private-key decryption
//! is not constant time: advisory RUSTSEC-2023-0071, see src/v3/sensitive.rs for where it is
//! used and why that is acceptable there.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::rand::SystemRandom;
use ring::signature::{KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use super::{NONCE_LEN, OAEP_SHA1_OVERHEAD};
use crate::error::{Error, Result};

/// The merchant's RSA private key.
pub(crate) struct PrivateKey {
    pair: RsaKeyPair,
    rng: SystemRandom,
    /// The key as read, for what ring cannot do with it: RSA-OAEP. Zeroed on drop.
    der: Zeroizing<Vec<u8>>,
    pkcs8: bool,
}

impl PrivateKey {
    /// `None` if it is not an RSA key ring accepts (2048 to 4096 bits, consistent).
    pub(crate) fn from_der(der: Zeroizing<Vec<u8>>, pkcs8: bool) -> Option<Self> {
        let pair = if pkcs8 { RsaKeyPair::from_pkcs8(&der) } else { RsaKeyPair::from_der(&der) }.ok()?;
        Some(PrivateKey { pair, rng: SystemRandom::new(), der, pkcs8 })
    }

    /// SHA256withRSA (PKCS#1 v1.5) of `message`.
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0; self.pair.public().modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut sig).map_err(|_| Error::Random)?;
        Ok(sig)
    }

    /// The public half.
    pub(crate) fn public(&self) -> VerifyingKey {
        VerifyingKey { pkcs1: self.pair.public_key().as_ref().to_vec() }
    }

    /// The modulus' length in bytes.
    pub(crate) fn modulus_len(&self) -> usize {
        self.pair.public().modulus_len()
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) decryption, blinded.
    pub(crate) fn oaep_sha1_decrypt(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let key = if self.pkcs8 { RsaPrivateKey::from_pkcs8_der(&self.der).ok() } else { RsaPrivateKey::from_pkcs1_der(&self.der).ok() }
            .ok_or(Error::InvalidKey("merchant private key cannot be used for RSA-OAEP (over 4096 bits?)"))?;
        if data.len() < key.size() {
            return Err(Error::TruncatedCiphertext { len: data.len() });
        }
        let mut rng = GetrandomRng::new()?;
        Ok(Zeroizing::new(key.decrypt_blinded(&mut rng, Oaep::new::<sha1::Sha1>(), data).map_err(|_| Error::OaepDecryptFailed)?))
    }
}

/// An RSA public key of WeChat's, as the backend verifies and encrypts with.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct VerifyingKey {
    /// `RSAPublicKey` (PKCS#1) DER, the form ring verifies with.
    pkcs1: Vec<u8>,
}

impl VerifyingKey {
    /// The key, whose structure and size the core has checked.
    pub(crate) fn from_pkcs1(pkcs1: Vec<u8>, _bits: usize) -> Option<Self> {
        Some(VerifyingKey { pkcs1 })
    }

    /// Whether `signature` is SHA256withRSA (PKCS#1 v1.5) of `message` under this key.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.pkcs1).verify(message, signature).is_ok()
    }

    /// The longest plaintext RSA-OAEP (SHA-1) takes with this key.
    pub(crate) fn oaep_sha1_max(&self) -> Result<usize> {
        Ok(self.oaep_key()?.size().saturating_sub(OAEP_SHA1_OVERHEAD))
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) of `plaintext`, randomised.
    pub(crate) fn oaep_sha1_encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let key = self.oaep_key()?;
        let mut rng = GetrandomRng::new()?;
        key.encrypt(&mut rng, Oaep::new::<sha1::Sha1>(), plaintext).map_err(|_| Error::Random)
    }

    fn oaep_key(&self) -> Result<RsaPublicKey> {
        RsaPublicKey::from_pkcs1_der(&self.pkcs1).map_err(|_| Error::InvalidKey("WeChat's key is over 4096 bits"))
    }
}

fn cipher(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte key"))
}

/// AES-256-GCM decryption of ciphertext ‖ tag; `None` when the tag does not match.
pub(crate) fn aes_256_gcm_open(key: &[u8; 32], nonce: [u8; NONCE_LEN], aad: &[u8], mut data: Vec<u8>) -> Option<Vec<u8>> {
    let plain_len = cipher(key).open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut data).ok()?.len();
    data.truncate(plain_len);
    Some(data)
}

/// AES-256-GCM encryption: ciphertext ‖ tag; `None` if too long for GCM.
pub(crate) fn aes_256_gcm_seal(key: &[u8; 32], nonce: [u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let mut data = plaintext.to_vec();
    cipher(key).seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut data).ok()?;
    Some(data)
}

/// `rsa` takes a `rand_core` 0.6 RNG; its `OsRng` goes through getrandom 0.2, which needs its
/// own `js` feature on wasm32. This one draws from getrandom 0.4 (Web Crypto in wasm, already
/// configured), as `nonce_str` does.
struct GetrandomRng;

impl GetrandomRng {
    /// Checks that the random source works, so that its absence is [`Error::Random`] here rather
    /// than a panic inside `rsa` (`fill_bytes` cannot fail, as `OsRng`'s).
    fn new() -> Result<Self> {
        getrandom::fill(&mut [0u8; 1]).map_err(|_| Error::Random)?;
        Ok(GetrandomRng)
    }
}

impl rand_core::RngCore for GetrandomRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // As OsRng: a random source that worked a moment ago and now fails is not recoverable.
        getrandom::fill(dest).expect("the random source failed after working");
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> core::result::Result<(), rand_core::Error> {
        getrandom::fill(dest)
            .map_err(|_| rand_core::Error::from(core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START).expect("non-zero")))
    }
}

impl rand_core::CryptoRng for GetrandomRng {}
