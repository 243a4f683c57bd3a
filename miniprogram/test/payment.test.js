'use strict';
// What the pages do with each outcome of the payment sheet, checked against the server:
// cancel and failure leave the order NOTPAY (and say so), a client "success" is not believed
// until the server says PAID, a tampered paySign is refused by the simulator, and an unpaid
// order can be paid later from its detail page.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpJson } = require('./support/server');
const { createWx, payThroughSimulator } = require('./support/wx');
const mp = require('./support/miniprogram');

let srv;
test.before(async () => {
  srv = await startServer();
});
test.after(() => srv && srv.stop());

function setup({ sandbox, ...wxOptions }) {
  Object.assign(mp.config, { baseUrl: srv.base, sandbox, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100, payConfirmTimeoutMs: 15000 });
  const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca, ...wxOptions });
  mp.useWx(shim.wx);
  return shim;
}

/** Confirm page for product 1, pay pressed; returns the page and the server's order. */
async function orderAndPay(shim) {
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  await page.onPay();
  const created = shim.calls.request.find((r) => r.method === 'POST' && r.url === srv.base + '/api/orders');
  assert.ok(created && created.statusCode >= 200 && created.statusCode < 300, 'order created');
  return { page, order: created.response, token: shim.storage.get('wxpay.session').token };
}

