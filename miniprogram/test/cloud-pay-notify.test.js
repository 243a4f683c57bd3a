'use strict';
// cloudfunctions/payNotify called as WeChat calls it, `main(event, context)`, with the real
// wasm from pkg/ and real signatures (node:crypto): signed, tampered, foreign, mismatched,
// duplicated and failing-to-store notifies, against a stubbed `orders` collection. (What the
// acceptance rule decides, case by case, is cloud-acceptance.test.js.)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { deploy, sdk, captureLogs } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { newMerchant, paymentNotify, replyOf, xml } = require('./support/notifies');

const merchant = newMerchant();
const ORDER = { out_trade_no: '20261124120000ABCDEFGHIJ', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', total_fee: 3600, status: 'NOTPAY' };

function withEnv() {
  Object.assign(process.env, { WXPAY_APPID: merchant.appId, WXPAY_MCH_ID: merchant.mchId, WXPAY_API_KEY: merchant.key });
}

function setup(orders = [ORDER]) {
  withEnv();
  const db = createDb({ orders });
  const { main } = deploy('payNotify', db);
  return { main, db, order: () => db.docs('orders')[0] };
}

const http = (body, extra = {}) => ({ httpMethod: 'POST', path: '/wxpay/notify', headers: { 'content-type': 'text/xml' }, body, isBase64Encoded: false, ...extra });

function expectReply(res, code) {
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'], /^application\/xml/);
  const r = replyOf(res.body);
  assert.equal(r.code, code, `return_msg: ${r.msg}`);
  return r;
}

test('the copyable code keeps the cloud-function shape and its config out of the source', () => {
  const src = fs.readFileSync(path.join(__dirname, '..', 'cloudfunctions', 'payNotify', 'index.js'), 'utf8');
  assert.match(src, /require\('wx-server-sdk'\)/);
  assert.match(src, /exports\.main = async \(event, context\) =>/);
  assert.match(src, /process\.env/);
  const { main } = setup();
  assert.equal(typeof main, 'function');
  assert.equal(sdk.__inits.at(-1).env, sdk.DYNAMIC_CURRENT_ENV);
  // The two functions deploy alone, each with its own copy of the HTTP helper: kept identical.
  const copy = (fn) => fs.readFileSync(path.join(__dirname, '..', 'cloudfunctions', fn, 'http-event.js'), 'utf8');
  assert.equal(copy('payNotify'), copy('refundNotify'));
});

test('a signed notify (HTTP trigger) → SUCCESS, and the order is PAID once', async () => {
  const { main, db, order } = setup();
  const body = paymentNotify(merchant, ORDER, { overrides: { transaction_id: '4200000000000000000000000042' } });
  expectReply(await main(http(body), {}), 'SUCCESS');
  assert.equal(order().status, 'PAID');
  assert.equal(order().transaction_id, '4200000000000000000000000042');
  assert.equal(order().time_end, '20261124120000');
  assert.ok(order().paid_at instanceof Date);
  assert.equal(db.updates.length, 1);
  assert.deepEqual(db.updates[0].query, { out_trade_no: ORDER.out_trade_no, status: 'NOTPAY' });
});

test('isBase64Encoded is read as a boolean when it arrives as the string "true" or "false"', async () => {
  const body = paymentNotify(merchant, ORDER);
  for (const [flag, encode] of [['true', true], ['TRUE', true], [true, true], ['false', false], [false, false], [undefined, false]]) {
    const s = setup();
    const event = http(encode ? Buffer.from(body).toString('base64') : body, { isBase64Encoded: flag });
    if (flag === undefined) delete event.isBase64Encoded;
    expectReply(await s.main(event, {}), 'SUCCESS');
    assert.equal(s.order().status, 'PAID', `isBase64Encoded: ${JSON.stringify(flag)}`);
  }
});

test('HMAC-SHA256, base64 bodies and a raw string event are all understood', async () => {
  let s = setup();
  const hmac = paymentNotify(merchant, ORDER, { signType: 'HMAC-SHA256' });
  expectReply(await s.main(http(Buffer.from(hmac).toString('base64'), { isBase64Encoded: true }), {}), 'SUCCESS');
  assert.equal(s.order().status, 'PAID');

  s = setup();
  const raw = await s.main(paymentNotify(merchant, ORDER), {});
  assert.equal(typeof raw, 'string');
  assert.equal(replyOf(raw).code, 'SUCCESS');
  assert.equal(s.order().status, 'PAID');
});

const refused = [
  ['an amount changed after signing', () => paymentNotify(merchant, ORDER, { tamper: { total_fee: '1' } }), 'SIGNATURE_MISMATCH'],
  ['a signature made with another key', () => paymentNotify(merchant, ORDER, { key: newMerchant().key }), 'SIGNATURE_MISMATCH'],
  ['no signature', () => paymentNotify(merchant, ORDER).replace(/<sign>.*<\/sign>/, ''), 'MISSING_SIGNATURE'],
  ['another appid (correctly signed)', () => paymentNotify(merchant, ORDER, { overrides: { appid: 'wx0000000000000000' } }), 'APPID_MISMATCH'],
  ['another mch_id (correctly signed)', () => paymentNotify(merchant, ORDER, { overrides: { mch_id: '10000999' } }), 'MCHID_MISMATCH'],
  ['an amount that is not the order’s (correctly signed)', () => paymentNotify(merchant, { ...ORDER, total_fee: 1 }), 'TOTAL_FEE_MISMATCH'],
  ['another payer (correctly signed)', () => paymentNotify(merchant, { ...ORDER, openid: 'oOtherPayer000000000000000000' }), 'PAYER_MISMATCH'],
  ['an unknown order (correctly signed)', () => paymentNotify(merchant, { ...ORDER, out_trade_no: 'NOSUCHORDER' }), 'ORDER_NOT_FOUND'],
  ['a DOCTYPE (XXE)', () => '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + paymentNotify(merchant, ORDER), 'DOCTYPE_FORBIDDEN'],
  ['return_code FAIL', () => xml({ return_code: 'FAIL', return_msg: '签名失败' }), 'RETURN_FAIL'],
];
for (const [what, body, reason] of refused) {
  test(`refused: ${what} → FAIL (the log says ${reason}, the reply does not), nothing changed`, async () => {
    const { main, db, order } = setup();
    const { result, lines } = await captureLogs(() => main(http(body()), {}));
    const r = expectReply(result, 'FAIL');
    assert.equal(r.msg, 'FAIL', 'one fixed word, whatever the reason');
    assert.ok(lines.some((l) => l.includes(reason)), lines.join(' | '));
    assert.equal(order().status, 'NOTPAY');
    assert.equal(db.updates.length, 0);
  });
}

test('refused: an MD5-signed notify for an order placed with HMAC-SHA256 (the core verifies both)', async () => {
  const { main, db, order } = setup([{ ...ORDER, sign_type: 'HMAC-SHA256' }]);
  const { result, lines } = await captureLogs(() => main(http(paymentNotify(merchant, ORDER, { signType: 'MD5' })), {}));
  assert.equal(expectReply(result, 'FAIL').msg, 'FAIL');
  assert.ok(lines.some((l) => l.includes('SIGN_TYPE_MISMATCH')), lines.join(' | '));
  assert.equal(order().status, 'NOTPAY');
  assert.equal(db.updates.length, 0);
  expectReply(await main(http(paymentNotify(merchant, ORDER, { signType: 'HMAC-SHA256' })), {}), 'SUCCESS');
  assert.equal(order().status, 'PAID');
});

test('refused: a body over 16 KiB, and a GET', async () => {
  const { main, db } = setup();
  const big = paymentNotify(merchant, ORDER, { overrides: { attach: 'x'.repeat(17 * 1024) } });
  expectReply(await main(http(big), {}), 'FAIL');
  const get = await main(http('', { httpMethod: 'GET' }), {});
  assert.equal(get.statusCode, 405);
  assert.equal(db.updates.length, 0);
});

test('a payment on a CLOSED order is recorded and flagged (CLOSED → PAID), acknowledged, once', async () => {
  const { main, db, order } = setup([{ ...ORDER, status: 'CLOSED' }]);
  const body = paymentNotify(merchant, ORDER, { overrides: { transaction_id: '4200000000000000000000000077' } });
  expectReply(await main(http(body), {}), 'SUCCESS');
  assert.equal(order().status, 'PAID');
  assert.equal(order().paid_after_close, true, 'flagged for a person: refund or fulfil');
  assert.equal(order().transaction_id, '4200000000000000000000000077');
  assert.deepEqual(db.updates.map((u) => u.query), [{ out_trade_no: ORDER.out_trade_no, status: 'CLOSED' }]);
  expectReply(await main(http(body), {}), 'SUCCESS');
  assert.equal(db.updates.length, 1, 'the duplicate changes nothing');
});

test('a NOTPAY order paid normally carries no paid_after_close flag', async () => {
  const { main, order } = setup();
  expectReply(await main(http(paymentNotify(merchant, ORDER)), {}), 'SUCCESS');
  assert.equal(order().status, 'PAID');
  assert.equal(order().paid_after_close, undefined);
});

test('result_code FAIL (the payment did not succeed) is acknowledged, nothing changed', async () => {
  const { main, db, order } = setup();
  expectReply(await main(http(paymentNotify(merchant, ORDER, { overrides: { result_code: 'FAIL', err_code: 'NOTENOUGH' } })), {}), 'SUCCESS');
  assert.equal(order().status, 'NOTPAY');
  assert.equal(db.updates.length, 0);
});

test('20 concurrent copies of one notify: all SUCCESS, applied exactly once; a later copy too', async () => {
  const { main, db, order } = setup();
  const body = paymentNotify(merchant, ORDER);
  const replies = await Promise.all(Array.from({ length: 20 }, () => main(http(body), {})));
  for (const r of replies) expectReply(r, 'SUCCESS');
  assert.equal(db.updates.length, 1);
  expectReply(await main(http(paymentNotify(merchant, ORDER, { overrides: { transaction_id: order().transaction_id } })), {}), 'SUCCESS');
  assert.equal(db.updates.length, 1);
  assert.equal(order().status, 'PAID');
});

test('SUCCESS is answered only after the update is stored; a failed update answers FAIL', async () => {
  const { main, db, order } = setup();
  let release;
  const held = new Promise((r) => (release = r));
  let entered;
  const reached = new Promise((r) => (entered = r));
  db.beforeUpdate = () => {
    entered();
    return held;
  };
  let settled = false;
  const pending = main(http(paymentNotify(merchant, ORDER)), {}).then((r) => ((settled = true), r));
  await reached;
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'answered before the update was stored');
  release();
  expectReply(await pending, 'SUCCESS');
  assert.equal(order().status, 'PAID');

  const s = setup();
  s.db.beforeUpdate = async () => {
    throw new Error('database timeout');
  };
  const r = expectReply(await s.main(http(paymentNotify(merchant, ORDER)), {}), 'FAIL');
  assert.equal(r.msg, 'FAIL');
  assert.equal(s.order().status, 'NOTPAY');
});

test('without its environment variables it answers FAIL, and the key never shows in a reply', async () => {
  withEnv();
  delete process.env.WXPAY_API_KEY;
  const db = createDb({ orders: [ORDER] });
  const { main } = deploy('payNotify', db);
  const res = await main(http(paymentNotify(merchant, ORDER)), {});
  expectReply(res, 'FAIL');
  assert.equal(db.updates.length, 0);
  withEnv();
  const s = setup();
  for (const body of [paymentNotify(merchant, ORDER, { key: newMerchant().key }), paymentNotify(merchant, ORDER)]) {
    const out = await s.main(http(body), {});
    assert.ok(!out.body.includes(merchant.key));
  }
});
