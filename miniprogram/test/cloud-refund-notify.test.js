'use strict';
// cloudfunctions/refundNotify called as `main(event, context)` with the real wasm from pkg/ and
// req_info encrypted with node:crypto: decrypted and applied once, refused when tampered,
// foreign or mismatched, against a stubbed `refunds` collection.
const test = require('node:test');
const assert = require('node:assert/strict');
const { deploy } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { newMerchant, refundNotify, replyOf, xml } = require('./support/notifies');

const merchant = newMerchant();
const REFUND = {
  out_refund_no: 'R20261124120000AbCdEfGhIj',
  out_trade_no: '20261124120000ABCDEFGHIJ',
  refund_fee: 1200,
  total_fee: 3600,
  status: 'PROCESSING',
};

function setup(refunds = [REFUND]) {
  Object.assign(process.env, { WXPAY_APPID: merchant.appId, WXPAY_MCH_ID: merchant.mchId, WXPAY_API_KEY: merchant.key });
  const db = createDb({ refunds });
  const { main } = deploy('refundNotify', db);
  return { main, db, refund: () => db.docs('refunds')[0] };
}

const http = (body) => ({ httpMethod: 'POST', headers: {}, body, isBase64Encoded: false });

function reply(res) {
  assert.equal(res.statusCode, 200);
  return replyOf(res.body);
}

test('a refund notify → decrypted, SUCCESS, and the refund is SUCCESS once', async () => {
  const { main, db, refund } = setup();
  assert.equal(reply(await main(http(refundNotify(merchant, REFUND)), {})).code, 'SUCCESS');
  assert.equal(refund().status, 'SUCCESS');
  assert.equal(refund().refund_id, '50000000000000000000000000001');
  assert.equal(refund().success_time, '2026-11-24 12:00:05');
  assert.ok(refund().finished_at instanceof Date);
  assert.equal(db.updates.length, 1);
  assert.deepEqual(db.updates[0].query.status, { $in: ['APPROVED', 'PROCESSING'] });
});

test('REFUNDCLOSE → CLOSED, CHANGE → CHANGE; a raw string event gets the XML string', async () => {
  let s = setup();
  assert.equal(reply(await s.main(http(refundNotify(merchant, REFUND, { inner: { refund_status: 'REFUNDCLOSE' } })), {})).code, 'SUCCESS');
  assert.equal(s.refund().status, 'CLOSED');
  s = setup([{ ...REFUND, status: 'APPROVED' }]);
  const raw = await s.main(refundNotify(merchant, REFUND, { inner: { refund_status: 'CHANGE' } }), {});
  assert.equal(replyOf(raw).code, 'SUCCESS');
  assert.equal(s.refund().status, 'CHANGE');
});

function flipByte(b64) {
  const buf = Buffer.from(b64, 'base64');
  buf[buf.length - 20] ^= 0x01;
  return buf.toString('base64');
}

const refused = [
  ['req_info encrypted with another key', () => refundNotify(merchant, REFUND, { key: newMerchant().key })],
  ['req_info altered', () => refundNotify(merchant, REFUND).replace(/<req_info><!\[CDATA\[([^\]]+)\]\]>/, (_, c) => `<req_info><![CDATA[${flipByte(c)}]]>`)],
  ['req_info cut short', () => refundNotify(merchant, REFUND).replace(/<req_info><!\[CDATA\[([^\]]+)\]\]>/, (_, c) => `<req_info><![CDATA[${Buffer.from(c, 'base64').subarray(0, 32).toString('base64')}]]>`)],
  ['another appid', () => refundNotify(merchant, REFUND, { outer: { appid: 'wx0000000000000000' } }), 'APPID_MISMATCH'],
  ['another mch_id', () => refundNotify(merchant, REFUND, { outer: { mch_id: '10000999' } }), 'MCHID_MISMATCH'],
  ['return_code FAIL', () => xml({ return_code: 'FAIL', return_msg: 'ERROR' }), 'RETURN_FAIL'],
  ['another refund amount', () => refundNotify(merchant, { ...REFUND, refund_fee: 3600 }), 'AMOUNT_MISMATCH'],
  ['another order total', () => refundNotify(merchant, { ...REFUND, total_fee: 9999 }), 'AMOUNT_MISMATCH'],
  ['another order', () => refundNotify(merchant, { ...REFUND, out_trade_no: '20261124999999ZZZZZZZZZZ' }), 'ORDER_MISMATCH'],
  ['an unknown refund', () => refundNotify(merchant, { ...REFUND, out_refund_no: 'RNOSUCHREFUND' }), 'REFUND_NOT_FOUND'],
];
for (const [what, body, reason] of refused) {
  test(`refused: ${what} → FAIL${reason ? ' ' + reason : ''}, nothing changed`, async () => {
    const { main, db, refund } = setup();
    const r = reply(await main(http(body()), {}));
    assert.equal(r.code, 'FAIL');
    if (reason) assert.equal(r.msg, reason);
    assert.equal(refund().status, 'PROCESSING');
    assert.equal(db.updates.length, 0);
  });
}

test('a refund not in flight (REQUESTED, never sent) is not moved by a notify', async () => {
  const { main, db, refund } = setup([{ ...REFUND, status: 'REQUESTED' }]);
  assert.equal(reply(await main(http(refundNotify(merchant, REFUND)), {})).code, 'FAIL');
  assert.equal(refund().status, 'REQUESTED');
  assert.equal(db.updates.length, 0);
});

test('20 concurrent copies: all SUCCESS, applied once; a conflicting final state later is refused', async () => {
  const { main, db, refund } = setup();
  const body = refundNotify(merchant, REFUND);
  const replies = await Promise.all(Array.from({ length: 20 }, () => main(http(body), {})));
  for (const r of replies) assert.equal(reply(r).code, 'SUCCESS');
  assert.equal(db.updates.length, 1);
  assert.equal(refund().status, 'SUCCESS');
  const other = reply(await main(http(refundNotify(merchant, REFUND, { inner: { refund_status: 'REFUNDCLOSE' } })), {}));
  assert.equal(other.code, 'FAIL');
  assert.equal(refund().status, 'SUCCESS');
  assert.equal(db.updates.length, 1);
});

test('SUCCESS only after the update is stored: a failing store answers FAIL', async () => {
  const { main, db, refund } = setup();
  db.beforeUpdate = async () => {
    throw new Error('database timeout');
  };
  const r = reply(await main(http(refundNotify(merchant, REFUND)), {}));
  assert.deepEqual(r, { code: 'FAIL', msg: 'RETRY_LATER' });
  assert.equal(refund().status, 'PROCESSING');
});
