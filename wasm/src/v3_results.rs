//! v3 results as JS objects: the core's typed answers, with WeChat's snake_case names in
//! camelCase ([`camel_name`]).
//!
//! A result crosses as JSON text that V8's `JSON.parse` builds the object from: one crossing,
//! where the general conversion (`to_js`) crosses once per name and value (`openNotification`
//! spent more time there than in its RSA verification, BENCHMARKS.md). The text is written
//! straight from the typed value by `serde_json` with a formatter that renames each key as it is
//! written ([`CamelKeys`]): no `serde_json::Value` in between. A value that JSON would not give JS
//! as `to_js` does (a `null`, which `to_js` makes `undefined`; a number past 2^53, which `to_js`
//! refuses; a key with an escape) takes the general way, through a `Value` renamed key by key.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wxpay::Error;

use super::convert::{to_js, MAX_SAFE_INTEGER};
use super::error::{Failure, Result};
use super::names::camel_name;

/// A core result as a JS object, its keys in camelCase.
pub(crate) fn camel_js(value: &impl Serialize) -> Result<JsValue> {
    let (text, plain) = json_text(value, true)?;
    if plain {
        // serde_json writes UTF-8 only.
        if let Ok(object) = std::str::from_utf8(&text).map_err(drop).and_then(|t| js_sys::JSON::parse(t).map_err(drop)) {
            return Ok(object);
        }
    }
    // The text again with the keys as they are (the same serializer, so no second copy of every
    // type's serialization in the module), read back and renamed.
    let (text, _) = json_text(value, false)?;
    let mut value: Value = serde_json::from_slice(&text).map_err(malformed)?;
    rename_keys(&mut value);
    to_js(&value)
}

fn malformed(e: serde_json::Error) -> Failure {
    Failure::Core(Error::MalformedJson(e.to_string()))
}

/// `value` as compact JSON text, its keys renamed when `rename`; and whether `JSON.parse` builds
/// from it what `to_js` would.
fn json_text(value: &impl Serialize, rename: bool) -> Result<(Vec<u8>, bool)> {
    let mut text = Vec::with_capacity(512);
    let mut formatter = CamelKeys { rename, plain: true, in_key: false, key: String::new() };
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut text, &mut formatter)).map_err(malformed)?;
    Ok((text, formatter.plain))
}

/// Renames every key of `value` (the general way).
fn rename_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, mut v) in std::mem::take(map) {
                rename_keys(&mut v);
                map.insert(camel_name(&name), v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rename_keys),
        _ => {}
    }
}

/// `serde_json`'s compact text with every object key in camelCase (when `rename`); `plain` is
/// cleared by anything `JSON.parse` would not build as `to_js` does.
struct CamelKeys {
    /// Off: the keys as they are.
    rename: bool,
    plain: bool,
    /// Between an object key's `begin_object_key` and `end_object_key`.
    in_key: bool,
    key: String,
}

impl Formatter for &mut CamelKeys {
    #[inline(never)]
    fn write_null<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.plain = false;
        CompactFormatter.write_null(writer)
    }

    #[inline(never)]
    fn write_u64<W: ?Sized + Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        self.plain &= value <= MAX_SAFE_INTEGER;
        CompactFormatter.write_u64(writer, value)
    }

    #[inline(never)]
    fn write_i64<W: ?Sized + Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        self.plain &= value.unsigned_abs() <= MAX_SAFE_INTEGER;
        CompactFormatter.write_i64(writer, value)
    }

    #[inline(never)]
    fn write_u128<W: ?Sized + Write>(&mut self, writer: &mut W, value: u128) -> io::Result<()> {
        self.plain &= value <= u128::from(MAX_SAFE_INTEGER);
        CompactFormatter.write_u128(writer, value)
    }

    #[inline(never)]
    fn write_i128<W: ?Sized + Write>(&mut self, writer: &mut W, value: i128) -> io::Result<()> {
        self.plain &= value.unsigned_abs() <= u128::from(MAX_SAFE_INTEGER);
        CompactFormatter.write_i128(writer, value)
    }

    #[inline(never)]
    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.in_key = self.rename;
        self.key.clear();
        CompactFormatter.begin_object_key(writer, first)
    }

    #[inline(never)]
    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        CompactFormatter.end_object_key(writer)
    }

    #[inline(never)]
    fn end_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.in_key {
            writer.write_all(camel_name(&self.key).as_bytes())?;
        }
        CompactFormatter.end_string(writer)
    }

    #[inline(never)]
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        if self.in_key {
            self.key.push_str(fragment);
            Ok(())
        } else {
            CompactFormatter.write_string_fragment(writer, fragment)
        }
    }

    #[inline(never)]
    fn write_char_escape<W: ?Sized + Write>(&mut self, writer: &mut W, escape: serde_json::ser::CharEscape) -> io::Result<()> {
        // A key with an escape is renamed whole, the general way.
        self.plain &= !self.in_key;
        CompactFormatter.write_char_escape(writer, escape)
    }
}
