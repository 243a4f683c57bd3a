'use strict';
// judgePayment and judgeRefund from JS: every case of tests/data/acceptance_cases.json, its
// notify made by tests/js/wechat-v2.js (node:crypto), verified by the package and judged, in
// both entry points that carry them; the query cases through the package's response parsers;
// and the shapes the functions refuse.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers');
const { KEY, MERCHANT, jsSign, jsXml, signedResponse, refundNotify, encryptReqInfo, codeOf, ROOT } = h;
const small = require('../../pkg/notify');
const { caseNotifyFields } = require('../../tests/js/wechat-v2');

const TABLE = h.data('acceptance_cases.json');
const FIXTURE = h.data('payment_notify.json').fields;

function paymentNotifyBody(notify) {
  const fields = caseNotifyFields(FIXTURE, notify.overrides, MERCHANT);
  fields.sign = jsSign(fields, KEY, notify.sign_type);
  return jsXml(fields);
}

function refundNotifyBody(notify) {
  return refundNotify(encryptReqInfo(jsXml(notify.req_info, 'root')));
}

/** The table's stored order (the server's snake_case names) as judgePayment takes it. */
function storedOrder(o) {
  return o && { outTradeNo: o.out_trade_no, totalFee: o.total_fee, openid: o.openid, signType: o.sign_type, status: o.status, transactionId: o.transaction_id };
}

function storedRefund(r) {
  return r && {
    outRefundNo: r.out_refund_no, outTradeNo: r.out_trade_no, refundFee: r.refund_fee, totalFee: r.total_fee,
    refundId: r.refund_id, transactionId: r.order_transaction_id, status: r.status,
  };
}

/** What the table expects of a verdict, in the verdict's own names. */
function expected(e) {
  const out = { verdict: e.verdict };
  if ('after_close' in e) out.afterClose = e.after_close;
  if ('status' in e) out.status = e.status;
  if ('code' in e) out.code = e.code;
  out.reply = e.reply;
  return out;
}

/** A verdict without its log line (checked apart). */
function judged(v) {
  const { reason, ...rest } = v;
  if (v.verdict === 'REFUSE') assert.ok(typeof reason === 'string' && reason.length > 0, 'a refusal says why, for the log');
  else assert.equal(reason, undefined);
  return rest;
}

for (const [entry, w] of [['wxpay', h.wxpay], ['wxpay/notify', small]]) {
  describe(`${entry}: the acceptance cases`, () => {
    const merchant = new w.Merchant(MERCHANT);
    for (const c of TABLE.cases) {
      test(c.name, () => {
        const v = c.kind === 'payment'
          ? w.judgePayment(storedOrder(c.order), merchant.verifyPaymentNotify(paymentNotifyBody(c.notify)))
          : w.judgeRefund(storedRefund(c.refund), merchant.decryptRefundNotify(refundNotifyBody(c.notify)));
        assert.deepEqual(judged(v), expected(c.expect), c.about);
      });
    }
  });
}

describe('wxpay: the query cases, through the response parsers', () => {
  for (const c of TABLE.query_cases) {
    test(c.name, () => {
      let v;
      if (c.orderquery) {
        v = h.wxpay.judgePayment(storedOrder(c.order), h.wxpay.parseOrderQueryResponse(signedResponse(c.orderquery), MERCHANT));
      } else {
        const answer = h.wxpay.parseRefundQueryResponse(signedResponse(c.refundquery), MERCHANT);
        const { refunds, ...payment } = answer;
        v = h.wxpay.judgeRefund(storedRefund(c.refund), { ...refunds[0], outTradeNo: payment.outTradeNo, transactionId: payment.transactionId, totalFee: payment.totalFee });
      }
      assert.deepEqual(judged(v), expected(c.expect), c.about);
    });
  }
});

