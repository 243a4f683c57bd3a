'use strict';
// The cloud functions accept what WeChat really sends: a payment notify and a refund notify
// produced by the simulator (signed and encrypted by the Rust core, not by this test), taken
// from its delivery log after a real purchase and refund through wxpay-server.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startServer, sandboxCredentials, httpJson, until } = require('./support/server');
const { deploy } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');
const { replyOf } = require('./support/notifies');

const hex = (n) => crypto.randomBytes(n).toString('hex');
const creds = sandboxCredentials();

let srv;
test.before(async () => {
  srv = await startServer({ env: creds });
  Object.assign(process.env, creds);
});
test.after(() => srv && srv.stop());

test('payment and refund notifies from the simulator are verified and applied', async () => {
  const sim = (method, p, body) => httpJson(method, srv.sandboxUrl + p, { body, ca: srv.ca });
  const { code } = (await sim('POST', '/sandbox/login', {})).body;
  const { token } = (await httpJson('POST', srv.base + '/api/login', { body: { code } })).body;
  const order = (await httpJson('POST', srv.base + '/api/orders', { body: { product_id: 1, quantity: 2 }, token })).body;
  assert.equal((await sim('POST', '/sandbox/requestPayment', order.payment)).status, 200);
  const no = order.out_trade_no;
  await until('server PAID', 20000, async () => (await httpJson('GET', `${srv.base}/api/orders/${no}`, { token })).body.status === 'PAID');

  // The payment notify the simulator delivered to the server, fed to the cloud function. The
  // order may show PAID before any notify is sent (reading it asks orderquery first): wait for
  // the simulator's first delivery rather than read its log once.
  const delivery = await until('payment notify delivered', 30000, async () => (await sim('GET', `/sandbox/notifies/${no}`)).body[0]);
  const wechat = (await sim('GET', `/sandbox/orders/${no}`)).body;
  const pdb = createDb({ orders: [{ out_trade_no: no, openid: wechat.openid, total_fee: order.total_fee, status: 'NOTPAY' }] });
  const pay = deploy('payNotify', pdb);
  const res = await pay.main({ httpMethod: 'POST', headers: {}, body: Buffer.from(delivery.body).toString('base64'), isBase64Encoded: true }, {});
  assert.equal(replyOf(res.body).code, 'SUCCESS', res.body);
  assert.equal(pdb.docs('orders')[0].status, 'PAID');
  assert.equal(pdb.docs('orders')[0].transaction_id, wechat.transaction_id);

  // A refund, approved by the merchant; the simulator's refund notify, fed to the other function.
  const refund = (await httpJson('POST', `${srv.base}/api/orders/${no}/refunds`, { body: { reason: '不想要了' }, token })).body;
  const approved = await httpJson('POST', `${srv.base}/admin/api/refunds/${refund.out_refund_no}/approve`, { token: srv.adminToken });
  assert.equal(approved.status, 200, approved.text);
  const refundDelivery = await until('refund notify delivered', 30000, async () => {
    const d = (await sim('GET', `/sandbox/notifies/${refund.out_refund_no}`)).body;
    return d.find((x) => x.acknowledged);
  });
  const rdb = createDb({
    refunds: [{ out_refund_no: refund.out_refund_no, out_trade_no: no, refund_fee: refund.refund_fee, total_fee: order.total_fee, status: 'PROCESSING' }],
  });
  const rf = deploy('refundNotify', rdb);
  const r2 = await rf.main({ httpMethod: 'POST', headers: {}, body: refundDelivery.body, isBase64Encoded: false }, {});
  assert.equal(replyOf(r2.body).code, 'SUCCESS', r2.body);
  assert.equal(rdb.docs('refunds')[0].status, 'SUCCESS');

  // The same notifies under another merchant's key: refused.
  process.env.WXPAY_API_KEY = hex(16);
  const other = deploy('payNotify', createDb({ orders: [{ out_trade_no: no, openid: wechat.openid, total_fee: order.total_fee, status: 'NOTPAY' }] }));
  assert.equal(replyOf((await other.main(delivery.body, {}))).code, 'FAIL');
  const otherRefund = deploy('refundNotify', createDb({ refunds: rdb.docs('refunds') }));
  assert.equal(replyOf(await otherRefund.main(refundDelivery.body, {})).code, 'FAIL');
  process.env.WXPAY_API_KEY = creds.WXPAY_API_KEY;
});
