'use strict';
// Shared fixtures for the `wxpay/v3` tests: WeChat's side of API v3 written with node:crypto
// only (RSA signatures, AES-256-GCM resources, the Authorization header read back), so the
// tests hold the wasm package to an independent implementation. Keys: the test keys of
// scripts/make-v3-vectors (tests/data/v3_test_*.pem), or fresh ones from generateKeyPairSync.
const fs = require('node:fs');
const path = require('node:path');

const v3 = require('../../pkg/v3');
const wechat = require('../../tests/js/wechat-v3');
const { ROOT, data } = require('./helpers');

const pem = (name) => fs.readFileSync(path.join(ROOT, 'tests', 'data', name), 'utf8');
const V = data('v3_vectors.json');
const PEM = Object.freeze({
  merchantKey: pem('v3_test_merchant_key.pem'),
  merchantPublicKey: pem('v3_test_merchant_public_key.pem'),
  wechatKey: pem('v3_test_wechatpay_key.pem'),
  wechatPublicKey: pem('v3_test_wechatpay_public_key.pem'),
  platformKey: pem('v3_test_platform_key.pem'),
  platformCert: pem('v3_test_platform_cert.pem'),
});
const CONFIG = Object.freeze({ appId: V.appid, mchId: V.mchid, serialNo: V.merchant_serial_no, privateKey: PEM.merchantKey });
const KEYS = Object.freeze({ apiV3Key: V.api_v3_key, publicKeys: { [V.public_key_id]: PEM.wechatPublicKey }, certificates: [PEM.platformCert] });

const now = () => Math.floor(Date.now() / 1000);

/** WeChat's signature headers over `body` (as node:http delivers them: lower-case names). */
function wechatHeaders(body, { timestamp = now(), nonce, serial = V.public_key_id, key = PEM.wechatKey } = {}) {
  return wechat.wechatHeaders(body, { timestamp, nonce, serial, key });
}

/** An AEAD_AES_256_GCM resource as WeChat makes it: 12-character nonce, tag after the ciphertext. */
function encryptResource(plaintext, { key = V.api_v3_key, nonce, associatedData = 'transaction', originalType = 'transaction' } = {}) {
  return wechat.encryptResource(plaintext, { key, nonce, associatedData, originalType });
}

/** A payment as WeChat reports it (snake_case JSON, as in the notify resource and the query). */
function transaction(overrides = {}) {
  return {
    mchid: V.mchid, appid: V.appid, out_trade_no: '20261123000001', transaction_id: '4200000215202611230261405420',
    trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'CMC', attach: '门店 7',
    success_time: '2026-11-23T12:00:00+08:00', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 1200, payer_total: 1200, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

/** A notify WeChat would POST: the body (exact bytes) and its signed headers. */
function signedNotify(resource = transaction(), { eventType = 'TRANSACTION.SUCCESS', encrypt = {}, sign = {} } = {}) {
  const plaintext = typeof resource === 'string' ? resource : JSON.stringify(resource);
  const body = wechat.notifyBody(eventType, plaintext, { key: encrypt.key ?? V.api_v3_key, encrypt });
  return { body, headers: wechatHeaders(body, sign) };
}

/** An answer WeChat would send: `{ status, headers, body }` with the body signed. */
function signedResponse(json, { status = 200, sign = {} } = {}) {
  const body = json === undefined ? '' : JSON.stringify(json);
  return { status, headers: wechatHeaders(body, sign), body };
}

/** The fields of an `Authorization` header, read independently of the package. */
function parseAuthorization(header) {
  const m = header.match(/^WECHATPAY2-SHA256-RSA2048 (.*)$/);
  if (!m) throw new Error(`not a v3 Authorization header: ${header}`);
  return Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
}

/** What a request signature covers (签名生成): five lines, each ending in \n. */
function requestMessage(method, pathAndQuery, timestamp, nonce, body = '') {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** WeChat's snake_case names in camelCase, `appid`/`mchid` as `appId`/`mchId`: the package's result shape. */
function camel(value) {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== 'object') return value;
  const name = (k) => ({ appid: 'appId', mchid: 'mchId' })[k] ?? k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [name(k), camel(v)]));
}

module.exports = {
  v3, V, PEM, CONFIG, KEYS, now, wechatHeaders, encryptResource, transaction, signedNotify, signedResponse,
  parseAuthorization, requestMessage, camel,
};
