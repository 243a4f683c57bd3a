'use strict';
// The `wxpay/v3` entry point (pkg/v3.js) from JS: every export against the known answers of
// tests/data/v3_vectors.json (made by Python's cryptography) and against node:crypto (signatures
// made by the package verify with crypto.verify; notifies signed and encrypted by node:crypto
// open with the package), every refusal by its outcome and code, and every code it declares.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const util = require('node:util');

const h = require('./helpers');
const {
  v3, V, PEM, CONFIG, KEYS, now, wechatHeaders, encryptResource, transaction, signedNotify, signedResponse,
  parseAuthorization, requestMessage, camel,
} = require('./v3-helpers');
const { codeOf, thrown } = h;

const merchant = new v3.Merchant(CONFIG);
const keys = new v3.KeySet(KEYS);

test('exports exactly the documented API', () => {
  assert.deepEqual(Object.keys(v3).sort(), ['KeySet', 'KeyStore', 'Merchant', 'decryptResource', 'diagnoseSignError', 'judgePayment', 'judgeRefund', 'openFundFlowBill', 'openTradeBill']);
  const methods = (cls) => Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor' && n !== 'free' && !n.startsWith('__')).sort();
  assert.deepEqual(methods(v3.Merchant), [
    'apiBase', 'appId', 'buildAbnormalRefund', 'buildAuthorization', 'buildBillDownload', 'buildCloseOrder', 'buildDownloadCertificates', 'buildFundFlowBill',
    'buildJsapiPrepay', 'buildQueryByOutTradeNo', 'buildQueryByTransactionId', 'buildRefund', 'buildRefundQuery', 'buildTradeBill',
    'decryptSensitive', 'mchId', 'paymentParams', 'serialNo',
  ]);
  assert.deepEqual(methods(v3.KeySet), [
    'addCertificate', 'addDownloadedCertificates', 'addPublicKey', 'encryptSensitive', 'openNotification', 'parseBillResponse',
    'parseCloseOrderResponse', 'parseJsapiPrepayResponse', 'parseRefundResponse', 'parseTransactionResponse', 'requestSerial', 'serials',
    'verifySignature',
  ]);
  assert.deepEqual(methods(v3.KeyStore), [
    'addCertificate', 'addPublicKey', 'ingestCertificates', 'keySet', 'nextRefresh', 'onUnknownSerial', 'refreshDue', 'toJson',
  ]);
});

// ---- known answers ---------------------------------------------------------------------------

/** The typed builder of a vector's request. */
function typedRequest(m, t, options) {
  const { type, ...f } = t;
  switch (type) {
    case 'download_certificates': return m.buildDownloadCertificates(options);
    case 'jsapi_order': return m.buildJsapiPrepay({ description: f.description, outTradeNo: f.out_trade_no, total: f.total, notifyUrl: f.notify_url, openid: f.openid, attach: f.attach }, options);
    case 'query_by_out_trade_no': return m.buildQueryByOutTradeNo({ outTradeNo: f.out_trade_no }, options);
    case 'query_by_transaction_id': return m.buildQueryByTransactionId({ transactionId: f.transaction_id }, options);
    case 'close': return m.buildCloseOrder({ outTradeNo: f.out_trade_no }, options);
    case 'refund': return m.buildRefund({ transactionId: f.transaction_id, outRefundNo: f.out_refund_no, refund: f.refund, total: f.total, reason: f.reason }, options);
    case 'query_refund': return m.buildRefundQuery({ outRefundNo: f.out_refund_no }, options);
    default: throw new Error(`unknown request type ${type}`);
  }
}

