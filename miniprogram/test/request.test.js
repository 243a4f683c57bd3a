'use strict';
// utils/request.js against the real server: the token header, re-login when the token has
// expired (locally or on the server: 401 UNAUTHORIZED), one shared login for concurrent
// requests, retries after real network errors (connections reset by a proxy, a refused
// port) only for requests safe to repeat, and never after an HTTP answer.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpJson, freePort } = require('./support/server');
const { startFlakyProxy } = require('./support/flaky-proxy');
const { createWx } = require('./support/wx');
const mp = require('./support/miniprogram');

const { request, send } = require('../utils/request');
const api = require('../utils/api');
const session = require('../utils/session');
const { userMessage } = require('../utils/errors');

let srv;
let proxy;
test.before(async () => {
  srv = await startServer();
  proxy = await startFlakyProxy(srv.base);
});
test.after(async () => {
  if (proxy) await proxy.close();
  if (srv) await srv.stop();
});

function setup({ baseUrl = srv.base } = {}) {
  Object.assign(mp.config, { baseUrl, sandbox: true, sandboxUrl: srv.sandboxUrl, networkRetries: 2 });
  const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca });
  mp.useWx(shim.wx);
  return shim;
}

const apiCalls = (shim, path) => shim.calls.request.filter((r) => r.url === mp.config.baseUrl + path);

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('did not reject');
}

test('first request logs in; the token goes in the Authorization header and is the server’s', async () => {
  const shim = setup();
  const orders = await api.listOrders();
  assert.deepEqual(orders, []);
  assert.equal(shim.calls.login, 1);
  const [login] = apiCalls(shim, '/api/login');
  assert.equal(login.method, 'POST');
  assert.deepEqual(Object.keys(login.data), ['code']);
  const [list] = apiCalls(shim, '/api/orders');
  assert.equal(list.header.Authorization, 'Bearer ' + login.response.token);
  assert.equal(shim.storage.get(session.KEY).token, login.response.token);
  assert.equal((await httpJson('GET', srv.base + '/api/orders', { token: login.response.token })).status, 200);
});

test('a token the server no longer accepts (401) → one fresh login and the request again', async () => {
  const shim = setup();
  shim.storage.set(session.KEY, { token: 'expired-' + 'x'.repeat(35), expiresAt: Date.now() + 3600_000 });
  const orders = await api.listOrders();
  assert.deepEqual(orders, []);
  const list = apiCalls(shim, '/api/orders');
  assert.deepEqual(list.map((r) => r.statusCode), [401, 200]);
  assert.equal(list[0].response.error.code, 'UNAUTHORIZED');
  assert.equal(shim.calls.login, 1);
  assert.notEqual(shim.storage.get(session.KEY).token, 'expired-' + 'x'.repeat(35));
});

test('a token past its expires_in is renewed before asking (no 401 round trip)', async () => {
  const shim = setup();
  const old = (await httpJson('POST', srv.base + '/api/login', { body: { code: 'old-' + Date.now() } })).body.token;
  shim.storage.set(session.KEY, { token: old, expiresAt: Date.now() - 1 });
  await api.listOrders();
  assert.equal(shim.calls.login, 1);
  const list = apiCalls(shim, '/api/orders');
  assert.deepEqual(list.map((r) => r.statusCode), [200]);
  assert.notEqual(list[0].header.Authorization, 'Bearer ' + old);
});

test('concurrent requests without a token share one login', async () => {
  const shim = setup();
  await Promise.all([api.listOrders(), api.listOrders(), api.listOrders()]);
  assert.equal(shim.calls.login, 1);
  assert.equal(apiCalls(shim, '/api/login').length, 1);
});

test('a GET is retried after connection resets, and succeeds', async () => {
  setup();
  await api.listOrders(); // logged in, straight to the server
  mp.config.baseUrl = proxy.url;
  proxy.resetNext(2);
  assert.deepEqual(await api.listOrders(), []);
  assert.deepEqual(proxy.state, { connections: 3, reset: 2, resetNext: 0 });
});

test('retries give up after networkRetries: NETWORK, 网络不给力', async () => {
  setup();
  await api.listOrders();
  mp.config.baseUrl = proxy.url;
  proxy.resetNext(10);
  const e = await rejects(api.listOrders());
  assert.equal(e.code, 'NETWORK');
  assert.match(e.message, /^request:fail /);
  assert.equal(userMessage(e), '网络不给力，请检查网络后重试');
  assert.equal(proxy.state.connections, 3);
  proxy.resetNext(0);
});

test('a refused connection is a network error too', async () => {
  setup({ baseUrl: `http://127.0.0.1:${await freePort()}` });
  const e = await rejects(send({ path: '/api/products' }));
  assert.equal(e.code, 'NETWORK');
  assert.match(e.message, /ECONNREFUSED/);
});

