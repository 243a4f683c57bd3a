'use strict';
// WeChat Pay's API v3 notifies as WeChat makes them, by tests/js/wechat-v3.js (node:crypto only,
// independent of the wasm under test): the resource encrypted AEAD_AES_256_GCM with the APIv3
// key, the body signed SHA256withRSA and sent with the Wechatpay-* headers. The WeChat Pay
// public key and the APIv3 key are made here, per test run: nothing secret is committed.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { wechatHeaders, notifyBody } = require('../../../tests/js/wechat-v3');

/** A merchant as the v3 functions see it, with WeChat's signing key that only WeChat has. */
function newWeChat() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    appId: 'wx2421b1c4370ec43b',
    mchId: '1900000109',
    apiV3Key: crypto.randomBytes(16).toString('hex'),
    publicKeyId: `PUB_KEY_ID_0119000001092026112300${crypto.randomInt(1e6)}`,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    signingKey: privateKey,
  };
}

/**
 * The repository's test platform certificate and its key (tests/data/, made for the tests by
 * tests/data/make_sign_vectors.py; node:crypto cannot issue a certificate): the older mode.
 */
function testPlatformCertificate() {
  const data = path.join(__dirname, '..', '..', '..', 'tests', 'data');
  const pem = fs.readFileSync(path.join(data, 'v3_test_platform_cert.pem'), 'utf8');
  return { pem, serial: new crypto.X509Certificate(pem).serialNumber, key: fs.readFileSync(path.join(data, 'v3_test_platform_key.pem'), 'utf8') };
}

/** The function's environment variables for `w`. */
function envOf(w) {
  return {
    WXPAY_APPID: w.appId,
    WXPAY_MCH_ID: w.mchId,
    WXPAY_APIV3_KEY: w.apiV3Key,
    WXPAY_PUBLIC_KEY: w.publicKeyPem,
    WXPAY_PUBLIC_KEY_ID: w.publicKeyId,
  };
}

const V3_VARS = ['WXPAY_APPID', 'WXPAY_MCH_ID', 'WXPAY_APIV3_KEY', 'WXPAY_PUBLIC_KEY', 'WXPAY_PUBLIC_KEY_ID', 'WXPAY_PLATFORM_CERTIFICATE'];

/** Sets exactly `vars` of the v3 settings (the others removed). */
function setEnv(vars) {
  for (const name of V3_VARS) delete process.env[name];
  Object.assign(process.env, vars);
}

const now = () => Math.floor(Date.now() / 1000);

/** A payment as WeChat reports it in TRANSACTION.SUCCESS, for `order` ({out_trade_no, openid, total_fee}). */
function transaction(w, order, overrides = {}) {
  return {
    mchid: w.mchId,
    appid: w.appId,
    out_trade_no: order.out_trade_no,
    transaction_id: '4200002026112' + String(Date.now()).slice(-13) + '01',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'CMC',
    attach: '',
    success_time: '2026-11-24T12:00:00+08:00',
    payer: { openid: order.openid },
    amount: { total: order.total_fee, payer_total: order.total_fee, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

/** A refund's resource in REFUND.*, for `refund` ({out_refund_no, out_trade_no, refund_fee, total_fee}). */
function refundNotice(w, refund, { status = 'SUCCESS', refundId = '50000000382019052709732678859', transactionId, ...overrides } = {}) {
  return {
    mchid: w.mchId,
    out_trade_no: refund.out_trade_no,
    transaction_id: transactionId,
    out_refund_no: refund.out_refund_no,
    refund_id: refundId,
    refund_status: status,
    success_time: status === 'SUCCESS' ? '2026-11-25T10:00:00+08:00' : undefined,
    user_received_account: '支付用户零钱',
    amount: { total: refund.total_fee, refund: refund.refund_fee, payer_total: refund.total_fee, payer_refund: refund.refund_fee },
    ...overrides,
  };
}

/**
 * A notify as WeChat POSTs it: `{ body, headers }`. `sign` goes to wechatHeaders (default: the
 * WeChat Pay public key's signature); `apiV3Key` encrypts (default `w`'s); `tamper` edits the
 * body text after signing.
 */
function notify(w, eventType, resource, { sign = {}, apiV3Key = w.apiV3Key, tamper } = {}) {
  let body = notifyBody(eventType, JSON.stringify(resource), { key: apiV3Key, createTime: '2026-11-24T12:00:01+08:00' });
  // Names as WeChat writes them; the functions read them in any case.
  const headers = wechatHeaders(body, { timestamp: now(), serial: w.publicKeyId, key: w.signingKey, names: (n) => n, ...sign });
  if (tamper) body = tamper(body);
  return { body, headers };
}

/** The HTTP trigger's event for a notify. */
const httpEvent = ({ body, headers }, extra = {}) => ({
  httpMethod: 'POST',
  path: '/wxpay/v3/notify',
  headers: { 'content-type': 'application/json', ...headers },
  body,
  isBase64Encoded: false,
  ...extra,
});

module.exports = { newWeChat, testPlatformCertificate, envOf, setEnv, transaction, refundNotice, notify, httpEvent, now };
