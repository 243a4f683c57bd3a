'use strict';
// WeChat's side of API v2, written from the spec with node:crypto only: the signature, the XML
// WeChat sends, and a refund notify's req_info. The JS tests (node/test, miniprogram/test,
// sim/e2e) check the wasm package, the cloud functions and the simulator against this, an
// implementation that shares no code with the Rust core. It is the only copy: require it by
// relative path (it needs nothing from npm, so each test tree can run alone).
//
// Not the benchmark's JS signer (node/bench/wasm-vs-js.js): that one is the competitor being
// measured, and stays as a library user would write it.
const crypto = require('node:crypto');

/**
 * 安全规范: the fields but `sign` whose value is neither empty nor absent, names in ASCII order
 * (UTF-8 byte order, for names outside ASCII), `k=v` joined by `&`, then `&key=` and the API
 * key; MD5 or HMAC-SHA256 (keyed with the API key), uppercase hex.
 * @param {Record<string, string | number | null | undefined>} fields
 * @param {string} key the API key
 * @param {'MD5' | 'HMAC-SHA256'} [signType]
 */
function sign(fields, key, signType = 'MD5') {
  const names = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] != null)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const text = names.map((k) => `${k}=${fields[k]}`).concat(`key=${key}`).join('&');
  const h = signType === 'MD5' ? crypto.createHash('md5') : crypto.createHmac('sha256', key);
  return h.update(text, 'utf8').digest('hex').toUpperCase();
}

/** A flat XML message as WeChat writes one: each value in CDATA, under `<xml>` (or `root`). */
function xml(fields, root = 'xml') {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('');
  return `<${root}>${body}</${root}>`;
}

/**
 * A refund notify's req_info: AES-256-ECB under the lowercase hex MD5 of the API key, base64.
 * `padding: false` leaves out PKCS#7 (the caller pads, or makes a broken one on purpose).
 */
function encryptReqInfo(innerXml, key, { padding = true } = {}) {
  const aesKey = Buffer.from(crypto.createHash('md5').update(key).digest('hex'), 'ascii');
  const c = crypto.createCipheriv('aes-256-ecb', aesKey, null);
  c.setAutoPadding(padding);
  return Buffer.concat([c.update(innerXml, 'utf8'), c.final()]).toString('base64');
}

/**
 * The fields of a payment notify as tests/data/acceptance_cases.json describes one: the shared
 * fixture's (tests/data/payment_notify.json) for this merchant, with the case's overrides, a
 * null removing a field. Unsigned.
 */
function caseNotifyFields(fixture, overrides, { appId, mchId }) {
  const out = { ...fixture, appid: appId, mch_id: mchId };
  for (const [k, v] of Object.entries(overrides || {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

module.exports = { sign, xml, encryptReqInfo, caseNotifyFields };
