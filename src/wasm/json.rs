//! The JSON that crosses the JS boundary, in the two shapes the bindings need and no more:
//! reading one flat object (what `JSON.stringify` made of a JS argument) and writing a typed
//! result with camelCase names for `JSON.parse`.
//!
//! Why not `serde_json`: it made the gzipped `.wasm` half as large again, and going through its
//! `Value` cost almost as much as verifying the notify itself (BENCHMARKS.md). Floats are never parsed or printed: an
//! amount is an integer, and anything else is refused by name.

use core::fmt;
use std::borrow::Cow;

use serde::ser::{self, Serialize};

/// A value of a flat JS object, as `JSON.stringify` wrote it, borrowed from that text where it
/// needs no unescaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scalar<'a> {
    Null,
    Bool(bool),
    Str(Cow<'a, str>),
    /// A number as written: `1200`, `-1`, `12.5`, `1e+21`.
    Num(&'a str),
    /// An object or array where a scalar was expected.
    Nested,
}

impl Scalar<'_> {
    /// The number if it is written as plain digits (what `JSON.stringify` makes of a
    /// non-negative integer below 1e21); `Err` if those digits overflow `u64`.
    pub(super) fn digits(&self) -> Option<Result<u64, ()>> {
        match self {
            Scalar::Num(t) if t.bytes().all(|b| b.is_ascii_digit()) => Some(t.parse().map_err(|_| ())),
            _ => None,
        }
    }
}

/// Parses `{"name": scalar, …}`; nested values are reported as [`Scalar::Nested`] for the
/// caller to refuse by name. `None` for anything that is not one JSON object.
pub(super) fn parse_object(text: &str) -> Option<Vec<(Cow<'_, str>, Scalar<'_>)>> {
    let mut p = Parser { text, i: 0 };
    p.ws();
    p.eat(b'{')?;
    let mut out = Vec::with_capacity(16);
    p.ws();
    if p.eat(b'}').is_none() {
        loop {
            p.ws();
            let name = p.string()?;
            p.ws();
            p.eat(b':')?;
            p.ws();
            let value = p.value()?;
            out.push((name, value));
            p.ws();
            if p.eat(b',').is_some() {
                continue;
            }
            p.eat(b'}')?;
            break;
        }
    }
    p.ws();
    (p.i == text.len()).then_some(out)
}

struct Parser<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text[self.i..].starts_with(word).then(|| self.i += word.len())
    }

    fn value(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Scalar::Str),
            b't' => self.literal("true").map(|()| Scalar::Bool(true)),
            b'f' => self.literal("false").map(|()| Scalar::Bool(false)),
            b'n' => self.literal("null").map(|()| Scalar::Null),
            b'{' | b'[' => self.skip_nested().map(|()| Scalar::Nested),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Option<Scalar<'a>> {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.i += 1;
        }
        (self.i > start).then(|| Scalar::Num(&self.text[start..self.i]))
    }

    /// Skips a nested object or array (strings inside may hold brackets).
    fn skip_nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        let run = self.text.as_bytes()[start..].iter().position(|&b| b == b'"' || b == b'\\')?;
        self.i += run;
        if self.eat(b'"').is_some() {
            // No escapes, the common case: borrow.
            return Some(Cow::Borrowed(&self.text[start..start + run]));
        }
        let mut out = String::from(&self.text[start..start + run]);
        loop {
            if self.eat(b'"').is_some() {
                return Some(Cow::Owned(out));
            }
            self.i += 1; // the backslash
            let c = match self.peek()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    self.i += 1;
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        // A surrogate pair; a lone surrogate cannot be a Rust string.
                        self.literal("\\u")?;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    } else {
                        char::from_u32(hi)?
                    };
                    self.i -= 1;
                    c
                }
                _ => return None,
            };
            self.i += 1;
            out.push(c);
            let run = self.text.as_bytes()[self.i..].iter().position(|&b| b == b'"' || b == b'\\')?;
            out.push_str(&self.text[self.i..self.i + run]);
            self.i += run;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

/// Appends `s` as a JSON string.
pub(super) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// JS property names from WeChat's: `out_trade_no` → `outTradeNo`, `appid` → `appId`.
pub(super) fn to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_camel(&mut out, name);
    out
}

fn push_camel(out: &mut String, name: &str) {
    if name == "appid" {
        out.push_str("appId");
        return;
    }
    // Names are ASCII identifiers; convert in one pass, append once (this runs per field of
    // every result).
    let mut buf = [0u8; 64];
    let mut len = 0;
    let mut upper = false;
    for b in name.bytes() {
        if b == b'_' {
            upper = true;
            continue;
        }
        if len == buf.len() || !b.is_ascii() {
            out.push_str(&to_camel_slow(name));
            return;
        }
        buf[len] = if upper { b.to_ascii_uppercase() } else { b };
        upper = false;
        len += 1;
    }
    out.push_str(core::str::from_utf8(&buf[..len]).expect("ASCII"));
}

