//! 敏感信息加解密: sensitive fields (a real name, a bank account) travel RSA-OAEP encrypted,
//! with SHA-1 and MGF1-SHA-1 as WeChat specifies, base64. Fields we send are encrypted to WeChat's
//! key (the WeChat Pay public key or a platform certificate, chosen by the rule of
//! [`KeySet::request_serial`], and the request names that key in `Wechatpay-Serial`); fields in
//! WeChat's answers are encrypted to the merchant's key and decrypted with [`MerchantKey`].
//!
//! ring has no OAEP, so natively this is RustCrypto's `rsa` (0.9) (built for a host, feature
//! `v3-rules` alone, the host computes it: `node:crypto` in the wasm package, OpenSSL's
//! constant-time implementation). `rsa`'s private-key operation is not
//! constant time: advisory RUSTSEC-2023-0071 (the Marvin attack), open, with no fixed version.
//! An attacker who can have many chosen ciphertexts decrypted with the merchant key and time
//! each decryption precisely could, in principle, learn the key. Here only
//! [`MerchantKey::decrypt_sensitive`] touches the private key through `rsa`, and only on the
//! fields of answers that the caller has already verified as WeChat's (a signed answer to our own
//! request); it is blinded, and it is never an oracle a stranger can query. Signing stays on
//! ring, and encryption uses only WeChat's public key, which the advisory does not concern.
//! Do not expose [`MerchantKey::decrypt_sensitive`] to unauthenticated input.

use base64::Engine as _;
use core::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::v3::keys::{MerchantKey, PublicKey};
use crate::v3::verify::KeySet;
use crate::v3::BASE64;

/// The plaintext of a sensitive field: a name, a bank account number. A secret: `Debug` prints
/// `***`, there is no `Display` and no `Serialize`, and the text is zeroed on drop.
///
/// ```
/// let name = wxpay::v3::SensitiveText::new("张三");
/// assert_eq!(format!("{name:?}"), "SensitiveText(***)");
/// assert_eq!(name.expose(), "张三");
/// ```
#[derive(Clone, Default)]
pub struct SensitiveText(Zeroizing<String>);

impl SensitiveText {
    /// Wraps a plaintext.
    pub fn new(text: impl Into<String>) -> Self {
        SensitiveText(Zeroizing::new(text.into()))
    }

    /// The plaintext. The name says what it does: keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SensitiveText {
    fn from(text: String) -> Self {
        SensitiveText::new(text)
    }
}

impl From<&str> for SensitiveText {
    fn from(text: &str) -> Self {
        SensitiveText::new(text)
    }
}

impl fmt::Debug for SensitiveText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SensitiveText(***)")
    }
}

/// WeChat's key that the sensitive fields of one request are encrypted to, with the serial the
/// request must carry in `Wechatpay-Serial` ([`KeySet::field_encryptor`]).
#[derive(Debug, Clone, Copy)]
pub struct FieldEncryptor<'a> {
    serial: &'a str,
    key: &'a PublicKey,
}

impl<'a> FieldEncryptor<'a> {
    /// Encrypts to `key`, to be sent with `Wechatpay-Serial: serial` (a `PUB_KEY_ID_…` or a
    /// platform certificate's serial number).
    pub fn new(serial: &'a str, key: &'a PublicKey) -> Self {
        FieldEncryptor { serial, key }
    }

    /// The `Wechatpay-Serial` of requests carrying what this encrypts.
    pub fn serial(&self) -> &'a str {
        self.serial
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) of `text` to WeChat's key, base64. OAEP is randomised: the
    /// same text gives a different ciphertext each time.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming `name` when the text is longer than OAEP allows (214 bytes
    /// for a 2048-bit key; the error gives only the length), [`Error::InvalidKey`] for a key
    /// over 4096 bits, or [`Error::Random`].
    pub fn encrypt(&self, name: &str, text: &SensitiveText) -> Result<String> {
        let key = self.key.backend();
        let max = key.oaep_sha1_max()?;
        if text.expose().len() > max {
            return Err(Error::invalid(name, format!("at most {max} bytes (UTF-8) to encrypt, got {}", text.expose().len())));
        }
        Ok(BASE64.encode(key.oaep_sha1_encrypt(text.expose().as_bytes())?))
    }
}

impl KeySet {
    /// The key the sensitive fields of a request made at `now` are encrypted to: the one
    /// [`KeySet::request_serial`] names, so that the request's `Wechatpay-Serial` is both the key
    /// of the answer and the key of its encrypted fields.
    ///
    /// # Errors
    /// As [`KeySet::request_serial`].
    pub fn field_encryptor(&self, now: u64) -> Result<FieldEncryptor<'_>> {
        let (serial, key) = self.request_key(now)?;
        Ok(FieldEncryptor { serial, key })
    }
}

impl MerchantKey {
    /// Decrypts a sensitive field of one of WeChat's answers (RSA-OAEP, SHA-1, MGF1-SHA-1,
    /// base64) with the merchant's private key. Verify the answer first
    /// ([`read_response`](crate::v3::read_response)): see this module's note on
    /// RUSTSEC-2023-0071.
    ///
    /// # Errors
    /// [`Error::InvalidField`] (`ciphertext`: not base64), [`Error::TruncatedCiphertext`]
    /// (shorter than the key), [`Error::OaepDecryptFailed`] (another key, or altered),
    /// [`Error::NotUtf8`], [`Error::InvalidKey`] (a key `rsa` cannot use), or [`Error::Random`].
    pub fn decrypt_sensitive(&self, ciphertext: &str) -> Result<SensitiveText> {
        let data = BASE64.decode(ciphertext.trim()).map_err(|_| Error::invalid("ciphertext", "not valid base64"))?;
        let plain = self.backend().oaep_sha1_decrypt(&data)?;
        match core::str::from_utf8(&plain) {
            Ok(text) => Ok(SensitiveText::new(text)),
            Err(e) => Err(Error::NotUtf8 { offset: e.valid_up_to() }),
        }
    }
}
