'use strict';
// The sandbox switch holds only in the develop build: with config.js asking for it
// (`sandbox: true`), a trial or release build still pays through wx.requestPayment and sends
// nothing to the simulator; so does a build whose version cannot be read. Checked on the confirm
// page against the running server, with wx.getAccountInfoSync answering each envVersion.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./support/server');
const { createWx } = require('./support/wx');
const mp = require('./support/miniprogram');
const { envVersion, sandboxEnabled } = require('../utils/sandbox');

let srv;
test.before(async () => {
  srv = await startServer();
});
test.after(() => srv && srv.stop());

/** The confirm page paying once; the payment sheet (wx.requestPayment) or the simulated one is cancelled. */
async function payOnce({ sandbox, noAccountInfo = false, ...wxOptions }) {
  Object.assign(mp.config, { baseUrl: srv.base, sandbox, sandboxUrl: srv.sandboxUrl, pollIntervalMs: 100 });
  const shim = createWx({
    sandboxUrl: srv.sandboxUrl,
    ca: srv.ca,
    requestPayment: (opts) => setImmediate(opts.fail, { errMsg: 'requestPayment:fail cancel' }),
    showModal: () => ({ confirm: false }),
    ...wxOptions,
  });
  if (noAccountInfo) delete shim.wx.getAccountInfoSync;
  mp.useWx(shim.wx);
  const page = mp.loadPage('pages/confirm/confirm');
  await page.onLoad({ product_id: '1' });
  await page.onPay();
  assert.equal(page.data.payState, 'cancelled', page.data.message);
  const toSimulator = shim.calls.request.filter((r) => r.url === srv.sandboxUrl + '/sandbox/requestPayment');
  return { shim, toSimulator };
}

for (const build of ['trial', 'release']) {
  test(`a ${build} build ignores config.sandbox: wx.requestPayment, nothing to the simulator`, async () => {
    const { shim, toSimulator } = await payOnce({ sandbox: true, envVersion: build });
    assert.equal(envVersion(), build);
    assert.equal(sandboxEnabled(), false);
    assert.equal(shim.calls.requestPayment.length, 1);
    assert.equal(shim.calls.showModal.length, 0);
    assert.deepEqual(toSimulator, []);
  });
}

test('the develop build with config.sandbox pays through the simulator, not wx.requestPayment', async () => {
  const { shim, toSimulator } = await payOnce({ sandbox: true, envVersion: 'develop' });
  assert.equal(sandboxEnabled(), true);
  assert.equal(shim.calls.requestPayment.length, 0);
  assert.equal(shim.calls.showModal.length, 1);
  assert.equal(toSimulator.length, 1);
  assert.equal(toSimulator[0].response.errMsg, 'requestPayment:fail cancel');
});

test('the develop build without config.sandbox uses wx.requestPayment', async () => {
  const { shim, toSimulator } = await payOnce({ sandbox: false, envVersion: 'develop' });
  assert.equal(sandboxEnabled(), false);
  assert.equal(shim.calls.requestPayment.length, 1);
  assert.deepEqual(toSimulator, []);
});

test('a build whose version cannot be read counts as release: no sandbox', async () => {
  for (const getAccountInfoSync of [undefined, () => ({}), () => ({ miniProgram: { envVersion: 'something-new' } }), () => { throw new Error('not supported'); }]) {
    Object.assign(mp.config, { sandbox: true });
    const shim = createWx({ sandboxUrl: srv.sandboxUrl, ca: srv.ca });
    if (getAccountInfoSync) shim.wx.getAccountInfoSync = getAccountInfoSync;
    else delete shim.wx.getAccountInfoSync;
    mp.useWx(shim.wx);
    assert.equal(envVersion(), 'release');
    assert.equal(sandboxEnabled(), false);
  }
  const { shim, toSimulator } = await payOnce({ sandbox: true, noAccountInfo: true });
  assert.equal(shim.calls.requestPayment.length, 1);
  assert.deepEqual(toSimulator, []);
});