fn to_camel_slow(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a value cannot be written for JS.
#[derive(Debug)]
pub(super) enum WriteError {
    /// An integer past `Number.MAX_SAFE_INTEGER`: `JSON.parse` would round it.
    Unsafe(u64),
    Unsupported(String),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Unsafe(n) => write!(f, "{n} is larger than Number.MAX_SAFE_INTEGER"),
            WriteError::Unsupported(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        WriteError::Unsupported(msg.to_string())
    }
}

/// Writes `value` as JSON with camelCase field names; `None` fields are left out rather than
/// written as `null`, so TypeScript sees `field?: T`.
pub(super) fn to_camel_json(value: &impl Serialize) -> Result<String, WriteError> {
    let mut out = String::with_capacity(512);
    value.serialize(Writer { out: &mut out })?;
    Ok(out)
}

/// The serializer; `Ok(false)` means "wrote nothing" (a `None`), so the field is dropped.
struct Writer<'a> {
    out: &'a mut String,
}

type W = Result<bool, WriteError>;

fn unsupported(what: &str) -> WriteError {
    WriteError::Unsupported(format!("cannot pass {what} to JS"))
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = bool;
    type Error = WriteError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = ser::Impossible<bool, WriteError>;
    type SerializeTupleStruct = ser::Impossible<bool, WriteError>;
    type SerializeTupleVariant = ser::Impossible<bool, WriteError>;
    type SerializeMap = ser::Impossible<bool, WriteError>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = ser::Impossible<bool, WriteError>;

    fn serialize_bool(self, v: bool) -> W {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(true)
    }
    fn serialize_i8(self, v: i8) -> W {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> W {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> W {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> W {
        match u64::try_from(v) {
            Ok(v) => self.serialize_u64(v),
            Err(_) => Err(unsupported("a negative number")),
        }
    }
    fn serialize_u8(self, v: u8) -> W {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> W {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> W {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> W {
        if v > super::MAX_SAFE_INTEGER {
            return Err(WriteError::Unsafe(v));
        }
        // Integer formatting only: the crate has no floats to print.
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = v;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.push_str(core::str::from_utf8(&buf[i..]).expect("ASCII digits"));
        Ok(true)
    }
    fn serialize_f32(self, _: f32) -> W {
        Err(unsupported("a float"))
    }
    fn serialize_f64(self, _: f64) -> W {
        Err(unsupported("a float"))
    }
    fn serialize_char(self, v: char) -> W {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> W {
        write_str(self.out, v);
        Ok(true)
    }
    fn serialize_bytes(self, _: &[u8]) -> W {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> W {
        Ok(false)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> W {
        value.serialize(self)
    }
    fn serialize_unit(self) -> W {
        self.out.push_str("null");
        Ok(true)
    }
    fn serialize_unit_struct(self, _: &'static str) -> W {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> W {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> W {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> W {
        Err(unsupported("an enum with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, WriteError> {
        self.out.push('[');
        Ok(Seq { out: self.out, first: true })
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, WriteError> {
        Err(unsupported("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, WriteError> {
        Err(unsupported("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, WriteError> {
        Err(unsupported("an enum with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, WriteError> {
        Err(unsupported("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Struct<'a>, WriteError> {
        self.out.push('{');
        Ok(Struct { out: self.out, first: true })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, WriteError> {
        Err(unsupported("an enum with data"))
    }
}

struct Seq<'a> {
    out: &'a mut String,
    first: bool,
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = bool;
    type Error = WriteError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        if !value.serialize(Writer { out: self.out })? {
            self.out.push_str("null");
        }
        Ok(())
    }
    fn end(self) -> W {
        self.out.push(']');
        Ok(true)
    }
}

struct Struct<'a> {
    out: &'a mut String,
    first: bool,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = bool;
    type Error = WriteError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) -> Result<(), WriteError> {
        let mark = self.out.len();
        if !self.first {
            self.out.push(',');
        }
        // Field names are Rust identifiers: no escaping needed.
        self.out.push('"');
        push_camel(self.out, name);
        self.out.push_str("\":");
        if value.serialize(Writer { out: self.out })? {
            self.first = false;
        } else {
            self.out.truncate(mark);
        }
        Ok(())
    }
    fn end(self) -> W {
        self.out.push('}');
        Ok(true)
    }
}
