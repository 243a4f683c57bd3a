'use strict';
// cloudfunctions/refundNotifyV3 called as WeChat calls it, with the real wasm of pkg/
// (`wxpay/v3`) and WeChat's side made with node:crypto (support/notifies-v3.js): REFUND.SUCCESS,
// REFUND.ABNORMAL and REFUND.CLOSED applied once from the status judged, a refund made by hand
// on the merchant platform recorded for a person, and forged or mismatched notifies refused,
// against stubbed `refunds` and `orders` collections.
const test = require('node:test');
const assert = require('node:assert/strict');
const { deploy, captureLogs } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { newWeChat, envOf, setEnv, refundNotice, notify, httpEvent, now } = require('./support/notifies-v3');

const wechat = newWeChat();
const TRANSACTION_ID = '4200002026112400000000000042';
const ORDER = { out_trade_no: '20261124120000V3ABCDEF', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', total_fee: 3600, status: 'PAID', transaction_id: TRANSACTION_ID };
const REFUND = { out_refund_no: 'R20261124120000V3AbCdEf', out_trade_no: ORDER.out_trade_no, refund_fee: 1200, total_fee: 3600, status: 'PROCESSING' };
const FAIL = { code: 'FAIL', message: '失败' };
const EVENT = { SUCCESS: 'REFUND.SUCCESS', ABNORMAL: 'REFUND.ABNORMAL', CLOSED: 'REFUND.CLOSED' };

function setup(refunds = [REFUND], env = envOf(wechat)) {
  setEnv(env);
  const db = createDb({ refunds, orders: [ORDER] });
  const { main } = deploy('refundNotifyV3', db);
  return { main, db, refund: (no = REFUND.out_refund_no) => db.docs('refunds').find((r) => r.out_refund_no === no) };
}

/** A REFUND.* notify of `status` for `refund`. */
function refunded(status = 'SUCCESS', refund = REFUND, overrides = {}, options = {}) {
  return notify(wechat, EVENT[status], refundNotice(wechat, refund, { status, transactionId: TRANSACTION_ID, ...overrides }), options);
}

function expectAcknowledged(res) {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.body, '');
}

function expectRefused(res) {
  assert.ok(res.statusCode >= 400 && res.statusCode < 600, `status ${res.statusCode}`);
  assert.deepEqual(JSON.parse(res.body), FAIL);
}

test('REFUND.SUCCESS → 200, the refund is SUCCESS once (a duplicate changes nothing)', async () => {
  const { main, db, refund } = setup();
  const n = refunded('SUCCESS');
  expectAcknowledged(await main(httpEvent(n), {}));
  assert.equal(refund().status, 'SUCCESS');
  assert.equal(refund().refund_id, '50000000382019052709732678859');
  assert.equal(refund().success_time, '2026-11-25T10:00:00+08:00');
  assert.ok(refund().finished_at instanceof Date);
  assert.deepEqual(db.updates.map((u) => u.query), [{ out_refund_no: REFUND.out_refund_no, status: 'PROCESSING' }], 'from the status judged');
  expectAcknowledged(await main(httpEvent(n), {}));
  assert.equal(db.updates.length, 1);
});

test('REFUND.ABNORMAL → stored CHANGE (the verdict’s name), logged for a person; a later SUCCESS still applies', async () => {
  const { main, db, refund } = setup();
  const { result, entries } = await captureLogs(() => main(httpEvent(refunded('ABNORMAL')), {}));
  expectAcknowledged(result);
  assert.equal(refund().status, 'CHANGE');
  assert.equal(refund().finished_at, undefined, 'not final');
  assert.ok(entries.some((e) => e.level === 'error' && /a person must act/.test(e.line)), entries.map((e) => e.line).join(' | '));
  expectAcknowledged(await main(httpEvent(refunded('SUCCESS')), {}));
  assert.equal(refund().status, 'SUCCESS');
  assert.deepEqual(db.updates.map((u) => u.query.status), ['PROCESSING', 'CHANGE']);
});

test('REFUND.CLOSED → CLOSED; a late ABNORMAL after it is acknowledged and changes nothing', async () => {
  const { main, db, refund } = setup();
  expectAcknowledged(await main(httpEvent(refunded('CLOSED')), {}));
  assert.equal(refund().status, 'CLOSED');
  expectAcknowledged(await main(httpEvent(refunded('ABNORMAL')), {}));
  assert.equal(refund().status, 'CLOSED');
  assert.equal(db.updates.length, 1);
});