describe('known answers (tests/data/v3_vectors.json, made by Python cryptography)', () => {
  for (const c of V.requests) {
    test(`request: ${c.name}`, () => {
      const init = { method: c.method, pathAndQuery: c.path, timestamp: c.timestamp, nonceStr: c.nonce, ...(c.body ? { body: c.body } : {}) };
      assert.equal(merchant.buildAuthorization(init), c.authorization);
      const r = typedRequest(merchant, c.typed, { timestamp: c.timestamp, nonceStr: c.nonce });
      const json = { Authorization: c.authorization, Accept: 'application/json' };
      assert.deepEqual(r, {
        method: c.method, url: `https://api.mch.weixin.qq.com${c.path}`, pathAndQuery: c.path,
        ...(c.body ? { body: c.body } : {}), authorization: c.authorization,
        headers: c.body ? { ...json, 'Content-Type': 'application/json' } : json,
      });
    });
  }

  test('paySign of WeChat\'s example values', () => {
    const c = V.pay_sign;
    const m = new v3.Merchant({ ...CONFIG, appId: c.appId });
    assert.deepEqual(m.paymentParams({ prepayId: c.prepay_id, timeStamp: Number(c.timeStamp), nonceStr: c.nonceStr }), {
      timeStamp: c.timeStamp, nonceStr: c.nonceStr, package: c.package, signType: 'RSA', paySign: c.paySign,
    });
  });

  const parsers = {
    jsapi_order: 'parseJsapiPrepayResponse', query_by_out_trade_no: 'parseTransactionResponse', close: 'parseCloseOrderResponse', refund: 'parseRefundResponse',
  };
  for (const c of V.responses) {
    test(`response: ${c.name}`, () => {
      const read = () => keys[parsers[c.type]]({ status: c.status, headers: c.headers, body: c.body }, c.now);
      if (c.expected_error) {
        const e = thrown(read);
        assert.equal(e.code, 'API_ERROR');
        assert.deepEqual([e.errCode, e.status, e.message.includes(c.expected_error.message)], [c.expected_error.code, c.status, true]);
        assert.deepEqual(e.detail, JSON.parse(c.expected_error.detail));
      } else {
        assert.deepEqual(read(), c.expected === null ? undefined : camel(c.expected));
      }
    });
  }

  for (const c of V.notifies) {
    test(`notify: ${c.name}`, () => {
      const body = JSON.parse(c.body);
      assert.deepEqual(keys.openNotification(c.headers, c.body, c.now), {
        id: body.id, createTime: body.create_time, eventType: body.event_type, summary: body.summary, event: camel(c.expected),
      });
    });
  }

  test('certificate download: decrypted, verified with the certificates it carries, then added', () => {
    const c = V.certificates;
    const fresh = new v3.KeySet({ apiV3Key: V.api_v3_key });
    assert.deepEqual(fresh.serials, []);
    const added = fresh.addDownloadedCertificates({ status: c.status, headers: c.headers, body: Buffer.from(c.body) }, c.now);
    assert.deepEqual(added.map((a) => [a.serialNo, a.notAfter, a.pem]), [[V.platform_serial_no, c.not_after, PEM.platformCert]]);
    const x509 = new crypto.X509Certificate(added[0].pem);
    assert.equal(x509.serialNumber, V.platform_serial_no, 'node:crypto reads the same serial');
    assert.equal(added[0].notBefore, Date.parse(x509.validFrom) / 1000);
    assert.deepEqual(fresh.serials, c.serials);
    // The refund notify of the vectors is signed with that certificate: the new set verifies it.
    const n = V.notifies.find((x) => x.headers['Wechatpay-Serial'] === V.platform_serial_no);
    assert.equal(fresh.openNotification(n.headers, n.body, n.now).event.kind, 'refund');
  });
});

// ---- against node:crypto ---------------------------------------------------------------------

