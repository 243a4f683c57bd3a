'use strict';
// The pages' WXML rendered by WeChat's miniprogram-simulate (templates compiled by WeChat's wcc)
// on the data the page code makes from the running server's answers: the text a payer reads is
// asserted — ¥ amounts, 库存 and 已售罄, refund labels, empty and error states — and taps go through
// the rendered bindtap. Every refund label is reached by driving the refund there for real
// (approval, the simulator holding it, the merchant's rejection with a reason, WeChat's CHANGE
// notify); no products at all, and a recorded CHANGE order, come from recorded server JSON
// (test/data/), served over HTTP.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, sandboxCredentials, merchantOf, httpJson, httpText, until, freePort } = require('./support/server');
const { startFixtureServer } = require('./support/fixture-server');
const { createWx } = require('./support/wx');
const mp = require('./support/miniprogram');
const { renderPage, textOf } = require('./support/render');
const api = require('../utils/api');
const { formatTime } = require('../utils/time');
const { refundNotify, replyOf } = require('./support/notifies');

// Independent of utils/money.js: ¥ + yuan + two-digit fen.
const yuan = (fen) => `¥${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
/** `fragment` is in the rendered `text`. */
function has(text, fragment) {
  assert.ok(text.includes(fragment), `"${fragment}" is not in: ${text}`);
}
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, 'data', name), 'utf8'));

// Known merchant credentials (the sandbox takes them), so the test can sign WeChat's refund
// notify itself where the simulator has no knob (its CHANGE notify).
const creds = sandboxCredentials();

let srv;
test.before(async () => {
  srv = await startServer({ env: creds });
});
test.after(() => srv && srv.stop());

const cancelSheet = (opts) => setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' });

/** A fresh user (the simulator's wx.login makes a new one); the payment sheet is cancelled unless said. */
function newUser({ baseUrl = srv.base, requestPayment = cancelSheet } = {}) {
  Object.assign(mp.config, { baseUrl, sandbox: false, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100, payConfirmTimeoutMs: 15000 });
  const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca, requestPayment });
  mp.useWx(shim.wx);
  return { shim, token: () => shim.storage.get('wxpay.session').token };
}

const sim = (method, p, body) => httpJson(method, srv.sandboxUrl + p, { body, ca: srv.ca });
const admin = (action, no, body) => httpJson('POST', `${srv.base}/admin/api/refunds/${no}/${action}`, { token: srv.adminToken, body });
const setStock = (id, stock) => httpJson('POST', `${srv.base}/admin/api/products/${id}/stock`, { token: srv.adminToken, body: { set: stock } });
const productOf = async (id) => (await httpJson('GET', srv.base + '/api/products')).body.find((p) => p.id === id);

/** Runs `fn(product)` with product 3's stock set to `stock` (the other tests use 1 and 2), then puts it back. */
async function withStockOf3(stock, fn) {
  const before = await productOf(3);
  assert.equal((await setStock(3, stock)).status, 200);
  try {
    await fn(before);
  } finally {
    await setStock(3, before.stock);
  }
}

/** A token of another payer (the simulator's wx.login, then the server's login). */
async function otherPayer() {
  const { code } = (await sim('POST', '/sandbox/login', {})).body;
  return (await httpJson('POST', srv.base + '/api/login', { body: { code } })).body.token;
}

/** A paid order of the current user (made and paid as the page and the WeChat client would). */
async function paidOrder(quantity = 2) {
  const order = await api.createOrder(1, quantity);
  assert.equal((await sim('POST', '/sandbox/requestPayment', order.payment)).status, 200);
  await until('PAID', 20000, async () => (await api.getOrder(order.out_trade_no)).status === 'PAID');
  return order;
}

/** Drives a new refund of order `no` to `wanted` (REQUESTED, REJECTED with `rejectReason`, or by approval). */
async function refundTo(no, wanted, { token, refund_fee, rejectReason } = {}) {
  const body = { reason: '不想要了', ...(refund_fee ? { refund_fee } : {}) };
  const r = await httpJson('POST', `${srv.base}/api/orders/${no}/refunds`, { body, token });
  assert.equal(r.status, 201, r.text);
  if (wanted !== 'REQUESTED') {
    const [action, reason] = wanted === 'REJECTED' ? ['reject', rejectReason && { reason: rejectReason }] : ['approve', undefined];
    const decided = await admin(action, r.body.out_refund_no, reason);
    assert.equal(decided.status, 200, decided.text);
    await until(`refund ${wanted}`, 30000, async () => {
      const order = (await httpJson('GET', `${srv.base}/api/orders/${no}`, { token })).body;
      return order.refunds.find((x) => x.out_refund_no === r.body.out_refund_no).status === wanted;
    });
  }
  return r.body;
}

/** The rendered order page and the rendered card of the order in my orders. */
async function renderOrder(no) {
  const detail = renderPage('pages/order/order');
  await detail.page.onLoad({ out_trade_no: no });
  const list = renderPage('pages/orders/orders');
  await list.page.onShow();
  const card = list.all('.order').find((c) => c.dom.getAttribute('data-no') === no);
  assert.ok(card, `${no} is in my orders`);
  return { detail, card: textOf(card.dom), list };
}

test('index: the server’s products with their ¥ prices; tapping one opens its confirm page', async () => {
  const { shim } = newUser();
  const products = (await httpJson('GET', srv.base + '/api/products')).body;
  assert.ok(products.length > 0);
  const r = renderPage('pages/index/index');
  assert.match(r.text(), /加载中…/);
  await r.page.onLoad();
  const cards = r.all('.product');
  assert.equal(cards.length, products.length);
  products.forEach((p, i) => assert.equal(textOf(cards[i].dom), `${p.name} ${yuan(p.price_fen)} 点击购买 库存 ${p.stock}`));
  assert.doesNotMatch(r.text(), /加载中|暂无商品|加载失败/);
  cards[1].dispatchEvent('tap');
  await until('navigateTo', 5000, async () => shim.calls.navigateTo.length > 0);
  assert.deepEqual(shim.calls.navigateTo, [`/pages/confirm/confirm?product_id=${products[1].id}`]);
});

test('index: a sold-out product reads 已售罄 and does not open; an order takes from 库存, shown on the next visit', async () => {
  const { shim } = newUser();
  await withStockOf3(0, async (before) => {
    const r = renderPage('pages/index/index');
    await r.page.onLoad();
    const card = () => r.all('.product').find((c) => c.dom.getAttribute('data-id') === '3');
    assert.equal(textOf(card().dom), `${before.name} ${yuan(before.price_fen)} 已售罄`);
    assert.match(card().dom.getAttribute('class'), /sold-out/);
    card().dispatchEvent('tap');
    await until('toast', 5000, async () => shim.calls.showToast.length > 0);
    assert.equal(shim.calls.showToast.at(-1).title, '已售罄');
    assert.deepEqual(shim.calls.navigateTo, [], 'a sold-out product does not open');

    // Restocked, and another payer's unpaid order holds 2: the page shows what is left when shown again.
    assert.equal((await setStock(3, 5)).status, 200);
    const held = await httpJson('POST', srv.base + '/api/orders', { body: { product_id: 3, quantity: 2 }, token: await otherPayer() });
    assert.equal(held.status, 201, held.text);
    await r.page.onShow();
    assert.equal(textOf(card().dom), `${before.name} ${yuan(before.price_fen)} 点击购买 库存 3`);
  });
});

test('index: a failed load says so, and 重试 loads the products', async () => {
  newUser({ baseUrl: `http://127.0.0.1:${await freePort()}` });
  mp.config.networkRetries = 0;
  try {
    const r = renderPage('pages/index/index');
    await r.page.onLoad();
    assert.equal(r.text(), '商品加载失败：网络不给力，请检查网络后重试 重试 我的订单');
    assert.equal(r.all('.product').length, 0);
    mp.config.baseUrl = srv.base;
    r.one('.retry').dispatchEvent('tap');
    await until('products after 重试', 10000, async () => r.all('.product').length > 0);
    assert.doesNotMatch(r.text(), /加载失败/);
  } finally {
    mp.config.networkRetries = 2;
  }
});

