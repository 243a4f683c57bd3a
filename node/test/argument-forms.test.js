'use strict';
// The forms a caller's values arrive in, as a new user found them: digit-string timestamps, a
// `package` passed back as `prepayId`, PEMs read without an encoding, an async `sign` (a KMS, an
// HSM), headers as a `Map`, a fetch `Headers` or with array values, values of the wrong type, and
// a getter or Proxy of the caller's that throws while an argument is read.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const h = require('./helpers');
const { v3, V, PEM, CONFIG, KEYS, wechatHeaders, signedResponse } = require('./v3-helpers');

const { wxpay, KEY, MERCHANT, codeOf, thrown } = h;

const merchant = new v3.Merchant(CONFIG);
const keyObject = crypto.createPrivateKey(PEM.merchantKey);
const AUTH = { method: 'GET', pathAndQuery: '/v3/certificates', timestamp: 1700000000, nonceStr: 'n0' };

describe('a prepay_id passed back as its package', () => {
  test('is refused by v2 paymentParams, function and method, with INVALID_FIELD', () => {
    const init = { appId: MERCHANT.appId, key: KEY, prepayId: 'prepay_id=wx201410272009395522657a690389285100' };
    const e = thrown(() => wxpay.paymentParams(init));
    assert.equal(e.code, 'INVALID_FIELD');
    assert.match(e.message, /prepayId/);
    assert.equal(codeOf(() => new wxpay.Merchant(MERCHANT).paymentParams({ prepayId: init.prepayId })), 'INVALID_FIELD');
  });

  test('is refused by v3 paymentParams with INVALID_FIELD', () => {
    assert.equal(codeOf(() => merchant.paymentParams({ prepayId: 'prepay_id=wx1', timeStamp: 1700000000, nonceStr: 'n' })), 'INVALID_FIELD');
    assert.equal(merchant.paymentParams({ prepayId: 'wx1', timeStamp: 1700000000, nonceStr: 'n' }).package, 'prepay_id=wx1');
  });
});

describe('timestamps WeChat writes as strings', () => {
  test('a digit-string timeStamp gives the same v3 paymentParams as the number, and paymentParams output goes back in', () => {
    const byNumber = merchant.paymentParams({ prepayId: 'wx1', timeStamp: 1700000000, nonceStr: 'n' });
    const byText = merchant.paymentParams({ prepayId: 'wx1', timeStamp: '1700000000', nonceStr: 'n' });
    assert.deepEqual(byText, byNumber);
    const again = merchant.paymentParams({ prepayId: 'wx1', timeStamp: byNumber.timeStamp, nonceStr: byNumber.nonceStr });
    assert.equal(again.paySign, byNumber.paySign);
  });

  test('a digit-string timestamp signs the same request as the number', () => {
    assert.equal(merchant.buildAuthorization({ ...AUTH, timestamp: '1700000000' }), merchant.buildAuthorization(AUTH));
    const options = { timestamp: '1700000000', nonceStr: 'n0' };
    assert.deepEqual(merchant.buildRefundQuery({ outRefundNo: 'R1' }, options), merchant.buildRefundQuery({ outRefundNo: 'R1' }, { ...options, timestamp: 1700000000 }));
  });

  test('a timestamp that is not whole seconds in digits is refused with INVALID_ARGUMENT', () => {
    for (const timeStamp of ['', '17e8', '-1', '1.5', ' 1700000000', '1700000000000', 'x']) {
      assert.equal(codeOf(() => merchant.paymentParams({ prepayId: 'wx1', timeStamp, nonceStr: 'n' })), 'INVALID_ARGUMENT', timeStamp);
    }
  });
});

