'use strict';
// Stock as payers meet it, with the real pages over real HTTP to `wxpay-server serve --sandbox`:
// 20 payers (each with a wx of their own) check out the last 5 units at the same moment and
// exactly 5 orders exist — the units held by those unpaid orders; the others are told 已售罄 and
// nothing is stored for them (that no unifiedorder is called for a refusal is counted at the
// simulator in server/tests/stock.rs). Closing an unpaid order (WeChat closed it) gives its unit
// back: 库存 shows it, and a payer who was turned away can buy.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startServer, sandboxCredentials, merchantOf, httpJson, httpText } = require('./support/server');
const { createPayers } = require('./support/payers');
const { sign, xml, replyOf } = require('./support/notifies');
const mp = require('./support/miniprogram');

const creds = sandboxCredentials();
let srv;
test.before(async () => {
  // 20 payers log in from one address within the minute.
  srv = await startServer({ env: { ...creds, WXPAY_LOGIN_PER_ADDRESS_PER_MINUTE: '100' } });
  Object.assign(mp.config, { baseUrl: srv.base, sandbox: false, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100, payConfirmTimeoutMs: 5000 });
});
test.after(() => srv && srv.stop());

const PRODUCT = 3;
const setStock = (stock) => httpJson('POST', `${srv.base}/admin/api/products/${PRODUCT}/stock`, { token: srv.adminToken, body: { set: stock } });
const stockNow = async () => (await httpJson('GET', srv.base + '/api/products')).body.find((p) => p.id === PRODUCT).stock;
const cancelSheet = (opts) => setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' });
const created = (shim) => shim.calls.request.filter((r) => r.method === 'POST' && r.url === srv.base + '/api/orders');

/** `n` logged-in payers, each on the confirm page of PRODUCT; the payment sheet is cancelled. */
async function payersOnConfirm(n) {
  const payers = createPayers(n, { sandboxUrl: srv.sandboxUrl, ca: srv.ca, requestPayment: cancelSheet });
  for (const p of payers) {
    await p.run(() => mp.launchApp().onLaunch());
    p.confirm = await p.run(async () => {
      const page = mp.loadPage('pages/confirm/confirm');
      await page.onLoad({ product_id: String(PRODUCT) });
      return page;
    });
  }
  return payers;
}

/** WeChat's closeorder, as the merchant would send it (signed with the merchant key). */
async function closeAtWeChat(outTradeNo) {
  const m = merchantOf(creds);
  const fields = { appid: m.appId, mch_id: m.mchId, out_trade_no: outTradeNo, nonce_str: crypto.randomBytes(16).toString('hex') };
  const res = await httpText('POST', srv.sandboxUrl + '/pay/closeorder', { body: xml({ ...fields, sign: sign(fields, m.key) }), headers: { 'content-type': 'text/xml' }, ca: srv.ca });
  assert.equal(replyOf(res.text).code, 'SUCCESS', res.text);
}

test('20 payers check out the last 5 at once: 5 orders hold them, 15 are told 已售罄 and nothing is stored for them', async () => {
  assert.equal((await setStock(5)).status, 200);
  const payers = await payersOnConfirm(20);
  for (const p of payers) assert.equal(p.confirm.data.product.stockText, '库存 5');

  await Promise.all(payers.map((p) => p.run(() => p.confirm.onPay())));

  const sold = payers.filter((p) => p.confirm.data.order);
  const turnedAway = payers.filter((p) => !p.confirm.data.order);
  assert.equal(sold.length, 5, 'exactly as many orders as units');
  for (const p of sold) {
    assert.equal(p.confirm.data.payState, 'cancelled', p.confirm.data.message);
    const [req] = created(p.shim);
    assert.equal(req.statusCode, 201);
    // The order reached WeChat (unifiedorder), and holds its unit while unpaid.
    const wechat = await httpJson('GET', `${srv.sandboxUrl}/sandbox/orders/${req.response.out_trade_no}`, { ca: srv.ca });
    assert.equal(wechat.body.trade_state, 'NOTPAY');
  }
  for (const p of turnedAway) {
    const [req] = created(p.shim);
    assert.equal(req.statusCode, 409);
    assert.deepEqual(req.response.error, { code: 'OUT_OF_STOCK', message: 'sold out', available: 0 });
    assert.equal(p.confirm.data.message, '已售罄');
    assert.equal(p.confirm.data.product.soldOut, true);
    assert.deepEqual(p.shim.calls.requestPayment, [], 'no payment sheet');
    const mine = await httpJson('GET', srv.base + '/api/orders', { token: p.token() });
    assert.deepEqual(mine.body, [], 'nothing stored for a payer turned away');
  }
  assert.equal(await stockNow(), 0, 'the 5 unpaid orders hold the 5 units');

  // A payer opening the shop now sees it.
  const index = await turnedAway[0].run(async () => {
    const page = mp.loadPage('pages/index/index');
    await page.onLoad();
    return page;
  });
  const shown = index.data.products.find((p) => p.id === PRODUCT);
  assert.deepEqual([shown.stockText, shown.soldOut], ['已售罄', true]);
});

test('an unpaid order closed at WeChat gives its unit back: 库存 shows it, and a payer turned away can buy', async () => {
  assert.equal((await setStock(1)).status, 200);
  const [holder, waiting] = await payersOnConfirm(2);
  await holder.run(() => holder.confirm.onPay());
  const no = holder.confirm.data.order.outTradeNo;
  assert.equal(await stockNow(), 0, 'the unpaid order holds the last unit');
  await waiting.run(() => waiting.confirm.onPay());
  assert.equal(waiting.confirm.data.message, '已售罄');

  // WeChat closes the order (it expired there); the order page learns it from the server.
  await closeAtWeChat(no);
  const detail = await holder.run(async () => {
    const page = mp.loadPage('pages/order/order');
    await page.onLoad({ out_trade_no: no });
    return page;
  });
  assert.equal(detail.data.order.statusText, '已关闭');
  assert.equal(await stockNow(), 1, 'the unit is back');

  const again = await waiting.run(async () => {
    const page = mp.loadPage('pages/confirm/confirm');
    await page.onLoad({ product_id: String(PRODUCT) });
    return page;
  });
  assert.equal(again.data.product.stockText, '库存 1');
  await waiting.run(() => again.onPay());
  assert.equal(again.data.payState, 'cancelled', again.data.message);
  assert.ok(again.data.order, 'ordered');
  assert.equal(await stockNow(), 0, 'held again');
});
