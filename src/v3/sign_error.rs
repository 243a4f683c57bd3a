//! `SIGN_ERROR` (HTTP 401) carries what WeChat verified: `detail.sign_information` holds
//! `method`, `url`, `sign_message_length` (bytes) and `truncated_sign_message`, the message
//! WeChat built from our request (`METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY\n`) with the body cut
//! after a few characters. Compared with what we signed, it shows the first line that differs.
//!
//! A diagnosis carries lines of the request (method, path, timestamp, nonce, the start of the
//! body), never the signature, `Authorization` or a key.

use core::fmt;

use serde_json::Value;

use crate::error::{quoted, Error, Result};
use crate::v3::request::SignedRequest;

/// The most characters of the body a diagnosis keeps (WeChat shows about 8).
const BODY_EXCERPT_CHARS: usize = 64;
/// The most characters of another line a diagnosis keeps (a path is at most 2048).
const LINE_EXCERPT_CHARS: usize = 2048;

/// `detail.sign_information` of a `SIGN_ERROR` answer: the message WeChat verified our
/// signature against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInformation {
    /// The HTTP method WeChat saw.
    pub method: String,
    /// The path and query WeChat saw.
    pub url: String,
    /// The length in bytes of the whole message WeChat verified, when given.
    pub sign_message_length: Option<u64>,
    /// The message WeChat verified, its body cut short (then a final `\n`).
    pub truncated_sign_message: String,
}

/// A line of the signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignLine {
    /// The HTTP method.
    Method,
    /// The path with its query string.
    Path,
    /// The timestamp (seconds).
    Timestamp,
    /// The nonce.
    Nonce,
    /// The body.
    Body,
}

impl SignLine {
    /// `method`, `path`, `timestamp`, `nonce` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignLine::Method => "method",
            SignLine::Path => "path",
            SignLine::Timestamp => "timestamp",
            SignLine::Nonce => "nonce",
            SignLine::Body => "body",
        }
    }
}

impl fmt::Display for SignLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a `SIGN_ERROR` says about our request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignDiagnosis {
    /// The first line that differs. `expected` is WeChat's line and `signed` ours (for the body,
    /// as many characters as WeChat shows, at most 64); `offset` is the byte in
    /// our line where they part.
    LineDiffers {
        /// Which line.
        line: SignLine,
        /// WeChat's.
        expected: String,
        /// Ours.
        signed: String,
        /// The byte offset in our line of the first difference.
        offset: usize,
    },
    /// Every line WeChat shows agrees, but the message it verified has another length: the body
    /// sent is not the body signed past the part shown (serialised again, or re-encoded).
    LengthDiffers {
        /// The bytes WeChat verified.
        expected: u64,
        /// The bytes we signed.
        signed: u64,
    },
    /// WeChat verified the message we signed: the signature was made with a private key that is
    /// not the one of the certificate `serial_no` names, or it was altered on the way.
    SameMessage,
}

impl fmt::Display for SignDiagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignDiagnosis::LineDiffers { line, expected, signed, offset } => write!(
                f,
                "the {line} line differs at byte {offset}: WeChat verified {}, we signed {}",
                quoted(expected),
                quoted(signed)
            ),
            SignDiagnosis::LengthDiffers { expected, signed } => write!(
                f,
                "the lines shown agree, but WeChat verified {expected} bytes and we signed {signed}: the body sent is not the body signed"
            ),
            SignDiagnosis::SameMessage => f.write_str(
                "WeChat verified the message we signed: the private key is not the one of the certificate serial_no names, or the signature was altered",
            ),
        }
    }
}

impl SignInformation {
    /// The sign information of a [`Error::ApiError`] with code `SIGN_ERROR`, if its `detail`
    /// carries one.
    pub fn from_error(error: &Error) -> Option<Self> {
        match error {
            Error::ApiError { code, detail: Some(detail), .. } if code == "SIGN_ERROR" => Self::from_detail(detail).ok(),
            _ => None,
        }
    }

    /// Reads `detail` (the JSON text of [`Error::ApiError`]'s `detail`, `sign_information` at
    /// its top) or the whole answer body (`sign_information` under `detail`).
    /// `sign_message_length` may be a number or a string of digits.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] when there is no `sign_information` with a
    /// `truncated_sign_message`.
    pub fn from_detail(detail: &str) -> Result<Self> {
        let missing = || Error::MalformedJson("detail has no sign_information.truncated_sign_message".to_owned());
        let value: Value = serde_json::from_str(detail).map_err(|e| Error::MalformedJson(e.to_string()))?;
        let info = value.get("sign_information").or_else(|| value.get("detail")?.get("sign_information")).ok_or_else(missing)?;
        let text = |k: &str| info.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let sign_message_length = match info.get("sign_message_length") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let truncated_sign_message = info.get("truncated_sign_message").and_then(Value::as_str).ok_or_else(missing)?.to_owned();
        Ok(SignInformation { method: text("method"), url: text("url"), sign_message_length, truncated_sign_message })
    }

