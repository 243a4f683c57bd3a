'use strict';
// API v3: the private key and its serial (a signed query of a made-up order: 404
// ORDER_NOT_EXIST means WeChat accepted the signature; a SIGN_ERROR's sign_information shows the
// message WeChat verified, compared line by line with ours), the APIv3 key (the certificate
// download), WeChat's answers verified under the configured key, the public key id's format.
const crypto = require('node:crypto');

const v3 = require('../v3');
const { finding } = require('./findings');
const { request, describe } = require('./net');

const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9]+$/;

/** An answer as the package reads it, and its JSON (or null). */
function answerOf(res) {
  let json;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    json = null;
  }
  return { response: { status: res.status, headers: res.headers, body: res.body }, json };
}

/** `HTTP 500 SYSTEM_ERROR: 系统错误`: an answer in a few words (WeChat's words: no secret). */
function summary(res, json) {
  const code = json && typeof json.code === 'string' ? ` ${json.code}` : '';
  const message = json && typeof json.message === 'string' ? `: ${json.message}` : '';
  return `HTTP ${res.status}${code}${message}`;
}

/** `2 (path)`: a line of the signed message by its number and name, as both doctors print it. */
const LINE_NUMBERS = { method: 1, path: 2, timestamp: 3, nonce: 4, body: 5 };
const lineName = (line) => `${LINE_NUMBERS[line]} (${line})`;

/**
 * A 401 SIGN_ERROR (`body` as received) about `request` (what was signed: method, pathAndQuery,
 * body, timestamp, nonceStr): the core's diagnosis (`wxpay/v3`'s `diagnoseSignError`, the rule
 * wxpay-server uses) when WeChat showed the message it verified, else what its message names.
 */
function diagnoseSignError(body, json, request, s, skewSecs) {
  const d = v3.diagnoseSignError(body, request);
  if (d && d.kind === 'sameMessage') return finding('V3_KEY_NOT_SERIAL', { serial: s.v3.serial });
  if (d && d.kind === 'lineDiffers') {
    return finding('V3_SIGN_MESSAGE_DIFFERS', { line: lineName(d.line), ours: JSON.stringify(d.signed), theirs: JSON.stringify(d.expected) });
  }
  if (d && d.kind === 'lengthDiffers') {
    return finding('V3_SIGN_MESSAGE_DIFFERS', { line: lineName('body'), ours: `${d.signed} bytes`, theirs: `${d.expected} bytes` });
  }
  const message = String((json && json.message) || '');
  if (/序列号|serial/i.test(message)) return finding('V3_SERIAL_REJECTED', { serial: s.v3.serial, message });
  if (/商户号|mchid/i.test(message)) return finding('V3_MCHID_REJECTED', { mch_id: s.mchId, message });
  // Signed with WeChat's time already: a refusal of the timestamp is the clock all the same.
  if (/时间戳|timestamp/i.test(message)) return finding('CLOCK_SKEW', { skew: Math.abs(skewSecs) });
  return finding('V3_ANSWER_UNEXPECTED', { reason: `HTTP 401 SIGN_ERROR: ${message}` });
}

/** The merchant and WeChat's keys of the settings, or findings saying why not. */
function setUp(s) {
  const c = s.v3;
  const out = [];
  if (c.publicKeyId && !PUBLIC_KEY_ID.test(c.publicKeyId)) out.push(finding('V3_PUBLIC_KEY_ID_FORMAT'));
  let merchant;
  try {
    merchant = new v3.Merchant({ appId: s.appId, mchId: s.mchId, serialNo: c.serial, privateKey: c.privateKey, apiBase: s.apiBase });
  } catch (e) {
    // The package's messages name the shape, never the key.
    const setting = e.code === 'INVALID_KEY' ? 'WXPAY_MCH_PRIVATE_KEY' : 'WXPAY_MCH_SERIAL';
    out.push(finding('SETTING_INVALID', { setting, reason: e.message }));
  }
  let keys;
  try {
    keys = new v3.KeySet({ apiV3Key: c.apiV3Key });
  } catch (e) {
    out.push(finding('SETTING_INVALID', { setting: 'WXPAY_APIV3_KEY', reason: e.message }));
  }
  if (keys && c.publicKey && PUBLIC_KEY_ID.test(c.publicKeyId)) {
    try {
      keys.addPublicKey(c.publicKeyId, c.publicKey);
    } catch (e) {
      out.push(finding('SETTING_INVALID', { setting: 'WXPAY_PUBLIC_KEY', reason: `${c.publicKeyFile}: ${e.message}` }));
    }
  }
  return { findings: out, merchant, keys };
}

