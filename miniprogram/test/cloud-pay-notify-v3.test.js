'use strict';
// cloudfunctions/payNotifyV3 called as WeChat calls it, `main(event, context)`, with the real
// wasm of pkg/ (`wxpay/v3`) and WeChat's side made with node:crypto (support/notifies-v3.js:
// RSA keys and the APIv3 key generated per run): signed, duplicated, tampered, foreign, stale,
// probing, mismatched and misconfigured notifies against a stubbed `orders` collection.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { deploy, captureLogs } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { newWeChat, testPlatformCertificate, envOf, setEnv, transaction, refundNotice, notify, httpEvent, now } = require('./support/notifies-v3');

const wechat = newWeChat();
const ORDER = { out_trade_no: '20261124120000V3ABCDEF', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', total_fee: 3600, status: 'NOTPAY' };
const FAIL = { code: 'FAIL', message: '失败' };

function setup(orders = [ORDER], env = envOf(wechat)) {
  setEnv(env);
  const db = createDb({ orders });
  const { main, dir } = deploy('payNotifyV3', db);
  return { main, db, dir, order: () => db.docs('orders')[0] };
}

const paid = (order = ORDER, overrides = {}, options = {}) => notify(wechat, 'TRANSACTION.SUCCESS', transaction(wechat, order, overrides), options);

function expectAcknowledged(res) {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.body, '');
}

function expectRefused(res) {
  assert.ok(res.statusCode >= 400 && res.statusCode < 600, `status ${res.statusCode}`);
  assert.deepEqual(JSON.parse(res.body), FAIL, 'one fixed reply, whatever the reason');
}

test('the function deploys alone: its own copies of the shared helpers, identical to the others', () => {
  const read = (fn, f) => fs.readFileSync(path.join(__dirname, '..', 'cloudfunctions', fn, f), 'utf8');
  for (const fn of ['refundNotify', 'payNotifyV3', 'refundNotifyV3']) {
    for (const f of ['http-event.js', 'records.js']) assert.equal(read(fn, f), read('payNotify', f), `${fn}/${f}`);
  }
  assert.equal(read('payNotifyV3', 'v3-notify.js'), read('refundNotifyV3', 'v3-notify.js'));
  assert.match(read('payNotifyV3', 'index.js'), /exports\.main = async \(event, context\) =>/);
});

test('a signed notify → 200, and the order is PAID once', async () => {
  const { main, db, order } = setup();
  const n = paid(ORDER, { transaction_id: '4200002026112400000000000042' });
  expectAcknowledged(await main(httpEvent(n), {}));
  assert.equal(order().status, 'PAID');
  assert.equal(order().transaction_id, '4200002026112400000000000042');
  assert.equal(order().success_time, '2026-11-24T12:00:00+08:00');
  assert.ok(order().paid_at instanceof Date);
  assert.deepEqual(db.updates.map((u) => u.query), [{ out_trade_no: ORDER.out_trade_no, status: 'NOTPAY' }]);
});

test('duplicate notifies (again later, and 10 at once) → 200 each, applied once', async () => {
  const { main, db, order } = setup();
  const n = paid();
  const replies = await Promise.all(Array.from({ length: 10 }, () => main(httpEvent(n), {})));
  replies.forEach(expectAcknowledged);
  expectAcknowledged(await main(httpEvent(n), {}));
  assert.equal(db.updates.length, 1);
  assert.equal(order().status, 'PAID');
});

test('headers in any case, and a base64 body, are understood', async () => {
  const { main, order } = setup();
  const n = paid();
  const lower = Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.toLowerCase(), v]));
  expectAcknowledged(await main(httpEvent({ body: Buffer.from(n.body).toString('base64'), headers: lower }, { isBase64Encoded: 'true' }), {}));
  assert.equal(order().status, 'PAID');
});

test('platform-certificate mode (WXPAY_PLATFORM_CERTIFICATE), alone or beside the public key', async () => {
  const cert = testPlatformCertificate();
  const { WXPAY_PUBLIC_KEY, WXPAY_PUBLIC_KEY_ID, ...withoutPublicKey } = envOf(wechat);
  for (const env of [{ ...withoutPublicKey, WXPAY_PLATFORM_CERTIFICATE: cert.pem }, { ...envOf(wechat), WXPAY_PLATFORM_CERTIFICATE: cert.pem.replace(/\n/g, '\\n') }]) {
    const { main, order } = setup([ORDER], env);
    expectAcknowledged(await main(httpEvent(paid(ORDER, {}, { sign: { serial: cert.serial, key: cert.key } })), {}));
    assert.equal(order().status, 'PAID');
  }
});