test('a refund we did not start (made on the merchant platform) is recorded for a person and acknowledged, once', async () => {
  const { main, db, refund } = setup([]);
  const manual = { out_refund_no: '1217752501201407033233368018', out_trade_no: ORDER.out_trade_no, refund_fee: 600, total_fee: 3600 };
  const n = refunded('SUCCESS', manual);
  const { result, lines } = await captureLogs(() => main(httpEvent(n), {}));
  expectAcknowledged(result);
  assert.ok(lines.some((l) => l.includes('recorded for a person')), lines.join(' | '));
  const r = refund(manual.out_refund_no);
  assert.equal(r.unknown, true);
  assert.equal(r.status, 'SUCCESS');
  assert.equal(r.refund_fee, 600);
  assert.equal(r.total_fee, 3600);
  assert.equal(r.refund_id, '50000000382019052709732678859');
  await captureLogs(() => main(httpEvent(n), {}));
  assert.equal(db.adds.length, 1, 'the duplicate is already recorded');
});

const refused = [
  ['a body changed after signing', () => refunded('SUCCESS', REFUND, {}, { tamper: (b) => b.replace('"REFUND.SUCCESS"', '"REFUND.SUCCESS" ') }), 'SIGNATURE_MISMATCH'],
  ['a signature made with another key', () => refunded('SUCCESS', REFUND, {}, { sign: { key: newWeChat().signingKey } }), 'SIGNATURE_MISMATCH'],
  ['a timestamp 10 minutes old', () => refunded('SUCCESS', REFUND, {}, { sign: { timestamp: now() - 600 } }), 'TIMESTAMP_SKEW'],
  ['a resource encrypted with another APIv3 key', () => refunded('SUCCESS', REFUND, {}, { apiV3Key: newWeChat().apiV3Key }), 'AEAD_TAG_MISMATCH'],
  ['a refund amount that is not ours (correctly signed)', () => refunded('SUCCESS', { ...REFUND, refund_fee: 1 }), 'REFUND_FEE_MISMATCH'],
  ['another transaction (correctly signed)', () => refunded('SUCCESS', REFUND, { transactionId: '4200002026112400000000000099' }), 'TRANSACTION_ID_MISMATCH'],
  ['another mchid (correctly signed)', () => refunded('SUCCESS', REFUND, { mchid: '1900000999' }), 'MCHID_MISMATCH'],
  ['a status the core does not know (correctly signed)', () => refunded('SUCCESS', REFUND, { refund_status: 'REVERSED' }), 'REVERSED'],
];
for (const [what, make, reason] of refused) {
  test(`refused: ${what} → 4xx/5xx (the log says ${reason}), nothing changed`, async () => {
    const { main, db, refund } = setup();
    const { result, lines } = await captureLogs(() => main(httpEvent(make()), {}));
    expectRefused(result);
    assert.ok(lines.some((l) => l.includes(reason)), lines.join(' | '));
    assert.equal(refund().status, 'PROCESSING');
    assert.equal(db.updates.length + db.adds.length, 0);
  });
}

test('refused quietly: a signature probe → 4xx, one info line, nothing changed', async () => {
  const { main, db } = setup();
  const probe = refunded('SUCCESS', REFUND, {}, { sign: { signature: 'WECHATPAY/SIGNTEST/' + Buffer.alloc(256, 9).toString('base64') } });
  const { result, entries } = await captureLogs(() => main(httpEvent(probe), {}));
  expectRefused(result);
  assert.deepEqual(entries.map((e) => e.level), ['info']);
  assert.equal(db.updates.length, 0);
});

test('refused: WXPAY_APIV3_KEY missing → 500, the log names it, nothing changed', async () => {
  const { WXPAY_APIV3_KEY, ...env } = envOf(wechat);
  const { main, db } = setup([REFUND], env);
  const { result, lines } = await captureLogs(() => main(httpEvent(refunded('SUCCESS')), {}));
  expectRefused(result);
  assert.equal(result.statusCode, 500);
  assert.ok(lines.some((l) => l.includes('WXPAY_APIV3_KEY')), lines.join(' | '));
  assert.equal(db.updates.length, 0);
});

test('a lost race (the refund moved on before the update) is judged again: a late ABNORMAL after SUCCESS changes nothing', async () => {
  const { main, db, refund } = setup();
  let raced = false;
  db.beforeUpdate = ({ collection }) => {
    // Another notify stored SUCCESS between our read and our update.
    if (!raced && collection === 'refunds') {
      raced = true;
      Object.assign(db.docs('refunds')[0], { status: 'SUCCESS', refund_id: '50000000382019052709732678859' });
    }
  };
  const { result, lines } = await captureLogs(() => main(httpEvent(refunded('ABNORMAL')), {}));
  expectAcknowledged(result);
  assert.equal(refund().status, 'SUCCESS');
  assert.equal(db.updates.length, 0);
  assert.ok(!lines.some((l) => l.includes('a person must act')), lines.join(' | '));
});

test('a failed update → 500, nothing changed (WeChat resends)', async () => {
  const { main, db, refund } = setup();
  db.beforeUpdate = async () => {
    throw new Error('database timeout');
  };
  const { result } = await captureLogs(() => main(httpEvent(refunded('SUCCESS')), {}));
  expectRefused(result);
  assert.equal(result.statusCode, 500);
  assert.equal(refund().status, 'PROCESSING');
});
