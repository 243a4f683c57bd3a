'use strict';
// utils/labels.js against the refund state machine as server/README.md writes it down: a label
// for every state there is and no other, the amount-holding states as the README's table says,
// and the order's one label (list and detail page) for each mix of refunds the server can hold.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./support/miniprogram');
const labels = require('../utils/labels');

const README = fs.readFileSync(path.join(ROOT, '..', 'server', 'README.md'), 'utf8');

/** The states of the `refund-edges` table, and the rows of the state table after it. */
function stateMachine() {
  const edges = README.slice(README.indexOf('<!-- refund-edges -->'), README.indexOf('<!-- /refund-edges -->'));
  const inEdges = new Set([...edges.matchAll(/^\| `([A-Z]+)` \| `([A-Z]+)` \|/gm)].flatMap((m) => [m[1], m[2]]));
  const after = README.slice(README.indexOf('<!-- /refund-edges -->'));
  const rows = [...after.matchAll(/^\| `([A-Z]+)`[^|]*\| (yes|no)\b[^|]*\| (yes|no) \|/gm)].map((m) => ({ state: m[1], holds: m[2] === 'yes', final: m[3] === 'yes' }));
  return { inEdges, rows };
}

test('every refund state of server/README.md has a label, and no other state does', () => {
  const { inEdges, rows } = stateMachine();
  assert.ok(inEdges.size >= 7, `read ${inEdges.size} states from the edges table`);
  assert.deepEqual(rows.map((r) => r.state).sort(), [...inEdges].sort(), 'the state table lists the states of the edges');
  assert.deepEqual(Object.keys(labels.REFUND_STATUS).sort(), [...inEdges].sort());
});

test('the amount-holding and in-flight refund states are the README’s', () => {
  const { rows } = stateMachine();
  assert.deepEqual([...labels.REFUND_HOLDS_AMOUNT].sort(), rows.filter((r) => r.holds).map((r) => r.state).sort());
  // In flight: not final and moved on by the system itself. CHANGE is not final but waits for a
  // person on the merchant platform.
  assert.deepEqual([...labels.REFUND_IN_FLIGHT].sort(), rows.filter((r) => !r.final && r.state !== 'CHANGE').map((r) => r.state).sort());
});

test('refund labels as the payer reads them', () => {
  const text = (status, extra = {}) => labels.refundLabel({ status, ...extra });
  assert.deepEqual(text('REQUESTED'), { statusText: '退款审核中', hint: '等待商家审核' });
  assert.equal(text('APPROVED').statusText, '退款中');
  assert.equal(text('PROCESSING').statusText, '退款中');
  assert.equal(text('SUCCESS').statusText, '已退款');
  assert.equal(text('CHANGE').statusText, '退款异常（商家处理中）');
  assert.match(text('CHANGE').hint, /无需重复申请/);
  assert.equal(text('CLOSED').statusText, '退款已关闭');
  assert.deepEqual(text('REJECTED'), { statusText: '已拒绝', hint: '' });
  assert.deepEqual(text('REJECTED', { reject_reason: ' 商品已使用 ' }), { statusText: '已拒绝', hint: '商家说明：商品已使用' });
  // An unknown future state is shown as the server names it, not hidden.
  assert.equal(text('SOMETHING_NEW').statusText, 'SOMETHING_NEW');
});

// Shaped as the server's JSON (GET /api/orders/{no} with its refunds), fields the label reads.
// refunded_fee and refund_summary as server/README.md defines them, from the SUCCESS refunds.
const TOTAL = 3600;
const order = (status, refunds = []) => {
  const refunded_fee = refunds.filter((r) => r.status === 'SUCCESS').reduce((sum, r) => sum + r.refund_fee, 0);
  const refund_summary = refunded_fee === 0 ? 'NONE' : refunded_fee >= TOTAL ? 'FULLY_REFUNDED' : 'PARTLY_REFUNDED';
  return { status, total_fee: TOTAL, refunded_fee, refund_summary, refunds };
};
const refund = (status, refund_fee, requested_at) => ({ status, refund_fee, requested_at });

test('an order’s one label: its own state until it is paid', () => {
  assert.deepEqual(labels.orderLabel(order('NOTPAY'), []), { text: '待支付', tone: 'NOTPAY', refundedFee: 0 });
  assert.equal(labels.orderLabel(order('CLOSED'), null).text, '已关闭');
  assert.equal(labels.orderLabel(order('PAID'), []).text, '已支付');
  // Refunds unknown (their lookup failed): the order's own state.
  assert.equal(labels.orderLabel(order('PAID'), null).text, '已支付');
});

test('a paid order’s label follows its refunds: exception, in flight, refunded, rejected', () => {
  const label = (refunds) => {
    const o = order('PAID', refunds);
    return labels.orderLabel(o, o.refunds);
  };
  assert.equal(label([refund('REQUESTED', 3600, 1)]).text, '退款审核中');
  assert.equal(label([refund('APPROVED', 3600, 1)]).text, '退款中');
  assert.equal(label([refund('PROCESSING', 3600, 1)]).text, '退款中');
  assert.deepEqual(label([refund('SUCCESS', 3600, 1)]), { text: '已退款', tone: 'REFUNDED', refundedFee: 3600 });
  assert.deepEqual(label([refund('SUCCESS', 1000, 1)]), { text: '部分退款', tone: 'PARTLY_REFUNDED', refundedFee: 1000 });
  assert.deepEqual(label([refund('SUCCESS', 1000, 1), refund('SUCCESS', 2600, 2)]), { text: '已退款', tone: 'REFUNDED', refundedFee: 3600 });
  assert.equal(label([refund('CHANGE', 3600, 1)]).text, '退款异常（商家处理中）');
  assert.equal(label([refund('REJECTED', 3600, 1)]).text, '退款已拒绝');
  // What is under way outranks what is done; an exception outranks everything.
  assert.equal(label([refund('SUCCESS', 1000, 1), refund('REQUESTED', 2600, 2)]).text, '退款审核中');
  assert.equal(label([refund('SUCCESS', 1000, 1), refund('PROCESSING', 1000, 2), refund('CHANGE', 1000, 3)]).text, '退款异常（商家处理中）');
  // A rejection, then a refund that came through: refunded. A refund WeChat closed: paid again.
  assert.equal(label([refund('REJECTED', 3600, 1), refund('SUCCESS', 3600, 2)]).text, '已退款');
  assert.equal(label([refund('SUCCESS', 1000, 1), refund('REJECTED', 2600, 2)]).text, '部分退款');
  assert.equal(label([refund('CLOSED', 3600, 1)]).text, '已支付');
  // Only the latest rejection counts: asked again and closed by WeChat since.
  assert.equal(label([refund('REJECTED', 3600, 1), refund('CLOSED', 3600, 2)]).text, '已支付');
});

test('how much came back is the server’s word: refunded_fee and refund_summary, never summed here', () => {
  // The summary decides 已退款 / 部分退款, and the amount shown is refunded_fee as sent.
  const o = { status: 'PAID', total_fee: TOTAL, refunded_fee: 1000, refund_summary: 'PARTLY_REFUNDED', refunds: [refund('SUCCESS', 3600, 1)] };
  assert.deepEqual(labels.orderLabel(o, o.refunds), { text: '部分退款', tone: 'PARTLY_REFUNDED', refundedFee: 1000 });
  const full = { ...o, refunded_fee: TOTAL, refund_summary: 'FULLY_REFUNDED' };
  assert.deepEqual(labels.orderLabel(full, full.refunds), { text: '已退款', tone: 'REFUNDED', refundedFee: TOTAL });
});
