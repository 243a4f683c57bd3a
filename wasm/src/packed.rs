//! Flat fields across the boundary in one string: the cheapest shape to cross (BENCHMARKS.md,
//! "`sign`: the shape of the crossing"). A JS function packs a plain object whose values are
//! strings, non-negative safe integers, `null` or `undefined` into `name \x01 kind value \0 …`
//! (`kind` `s` for a string, `n` for a number; `null` and `undefined` left out, as absent), one
//! string the glue copies in once, where the per-field reads (`Object.entries`, then a copy per
//! name and value) cost more than the MD5 they feed. Anything else, and any name or value with a
//! character the packing uses, is not packed: the object is read the general way, with the same
//! results. The rule (which fields, their order, what is empty) stays in Rust: the packing only
//! carries what the object holds.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use super::convert::Scalar;
use super::error::Result;
use super::js;

#[wasm_bindgen(inline_js = r#"
export function packFlat(o) {
  if (o === null || typeof o !== 'object') return undefined;
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const names = Object.keys(o);
  // A first character past ASCII: the glue then encodes the whole string natively
  // (TextEncoder#encodeInto) rather than copying it a character at a time while it is ASCII.
  let out = '\u00ff';
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const v = o[name];
    if (v === null || v === undefined) continue;
    if (name.indexOf('\0') !== -1 || name.indexOf('\x01') !== -1) return undefined;
    if (typeof v === 'string') {
      if (v.indexOf('\0') !== -1) return undefined;
      out += name + '\x01s' + v + '\0';
    } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0)) {
      out += name + '\x01n' + v + '\0';
    } else {
      return undefined;
    }
  }
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch, js_name = packFlat)]
    fn pack_flat(object: &JsValue) -> core::result::Result<JsValue, JsValue>;
}

/// The packed text of `value` (see the module), or `None` when it does not pack.
pub fn text(value: &JsValue, what: &str) -> Result<Option<String>> {
    Ok(pack_flat(value).map_err(js::caller(what))?.as_string())
}

/// The `(name, value)` pairs of a packed text, borrowed from it, in the object's order; `None`
/// if it is not one (then the object is read the general way).
pub fn pairs(text: &str) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::with_capacity(24);
    for record in text.strip_prefix('\u{ff}')?.split('\0').filter(|r| !r.is_empty()) {
        let (name, rest) = record.split_once('\x01')?;
        let value = rest.strip_prefix('s').or_else(|| rest.strip_prefix('n').filter(|n| n.parse::<u64>().is_ok()))?;
        out.push((name, value));
    }
    Some(out)
}

/// The fields of `value` by name, when it packs; `None` for anything else.
pub fn fields(value: &JsValue, what: &str) -> Result<Option<BTreeMap<String, Scalar>>> {
    let Some(text) = text(value, what)? else { return Ok(None) };
    Ok(pairs(&text).map(|p| p.into_iter().map(|(name, v)| (name.to_owned(), Scalar::Text(v.to_owned()))).collect()))
}