test('index: no products → 暂无商品 (recorded empty list)', async () => {
  const fx = await startFixtureServer({ 'GET /api/products': [] });
  try {
    newUser({ baseUrl: fx.url });
    const r = renderPage('pages/index/index');
    await r.page.onLoad();
    assert.equal(r.text(), '暂无商品，稍后再来看看 刷新 我的订单');
    assert.deepEqual(fx.seen, ['GET /api/products']);
  } finally {
    await fx.close();
  }
});

test('confirm: total, cancel message with the server’s deadline, and a new quantity clears the total', async () => {
  const { shim } = newUser();
  const product = (await httpJson('GET', srv.base + '/api/products')).body[0];
  const r = renderPage('pages/confirm/confirm');
  await r.page.onLoad({ product_id: String(product.id) });
  const head = `${product.name} ${yuan(product.price_fen)} 库存 ${product.stock}`;
  assert.equal(r.text(), `${head} 数量 － 1 ＋ 实付金额以下单后服务端计算为准 提交订单并支付`);
  assert.equal(r.one('.minus').data.disabled, true, 'cannot go below 1');
  assert.equal(r.one('.plus').data.disabled, false);

  r.one('.plus').dispatchEvent('tap');
  await until('quantity 2', 5000, async () => r.page.data.quantity === 2);
  await r.page.onPay();
  const order = shim.calls.request.find((x) => x.method === 'POST' && x.url === srv.base + '/api/orders').response;
  assert.equal(order.total_fee, product.price_fen * 2);
  assert.equal(
    r.text(),
    `${head} 数量 － 2 ＋ 实付金额 ${yuan(order.total_fee)} ` +
      `已取消支付。订单保留至 ${formatTime(order.expires_at)}，在此之前可在「我的订单」中继续支付 重新支付`,
  );
  assert.equal(r.one('.message').dom.getAttribute('class'), 'main--message main--cancelled');

  r.one('.plus').dispatchEvent('tap');
  await until('quantity 3', 5000, async () => r.page.data.quantity === 3);
  assert.equal(r.text(), `${head} 数量 － 3 ＋ 实付金额以下单后服务端计算为准 提交订单并支付`);
});