test('the refund moves of the table, every stored state against every reported one', () => {
  const { reported, stored } = TABLE.refund_moves;
  for (const [status, row] of Object.entries(stored)) {
    reported.forEach((refundStatus, i) => {
      const v = small.judgeRefund(
        { outRefundNo: 'R1', outTradeNo: 'A1', refundFee: 800, totalFee: '1200', refundId: '5000', transactionId: '4200', status },
        { outRefundNo: 'R1', outTradeNo: 'A1', refundFee: '800', totalFee: 1200, refundId: '5000', transactionId: '4200', refundStatus },
      );
      assert.equal(v.verdict, row[i], `${status} + ${refundStatus}`);
    });
  }
});

test('the declared MismatchCode is every code of the core\'s Mismatch', () => {
  const rs = fs.readFileSync(path.join(ROOT, 'src', 'acceptance.rs'), 'utf8');
  const fn = rs.slice(rs.indexOf('pub const fn code('), rs.indexOf('impl fmt::Display for Mismatch'));
  const core = [...fn.matchAll(/=> "([A-Z0-9_]+)"/g)].map((m) => m[1]);
  assert.ok(core.length >= 13);
  for (const name of ['index', 'notify']) {
    const dts = fs.readFileSync(path.join(ROOT, 'pkg', 'wasm', `${name === 'index' ? 'wxpay' : name}.d.ts`), 'utf8');
    const declared = [...dts.slice(dts.indexOf('export type MismatchCode')).split(';')[0].matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(declared.sort(), [...core].sort(), name);
  }
});

describe('shapes', () => {
  const ORDER = { outTradeNo: 'A1', totalFee: 1200, openid: 'o1', signType: 'MD5', status: 'NOTPAY' };
  const REPORT = { outTradeNo: 'A1', resultCode: 'SUCCESS', transactionId: '4200', totalFee: 1200, openid: 'o1', signType: 'MD5' };
  const REFUND = { outRefundNo: 'R1', outTradeNo: 'A1', refundFee: 800, totalFee: 1200, status: 'PROCESSING' };
  const REFUNDED = { outRefundNo: 'R1', outTradeNo: 'A1', refundId: '5000', refundFee: 800, refundStatus: 'SUCCESS' };

  test('the smallest objects judge; null and undefined are absent', () => {
    assert.deepEqual(small.judgePayment(ORDER, REPORT), { verdict: 'RECORD', afterClose: false, reply: 'SUCCESS' });
    assert.deepEqual(small.judgePayment({ ...ORDER, openid: null, signType: undefined }, { ...REPORT, openid: 'o2' }), { verdict: 'RECORD', afterClose: false, reply: 'SUCCESS' });
    assert.deepEqual(small.judgeRefund(REFUND, REFUNDED), { verdict: 'RECORD', status: 'SUCCESS', reply: 'SUCCESS' });
    assert.deepEqual(small.judgeRefund(null, REFUNDED), { verdict: 'RECORD_UNKNOWN', status: 'SUCCESS', reply: 'SUCCESS' });
    assert.deepEqual(small.judgeRefund(undefined, { ...REFUNDED, refundStatus: 'REFUNDCLOSE' }), { verdict: 'RECORD_UNKNOWN', status: 'CLOSED', reply: 'SUCCESS' });
  });

  test('a refusal carries its code and a log line, never the reply\'s words', () => {
    const v = small.judgePayment(ORDER, { ...REPORT, totalFee: '1' });
    assert.deepEqual(v, { verdict: 'REFUSE', code: 'TOTAL_FEE_MISMATCH', reason: 'total_fee is 1 fen, ours is 1200 fen', reply: 'FAIL' });
  });

  test('wrong shapes are refused with a code', () => {
    const cases = [
      ['INVALID_ARGUMENT', () => small.judgePayment({ ...ORDER, outTradeNO: 'typo' }, REPORT)],
      ['INVALID_ARGUMENT', () => small.judgePayment(ORDER, { ...REPORT, totalFEE: 1 })],
      ['INVALID_ARGUMENT', () => small.judgePayment([], REPORT)],
      ['INVALID_ARGUMENT', () => small.judgePayment(ORDER, 'A1')],
      ['INVALID_ARGUMENT', () => small.judgePayment(ORDER, { ...REPORT, tradeState: 'SUCCESS' })],
      ['INVALID_ARGUMENT', () => small.judgePayment({ ...ORDER, totalFee: true }, REPORT)],
      ['INVALID_ARGUMENT', () => small.judgeRefund(REFUND, { ...REFUNDED, refundId: 5000 })],
      ['MISSING_FIELD', () => small.judgePayment({ ...ORDER, status: 'PAID' }, REPORT)],
      ['MISSING_FIELD', () => small.judgePayment(ORDER, { ...REPORT, resultCode: undefined })],
      ['MISSING_FIELD', () => small.judgeRefund(REFUND, { ...REFUNDED, refundId: undefined })],
      ['INVALID_FIELD', () => small.judgePayment({ ...ORDER, status: 'SUCCESS' }, REPORT)],
      ['INVALID_FIELD', () => small.judgePayment(ORDER, { ...REPORT, resultCode: 'OK' })],
      ['INVALID_FIELD', () => small.judgeRefund({ ...REFUND, status: 'REFUNDCLOSE' }, REFUNDED)],
      ['INVALID_FIELD', () => small.judgeRefund(REFUND, { ...REFUNDED, refundStatus: 'CLOSED' })],
      ['INVALID_AMOUNT', () => small.judgePayment({ ...ORDER, totalFee: 12.5 }, REPORT)],
      ['INVALID_AMOUNT', () => small.judgeRefund(REFUND, { ...REFUNDED, refundFee: '-1' })],
      ['UNSUPPORTED_SIGN_TYPE', () => small.judgePayment({ ...ORDER, signType: 'SHA1' }, REPORT)],
    ];
    for (const [code, fn] of cases) assert.equal(codeOf(fn), code, fn.toString());
  });
});

describe('wxpay/v3: the same rule over what KeySet#openNotification and the parsers return', () => {
  const { v3, KEYS, transaction, signedNotify, signedResponse } = require('./v3-helpers');
  const keys = new v3.KeySet(KEYS);
  const t = transaction();
  const ORDER = { outTradeNo: t.out_trade_no, totalFee: t.amount.total, openid: t.payer.openid, signType: null, status: 'NOTPAY' };
  const NOTICE = {
    mchid: t.mchid, out_trade_no: t.out_trade_no, transaction_id: t.transaction_id, out_refund_no: 'R20261123000001',
    refund_id: '50000000382019052709732678859', refund_status: 'SUCCESS', success_time: '2026-11-24T10:00:00+08:00',
    user_received_account: '支付用户零钱', amount: { total: 1200, refund: 100, payer_total: 1200, payer_refund: 100 },
  };
  const STORED = { outRefundNo: NOTICE.out_refund_no, outTradeNo: t.out_trade_no, refundFee: 100, totalFee: 1200, transactionId: t.transaction_id, status: 'PROCESSING' };
  const event = (resource, eventType) => {
    const n = signedNotify(resource, { eventType });
    return keys.openNotification(n.headers, n.body).event;
  };

  test('a payment notify’s event: RECORD; another amount or payer: REFUSE; not paid: NOTHING_TO_RECORD', () => {
    assert.deepEqual(v3.judgePayment(ORDER, event(t)), { verdict: 'RECORD', afterClose: false, reply: 'SUCCESS' });
    assert.equal(v3.judgePayment({ ...ORDER, totalFee: 1 }, event(t)).code, 'TOTAL_FEE_MISMATCH');
    assert.equal(v3.judgePayment({ ...ORDER, openid: 'o2' }, event(t)).code, 'PAYER_MISMATCH');
    assert.equal(v3.judgePayment({ ...ORDER, status: 'PAID', transactionId: t.transaction_id }, event(t)).verdict, 'ALREADY_RECORDED');
    assert.equal(v3.judgePayment(ORDER, event(transaction({ trade_state: 'CLOSED', transaction_id: undefined, payer: undefined }))).verdict, 'NOTHING_TO_RECORD');
    const answer = keys.parseTransactionResponse(signedResponse(t));
    assert.equal(v3.judgePayment(ORDER, answer).verdict, 'RECORD', 'a query answer too');
  });

  test('an order stored with signType RSA (as wxpay-server stores a v3 order) judges; a v2 sign type is INVALID_FIELD, a code wxpay/v3 declares', () => {
    assert.equal(v3.judgePayment({ ...ORDER, signType: 'RSA' }, event(t)).verdict, 'RECORD');
    for (const signType of ['MD5', 'HMAC-SHA256', '\ud800']) {
      assert.throws(() => v3.judgePayment({ ...ORDER, signType }, event(t)), (e) => e.code === 'INVALID_FIELD' && /`signType`/.test(e.message), signType);
    }
  });

  test('a refund notify’s event: SUCCESS, CLOSED, and ABNORMAL judged as CHANGE; unknown refunds are RECORD_UNKNOWN', () => {
    assert.deepEqual(v3.judgeRefund(STORED, event(NOTICE, 'REFUND.SUCCESS')), { verdict: 'RECORD', status: 'SUCCESS', reply: 'SUCCESS' });
    assert.equal(v3.judgeRefund(STORED, event({ ...NOTICE, refund_status: 'CLOSED' }, 'REFUND.CLOSED')).status, 'CLOSED');
    assert.equal(v3.judgeRefund(STORED, event({ ...NOTICE, refund_status: 'ABNORMAL' }, 'REFUND.ABNORMAL')).status, 'CHANGE');
    assert.deepEqual(v3.judgeRefund(null, event(NOTICE, 'REFUND.SUCCESS')), { verdict: 'RECORD_UNKNOWN', status: 'SUCCESS', reply: 'SUCCESS' });
    assert.equal(v3.judgeRefund({ ...STORED, refundFee: 99 }, event(NOTICE, 'REFUND.SUCCESS')).code, 'REFUND_FEE_MISMATCH');
    const { refund_status: status, mchid, ...rest } = NOTICE;
    const answer = keys.parseRefundResponse(signedResponse({ ...rest, status, channel: 'ORIGINAL', create_time: '2026-11-24T09:00:00+08:00', amount: { ...NOTICE.amount, currency: 'CNY' } }));
    assert.equal(v3.judgeRefund(STORED, answer).status, 'SUCCESS', 'an answer (`status`) too');
  });

  test('errors name the fields as the caller wrote them (camelCase, amount.total), and a refund event is not a payment', () => {
    const payment = event(t);
    const refund = event(NOTICE, 'REFUND.SUCCESS');
    const cases = [
      ['INVALID_ARGUMENT', /`kind` is `refund`/, () => v3.judgePayment(ORDER, refund)],
      ['INVALID_ARGUMENT', /`kind` is `payment`/, () => v3.judgeRefund(STORED, payment)],
      ['INVALID_ARGUMENT', /unknown field `totalFee`/, () => v3.judgePayment(ORDER, { ...payment, totalFee: 1200 })],
      ['INVALID_ARGUMENT', /refundStatus.*status.*not both/, () => v3.judgeRefund(STORED, { ...refund, status: 'SUCCESS' })],
      ['MISSING_FIELD', /`amount\.total`/, () => v3.judgePayment(ORDER, { ...payment, amount: { currency: 'CNY' } })],
      ['MISSING_FIELD', /`payer\.openid`/, () => v3.judgePayment(ORDER, { ...payment, payer: {} })],
      ['MISSING_FIELD', /`tradeState`/, () => v3.judgePayment(ORDER, { ...payment, tradeState: undefined })],
      ['MISSING_FIELD', /`outRefundNo`/, () => v3.judgeRefund(STORED, { ...refund, outRefundNo: null })],
      ['INVALID_FIELD', /`refundStatus`.*REVERSED/, () => v3.judgeRefund(STORED, { ...refund, refundStatus: 'REVERSED' })],
      ['INVALID_AMOUNT', /integer fen/, () => v3.judgePayment(ORDER, { ...payment, amount: { total: 12.5 } })],
      ['INVALID_FIELD', /`status`/, () => v3.judgePayment({ ...ORDER, status: 'SUCCESS' }, payment)],
    ];
    for (const [code, message, call] of cases) {
      assert.throws(call, (e) => e.code === code && message.test(e.message), `${code} ${message}`);
    }
  });
});