test('WXPAY_PUBLIC_KEY may name a PEM file in the function folder', async () => {
  const { WXPAY_PUBLIC_KEY, ...env } = envOf(wechat);
  setEnv(env);
  const db = createDb({ orders: [ORDER] });
  const { main, dir } = deploy('payNotifyV3', db);
  fs.writeFileSync(path.join(dir, 'pub_key.pem'), WXPAY_PUBLIC_KEY);
  process.env.WXPAY_PUBLIC_KEY = 'pub_key.pem';
  expectAcknowledged(await main(httpEvent(paid()), {}));
  assert.equal(db.docs('orders')[0].status, 'PAID');
});

const refused = [
  ['a body changed after signing', () => paid(ORDER, {}, { tamper: (b) => b.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ') }), 'SIGNATURE_MISMATCH'],
  ['a signature made with another key', () => paid(ORDER, {}, { sign: { key: newWeChat().signingKey } }), 'SIGNATURE_MISMATCH'],
  ['a serial we do not hold', () => paid(ORDER, {}, { sign: { serial: 'PUB_KEY_ID_0000000000000000000000000000' } }), 'UNKNOWN_SERIAL'],
  ['a timestamp 10 minutes old (a replay)', () => paid(ORDER, {}, { sign: { timestamp: now() - 600 } }), 'TIMESTAMP_SKEW'],
  ['a resource encrypted with another APIv3 key (correctly signed)', () => paid(ORDER, {}, { apiV3Key: newWeChat().apiV3Key }), 'AEAD_TAG_MISMATCH'],
  ['no signature headers', () => ({ body: paid().body, headers: {} }), 'MISSING_FIELD'],
  ['an amount that is not the order’s (correctly signed)', () => paid({ ...ORDER, total_fee: 1 }), 'TOTAL_FEE_MISMATCH'],
  ['another payer (correctly signed)', () => paid({ ...ORDER, openid: 'oOtherPayer000000000000000000' }), 'PAYER_MISMATCH'],
  ['an unknown order (correctly signed)', () => paid({ ...ORDER, out_trade_no: 'NOSUCHORDER1' }), 'ORDER_NOT_FOUND'],
  ['another appid (correctly signed)', () => paid(ORDER, { appid: 'wx0000000000000000' }), 'APPID_MISMATCH'],
  ['another mchid (correctly signed)', () => paid(ORDER, { mchid: '1900000999' }), 'MCHID_MISMATCH'],
  ['a refund event sent here (correctly signed)', () => notify(wechat, 'REFUND.SUCCESS', refundNotice(wechat, { out_refund_no: 'R1', out_trade_no: ORDER.out_trade_no, refund_fee: 1, total_fee: ORDER.total_fee }, { transactionId: '4200002026112400000000000042' })), 'REFUND.SUCCESS'],
];
for (const [what, make, reason] of refused) {
  test(`refused: ${what} → 4xx/5xx (the log says ${reason}, the reply does not), nothing changed`, async () => {
    const { main, db, order } = setup();
    const { result, lines } = await captureLogs(() => main(httpEvent(make()), {}));
    expectRefused(result);
    assert.ok(lines.some((l) => l.includes(reason)), lines.join(' | '));
    assert.ok(!result.body.includes(reason));
    assert.equal(order().status, 'NOTPAY');
    assert.equal(db.updates.length, 0);
  });
}

test('refused quietly: WeChat’s signature probe (WECHATPAY/SIGNTEST/…) → 4xx, one info line, nothing changed', async () => {
  const { main, db, order } = setup();
  const probe = paid(ORDER, {}, { sign: { signature: 'WECHATPAY/SIGNTEST/' + Buffer.alloc(256, 7).toString('base64') } });
  const { result, entries } = await captureLogs(() => main(httpEvent(probe), {}));
  expectRefused(result);
  assert.equal(entries.length, 1, entries.map((e) => e.line).join(' | '));
  assert.equal(entries[0].level, 'info');
  assert.match(entries[0].line, /probe/);
  assert.equal(order().status, 'NOTPAY');
  assert.equal(db.updates.length, 0);
});

test('a trade state that is not paid (correctly signed) is acknowledged, nothing changed', async () => {
  const { main, db, order } = setup();
  expectAcknowledged(await main(httpEvent(paid(ORDER, { trade_state: 'NOTPAY', transaction_id: undefined, payer: undefined })), {}));
  assert.equal(order().status, 'NOTPAY');
  assert.equal(db.updates.length, 0);
});

test('a payment on a CLOSED order is recorded and flagged, acknowledged, once', async () => {
  const { main, db, order } = setup([{ ...ORDER, status: 'CLOSED' }]);
  const n = paid();
  const { result, lines } = await captureLogs(() => main(httpEvent(n), {}));
  expectAcknowledged(result);
  assert.equal(order().status, 'PAID');
  assert.equal(order().paid_after_close, true);
  assert.ok(lines.some((l) => l.includes('needs a person')));
  expectAcknowledged(await main(httpEvent(n), {}));
  assert.equal(db.updates.length, 1);
});

test('200 only after the update is stored; a failed update → 500, nothing changed', async () => {
  const { main, db, order } = setup();
  let release;
  const held = new Promise((r) => (release = r));
  let entered;
  const reached = new Promise((r) => (entered = r));
  db.beforeUpdate = () => (entered(), held);
  let settled = false;
  const pending = main(httpEvent(paid()), {}).then((r) => ((settled = true), r));
  await reached;
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'answered before the update was stored');
  release();
  expectAcknowledged(await pending);
  assert.equal(order().status, 'PAID');

  const s = setup();
  s.db.beforeUpdate = async () => {
    throw new Error('database timeout');
  };
  const { result } = await captureLogs(() => s.main(httpEvent(paid()), {}));
  expectRefused(result);
  assert.equal(result.statusCode, 500);
  assert.equal(s.order().status, 'NOTPAY');
});

const settings = [
  ['WXPAY_APPID', (env) => delete env.WXPAY_APPID],
  ['WXPAY_MCH_ID', (env) => delete env.WXPAY_MCH_ID],
  ['WXPAY_APIV3_KEY', (env) => delete env.WXPAY_APIV3_KEY],
  ['WXPAY_APIV3_KEY', (env) => (env.WXPAY_APIV3_KEY = 'too-short')],
  ['WXPAY_PUBLIC_KEY_ID', (env) => delete env.WXPAY_PUBLIC_KEY_ID],
  ['WXPAY_PUBLIC_KEY_ID', (env) => (env.WXPAY_PUBLIC_KEY_ID = env.WXPAY_PUBLIC_KEY_ID.replace('PUB_KEY_ID_', ''))],
  ['WXPAY_PUBLIC_KEY', (env) => delete env.WXPAY_PUBLIC_KEY],
  ['WXPAY_PUBLIC_KEY', (env) => (env.WXPAY_PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n')],
  ['WXPAY_PUBLIC_KEY', (env) => (env.WXPAY_PUBLIC_KEY = 'no-such-file.pem')],
  ['WXPAY_PLATFORM_CERTIFICATE', (env) => (env.WXPAY_PLATFORM_CERTIFICATE = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')],
];
for (const [name, change] of settings) {
  test(`refused: ${name} missing or malformed → 500 on every call, the log names it, nothing changed`, async () => {
    const env = envOf(wechat);
    change(env);
    setEnv(env);
    const db = createDb({ orders: [ORDER] });
    const { main } = deploy('payNotifyV3', db); // loading does not read the settings
    for (let call = 0; call < 2; call++) {
      const { result, lines } = await captureLogs(() => main(httpEvent(paid()), {}));
      expectRefused(result);
      assert.equal(result.statusCode, 500);
      assert.ok(lines.some((l) => l.includes(name)), lines.join(' | '));
      assert.ok(!result.body.includes(wechat.apiV3Key));
    }
    assert.equal(db.updates.length, 0);
  });
}

test('a GET → 405', async () => {
  const { main, db } = setup();
  assert.equal((await main(httpEvent(paid(), { httpMethod: 'GET' }), {})).statusCode, 405);
  assert.equal(db.updates.length, 0);
});
