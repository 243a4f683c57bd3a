/* @ts-self-types="./v3.d.ts" */
// bytes.js, a snippet of wxpay-wasm, written in by scripts/build-wasm.
const { copyInto, uint8Length } = (function () {
const exports = {};
// The length of a real Uint8Array (a Buffer too), for wasm/src/js.rs `bytes`, which then copies
// it straight into WebAssembly memory (`copyInto`: `Uint8Array.prototype.set`, which reads the
// source's internal slots): -1 for anything else, a fake with `Uint8Array.prototype` (no typed array
// inside, `ArrayBuffer.isView` says) or another typed array included. The length is read with
// the intrinsic getter, taken when this file loads, never through the value's own `length`: a
// subclass's getter could answer anything. scripts/build-wasm writes this file into the glue.
const U8 = Uint8Array.prototype;
const LENGTH = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(U8), 'length').get;
const SET = U8.set;
const { apply } = Reflect;
const { getPrototypeOf } = Object;
const { isView } = ArrayBuffer;

exports.uint8Length = function uint8Length(value) {
  if (!isView(value)) return -1;
  // At most 16 prototypes, as a chain made to loop must end.
  let p = getPrototypeOf(value);
  for (let i = 0; i < 16 && p !== null; i++) {
    if (p === U8) return apply(LENGTH, value, []);
    p = getPrototypeOf(p);
  }
  return -1;
}

// `value`'s bytes into `into` (a view of WebAssembly memory of uint8Length(value) bytes).
exports.copyInto = function copyInto(into, value) {
  apply(SET, into, [value]);
}
return exports;
})();
// v3_crypto.js, a snippet of wxpay-wasm, written in by scripts/build-wasm.
const { aesGcmOpen, aesGcmSeal, importPrivateKey, importPublicKey, oaepDecrypt, oaepEncrypt, releaseKey, rsaSign, rsaVerify } = (function () {
const exports = {};
// The host's crypto for `wxpay/v3` (wasm/src/v3_crypto.rs): RSA signatures, RSA-OAEP and
// AES-256-GCM through node:crypto, which the core asks for through its HostCrypto interface.
// Keys arrive already checked by the core and are imported once, as KeyObjects, named by their
// index in `keys` from then on. Nothing here logs or keeps what it is given but the keys.
// scripts/build-wasm writes it into the nodejs glue, as every snippet, with its `export function`s
// as CommonJS: on Node 16 and later.
const crypto = require('crypto');

const keys = [];
const free = [];

function keep(key) {
  const i = free.length ? free.pop() : keys.length;
  keys[i] = key;
  return i;
}

const big = (b64url) => BigInt('0x' + (Buffer.from(b64url, 'base64url').toString('hex') || '0'));

// Keys ring accepts but cannot sign with: a wrong CRT exponent, which ring finds when the
// signature it makes does not verify, and answers an error rather than the signature (the core's
// RANDOM_UNAVAILABLE). OpenSSL would sign anyway (it falls back from CRT to d): refused here, at
// signing, the same way.
const unsigning = new Set();

const bits = (x) => x.toString(2).length;

// OpenSSL imports a key whose numbers do not belong together; ring refuses some when it reads
// them (src/rsa/keypair.rs, NIST SP 800-56B 6.4.1.4.3): p·q = n, 2^(nBits/2) < d < n,
// qInv < p with qInv·q ≡ 1 (mod p), dP and dQ odd and below their primes. The sizes and the
// public exponent the core has checked. Answers whether the key signs (e·dP ≡ 1 mod p−1, and q).
function read(key) {
  const { n, e, d, p, q, dp, dq, qi } = key.export({ format: 'jwk' });
  const [N, E, D, P, Q, DP, DQ, QI] = [n, e, d, p, q, dp, dq, qi].map(big);
  const ok = P * Q === N && bits(D) > Math.ceil(bits(N) / 2) && D < N && QI < P && (QI * Q) % P === 1n &&
    DP % 2n === 1n && DP < P && DQ % 2n === 1n && DQ < Q;
  if (!ok) throw new Error('inconsistent key');
  return (E * DP) % (P - 1n) === 1n && (E * DQ) % (Q - 1n) === 1n;
}

exports.importPrivateKey = function importPrivateKey(der, pkcs8) {
  const copy = Buffer.from(der);
  try {
    const key = crypto.createPrivateKey({ key: copy, format: 'der', type: pkcs8 ? 'pkcs8' : 'pkcs1' });
    const signs = read(key);
    const i = keep(key);
    if (!signs) unsigning.add(i);
    return i;
  } finally {
    copy.fill(0);
  }
}

exports.importPublicKey = function importPublicKey(pkcs1) {
  return keep(crypto.createPublicKey({ key: Buffer.from(pkcs1), format: 'der', type: 'pkcs1' }));
}

exports.releaseKey = function releaseKey(i) {
  keys[i] = undefined;
  unsigning.delete(i);
  free.push(i);
}

exports.rsaSign = function rsaSign(i, message) {
  if (unsigning.has(i)) throw new Error('the key cannot sign');
  return crypto.sign('sha256', message, keys[i]);
}

exports.rsaVerify = function rsaVerify(i, message, signature) {
  try {
    return crypto.verify('sha256', message, keys[i], signature);
  } catch (e) {
    return false;
  }
}

const OAEP = crypto.constants.RSA_PKCS1_OAEP_PADDING;

exports.oaepEncrypt = function oaepEncrypt(i, plaintext) {
  return crypto.publicEncrypt({ key: keys[i], padding: OAEP, oaepHash: 'sha1' }, plaintext);
}

exports.oaepDecrypt = function oaepDecrypt(i, ciphertext) {
  return crypto.privateDecrypt({ key: keys[i], padding: OAEP, oaepHash: 'sha1' }, ciphertext);
}

function joined(a, b) {
  return b.length === 0 ? a : Buffer.concat([a, b]);
}

exports.aesGcmOpen = function aesGcmOpen(key, nonce, aad, data) {
  const at = data.length - 16;
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(at));
  return joined(decipher.update(data.subarray(0, at)), decipher.final());
}

exports.aesGcmSeal = function aesGcmSeal(key, nonce, aad, plaintext) {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad);
  const sealed = joined(cipher.update(plaintext), cipher.final());
  return Buffer.concat([sealed, cipher.getAuthTag()]);
}
return exports;
})();
// v3_headers.js, a snippet of wxpay-wasm, written in by scripts/build-wasm.
const { packHeaders } = (function () {
const exports = {};
// The `Wechatpay-*` headers of a plain object (node:http's `req.headers`) in one string, for
// wasm/src/v3.rs `headers_in`: `\u00ff` then `name \x01 value \0` for each of the four names, in
// any case, in the object's order. Every property is read, as `Object.entries` reads them (a
// getter that throws throws here too). Anything else answers `undefined` and is read the
// general way, with the same results: another prototype (a Map, a fetch Headers), a `get`
// function (axios's headers), a value that is not a string (an array of `req.headersDistinct`),
// or a character the packing uses. scripts/build-wasm writes this file into the glue.
const WANTED = new Set(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']);

exports.packHeaders = function packHeaders(o) {
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
return exports;
})();

/**
 * What reads WeChat's messages: WeChat's keys (the WeChat Pay public key `PUB_KEY_ID_…`,
 * platform certificates, or both, chosen by `Wechatpay-Serial`) and the APIv3 key that
 * decrypts notifies and the certificate download. Parsed once; the APIv3 key stays inside
 * WebAssembly and no getter returns it.
 */
class KeySet {
    static __wrap(ptr) {
        const obj = Object.create(KeySet.prototype);
        obj.__wbg_ptr = ptr;
        KeySetFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        KeySetFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_keyset_free(ptr, 0);
    }
    /**
     * Adds a platform certificate (PEM) and returns its serial number.
     *
     * @throws {WxPayError} `INVALID_CERTIFICATE`
     * @param {Pem} pem
     * @returns {string}
     */
    addCertificate(pem) {
        const borrow0 = addBorrowedObject(pem);
        let deferred3_0;
        let deferred3_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_addCertificate(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
            var ptr2 = r0;
            var len2 = r1;
            if (r3) {
                ptr2 = 0; len2 = 0;
                throw takeObject(r2);
            }
            deferred3_0 = ptr2;
            deferred3_1 = len2;
            return getStringFromWasm0(ptr2, len2);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
        }
    }
    /**
     * WeChat's answer to `buildDownloadCertificates`: decrypts the platform certificates with
     * the APIv3 key, verifies the answer with the keys held plus these (a first download is
     * signed by a certificate it carries), and only then adds them; returns them.
     *
     * @throws {WxPayError} `API_ERROR` (404: this merchant has the WeChat Pay public key instead), `AEAD_TAG_MISMATCH`, `INVALID_CERTIFICATE`, the codes of `verifySignature`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`), `INVALID_ARGUMENT`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     * @returns {DownloadedCertificate[]}
     */
    addDownloadedCertificates(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_addDownloadedCertificates(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
     *
     * @throws {WxPayError} `INVALID_KEY`
     * @param {string} id
     * @param {Pem} pem
     */
    addPublicKey(id, pem) {
        const borrow0 = addBorrowedObject(id);
        const borrow1 = addBorrowedObject(pem);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_addPublicKey(retptr, this.__wbg_ptr, borrow0, borrow1);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            if (r1) {
                throw takeObject(r0);
            }
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * A sensitive field (敏感信息, e.g. a name or a bank account) encrypted with RSA-OAEP to the
     * key `requestSerial` names; send the request with that `wechatpaySerial`.
     *
     * @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_FIELD` (too long for one RSA block), `INVALID_KEY`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`
     * @param {string} text
     * @param {UnixSeconds} [now]
     * @returns {EncryptedField}
     */
    encryptSensitive(text, now) {
        const borrow0 = addBorrowedObject(text);
        const borrow1 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_encryptSensitive(retptr, this.__wbg_ptr, borrow0, borrow1);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * `new KeySet({ apiV3Key, publicKeys: { [PUB_KEY_ID_…]: pem }, certificates: [pem] })`,
     * each part optional.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
     * @param {KeySetInit} [init]
     */
    constructor(init) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_new(retptr, addHeapObject(init));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            this.__wbg_ptr = r0;
            KeySetFinalization.register(this, this.__wbg_ptr, this);
            return this;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * A payment or refund notify: verified (as `verifySignature`), then decrypted with the
     * APIv3 key into a typed event. Store the change, then answer 200 or 204; answer a 4xx or
     * 5xx to anything this throws (WeChat retries).
     *
     * @throws {WxPayError} the codes of `verifySignature`, `AEAD_TAG_MISMATCH`, `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`)
     * @param {HeadersLike} headers
     * @param {string | Uint8Array} body
     * @param {UnixSeconds} [now]
     * @returns {Notification}
     */
    openNotification(headers, body, now) {
        const borrow0 = addBorrowedObject(headers);
        const borrow1 = addBorrowedObject(body);
        const borrow2 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_openNotification(retptr, this.__wbg_ptr, borrow0, borrow1, borrow2);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to `buildTradeBill` or `buildFundFlowBill`: verified, then
     * `{ hashType, hashValue, downloadUrl }`.
     *
     * @throws {WxPayError} `API_ERROR` (e.g. `NO_STATEMENT_EXIST` before about 09:00 of the next day), the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     * @returns {BillResponse}
     */
    parseBillResponse(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_parseBillResponse(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to `buildCloseOrder`: 204, verified; nothing to return.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     */
    parseCloseOrderResponse(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_parseCloseOrderResponse(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            if (r1) {
                throw takeObject(r0);
            }
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to `buildJsapiPrepay`: verified, then `{ prepayId }`. A 4xx/5xx answer
     * throws `API_ERROR` with WeChat's code in `errCode`.
     *
     * @throws {WxPayError} `API_ERROR`, the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     * @returns {PrepayResponse}
     */
    parseJsapiPrepayResponse(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_parseJsapiPrepayResponse(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to `buildRefund` or `buildRefundQuery`: verified, then the typed refund.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     * @returns {Refund}
     */
    parseRefundResponse(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_parseRefundResponse(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to either order query: verified, then the typed payment.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     * @param {WeChatResponse} response
     * @param {UnixSeconds} [now]
     * @returns {Transaction}
     */
    parseTransactionResponse(response, now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_parseTransactionResponse(retptr, this.__wbg_ptr, addHeapObject(response), borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * The `Wechatpay-Serial` to send on a request (`options.wechatpaySerial` of the `build…`
     * methods): WeChat signs its answer with the key it names. The WeChat Pay public key when
     * the set has one (during the move from platform certificates, answers follow this header
     * at once), else the newest platform certificate valid at `now`.
     *
     * @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_ARGUMENT`
     * @param {UnixSeconds} [now]
     * @returns {string}
     */
    requestSerial(now) {
        const borrow0 = addBorrowedObject(now);
        let deferred3_0;
        let deferred3_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_requestSerial(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
            var ptr2 = r0;
            var len2 = r1;
            if (r3) {
                ptr2 = 0; len2 = 0;
                throw takeObject(r2);
            }
            deferred3_0 = ptr2;
            deferred3_1 = len2;
            return getStringFromWasm0(ptr2, len2);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
        }
    }
    /**
     * The `Wechatpay-Serial` values this set verifies: public-key ids and certificate serials.
     * @returns {string[]}
     */
    get serials() {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_serials(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var v1 = getArrayJsValueFromWasm0(r0, r1);
            wasm.__wbindgen_export3(r0, r1 * 4, 4);
            return v1;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * Verifies WeChat's signature on an answer or a notify, over the body exactly as received:
     * refuses a `WECHATPAY/SIGNTEST/` probe, a timestamp more than 5 minutes from `now`
     * (seconds; default the clock), an unknown serial, an expired certificate, a wrong
     * signature.
     *
     * @throws {WxPayError} `SIGNATURE_MISMATCH`, `SIGNATURE_PROBE`, `TIMESTAMP_SKEW`, `UNKNOWN_SERIAL`, `CERTIFICATE_EXPIRED`, `MISSING_FIELD` (a header), `INVALID_FIELD`, `INVALID_ARGUMENT`
     * @param {HeadersLike} headers
     * @param {string | Uint8Array} body
     * @param {UnixSeconds} [now]
     */
    verifySignature(headers, body, now) {
        const borrow0 = addBorrowedObject(headers);
        const borrow1 = addBorrowedObject(body);
        const borrow2 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keyset_verifySignature(retptr, this.__wbg_ptr, borrow0, borrow1, borrow2);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            if (r1) {
                throw takeObject(r0);
            }
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
}
if (Symbol.dispose) KeySet.prototype[Symbol.dispose] = KeySet.prototype.free;
exports.KeySet = KeySet;

/**
 * WeChat's verification keys and the bookkeeping of their downloads:
 * `new KeyStore()` or `new KeyStore(savedJson)` (checked as a whole: a tampered or truncated
 * store is refused). It holds no secret; save `toJson()` after every call that changes it.
 */
class KeyStore {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        KeyStoreFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_keystore_free(ptr, 0);
    }
    /**
     * Adds a platform certificate (PEM) and returns its serial number.
     *
     * @throws {WxPayError} `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
     * @param {Pem} pem
     * @returns {string}
     */
    addCertificate(pem) {
        const borrow0 = addBorrowedObject(pem);
        let deferred3_0;
        let deferred3_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_addCertificate(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
            var ptr2 = r0;
            var len2 = r1;
            if (r3) {
                ptr2 = 0; len2 = 0;
                throw takeObject(r2);
            }
            deferred3_0 = ptr2;
            deferred3_1 = len2;
            return getStringFromWasm0(ptr2, len2);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
        }
    }
    /**
     * Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
     * @param {string} id
     * @param {Pem} pem
     */
    addPublicKey(id, pem) {
        const borrow0 = addBorrowedObject(id);
        const borrow1 = addBorrowedObject(pem);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_addPublicKey(retptr, this.__wbg_ptr, borrow0, borrow1);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            if (r1) {
                throw takeObject(r0);
            }
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * WeChat's answer to `Merchant#buildDownloadCertificates`, taken in: verified with the keys
     * held (a first download by a certificate it carries), decrypted with the APIv3 key, new
     * certificates added, expired ones dropped. A 404 is recorded as "no certificates". Any
     * other answer, or one that fails a check, changes nothing.
     *
     * @throws {WxPayError} `API_ERROR`, `UNKNOWN_SERIAL`, the codes of `KeySet#verifySignature`, `AEAD_TAG_MISMATCH` (the wrong APIv3 key), `INVALID_CERTIFICATE`, `MALFORMED_JSON`, `INVALID_KEY`, `INVALID_ARGUMENT`
     * @param {WeChatResponse} response
     * @param {string} apiV3Key
     * @param {UnixSeconds} [now]
     * @returns {KeyStoreRefresh}
     */
    ingestCertificates(response, apiV3Key, now) {
        const borrow0 = addBorrowedObject(apiV3Key);
        const borrow1 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_ingestCertificates(retptr, this.__wbg_ptr, addHeapObject(response), borrow0, borrow1);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * A `KeySet` with the store's keys as they are now (and the APIv3 key, for notifies), to
     * verify answers and notifies with.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
     * @param {string} [apiV3Key]
     * @returns {KeySet}
     */
    keySet(apiV3Key) {
        const borrow0 = addBorrowedObject(apiV3Key);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_keySet(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return KeySet.__wrap(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * An empty store, or the one `saved` (a `toJson()` string) holds.
     *
     * @throws {WxPayError} `INVALID_KEY_STORE`, `INVALID_ARGUMENT`
     * @param {string} [saved]
     */
    constructor(saved) {
        const borrow0 = addBorrowedObject(saved);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_new(retptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            this.__wbg_ptr = r0;
            KeyStoreFinalization.register(this, this.__wbg_ptr, this);
            return this;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * When the next download is due (Unix seconds), or `undefined` when never.
     * @returns {number | undefined}
     */
    get nextRefresh() {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_next_refresh(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r2 = getDataViewMemory0().getFloat64(retptr + 8 * 1, true);
            return r0 === 0 ? undefined : r2;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * What to do about a `Wechatpay-Serial` the store does not hold (`UNKNOWN_SERIAL`):
     * `{ advice: 'download' }` at most once per interval, shared by every instance through the
     * saved store; otherwise `alreadyDownloaded` (with `nextAllowed`), `noCertificates`,
     * `configurePublicKey` (an unknown `PUB_KEY_ID_…`: never downloaded, it comes from the
     * merchant platform) or `held`.
     *
     * @throws {WxPayError} `INVALID_ARGUMENT`
     * @param {string} serial
     * @param {UnixSeconds} [now]
     * @returns {DownloadAdvice}
     */
    onUnknownSerial(serial, now) {
        const borrow0 = addBorrowedObject(serial);
        const borrow1 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_onUnknownSerial(retptr, this.__wbg_ptr, borrow0, borrow1);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * Whether `/v3/certificates` should be downloaded now: every 12 hours while there are
     * platform certificates, hourly near the newest one's expiry, never for a merchant with
     * only the WeChat Pay public key.
     *
     * @throws {WxPayError} `INVALID_ARGUMENT`
     * @param {UnixSeconds} [now]
     * @returns {boolean}
     */
    refreshDue(now) {
        const borrow0 = addBorrowedObject(now);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_refreshDue(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return r0 !== 0;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
        }
    }
    /**
     * The store as JSON, to save in the database (public keys and certificates only).
     * @returns {string}
     */
    toJson() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.keystore_toJson(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            deferred1_0 = r0;
            deferred1_1 = r1;
            return getStringFromWasm0(r0, r1);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) KeyStore.prototype[Symbol.dispose] = KeyStore.prototype.free;
exports.KeyStore = KeyStore;

/**
 * Who we are to WeChat Pay v3: `new Merchant({ appId, mchId, serialNo, privateKey })`. The
 * private key (`apiclient_key.pem`'s text) is parsed once and stays inside WebAssembly; no
 * getter returns it. With `sign` instead of `privateKey`, the caller signs (`node:crypto`
 * signs about ten times faster than RSA in WebAssembly: BENCHMARKS.md).
 */
class Merchant {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        MerchantFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_merchant_free(ptr, 0);
    }
    /**
     * Where requests go: `https://api.mch.weixin.qq.com` unless `apiBase` was given.
     * @returns {string}
     */
    get apiBase() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_api_base(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            deferred1_0 = r0;
            deferred1_1 = r1;
            return getStringFromWasm0(r0, r1);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The mini-program's AppID.
     * @returns {string}
     */
    get appId() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_app_id(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            deferred1_0 = r0;
            deferred1_1 = r1;
            return getStringFromWasm0(r0, r1);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * 发起异常退款, for a refund in `ABNORMAL`: `POST /v3/refund/domestic/refunds/{refundId}/apply-abnormal-refund`.
     * `bankAccount` and `realName` are what `keys.encryptSensitive(text)` gave (never the text:
     * a plaintext is refused), and the request carries their key as `Wechatpay-Serial`. Read
     * the answer with `KeySet#parseRefundResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {AbnormalRefund} refund
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildAbnormalRefund(refund, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildAbnormalRefund(retptr, this.__wbg_ptr, addHeapObject(refund), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * The `Authorization` header of any v3 request: `method`, `pathAndQuery` (from `/v3/…`,
     * with the query string) and `body` exactly as sent (none for a GET). `timestamp` defaults
     * to now (seconds), `nonceStr` to a fresh one.
     *
     * @throws {WxPayError} `INVALID_FIELD`, `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {AuthorizationInit} request
     * @returns {string}
     */
    buildAuthorization(request) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildAuthorization(retptr, this.__wbg_ptr, addHeapObject(request));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * The signed `GET` of a bill's `downloadUrl` (valid for 30 seconds). Its answer is the
     * file, not signed: open it with `openTradeBill` / `openFundFlowBill`, which check its SHA-1.
     * The URL must be on this merchant's `apiBase` (api.mch.weixin.qq.com unless another was
     * given, such as wxpay-sim's): the signed request is sent nowhere else.
     *
     * @throws {WxPayError} `INVALID_FIELD` (a URL not on `apiBase`), `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {BillResponse} bill
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildBillDownload(bill, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildBillDownload(retptr, this.__wbg_ptr, addHeapObject(bill), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 关闭订单: `POST /v3/pay/transactions/out-trade-no/{outTradeNo}/close`. WeChat answers
     * 204; read it with `KeySet#parseCloseOrderResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {{ outTradeNo: string }} close
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildCloseOrder(close, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildCloseOrder(retptr, this.__wbg_ptr, addHeapObject(close), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 下载平台证书: `GET /v3/certificates`. Read the answer with
     * `KeySet#addDownloadedCertificates`. (Merchants registered since late 2024 have the
     * WeChat Pay public key instead, and get 404.)
     *
     * @throws {WxPayError} `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildDownloadCertificates(options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildDownloadCertificates(retptr, this.__wbg_ptr, addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 申请资金账单: `GET /v3/bill/fundflowbill?bill_date=…` (`accountType` `BASIC` by default).
     *
     * @throws {WxPayError} as `buildTradeBill`
     * @param {FundFlowBillInit} bill
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildFundFlowBill(bill, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildFundFlowBill(retptr, this.__wbg_ptr, addHeapObject(bill), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * JSAPI下单: `POST /v3/pay/transactions/jsapi`, signed. Read the answer with
     * `KeySet#parseJsapiPrepayResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {JsapiOrder} order
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildJsapiPrepay(order, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildJsapiPrepay(retptr, this.__wbg_ptr, addHeapObject(order), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 查询订单 by the merchant's order number: `GET /v3/pay/transactions/out-trade-no/{outTradeNo}?mchid=…`.
     * Read the answer with `KeySet#parseTransactionResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {{ outTradeNo: string }} query
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildQueryByOutTradeNo(query, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildQueryByOutTradeNo(retptr, this.__wbg_ptr, addHeapObject(query), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 查询订单 by WeChat's order number: `GET /v3/pay/transactions/id/{transactionId}?mchid=…`.
     * Read the answer with `KeySet#parseTransactionResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {{ transactionId: string }} query
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildQueryByTransactionId(query, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildQueryByTransactionId(retptr, this.__wbg_ptr, addHeapObject(query), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 查询单笔退款: `GET /v3/refund/domestic/refunds/{outRefundNo}`. Read the answer with
     * `KeySet#parseRefundResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {{ outRefundNo: string }} query
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildRefundQuery(query, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildRefundQuery(retptr, this.__wbg_ptr, addHeapObject(query), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 退款申请: `POST /v3/refund/domestic/refunds`. The answer (`KeySet#parseRefundResponse`)
     * is usually `PROCESSING`: the final state comes from the refund notify or a query.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {CreateRefund} refund
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildRefund(refund, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildRefund(retptr, this.__wbg_ptr, addHeapObject(refund), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * 申请交易账单: `GET /v3/bill/tradebill?bill_date=…` (`billType` `ALL` by default,
     * `tarType: 'GZIP'` for a compressed file). Read the answer with `KeySet#parseBillResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD` (not a calendar day), `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {TradeBillInit} bill
     * @param {SignOptions} [options]
     * @returns {SignedRequest}
     */
    buildTradeBill(bill, options) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_buildTradeBill(retptr, this.__wbg_ptr, addHeapObject(bill), addHeapObject(options));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * A sensitive field of WeChat's answer, decrypted with the merchant's private key. Only
     * for answers already verified (`KeySet#parse…`): see the core's note on RSA decryption.
     * A merchant made with `sign` instead of `privateKey` cannot decrypt.
     *
     * @throws {WxPayError} `OAEP_DECRYPT_FAILED`, `TRUNCATED_CIPHERTEXT`, `INVALID_FIELD` (not base64), `NOT_UTF8`, `MISSING_FIELD` (`privateKey`), `INVALID_ARGUMENT`
     * @param {string} ciphertext
     * @returns {string}
     */
    decryptSensitive(ciphertext) {
        const borrow0 = addBorrowedObject(ciphertext);
        let deferred3_0;
        let deferred3_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_decryptSensitive(retptr, this.__wbg_ptr, borrow0);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
            var ptr2 = r0;
            var len2 = r1;
            if (r3) {
                ptr2 = 0; len2 = 0;
                throw takeObject(r2);
            }
            deferred3_0 = ptr2;
            deferred3_1 = len2;
            return getStringFromWasm0(ptr2, len2);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            heap[stack_pointer++] = undefined;
            wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
        }
    }
    /**
     * The merchant number.
     * @returns {string}
     */
    get mchId() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_mch_id(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            deferred1_0 = r0;
            deferred1_1 = r1;
            return getStringFromWasm0(r0, r1);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * @throws {WxPayError} `INVALID_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     * @param {MerchantConfig} config
     */
    constructor(config) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_new(retptr, addHeapObject(config));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            this.__wbg_ptr = r0;
            MerchantFinalization.register(this, this.__wbg_ptr, this);
            return this;
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * The object `wx.requestPayment` takes for a JSAPI `prepayId`: `{ timeStamp, nonceStr,
     * package, signType: "RSA", paySign }`. `timeStamp` defaults to now (seconds), `nonceStr`
     * to a fresh one.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     * @param {PaymentParamsInit} init
     * @returns {PaymentParams}
     */
    paymentParams(init) {
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_paymentParams(retptr, this.__wbg_ptr, addHeapObject(init));
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
            if (r2) {
                throw takeObject(r1);
            }
            return takeObject(r0);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
        }
    }
    /**
     * The merchant API certificate's serial number.
     * @returns {string}
     */
    get serialNo() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_serial_no(retptr, this.__wbg_ptr);
            var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
            var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
            deferred1_0 = r0;
            deferred1_1 = r1;
            return getStringFromWasm0(r0, r1);
        } finally {
            wasm.__wbindgen_add_to_stack_pointer(16);
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) Merchant.prototype[Symbol.dispose] = Merchant.prototype.free;
exports.Merchant = Merchant;

/**
 * Decrypts an `AEAD_AES_256_GCM` resource (`{ algorithm, ciphertext, nonce, associatedData }`,
 * as in a notify or the certificate download) with the APIv3 key, to its text. Prefer
 * `KeySet#openNotification` for notifies: it verifies before it decrypts.
 *
 * @throws {WxPayError} `AEAD_TAG_MISMATCH` (usually the wrong APIv3 key), `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `INVALID_FIELD`, `NOT_UTF8`, `INVALID_KEY`, `MISSING_FIELD`, `INVALID_ARGUMENT`
 * @param {EncryptedResource} resource
 * @param {string} apiV3Key
 * @returns {string}
 */
function decryptResource(resource, apiV3Key) {
    const borrow0 = addBorrowedObject(apiV3Key);
    let deferred3_0;
    let deferred3_1;
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.decryptResource(retptr, addHeapObject(resource), borrow0);
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
        var ptr2 = r0;
        var len2 = r1;
        if (r3) {
            ptr2 = 0; len2 = 0;
            throw takeObject(r2);
        }
        deferred3_0 = ptr2;
        deferred3_1 = len2;
        return getStringFromWasm0(ptr2, len2);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
        heap[stack_pointer++] = undefined;
        wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
    }
}
exports.decryptResource = decryptResource;

/**
 * What WeChat's `SIGN_ERROR` answer (`answer`, its body as received) says about the request
 * signed (`request`: `method`, `pathAndQuery`, `body`, `timestamp` and `nonceStr`, as given to
 * `buildAuthorization` or to a `build…` call): `lineDiffers` with the line, WeChat's and ours;
 * `lengthDiffers`; or `sameMessage` (the private key is not the one of the serial). `null` when
 * the answer is not a `SIGN_ERROR` carrying `detail.sign_information`.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 * @param {string | Uint8Array} answer
 * @param {AuthorizationInit} request
 * @returns {SignDiagnosis | null}
 */
function diagnoseSignError(answer, request) {
    const borrow0 = addBorrowedObject(answer);
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.diagnoseSignError(retptr, borrow0, addHeapObject(request));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
        heap[stack_pointer++] = undefined;
    }
}
exports.diagnoseSignError = diagnoseSignError;

/**
 * Judges a verified payment report (v2: a `PaymentNotify` or an orderquery answer; v3: a
 * payment notify's `event` or a query's `Transaction`) against the stored order (`null`: no
 * order has its `outTradeNo`). `RECORD`: move the order to `PAID` with the report's
 * transaction in one conditional update from the status judged (`CLOSED` when `afterClose`,
 * flagged for a person), and acknowledge only once it is stored; if the update finds the
 * order moved on, read it again and judge again. `REFUSE`: change nothing and refuse with a
 * fixed message: `code` is for the log.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`; v2 also
 * `UNSUPPORTED_SIGN_TYPE`
 * @param {StoredOrder | null} stored
 * @param {PaymentReport} report
 * @returns {PaymentVerdict}
 */
function judgePayment(stored, report) {
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.judgePayment(retptr, addHeapObject(stored), addHeapObject(report));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
    }
}
exports.judgePayment = judgePayment;

/**
 * Judges a refund report (v2: a `RefundNotify`, or one refund of a refundquery answer with the
 * answer's `outTradeNo`, `transactionId` and `totalFee`; v3: a refund notify's `event` or a
 * `Refund` answer) against the stored refund (`null`: no refund has its `outRefundNo`).
 * `RECORD`: move the refund to `status` (with the report's `refundId`) in one conditional
 * update from the status judged, and acknowledge only once it is stored. `RECORD_UNKNOWN`: a
 * refund we did not start (made on the merchant platform): record it for a person, then
 * acknowledge. `ALREADY_RECORDED`, `STALE`: acknowledge. `REFUSE`: change nothing, refuse
 * with a fixed message.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
 * @param {StoredRefund | null} stored
 * @param {RefundReport} report
 * @returns {RefundVerdict}
 */
function judgeRefund(stored, report) {
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.judgeRefund(retptr, addHeapObject(stored), addHeapObject(report));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
    }
}
exports.judgeRefund = judgeRefund;

/**
 * A downloaded fund flow bill, checked and read as `openTradeBill` does.
 *
 * @throws {WxPayError} as `openTradeBill`
 * @param {BillResponse} bill
 * @param {Uint8Array} bytes
 * @param {OpenBillOptions} [options]
 * @returns {FundFlowBill}
 */
function openFundFlowBill(bill, bytes, options) {
    const borrow0 = addBorrowedObject(bytes);
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.openFundFlowBill(retptr, addHeapObject(bill), borrow0, addHeapObject(options));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
        heap[stack_pointer++] = undefined;
    }
}
exports.openFundFlowBill = openFundFlowBill;

/**
 * A downloaded trade bill: its SHA-1 checked against `bill.hashValue` (of the text, after gzip
 * is undone when `options.tarType` is `'GZIP'`), then read into `{ rows, summary }`, amounts in
 * fen, the summary checked against the rows. Nothing is returned from a file that fails a check.
 *
 * @throws {WxPayError} `BILL_HASH_MISMATCH`, `INVALID_GZIP`, `TOO_LARGE` (over `options.limit` bytes, default 256 MiB), `NOT_UTF8`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 * @param {BillResponse} bill
 * @param {Uint8Array} bytes
 * @param {OpenBillOptions} [options]
 * @returns {TradeBill}
 */
function openTradeBill(bill, bytes, options) {
    const borrow0 = addBorrowedObject(bytes);
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.openTradeBill(retptr, addHeapObject(bill), borrow0, addHeapObject(options));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
        heap[stack_pointer++] = undefined;
    }
}
exports.openTradeBill = openTradeBill;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return addHeapObject(ret);
        },
        __wbg_Number_ff192a72a0dcdf6d: function(arg0) {
            const ret = Number(getObject(arg0));
            return ret;
        },
        __wbg___wbindgen_bigint_get_as_i64_11da4b52cd0aedef: function(arg0, arg1) {
            const v = getObject(arg1);
            const ret = typeof(v) === 'bigint' ? v : undefined;
            getDataViewMemory0().setBigInt64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? BigInt(0) : ret, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_boolean_get_4f1baf9a00be3c74: function(arg0) {
            const v = getObject(arg0);
            const ret = typeof(v) === 'boolean' ? v : undefined;
            return isLikeNone(ret) ? 0xFFFFFF : ret ? 1 : 0;
        },
        __wbg___wbindgen_debug_string_f249a2a76caa9a55: function(arg0, arg1) {
            const ret = debugString(getObject(arg1));
            const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_export, wasm.__wbindgen_export2);
            const len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_in_3f58a9d3b3a7eed2: function(arg0, arg1) {
            const ret = getObject(arg0) in getObject(arg1);
            return ret;
        },
        __wbg___wbindgen_is_bigint_5fa10641e039d3ef: function(arg0) {
            const ret = typeof(getObject(arg0)) === 'bigint';
            return ret;
        },
        __wbg___wbindgen_is_function_741ff2bb612836f5: function(arg0) {
            const ret = typeof(getObject(arg0)) === 'function';
            return ret;
        },
        __wbg___wbindgen_is_null_c22311b1cc228e3a: function(arg0) {
            const ret = getObject(arg0) === null;
            return ret;
        },
        __wbg___wbindgen_is_object_8b968c3ab8e96595: function(arg0) {
            const val = getObject(arg0);
            const ret = typeof(val) === 'object' && val !== null;
            return ret;
        },
        __wbg___wbindgen_is_string_fc456fee5d3317de: function(arg0) {
            const ret = typeof(getObject(arg0)) === 'string';
            return ret;
        },
        __wbg___wbindgen_is_symbol_f846131a047725ea: function(arg0) {
            const ret = typeof(getObject(arg0)) === 'symbol';
            return ret;
        },
        __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
            const ret = getObject(arg0) === undefined;
            return ret;
        },
        __wbg___wbindgen_jsval_eq_38d7bfbe4cc84039: function(arg0, arg1) {
            const ret = getObject(arg0) === getObject(arg1);
            return ret;
        },
        __wbg___wbindgen_jsval_loose_eq_b2f214e2e4b30e36: function(arg0, arg1) {
            const ret = getObject(arg0) == getObject(arg1);
            return ret;
        },
        __wbg___wbindgen_number_get_934b640d0889af78: function(arg0, arg1) {
            const obj = getObject(arg1);
            const ret = typeof(obj) === 'number' ? obj : undefined;
            getDataViewMemory0().setFloat64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? 0 : ret, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_string_get_7ce8eee7fd327545: function(arg0, arg1) {
            const obj = getObject(arg1);
            const ret = typeof(obj) === 'string' ? obj : undefined;
            var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_export, wasm.__wbindgen_export2);
            var len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbg__wbg_cb_unref_09736879a3f67559: function(arg0) {
            getObject(arg0)._wbg_cb_unref();
        },
        __wbg_aesGcmOpen_75e8aff9f9202d49: function() { return handleError(function (arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7) {
            const ret = aesGcmOpen(getArrayU8FromWasm0(arg0, arg1), getArrayU8FromWasm0(arg2, arg3), getArrayU8FromWasm0(arg4, arg5), getArrayU8FromWasm0(arg6, arg7));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_aesGcmSeal_7ea099020c5067bc: function() { return handleError(function (arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7) {
            const ret = aesGcmSeal(getArrayU8FromWasm0(arg0, arg1), getArrayU8FromWasm0(arg2, arg3), getArrayU8FromWasm0(arg4, arg5), getArrayU8FromWasm0(arg6, arg7));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_apply_159b555fe0e7ee33: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = Reflect.apply(getObject(arg0), getObject(arg1), getObject(arg2));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_call_40b008ba32f73991: function() { return handleError(function (arg0, arg1) {
            const ret = getObject(arg0).call(getObject(arg1));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_copyInto_7ddc1aad2759d508: function() { return handleError(function (arg0, arg1, arg2) {
            copyInto(getArrayU8FromWasm0(arg0, arg1), getObject(arg2));
        }, arguments); },
        __wbg_done_57e08d0be6e30c02: function(arg0) {
            const ret = getObject(arg0).done;
            return ret;
        },
        __wbg_entries_7bb1459bd9b5c2b9: function(arg0) {
            const ret = Object.entries(getObject(arg0));
            return addHeapObject(ret);
        },
        __wbg_entries_7e23ad9bf410b82b: function() { return handleError(function (arg0) {
            const ret = Object.entries(getObject(arg0));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_from_c582f4bb8732e49e: function() { return handleError(function (arg0) {
            const ret = Array.from(getObject(arg0));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_getPrototypeOf_104b677cbabfd96c: function() { return handleError(function (arg0) {
            const ret = Object.getPrototypeOf(getObject(arg0));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_getRandomValues_8b6f1f663e6f188d: function() { return handleError(function (arg0, arg1) {
            globalThis.crypto.getRandomValues(getArrayU8FromWasm0(arg0, arg1));
        }, arguments); },
        __wbg_get_635eea311fa1a291: function() { return handleError(function (arg0, arg1) {
            const ret = Reflect.get(getObject(arg0), getObject(arg1));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_get_767ce13f6dd922b0: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = Reflect.get(getObject(arg0), getStringFromWasm0(arg1, arg2));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_get_d7176cfb76d71114: function(arg0, arg1) {
            const ret = getObject(arg0)[arg1 >>> 0];
            return addHeapObject(ret);
        },
        __wbg_get_unchecked_e6325ad374eff861: function(arg0, arg1) {
            const ret = getObject(arg0)[arg1 >>> 0];
            return addHeapObject(ret);
        },
        __wbg_get_with_ref_key_fc601247060b7204: function(arg0, arg1) {
            const ret = getObject(arg0)[getObject(arg1)];
            return addHeapObject(ret);
        },
        __wbg_importPrivateKey_946ee80dff83b8dc: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = importPrivateKey(getArrayU8FromWasm0(arg0, arg1), arg2 !== 0);
            return ret;
        }, arguments); },
        __wbg_importPublicKey_0a4b686de4ce5e2d: function() { return handleError(function (arg0, arg1) {
            const ret = importPublicKey(getArrayU8FromWasm0(arg0, arg1));
            return ret;
        }, arguments); },
        __wbg_instanceof_ArrayBuffer_12cdaa4161423e6b: function(arg0) {
            let result;
            try {
                result = getObject(arg0) instanceof ArrayBuffer;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_instanceof_Error_74e3cca0c4a69161: function(arg0) {
            let result;
            try {
                result = getObject(arg0) instanceof Error;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_instanceof_Map_0b4fc8b62e73f163: function(arg0) {
            let result;
            try {
                result = getObject(arg0) instanceof Map;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_instanceof_Uint8Array_d7aeb0dcb3108fea: function(arg0) {
            let result;
            try {
                result = getObject(arg0) instanceof Uint8Array;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_isArray_96eb8b25c360a986: function() { return handleError(function (arg0) {
            const ret = Array.isArray(getObject(arg0));
            return ret;
        }, arguments); },
        __wbg_isArray_bcf1376d0d732d08: function(arg0) {
            const ret = Array.isArray(getObject(arg0));
            return ret;
        },
        __wbg_isSafeInteger_1a35ba4d31e71d38: function(arg0) {
            const ret = Number.isSafeInteger(getObject(arg0));
            return ret;
        },
        __wbg_isView_a583c1b612d5c9e9: function(arg0) {
            const ret = ArrayBuffer.isView(getObject(arg0));
            return ret;
        },
        __wbg_iterator_e4c5e8f68ada7b58: function() {
            const ret = Symbol.iterator;
            return addHeapObject(ret);
        },
        __wbg_length_186163212ffe79c3: function(arg0) {
            const ret = getObject(arg0).length;
            return ret;
        },
        __wbg_length_b03a0fabb109b1e9: function(arg0) {
            const ret = getObject(arg0).length;
            return ret;
        },
        __wbg_message_43d8c8f1d543a349: function(arg0) {
            const ret = getObject(arg0).message;
            return addHeapObject(ret);
        },
        __wbg_new_13de428334042d26: function(arg0) {
            const ret = new Uint8Array(getObject(arg0));
            return addHeapObject(ret);
        },
        __wbg_new_37eb45aaf5eeb820: function() {
            const ret = new Array();
            return addHeapObject(ret);
        },
        __wbg_new_7075786089b89c5e: function() {
            const ret = new Map();
            return addHeapObject(ret);
        },
        __wbg_new_787b9fb330d55d78: function(arg0, arg1) {
            const ret = new Error(getStringFromWasm0(arg0, arg1));
            return addHeapObject(ret);
        },
        __wbg_new_cd4348290afae586: function() {
            const ret = new Object();
            return addHeapObject(ret);
        },
        __wbg_new_from_slice_b8daf545a41c6aa0: function(arg0, arg1) {
            const ret = new Uint8Array(getArrayU8FromWasm0(arg0, arg1));
            return addHeapObject(ret);
        },
        __wbg_next_178c1651c11432b3: function(arg0) {
            const ret = getObject(arg0).next;
            return addHeapObject(ret);
        },
        __wbg_next_af5ac6a08bb0a717: function() { return handleError(function (arg0) {
            const ret = getObject(arg0).next();
            return addHeapObject(ret);
        }, arguments); },
        __wbg_now_463ac581d2fc7ea3: function() {
            const ret = Date.now();
            return ret;
        },
        __wbg_oaepDecrypt_74e9e824bfab1296: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = oaepDecrypt(arg0 >>> 0, getArrayU8FromWasm0(arg1, arg2));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_oaepEncrypt_951f978f8314f590: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = oaepEncrypt(arg0 >>> 0, getArrayU8FromWasm0(arg1, arg2));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_packHeaders_6b372e5fe39e2129: function() { return handleError(function (arg0) {
            const ret = packHeaders(getObject(arg0));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_parse_c3f72b5a24f83c01: function() { return handleError(function (arg0, arg1) {
            const ret = JSON.parse(getStringFromWasm0(arg0, arg1));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_prototypesetcall_13162965d1fe7aa3: function(arg0, arg1, arg2) {
            Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), getObject(arg2));
        },
        __wbg_push_c9f4893fc209f768: function(arg0, arg1) {
            const ret = getObject(arg0).push(getObject(arg1));
            return ret;
        },
        __wbg_releaseKey_f10c1de46a8c4705: function(arg0) {
            releaseKey(arg0 >>> 0);
        },
        __wbg_rsaSign_ed854f626feeecb3: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = rsaSign(arg0 >>> 0, getArrayU8FromWasm0(arg1, arg2));
            return addHeapObject(ret);
        }, arguments); },
        __wbg_rsaVerify_f7113bb6967e1584: function(arg0, arg1, arg2, arg3, arg4) {
            const ret = rsaVerify(arg0 >>> 0, getArrayU8FromWasm0(arg1, arg2), getArrayU8FromWasm0(arg3, arg4));
            return ret;
        },
        __wbg_set_2793479888329cb6: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = Reflect.set(getObject(arg0), getObject(arg1), getObject(arg2));
            return ret;
        }, arguments); },
        __wbg_set_8282f7e0d2d01336: function(arg0, arg1, arg2) {
            const ret = getObject(arg0).set(getObject(arg1), getObject(arg2));
            return addHeapObject(ret);
        },
        __wbg_set_d2d33b52458e984a: function(arg0, arg1, arg2) {
            getObject(arg0)[arg1 >>> 0] = takeObject(arg2);
        },
        __wbg_set_e4b9a833d288759a: function(arg0, arg1, arg2) {
            getObject(arg0)[takeObject(arg1)] = takeObject(arg2);
        },
        __wbg_toString_6b1cac73c93ef5d1: function() { return handleError(function (arg0, arg1) {
            const ret = getObject(arg0).toString(arg1);
            return addHeapObject(ret);
        }, arguments); },
        __wbg_uint8Length_673a7762bc1226a3: function() { return handleError(function (arg0) {
            const ret = uint8Length(getObject(arg0));
            return ret;
        }, arguments); },
        __wbg_value_e0f328965e184931: function(arg0) {
            const ret = getObject(arg0).value;
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000001: function(arg0, arg1) {
            // Cast intrinsic for `Closure(Closure { owned: true, function: Function { arguments: [Externref], shim_idx: 26, ret: Result(Externref), inner_ret: Some(Result(Externref)) }, mutable: true }) -> Externref`.
            const ret = makeMutClosure(arg0, arg1, __wasm_bindgen_func_elem_401);
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000002: function(arg0) {
            // Cast intrinsic for `F64 -> Externref`.
            const ret = arg0;
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000003: function(arg0) {
            // Cast intrinsic for `I64 -> Externref`.
            const ret = arg0;
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000004: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000005: function(arg0) {
            // Cast intrinsic for `U64 -> Externref`.
            const ret = BigInt.asUintN(64, arg0);
            return addHeapObject(ret);
        },
        __wbindgen_object_clone_ref: function(arg0) {
            const ret = getObject(arg0);
            return addHeapObject(ret);
        },
        __wbindgen_object_drop_ref: function(arg0) {
            takeObject(arg0);
        },
    };
    return {
        __proto__: null,
        "./v3_bg.js": import0,
    };
}

function __wasm_bindgen_func_elem_401(arg0, arg1, arg2) {
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.__wasm_bindgen_func_elem_401(retptr, arg0, arg1, addHeapObject(arg2));
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        if (r2) {
            throw takeObject(r1);
        }
        return takeObject(r0);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
    }
}

const KeySetFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_keyset_free(ptr, 1));
const KeyStoreFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_keystore_free(ptr, 1));
const MerchantFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_merchant_free(ptr, 1));

function addHeapObject(obj) {
    if (heap_next === heap.length) heap.push(heap.length + 1);
    const idx = heap_next;
    heap_next = heap[idx];

    heap[idx] = obj;
    return idx;
}

function addBorrowedObject(obj) {
    if (stack_pointer == 1) throw new Error('out of js stack');
    heap[--stack_pointer] = obj;
    return stack_pointer;
}

const CLOSURE_DTORS = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(state => wasm.__wbindgen_export5(state.a, state.b));

function debugString(val) {
    switch (typeof val) {
        // primitive types
        case 'number':
        case 'boolean':
        case 'undefined':
        return `${val}`;
        case 'string':
        return JSON.stringify(val);
        case 'bigint':
        return `${val}n`;
        case 'symbol':
        return val.description !== undefined
            ? `Symbol(${val.description})`
            : 'Symbol';
        case 'function':
        return typeof val.name === 'string' && val.name !== ''
            ? `Function(${val.name})`
            : 'Function';
        case 'object': {
            if (val === null) {
                return 'null';
            }
            // objects
            if (Array.isArray(val)) {
                return '[' + Array.from(val, debugString).join(', ') + ']';
            }
            // errors
            if (val instanceof Error) {
                return `${val.name}: ${val.message}\n${val.stack}`;
            }

            const toStringOutput = toString.call(val);
            // Test for built-in
            const className = /\[object ([^\]]+)\]/.exec(toStringOutput)?.[1];

            // Failed to match the standard '[object ClassName]'
            if (className === undefined) {
                return toStringOutput;
            }
            if (className === 'Object') {
                // we're a user defined class or Object
                // JSON.stringify avoids problems with cycles, and is generally much
                // easier than looping through ownProperties of `val`.
                try {
                    return 'Object(' + JSON.stringify(val) + ')';
                } catch (_) {
                    return 'Object';
                }
            }
            // TODO we could test for more things here, like `Set`s and `Map`s.
            return className;
        }
        // Per MDN: 'This list of values is exhaustive.'
        // https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/typeof#description
    }
}

function dropObject(idx) {
    if (idx < 1028) return;
    heap[idx] = heap_next;
    heap_next = idx;
}

function getArrayJsValueFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const mem = getDataViewMemory0();
    const result = [];
    for (let i = ptr; i < ptr + 4 * len; i += 4) {
        result.push(takeObject(mem.getUint32(i, true)));
    }
    return result;
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedDataViewMemory0 = null;
function getDataViewMemory0() {
    if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {
        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
    }
    return cachedDataViewMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function getObject(idx) { return heap[idx]; }

function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        wasm.__wbindgen_export4(addHeapObject(e));
    }
}

let heap = new Array(1024).fill(undefined);
heap.push(undefined, null, true, false);

let heap_next = heap.length;

function isLikeNone(x) {
    return x === undefined || x === null;
}

function makeMutClosure(arg0, arg1, f) {
    const state = { a: arg0, b: arg1, cnt: 1 };
    const real = (...args) => {

        // First up with a closure we increment the internal reference
        // count. This ensures that the Rust closure environment won't
        // be deallocated while we're invoking it.
        state.cnt++;
        const a = state.a;
        state.a = 0;
        try {
            return f(a, state.b, ...args);
        } finally {
            state.a = a;
            real._wbg_cb_unref();
        }
    };
    real._wbg_cb_unref = () => {
        if (--state.cnt === 0) {
            wasm.__wbindgen_export5(state.a, state.b);
            state.a = 0;
            CLOSURE_DTORS.unregister(state);
        }
    };
    CLOSURE_DTORS.register(real, state, state);
    return real;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

let stack_pointer = 1024;

function takeObject(idx) {
    const ret = getObject(idx);
    dropObject(idx);
    return ret;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
function decodeText(bytes) {
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

const wasmPath = `${__dirname}/v3_bg.wasm`;
const wasmBytes = require('fs').readFileSync(wasmPath);
const wasmModule = new WebAssembly.Module(wasmBytes);
let wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
let wasm = wasmInstance.exports;
