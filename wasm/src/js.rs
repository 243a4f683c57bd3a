//! The caller's JS values, read without trusting them. Every export takes its arguments as
//! `JsValue`s and reads them here, so that no wasm-bindgen conversion runs first (those throw
//! `TypeError`s, or pass a non-string as a string: `memory access out of bounds`).
//!
//! Anything that can run the caller's code (a getter, a Proxy trap, an iterator, a `get`
//! method) is called through an import marked `catch`: what it throws comes back as
//! `INVALID_ARGUMENT` with the original as `cause`, rather than unwinding through WebAssembly,
//! which would leave the class instance of the call borrowed for good (`recursive use of an
//! object`). Objects are copied into plain ones, at most [`MAX_DEPTH`] deep, before serde
//! reads them, so that serde's own calls never reach the caller's code and its recursion is
//! bounded.

use js_sys::Array;
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::error::{argument, Failure, Result};

/// Deeper than any argument of the package (a v3 answer's `headers` is the deepest: 2).
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
const MAX_DEPTH: usize = 8;

type JsResult<T> = core::result::Result<T, JsValue>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries(object: &JsValue) -> JsResult<Array>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(object: &JsValue) -> JsResult<JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> JsResult<bool>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> JsResult<Array>;
    /// A typed array or a DataView, by its internal slot: never the caller's code, and false
    /// for an object that only has `Uint8Array.prototype`.
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(value: &JsValue) -> bool;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get(target: &JsValue, key: &str) -> JsResult<JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    fn apply(function: &JsValue, this: &JsValue, args: &Array) -> JsResult<JsValue>;
}

thread_local! {
    /// `Map.prototype`, read once (not from a new object per call).
    #[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
    static MAP_PROTOTYPE: JsValue = prototype_of(&js_sys::Map::new()).unwrap_or_default();
}

/// What the caller's code threw while `what` was read.
pub fn caller(what: &str) -> impl FnOnce(JsValue) -> Failure + '_ {
    move |cause| Failure::Caller { what: what.to_owned(), cause }
}

/// Whether `value` (an object) has `prototype` on its prototype chain, asked without `instanceof`
/// (which runs a Proxy's trap uncaught).
#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
fn inherits(value: &JsValue, prototype: &JsValue, what: &str) -> Result<bool> {
    let mut p = prototype_of(value).map_err(caller(what))?;
    for _ in 0..16 {
        if p.is_null() || p.is_undefined() {
            return Ok(false);
        }
        if &p == prototype {
            return Ok(true);
        }
        p = prototype_of(&p).map_err(caller(what))?;
    }
    Ok(false)
}

#[wasm_bindgen(module = "/src/bytes.js")]
extern "C" {
    /// The length of a real `Uint8Array`, read without the caller's code; -1 for anything else.
    #[wasm_bindgen(catch, js_name = uint8Length)]
    fn uint8_length(value: &JsValue) -> JsResult<f64>;
    /// `from`'s bytes into `into`, by `from`'s internal slots (`Uint8Array.prototype.set`).
    #[wasm_bindgen(catch, js_name = copyInto)]
    fn copy_into(into: &mut [u8], from: &JsValue) -> JsResult<()>;
}

/// The bytes of a real `Uint8Array` (a `Buffer` too), copied once, straight into WebAssembly
/// memory; `None` for anything else, a fake with `Uint8Array.prototype` or another typed array
/// included.
pub fn bytes(value: &JsValue, what: &str) -> Result<Option<Vec<u8>>> {
    let length = uint8_length(value).map_err(caller(what))?;
    if length < 0.0 {
        return Ok(None);
    }
    // A typed array's length is below 2^53 and, in a 32-bit memory, fits once allocated.
    let mut out = vec![0; length as usize];
    copy_into(&mut out, value).map_err(caller(what))?;
    Ok(Some(out))
}

#[cfg(feature = "wasm-api")]
/// Whether `value` is a typed array or a DataView (by its internal slot; never the caller's code).
pub fn is_view_value(value: &JsValue) -> bool {
    is_view(value)
}

/// A string argument.
pub fn text(value: &JsValue, what: &str) -> Result<String> {
    value.as_string().ok_or_else(|| argument(what, "must be a string"))
}

#[cfg(not(feature = "wasm-v3"))]
/// An optional string argument: `undefined` or `null` is absent.
pub fn opt_text(value: &JsValue, what: &str) -> Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    text(value, what).map(Some)
}

/// An optional number argument: `undefined` or `null` is absent.
pub fn opt_number(value: &JsValue, what: &str) -> Result<Option<f64>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_f64().map(Some).ok_or_else(|| argument(what, "must be a number"))
}

#[cfg(not(feature = "wasm-v3"))]
/// A boolean argument (not merely truthy).
pub fn flag(value: &JsValue, what: &str) -> Result<bool> {
    value.as_bool().ok_or_else(|| argument(what, "must be true or false"))
}

/// The items of an array, `None` for any other value.
#[cfg(feature = "wasm-v3")]
pub fn items(value: &JsValue, what: &str) -> Result<Option<Vec<JsValue>>> {
    if !value.is_object() || !is_array(value).map_err(caller(what))? {
        return Ok(None);
    }
    Ok(Some(array_from(value).map_err(caller(what))?.iter().collect()))
}

#[cfg(feature = "wasm-v3")]
/// A PEM: its text, or the bytes of the file (`fs.readFileSync(path)` without an encoding).
pub fn pem(value: &JsValue, what: &str) -> Result<String> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    match bytes(value, what)? {
        Some(b) => String::from_utf8(b).map_err(|_| argument(what, "is not UTF-8 text")),
        None => Err(argument(what, "must be a string or a Uint8Array (Buffer)")),
    }
}

