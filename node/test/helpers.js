'use strict';
// Shared fixtures for the pkg tests. Signing and encryption are tests/js/wechat-v2.js
// (node:crypto only), so the tests check the wasm package against an independent
// implementation, not against itself.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const wxpay = require('../../pkg');
const wechatV2 = require('../../tests/js/wechat-v2');

const { sign: jsSign, xml: jsXml } = wechatV2;

const ROOT = path.join(__dirname, '..', '..');
const data = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'data', name), 'utf8'));

// WeChat's official example key; never a real merchant's.
const KEY = '192006250b4c09247ec02edce69f6a2d';
const OTHER_KEY = crypto.randomBytes(16).toString('hex');
const MERCHANT = Object.freeze({ appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: KEY });

/** A flat XML reader independent of the package (enough for what the package writes). */
function jsParseXml(xml) {
  const out = {};
  const re = /<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  for (const m of xml.replace(/^<xml>|<\/xml>$/g, '').matchAll(re)) out[m[1]] = m[2] ?? m[3];
  return out;
}

// The realistic notify all the tests and benchmarks share (unsigned), with this merchant.
const NOTIFY_FIXTURE = data('payment_notify.json').fields;

function notifyFields(overrides = {}) {
  return { ...NOTIFY_FIXTURE, appid: MERCHANT.appId, mch_id: MERCHANT.mchId, ...overrides };
}

/** A payment notify as WeChat would POST it, signed with node:crypto. */
function signedNotify(overrides = {}, { key = KEY, signType = 'MD5' } = {}) {
  const fields = notifyFields(overrides);
  fields.sign = jsSign(fields, key, signType);
  return jsXml(fields);
}

/** A signed answer from WeChat: return_code and result_code SUCCESS plus `fields`. */
function signedResponse(fields, { key = KEY, signType = 'MD5' } = {}) {
  const all = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    result_code: 'SUCCESS',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    nonce_str: 'IITRi8Iabbblz1Jc',
    ...fields,
  };
  all.sign = jsSign(all, key, signType);
  return jsXml(all);
}

/** req_info as WeChat makes it, under the test key unless told otherwise. */
const encryptReqInfo = (innerXml, key = KEY, options = {}) => wechatV2.encryptReqInfo(innerXml, key, options);

function refundNotify(reqInfo, overrides = {}) {
  return jsXml({
    return_code: 'SUCCESS',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    nonce_str: 'TeqClE3i0mvn3DrK',
    req_info: reqInfo,
    ...overrides,
  });
}

/** The error `fn` throws (a test fails when it does not throw). */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

/** Calls `fn`, expects a WxPayError with `code`, and returns it. */
function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${e}`, { cause: e });
    return e.code;
  }
  throw new Error('did not throw');
}

/** `fn` run with `crypto.getRandomValues` failing, as on a platform without a random source. */
const withoutEntropy = (fn) => () => {
  const c = globalThis.crypto;
  Object.defineProperty(c, 'getRandomValues', { configurable: true, value: () => { throw new Error('no entropy'); } });
  try {
    fn();
  } finally {
    delete c.getRandomValues;
  }
};

/** The codes of `Error::code` in src/error.rs: every code the core can throw. */
function coreCodes() {
  const errorRs = fs.readFileSync(path.join(ROOT, 'src', 'error.rs'), 'utf8');
  const codeFn = errorRs.slice(errorRs.indexOf('pub fn code('), errorRs.indexOf('pub fn is_retryable('));
  return [...codeFn.matchAll(/=> "([A-Z0-9_]+)"/g)].map((m) => m[1]);
}

/** The `ErrorCode` union of an entry point's declarations (`pkg/wasm/NAME.d.ts`). */
function declaredCodes(name) {
  const dts = fs.readFileSync(path.join(ROOT, 'pkg', 'wasm', `${name}.d.ts`), 'utf8');
  return [...dts.slice(dts.indexOf('export type ErrorCode')).split(';')[0].matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
}

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = {
  seeded,
  wxpay,
  coreCodes,
  declaredCodes,
  withoutEntropy,
  data,
  ROOT,
  KEY,
  OTHER_KEY,
  MERCHANT,
  jsSign,
  jsXml,
  jsParseXml,
  notifyFields,
  signedNotify,
  signedResponse,
  encryptReqInfo,
  refundNotify,
  codeOf,
  thrown,
};
