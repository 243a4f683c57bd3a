//! 安全规范: the v2 signature over a message's parameters.
//!
//! MD5 is here because WeChat Pay v2 requires it for interoperability, not as a choice;
//! prefer `HMAC-SHA256` where you control the sign type.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::secret::ApiKey;
use crate::Params;

/// The two signature algorithms of WeChat Pay v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// `MD5` (the default when a request has no `sign_type`).
    #[default]
    Md5,
    /// `HMAC-SHA256`, keyed with the API key.
    HmacSha256,
}

impl SignType {
    /// The wire name: `MD5` or `HMAC-SHA256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// Length of the uppercase-hex signature this algorithm produces.
    pub const fn sign_len(self) -> usize {
        match self {
            SignType::Md5 => 32,
            SignType::HmacSha256 => 64,
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "MD5" => Ok(SignType::Md5),
            "HMAC-SHA256" => Ok(SignType::HmacSha256),
            other => Err(Error::UnsupportedSignType(other.chars().take(32).collect())),
        }
    }
}

impl Serialize for SignType {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SignType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the 64-byte uppercase hex digest lands; `len` is 32 or 64.
struct Hex {
    buf: [u8; 64],
    len: usize,
}

impl Hex {
    fn from_digest(bytes: &[u8]) -> Hex {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut buf = [0u8; 64];
        for (i, b) in bytes.iter().enumerate() {
            buf[2 * i] = DIGITS[usize::from(b >> 4)];
            buf[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
        }
        Hex { buf, len: bytes.len() * 2 }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn into_string(self) -> String {
        // Only ASCII hex digits were written.
        String::from_utf8(self.as_bytes().to_vec()).expect("ASCII hex")
    }
}

/// `k1=v1&k2=v2…&` into `out`, the signed text before `key=KEY`.
/// 安全规范: names in ASCII order (the map's order), empty values and `sign` skipped.
fn join<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, out: &mut Vec<u8>) {
    for (k, v) in pairs {
        if v.is_empty() || k == "sign" {
            continue;
        }
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_bytes());
        out.push(b'&');
    }
}

fn digest<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, key: &ApiKey, sign_type: SignType) -> Hex {
    let mut text = Vec::with_capacity(512);
    join(pairs, &mut text);
    hash(&text, key, sign_type)
}

/// The digest of `text` followed by `key=KEY`; the key is fed to the hasher, never copied into
/// the text. Not generic, so there is one copy of each algorithm in the `.wasm` whatever the
/// callers' iterator types (and one long `update` is faster than four a field).
fn hash(text: &[u8], key: &ApiKey, sign_type: SignType) -> Hex {
    match sign_type {
        SignType::Md5 => {
            let mut h = Md5::new();
            h.update(text);
            h.update(b"key=");
            h.update(key.as_bytes());
            Hex::from_digest(&h.finalize())
        }
        SignType::HmacSha256 => {
            let mut h = <Hmac<Sha256>>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
            h.update(text);
            h.update(b"key=");
            h.update(key.as_bytes());
            Hex::from_digest(&h.finalize().into_bytes())
        }
    }
}

/// Signs sorted `(name, value)` pairs. The caller guarantees ASCII order (a [`Params`] does).
pub(crate) fn sign_sorted<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, key: &ApiKey, sign_type: SignType) -> String {
    digest(pairs, key, sign_type).into_string()
}

/// The v2 signature of `params`: uppercase hex MD5 or HMAC-SHA256 of
/// `k1=v1&k2=v2…&key=API_KEY` over the non-empty parameters other than `sign`, in ASCII order.
///
/// ```
/// use wxpay::{sign, ApiKey, Params, SignType};
/// let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d")?;
/// let params: Params = [("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"),
///     ("device_info", "1000"), ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA")]
///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
/// assert_eq!(sign(&params, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
/// # Ok::<(), wxpay::Error>(())
/// ```
pub fn sign(params: &Params, key: &ApiKey, sign_type: SignType) -> String {
    sign_sorted(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), key, sign_type)
}

/// [`sign`] of `(name, value)` pairs in any order, names unique (an object's fields): sorted
/// here into ASCII order, then signed by the same rule.
///
/// ```
/// use wxpay::{ApiKey, SignType};
/// let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut fields = [("nonce_str", "ibuaiVcKdpRxkhJA"), ("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"),
///     ("body", "test"), ("device_info", "1000"), ("sign", "ignored"), ("attach", "")];
/// assert_eq!(wxpay::v2::sign_unsorted(&mut fields, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
/// # Ok::<(), wxpay::Error>(())
/// ```
pub fn sign_unsorted(fields: &mut [(&str, &str)], key: &ApiKey, sign_type: SignType) -> String {
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    sign_sorted(fields.iter().copied(), key, sign_type)
}

/// The string that is hashed, without the trailing `&key=…` (safe to log when debugging).
pub fn string_to_sign(params: &Params) -> String {
    let mut out = String::new();
    for (k, v) in params {
        if v.is_empty() || k == "sign" {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Which algorithm a received message was signed with: its `sign_type` field, else the length of
/// its `sign` (32 → MD5, 64 → HMAC-SHA256), else `fallback` (the merchant's configured type).
///
/// A payment notify for an HMAC-SHA256 order carries no `sign_type`, so the length rule matters.
pub fn detect_sign_type(params: &Params, fallback: SignType) -> Result<SignType> {
    if let Some(t) = params.get("sign_type").filter(|t| !t.is_empty()) {
        return t.parse();
    }
    Ok(match params.get("sign").map(String::len) {
        Some(32) => SignType::Md5,
        Some(64) => SignType::HmacSha256,
        _ => fallback,
    })
}

/// Verifies the `sign` of a received message in constant time and returns the algorithm used.
///
/// Every received field is covered, including ones this crate does not know: WeChat adds
/// fields over time and signs them too.
///
/// # Errors
/// [`Error::MissingSignature`], [`Error::UnsupportedSignType`] or [`Error::SignatureMismatch`].
///
/// ```
/// use wxpay::{sign, verify, ApiKey, Params, SignType};
/// let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut msg = Params::new();
/// msg.insert("out_trade_no".into(), "A1".into());
/// msg.insert("sign".into(), sign(&msg, &key, SignType::HmacSha256));
/// assert_eq!(verify(&msg, &key, SignType::Md5)?, SignType::HmacSha256);
/// msg.insert("out_trade_no".into(), "A2".into());
/// assert_eq!(verify(&msg, &key, SignType::Md5), Err(wxpay::Error::SignatureMismatch));
/// # Ok::<(), wxpay::Error>(())
/// ```
pub fn verify(params: &Params, key: &ApiKey, fallback: SignType) -> Result<SignType> {
    let given = params.get("sign").filter(|s| !s.is_empty()).ok_or(Error::MissingSignature)?;
    let sign_type = detect_sign_type(params, fallback)?;
    let expected = digest(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), key, sign_type);
    verify_hex(given, &expected, sign_type)
}

/// Verifies `given` against signed `(name, value)` pairs in ASCII order (used for `paySign`).
pub(crate) fn verify_sorted<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    given: &str,
    key: &ApiKey,
    sign_type: SignType,
) -> Result<SignType> {
    verify_hex(given, &digest(pairs, key, sign_type), sign_type)
}

fn verify_hex(given: &str, expected: &Hex, sign_type: SignType) -> Result<SignType> {
    // Hex case carries no meaning; normalising the untrusted input leaks nothing about the key.
    let given = given.to_ascii_uppercase();
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(sign_type)
    } else {
        Err(Error::SignatureMismatch)
    }
}