describe('PEMs as the bytes of the file', () => {
  test('a Buffer private key signs as its text does', () => {
    const fromBuffer = new v3.Merchant({ ...CONFIG, privateKey: Buffer.from(PEM.merchantKey) });
    assert.equal(fromBuffer.buildAuthorization(AUTH), merchant.buildAuthorization(AUTH));
  });

  test('Buffer public keys and certificates are added as their text is', () => {
    const text = new v3.KeySet(KEYS);
    const bytes = new v3.KeySet({ ...KEYS, publicKeys: { [V.public_key_id]: Buffer.from(PEM.wechatPublicKey) }, certificates: [new Uint8Array(Buffer.from(PEM.platformCert))] });
    assert.deepEqual(bytes.serials, text.serials);
    const added = new v3.KeySet();
    added.addPublicKey(V.public_key_id, Buffer.from(PEM.wechatPublicKey));
    assert.equal(added.addCertificate(Buffer.from(PEM.platformCert)), V.platform_serial_no);
    assert.deepEqual(added.serials.sort(), text.serials.sort());
  });

  test('bytes that are not UTF-8 are refused with INVALID_ARGUMENT', () => {
    assert.equal(codeOf(() => new v3.Merchant({ ...CONFIG, privateKey: Buffer.from([0xff, 0xfe, 0x00]) })), 'INVALID_ARGUMENT');
  });
});

describe('an async sign', () => {
  const calls = [];
  const asyncMerchant = new v3.Merchant({
    ...CONFIG, privateKey: undefined,
    sign: async (m) => {
      calls.push(m);
      await new Promise((resolve) => setImmediate(resolve));
      return crypto.sign('sha256', m, keyObject);
    },
  });

  test('makes each signing method return a Promise of what the key gives, signing once', async () => {
    calls.length = 0;
    const pending = asyncMerchant.buildAuthorization(AUTH);
    assert.ok(pending instanceof Promise);
    assert.equal(await pending, merchant.buildAuthorization(AUTH));
    const pay = { prepayId: 'wx1', timeStamp: 1700000000, nonceStr: 'n' };
    assert.deepEqual(await asyncMerchant.paymentParams(pay), merchant.paymentParams(pay));
    const order = { description: '咖啡', outTradeNo: '20261123000001', total: 1200, notifyUrl: 'https://shop.example.com/n', openid: 'o1' };
    const options = { timestamp: 1700000000, nonceStr: 'n0' };
    assert.deepEqual(await asyncMerchant.buildJsapiPrepay(order, options), merchant.buildJsapiPrepay(order, options));
    assert.equal(calls.length, 3);
  });

  test('rejects with what sign rejects with, unchanged', async () => {
    const down = Object.assign(new Error('KMS unavailable'), { code: 'KMS_DOWN' });
    const failing = new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: () => Promise.reject(down) });
    await assert.rejects(failing.buildRefundQuery({ outRefundNo: 'R1' }), (e) => e === down);
  });

  test('rejects with INVALID_ARGUMENT when the Promise resolves to something other than a signature', async () => {
    const wrong = new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: async () => 'aGVsbG8=' });
    await assert.rejects(wrong.buildAuthorization(AUTH), (e) => e.code === 'INVALID_ARGUMENT');
  });

  test('refuses a request before calling sign, synchronously', () => {
    calls.length = 0;
    assert.equal(codeOf(() => asyncMerchant.buildRefundQuery({})), 'MISSING_FIELD');
    assert.equal(calls.length, 0);
  });
});

describe('headers in the forms HeadersLike allows', () => {
  const keys = new v3.KeySet(KEYS);
  const body = '{"prepay_id":"wx1"}';
  const signed = wechatHeaders(body);

  test('a Map, a fetch Headers, and one-element arrays verify', () => {
    keys.verifySignature(new Map(Object.entries(signed)), body);
    keys.verifySignature(new Headers(signed), body);
    keys.verifySignature(Object.fromEntries(Object.entries(signed).map(([k, v]) => [k, [v]])), body);
    const answer = signedResponse({ prepay_id: 'wx1' });
    assert.deepEqual(keys.parseJsapiPrepayResponse({ ...answer, headers: new Map(Object.entries(answer.headers)) }), { prepayId: 'wx1' });
  });

  test('a header given twice is refused with INVALID_ARGUMENT', () => {
    const twice = { ...signed, 'wechatpay-serial': [signed['wechatpay-serial'], 'PUB_KEY_ID_OTHER'] };
    assert.equal(codeOf(() => keys.verifySignature(twice, body)), 'INVALID_ARGUMENT');
  });
});