/** Every v3 check. `skewSecs`: WeChat's time minus ours; requests are signed in WeChat's time. */
async function checkV3(s, skewSecs = 0) {
  if (!s.v3 || !s.appId || !s.mchId || !s.apiBase) return [];
  const { findings: out, merchant, keys } = setUp(s);
  if (!merchant) return out;
  const now = () => Math.floor(Date.now() / 1000) + skewSecs;
  const options = () => {
    const o = { timestamp: now(), nonceStr: crypto.randomBytes(16).toString('hex') };
    if (keys && keys.serials.length) o.wechatpaySerial = keys.requestSerial(o.timestamp);
    return o;
  };
  const send = async (signed) => request(signed.url, { method: signed.method, headers: signed.headers, ca: s.ca });

  // 1. The signature: a query of an order no one placed.
  const opts = options();
  const query = merchant.buildQueryByOutTradeNo({ outTradeNo: `DOCTOR${Date.now()}${crypto.randomBytes(4).toString('hex')}` }, opts);
  let res;
  try {
    res = await send(query);
  } catch (e) {
    return [...out, finding('WECHAT_UNREACHABLE', { base: s.apiBase, reason: describe(e) })];
  }
  const queried = answerOf(res);
  const code = queried.json && queried.json.code;
  if ((res.status === 404 && code === 'ORDER_NOT_EXIST') || res.status === 200) {
    out.push(finding('V3_SIGN_OK', { serial: s.v3.serial }));
  } else if (res.status === 401 && code === 'SIGN_ERROR') {
    // Nothing else can be asked of WeChat with a signature it refuses.
    const signed = { method: query.method, pathAndQuery: query.pathAndQuery, body: query.body, timestamp: opts.timestamp, nonceStr: opts.nonceStr };
    return [...out, diagnoseSignError(res.body, queried.json, signed, s, skewSecs)];
  } else {
    return [...out, finding('V3_ANSWER_UNEXPECTED', { reason: summary(res, queried.json) })];
  }
  if (!keys) return out;

  // 2. The APIv3 key: the platform certificates' download decrypts (none in public-key mode).
  let certificates;
  try {
    certificates = await send(merchant.buildDownloadCertificates(options()));
  } catch (e) {
    return [...out, finding('WECHAT_UNREACHABLE', { base: s.apiBase, reason: describe(e) })];
  }
  const downloaded = answerOf(certificates);
  if (certificates.status === 404) {
    out.push(finding('V3_APIV3_KEY_UNCHECKED'));
  } else {
    try {
      const held = keys.addDownloadedCertificates(downloaded.response, now());
      out.push(finding('V3_APIV3_KEY_OK'));
      if (!s.v3.publicKey) out.push(finding('V3_ANSWER_OK', { key: held.map((c) => c.serialNo).join(', ') }));
    } catch (e) {
      if (e.code === 'AEAD_TAG_MISMATCH') out.push(finding('V3_APIV3_KEY_WRONG'));
      else if (e.code === 'API_ERROR') out.push(finding('V3_ANSWER_UNEXPECTED', { reason: summary(certificates, downloaded.json) }));
      else out.push(finding('V3_ANSWER_UNVERIFIED', { key: certificates.headers['wechatpay-serial'] || '(none)' }));
    }
  }

  // 3. WeChat's answer to the query, verified under the configured WeChat Pay public key.
  if (s.v3.publicKey && keys.serials.includes(s.v3.publicKeyId)) {
    try {
      keys.verifySignature(queried.response.headers, queried.response.body, now());
      out.push(finding('V3_ANSWER_OK', { key: s.v3.publicKeyId }));
    } catch (e) {
      out.push(finding('V3_ANSWER_UNVERIFIED', { key: s.v3.publicKeyId }));
    }
  }
  return out;
}

module.exports = { checkV3, diagnoseSignError, PUBLIC_KEY_ID };
