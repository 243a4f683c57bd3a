//! RSA 2048 keys as WeChat's are (the merchant API key, the WeChat Pay public key, platform
//! certificates): generated here because ring, which signs with them, cannot make them.

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use crate::error::{Error, Result};

fn key_error(e: impl std::fmt::Display) -> Error {
    Error::Pki(format!("RSA key: {e}"))
}

/// A new RSA 2048 private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
pub(crate) fn generate_pem() -> Result<String> {
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(key_error)?;
    Ok(key.to_pkcs8_pem(LineEnding::LF).map_err(key_error)?.to_string())
}

/// The public half of a PKCS#8 PEM private key, as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
pub(crate) fn public_pem(private_pem: &str) -> Result<String> {
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).map_err(key_error)?;
    rsa::RsaPublicKey::from(&key).to_public_key_pem(LineEnding::LF).map_err(key_error)
}

/// Whether `pem` is an RSA private key of at least 2048 bits (a v3 merchant key).
pub(crate) fn is_rsa(pem: &str) -> bool {
    wxpay::v3::MerchantKey::from_pem(pem).is_ok()
}

/// `n` random bytes as upper-case hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("random source");
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// A certificate serial number of 20 bytes (40 hex digits, as WeChat's): positive and
/// without a leading zero byte, so its hex form is always 40 digits.
pub(crate) fn serial_bytes() -> Vec<u8> {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).expect("random source");
    b[0] = (b[0] & 0x7f).max(0x10);
    b.to_vec()
}
