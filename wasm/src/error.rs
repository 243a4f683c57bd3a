//! The one way errors reach JS: an `Error` with a stable `code`, a message that never holds the
//! API key, `retryable`, and for WeChat business errors `errCode` (v3 API errors add the HTTP
//! `status` and WeChat's `detail`).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use wxpay::Error;

use super::names::camel_name;

/// What a binding can fail with: a core error, or a JS value of the wrong shape.
pub enum Failure {
    Core(Error),
    /// `INVALID_ARGUMENT`: the JS caller passed something the declarations do not allow.
    Argument(String),
    /// `INVALID_ARGUMENT`: the caller's own code (a getter, a Proxy, a `get` method) threw while
    /// `what` was read; what it threw is the error's `cause`.
    Caller {
        what: String,
        cause: JsValue,
    },
    /// What a caller's own function threw (v3's `sign` callback), rethrown as it was.
    #[cfg(feature = "wasm-v3")]
    Thrown(JsValue),
    /// `SIGNATURE_MISMATCH` on a JSON body, with its likely cause and the fix in the message.
    #[cfg(feature = "wasm-v3")]
    SignatureMismatchJson,
}

pub type Result<T> = core::result::Result<T, Failure>;

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        to_js_error(f)
    }
}

/// A signature that does not match a JSON body: besides a wrong key, the classic cause is a
/// framework that parsed the JSON and serialized it again, whose bytes are not the ones WeChat
/// signed.
#[cfg(feature = "wasm-v3")]
const RESERIALIZED: &str = "signature mismatch (or the wrong key): if a framework parsed this JSON and it was serialized again \
    (JSON.stringify(req.body)), its bytes are not the ones WeChat signed: pass the raw body as received, e.g. express.raw({ type: 'application/json' })";

/// `INVALID_ARGUMENT` with `what` (the argument's name) before the reason.
pub fn argument(what: &str, reason: &str) -> Failure {
    let mut message = String::with_capacity(what.len() + reason.len() + 2);
    message.push_str(what);
    message.push_str(": ");
    message.push_str(reason);
    Failure::Argument(message)
}

fn to_js_error(f: Failure) -> JsValue {
    let f = match f {
        Failure::Core(e) => Failure::Core(in_js_names(e)),
        f => f,
    };
    let (code, message, err_code, retryable) = match &f {
        Failure::Core(e) => (e.code(), in_js_message(e), e.err_code(), e.is_retryable()),
        Failure::Argument(m) => ("INVALID_ARGUMENT", m.clone(), None, false),
        Failure::Caller { what, .. } => {
            ("INVALID_ARGUMENT", format!("{what}: the caller's code threw while it was read (see `cause`)"), None, false)
        }
        #[cfg(feature = "wasm-v3")]
        Failure::Thrown(value) => return value.clone(),
        #[cfg(feature = "wasm-v3")]
        Failure::SignatureMismatchJson => ("SIGNATURE_MISMATCH", RESERIALIZED.into(), None, false),
    };
    let error = js_sys::Error::new(&message);
    let set = |name: &str, value: JsValue| {
        // Setting a data property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str(name), &value);
    };
    set("code", JsValue::from_str(code));
    set("retryable", JsValue::from_bool(retryable));
    if let Failure::Caller { cause, .. } = &f {
        set("cause", cause.clone());
    }
    if let Some(c) = err_code {
        set("errCode", JsValue::from_str(c));
    }
    #[cfg(feature = "wasm-v3")]
    if let Failure::Core(Error::ApiError { status, detail, .. }) = &f {
        set("status", JsValue::from(*status));
        // `detail` is JSON text as WeChat sent it (the core checked that it parses).
        if let Some(d) = detail {
            set("detail", js_sys::JSON::parse(d).unwrap_or_else(|_| JsValue::from_str(d)));
        }
    }
    error.into()
}

/// The message, with the configuration field that a mismatch compares with named as the caller
/// wrote it (`mchId`, not WeChat's `mch_id`).
fn in_js_message(e: &Error) -> String {
    let message = e.to_string();
    let (wechat, js) = match e {
        Error::AppIdMismatch { .. } => ("appid", "appId"),
        Error::MchIdMismatch { .. } => ("mch_id", "mchId"),
        _ => return message,
    };
    match message.strip_prefix(wechat) {
        Some(rest) => [js, rest].concat(),
        None => message,
    }
}

/// The core names fields as WeChat does (`out_trade_no`); a JS caller wrote them, and reads
/// every result, in camelCase (`outTradeNo`), so its errors say that name.
fn in_js_names(e: Error) -> Error {
    match e {
        Error::MissingField { name } => Error::MissingField { name: camel_name(&name) },
        Error::InvalidField { name, reason } => Error::InvalidField { name: camel_name(&name), reason },
        e => e,
    }
}