describe('cross-checks with node:crypto', () => {
  test('every request signature verifies with crypto.verify(\'RSA-SHA256\') and the merchant public key (seeded)', () => {
    const rand = h.seeded(20261123);
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const text = (n) => Array.from({ length: 1 + Math.floor(rand() * n) }, () => pick(['a', 'Z', '0', '咖', '啡', '😀', ' ', '"', '\\', '&'])).join('');
    for (let i = 0; i < 12; i++) {
      const order = { description: text(20), outTradeNo: `T${Math.floor(rand() * 1e12)}`, total: 1 + Math.floor(rand() * 1e6), notifyUrl: 'https://shop.example.com/n', openid: 'o1', attach: text(30) };
      const r = merchant.buildJsapiPrepay(order);
      const a = parseAuthorization(r.authorization);
      assert.deepEqual(Object.keys(a).sort(), ['mchid', 'nonce_str', 'serial_no', 'signature', 'timestamp']);
      assert.deepEqual([a.mchid, a.serial_no], [V.mchid, V.merchant_serial_no]);
      assert.match(a.nonce_str, /^[0-9A-Za-z]{32}$/);
      assert.ok(Math.abs(Number(a.timestamp) - now()) <= 2, 'timestamp defaults to now, in seconds');
      const body = JSON.parse(r.body);
      assert.deepEqual([body.description, body.attach, body.amount, body.payer, body.appid, body.mchid], [order.description, order.attach, { total: order.total, currency: 'CNY' }, { openid: 'o1' }, V.appid, V.mchid]);
      const message = requestMessage('POST', '/v3/pay/transactions/jsapi', a.timestamp, a.nonce_str, r.body);
      assert.ok(crypto.verify('RSA-SHA256', Buffer.from(message), PEM.merchantPublicKey, Buffer.from(a.signature, 'base64')), JSON.stringify(order));
      assert.ok(!crypto.verify('RSA-SHA256', Buffer.from(message.replace(order.outTradeNo, 'X')), PEM.merchantPublicKey, Buffer.from(a.signature, 'base64')));
    }
  });

  test('buildAuthorization parses into the expected fields, and its signature is node:crypto\'s byte for byte', () => {
    const init = { method: 'GET', pathAndQuery: '/v3/pay/transactions/id/4200000215202611230261405420?mchid=1900000109', timestamp: 1795000000, nonceStr: 'abc123' };
    const a = parseAuthorization(merchant.buildAuthorization(init));
    const message = requestMessage(init.method, init.pathAndQuery, init.timestamp, init.nonceStr);
    // PKCS#1 v1.5 is deterministic: the same key signs the same message to the same bytes.
    assert.deepEqual(a, {
      mchid: V.mchid, nonce_str: 'abc123', timestamp: '1795000000', serial_no: V.merchant_serial_no,
      signature: crypto.sign('RSA-SHA256', Buffer.from(message), PEM.merchantKey).toString('base64'),
    });
  });

  test('paySign verifies with the merchant public key over appId, timeStamp, nonceStr and package', () => {
    const p = merchant.paymentParams({ prepayId: 'wx18154600000000000000000000000000' });
    assert.deepEqual(Object.keys(p), ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']);
    assert.ok(Math.abs(Number(p.timeStamp) - now()) <= 2);
    assert.equal(p.package, 'prepay_id=wx18154600000000000000000000000000');
    const message = `${V.appid}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    assert.ok(crypto.verify('RSA-SHA256', Buffer.from(message), PEM.merchantPublicKey, Buffer.from(p.paySign, 'base64')));
    assert.ok(!crypto.verify('RSA-SHA256', Buffer.from(message.replace(V.appid, 'wx0000000000000000')), PEM.merchantPublicKey, Buffer.from(p.paySign, 'base64')));
  });

  test('a notify signed and AES-256-GCM-encrypted by node:crypto verifies and decrypts (the clock as now)', () => {
    const paid = transaction({ attach: '😀 "引号" \\ 门店' });
    const n = signedNotify(paid);
    const got = keys.openNotification(n.headers, Buffer.from(n.body));
    assert.deepEqual(got.event, { kind: 'payment', ...camel(paid) });
    assert.deepEqual([got.eventType, got.summary, got.id], ['TRANSACTION.SUCCESS', '支付成功', JSON.parse(n.body).id]);
    keys.verifySignature(n.headers, n.body);
  });

  test('a refund notify under keys generated by node:crypto (a fresh WeChat Pay public key)', () => {
    const wechat = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const id = 'PUB_KEY_ID_0119000001202611230000000000000099';
    const apiV3Key = crypto.randomBytes(16).toString('hex');
    const set = new v3.KeySet({ apiV3Key });
    set.addPublicKey(id, wechat.publicKey.export({ type: 'spki', format: 'pem' }));
    const notice = {
      mchid: V.mchid, out_trade_no: '20261123000001', transaction_id: '4200000215202611230261405420', out_refund_no: 'R1',
      refund_id: '50000408942026112307145868882', refund_status: 'ABNORMAL', user_received_account: '支付用户零钱',
      amount: { total: 1200, refund: 800, payer_total: 1200, payer_refund: 800 },
    };
    const n = signedNotify(notice, { eventType: 'REFUND.ABNORMAL', encrypt: { key: apiV3Key }, sign: { serial: id, key: wechat.privateKey } });
    assert.deepEqual(set.openNotification(n.headers, n.body).event, { kind: 'refund', ...camel(notice) });
    assert.equal(codeOf(() => keys.openNotification(n.headers, n.body)), 'UNKNOWN_SERIAL', 'not under the other set\'s keys');
  });

  test('decryptResource opens what node:crypto encrypted, with or without associated data', () => {
    for (const associatedData of ['certificate', '']) {
      const r = encryptResource('-----BEGIN CERTIFICATE-----\n中文\n', { associatedData });
      assert.equal(v3.decryptResource(r, V.api_v3_key), '-----BEGIN CERTIFICATE-----\n中文\n');
      assert.equal(v3.decryptResource(camel(r), V.api_v3_key), '-----BEGIN CERTIFICATE-----\n中文\n', 'camelCase names too');
    }
  });
});

// ---- signing outside WebAssembly ---------------------------------------------------------------

describe('Merchant with a sign function (node:crypto signs)', () => {
  const keyObject = crypto.createPrivateKey(PEM.merchantKey);
  const seen = [];
  const external = new v3.Merchant({
    appId: V.appid, mchId: V.mchid, serialNo: V.merchant_serial_no,
    sign: (message) => {
      seen.push(Buffer.from(message).toString());
      return crypto.sign('sha256', message, keyObject);
    },
  });

  test('signs every request and paySign exactly as the key inside WebAssembly does', () => {
    seen.length = 0;
    for (const c of V.requests) {
      const options = { timestamp: c.timestamp, nonceStr: c.nonce };
      assert.deepEqual(typedRequest(external, c.typed, options), typedRequest(merchant, c.typed, options), c.name);
      assert.equal(seen.at(-1), c.message, 'the function is given exactly the signed message');
    }
    const pay = { prepayId: 'wx18154600000000000000000000000000', timeStamp: 1795000000, nonceStr: 'n1' };
    assert.deepEqual(external.paymentParams(pay), merchant.paymentParams(pay));
    const init = { method: 'GET', pathAndQuery: '/v3/certificates', timestamp: 1, nonceStr: 'n' };
    assert.equal(external.buildAuthorization(init), merchant.buildAuthorization(init));
  });

  test('the signature may come back as base64 text', () => {
    const b64 = new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: (m) => crypto.sign('sha256', m, keyObject).toString('base64') });
    const init = { method: 'GET', pathAndQuery: '/v3/certificates', timestamp: 1, nonceStr: 'n' };
    assert.equal(b64.buildAuthorization(init), merchant.buildAuthorization(init));
  });

  test('what the function throws reaches the caller unchanged', () => {
    const down = Object.assign(new Error('KMS unavailable'), { code: 'KMS_DOWN' });
    const m = new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: () => { throw down; } });
    assert.equal(thrown(() => m.buildRefundQuery({ outRefundNo: 'R1' })), down);
    assert.equal(thrown(() => m.paymentParams({ prepayId: 'wx1' })), down);
  });

  test('rejects a sign function that does not return an RSA signature', () => {
    for (const bad of [() => undefined, () => 'not base64!', () => crypto.randomBytes(64), () => 'aGVsbG8=', () => 42]) {
      const m = new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: bad });
      assert.equal(codeOf(() => m.buildRefundQuery({ outRefundNo: 'R1' })), 'INVALID_ARGUMENT', bad.toString());
    }
  });
});

// ---- refusals, by outcome --------------------------------------------------------------------

describe('notifies that must be refused, each with its code', () => {
  const fresh = () => signedNotify();
  const open = (n, t) => codeOf(() => keys.openNotification(n.headers, n.body, t));

  /** A notify whose resource `f` changed, re-signed, so that only the resource is wrong. */
  const withResource = (f) => {
    const body = JSON.parse(fresh().body);
    f(body.resource);
    const text = JSON.stringify(body);
    return { body: text, headers: wechatHeaders(text) };
  };

  test('accepts_untouched_notify', () => {
    const n = fresh();
    assert.equal(keys.openNotification(n.headers, n.body).event.kind, 'payment');
  });

  test('rejects_tampered_body', () => {
    const n = fresh();
    assert.equal(open({ ...n, body: n.body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESs') }), 'SIGNATURE_MISMATCH');
    assert.equal(open({ ...n, body: JSON.stringify(JSON.parse(n.body), null, 1) }), 'SIGNATURE_MISMATCH', 're-serialised JSON is another body');
  });

  test('rejects_tampered_signature', () => {
    const n = fresh();
    const sig = Buffer.from(n.headers['wechatpay-signature'], 'base64');
    sig[100] ^= 1;
    assert.equal(open({ ...n, headers: { ...n.headers, 'wechatpay-signature': sig.toString('base64') } }), 'SIGNATURE_MISMATCH');
  });

  test('rejects_tampered_timestamp', () => {
    const n = fresh();
    const t = Number(n.headers['wechatpay-timestamp']) - 1; // still within 5 minutes: only the signature tells
    assert.equal(open({ ...n, headers: { ...n.headers, 'wechatpay-timestamp': String(t) } }), 'SIGNATURE_MISMATCH');
  });

  test('rejects_tampered_nonce', () => {
    const n = fresh();
    assert.equal(open({ ...n, headers: { ...n.headers, 'wechatpay-nonce': `${n.headers['wechatpay-nonce']}x` } }), 'SIGNATURE_MISMATCH');
  });

  test('rejects_tampered_serial', () => {
    const n = fresh();
    assert.equal(open({ ...n, headers: { ...n.headers, 'wechatpay-serial': V.platform_serial_no.replace(/.$/, '0') } }), 'UNKNOWN_SERIAL');
  });

  test('rejects_wrong_pub_key_id', () => {
    const n = signedNotify(transaction(), { sign: { serial: 'PUB_KEY_ID_0119000001202611230000000000000001' } });
    assert.equal(open(n), 'UNKNOWN_SERIAL');
    const stripped = signedNotify(transaction(), { sign: { serial: V.public_key_id.replace('PUB_KEY_ID_', '') } });
    assert.equal(open(stripped), 'UNKNOWN_SERIAL', 'the prefix is part of the id');
  });

  test('rejects_signature_by_another_key_under_a_known_serial', () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.equal(open(signedNotify(transaction(), { sign: { key: other } })), 'SIGNATURE_MISMATCH');
  });

  test('rejects_timestamp_six_minutes_old', () => {
    assert.equal(open(signedNotify(transaction(), { sign: { timestamp: now() - 360 } })), 'TIMESTAMP_SKEW');
    assert.equal(open(signedNotify(transaction(), { sign: { timestamp: now() + 360 } })), 'TIMESTAMP_SKEW', 'and six minutes ahead');
    const edge = signedNotify(transaction(), { sign: { timestamp: 1795000000 } });
    assert.equal(keys.openNotification(edge.headers, edge.body, 1795000300).event.kind, 'payment', 'exactly 5 minutes is accepted');
  });

  test('rejects_signtest_probe', () => {
    const n = fresh();
    const probe = { ...n.headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${n.headers['wechatpay-signature']}` };
    assert.equal(open({ ...n, headers: probe }), 'SIGNATURE_PROBE');
  });

  test('rejects_missing_header', () => {
    const { 'wechatpay-nonce': _, ...headers } = fresh().headers;
    const e = thrown(() => keys.openNotification(headers, fresh().body));
    assert.equal(e.code, 'MISSING_FIELD');
    assert.match(e.message, /Wechatpay-Nonce/);
  });

  test('rejects_wrong_api_v3_key', () => {
    assert.equal(open(signedNotify(transaction(), { encrypt: { key: 'wxpayOtherApiV3Key0123456789abcd' } })), 'AEAD_TAG_MISMATCH');
    const n = fresh();
    const other = new v3.KeySet({ ...KEYS, apiV3Key: 'wxpayOtherApiV3Key0123456789abcd' });
    assert.equal(codeOf(() => other.openNotification(n.headers, n.body)), 'AEAD_TAG_MISMATCH');
  });

  test('rejects_truncated_ciphertext', () => {
    assert.equal(open(withResource((r) => { r.ciphertext = Buffer.from(r.ciphertext, 'base64').subarray(0, 15).toString('base64'); })), 'TRUNCATED_CIPHERTEXT');
    assert.equal(open(withResource((r) => { r.ciphertext = Buffer.from(r.ciphertext, 'base64').subarray(1).toString('base64'); })), 'AEAD_TAG_MISMATCH', 'longer than the tag but cut');
  });

  test('rejects_wrong_associated_data', () => {
    assert.equal(open(withResource((r) => { r.associated_data = 'refund'; })), 'AEAD_TAG_MISMATCH');
    assert.equal(open(withResource((r) => { r.associated_data = ''; })), 'AEAD_TAG_MISMATCH', 'or none');
  });

  test('does_not_decrypt_unverified_notify', () => {
    // A forged signature over a resource the wrong key encrypted: the signature is what fails,
    // before any decryption is tried.
    const n = signedNotify(transaction(), { encrypt: { key: 'wxpayOtherApiV3Key0123456789abcd' } });
    assert.equal(open({ ...n, headers: { ...n.headers, 'wechatpay-nonce': 'x' } }), 'SIGNATURE_MISMATCH');
  });

  test('rejects_signature_under_expired_platform_certificate', () => {
    const sign = (t) => signedNotify(transaction(), { sign: { serial: V.platform_serial_no, key: PEM.platformKey, timestamp: t } });
    const after = V.certificates.not_after + 1000;
    assert.equal(open(sign(after), after), 'CERTIFICATE_EXPIRED');
    const before = V.certificates.not_after - 1000;
    const valid = sign(before);
    assert.equal(keys.openNotification(valid.headers, valid.body, before).event.kind, 'payment', 'the same certificate while valid');
  });

  test('a notify that fails leaves nothing half-read: the same KeySet opens the next good one', () => {
    const n = fresh();
    assert.equal(open({ ...n, body: `${n.body} ` }), 'SIGNATURE_MISMATCH');
    assert.equal(keys.openNotification(n.headers, n.body).event.kind, 'payment');
  });
});