async function serverStatus(no, token) {
  const r = await httpJson('GET', `${srv.base}/api/orders/${no}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.body.status;
}

async function simulatorState(no) {
  return (await httpJson('GET', `${srv.sandboxUrl}/sandbox/orders/${no}`, { ca: srv.ca })).body.trade_state;
}

test('wx.requestPayment gets exactly the server’s payment; cancel → 已取消, order stays NOTPAY; later paid from the detail page', async () => {
  let answer = 'cancel';
  const shim = setup({
    sandbox: false,
    requestPayment: (opts, wx) => {
      if (answer === 'cancel') setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' });
      else payThroughSimulator(srv.sandboxUrl)(opts, wx);
    },
  });
  const { page, order, token } = await orderAndPay(shim);

  const { success, fail, complete, ...params } = shim.calls.requestPayment[0];
  assert.deepEqual(params, order.payment);
  assert.equal(typeof success, 'function');
  assert.equal(typeof fail, 'function');
  assert.equal(page.data.payState, 'cancelled');
  assert.match(page.data.message, /^已取消支付/);
  assert.equal(page.data.paying, false);
  assert.deepEqual(shim.calls.redirectTo, []);
  assert.equal(await serverStatus(order.out_trade_no, token), 'NOTPAY');
  assert.equal(await simulatorState(order.out_trade_no), 'NOTPAY');

  // 继续支付 on the detail page: fresh parameters for the same order, paid this time.
  const detail = mp.loadPage('pages/order/order');
  await detail.onLoad({ out_trade_no: order.out_trade_no });
  assert.equal(detail.data.order.statusText, '待支付');
  assert.equal(detail.data.canPay, true);
  assert.equal(detail.data.canRefund, false);
  answer = 'pay';
  await detail.onPay();
  assert.equal(detail.data.payState, 'paid', detail.data.message);
  const again = shim.calls.request.find((r) => r.url === `${srv.base}/api/orders/${order.out_trade_no}/pay`);
  const { success: s2, fail: f2, complete: c2, ...params2 } = shim.calls.requestPayment[1];
  assert.deepEqual(params2, again.response.payment);
  assert.equal(detail.data.order.statusText, '已支付');
  assert.equal(detail.data.canPay, false);
  assert.equal(await serverStatus(order.out_trade_no, token), 'PAID');
});

test('requestPayment:fail → 支付失败, order stays NOTPAY', async () => {
  const shim = setup({
    sandbox: false,
    requestPayment: (opts) => setImmediate(opts.fail, { errMsg: 'requestPayment:fail 系统繁忙，请稍后再试' }),
  });
  const { page, order, token } = await orderAndPay(shim);
  assert.equal(page.data.payState, 'failed');
  assert.equal(page.data.message, '支付失败，请稍后重试');
  assert.deepEqual(shim.calls.redirectTo, []);
  assert.equal(await serverStatus(order.out_trade_no, token), 'NOTPAY');
});

test('a client-side success is not trusted: without the server saying PAID the page says 确认中', async () => {
  // A payment sheet that claims success without paying.
  const shim = setup({ sandbox: false, requestPayment: (opts) => setImmediate(opts.success, { errMsg: 'requestPayment:ok' }) });
  mp.config.payConfirmTimeoutMs = 1500;
  const { page, order, token } = await orderAndPay(shim);
  assert.equal(page.data.payState, 'pending');
  assert.match(page.data.message, /支付结果确认中/);
  assert.equal(await serverStatus(order.out_trade_no, token), 'NOTPAY');
  // More than one look at the server before giving up.
  const polls = shim.calls.request.filter((r) => r.method === 'GET' && r.url === `${srv.base}/api/orders/${order.out_trade_no}`);
  assert.ok(polls.length >= 2, `polled ${polls.length} times`);
});

test('sandbox: the user cancels on the simulated sheet → 已取消; the simulator checked the sign and the order stays NOTPAY', async () => {
  const shim = setup({ sandbox: true, showModal: () => ({ confirm: false }) });
  const { page, order, token } = await orderAndPay(shim);
  const sent = shim.calls.request.find((r) => r.url === srv.sandboxUrl + '/sandbox/requestPayment');
  assert.deepEqual(sent.data, { ...order.payment, cancel: true });
  assert.equal(sent.statusCode, 200);
  assert.equal(sent.response.errMsg, 'requestPayment:fail cancel');
  assert.equal(page.data.payState, 'cancelled');
  assert.equal(await serverStatus(order.out_trade_no, token), 'NOTPAY');
  assert.equal(await simulatorState(order.out_trade_no), 'NOTPAY');
});

test('sandbox: a tampered paySign is refused by the simulator → 支付失败, order NOT paid', async () => {
  const shim = setup({
    sandbox: true,
    beforeRequest: (opts) =>
      opts.url.endsWith('/sandbox/requestPayment') ? { ...opts, data: { ...opts.data, paySign: opts.data.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } } : opts,
  });
  const { page, order, token } = await orderAndPay(shim);
  const sent = shim.calls.request.find((r) => r.url === srv.sandboxUrl + '/sandbox/requestPayment');
  assert.equal(sent.statusCode, 400);
  assert.match(sent.response.errMsg, /签名/);
  assert.equal(page.data.payState, 'failed');
  assert.equal(await serverStatus(order.out_trade_no, token), 'NOTPAY');
  assert.equal(await simulatorState(order.out_trade_no), 'NOTPAY');
});

test('sandbox: a lost notify still ends PAID (the server asks WeChat while the page polls)', async () => {
  const faults = (f) => httpJson('POST', srv.sandboxUrl + '/sandbox/faults', { body: f, ca: srv.ca });
  assert.equal((await faults({ drop_notifies: true })).status, 200);
  try {
    const shim = setup({ sandbox: true });
    const { page, order, token } = await orderAndPay(shim);
    assert.equal(page.data.payState, 'paid', page.data.message);
    assert.equal(await serverStatus(order.out_trade_no, token), 'PAID');
    const deliveries = (await httpJson('GET', `${srv.sandboxUrl}/sandbox/notifies/${order.out_trade_no}`, { ca: srv.ca })).body;
    assert.deepEqual(deliveries, [], 'no notify was delivered');
  } finally {
    await faults({ drop_notifies: false });
  }
});

test('an unknown product: the confirm page says so and orders nothing', async () => {
  const shim = setup({ sandbox: true });
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '999999' });
  assert.equal(page.data.errorText, '商品不存在或已下架');
  await page.onPay();
  assert.equal(shim.calls.request.filter((r) => r.url === srv.base + '/api/orders').length, 0);
});
