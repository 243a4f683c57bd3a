'use strict';
// The JS boundary of every entry point, as a property: every export (each function, each class's
// constructor and each of its methods) is called with random values at every argument position,
// and whatever it throws must be the package's error, a plain `Error` with a `code` that its
// entry point declares (`ErrorCode` in pkg/wasm/NAME.d.ts): never a wasm `RuntimeError`
// (`unreachable`, `memory access out of bounds`), a `TypeError` or a `RangeError`. After the
// storm, the same instances still give the right answers (compared with fresh ones).
//
// Seeded: the seed is printed; WXPAY_BOUNDARY_SEED=<seed> replays a run,
// WXPAY_BOUNDARY_ROUNDS=<n> changes the calls per export (default 24).
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers');
const v3h = require('./v3-helpers');

const { KEY, MERCHANT } = h;
const { V, PEM, CONFIG, KEYS } = v3h;

const SEED = Number(process.env.WXPAY_BOUNDARY_SEED || Math.floor(Math.random() * 2 ** 31));
const ROUNDS = Number(process.env.WXPAY_BOUNDARY_ROUNDS || 24);
console.log(`boundary storm: WXPAY_BOUNDARY_SEED=${SEED} WXPAY_BOUNDARY_ROUNDS=${ROUNDS}`);

const ENTRIES = {
  wxpay: require('../../pkg'),
  notify: require('../../pkg/notify'),
  v3: require('../../pkg/v3'),
};

// ---- random values -------------------------------------------------------------------------

function deepArray(depth) {
  let a = [];
  for (let i = 0; i < depth; i++) a = [a];
  return a;
}

function deepObject(depth) {
  let o = {};
  for (let i = 0; i < depth; i++) o = { a: o };
  return o;
}

function throwingGetter(name = 'appId') {
  return Object.defineProperty({}, name, { enumerable: true, get() { throw new Error('a getter of the caller threw'); } });
}

function revokedProxy(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

function fakeUint8Array() {
  return Object.setPrototypeOf({ length: 4, 0: 1, 1: 2 }, Uint8Array.prototype);
}

const HUGE = 'x'.repeat(1 << 20);

/** The kinds of values thrown at every position. */
const MAKERS = [
  () => undefined, () => null, () => true, () => false,
  () => 0, () => -0, () => 5, () => -1, () => 1.5, () => NaN, () => Infinity, () => 1e308, () => 2 ** 53,
  () => 10n, () => Symbol('s'),
  () => '', () => 'a', () => '123', () => '\ud800', () => 'x\udc00y', () => HUGE, () => 'prepay_id=wx1',
  () => [], () => [1, 'a'], () => ['a'], () => deepArray(5000), () => deepObject(5000),
  () => ({}), () => ({ a: 1 }), () => ({ appId: 1, mchId: 2, key: 3 }), () => Object.create(null),
  () => throwingGetter(), () => throwingGetter('status'), () => revokedProxy(), () => revokedProxy([]), () => revokedProxy(() => 1),
  () => fakeUint8Array(), () => Object.create(Uint8Array.prototype), () => new Uint8Array([1, 2, 3]), () => Buffer.from('<xml></xml>'),
  () => new Uint16Array(3), () => new ArrayBuffer(8), () => new DataView(new ArrayBuffer(4)),
  () => () => 1, () => function named() { return 'x'; }, () => async () => 'x',
  () => new Map([['a', 'b']]), () => new Set([1]), () => new Date(0), () => /re/, () => new Error('e'), () => Promise.resolve(1),
  () => new Proxy({}, { ownKeys() { throw new Error('ownKeys threw'); } }),
  () => new Proxy({}, { get() { throw new Error('get threw'); }, has() { throw new Error('has threw'); } }),
  () => ({ toString() { throw new Error('toString threw'); }, valueOf() { throw new Error('valueOf threw'); } }),
  () => ({ [Symbol.toPrimitive]() { throw new Error('toPrimitive threw'); } }),
  () => ({ then(resolve) { resolve(1); } }),
  () => new Headers({ 'wechatpay-serial': 'PUB_KEY_ID_0' }), () => ({ get() { throw new Error('get() threw'); } }),
  () => new Map([[1, 'a']]), () => new Map([['wechatpay-nonce', 5]]), () => ({ 'Wechatpay-Timestamp': ['1', '2'] }),
];

/** A valid argument with one property replaced by a random value, a throwing getter, or removed. */
function mutate(rand, valid) {
  if (valid === null || typeof valid !== 'object' || ArrayBuffer.isView(valid)) return randomValue(rand);
  const copy = Array.isArray(valid) ? [...valid] : { ...valid };
  const keys = Object.keys(copy);
  if (keys.length === 0) return randomValue(rand);
  const k = keys[Math.floor(rand() * keys.length)];
  const r = rand();
  if (r < 0.15) Object.defineProperty(copy, k, { enumerable: true, get() { throw new Error('a getter of the caller threw'); } });
  else if (r < 0.25) delete copy[k];
  else copy[k] = r < 0.6 ? mutate(rand, copy[k]) : randomValue(rand);
  return copy;
}

function randomValue(rand) {
  return MAKERS[Math.floor(rand() * MAKERS.length)]();
}

/** The arguments of one call: each position valid, mutated or random. */
function randomArgs(rand, valid) {
  const n = Math.max(valid.length, 1) + (rand() < 0.2 ? 1 : 0);
  const args = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    args.push(i < valid.length && r < 0.35 ? valid[i] : i < valid.length && r < 0.7 ? mutate(rand, valid[i]) : randomValue(rand));
  }
  // At least one position is not the valid one.
  if (args.every((a, i) => a === valid[i])) args[Math.floor(rand() * args.length)] = randomValue(rand);
  return args;
}