describe('answers that must be refused', () => {
  test('rejects_tampered_answer', () => {
    const r = signedResponse({ prepay_id: 'wx1' });
    assert.equal(codeOf(() => keys.parseJsapiPrepayResponse({ ...r, body: r.body.replace('wx1', 'wx2') })), 'SIGNATURE_MISMATCH');
  });

  test('an error answer is API_ERROR with WeChat\'s code, status and detail; SYSTEM_ERROR is retryable', () => {
    const body = JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统错误', detail: { field: '/amount/total' } });
    const e = thrown(() => keys.parseRefundResponse({ status: 500, headers: {}, body }));
    assert.deepEqual([e.code, e.errCode, e.status, e.retryable, e.detail], ['API_ERROR', 'SYSTEM_ERROR', 500, true, { field: '/amount/total' }]);
    assert.ok(e instanceof Error);
    const html = thrown(() => keys.parseTransactionResponse({ status: 502, headers: new Headers(), body: '<html>Bad Gateway</html>' }));
    assert.deepEqual([html.code, html.errCode, html.status, html.retryable, 'detail' in html], ['API_ERROR', 'UNKNOWN', 502, false, false]);
  });

  test('a 2xx body that is not the expected JSON is MALFORMED_JSON, after its signature', () => {
    assert.equal(codeOf(() => keys.parseTransactionResponse(signedResponse({ out_trade_no: 'x' }))), 'MALFORMED_JSON');
    assert.equal(codeOf(() => keys.parseCloseOrderResponse(signedResponse({ unexpected: 1 }, { status: 204 }))), 'MALFORMED_JSON');
  });

  test('downloaded certificates are not added when the answer\'s signature fails', () => {
    const c = V.certificates;
    const set = new v3.KeySet({ apiV3Key: V.api_v3_key });
    const headers = { ...c.headers, 'Wechatpay-Nonce': `${c.headers['Wechatpay-Nonce']}x` };
    assert.equal(codeOf(() => set.addDownloadedCertificates({ status: 200, headers, body: c.body }, c.now)), 'SIGNATURE_MISMATCH');
    assert.deepEqual(set.serials, []);
    const e = thrown(() => set.addDownloadedCertificates({ status: 404, headers: {}, body: '{"code":"NOT_FOUND","message":"无可用的平台证书"}' }, c.now));
    assert.deepEqual([e.code, e.errCode, e.status], ['API_ERROR', 'NOT_FOUND', 404]);
  });
});

