'use strict';
// The Node host example (examples/notify-server.js) over real HTTP on 127.0.0.1.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { createNotifyServer } = require('../examples/notify-server');
const { wxpay, KEY, MERCHANT, OTHER_KEY, signedNotify } = require('./helpers');

const orders = new Map([['20261123000001', 1200]]);
const paid = [];
const logged = [];
/** What `onPaid` does before it resolves; by default it stores at once. */
let store = async () => {};
let server;
let url;

before(async () => {
  server = createNotifyServer({
    merchant: MERCHANT,
    orderTotal: async (no) => orders.get(no),
    onPaid: async (n) => {
      await store(n);
      paid.push(n);
    },
    log: (m) => logged.push(m),
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/wxpay/notify`;
});

after(() => new Promise((resolve) => server.close(resolve)));

/** Every FAIL reply: one fixed word, whatever the reason (the reason is logged). */
const FAIL = Object.freeze({ return_code: 'FAIL', return_msg: 'FAIL' });

async function post(body) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  assert.equal(res.status, 200);
  return wxpay.parseXml(await res.text());
}

test('answers SUCCESS to a signed notify and records the payment', async () => {
  paid.length = 0;
  assert.deepEqual(await post(signedNotify()), { return_code: 'SUCCESS', return_msg: 'OK' });
  assert.deepEqual(paid.map((n) => [n.outTradeNo, n.totalFee]), [['20261123000001', 1200]]);
});

test('answers FAIL to a tampered notify and records nothing', async () => {
  paid.length = 0;
  const tampered = signedNotify().replace('oUpF8uMEb4qRXf22hE3X68TekukE', 'oUpF8uMEb4qRXf22hE3X68Tekuk0');
  assert.deepEqual(await post(tampered), FAIL);
  assert.deepEqual(await post(signedNotify({}, { key: OTHER_KEY })), FAIL);
  assert.equal(paid.length, 0);
  assert.ok(logged.some((m) => m.includes('SIGNATURE_MISMATCH')));
  assert.ok(logged.every((m) => !m.includes(KEY)), 'the key is never logged');
});

test('answers FAIL when the amount is not the order\'s, or the order is unknown', async () => {
  paid.length = 0;
  assert.deepEqual(await post(signedNotify({ total_fee: '1', cash_fee: '1' })), FAIL);
  assert.deepEqual(await post(signedNotify({ out_trade_no: 'NOPE' })), FAIL);
  assert.equal(paid.length, 0);
  assert.ok(logged.some((m) => m.includes('TOTAL_FEE_MISMATCH')) && logged.some((m) => m.includes('ORDER_NOT_FOUND')), 'the reasons go to the log');
});

test('refuses methods other than POST', async () => {
  const res = await fetch(url);
  assert.equal(res.status, 405);
  await res.arrayBuffer();
});

test('answers FAIL to an XXE attempt', async () => {
  const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><return_code>&x;</return_code></xml>';
  assert.deepEqual(await post(xxe), FAIL);
  assert.ok(logged.some((m) => m.includes('DOCTYPE_FORBIDDEN')));
});

test('stores first, answers second: no reply until onPaid has resolved', async () => {
  paid.length = 0;
  let release;
  const held = new Promise((r) => (release = r));
  let entered;
  const reached = new Promise((r) => (entered = r));
  store = () => {
    entered();
    return held;
  };
  let answered = false;
  const pending = post(signedNotify()).then((r) => ((answered = true), r));
  try {
    await reached;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(answered, false, 'answered before the payment was stored');
    release();
    assert.deepEqual(await pending, { return_code: 'SUCCESS', return_msg: 'OK' });
    assert.equal(paid.length, 1);
  } finally {
    store = async () => {};
  }
});

test('a store that fails answers FAIL, so WeChat sends the notify again', async () => {
  paid.length = 0;
  store = async () => {
    throw new Error('database timeout');
  };
  try {
    assert.deepEqual(await post(signedNotify()), FAIL);
    assert.equal(paid.length, 0);
  } finally {
    store = async () => {};
  }
});
