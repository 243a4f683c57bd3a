'use strict';
// The small pure pieces: amounts by integer math, error mapping, cancel detection, stock labels.
const test = require('node:test');
const assert = require('node:assert/strict');
const { formatFen } = require('../utils/money');
const { ApiError, fromResponse, fromNetwork, userMessage } = require('../utils/errors');
const { isCancel } = require('../utils/pay');
const { stockLabel, MAX_QUANTITY } = require('../utils/stock');

test('formatFen: ¥x.yy from integer fen', () => {
  assert.equal(formatFen(0), '¥0.00');
  assert.equal(formatFen(5), '¥0.05');
  assert.equal(formatFen(10), '¥0.10');
  assert.equal(formatFen(1800), '¥18.00');
  assert.equal(formatFen(3599), '¥35.99');
  assert.equal(formatFen(-250), '-¥2.50');
  // Where float division would show its rounding: 0.29 * 100, 1.005, and huge values.
  assert.equal(formatFen(29), '¥0.29');
  assert.equal(formatFen(100501), '¥1005.01');
  assert.equal(formatFen(Number.MAX_SAFE_INTEGER), '¥90071992547409.91');
  for (const bad of [1.5, NaN, '100', null, undefined, 2 ** 53]) assert.throws(() => formatFen(bad), TypeError);
});

test('server error bodies map to their stable code; anything else by status', () => {
  const e = fromResponse(502, { error: { code: 'UPSTREAM_ERROR', message: 'ORDERPAID', upstream_code: 'ORDERPAID' } });
  assert.ok(e instanceof ApiError);
  assert.deepEqual([e.code, e.statusCode, e.upstreamCode, e.message], ['UPSTREAM_ERROR', 502, 'ORDERPAID', 'ORDERPAID']);
  assert.equal(userMessage(e), '微信支付暂时无法处理，请稍后再试');
  assert.equal(fromResponse(502, '<html>Bad Gateway</html>').code, 'INTERNAL');
  assert.equal(fromResponse(413, '').code, 'INVALID_REQUEST');
  assert.equal(fromNetwork('request:fail timeout').code, 'NETWORK');
  assert.equal(userMessage(new ApiError('SOMETHING_NEW', 'x')), '出了点问题，请稍后再试');
});

test('OUT_OF_STOCK keeps what is left; 库存 labels and the stepper’s cap', () => {
  const e = fromResponse(409, { error: { code: 'OUT_OF_STOCK', message: 'only 2 left', available: 2 } });
  assert.deepEqual([e.code, e.statusCode, e.available], ['OUT_OF_STOCK', 409, 2]);
  assert.equal(userMessage(e), '库存不足，请减少数量或稍后再来');
  assert.equal(fromResponse(409, { error: { code: 'CONFLICT', message: 'x' } }).available, undefined);
  assert.equal(fromResponse(409, { error: { code: 'OUT_OF_STOCK', message: 'x', available: '2' } }).available, undefined, 'only an integer');
  assert.deepEqual(stockLabel(5), { stockText: '库存 5', soldOut: false, maxQuantity: 5 });
  assert.deepEqual(stockLabel(500), { stockText: '库存 500', soldOut: false, maxQuantity: MAX_QUANTITY });
  assert.deepEqual(stockLabel(0), { stockText: '已售罄', soldOut: true, maxQuantity: 0 });
  assert.deepEqual(stockLabel(null), { stockText: '', soldOut: false, maxQuantity: MAX_QUANTITY }, 'not tracked: no limit shown');
});

test('requestPayment cancel is told from failure', () => {
  assert.equal(isCancel('requestPayment:fail cancel'), true);
  assert.equal(isCancel('requestPayment:cancel'), true);
  assert.equal(isCancel('requestPayment:fail 系统繁忙'), false);
  assert.equal(isCancel('requestPayment:fail cancelled by risk control'), false);
  assert.equal(isCancel(undefined), false);
});
