//! 证书和回调报文解密: `AEAD_AES_256_GCM` resources, in notifies and in the certificate
//! download.
//!
//! `resource = {algorithm, ciphertext, nonce, associated_data, original_type}`: the key is the
//! APIv3 key (32 bytes), the nonce the 12 ASCII bytes of `nonce`, the associated data the bytes
//! of `associated_data` (possibly empty), and `ciphertext` is base64 of the encrypted text with
//! the 16-byte GCM tag at its end (RFC 5116).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::crypto::{aes_256_gcm_open, aes_256_gcm_seal, NONCE_LEN, TAG_LEN};
use crate::v3::keys::ApiV3Key;
use crate::v3::BASE64;

/// The only algorithm WeChat Pay v3 uses.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// An encrypted resource as WeChat sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 of ciphertext ‖ tag.
    pub ciphertext: String,
    /// 12 characters, used as the GCM nonce (unrelated to the signature's nonce).
    pub nonce: String,
    /// The associated data; may be empty (WeChat uses e.g. `transaction`, `refund`,
    /// `certificate`).
    #[serde(default)]
    pub associated_data: String,
    /// The type of the plaintext object, e.g. `transaction`, `refund`.
    #[serde(default)]
    pub original_type: String,
}

fn nonce(nonce: &str) -> Result<[u8; NONCE_LEN]> {
    nonce.as_bytes().try_into().map_err(|_| Error::invalid("resource.nonce", "must be 12 bytes"))
}

impl EncryptedResource {
    /// Decrypts the resource to its plaintext bytes (UTF-8 JSON, or a PEM).
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`], [`Error::InvalidField`] (bad base64 or nonce),
    /// [`Error::TruncatedCiphertext`] (shorter than the tag), or [`Error::AeadTagMismatch`]
    /// (the wrong APIv3 key, or anything altered).
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Vec<u8>> {
        if self.algorithm != AEAD_AES_256_GCM {
            return Err(Error::UnsupportedAlgorithm(self.algorithm.chars().take(32).collect()));
        }
        let nonce = nonce(&self.nonce)?;
        let data = BASE64.decode(&self.ciphertext).map_err(|_| Error::invalid("resource.ciphertext", "not valid base64"))?;
        if data.len() < TAG_LEN {
            return Err(Error::TruncatedCiphertext { len: data.len() });
        }
        aes_256_gcm_open(key.as_bytes(), nonce, self.associated_data.as_bytes(), data).ok_or(Error::AeadTagMismatch)
    }

    /// [`decrypt`](Self::decrypt), as UTF-8 text.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt), or [`Error::NotUtf8`].
    pub fn decrypt_text(&self, key: &ApiV3Key) -> Result<String> {
        String::from_utf8(self.decrypt(key)?).map_err(|e| Error::NotUtf8 { offset: e.utf8_error().valid_up_to() })
    }

    /// Encrypts `plaintext` as WeChat does: for simulators and tests. `nonce` must be 12 bytes
    /// and never reused with the same key.
    ///
    /// # Errors
    /// [`Error::InvalidField`] if `nonce` is not 12 bytes.
    pub fn encrypt(
        key: &ApiV3Key,
        plaintext: &[u8],
        nonce_text: &str,
        associated_data: &str,
        original_type: &str,
    ) -> Result<EncryptedResource> {
        let data = aes_256_gcm_seal(key.as_bytes(), nonce(nonce_text)?, associated_data.as_bytes(), plaintext)
            .ok_or_else(|| Error::invalid("resource.ciphertext", "too long to encrypt"))?;
        Ok(EncryptedResource {
            algorithm: AEAD_AES_256_GCM.to_owned(),
            ciphertext: BASE64.encode(&data),
            nonce: nonce_text.to_owned(),
            associated_data: associated_data.to_owned(),
            original_type: original_type.to_owned(),
        })
    }
}
