'use strict';
// WeChat's notifies, made with node:crypto only (independent of the wasm under test): a
// payment notify signed MD5 or HMAC-SHA256, a refund notify with req_info encrypted
// AES-256-ECB under the MD5 of the API key.
const crypto = require('node:crypto');

function sign(fields, key, signType = 'MD5') {
  const text =
    Object.keys(fields)
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] != null)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('&') + `&key=${key}`;
  const h = signType === 'MD5' ? crypto.createHash('md5') : crypto.createHmac('sha256', key);
  return h.update(text, 'utf8').digest('hex').toUpperCase();
}

function xml(fields) {
  return '<xml>' + Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('') + '</xml>';
}

function newMerchant() {
  return { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: crypto.randomBytes(16).toString('hex') };
}

function paymentFields(merchant, order, overrides = {}) {
  return {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    result_code: 'SUCCESS',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: crypto.randomBytes(16).toString('hex'),
    openid: order.openid,
    trade_type: 'JSAPI',
    bank_type: 'CMC',
    total_fee: String(order.total_fee),
    cash_fee: String(order.total_fee),
    fee_type: 'CNY',
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

function encryptReqInfo(innerXml, key) {
  const aesKey = Buffer.from(crypto.createHash('md5').update(key).digest('hex'), 'ascii');
  const c = crypto.createCipheriv('aes-256-ecb', aesKey, null);
  return Buffer.concat([c.update(innerXml, 'utf8'), c.final()]).toString('base64');
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
  }).replace(/^<xml>/, '<root>').replace(/<\/xml>$/, '</root>');
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

module.exports = { sign, xml, newMerchant, paymentNotify, refundNotify, encryptReqInfo, replyOf };
