'use strict';
// cloudfunctions/refundNotify called as `main(event, context)` with the real wasm from pkg/ and
// req_info encrypted with node:crypto: decrypted and applied once, refused when tampered,
// foreign or mismatched, against a stubbed `refunds` collection. (What the acceptance rule
// decides, case by case, is cloud-acceptance.test.js.)
const test = require('node:test');
const assert = require('node:assert/strict');
const { deploy, captureLogs } = require('./support/cloud-function');
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
  assert.deepEqual(db.updates[0].query, { out_refund_no: REFUND.out_refund_no, status: 'PROCESSING' }, 'from the status judged');
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
  ['req_info encrypted with another key', () => refundNotify(merchant, REFUND, { key: newMerchant().key }), 'DECRYPT_KEY_MISMATCH'],
  ['req_info altered', () => refundNotify(merchant, REFUND).replace(/<req_info><!\[CDATA\[([^\]]+)\]\]>/, (_, c) => `<req_info><![CDATA[${flipByte(c)}]]>`)],
  ['req_info cut short', () => refundNotify(merchant, REFUND).replace(/<req_info><!\[CDATA\[([^\]]+)\]\]>/, (_, c) => `<req_info><![CDATA[${Buffer.from(c, 'base64').subarray(0, 32).toString('base64')}]]>`)],
  ['another appid', () => refundNotify(merchant, REFUND, { outer: { appid: 'wx0000000000000000' } }), 'APPID_MISMATCH'],
  ['another mch_id', () => refundNotify(merchant, REFUND, { outer: { mch_id: '10000999' } }), 'MCHID_MISMATCH'],
  ['return_code FAIL', () => xml({ return_code: 'FAIL', return_msg: 'ERROR' }), 'RETURN_FAIL'],
  ['another refund amount', () => refundNotify(merchant, { ...REFUND, refund_fee: 3600 }), 'REFUND_FEE_MISMATCH'],
  ['another order total', () => refundNotify(merchant, { ...REFUND, total_fee: 9999 }), 'TOTAL_FEE_MISMATCH'],
  ['another order', () => refundNotify(merchant, { ...REFUND, out_trade_no: '20261124999999ZZZZZZZZZZ' }), 'OUT_TRADE_NO_MISMATCH'],
  ['another refund_id than WeChat gave us', () => refundNotify(merchant, REFUND, { inner: { refund_id: '50000000000000000000000000999' } }), 'REFUND_ID_MISMATCH', [{ ...REFUND, refund_id: '50000000000000000000000000001' }]],
];
for (const [what, body, reason, refunds] of refused) {
  test(`refused: ${what} → FAIL${reason ? ` (the log says ${reason}, the reply does not)` : ''}, nothing changed`, async () => {
    const { main, db, refund } = setup(refunds);
    const { result, lines } = await captureLogs(() => main(http(body()), {}));
    const r = reply(result);
    assert.deepEqual(r, { code: 'FAIL', msg: 'FAIL' }, 'one fixed word, whatever the reason');
    if (reason) assert.ok(lines.some((l) => l.includes(reason)), lines.join(' | '));
    assert.equal(refund().status, 'PROCESSING');
    assert.equal(db.updates.length + db.adds.length, 0);
  });
}

test('refused: another transaction_id than the order\'s', async () => {
  const db = createDb({ refunds: [REFUND], orders: [{ out_trade_no: REFUND.out_trade_no, status: 'PAID', transaction_id: '4200000000000000000000000999' }] });
  const { main } = deploy('refundNotify', db);
  const { result, lines } = await captureLogs(() => main(http(refundNotify(merchant, REFUND)), {}));
  assert.deepEqual(reply(result), { code: 'FAIL', msg: 'FAIL' });
  assert.ok(lines.some((l) => l.includes('TRANSACTION_ID_MISMATCH')), lines.join(' | '));
  assert.equal(db.docs('refunds')[0].status, 'PROCESSING');
});

test('a refund we never stored (made on the merchant platform) is recorded for a person and acknowledged, once', async () => {
  const { main, db } = setup();
  const manual = { ...REFUND, out_refund_no: 'RMANUAL000000000000000001' };
  const body = refundNotify(merchant, manual, { inner: { refund_request_source: 'VENDOR_PLATFORM' } });
  const replies = await captureLogs(() => Promise.all(Array.from({ length: 5 }, () => main(http(body), {}))));
  for (const r of replies.result) assert.equal(reply(r).code, 'SUCCESS');
  assert.ok(replies.lines.some((l) => l.includes('did not start')), 'a person is told');
  const recorded = db.docs('refunds').filter((d) => d.out_refund_no === manual.out_refund_no);
  assert.equal(recorded.length, 1, 'concurrent copies record it once');
  assert.deepEqual([recorded[0].status, recorded[0].unknown, recorded[0].source, recorded[0].refund_fee], ['SUCCESS', true, 'VENDOR_PLATFORM', 1200]);
  assert.equal(reply(await main(http(body), {})).code, 'SUCCESS', 'a later copy is a duplicate');
  assert.equal(db.adds.length, 1);
  assert.equal(db.docs('refunds')[0].status, 'PROCESSING', 'our own refund is untouched');
});

test('CHANGE (退款异常) is not final: a later SUCCESS is recorded over it, a late CHANGE after it is acknowledged', async () => {
  const { main, refund } = setup();
  const change = refundNotify(merchant, REFUND, { inner: { refund_status: 'CHANGE' } });
  assert.equal(reply(await main(http(change), {})).code, 'SUCCESS');
  assert.equal(refund().status, 'CHANGE');
  assert.equal(reply(await main(http(refundNotify(merchant, REFUND)), {})).code, 'SUCCESS');
  assert.equal(refund().status, 'SUCCESS');
  assert.equal(reply(await main(http(change), {})).code, 'SUCCESS');
  assert.equal(refund().status, 'SUCCESS');
});

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
  assert.deepEqual(r, { code: 'FAIL', msg: 'FAIL' });
  assert.equal(refund().status, 'PROCESSING');
});