    /// The lines WeChat verified: method, path, timestamp and nonce whole, the body cut. Absent
    /// lines (a message cut early) fall back to `method` and `url`, or are `None`.
    fn lines(&self) -> [Option<String>; 5] {
        let m = &self.truncated_sign_message;
        // The newlines are JSON escapes, real newlines once parsed; a body logged and pasted
        // back may bring them as a literal backslash and n instead.
        let m = if !m.contains('\n') && m.contains("\\n") { m.replace("\\n", "\n") } else { m.clone() };
        let mut parts = m.splitn(5, '\n').map(str::to_owned);
        let mut lines: [Option<String>; 5] = core::array::from_fn(|_| parts.next());
        if let Some(body) = &mut lines[4] {
            // WeChat ends the cut message with the body line's `\n`.
            if body.ends_with('\n') {
                body.pop();
            }
        }
        let fallback = |line: &mut Option<String>, field: &str| {
            if line.as_deref().is_none_or(str::is_empty) && !field.is_empty() {
                *line = Some(field.to_owned());
            }
        };
        fallback(&mut lines[0], &self.method);
        fallback(&mut lines[1], &self.url);
        lines
    }

    /// Compares what WeChat verified with what was `signed`: the first line that differs, else
    /// the lengths, else the same message.
    ///
    /// ```
    /// use wxpay::v3::{SignDiagnosis, SignInformation, SignLine};
    /// let detail = r#"{"sign_information":{"method":"GET","url":"/v3/certificates",
    ///     "truncated_sign_message":"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
    ///     "sign_message_length":66}}"#;
    /// let info = SignInformation::from_detail(detail)?;
    /// # let merchant = wxpay::v3::Merchant::new("wx2421b1c4370ec43b", "1900000109", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    /// #     wxpay::v3::MerchantKey::from_pem(include_str!("../../tests/data/v3_test_merchant_key.pem"))?)?;
    /// // We signed another nonce than the one in the Authorization header WeChat read.
    /// let signed = merchant.sign_request(&wxpay::v3::DownloadCertificatesRequest, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB243")?;
    /// match info.diagnose(&signed) {
    ///     SignDiagnosis::LineDiffers { line, offset, .. } => assert_eq!((line, offset), (SignLine::Nonce, 31)),
    ///     other => panic!("{other}"),
    /// }
    /// # Ok::<(), wxpay::Error>(())
    /// ```
    pub fn diagnose(&self, signed: &SignedRequest) -> SignDiagnosis {
        let timestamp = signed.timestamp.to_string();
        let ours: [&str; 5] = [signed.method, &signed.path_and_query, &timestamp, &signed.nonce, &signed.body];
        let order = [SignLine::Method, SignLine::Path, SignLine::Timestamp, SignLine::Nonce, SignLine::Body];
        for ((line, expected), ours) in order.into_iter().zip(self.lines()).zip(ours) {
            let Some(expected) = expected else { continue };
            let differs = match line {
                // The body is shown cut: ours must start with what is shown.
                SignLine::Body => first_difference(&expected, ours).filter(|&i| i < expected.len()),
                _ => first_difference(&expected, ours),
            };
            if let Some(offset) = differs {
                let (shown, max) = match line {
                    SignLine::Body => (
                        &ours[..ours.char_indices().nth(expected.chars().count().max(1)).map_or(ours.len(), |(i, _)| i)],
                        BODY_EXCERPT_CHARS,
                    ),
                    _ => (ours, LINE_EXCERPT_CHARS),
                };
                return SignDiagnosis::LineDiffers { line, expected: excerpt(&expected, max), signed: excerpt(shown, max), offset };
            }
        }
        let signed_length = signed.message().len() as u64;
        match self.sign_message_length {
            Some(expected) if expected != signed_length => SignDiagnosis::LengthDiffers { expected, signed: signed_length },
            _ => SignDiagnosis::SameMessage,
        }
    }
}

/// The byte offset (in both, on a character boundary) where `a` and `b` first differ, if they do.
fn first_difference(a: &str, b: &str) -> Option<usize> {
    let mut offset = 0;
    let (mut x, mut y) = (a.chars(), b.chars());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return None,
            (Some(c), Some(d)) if c == d => offset += c.len_utf8(),
            _ => return Some(offset),
        }
    }
}

fn excerpt(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