test('confirm: 库存 caps ＋; too many at the server → 库存不足 with what is left, nothing ordered, the same checkout goes on', async () => {
  const { shim } = newUser();
  await withStockOf3(2, async (before) => {
    const r = renderPage('pages/confirm/confirm');
    await r.page.onLoad({ product_id: '3' });
    assert.match(r.text(), / 库存 2 数量 － 1 ＋ /);
    r.one('.plus').dispatchEvent('tap');
    await until('quantity 2', 5000, async () => r.page.data.quantity === 2);
    assert.equal(r.one('.plus').data.disabled, true, 'no more than is left');
    r.page.onPlus();
    assert.equal(r.page.data.quantity, 2);

    // Meanwhile another payer takes one: the server refuses 2 before anything goes to WeChat.
    assert.equal((await httpJson('POST', srv.base + '/api/orders', { body: { product_id: 3, quantity: 1 }, token: await otherPayer() })).status, 201);
    await r.page.onPay();
    const [refused] = shim.calls.request.filter((x) => x.method === 'POST' && x.url === srv.base + '/api/orders');
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.response.error, { code: 'OUT_OF_STOCK', message: 'only 1 left', available: 1 });
    assert.equal(r.text(), `${before.name} ${yuan(before.price_fen)} 库存 1 数量 － 1 ＋ 实付金额以下单后服务端计算为准 库存不足：仅剩 1 件，已为你调整数量 重新支付`);
    assert.equal(r.one('.plus').data.disabled, true);
    assert.deepEqual((await api.listOrders()), [], 'nothing was ordered');
    assert.deepEqual(shim.calls.requestPayment, []);

    // Paying again: the same checkout (nothing was stored under its key), now for the 1 left.
    await r.page.onPay();
    const [, second] = shim.calls.request.filter((x) => x.method === 'POST' && x.url === srv.base + '/api/orders');
    assert.equal(second.statusCode, 201);
    assert.equal(second.header['Idempotency-Key'], refused.header['Idempotency-Key']);
    assert.deepEqual(second.data, { product_id: 3, quantity: 1 });
    assert.equal((await productOf(3)).stock, 0);

    // Sold out now: a fresh confirm page says so and cannot order.
    const again = renderPage('pages/confirm/confirm');
    await again.page.onLoad({ product_id: '3' });
    assert.equal(again.text(), `${before.name} ${yuan(before.price_fen)} 已售罄 数量 － 1 ＋ 实付金额以下单后服务端计算为准 已售罄`);
    assert.equal(again.one('.pay').data.disabled, true);
    assert.equal(again.one('.plus').data.disabled, true);
  });
});