// ---- values in and out -----------------------------------------------------------------------

describe('values in and out', () => {
  test('headers: fetch Headers, node:http\'s lower-case object, WeChat\'s capitalised names', () => {
    const n = signedNotify();
    const capitalised = Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.replace(/(^|-)(\w)/g, (_, a, b) => a + b.toUpperCase()), v]));
    for (const headers of [n.headers, new Headers(n.headers), capitalised, new Map(Object.entries(n.headers))]) {
      assert.equal(keys.openNotification(headers, n.body).event.kind, 'payment');
    }
  });

  test('bodies: string, Buffer and Uint8Array are the same bytes', () => {
    const r = signedResponse({ prepay_id: 'wx1' });
    for (const body of [r.body, Buffer.from(r.body), new Uint8Array(Buffer.from(r.body))]) {
      assert.deepEqual(keys.parseJsapiPrepayResponse({ ...r, body }), { prepayId: 'wx1' });
    }
  });

  test('a body is read by its own bytes: a view into a larger buffer, a length that lies or throws', () => {
    const r = signedResponse({ prepay_id: 'wx1' });
    const bytes = Buffer.from(r.body);
    const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
    class Lying extends Uint8Array { get length() { return 3; } }
    const throwing = Buffer.from(bytes);
    Object.defineProperty(throwing, 'length', { get() { throw new Error('the caller\'s length getter'); } });
    for (const body of [padded.subarray(2, 2 + bytes.length), new Lying(bytes), throwing]) {
      assert.deepEqual(keys.parseJsapiPrepayResponse({ ...r, body }), { prepayId: 'wx1' });
    }
  });

  test('an amount past Number.MAX_SAFE_INTEGER is refused as INVALID_AMOUNT, never rounded', () => {
    const withTotal = (total) => signedNotify(JSON.stringify(transaction()).replace('"total":1200', `"total":${total}`));
    const largest = withTotal('9007199254740991');
    assert.equal(keys.openNotification(largest.headers, largest.body).event.amount.total, Number.MAX_SAFE_INTEGER);
    const past = withTotal('9007199254740993');
    assert.equal(codeOf(() => keys.openNotification(past.headers, past.body)), 'INVALID_AMOUNT');
  });

  test('absent fields are left out of results; WeChat\'s snake_case in camelCase', () => {
    const unpaid = { mchid: V.mchid, appid: V.appid, out_trade_no: 'A12345', trade_state: 'NOTPAY', trade_state_desc: '未支付', amount: { total: 1200, currency: 'CNY' } };
    assert.deepEqual(keys.parseTransactionResponse(signedResponse(unpaid)), {
      appId: V.appid, mchId: V.mchid, outTradeNo: 'A12345', tradeState: 'NOTPAY', tradeStateDesc: '未支付', amount: { total: 1200, currency: 'CNY' },
    });
    const later = keys.parseTransactionResponse(signedResponse({ ...unpaid, trade_state: 'SOMETHING_NEW', promotion_detail: [] }));
    assert.equal(later.tradeState, 'SOMETHING_NEW', 'an unknown state comes through as itself');
  });

  test('a GET has no body (fetch refuses one), a POST its exact JSON', () => {
    const get = merchant.buildQueryByOutTradeNo({ outTradeNo: '20261123000001' });
    assert.ok(!('body' in get));
    assert.deepEqual(get.headers, { Authorization: get.authorization, Accept: 'application/json' });
    assert.doesNotThrow(() => new Request(get.url, get));
    const post = merchant.buildCloseOrder({ outTradeNo: '20261123000001' });
    assert.equal(post.body, JSON.stringify({ mchid: V.mchid }));
  });

  test('request objects take WeChat\'s snake_case names too, and amounts as digit strings', () => {
    const o = { timestamp: 1795000000, nonceStr: 'n' };
    const camelOrder = { description: 'x', outTradeNo: 'A12345', total: 1200, notifyUrl: 'https://a.example/n', openid: 'o1' };
    const snakeOrder = { description: 'x', out_trade_no: 'A12345', total: '1200', notify_url: 'https://a.example/n', openid: 'o1' };
    assert.deepEqual(merchant.buildJsapiPrepay(snakeOrder, { timestamp: 1795000000, nonce_str: 'n' }), merchant.buildJsapiPrepay(camelOrder, o));
    assert.deepEqual(new v3.Merchant({ appid: V.appid, mchid: V.mchid, serial_no: V.merchant_serial_no, privateKey: PEM.merchantKey }).buildCloseOrder({ out_trade_no: 'A12345' }, o), merchant.buildCloseOrder({ outTradeNo: 'A12345' }, o));
  });

  test('refund: by either reference, validated locally', () => {
    const o = { timestamp: 1795000000, nonceStr: 'n' };
    const r = JSON.parse(merchant.buildRefund({ outTradeNo: 'A12345', outRefundNo: 'R1', refund: 1, total: '2', notifyUrl: 'https://a.example/r' }, o).body);
    assert.deepEqual(r, { out_trade_no: 'A12345', out_refund_no: 'R1', notify_url: 'https://a.example/r', amount: { refund: 1, total: 2, currency: 'CNY' } });
    assert.equal(codeOf(() => merchant.buildRefund({ outTradeNo: 'A12345', outRefundNo: 'R1', refund: 3, total: 2 })), 'INVALID_FIELD');
    assert.equal(codeOf(() => merchant.buildRefund({ outTradeNo: 'A12345', transactionId: '42', outRefundNo: 'R1', refund: 1, total: 2 })), 'INVALID_ARGUMENT');
  });

  test('errors name the fields as the flat request objects write them, not by WeChat\'s nesting', () => {
    const order = { description: 'x', outTradeNo: 'A12345', total: 1200, notifyUrl: 'https://a.example/n', openid: 'o1' };
    for (const [fn, code, name] of [
      [() => merchant.buildJsapiPrepay({ ...order, openid: undefined }), 'MISSING_FIELD', 'openid'],
      [() => merchant.buildJsapiPrepay({ ...order, total: 0 }), 'INVALID_FIELD', 'total'],
      [() => merchant.buildJsapiPrepay({ ...order, outTradeNo: 'a b' }), 'INVALID_FIELD', 'outTradeNo'],
      [() => merchant.buildRefund({ outTradeNo: 'A12345', outRefundNo: 'R1', refund: 3, total: 2 }), 'INVALID_FIELD', 'refund'],
    ]) {
      const { code: gotCode, message } = thrown(fn);
      assert.equal(gotCode, code, message);
      assert.equal(message.match(/field `([^`]+)`/)?.[1], name, message);
    }
  });

  test('apiBase: the backup domain, and nothing but https://host', () => {
    const backup = new v3.Merchant({ ...CONFIG, apiBase: 'https://api2.mch.weixin.qq.com' });
    assert.equal(backup.buildDownloadCertificates().url, 'https://api2.mch.weixin.qq.com/v3/certificates');
    assert.equal(merchant.apiBase, 'https://api.mch.weixin.qq.com');
    for (const apiBase of ['http://api.mch.weixin.qq.com', 'https://api.mch.weixin.qq.com/', 'https://a.example/v3', '']) {
      assert.equal(codeOf(() => new v3.Merchant({ ...CONFIG, apiBase })), 'INVALID_FIELD', apiBase);
    }
  });

  test('timestamps are JS numbers of seconds: not milliseconds, not BigInt, not fractions', () => {
    for (const timestamp of [Date.now(), 1.5, -1, NaN]) {
      assert.equal(codeOf(() => merchant.buildDownloadCertificates({ timestamp })), 'INVALID_ARGUMENT', String(timestamp));
    }
    assert.equal(codeOf(() => merchant.buildDownloadCertificates({ timestamp: 1795000000n })), 'INVALID_ARGUMENT');
    const n = signedNotify();
    assert.equal(codeOf(() => keys.verifySignature(n.headers, n.body, Date.now())), 'INVALID_ARGUMENT');
  });

  test('JS values of the wrong shape are INVALID_ARGUMENT, each with a message', () => {
    const n = signedNotify();
    const bad = [
      () => new v3.Merchant({ ...CONFIG, appID: 'typo' }),
      () => new v3.Merchant({ ...CONFIG, sign: () => '' }),
      () => new v3.Merchant({ ...CONFIG, privateKey: undefined, sign: 'not a function' }),
      () => new v3.Merchant(null),
      () => merchant.buildJsapiPrepay({ description: 'x', outTradeNo: 'A12345', total: 1, notifyUrl: 'https://a.example/n', openid: 'o', notifyURL: 'typo' }),
      () => merchant.buildJsapiPrepay({ description: 42, outTradeNo: 'A12345', total: 1, notifyUrl: 'https://a.example/n', openid: 'o' }),
      () => merchant.buildCloseOrder({ outTradeNo: 'A12345' }, { nonce: 'typo' }),
      () => keys.openNotification(n.headers, { body: n.body }),
      () => keys.openNotification('headers', n.body),
      () => keys.openNotification({ ...n.headers, 'wechatpay-nonce': 42 }, n.body),
      () => keys.parseJsapiPrepayResponse({ status: 200, headers: n.headers, body: n.body, statusText: 'OK' }),
      () => keys.parseJsapiPrepayResponse({ status: '200', headers: n.headers, body: n.body }),
      () => new v3.KeySet({ apiV3Key: V.api_v3_key, publicKey: PEM.wechatPublicKey }),
      () => v3.decryptResource({ ...encryptResource('x'), extra: 1 }, V.api_v3_key),
    ];
    for (const fn of bad) {
      const e = thrown(fn);
      assert.equal(e.code, 'INVALID_ARGUMENT', `${fn}: ${e.message}`);
      assert.ok(e.message.length > 0);
    }
  });

  test('Merchant and KeySet expose their ids, never a key', () => {
    assert.deepEqual([merchant.appId, merchant.mchId, merchant.serialNo], [V.appid, V.mchid, V.merchant_serial_no]);
    for (const o of [merchant, keys]) {
      for (const shown of [util.inspect(o, { showHidden: true, getters: true }), JSON.stringify(o), String(o)]) {
        assert.ok(!shown.includes(V.api_v3_key) && !shown.includes('-----BEGIN') && !shown.includes(PEM.merchantKey.split('\n')[1]), shown);
      }
    }
    assert.deepEqual(keys.serials, [V.platform_serial_no, V.public_key_id]);
  });
});

// ---- every code ------------------------------------------------------------------------------

describe('errors', () => {
  const order = { description: 'x', outTradeNo: 'A12345', total: 1200, notifyUrl: 'https://a.example/n', openid: 'o1' };
  const n = signedNotify();

  // One case per code `wxpay/v3` declares; the test below checks the list is exactly those.
  const cases = {
    INVALID_AMOUNT: () => merchant.buildJsapiPrepay({ ...order, total: 12.5 }),
    SIGNATURE_MISMATCH: () => keys.verifySignature(n.headers, `${n.body} `),
    MISSING_FIELD: () => merchant.buildJsapiPrepay({ ...order, openid: undefined }),
    INVALID_FIELD: () => merchant.buildJsapiPrepay({ ...order, notifyUrl: 'http://a.example/n' }),
    NOT_UTF8: () => v3.decryptResource(encryptResource(Buffer.from([0x7b, 0xff, 0x7d])), V.api_v3_key),
    TRUNCATED_CIPHERTEXT: () => v3.decryptResource({ ...encryptResource('x'), ciphertext: 'AAAA' }, V.api_v3_key),
    INVALID_KEY: () => new v3.Merchant({ ...CONFIG, privateKey: PEM.merchantPublicKey }),
    INVALID_CERTIFICATE: () => keys.addCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    SIGNATURE_PROBE: () => keys.verifySignature({ ...n.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/AAAA' }, n.body),
    UNKNOWN_SERIAL: () => keys.verifySignature({ ...n.headers, 'wechatpay-serial': 'PUB_KEY_ID_0000' }, n.body),
    TIMESTAMP_SKEW: () => keys.verifySignature(n.headers, n.body, now() + 301),
    CERTIFICATE_EXPIRED: () => {
      const t = V.certificates.not_after + 1;
      const late = signedNotify(transaction(), { sign: { serial: V.platform_serial_no, key: PEM.platformKey, timestamp: t } });
      keys.verifySignature(late.headers, late.body, t);
    },
    AEAD_TAG_MISMATCH: () => v3.decryptResource(encryptResource('x'), 'wxpayOtherApiV3Key0123456789abcd'),
    UNSUPPORTED_ALGORITHM: () => v3.decryptResource({ ...encryptResource('x'), algorithm: 'AEAD_AES_128_GCM' }, V.api_v3_key),
    MALFORMED_JSON: () => keys.parseJsapiPrepayResponse(signedResponse({ prepayId: 'camelCase is not WeChat\'s' })),
    API_ERROR: () => keys.parseJsapiPrepayResponse({ status: 400, headers: {}, body: '{"code":"PARAM_ERROR","message":"参数错误"}' }),
    RANDOM_UNAVAILABLE: h.withoutEntropy(() => merchant.buildRefundQuery({ outRefundNo: 'R1' })),
    INVALID_ARGUMENT: () => keys.verifySignature(n.headers, 42),
    NO_WECHATPAY_KEY: () => new v3.KeySet().requestSerial(),
    OAEP_DECRYPT_FAILED: () => merchant.decryptSensitive(new v3.KeySet(KEYS).encryptSensitive('x').ciphertext),
    INVALID_KEY_STORE: () => new v3.KeyStore('{"version":1}'),
    BILL_HASH_MISMATCH: () => v3.openTradeBill({ hashType: 'SHA1', hashValue: '0'.repeat(40), downloadUrl: 'https://api.mch.weixin.qq.com/x' }, Buffer.from('x')),
    INVALID_GZIP: () => v3.openTradeBill({ hashType: 'SHA1', hashValue: '0'.repeat(40), downloadUrl: 'https://api.mch.weixin.qq.com/x' }, Buffer.from('not gzip'), { tarType: 'GZIP' }),
    TOO_LARGE: () => v3.openTradeBill({ hashType: 'SHA1', hashValue: '0'.repeat(40), downloadUrl: 'https://api.mch.weixin.qq.com/x' }, Buffer.alloc(100), { limit: 10 }),
  };

  for (const [code, fn] of Object.entries(cases)) {
    test(`throws an Error with code ${code}`, () => {
      const error = thrown(fn);
      assert.ok(error instanceof Error, 'a JS Error is thrown');
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.length > 0);
      for (const secret of [V.api_v3_key, '-----BEGIN', PEM.merchantKey.split('\n')[1]]) assert.ok(!error.message.includes(secret), 'no key in messages');
      assert.equal(typeof error.retryable, 'boolean');
    });
  }

  test('the cases cover every code wxpay/v3 declares', () => {
    assert.deepEqual(Object.keys(cases).sort(), [...h.declaredCodes('v3')].sort());
  });

  test('the APIv3 key is needed only where something is decrypted', () => {
    const noKey = new v3.KeySet({ publicKeys: KEYS.publicKeys });
    noKey.verifySignature(n.headers, n.body);
    const e = thrown(() => noKey.openNotification(n.headers, n.body));
    assert.deepEqual([e.code, /apiV3Key/.test(e.message)], ['MISSING_FIELD', true]);
    assert.equal(codeOf(() => new v3.KeySet({ apiV3Key: 'short' })), 'INVALID_KEY');
  });
});

test('diagnoseSignError: the core\'s reading of a SIGN_ERROR against the request signed; null for any other answer', () => {
  const signed = { method: 'GET', pathAndQuery: '/v3/certificates', timestamp: 1554208460, nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB242' };
  const message = 'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n';
  const answer = (truncated, length) => JSON.stringify({
    code: 'SIGN_ERROR', message: '签名错误', detail: { sign_information: { method: 'GET', url: '/v3/certificates', truncated_sign_message: truncated, sign_message_length: length } },
  });
  assert.deepEqual(v3.diagnoseSignError(answer(message, message.length), signed), { kind: 'sameMessage' });
  assert.deepEqual(v3.diagnoseSignError(Buffer.from(answer(message, message.length)), { ...signed, nonceStr: '593BEC0C930BF1AFEB40B4A08C8FB243' }), {
    kind: 'lineDiffers', line: 'nonce', expected: '593BEC0C930BF1AFEB40B4A08C8FB242', signed: '593BEC0C930BF1AFEB40B4A08C8FB243', offset: 31,
  });
  assert.deepEqual(v3.diagnoseSignError(answer(message, message.length + 5), signed), { kind: 'lengthDiffers', expected: message.length + 5, signed: message.length });
  assert.equal(v3.diagnoseSignError(JSON.stringify({ code: 'PARAM_ERROR', message: 'x' }), signed), null);
  assert.equal(v3.diagnoseSignError('not json', signed), null);
  assert.equal(codeOf(() => v3.diagnoseSignError(answer(message, 1), { ...signed, timestamp: undefined })), 'MISSING_FIELD');
  assert.equal(codeOf(() => v3.diagnoseSignError(undefined, signed)), 'INVALID_ARGUMENT');
});
