//! RSA 2048 keys as WeChat's are (the merchant API key, the WeChat Pay public key, platform
//! certificates): generated here because ring, which signs with them, cannot make them.

use base64::Engine as _;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};

use crate::error::{Error, Result};

fn key_error(e: impl std::fmt::Display) -> Error {
    Error::Pki(format!("RSA key: {e}"))
}

/// PEM text of DER: base64 in lines of 64 between the label's lines.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("base64 is ASCII")).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// A new RSA 2048 key pair: the private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) and
/// the public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
pub(crate) fn generate() -> Result<(String, String)> {
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(key_error)?;
    let private = key.to_pkcs8_der().map_err(key_error)?;
    let public = rsa::RsaPublicKey::from(&key).to_public_key_der().map_err(key_error)?;
    Ok((pem("PRIVATE KEY", private.as_bytes()), pem("PUBLIC KEY", public.as_bytes())))
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
