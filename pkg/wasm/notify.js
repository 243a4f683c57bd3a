/* @ts-self-types="./notify.d.ts" */
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

/**
 * A merchant configured once: `new Merchant({ appId, mchId, key, signType })`, for the calls a
 * server makes per request: the configuration is read and checked once, not per call. The key
 * stays inside WebAssembly memory; no getter returns it.
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
     * See the function `decryptRefundNotify`.
     * @param {string | Uint8Array} xml
     * @returns {RefundNotify}
     */
    decryptRefundNotify(xml) {
        const borrow0 = addBorrowedObject(xml);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_decryptRefundNotify(retptr, this.__wbg_ptr, borrow0);
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
     * @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `MISSING_FIELD`, `INVALID_ARGUMENT`
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
     * The algorithm of this merchant's requests.
     * @returns {SignType}
     */
    get signType() {
        let deferred1_0;
        let deferred1_1;
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_sign_type(retptr, this.__wbg_ptr);
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
     * See the function `verifyPaymentNotify`.
     * @param {string | Uint8Array} xml
     * @param {number} [expectedTotalFee]
     * @returns {PaymentNotify}
     */
    verifyPaymentNotify(xml, expectedTotalFee) {
        const borrow0 = addBorrowedObject(xml);
        const borrow1 = addBorrowedObject(expectedTotalFee);
        try {
            const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
            wasm.merchant_verifyPaymentNotify(retptr, this.__wbg_ptr, borrow0, borrow1);
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
}
if (Symbol.dispose) Merchant.prototype[Symbol.dispose] = Merchant.prototype.free;
exports.Merchant = Merchant;

/**
 * Decrypts a refund notify: `return_code`, `appid` / `mch_id`, then `req_info`
 * (AES-256-ECB under the MD5 of the API key).
 *
 * @throws {WxPayError} `DECRYPT_KEY_MISMATCH`, `BAD_PADDING`, `TRUNCATED_CIPHERTEXT`, `INVALID_BASE64`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `RETURN_FAIL`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 * @param {string | Uint8Array} xml
 * @param {MerchantConfig} merchant
 * @returns {RefundNotify}
 */
function decryptRefundNotify(xml, merchant) {
    const borrow0 = addBorrowedObject(xml);
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.decryptRefundNotify(retptr, borrow0, addHeapObject(merchant));
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
exports.decryptRefundNotify = decryptRefundNotify;

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
 * The reply to a payment or refund notify: `SUCCESS` stops WeChat's retries, `FAIL` asks for
 * one later. `ok` is `true` / `false`, or the word itself, `'SUCCESS'` / `'FAIL'` (a verdict's
 * `reply`); anything else is refused, never read as FAIL. `message` defaults to `OK` / `FAIL`.
 *
 * @throws {WxPayError} `UNENCODABLE`, `INVALID_ARGUMENT`
 * @param {boolean | "SUCCESS" | "FAIL"} ok
 * @param {string} [message]
 * @returns {string}
 */
function notifyReply(ok, message) {
    const borrow0 = addBorrowedObject(ok);
    const borrow1 = addBorrowedObject(message);
    let deferred4_0;
    let deferred4_1;
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.notifyReply(retptr, borrow0, borrow1);
        var r0 = getDataViewMemory0().getInt32(retptr + 4 * 0, true);
        var r1 = getDataViewMemory0().getInt32(retptr + 4 * 1, true);
        var r2 = getDataViewMemory0().getInt32(retptr + 4 * 2, true);
        var r3 = getDataViewMemory0().getInt32(retptr + 4 * 3, true);
        var ptr3 = r0;
        var len3 = r1;
        if (r3) {
            ptr3 = 0; len3 = 0;
            throw takeObject(r2);
        }
        deferred4_0 = ptr3;
        deferred4_1 = len3;
        return getStringFromWasm0(ptr3, len3);
    } finally {
        wasm.__wbindgen_add_to_stack_pointer(16);
        heap[stack_pointer++] = undefined;
        heap[stack_pointer++] = undefined;
        wasm.__wbindgen_export3(deferred4_0, deferred4_1, 1);
    }
}
exports.notifyReply = notifyReply;

/**
 * Verifies a payment notify body (the string or raw bytes WeChat POSTed): flat XML without
 * DOCTYPE, `return_code`, the signature (MD5 or HMAC-SHA256, told by its length), `appid` and
 * `mch_id`. With `expectedTotalFee` the amount is compared too. Answer with `notifyReply`.
 *
 * @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `AMOUNT_MISMATCH`, `RETURN_FAIL`, `DOCTYPE_FORBIDDEN` and the other XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 * @param {string | Uint8Array} xml
 * @param {MerchantConfig} merchant
 * @param {number} [expectedTotalFee]
 * @returns {PaymentNotify}
 */
function verifyPaymentNotify(xml, merchant, expectedTotalFee) {
    const borrow0 = addBorrowedObject(xml);
    const borrow1 = addBorrowedObject(expectedTotalFee);
    try {
        const retptr = wasm.__wbindgen_add_to_stack_pointer(-16) >>> 0;
        wasm.verifyPaymentNotify(retptr, borrow0, addHeapObject(merchant), borrow1);
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
exports.verifyPaymentNotify = verifyPaymentNotify;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return addHeapObject(ret);
        },
        __wbg___wbindgen_boolean_get_4f1baf9a00be3c74: function(arg0) {
            const v = getObject(arg0);
            const ret = typeof(v) === 'boolean' ? v : undefined;
            return isLikeNone(ret) ? 0xFFFFFF : ret ? 1 : 0;
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
        __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
            const ret = getObject(arg0) === undefined;
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
        __wbg_copyInto_7ddc1aad2759d508: function() { return handleError(function (arg0, arg1, arg2) {
            copyInto(getArrayU8FromWasm0(arg0, arg1), getObject(arg2));
        }, arguments); },
        __wbg_entries_7e23ad9bf410b82b: function() { return handleError(function (arg0) {
            const ret = Object.entries(getObject(arg0));
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
        __wbg_isArray_96eb8b25c360a986: function() { return handleError(function (arg0) {
            const ret = Array.isArray(getObject(arg0));
            return ret;
        }, arguments); },
        __wbg_isArray_bcf1376d0d732d08: function(arg0) {
            const ret = Array.isArray(getObject(arg0));
            return ret;
        },
        __wbg_length_b03a0fabb109b1e9: function(arg0) {
            const ret = getObject(arg0).length;
            return ret;
        },
        __wbg_new_787b9fb330d55d78: function(arg0, arg1) {
            const ret = new Error(getStringFromWasm0(arg0, arg1));
            return addHeapObject(ret);
        },
        __wbg_new_cd4348290afae586: function() {
            const ret = new Object();
            return addHeapObject(ret);
        },
        __wbg_set_2793479888329cb6: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = Reflect.set(getObject(arg0), getObject(arg1), getObject(arg2));
            return ret;
        }, arguments); },
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
        __wbindgen_generic_0000000000000001: function(arg0) {
            // Cast intrinsic for `F64 -> Externref`.
            const ret = arg0;
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000002: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return addHeapObject(ret);
        },
        __wbindgen_generic_0000000000000003: function(arg0) {
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
        "./notify_bg.js": import0,
    };
}

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

function dropObject(idx) {
    if (idx < 1028) return;
    heap[idx] = heap_next;
    heap_next = idx;
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

const wasmPath = `${__dirname}/notify_bg.wasm`;
const wasmBytes = require('fs').readFileSync(wasmPath);
const wasmModule = new WebAssembly.Module(wasmBytes);
let wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
let wasm = wasmInstance.exports;