test('confirm: the payment check shows itself, with the buttons held', async () => {
  // A sheet that says ok while nothing is paid: the check runs until the page is left.
  const { shim } = newUser({ requestPayment: (opts) => setImmediate(opts.success, { errMsg: 'requestPayment:ok' }) });
  const r = renderPage('pages/confirm/confirm');
  await r.page.onLoad({ product_id: '1' });
  const paying = r.page.onPay();
  await until('checking', 10000, async () => r.page.data.checking);
  assert.match(r.text(), /正在向服务端确认支付结果… 确认中…$/);
  for (const b of ['.minus', '.plus', '.pay']) assert.equal(r.one(b).data.disabled, true, b);
  assert.equal(r.one('.pay').data.loading, true);
  r.page.onUnload();
  await paying;
  assert.deepEqual(shim.calls.redirectTo, []);
});

test('a refund under review: 退款审核中 on the order page and in my orders', async () => {
  const user = newUser();
  const order = await paidOrder();
  await refundTo(order.out_trade_no, 'REQUESTED', { token: user.token() });
  const { detail, card } = await renderOrder(order.out_trade_no);
  const t = detail.text();
  assert.ok(t.startsWith(`拿铁 Latte × 2 退款审核中 实付金额 ${yuan(order.total_fee)} 订单号 ${order.out_trade_no} `), t);
  has(t, `退款 刷新 退款审核中 ${yuan(order.total_fee)} 等待商家审核 原因：不想要了`);
  assert.doesNotMatch(t, /申请退款|已退金额/);
  assert.equal(card, `拿铁 Latte × 2 退款审核中 ${formatTime(order.created_at)} ${yuan(order.total_fee)}`);
});

test('a refund with WeChat: 退款中', async () => {
  const user = newUser();
  const order = await paidOrder();
  assert.equal((await sim('POST', '/sandbox/faults', { hold_refunds: true })).status, 200);
  try {
    await refundTo(order.out_trade_no, 'PROCESSING', { token: user.token() });
  } finally {
    await sim('POST', '/sandbox/faults', { hold_refunds: false });
  }
  const { detail, card } = await renderOrder(order.out_trade_no);
  has(detail.text(), ` × 2 退款中 实付金额 ${yuan(order.total_fee)} `);
  has(detail.text(), `退款 刷新 退款中 ${yuan(order.total_fee)} 微信支付处理中，款项将原路退回微信支付账户`);
  has(card, ' 退款中 ');
});

test('refunded in full: 已退款, with the amount back; in part: 部分退款', async () => {
  const user = newUser();
  const order = await paidOrder();
  const part = 100;
  await refundTo(order.out_trade_no, 'SUCCESS', { token: user.token(), refund_fee: part });
  let { detail, card } = await renderOrder(order.out_trade_no);
  has(detail.text(), ` × 2 部分退款 实付金额 ${yuan(order.total_fee)} 已退金额 ${yuan(part)} `);
  has(detail.text(), `退款 已退款 ${yuan(part)} 已原路退回微信支付账户`);
  has(card, '部分退款');
  assert.doesNotMatch(detail.text(), / 刷新 /, 'nothing in flight');

  await refundTo(order.out_trade_no, 'SUCCESS', { token: user.token() });
  ({ detail, card } = await renderOrder(order.out_trade_no));
  has(detail.text(), ` × 2 已退款 实付金额 ${yuan(order.total_fee)} 已退金额 ${yuan(order.total_fee)} `);
  assert.deepEqual(detail.all('.refund').map((x) => textOf(x.dom).split(' ').slice(0, 2).join(' ')), [`已退款 ${yuan(part)}`, `已退款 ${yuan(order.total_fee - part)}`]);
  has(card, '已退款');
  assert.equal(detail.one('.refund-button'), undefined, 'nothing left to refund');
});

