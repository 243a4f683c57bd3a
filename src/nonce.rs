//! Random `nonce_str` values, through `getrandom` (which also feeds RSA-OAEP in
//! `v3::sensitive`; ring draws its blinding from its own source).

use crate::error::{Error, Result};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A fresh 32-character `[0-9A-Za-z]` nonce from the OS (or, in wasm, Web Crypto) random source.
///
/// Every function that needs a nonce takes it as an argument; this is the helper to make one.
///
/// # Errors
/// [`Error::Random`] if the platform has no random source.
pub fn nonce_str() -> Result<String> {
    let mut out = String::with_capacity(32);
    // Rejection sampling keeps the 62 symbols uniform (248 = 4 × 62).
    while out.len() < 32 {
        let mut buf = [0u8; 48];
        getrandom::fill(&mut buf).map_err(|_| Error::Random)?;
        for b in buf {
            if b < 248 && out.len() < 32 {
                out.push(ALPHABET[usize::from(b % 62)] as char);
            }
        }
    }
    Ok(out)
}