// ---- valid calls -----------------------------------------------------------------------------

const ORDER = { body: '咖啡', outTradeNo: '20261123000001', totalFee: 1200, spbillCreateIp: '203.0.113.7',
  notifyUrl: 'https://shop.example.com/notify', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' };
const V2_REFUND = { outTradeNo: '20261123000001', outRefundNo: 'R1', totalFee: 1200, refundFee: 100 };
const PAY_REPORT = { outTradeNo: '20261123000001', resultCode: 'SUCCESS', transactionId: '4200', totalFee: 1200, openid: 'o1', signType: 'MD5' };
const STORED_ORDER = { outTradeNo: '20261123000001', totalFee: 1200, openid: 'o1', signType: 'MD5', status: 'NOTPAY' };
const REFUND_REPORT = { outRefundNo: 'R1', outTradeNo: '20261123000001', refundId: '5000', transactionId: '4200', refundFee: 100, totalFee: 1200, refundStatus: 'SUCCESS' };
const STORED_REFUND = { outRefundNo: 'R1', outTradeNo: '20261123000001', refundFee: 100, totalFee: 1200, status: 'PROCESSING' };
// The same reports as `wxpay/v3` reads them: the `event` of KeySet#openNotification.
const V3_PAY_REPORT = { kind: 'payment', outTradeNo: '20261123000001', transactionId: '4200', tradeState: 'SUCCESS', payer: { openid: 'o1' }, amount: { total: 1200 } };
const V3_REFUND_REPORT = { kind: 'refund', outRefundNo: 'R1', outTradeNo: '20261123000001', refundId: '5000', transactionId: '4200', refundStatus: 'SUCCESS', amount: { total: 1200, refund: 100 } };
const notifyXml = h.signedNotify();
const answerXml = h.signedResponse({ trade_type: 'JSAPI', prepay_id: 'wx201411101639507cbf6ffd8b0779950874' });
const refundXml = h.refundNotify(h.encryptReqInfo('<root><out_refund_no>R1</out_refund_no></root>'));

const v3Notify = v3h.signedNotify();
const v3Answer = v3h.signedResponse({ prepay_id: 'wx201410272009395522657a690389285100' });
const SIGN_OPTIONS = { timestamp: 1700000000, nonceStr: 'n0' };
const BILL_CASE = h.data('v3_bill_vectors.json').cases[0];
const BILL = { hashType: 'SHA1', hashValue: BILL_CASE.hash_value, downloadUrl: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=t' };
const V3_ORDER = { description: '咖啡', outTradeNo: '20261123000001', total: 1200, notifyUrl: 'https://shop.example.com/n', openid: 'o1' };

/** Valid arguments of each function of an entry point. */
const V2_FUNCTIONS = {
  buildCloseOrder: [{ outTradeNo: 'A1' }, MERCHANT, 'n'],
  buildOrderQuery: [{ outTradeNo: 'A1' }, MERCHANT, 'n'],
  buildRefund: [V2_REFUND, MERCHANT, 'n'],
  buildRefundQuery: [{ outRefundNo: 'R1' }, MERCHANT, 'n'],
  buildUnifiedOrder: [ORDER, MERCHANT, 'n'],
  decryptRefundNotify: [refundXml, MERCHANT],
  judgePayment: [STORED_ORDER, PAY_REPORT],
  judgeRefund: [STORED_REFUND, REFUND_REPORT],
  nonceStr: [],
  notifyReply: [true, 'OK'],
  parseCloseOrderResponse: [answerXml, MERCHANT],
  parseOrderQueryResponse: [answerXml, MERCHANT],
  parseRefundQueryResponse: [answerXml, MERCHANT],
  parseRefundResponse: [answerXml, MERCHANT],
  parseUnifiedOrderResponse: [answerXml, MERCHANT],
  parseXml: [answerXml],
  paymentParams: [{ appId: MERCHANT.appId, prepayId: 'wx1', key: KEY, timeStamp: 1700000000, nonceStr: 'n' }],
  sign: [{ a: '1', b: 2 }, KEY, 'MD5'],
  toXml: [{ a: '1', b: 2 }],
  verify: [{ a: '1', sign: 'X' }, KEY, 'MD5'],
  verifyPaymentNotify: [notifyXml, MERCHANT, 1200],
};
const V2_MERCHANT = {
  constructor: [MERCHANT],
  buildCloseOrder: [{ outTradeNo: 'A1' }, 'n'],
  buildOrderQuery: [{ outTradeNo: 'A1' }, 'n'],
  buildRefundQuery: [{ outRefundNo: 'R1' }, 'n'],
  buildRefund: [V2_REFUND, 'n'],
  buildUnifiedOrder: [ORDER, 'n'],
  decryptRefundNotify: [refundXml],
  parseCloseOrderResponse: [answerXml],
  parseOrderQueryResponse: [answerXml],
  parseRefundQueryResponse: [answerXml],
  parseRefundResponse: [answerXml],
  parseUnifiedOrderResponse: [answerXml],
  paymentParams: [{ prepayId: 'wx1', timeStamp: 1700000000, nonceStr: 'n' }],
  verifyPaymentNotify: [notifyXml, 1200],
};
const V3_MERCHANT = {
  constructor: [CONFIG],
  buildAuthorization: [{ method: 'GET', pathAndQuery: '/v3/certificates', ...SIGN_OPTIONS }],
  buildCloseOrder: [{ outTradeNo: 'A1' }, SIGN_OPTIONS],
  buildDownloadCertificates: [SIGN_OPTIONS],
  buildJsapiPrepay: [V3_ORDER, SIGN_OPTIONS],
  buildQueryByOutTradeNo: [{ outTradeNo: 'A1' }, SIGN_OPTIONS],
  buildQueryByTransactionId: [{ transactionId: '4200' }, SIGN_OPTIONS],
  buildRefundQuery: [{ outRefundNo: 'R1' }, SIGN_OPTIONS],
  buildRefund: [{ outTradeNo: 'A1', outRefundNo: 'R1', refund: 100, total: 1200 }, SIGN_OPTIONS],
  paymentParams: [{ prepayId: 'wx1', timeStamp: 1700000000, nonceStr: 'n' }],
  buildAbnormalRefund: [{ refundId: '5000', outRefundNo: 'R1', type: 'MERCHANT_BANK_CARD', wechatpaySerial: V.public_key_id }, SIGN_OPTIONS],
  buildTradeBill: [{ billDate: '2026-11-23' }, SIGN_OPTIONS],
  buildFundFlowBill: [{ billDate: '2026-11-23' }, SIGN_OPTIONS],
  buildBillDownload: [BILL, SIGN_OPTIONS],
  decryptSensitive: [new v3h.v3.KeySet({ publicKeys: { [V.public_key_id]: PEM.merchantPublicKey } }).encryptSensitive('x').ciphertext],
};
const KEY_SET = {
  constructor: [KEYS],
  addCertificate: [PEM.platformCert],
  addDownloadedCertificates: [{ status: 404, headers: {}, body: '{"code":"NOT_FOUND","message":"none"}' }],
  addPublicKey: [V.public_key_id, PEM.wechatPublicKey],
  openNotification: [v3Notify.headers, v3Notify.body],
  parseCloseOrderResponse: [v3h.signedResponse(undefined, { status: 204 })],
  parseJsapiPrepayResponse: [v3Answer],
  parseRefundResponse: [v3Answer],
  parseTransactionResponse: [v3Answer],
  verifySignature: [v3Notify.headers, v3Notify.body],
  requestSerial: [],
  encryptSensitive: ['张三'],
  parseBillResponse: [v3h.signedResponse({ hash_type: 'SHA1', hash_value: BILL.hashValue, download_url: BILL.downloadUrl })],
};
const KEY_STORE = {
  constructor: [],
  addCertificate: [PEM.platformCert],
  addPublicKey: [V.public_key_id, PEM.wechatPublicKey],
  ingestCertificates: [{ status: 404, headers: {}, body: '{"code":"NOT_FOUND","message":"none"}' }, V.api_v3_key],
  keySet: [V.api_v3_key],
  onUnknownSerial: ['5157F09EFDC096DE15EBE81A47057A7232F1B8E1'],
  refreshDue: [],
  toJson: [],
};

/** Every export of every entry point: `[entry, name, valid args, call]`. */
function exportsOf(entry, functions, classes) {
  const mod = ENTRIES[entry];
  const out = [];
  for (const name of Object.keys(mod).filter((n) => !n.startsWith('__')).sort()) {
    const value = mod[name];
    const table = classes[name];
    if (table) {
      const methods = Object.getOwnPropertyNames(value.prototype)
        .filter((m) => m !== 'constructor' && m !== 'free' && !m.startsWith('__') && typeof Object.getOwnPropertyDescriptor(value.prototype, m).value === 'function');
      out.push([entry, `new ${name}`, table.constructor, (...a) => new value(...a)]);
      const instance = new value(...table.constructor);
      for (const m of methods.sort()) {
        assert.ok(table[m], `valid arguments of ${entry} ${name}#${m}`);
        out.push([entry, `${name}#${m}`, table[m], (...a) => instance[m](...a), instance]);
      }
    } else {
      assert.ok(functions[name], `valid arguments of ${entry} ${name}`);
      out.push([entry, name, functions[name], value]);
    }
  }
  return out;
}

const NOTIFY_FUNCTIONS = Object.fromEntries(['decryptRefundNotify', 'judgePayment', 'judgeRefund', 'notifyReply', 'verifyPaymentNotify'].map((n) => [n, V2_FUNCTIONS[n]]));
const EXPORTS = [
  ...exportsOf('wxpay', V2_FUNCTIONS, { Merchant: V2_MERCHANT }),
  ...exportsOf('notify', NOTIFY_FUNCTIONS, { Merchant: V2_MERCHANT }),
  ...exportsOf('v3', {
    decryptResource: [v3h.encryptResource('{}'), V.api_v3_key],
    diagnoseSignError: [
      JSON.stringify({ code: 'SIGN_ERROR', message: 'x', detail: { sign_information: { truncated_sign_message: 'GET\n/v3/x\n1\nn\n\n' } } }),
      { method: 'GET', pathAndQuery: '/v3/x', timestamp: 1, nonceStr: 'n' },
    ],
    judgePayment: [{ ...STORED_ORDER, signType: null }, V3_PAY_REPORT],
    judgeRefund: [STORED_REFUND, V3_REFUND_REPORT],
    openTradeBill: [BILL, Buffer.from(BILL_CASE.bytes_base64, 'base64')],
    openFundFlowBill: [BILL, Buffer.from(BILL_CASE.bytes_base64, 'base64')],
  }, { Merchant: V3_MERCHANT, KeySet: KEY_SET, KeyStore: KEY_STORE }),
];

/** Why `e` is not the package's error, or null when it is. */
function notCoded(e, codes) {
  if (!(e instanceof Error) || Object.getPrototypeOf(e) !== Error.prototype) {
    return `${e && e.constructor ? e.constructor.name : typeof e}: ${e && e.message}`;
  }
  if (typeof e.code !== 'string' || !codes.includes(e.code)) return `code ${String(e.code)}: ${e.message}`;
  return null;
}

const describeArgs = (args) => args.map((a) => {
  try {
    if (typeof a === 'string') return a.length > 40 ? `'${a.slice(0, 20)}…'(${a.length})` : JSON.stringify(a);
    if (typeof a === 'bigint') return `${a}n`;
    if (typeof a === 'symbol') return 'Symbol';
    if (typeof a === 'function') return 'function';
    return require('node:util').inspect(a, { depth: 1, breakLength: Infinity }).slice(0, 80);
  } catch {
    return '(uninspectable)';
  }
}).join(', ');

describe('every export throws only coded errors, whatever it is given', () => {
  for (const [i, [entry, name, valid, call]] of EXPORTS.entries()) {
    test(`${entry} ${name}`, () => {
      const codes = h.declaredCodes(entry);
      const rand = h.seeded(SEED + i);
      const failures = [];
      for (let round = 0; round < ROUNDS; round++) {
        const args = randomArgs(rand, valid);
        try {
          call(...args);
        } catch (e) {
          const why = notCoded(e, codes);
          if (why) failures.push(`(${describeArgs(args)}) → ${why}`);
          if (why && process.env.WXPAY_BOUNDARY_STACKS) console.log(e.stack);
        }
      }
      assert.deepEqual(failures.slice(0, 3), [], `${failures.length} uncoded throws of ${ROUNDS}`);
    });
  }
});

describe('after the storm, the same instances still answer as fresh ones do', () => {
  const instance = (entry, cls) => EXPORTS.find(([e, n]) => e === entry && n.startsWith(`${cls}#`))[4];

  test('wxpay Merchant', () => {
    const fresh = new ENTRIES.wxpay.Merchant(MERCHANT);
    const used = instance('wxpay', 'Merchant');
    assert.equal(used.buildUnifiedOrder(ORDER, 'n'), fresh.buildUnifiedOrder(ORDER, 'n'));
    assert.deepEqual(used.verifyPaymentNotify(notifyXml), fresh.verifyPaymentNotify(notifyXml));
    assert.equal(ENTRIES.wxpay.sign({ a: '1' }, KEY), h.jsSign({ a: '1' }, KEY, 'MD5'));
  });

  test('wxpay/notify Merchant', () => {
    const fresh = new ENTRIES.notify.Merchant(MERCHANT);
    assert.deepEqual(instance('notify', 'Merchant').verifyPaymentNotify(notifyXml), fresh.verifyPaymentNotify(notifyXml));
    assert.match(ENTRIES.notify.notifyReply(true), /SUCCESS/);
  });

  test('wxpay/v3 Merchant and KeySet', () => {
    const fresh = new ENTRIES.v3.Merchant(CONFIG);
    const init = V3_MERCHANT.buildAuthorization[0];
    assert.equal(instance('v3', 'Merchant').buildAuthorization(init), fresh.buildAuthorization(init));
    const keys = instance('v3', 'KeySet');
    const freshKeys = new ENTRIES.v3.KeySet(KEYS);
    const n = v3h.signedNotify();
    assert.deepEqual(keys.openNotification(n.headers, n.body), freshKeys.openNotification(n.headers, n.body));
    for (const serial of freshKeys.serials) assert.ok(keys.serials.includes(serial), serial);
    const store = instance('v3', 'KeyStore');
    assert.equal(new ENTRIES.v3.KeyStore(store.toJson()).toJson(), store.toJson(), 'the store still saves what it reads back');
  });
});