describe('values of the wrong type', () => {
  test('are INVALID_ARGUMENT, never a RuntimeError or a TypeError', () => {
    const keys = new v3.KeySet(KEYS);
    const bad = [
      () => wxpay.notifyReply(false, 5),
      () => wxpay.notifyReply('yes'),
      () => wxpay.sign({ a: '1' }, KEY, 5),
      () => wxpay.sign({ a: '1' }, undefined),
      () => wxpay.verifyPaymentNotify(h.signedNotify(), MERCHANT, 10n),
      () => keys.addPublicKey(1, 2),
      () => v3.decryptResource({}, 123),
      () => keys.verifySignature({}, '', Symbol('now')),
    ];
    for (const fn of bad) {
      const e = thrown(fn);
      assert.equal(Object.getPrototypeOf(e), Error.prototype, fn.toString());
      assert.equal(e.code, 'INVALID_ARGUMENT', fn.toString());
    }
  });

  test('a missing field is named as the caller writes it', () => {
    assert.match(thrown(() => merchant.buildAuthorization({ method: 'GET' })).message, /pathAndQuery/);
    const { mchId, ...noMchId } = CONFIG;
    assert.match(thrown(() => new v3.Merchant(noMchId)).message, /mchId/);
    const { serialNo, ...noSerial } = CONFIG;
    assert.match(thrown(() => new v3.Merchant(noSerial)).message, /serialNo/);
  });

  test('a mismatch names the configuration field as the caller wrote it', () => {
    const mch = thrown(() => wxpay.verifyPaymentNotify(h.signedNotify({ mch_id: '1900000109' }), MERCHANT));
    assert.equal(mch.code, 'MCHID_MISMATCH');
    assert.match(mch.message, /^mchId mismatch/);
    const app = thrown(() => wxpay.verifyPaymentNotify(h.signedNotify({ appid: 'wx0000000000000000' }), MERCHANT));
    assert.match(app.message, /^appId mismatch/);
  });
});

describe("the caller's getters and Proxies", () => {
  test('a getter that throws is INVALID_ARGUMENT with what it threw as cause, and the KeySet stays usable', () => {
    const keys = new v3.KeySet(KEYS);
    const serials = keys.serials;
    const boom = new Error('getter');
    const e = thrown(() => keys.addDownloadedCertificates({ status: 200, get headers() { throw boom; }, body: '{}' }));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.equal(e.cause, boom);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.equal(codeOf(() => keys.addDownloadedCertificates(proxy)), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => keys.verifySignature(proxy, '')), 'INVALID_ARGUMENT');
    assert.deepEqual(keys.serials, serials);
    const answer = signedResponse({ prepay_id: 'wx1' });
    assert.deepEqual(keys.parseJsapiPrepayResponse(answer), { prepayId: 'wx1' });
  });

  test('a getter that calls back into the same KeySet does not break it', () => {
    const keys = new v3.KeySet(KEYS);
    const answer = signedResponse({ prepay_id: 'wx1' });
    let seen;
    const sneaky = { status: 200, get headers() { seen = keys.serials; return answer.headers; }, body: answer.body };
    assert.deepEqual(keys.parseJsapiPrepayResponse(sneaky), { prepayId: 'wx1' });
    assert.ok(seen.length > 0);
    assert.equal(codeOf(() => keys.addDownloadedCertificates({ status: 404, get headers() { keys.addPublicKey(V.public_key_id, PEM.wechatPublicKey); return {}; }, body: '{"code":"NOT_FOUND","message":"x"}' })), 'API_ERROR');
  });

  test('a Merchant stays usable after a getter of its argument throws', () => {
    const m = new wxpay.Merchant(MERCHANT);
    const order = { body: 'b', outTradeNo: 'A1', totalFee: 1, spbillCreateIp: '203.0.113.7', notifyUrl: 'https://shop.example.com/n', openid: 'o1' };
    assert.equal(codeOf(() => m.buildUnifiedOrder({ ...order, get body() { throw new Error('x'); } }, 'n')), 'INVALID_ARGUMENT');
    assert.equal(m.buildUnifiedOrder(order, 'n'), new wxpay.Merchant(MERCHANT).buildUnifiedOrder(order, 'n'));
  });
});
