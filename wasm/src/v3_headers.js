// The `Wechatpay-*` headers of a plain object (node:http's `req.headers`) in one string, for
// wasm/src/v3.rs `headers_in`: `\u00ff` then `name \x01 value \0` for each of the four names, in
// any case, in the object's order. Every property is read, as `Object.entries` reads them (a
// getter that throws throws here too). Anything else answers `undefined` and is read the
// general way, with the same results: another prototype (a Map, a fetch Headers), a `get`
// function (axios's headers), a value that is not a string (an array of `req.headersDistinct`),
// or a character the packing uses. scripts/build-wasm writes this file into the glue.
const WANTED = new Set(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']);

export function packHeaders(o) {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const names = Object.keys(o);
  // A first character past ASCII: the glue then encodes the whole string natively.
  let out = '\u00ff';
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const v = o[name];
    if (name === 'get' && typeof v === 'function') return undefined;
    if (!WANTED.has(name.toLowerCase()) || v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.indexOf('\0') !== -1) return undefined;
    out += name + '\x01' + v + '\0';
  }
  return out;
}
