'use strict';
// The whole purchase in sandbox mode, with the real app and page code against a running
// wxpay-server + simulator: launch (login) → products → confirm → order → pay through the
// simulator (which checks paySign) → the server says PAID → my orders → order detail → refund
// request with a reason → the merchant approves (admin API) → the order page and my orders show
// 已退款.
// Every step is checked against the server's own state, not only the page's data. Run twice,
// with the pages unchanged: against a v2 server, and against a v3 one (WXPAY_API_VERSION=v3: an
// RSA paySign, v3's notifies and refunds).
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpJson, until } = require('./support/server');
const { createWx } = require('./support/wx');
const mp = require('./support/miniprogram');

// Independent of utils/money.js: ¥ + yuan + two-digit fen.
const yuan = (fen) => `¥${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

for (const [api, env] of [
  ['v2', {}],
  ['v3', { WXPAY_API_VERSION: 'v3' }],
]) {
  test(`${api}: login → order → pay (simulator) → PAID → refund request → refund SUCCESS`, async () => {
    const srv = await startServer({ env });
    try {
      Object.assign(mp.config, { baseUrl: srv.base, sandbox: true, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100, payConfirmTimeoutMs: 15000 });
      await purchase(srv, api);
    } finally {
      await srv.stop();
    }
  });
}

async function purchase(srv, api) {
  const { wx, calls, storage } = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca });
  mp.useWx(wx);

  // Launch: wx.login → POST /api/login; the token lands in storage and works on the server.
  const app = mp.launchApp();
  await app.onLaunch();
  assert.equal(calls.login, 1);
  const token = storage.get('wxpay.session').token;
  assert.equal((await httpJson('GET', srv.base + '/api/orders', { token })).status, 200);

  // Products, priced by the server.
  const index = mp.loadPage('pages/index/index');
  await index.onLoad({});
  assert.equal(index.data.errorText, '');
  const server = (await httpJson('GET', srv.base + '/api/products')).body;
  assert.ok(server.length > 0);
  assert.deepEqual(
    index.data.products.map((p) => p.name),
    server.map((p) => p.name),
  );
  assert.equal(index.data.products[0].priceText, yuan(server[0].price_fen));
  index.onTapProduct({ currentTarget: { dataset: { id: server[0].id } } });
  assert.equal(calls.navigateTo.at(-1), `/pages/confirm/confirm?product_id=${server[0].id}`);

  // Confirm ×2 and pay.
  const confirm = mp.loadPage('pages/confirm/confirm');
  await confirm.onLoad({ product_id: String(server[0].id) });
  assert.equal(confirm.data.product.name, server[0].name);
  confirm.onPlus();
  await confirm.onPay();
  assert.equal(confirm.data.payState, 'paid', confirm.data.message);
  assert.equal(confirm.data.message, '支付成功');
  assert.equal(calls.login, 1, 'the stored token was reused');
  assert.equal(calls.requestPayment.length, 0, 'sandbox mode does not call wx.requestPayment');
  assert.equal(calls.showModal.length, 1);
  assert.ok(calls.showModal[0].content.includes(yuan(server[0].price_fen * 2)), calls.showModal[0].content);

  // The order request carried no price; the simulator got exactly the server's payment object.
  const created = calls.request.find((r) => r.method === 'POST' && r.url === srv.base + '/api/orders');
  assert.deepEqual(created.data, { product_id: server[0].id, quantity: 2 });
  const paid = calls.request.find((r) => r.url === srv.sandboxUrl + '/sandbox/requestPayment');
  assert.deepEqual(paid.data, created.response.payment);
  assert.equal(paid.data.signType, api === 'v3' ? 'RSA' : 'MD5');
  assert.equal(paid.statusCode, 200);
  const no = created.response.out_trade_no;
  assert.equal(confirm.data.order.outTradeNo, no);
  assert.equal(calls.redirectTo.at(-1), `/pages/order/order?out_trade_no=${no}`);

  // The server's state: PAID, with the server's amount; WeChat's (the simulator's) too.
  const stored = (await httpJson('GET', `${srv.base}/api/orders/${no}`, { token })).body;
  assert.equal(stored.status, 'PAID');
  assert.equal(stored.total_fee, server[0].price_fen * 2);
  assert.ok(stored.transaction_id);
  const sim = (await httpJson('GET', `${srv.sandboxUrl}/sandbox/orders/${no}`, { ca: srv.ca })).body;
  assert.equal(sim.trade_state, 'SUCCESS');

  // My orders.
  const orders = mp.loadPage('pages/orders/orders');
  await orders.onShow();
  assert.equal(orders.data.orders[0].outTradeNo, no);
  assert.equal(orders.data.orders[0].statusText, '已支付');
  orders.onTapOrder({ currentTarget: { dataset: { no } } });
  assert.equal(calls.navigateTo.at(-1), `/pages/order/order?out_trade_no=${no}`);

  // Order detail.
  const detail = mp.loadPage('pages/order/order');
  await detail.onLoad({ out_trade_no: no });
  assert.equal(detail.data.order.status, 'PAID');
  assert.equal(detail.data.order.statusText, '已支付');
  assert.equal(detail.data.order.transactionId, stored.transaction_id);
  assert.equal(detail.data.canPay, false);
  assert.equal(detail.data.canRefund, true);
  detail.onRefund();
  assert.equal(calls.navigateTo.at(-1), `/pages/refund/refund?out_trade_no=${no}`);

  // Refund request: a reason is required, then it reaches the server.
  const refund = mp.loadPage('pages/refund/refund');
  await refund.onLoad({ out_trade_no: no });
  await refund.onSubmit();
  assert.equal(calls.showToast.at(-1).title, '请选择退款原因');
  assert.deepEqual((await httpJson('GET', `${srv.base}/api/orders/${no}/refunds`, { token })).body, []);
  refund.onReasonChange({ detail: { value: '1' } });
  refund.onDetailInput({ detail: { value: '  买了两杯，只要一杯 ' } });
  await refund.onSubmit();
  assert.equal(refund.data.errorText, '');
  assert.equal(calls.showToast.at(-1).title, '退款申请已提交');
  assert.equal(calls.navigateBack, 1);
  const refunds = (await httpJson('GET', `${srv.base}/api/orders/${no}/refunds`, { token })).body;
  assert.equal(refunds.length, 1);
  assert.equal(refunds[0].status, 'REQUESTED');
  assert.equal(refunds[0].reason, '拍错了/多拍了：买了两杯，只要一杯');
  assert.equal(refunds[0].refund_fee, stored.total_fee);

  // Back on the detail page (onShow): the refund is shown as requested, no second request.
  await detail.onShow();
  assert.equal(detail.data.refunds[0].statusText, '退款审核中');
  assert.equal(detail.data.order.statusText, '退款审核中');
  assert.equal(detail.data.refunds[0].amountText, detail.data.order.amountText);
  assert.equal(detail.data.refundInFlight, true);
  assert.equal(detail.data.canRefund, false);

  // The merchant approves; the simulator refunds and sends the refund notify; the page follows.
  const approved = await httpJson('POST', `${srv.base}/admin/api/refunds/${refunds[0].out_refund_no}/approve`, { token: srv.adminToken });
  assert.equal(approved.status, 200, approved.text);
  await until('refund SUCCESS on the order page', 30000, async () => {
    await detail.onRefresh();
    return detail.data.refunds[0].status === 'SUCCESS';
  });
  assert.equal(detail.data.refunds[0].statusText, '已退款');
  assert.ok(detail.data.refunds[0].finishedText);
  assert.equal(detail.data.refundInFlight, false);
  assert.equal(detail.data.order.statusText, '已退款');
  assert.equal(detail.data.order.refundedText, detail.data.order.amountText);

  // My orders no longer says 已支付 for it.
  await orders.onShow();
  assert.equal(orders.data.orders[0].outTradeNo, no);
  assert.equal(orders.data.orders[0].statusText, '已退款');
  const after = (await httpJson('GET', `${srv.base}/api/orders/${no}/refunds`, { token })).body;
  assert.equal(after[0].status, 'SUCCESS');
}
