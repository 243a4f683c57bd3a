'use strict';
// Every case of tests/data/acceptance_cases.json through the real cloud functions, as WeChat
// calls them (`main(event, context)`, the committed wxpay/ copy, notifies made by
// tests/js/wechat-v2.js): the reply and the stored state afterwards. wxpay-server's tests run
// the same table through its notify endpoints under the same name, so the two backends are held
// to one acceptance rule (the core's: src/acceptance.rs).
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { deploy, captureLogs } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { replyOf, sign, xml } = require('./support/notifies');
const { encryptReqInfo, caseNotifyFields } = require('../../tests/js/wechat-v2');

const TABLE = require('../../tests/data/acceptance_cases.json');
const FIXTURE = require('../../tests/data/payment_notify.json').fields;
const merchant = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: crypto.randomBytes(16).toString('hex') };

function paymentNotifyBody(notify) {
  const fields = caseNotifyFields(FIXTURE, notify.overrides, merchant);
  fields.sign = sign(fields, merchant.key, notify.sign_type);
  return xml(fields);
}

function refundNotifyBody(notify) {
  return xml({
    return_code: 'SUCCESS',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: crypto.randomBytes(16).toString('hex'),
    req_info: encryptReqInfo(xml(notify.req_info, 'root'), merchant.key),
  });
}

/** The table's stored records as the cloud functions' collections hold them. */
function collections(c) {
  if (c.kind === 'payment') {
    if (!c.order) return { orders: [] };
    const { transaction_id: txn, ...order } = c.order;
    return { orders: [txn ? { ...order, transaction_id: txn } : order] };
  }
  if (!c.refund) return { refunds: [], orders: [] };
  const { order_transaction_id: txn, refund_id: refundId, ...refund } = c.refund;
  const order = { out_trade_no: refund.out_trade_no, total_fee: refund.total_fee, status: 'PAID', transaction_id: txn };
  return { refunds: [refundId ? { ...refund, refund_id: refundId } : refund], orders: txn ? [order] : [] };
}

/** The stored record afterwards, in the table's terms (absent fields as null / false). */
function after(c, db) {
  if (c.kind === 'payment') {
    const no = c.order ? c.order.out_trade_no : c.notify.overrides.out_trade_no;
    const o = db.docs('orders').find((d) => d.out_trade_no === no);
    return o ? { status: o.status, transaction_id: o.transaction_id ?? null, paid_after_close: o.paid_after_close === true } : null;
  }
  const no = c.refund ? c.refund.out_refund_no : c.notify.req_info.out_refund_no;
  const found = db.docs('refunds').filter((d) => d.out_refund_no === no);
  assert.ok(found.length <= 1, 'one record per refund');
  const r = found[0];
  if (!r) return null;
  const out = { status: r.status, refund_id: r.refund_id ?? null };
  if (r.unknown || (c.expect.refund && 'unknown' in c.expect.refund)) out.unknown = r.unknown === true;
  return out;
}

test('cloud_function_and_server_judge_the_same_notifies_alike', async (t) => {
  Object.assign(process.env, { WXPAY_APPID: merchant.appId, WXPAY_MCH_ID: merchant.mchId, WXPAY_API_KEY: merchant.key });
  assert.ok(TABLE.cases.length >= 20);
  for (const c of TABLE.cases) {
    await t.test(c.name, async () => {
      const db = createDb(collections(c));
      const fn = deploy(c.kind === 'payment' ? 'payNotify' : 'refundNotify', db);
      const body = c.kind === 'payment' ? paymentNotifyBody(c.notify) : refundNotifyBody(c.notify);
      const { result, lines } = await captureLogs(() => fn.main({ httpMethod: 'POST', headers: {}, body, isBase64Encoded: false }, {}));
      const reply = replyOf(result.body);
      assert.equal(reply.code, c.expect.reply, `${c.about}; log: ${lines.join(' | ')}`);
      // FAIL is one fixed word: the reply never says which check failed.
      assert.equal(reply.msg, reply.code === 'SUCCESS' ? 'OK' : 'FAIL');
      assert.deepEqual(after(c, db), c.kind === 'payment' ? c.expect.order : c.expect.refund, c.about);
      if (c.expect.reply === 'FAIL') {
        assert.equal(db.updates.length + db.adds.length, 0, 'a refusal writes nothing');
        assert.ok(lines.some((l) => l.includes(c.expect.code)), `the log names ${c.expect.code}: ${lines.join(' | ')}`);
      }
      if (c.expect.verdict === 'RECORD_UNKNOWN') assert.ok(lines.some((l) => l.includes('did not start')), 'a person is told');
    });
  }
});
