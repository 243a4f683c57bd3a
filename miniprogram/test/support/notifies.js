'use strict';
// WeChat's notifies, made by tests/js/wechat-v2.js (node:crypto only, independent of the wasm
// under test): a payment notify signed MD5 or HMAC-SHA256, a refund notify with req_info
// encrypted AES-256-ECB under the MD5 of the API key.
const crypto = require('node:crypto');
const { sign, xml, encryptReqInfo } = require('../../../tests/js/wechat-v2');

function newMerchant() {
  return { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: crypto.randomBytes(16).toString('hex') };
}

// The realistic notify all the tests share (tests/data/payment_notify.json), made this
// merchant's and this order's.
const NOTIFY_FIXTURE = require('../../../tests/data/payment_notify.json').fields;

function paymentFields(merchant, order, overrides = {}) {
  return {
    ...NOTIFY_FIXTURE,
    return_msg: 'OK',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: crypto.randomBytes(16).toString('hex'),
    openid: order.openid,
    total_fee: String(order.total_fee),
    cash_fee: String(order.total_fee),
    transaction_id: '4200000000000' + String(Date.now()).slice(-13) + '01',
    out_trade_no: order.out_trade_no,
    time_end: '20261124120000',
    ...overrides,
  };
}

/** A payment notify; `tamper` changes fields after signing. */
function paymentNotify(merchant, order, { overrides = {}, tamper = {}, key = merchant.key, signType = 'MD5' } = {}) {
  const fields = paymentFields(merchant, order, overrides);
  fields.sign = sign(fields, key, signType);
  return xml({ ...fields, ...tamper });
}

/** A refund notify for `refund` ({out_refund_no, out_trade_no, refund_fee, total_fee}). */
function refundNotify(merchant, refund, { inner = {}, outer = {}, key = merchant.key } = {}) {
  const info = xml({
    transaction_id: '4200000000000000000000000001',
    out_trade_no: refund.out_trade_no,
    refund_id: '50000000000000000000000000001',
    out_refund_no: refund.out_refund_no,
    total_fee: String(refund.total_fee),
    refund_fee: String(refund.refund_fee),
    settlement_refund_fee: String(refund.refund_fee),
    refund_status: 'SUCCESS',
    success_time: '2026-11-24 12:00:05',
    refund_recv_accout: '支付用户的零钱',
    refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
    refund_request_source: 'API',
    ...inner,
  }, 'root');
  return xml({
    return_code: 'SUCCESS',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: crypto.randomBytes(16).toString('hex'),
    req_info: encryptReqInfo(info, key),
    ...outer,
  });
}

/** return_code and return_msg of a reply. */
function replyOf(text) {
  const get = (k) => (text.match(new RegExp(`<${k}><!\\[CDATA\\[([^\\]]*)\\]\\]></${k}>`)) || [])[1];
  return { code: get('return_code'), msg: get('return_msg') };
}

module.exports = { sign, xml, newMerchant, paymentNotify, refundNotify, replyOf };