/// Whether `value` is an object, not an array (a revoked Proxy is refused by what it throws).
pub fn is_record(value: &JsValue, what: &str) -> Result<bool> {
    Ok(value.is_object() && !is_array(value).map_err(caller(what))?)
}

/// The own enumerable string-keyed properties of an object, read once, in order.
pub fn own_entries(value: &JsValue, what: &str) -> Result<Vec<(String, JsValue)>> {
    let mut out = Vec::new();
    for pair in entries(value).map_err(caller(what))?.iter() {
        // `Object.entries` made each pair, a real array: reading it runs none of the caller's code
        // (and needs no `Reflect.get` per key, which was most of a flat object's cost).
        let pair = pair.dyn_into::<Array>().map_err(|_| argument(what, "could not be read"))?;
        out.push((pair.get(0).as_string().unwrap_or_default(), pair.get(1)));
    }
    Ok(out)
}

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
/// The `[key, value]` pairs of a `Map`, `None` for any other value.
pub fn map_entries(value: &JsValue, what: &str) -> Result<Option<Vec<(JsValue, JsValue)>>> {
    if !value.is_object() || !inherits(value, &MAP_PROTOTYPE.with(JsValue::clone), what)? {
        return Ok(None);
    }
    let mut out = Vec::new();
    for pair in array_from(value).map_err(caller(what))?.iter() {
        // A Map's iterator yields fresh `[key, value]` arrays (`Map.prototype` was checked above,
        // but the caller may have replaced its iterator: read the pair without trusting it).
        out.push((get(&pair, "0").map_err(caller(what))?, get(&pair, "1").map_err(caller(what))?));
    }
    Ok(Some(out))
}

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
/// `value.get` when it is a function (a fetch `Headers`, axios's headers).
pub fn getter(value: &JsValue, what: &str) -> Result<Option<JsValue>> {
    getter_named(value, "get", what)
}

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
/// `value[name]` when it is a function.
pub fn getter_named(value: &JsValue, name: &str, what: &str) -> Result<Option<JsValue>> {
    let g = get(value, name).map_err(caller(what))?;
    Ok(g.is_function().then_some(g))
}

#[cfg(feature = "wasm-v3")]
/// Calls the caller's `function` with `args`; what it throws comes back as it was.
pub fn invoke(function: &JsValue, this: &JsValue, args: &[&JsValue]) -> JsResult<JsValue> {
    let list = Array::new();
    for a in args {
        list.push(a);
    }
    apply(function, this, &list)
}

#[cfg(feature = "wasm-v3")]
/// Calls the caller's `function` with `args`, what it throws as `INVALID_ARGUMENT` (`cause`).
pub fn call(function: &JsValue, this: &JsValue, args: &[&JsValue], what: &str) -> Result<JsValue> {
    invoke(function, this, args).map_err(caller(what))
}

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
/// A copy of `value` that serde can read without running the caller's code: plain objects and
/// arrays copied (a `Map` becomes a plain object), primitives, functions and real `Uint8Array`s
/// as they are, a fetch `Headers` (an object with a `get` and no own properties) as it is.
/// BigInts and Symbols are refused, and so is nesting deeper than [`MAX_DEPTH`].
pub fn plain(value: &JsValue, what: &str) -> Result<JsValue> {
    copy(value, what, 0)
}

#[cfg(any(feature = "wasm-api", feature = "wasm-v3"))]
fn copy(value: &JsValue, what: &str, depth: usize) -> Result<JsValue> {
    // Most values are strings and numbers (a v2 params object is nothing else): one check each.
    if value.is_string() || value.as_f64().is_some() {
        return Ok(value.clone());
    }
    if value.is_bigint() || value.is_symbol() {
        return Err(argument(what, "must not hold a BigInt or a Symbol"));
    }
    if value.is_function() {
        // Kept (v3's `sign`), once its `name` reads: serde describes a function it refuses by
        // its name, and a revoked Proxy of a function throws there.
        get(value, "name").map_err(caller(what))?;
    }
    if !value.is_object() {
        return Ok(value.clone());
    }
    if depth >= MAX_DEPTH {
        return Err(argument(what, "is nested too deep"));
    }
    if let Some(b) = bytes(value, what)? {
        return Ok(Uint8Array::from(&b[..]).into());
    }
    if is_view(value) {
        return Err(argument(what, "holds a typed array other than a Uint8Array"));
    }
    if is_array(value).map_err(caller(what))? {
        let out = Array::new();
        for item in array_from(value).map_err(caller(what))?.iter() {
            out.push(&copy(&item, what, depth + 1)?);
        }
        return Ok(out.into());
    }
    let out = js_sys::Object::new();
    let set = |name: &JsValue, v: &JsValue| {
        // A data property of a fresh plain object: cannot fail.
        let _ = js_sys::Reflect::set(&out, name, v);
    };
    if let Some(pairs) = map_entries(value, what)? {
        for (k, v) in pairs {
            if k.as_string().is_none() {
                return Err(argument(what, "a Map's keys must be strings"));
            }
            set(&k, &copy(&v, what, depth + 1)?);
        }
        return Ok(out.into());
    }
    let own = own_entries(value, what)?;
    if own.is_empty() && getter(value, what)?.is_some() {
        return Ok(value.clone());
    }
    for (k, v) in own {
        set(&JsValue::from_str(&k), &copy(&v, what, depth + 1)?);
    }
    Ok(out.into())
}
