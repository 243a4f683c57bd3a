//! v3 answers: JSON bodies, WeChat's errors `{code, message, detail?}` with their HTTP
//! statuses, and the signature every answer carries (`Wechatpay-Timestamp`, `-Nonce`,
//! `-Signature`, `-Serial`, and `Request-ID`) under the key the request's `Wechatpay-Serial`
//! names.
//!
//! Codes and statuses follow the error tables of WeChat's v3 API reference (公共错误码 and
//! 业务错误码 of each API, e.g. 关闭订单: 400 PARAM_ERROR / INVALID_REQUEST / ORDER_CLOSED,
//! 401 SIGN_ERROR, 403 OUT_TRADE_NO_USED / NOT_ENOUGH / NO_AUTH, 404 ORDER_NOT_EXIST,
//! 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR) and the answers SDK users reported in the
//! wechatpay-java and WxJava trackers (the 404 RESOURCE_NOT_EXISTS of `/v3/certificates` for
//! new merchants; the shape of SIGN_ERROR's detail).

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::context::Sim;

/// One of WeChat's v3 errors.
#[derive(Debug)]
pub(crate) struct V3Error {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) detail: Option<Value>,
}

impl V3Error {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        V3Error { status, code: code.to_owned(), message: message.into(), detail: None }
    }

    /// 400 `PARAM_ERROR` naming where the bad value is (`body`, `query`, `uri`, `header`).
    pub(crate) fn param(location: &str, value: &str, message: impl Into<String>) -> Self {
        let mut e = V3Error::new(StatusCode::BAD_REQUEST, "PARAM_ERROR", message);
        e.detail = Some(json!({ "location": location, "value": value }));
        e
    }

    /// 400 `INVALID_REQUEST`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        V3Error::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// 401 `SIGN_ERROR`.
    pub(crate) fn sign(message: impl Into<String>) -> Self {
        V3Error::new(StatusCode::UNAUTHORIZED, "SIGN_ERROR", message)
    }

    /// 404 `ORDER_NOT_EXIST`.
    pub(crate) fn no_order() -> Self {
        V3Error::new(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在")
    }

    /// 500 `SYSTEM_ERROR`.
    pub(crate) fn system() -> Self {
        V3Error::new(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR", "系统错误")
    }

    /// A code chosen by a fault rule, with the status WeChat answers it with.
    pub(crate) fn injected(code: &str, message: Option<String>) -> Self {
        let status = match code {
            "SYSTEM_ERROR" | "SYSTEMERROR" => StatusCode::INTERNAL_SERVER_ERROR,
            "FREQUENCY_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
            "SIGN_ERROR" => StatusCode::UNAUTHORIZED,
            "NOT_ENOUGH" | "ORDERPAID" | "NO_AUTH" | "ACCOUNT_ERROR" | "REQUEST_BLOCKED" | "OUT_TRADE_NO_USED" | "RULE_LIMIT"
            | "TRADE_ERROR" => StatusCode::FORBIDDEN,
            "ORDER_NOT_EXIST" | "RESOURCE_NOT_EXISTS" | "ORDERNOTEXIST" => StatusCode::NOT_FOUND,
            "BANK_ERROR" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        V3Error::new(status, code, message.unwrap_or_else(|| format!("{code} (injected)")))
    }
}

impl IntoResponse for V3Error {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(d) = self.detail {
            body["detail"] = d;
        }
        (self.status, Json(body)).into_response()
    }
}

/// What a v3 handler answers.
pub(crate) type V3Result = Result<Response, V3Error>;

/// 200 with a JSON body.
pub(crate) fn ok(body: Value) -> V3Result {
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// 204, no body.
pub(crate) fn no_content() -> V3Result {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The `Wechatpay-*` headers of `body` signed under the key `requested` names (or the
/// mode's default), at the simulator's time: `(serial, timestamp, nonce, signature)`.
pub(crate) fn signature(sim: &Sim, requested: Option<&str>, body: &[u8]) -> Option<(String, String, String, String)> {
    let now_ms = sim.clock.now_ms();
    let now = now_ms.div_euclid(1000);
    let key = sim.v3.answer_key(requested, now_ms)?;
    let ts = now.to_string();
    let nonce = wxpay::nonce_str().ok()?;
    let signature = key.key.sign(&wxpay::v3::response_message(&ts, &nonce, body)).ok()?;
    Some((key.serial, ts, nonce, signature))
}

/// Adds the signature headers to an answer.
pub(crate) fn sign_headers(sim: &Sim, requested: Option<&str>, headers: &mut axum::http::HeaderMap, body: &[u8]) {
    let request_id = crate::rsakey::random_hex(16);
    headers.insert(HeaderName::from_static("request-id"), HeaderValue::from_str(&request_id).expect("hex is a header value"));
    let Some((serial, ts, nonce, sig)) = signature(sim, requested, body) else { return };
    for (name, value) in
        [("wechatpay-serial", serial), ("wechatpay-timestamp", ts), ("wechatpay-nonce", nonce), ("wechatpay-signature", sig)]
    {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}