test('an HTTP error answer is never retried (422, 404), and maps to the server’s code', async () => {
  setup();
  await api.listOrders();
  mp.config.baseUrl = proxy.url;
  proxy.resetNext(0);
  const bad = await rejects(request({ path: '/api/orders', method: 'POST', data: { product_id: 1, quantity: 0 }, retry: true }));
  assert.equal(bad.code, 'INVALID_REQUEST');
  assert.equal(bad.statusCode, 422);
  assert.equal(proxy.state.connections, 1);
  proxy.resetNext(0);
  const missing = await rejects(api.getOrder('NOSUCHORDER000000000000'));
  assert.equal(missing.code, 'NOT_FOUND');
  assert.equal(missing.statusCode, 404);
  assert.equal(userMessage(missing), '订单不存在');
  assert.equal(proxy.state.connections, 1);
});

test('a refund request is not resent after a network error (it could become a second refund)', async () => {
  const shim = setup();
  const order = await api.createOrder(1, 1);
  mp.config.baseUrl = proxy.url;
  proxy.resetNext(1);
  const e = await rejects(api.requestRefund(order.out_trade_no, '不想要了'));
  assert.equal(e.code, 'NETWORK');
  assert.deepEqual(proxy.state, { connections: 1, reset: 1, resetNext: 0 });
  const token = shim.storage.get(session.KEY).token;
  assert.deepEqual((await httpJson('GET', `${srv.base}/api/orders/${order.out_trade_no}/refunds`, { token })).body, []);
});

test('creating an order is resent after a network error, and the server answers the same order', async () => {
  const shim = setup();
  const first = await api.createOrder(2, 3);
  mp.config.baseUrl = proxy.url;
  proxy.resetNext(1);
  const second = await api.createOrder(2, 3);
  assert.equal(proxy.state.connections, 2);
  assert.equal(second.out_trade_no, first.out_trade_no);
  const token = shim.storage.get(session.KEY).token;
  const mine = (await httpJson('GET', `${srv.base}/api/orders`, { token })).body;
  assert.equal(mine.length, 1);
});

test('login after a network error asks wx.login for a fresh code (a code is single-use)', async () => {
  const shim = setup({ baseUrl: proxy.url });
  proxy.resetNext(1);
  await api.listProducts(); // no login needed
  proxy.resetNext(1);
  await api.listOrders();
  assert.equal(shim.calls.login, 2);
  const logins = apiCalls(shim, '/api/login');
  assert.equal(logins.length, 2);
  assert.ok(logins[0].error, 'the first login request failed on the network');
  assert.equal(logins[1].statusCode, 200);
  assert.notEqual(logins[0].data.code, logins[1].data.code);
});

test('a checkout sends one Idempotency-Key: pay pressed again after network errors makes one order; a new quantity is a new checkout', async () => {
  setup();
  // The user closes the payment sheet each time, so the checkout's order stays payable.
  const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca, showModal: () => ({ confirm: false }) });
  mp.useWx(shim.wx);
  await api.listOrders(); // logged in, straight to the server
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '2' });
  mp.config.baseUrl = proxy.url;
  // Every attempt of the first tap is reset (1 + networkRetries), after the server may or may
  // not have seen it.
  proxy.resetNext(3);
  await page.onPay();
  assert.equal(page.data.payState, 'failed');
  assert.equal(proxy.state.connections, 3);
  proxy.resetNext(0);
  await page.onPay(); // the user taps again: the same checkout
  const creates = () => shim.calls.request.filter((r) => r.method === 'POST' && r.url === proxy.url + '/api/orders');
  const keys = creates().map((r) => r.header['Idempotency-Key']);
  assert.equal(keys.length, 4);
  assert.match(keys[0], /^ck-[0-9a-z]+-[0-9a-z]+$/);
  assert.deepEqual(new Set(keys).size, 1, 'one key for the whole checkout');
  const first = creates().at(-1).response.out_trade_no;
  assert.equal(page.data.payState, 'cancelled', page.data.message);
  // Pressing pay once more (the sheet was closed) is still the same order.
  await page.onPay();
  assert.equal(creates().at(-1).response.out_trade_no, first);
  assert.equal(creates().at(-1).header['Idempotency-Key'], keys[0]);
  page.onPlus();
  await page.onPay();
  const other = creates().at(-1);
  assert.notEqual(other.header['Idempotency-Key'], keys[0], 'a new quantity is a new checkout');
  assert.notEqual(other.response.out_trade_no, first);
  const token = shim.storage.get(session.KEY).token;
  const mine = (await httpJson('GET', `${srv.base}/api/orders`, { token })).body;
  assert.equal(mine.length, 2, 'two checkouts, two orders');
});
