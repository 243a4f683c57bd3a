'use strict';
// The nonce's randomness comes from `globalThis.crypto.getRandomValues` (Web Crypto, what the
// Rust `getrandom` crate calls in WebAssembly). Node has it as a global from 19 on; WeChat cloud
// functions also run Node 16 and 18, which keep it in `node:crypto` only. There, and only there,
// `globalThis.crypto` becomes `node:crypto`'s `webcrypto`, loaded on first use so that a
// handler that never makes a nonce never pays for it.
//
// Not read at load on Node 19 and later: reading Node's own global `crypto` starts Web Crypto,
// which costs more than loading this whole package.
function hasWebCrypto() {
  if (!('crypto' in globalThis)) return false;
  if (Number(process.versions.node.split('.')[0]) >= 19) return true;
  // Node 16 and 18: a global `crypto` is Web Crypto only under --experimental-global-webcrypto;
  // `node -e` and the REPL put `node:crypto` itself there, which on 16 cannot fill arrays.
  return typeof globalThis.crypto.getRandomValues === 'function';
}

if (!hasWebCrypto()) {
  Object.defineProperty(globalThis, 'crypto', {
    configurable: true,
    enumerable: false,
    get() {
      const { webcrypto } = require('node:crypto');
      Object.defineProperty(globalThis, 'crypto', { configurable: true, enumerable: false, writable: true, value: webcrypto });
      return webcrypto;
    },
  });
}
