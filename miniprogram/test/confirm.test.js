'use strict';
// The confirm page's rough edges, against the running server: pressing back during the payment
// check stops it (no more polling, no redirect afterwards; the order page's 继续支付 too), the
// check shows itself while it runs, and after a cancel a new quantity clears the old total and
// makes a new order under a new Idempotency-Key; the cancel message gives the order's real
// deadline from the server.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpJson, until } = require('./support/server');
const { createWx, payThroughSimulator } = require('./support/wx');
const mp = require('./support/miniprogram');
const { formatTime } = require('../utils/time');

let srv;
test.before(async () => {
  srv = await startServer();
});
test.after(() => srv && srv.stop());

function setup(wxOptions) {
  Object.assign(mp.config, { baseUrl: srv.base, sandbox: false, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100, payConfirmTimeoutMs: 5000 });
  const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca, ...wxOptions });
  mp.useWx(shim.wx);
  return shim;
}

const polls = (shim, no) => shim.calls.request.filter((r) => r.method === 'GET' && r.url === `${srv.base}/api/orders/${no}`);
const created = (shim) => shim.calls.request.filter((r) => r.method === 'POST' && r.url === srv.base + '/api/orders');

test('back during the payment check: polling stops and nothing redirects afterwards', async () => {
  // A sheet that says ok without paying: the server never says PAID, so the page would poll
  // until the deadline and then redirect to the order page (「确认中」).
  const shim = setup({ requestPayment: (opts) => setImmediate(opts.success, { errMsg: 'requestPayment:ok' }) });
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  const paying = page.onPay();
  await until('the page polls the order', 10000, async () => {
    const order = created(shim)[0]?.response;
    return order && polls(shim, order.out_trade_no).length > 0;
  });
  const no = created(shim)[0].response.out_trade_no;
  assert.equal(page.data.checking, true, 'the check is shown while it runs');
  page.onUnload();
  const sentBeforeLeaving = polls(shim, no).length;
  await paying;
  assert.deepEqual(shim.calls.redirectTo, []);
  // A request already on its way when the page was left is counted above; none is sent after.
  assert.equal(polls(shim, no).length, sentBeforeLeaving, 'no poll after leaving');
  await new Promise((r) => setTimeout(r, 5 * mp.config.pollIntervalMs));
  assert.equal(polls(shim, no).length, sentBeforeLeaving, 'no poll after leaving');
  assert.deepEqual(shim.calls.redirectTo, []);
});

/** The confirm page paying, its payment sheet up and held; close() answers the sheet with `errMsg`. */
async function sheetHeldOpen(errMsg) {
  let close;
  const shim = setup({ requestPayment: (opts) => (close = () => (errMsg === 'requestPayment:ok' ? opts.success : opts.fail)({ errMsg })) });
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  const paying = page.onPay();
  await until('the sheet is up', 10000, async () => close);
  return { shim, page, paying, close };
}

test('back while the payment sheet is up: once it closes, no check and no redirect', async () => {
  const { shim, page, paying, close } = await sheetHeldOpen('requestPayment:ok');
  page.onUnload();
  close();
  await paying;
  const no = created(shim)[0].response.out_trade_no;
  assert.deepEqual(polls(shim, no), []);
  assert.deepEqual(shim.calls.redirectTo, []);
});

test('a check that ends on its own still redirects: paid → the order page', async () => {
  // This time the simulator really pays (as the WeChat client would).
  const shim = setup({ requestPayment: (opts, wx) => payThroughSimulator(srv.sandboxUrl)(opts, wx) });
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  await page.onPay();
  const no = created(shim)[0].response.out_trade_no;
  assert.equal(page.data.payState, 'paid', page.data.message);
  assert.equal(page.data.checking, false);
  assert.deepEqual(shim.calls.redirectTo, [`/pages/order/order?out_trade_no=${no}`]);
});

test('after a cancel, a new quantity clears the old total and the next pay is a new order (new key)', async () => {
  const shim = setup({ requestPayment: (opts) => setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' }) });
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  const product = (await httpJson('GET', srv.base + '/api/products')).body.find((p) => p.id === 1);

  await page.onPay();
  const [first] = created(shim);
  assert.equal(page.data.payState, 'cancelled');
  assert.equal(page.data.order.outTradeNo, first.response.out_trade_no);
  // The real deadline, from the server's order JSON.
  assert.ok(Number.isSafeInteger(first.response.expires_at));
  assert.equal(page.data.message, `已取消支付。订单保留至 ${formatTime(first.response.expires_at)}，在此之前可在「我的订单」中继续支付`);

  // Pay again without touching the quantity: the same checkout, the same order.
  await page.onPay();
  assert.equal(created(shim)[1].header['Idempotency-Key'], first.header['Idempotency-Key']);
  assert.equal(created(shim)[1].response.out_trade_no, first.response.out_trade_no);

  page.onPlus();
  assert.equal(page.data.quantity, 2);
  assert.equal(page.data.order, null, 'the old total is gone');
  assert.equal(page.data.message, '');
  assert.equal(page.data.payState, '');

  await page.onPay();
  const third = created(shim)[2];
  assert.deepEqual(third.data, { product_id: 1, quantity: 2 });
  assert.notEqual(third.header['Idempotency-Key'], first.header['Idempotency-Key']);
  assert.notEqual(third.response.out_trade_no, first.response.out_trade_no);
  assert.equal(third.response.total_fee, product.price_fen * 2);
  assert.equal(page.data.order.outTradeNo, third.response.out_trade_no);
  assert.equal(page.data.order.totalText, `¥${Math.trunc((product.price_fen * 2) / 100)}.${String((product.price_fen * 2) % 100).padStart(2, '0')}`);

  // Back to one: cleared again; the total shown is never the other quantity's.
  page.onMinus();
  assert.equal(page.data.order, null);
});

test('the quantity cannot change while paying', async () => {
  const { shim, page, paying, close } = await sheetHeldOpen('requestPayment:fail cancel');
  page.onPlus();
  assert.equal(page.data.quantity, 1);
  assert.ok(page.data.order, 'the order being paid stays on screen');
  close();
  await paying;
  assert.equal(created(shim).length, 1);
});

test('the order page’s 继续支付: leaving during the check stops the polling too', async () => {
  let sheets = 0;
  const shim = setup({
    requestPayment: (opts) => (sheets++ === 0 ? setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' }) : setImmediate(opts.success, { errMsg: 'requestPayment:ok' })),
  });
  const confirm = mp.loadPage('pages/confirm/confirm');
  await confirm.onLoad({ product_id: '1' });
  await confirm.onPay();
  const no = created(shim)[0].response.out_trade_no;

  const detail = mp.loadPage('pages/order/order');
  await detail.onLoad({ out_trade_no: no });
  const before = polls(shim, no).length;
  const paying = detail.onPay();
  await until('the order page polls', 10000, async () => detail.data.checking && polls(shim, no).length > before);
  detail.onUnload();
  const sentBeforeLeaving = polls(shim, no).length;
  await paying;
  await new Promise((r) => setTimeout(r, 5 * mp.config.pollIntervalMs));
  assert.equal(polls(shim, no).length, sentBeforeLeaving, 'no poll after leaving');
});
