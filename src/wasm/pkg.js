'use strict';
// pkg/wxpay.js, the package's entry point (scripts/build-wasm puts it there): the exports of
// wasm-bindgen's glue (pkg/wxpay_glue.js, generated from src/wasm.rs), with `sign` taking a
// shorter way into WebAssembly for the common case. pkg/wxpay.d.ts describes both alike.
//
// The glue's `sign(params, key, signType?)` crosses as `JSON.stringify(params)`, which Rust
// parses and sorts. For a plain object of strings and safe integers, this file joins the text to
// hash instead, exactly as Rust would (`k1=v1&…&kn=vn&`: the non-empty fields other than `sign`,
// in ASCII order), encodes it with the key straight into WebAssembly memory, and WebAssembly
// checks the key and hashes. Anything else, and every error, goes the glue's way, which reports
// it with its code.
const glue = require('./wxpay_glue.js');

for (const name of Object.keys(glue)) {
  if (!name.startsWith('__')) exports[name] = glue[name];
}

// Made on the first `sign`, not at `require` (cold start: 0.3 ms).
let memory = null;
let encoder = null;
/** The scratch bytes `__signScratch` last gave, as a view of `memory`. */
let scratch = null;
let scratchAt = 0;
let scratchLength = 0; // what `scratch.length` reads 0 for once the memory grew

/** Whether the `sign_type` field of the last `signText` asked for HMAC-SHA256. */
let fieldHmac = false;

/**
 * `k1=v1&…&kn=vn&`, or `undefined` whenever JSON.stringify could see the object otherwise:
 * not a plain object, a `toJSON` anywhere it would be called, a value other than a string, a
 * non-negative safe integer, `null` or `undefined`, a lone surrogate in a key left out or in
 * `sign` (which JSON.stringify escapes and Rust refuses), a `sign_type` other than the two, or a
 * getter that throws. Sets `fieldHmac`. (Surrogates in the text itself are left to
 * `__signScratched`, which declines them.)
 */
function signText(params) {
  if (params === null || typeof params !== 'object') return undefined;
  const proto = Object.getPrototypeOf(params);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in params) return undefined;
  if (String.prototype.toJSON !== undefined || Number.prototype.toJSON !== undefined) return undefined;
  try {
    const keys = Object.keys(params).sort();
    let text = '';
    let hmac = false;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      let v = params[k];
      if (typeof v === 'number') {
        if (!(Number.isSafeInteger(v) && v >= 0)) return undefined;
        v = String(v);
      } else if (typeof v !== 'string') {
        if (v !== null && v !== undefined) return undefined;
        if (LONE_SURROGATE.test(k)) return undefined;
        continue;
      }
      if (v === '' || k === 'sign') {
        if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) return undefined;
        continue;
      }
      if (k === 'sign_type') {
        if (v === 'HMAC-SHA256') hmac = true;
        else if (v !== 'MD5') return undefined;
      }
      text += k + '=' + v + '&';
    }
    fieldHmac = hmac;
    return text;
  } catch {
    // A getter threw: the glue's `sign` calls it again and reports INVALID_ARGUMENT.
    return undefined;
  }
}

const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** The signature by the short way, or `undefined` for the glue's `sign` to give it (or throw). */
function signShort(params, key, signType) {
  if (typeof key !== 'string') return undefined;
  if (signType !== undefined && signType !== null && signType !== 'MD5' && signType !== 'HMAC-SHA256') return undefined;
  const text = signText(params);
  if (text === undefined) return undefined;
  const hmac = signType === undefined || signType === null ? fieldHmac : signType === 'HMAC-SHA256';
  const input = text + key;
  // The scratch memory stays as large as the largest text it took: huge ones go the other way.
  if (input.length > MAX_SHORT) return undefined;
  const want = Math.max(3 * input.length, 1024); // UTF-8 takes at most 3 bytes a UTF-16 unit
  const at = glue.__signScratch(want);
  if (memory === null) {
    memory = glue.__memory();
    encoder = new TextEncoder();
  }
  if (scratch === null || at !== scratchAt || scratchLength < want) {
    scratch = Buffer.from(memory.buffer, at, want);
    scratchAt = at;
    scratchLength = want;
  }
  const { written } = encoder.encodeInto(input, current());
  const n = glue.__signScratched(written, key.length, hmac);
  return n === 0 ? undefined : current().toString('latin1', 0, n);
}

const MAX_SHORT = 1 << 14;

/** `scratch`, made anew if the memory grew (which detaches the old `ArrayBuffer`). */
function current() {
  if (scratch.buffer !== memory.buffer) scratch = Buffer.from(memory.buffer, scratchAt, scratchLength);
  return scratch;
}

/**
 * The v2 signature (see pkg/wxpay.d.ts).
 * @param {import('./wxpay').Params} params
 * @param {string} key
 * @param {import('./wxpay').SignType} [signType]
 * @returns {string}
 */
exports.sign = function sign(params, key, signType) {
  const signature = signShort(params, key, signType);
  return signature === undefined ? glue.sign(params, key, signType) : signature;
};
