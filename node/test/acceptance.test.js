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
