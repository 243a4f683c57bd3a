//! JS values in and out, with `serde-wasm-bindgen`: argument objects are read into the structs
//! of the export groups (camelCase names, WeChat's snake_case names as aliases, unknown names
//! refused), and results are written from the core's types, which serialise with camelCase names
//! and leave absent fields out.
//!
//! What serde cannot say with a stable code is read here as a [`Scalar`] and converted with
//! the core's own errors: an amount that is not integer fen is `INVALID_AMOUNT`, a required
//! field left out is `MISSING_FIELD` by its WeChat name.

use core::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::Serialize;
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use super::error::{argument, Failure, Result};
use super::js;
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
use wxpay::v2::TradeRef;
#[cfg(not(feature = "wasm-v3"))]
use wxpay::v2::{Merchant, SignType};
#[cfg(not(feature = "wasm-v3"))]
use wxpay::ApiKey;
use wxpay::{Error, Fen};

/// JS numbers are exact up to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A plain object argument read into `T`. `null`, arrays and non-objects are refused by name
/// (serde would read an array as a map of its indices), and so are names `T` does not know
/// (`#[serde(deny_unknown_fields)]`): a misspelt optional field must not vanish silently.
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T> {
    if !js::is_record(&value, what)? {
        return Err(argument(what, "must be an object"));
    }
    // A plain copy: serde reads it without reaching the caller's getters or Proxies.
    let value = js::plain(&value, what)?;
    T::deserialize(AllKeys(serde_wasm_bindgen::Deserializer::from(value))).map_err(|e| {
        // serde-wasm-bindgen's own `Error`s; anything else (never, on a plain copy) by its shape.
        match JsValue::from(e).dyn_into::<js_sys::Error>() {
            Ok(error) => argument(what, &String::from(error.message())),
            Err(_) => argument(what, "is not of the declared shape"),
        }
    })
}

/// `serde-wasm-bindgen` reads a struct by looking up the names the struct knows, so it never
/// sees the others; read as a map, every own property reaches the struct's visitor, which
/// refuses unknown ones.
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
struct AllKeys(serde_wasm_bindgen::Deserializer);

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
impl<'de> Deserializer<'de> for AllKeys {
    type Error = serde_wasm_bindgen::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Self::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// A result as a plain JS object (maps too: `parseXml`'s fields).
pub fn to_js(value: &impl Serialize) -> Result<JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)).map_err(|_| {
        // The core's results hold strings and amounts; only an amount past 2^53 fails here.
        Failure::Core(Error::InvalidAmount {
            value: String::new(),
            reason: "larger than Number.MAX_SAFE_INTEGER cannot be returned exactly",
        })
    })
}

/// A message body: a JS string, or the raw bytes of a request (`Buffer` is a `Uint8Array`),
/// which keeps `NOT_UTF8` detectable.
pub enum Body {
    Text(String),
    Bytes(Vec<u8>),
}

impl Body {
    /// An XML message (the v2 groups).
    #[cfg(not(feature = "wasm-v3"))]
    pub fn from_js(value: &JsValue) -> Result<Body> {
        Body::read(value, "xml")
    }

    /// The argument `what`. A request body that is `undefined` or an object is what a web
    /// framework leaves when its body parser did not match the content type, or parsed the
    /// body already: the message names that cause and the fix (`INVALID_ARGUMENT` still).
    pub fn read(value: &JsValue, what: &str) -> Result<Body> {
        if let Some(s) = value.as_string() {
            Ok(Body::Text(s))
        } else if let Some(bytes) = js::bytes(value, what)? {
            Ok(Body::Bytes(bytes))
        } else {
            Err(argument(what, &Body::refusal(value, what)))
        }
    }

    /// Why `value` is not a body, and what to pass instead.
    fn refusal(value: &JsValue, what: &str) -> String {
        let found = if value.is_undefined() {
            "is undefined: no body parser read the body (none matched its content type)"
        } else if value.is_object() {
            "is an object: a body parser parsed the body (or left {} without reading it)"
        } else {
            return "must be a string or a Uint8Array".into();
        };
        // v2 notifies are XML (text/xml); v3 notifies and answers are JSON.
        let (raw, of) = match what {
            "xml" => ("express.raw({ type: 'text/xml' })", "the request"),
            "body" => ("express.raw({ type: 'application/json' })", "the request"),
            _ => ("Buffer.from(await res.arrayBuffer())", "the answer"),
        };
        let mut m = String::with_capacity(200);
        for part in [found, ": pass the raw body of ", of, " as received (a Buffer or a string), e.g. ", raw] {
            m.push_str(part);
        }
        m
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Text(s) => s.as_bytes(),
            Body::Bytes(b) => b,
        }
    }
}