test('a rejected refund: 已拒绝 with the merchant’s reason, and the payer may ask again', async () => {
  const user = newUser();
  const order = await paidOrder();
  await refundTo(order.out_trade_no, 'REJECTED', { token: user.token(), rejectReason: '商品已发货，请收货后再申请' });
  const { detail, card } = await renderOrder(order.out_trade_no);
  has(detail.text(), ` × 2 退款已拒绝 实付金额 ${yuan(order.total_fee)} `);
  has(detail.text(), `退款 已拒绝 ${yuan(order.total_fee)} 商家说明：商品已发货，请收货后再申请 原因：不想要了`);
  assert.ok(detail.text().endsWith(' 申请退款'), 'asking again is offered');
  has(card, '退款已拒绝');

  // Rejected without a reason: 已拒绝 alone.
  const other = await paidOrder(1);
  await refundTo(other.out_trade_no, 'REJECTED', { token: user.token() });
  const plain = await renderOrder(other.out_trade_no);
  has(plain.detail.text(), `退款 已拒绝 ${yuan(other.total_fee)} 原因：不想要了`);
  assert.doesNotMatch(plain.detail.text(), /商家说明/);
});

test('a refund WeChat reports as CHANGE: 退款异常（商家处理中）, no second request offered', async () => {
  const user = newUser();
  const order = await paidOrder();
  // WeChat holds the refund (PROCESSING), then its refund notify says CHANGE: the money did not
  // come back. The notify is WeChat's (encrypted with the merchant key) about this very refund.
  assert.equal((await sim('POST', '/sandbox/faults', { hold_refunds: true })).status, 200);
  let refund;
  try {
    refund = await refundTo(order.out_trade_no, 'PROCESSING', { token: user.token() });
  } finally {
    await sim('POST', '/sandbox/faults', { hold_refunds: false });
  }
  const stored = (await httpJson('GET', `${srv.base}/admin/api/refunds?status=PROCESSING`, { token: srv.adminToken })).body.find((x) => x.out_refund_no === refund.out_refund_no);
  const wechat = (await sim('GET', `/sandbox/orders/${order.out_trade_no}`)).body;
  const notify = refundNotify(merchantOf(creds), { ...refund, total_fee: order.total_fee }, { inner: { refund_status: 'CHANGE', refund_id: stored.refund_id, transaction_id: wechat.transaction_id, success_time: '' } });
  const res = await httpText('POST', `${srv.base}/wxpay/refund-notify`, { body: notify, headers: { 'content-type': 'text/xml' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(replyOf(res.text).code, 'SUCCESS', res.text);

  const { detail, card } = await renderOrder(order.out_trade_no);
  assert.ok(detail.text().startsWith(`拿铁 Latte × 2 退款异常（商家处理中） 实付金额 ${yuan(order.total_fee)} `), detail.text());
  has(detail.text(), `退款 退款异常（商家处理中） ${yuan(order.total_fee)} 款项未能退回，商家正在处理，无需重复申请 原因：不想要了`);
  assert.equal(detail.one('.refund-button'), undefined, 'the amount is still held: no second request');
  assert.equal(detail.one('.link'), undefined, 'no 刷新: a person has to act');
  assert.equal(detail.one('.status').dom.getAttribute('class'), 'main--status main--status-CHANGE');
  has(card, '退款异常（商家处理中）');
});

test('a recorded order with a CHANGE refund renders from its own JSON, one request per page', async () => {
  // The recording still has the server's shape: the same fields as a live order and refund.
  const user = newUser();
  const live = await paidOrder(1);
  const liveRefund = await refundTo(live.out_trade_no, 'REQUESTED', { token: user.token() });
  const { order } = fixture('order-refund-change.json');
  const { payment, ...liveOrder } = (await httpJson('GET', `${srv.base}/api/orders/${live.out_trade_no}`, { token: user.token() })).body;
  assert.deepEqual(Object.keys(order).sort(), Object.keys(liveOrder).sort());
  assert.deepEqual(Object.keys(order.refunds[0]).sort(), Object.keys(liveRefund).sort());
  assert.deepEqual(Object.keys(liveOrder.refunds[0]).sort(), Object.keys(liveRefund).sort(), 'the order’s refunds are the refund JSON');

  const no = order.out_trade_no;
  const fx = await startFixtureServer({ 'GET /api/orders': [order], [`GET /api/orders/${no}`]: order });
  try {
    newUser({ baseUrl: fx.url });
    const { detail, card } = await renderOrder(no);
    assert.deepEqual(fx.seen.filter((k) => k !== 'POST /api/login'), [`GET /api/orders/${no}`, 'GET /api/orders'], 'no per-order refund lookups');
    assert.ok(detail.text().startsWith('拿铁 Latte × 2 退款异常（商家处理中） 实付金额 ¥36.00 '), detail.text());
    has(detail.text(), '退款 退款异常（商家处理中） ¥36.00 款项未能退回，商家正在处理，无需重复申请 原因：不想要了');
    assert.equal(detail.one('.refund-button'), undefined);
    assert.equal(detail.one('.link'), undefined, 'no 刷新: a person has to act');
    assert.equal(detail.one('.status').dom.getAttribute('class'), 'main--status main--status-CHANGE');
    has(card, '退款异常（商家处理中）');
  } finally {
    await fx.close();
  }
});

test('my orders: empty for a new payer; an unpaid order reads 待支付 with its ¥ total', async () => {
  const { shim } = newUser();
  const list = renderPage('pages/orders/orders');
  await list.page.onShow();
  assert.equal(list.text(), '还没有订单');
  const order = await api.createOrder(2, 3);
  await list.page.onShow();
  assert.equal(list.all('.order').length, 1);
  assert.equal(list.text(), `${order.product_name} × 3 待支付 ${formatTime(order.created_at)} ${yuan(order.total_fee)}`);
  list.one('.order').dispatchEvent('tap');
  await until('navigateTo', 5000, async () => shim.calls.navigateTo.length > 0);
  assert.deepEqual(shim.calls.navigateTo, [`/pages/order/order?out_trade_no=${order.out_trade_no}`]);
});

test('the refund page lists its reasons and marks the chosen one', async () => {
  newUser();
  const order = await paidOrder(1);
  const r = renderPage('pages/refund/refund');
  await r.page.onLoad({ out_trade_no: order.out_trade_no });
  assert.ok(r.text().startsWith(`${order.product_name} × 1 ${yuan(order.total_fee)} `), r.text());
  const radios = r.all('.reason-radio');
  assert.equal(radios.length, 4);
  assert.match(r.text(), /不想要了 拍错了\/多拍了 商品与描述不符 其他/);
  assert.ok(radios.every((x) => x.data.checked === false));
  r.page.onReasonChange({ detail: { value: '2' } });
  assert.deepEqual(r.all('.reason-radio').map((x) => x.data.checked), [false, false, true, false]);
});

test('an unpaid order: 待支付, its deadline from the server, 继续支付; the refund page refuses it', async () => {
  newUser();
  const order = await api.createOrder(1, 1);
  const detail = renderPage('pages/order/order');
  await detail.page.onLoad({ out_trade_no: order.out_trade_no });
  assert.equal(
    detail.text(),
    `拿铁 Latte × 1 待支付 实付金额 ${yuan(order.total_fee)} 订单号 ${order.out_trade_no} 下单时间 ${formatTime(order.created_at)} ` +
      `支付截止 ${formatTime(order.expires_at)} 继续支付`,
  );
  assert.equal(detail.one('.pay').data.type, 'primary');

  const refund = renderPage('pages/refund/refund');
  await refund.page.onLoad({ out_trade_no: order.out_trade_no });
  refund.page.onReasonChange({ detail: { value: '0' } });
  await refund.page.onSubmit();
  assert.ok(refund.text().endsWith(' 该订单当前不能退款（未支付，或已全部退款） 提交退款申请'), refund.text());
});

test('what is not there says so: an unknown order, an unknown product', async () => {
  newUser();
  const detail = renderPage('pages/order/order');
  await detail.page.onLoad({ out_trade_no: 'NOSUCHORDER0000000000000' });
  assert.equal(detail.text(), '订单不存在');
  const confirm = renderPage('pages/confirm/confirm');
  await confirm.page.onLoad({ product_id: '999999' });
  assert.equal(confirm.text(), '商品不存在或已下架');
});
