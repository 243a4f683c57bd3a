//! `diagnoseSignError`: what a `SIGN_ERROR` answer says about the request that was signed, by
//! the core's rule ([`wxpay::v3::SignInformation::diagnose`]): the first line WeChat saw
//! otherwise, else the lengths, else the same message (the private key is not the serial's).
//! One rule for the server, `npx wxpay doctor` and any caller.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{from_js, required, to_js, Body, Scalar};
use super::error::{argument, Result};
use super::v3::AuthorizationInit;
use wxpay::v3::{SignDiagnosis, SignInformation, SignedRequest};

/// The diagnosis as JS sees it.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Diagnosis {
    /// `line`: `method`, `path`, `timestamp`, `nonce` or `body`; `expected` WeChat's, `signed`
    /// ours; `offset` the byte where ours parts.
    LineDiffers { line: &'static str, expected: String, signed: String, offset: usize },
    /// Every line shown agrees, but the bytes verified differ in number: the body sent is not
    /// the body signed.
    LengthDiffers { expected: u64, signed: u64 },
    /// WeChat verified the message we signed: the key is not the one of the serial.
    SameMessage,
}

/// What WeChat's `SIGN_ERROR` answer (`answer`, its body as received) says about the request
/// signed (`request`: `method`, `pathAndQuery`, `body`, `timestamp` and `nonceStr`, as given to
/// `buildAuthorization` or to a `build…` call): `lineDiffers` with the line, WeChat's and ours;
/// `lengthDiffers`; or `sameMessage` (the private key is not the one of the serial). `null` when
/// the answer is not a `SIGN_ERROR` carrying `detail.sign_information`.
///
/// @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
#[wasm_bindgen(js_name = diagnoseSignError, unchecked_return_type = "SignDiagnosis | null")]
pub fn diagnose_sign_error(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] answer: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "AuthorizationInit")] request: JsValue,
) -> Result<JsValue> {
    let answer = Body::read(answer, "answer")?;
    let r: AuthorizationInit = from_js(request, "request")?;
    let method = match required(r.method, "method")?.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        _ => return Err(argument("request.method", "must be GET, POST, PUT, PATCH or DELETE")),
    };
    let timestamp = match r.timestamp {
        Scalar::Int(n) => n,
        Scalar::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse().map_err(|_| argument("request.timestamp", "must be the seconds that were signed"))?
        }
        Scalar::Absent => return Err(wxpay::Error::missing("timestamp").into()),
        _ => return Err(argument("request.timestamp", "must be the seconds that were signed")),
    };
    let signed = SignedRequest {
        method,
        path_and_query: required(r.path_and_query, "path_and_query")?,
        body: r.body.unwrap_or_default(),
        authorization: String::new(),
        wechatpay_serial: None,
        timestamp,
        nonce: required(r.nonce_str, "nonce_str")?,
    };
    let Some(info) = SignInformation::from_error(&wxpay::v3::api_error(401, answer.bytes())) else { return Ok(JsValue::NULL) };
    to_js(&match info.diagnose(&signed) {
        SignDiagnosis::LineDiffers { line, expected, signed, offset } => {
            Diagnosis::LineDiffers { line: line.as_str(), expected, signed, offset }
        }
        SignDiagnosis::LengthDiffers { expected, signed } => Diagnosis::LengthDiffers { expected, signed },
        SignDiagnosis::SameMessage => Diagnosis::SameMessage,
    })
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What a `SIGN_ERROR` says about the request signed (`diagnoseSignError`). */
export type SignDiagnosis =
  | { kind: "lineDiffers"; line: "method" | "path" | "timestamp" | "nonce" | "body"; expected: string; signed: string; offset: number }
  | { kind: "lengthDiffers"; expected: number; signed: number }
  | { kind: "sameMessage" };
"#;