/// A JS value where WeChat expects text or a whole number, before its field decides what is
/// allowed: `null` and `undefined` are [`Scalar::Absent`].
pub enum Scalar {
    Absent,
    Text(String),
    /// A non-negative safe integer.
    Int(u64),
    /// Any other number: a fraction, a negative, an unsafe integer, `NaN`, an infinity.
    Num(f64),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> core::result::Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> core::result::Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> core::result::Result<Scalar, E> {
                Ok(if v <= MAX_SAFE_INTEGER { Scalar::Int(v) } else { Scalar::Num(v as f64) })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> core::result::Result<Scalar, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Ok(Scalar::Num(v as f64)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> core::result::Result<Scalar, E> {
                Ok(Scalar::Num(v))
            }
            fn visit_unit<E: de::Error>(self) -> core::result::Result<Scalar, E> {
                Ok(Scalar::Absent)
            }
            fn visit_none<E: de::Error>(self) -> core::result::Result<Scalar, E> {
                Ok(Scalar::Absent)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> core::result::Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for Scalar {
    /// A field left out.
    fn default() -> Self {
        Scalar::Absent
    }
}

impl Scalar {
    pub fn from_f64(x: f64) -> Scalar {
        if x.is_finite() && x.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&x) {
            Scalar::Int(x as u64)
        } else {
            Scalar::Num(x)
        }
    }

    /// An amount: integer fen, as a safe integer or a string of digits. Never a fraction.
    pub fn fen(self) -> Result<Option<Fen>> {
        match self {
            Scalar::Absent => Ok(None),
            Scalar::Text(s) => Ok(Some(s.parse()?)),
            Scalar::Int(n) => Ok(Some(Fen::new(n))),
            Scalar::Num(x) => {
                let reason = if !x.is_finite() {
                    "not a finite number"
                } else if x < 0.0 {
                    "amounts cannot be negative"
                } else if x.fract() != 0.0 {
                    "amounts are integer fen, not decimals"
                } else {
                    "larger than Number.MAX_SAFE_INTEGER: pass it as a string"
                };
                Err(Error::InvalidAmount { value: js_number_text(x), reason }.into())
            }
        }
    }

    pub fn req_fen(self, name: &str) -> Result<Fen> {
        required(self.fen()?, name)
    }

    /// A non-negative integer: a safe integer, or a string of digits.
    #[cfg(feature = "wasm-api")]
    pub fn uint(self, what: &str) -> Result<Option<u64>> {
        match self {
            Scalar::Absent => Ok(None),
            Scalar::Int(n) => Ok(Some(n)),
            Scalar::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().map(Some).map_err(|_| argument(what, "is too large"))
            }
            _ => Err(argument(what, "must be a non-negative integer")),
        }
    }

    /// A flat WeChat field's value: a string, or a safe integer written in decimal. An amount
    /// field (`…_fee`) that is not integer fen is `INVALID_AMOUNT`.
    #[cfg(feature = "wasm-api")]
    pub fn field(self, name: &str) -> Result<Option<String>> {
        match self {
            Scalar::Absent => Ok(None),
            Scalar::Text(s) => Ok(Some(s)),
            Scalar::Int(n) => Ok(Some(n.to_string())),
            Scalar::Num(_) if name.ends_with("_fee") => self.fen().map(|f| f.map(|f| f.get().to_string())),
            Scalar::Num(_) => Err(argument(name, "must be a string or a non-negative safe integer")),
        }
    }
}

/// JS prints the number: the crate keeps no float formatting of its own.
fn js_number_text(x: f64) -> String {
    js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// Which payment: WeChat's `transactionId` or the merchant's `outTradeNo`, one of them.
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
pub fn trade_ref(transaction_id: Option<String>, out_trade_no: Option<String>, what: &str) -> Result<TradeRef> {
    match (transaction_id, out_trade_no) {
        (Some(id), None) => Ok(TradeRef::TransactionId(id)),
        (None, Some(no)) => Ok(TradeRef::OutTradeNo(no)),
        (Some(_), Some(_)) => Err(argument(what, "give `transactionId` or `outTradeNo`, not both")),
        (None, None) => Err(Error::missing("out_trade_no").into()),
    }
}

/// A required field, `MISSING_FIELD` by its WeChat name when absent.
pub fn required<T>(value: Option<T>, name: &str) -> Result<T> {
    value.ok_or_else(|| Error::missing(name).into())
}

/// A v2 sign type, `UNSUPPORTED_SIGN_TYPE` when it is not one.
#[cfg(not(feature = "wasm-v3"))]
pub fn sign_type_in(value: Option<String>) -> Result<Option<SignType>> {
    value.map(|s| s.parse().map_err(Failure::Core)).transpose()
}

/// `{ appId, mchId, key, signType? }` (or WeChat's `appid`, `mch_id`, `sign_type`).
///
/// Read property by property rather than through serde: it is the one object the notify
/// entry point reads, and serde's error machinery (its messages format floats) would be a
/// tenth of that `.wasm` (BENCHMARKS.md).
#[cfg(not(feature = "wasm-v3"))]
#[derive(Default)]
pub struct MerchantConfig {
    app_id: Option<String>,
    mch_id: Option<String>,
    key: Option<String>,
    sign_type: Option<String>,
}

#[cfg(not(feature = "wasm-v3"))]
impl MerchantConfig {
    pub fn read(value: JsValue) -> Result<Merchant> {
        const WHAT: &str = "merchant";
        if !js::is_record(&value, WHAT)? {
            return Err(argument(WHAT, "must be an object"));
        }
        let mut c = MerchantConfig::default();
        for (name, v) in js::own_entries(&value, WHAT)? {
            let slot = match name.as_str() {
                "appId" | "appid" => &mut c.app_id,
                "mchId" | "mch_id" => &mut c.mch_id,
                "key" => &mut c.key,
                "signType" | "sign_type" => &mut c.sign_type,
                _ if v.is_undefined() => continue,
                _ => return Err(argument(WHAT, &format!("unknown field `{name}`"))),
            };
            if v.is_null() || v.is_undefined() {
                continue;
            }
            let Some(text) = v.as_string() else { return Err(argument(WHAT, &format!("`{name}` must be a string"))) };
            if slot.replace(text).is_some() {
                return Err(argument(WHAT, &format!("`{name}` is given twice")));
            }
        }
        let appid = required(c.app_id, "appid")?;
        let mch_id = required(c.mch_id, "mch_id")?;
        let key = ApiKey::new(required(c.key, "key")?)?;
        let sign_type = sign_type_in(c.sign_type)?.unwrap_or_default();
        Ok(Merchant::new(appid, mch_id, key).with_sign_type(sign_type))
    }
}

/// A plain object of the acceptance rule read property by property, as [`MerchantConfig`] is (no
/// serde deserializer in the notify entry point): the names it reads (`known`), names it passes
/// over (`ignored`, e.g. the other fields of a result object handed back as it is), and any
/// other name refused, so that a misspelt field cannot vanish. `null` and `undefined` are absent.
pub struct Props {
    what: &'static str,
    entries: Vec<(String, JsValue)>,
}

impl Props {
    pub fn read(value: JsValue, what: &'static str, known: &[&str], ignored: &[&str]) -> Result<Props> {
        if !js::is_record(&value, what)? {
            return Err(argument(what, "must be an object"));
        }
        let mut entries = Vec::new();
        for (name, v) in js::own_entries(&value, what)? {
            if v.is_null() || v.is_undefined() || ignored.contains(&name.as_str()) {
                continue;
            }
            if !known.contains(&name.as_str()) {
                return Err(argument(what, &format!("unknown field `{name}`")));
            }
            entries.push((name, v));
        }
        Ok(Props { what, entries })
    }

    fn get(&self, name: &str) -> Option<&JsValue> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// An object property (v3's `amount`, `payer`), read as [`Props::read`] reads `what`.
    #[cfg(feature = "wasm-v3")]
    pub fn object(&self, name: &str, what: &'static str, known: &[&str], ignored: &[&str]) -> Result<Option<Props>> {
        self.get(name).map(|v| Props::read(v.clone(), what, known, ignored)).transpose()
    }

    /// A string property.
    pub fn text(&self, name: &str) -> Result<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| argument(self.what, &format!("`{name}` must be a string"))),
        }
    }

    /// An amount: integer fen, as a safe integer or a string of digits.
    pub fn fen(&self, name: &str) -> Result<Option<Fen>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match (v.as_f64(), v.as_string()) {
                (Some(x), _) => Scalar::from_f64(x).fen(),
                (None, Some(s)) => Scalar::Text(s).fen(),
                _ => Err(argument(self.what, &format!("`{name}` must be a number of fen"))),
            },
        }
    }
}
