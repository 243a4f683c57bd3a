'use strict';
// API v2: the key (an orderquery of a made-up order: 签名错误 or ORDERNOTEXIST) and the merchant
// API certificate (its password, whose merchant it is, its expiry, and that WeChat accepts it).
const crypto = require('node:crypto');
const fs = require('node:fs');
const tls = require('node:tls');

const wxpay = require('..');
const { finding } = require('./findings');
const { request, describe } = require('./net');

/** Warn this many days before the certificate expires. */
const EXPIRY_WARN_DAYS = 30;

/** An out_trade_no no one has used: `DOCTOR` + time + random (at most 32 characters). */
function madeUpTradeNo() {
  return `DOCTOR${Date.now()}${crypto.randomBytes(4).toString('hex')}`;
}

/** The v2 merchant of the settings, or a finding saying why there is none. */
function merchantOf(s) {
  try {
    return { merchant: new wxpay.Merchant({ appId: s.appId, mchId: s.mchId, key: s.apiKey, signType: s.signType }) };
  } catch (e) {
    // The package's messages never carry the key (node/README.md).
    return { findings: [finding('SETTING_INVALID', { setting: 'WXPAY_API_KEY', reason: e.message })] };
  }
}

/** The key: the AppSecret in its place, then what WeChat says of an orderquery signed with it. */
async function checkKey(s, merchant) {
  if (s.appSecret && s.apiKey === s.appSecret) return [finding('V2_KEY_IS_APP_SECRET')];
  const body = merchant.buildOrderQuery({ outTradeNo: madeUpTradeNo() });
  let res;
  try {
    res = await request(`${s.apiBase}/pay/orderquery`, { method: 'POST', body, ca: s.ca, headers: { 'Content-Type': 'text/xml' } });
  } catch (e) {
    return [finding('WECHAT_UNREACHABLE', { base: s.apiBase, reason: describe(e) })];
  }
  let fields;
  try {
    fields = wxpay.parseXml(res.body);
  } catch (e) {
    return [finding('V2_ANSWER_UNEXPECTED', { reason: `HTTP ${res.status}, not WeChat's XML (${e.code})` })];
  }
  // WeChat's answer to a bad signature: return_code FAIL, 签名错误 (sometimes with more after it), unsigned.
  if (fields.return_code === 'FAIL' && String(fields.return_msg || '').startsWith('签名错误')) {
    return [finding('V2_KEY_REJECTED', { mch_id: s.mchId, sign_type: s.signType })];
  }
  try {
    merchant.parseOrderQueryResponse(res.body); // an order found: the signature verified all the same
    return [finding('V2_KEY_OK')];
  } catch (e) {
    if (e.code === 'BUSINESS_ERROR' && e.errCode === 'ORDERNOTEXIST') return [finding('V2_KEY_OK')];
    return [finding('V2_ANSWER_UNEXPECTED', { reason: `${e.code}${e.errCode ? ` ${e.errCode}` : ''}: ${e.message}` })];
  }
}

/** `2027-12-07` of a certificate's `validTo`. */
const day = (date) => date.toISOString().slice(0, 10);

/**
 * The certificate and the TLS options that present it, or `{ findings }`: the PKCS#12's password,
 * then the file's contents. Node reads a PKCS#12 only into a TLS context; the certificate is
 * taken back from it (DER) to read its subject and expiry.
 */
function loadIdentity(s) {
  const c = s.client;
  const unreadable = (reason) => ({ findings: [finding('CERT_UNREADABLE', { reason })] });
  if (c.kind === 'p12') {
    let pfx;
    try {
      pfx = fs.readFileSync(c.file);
    } catch (e) {
      return unreadable(`WXPAY_CLIENT_P12 ${c.file}: ${e.code || e.message}`);
    }
    let context;
    try {
      context = tls.createSecureContext({ pfx, passphrase: c.password });
    } catch (e) {
      if (/mac verify|password|bad decrypt/i.test(e.message)) return { findings: [finding('P12_PASSWORD_WRONG')] };
      return unreadable(`WXPAY_CLIENT_P12 ${c.file}: ${e.message}`);
    }
    const der = context.context && typeof context.context.getCertificate === 'function' ? context.context.getCertificate() : null;
    if (!der) return unreadable(`WXPAY_CLIENT_P12 ${c.file}: no certificate in it`);
    return { cert: new crypto.X509Certificate(der), tlsOptions: { pfx, passphrase: c.password } };
  }
  let certPem;
  let keyPem;
  try {
    certPem = fs.readFileSync(c.certFile);
  } catch (e) {
    return unreadable(`WXPAY_CLIENT_CERT ${c.certFile}: ${e.code || e.message}`);
  }
  try {
    keyPem = fs.readFileSync(c.keyFile);
  } catch (e) {
    return unreadable(`WXPAY_CLIENT_KEY ${c.keyFile}: ${e.code || e.message}`);
  }
  let cert;
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (e) {
    return unreadable(`WXPAY_CLIENT_CERT ${c.certFile}: not a PEM certificate`);
  }
  let key;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (e) {
    return unreadable(`WXPAY_CLIENT_KEY ${c.keyFile}: not a PEM private key`);
  }
  if (!cert.checkPrivateKey(key)) return unreadable('WXPAY_CLIENT_KEY is not the private key of WXPAY_CLIENT_CERT');
  return { cert, tlsOptions: { cert: certPem, key: keyPem } };
}

/** The merchant API certificate: opens, is this merchant's, is valid, and WeChat accepts it. */
async function checkCertificate(s, merchant, now = Date.now()) {
  if (!s.client) return [finding('CERT_NOT_CONFIGURED')];
  const id = loadIdentity(s);
  if (id.findings) return id.findings;
  const cn = (/(?:^|\n)CN=([^\n]*)/.exec(id.cert.subject) || [])[1] || '';
  if (cn !== s.mchId) return [finding('CERT_OTHER_MERCHANT', { cn: cn || '(none)', mch_id: s.mchId })];
  const notAfter = new Date(id.cert.validTo);
  if (notAfter.getTime() <= now) return [finding('CERT_EXPIRED', { date: day(notAfter) })];
  const out = [];
  const days = Math.floor((notAfter.getTime() - now) / 86400000);
  if (days < EXPIRY_WARN_DAYS) out.push(finding('CERT_EXPIRING', { date: day(notAfter), days }));
  // The certificate where v2 needs it: /secapi/pay/refund of an order nobody placed (WeChat
  // answers ORDERNOTEXIST; /pay/refundquery takes no certificate). WeChat's front end refuses a
  // certificate it does not accept (in the handshake, or with nginx's HTTP 400 page); any XML
  // answer means it got through.
  const body = merchant
    ? merchant.buildRefund({ outTradeNo: madeUpTradeNo(), outRefundNo: madeUpTradeNo(), totalFee: 1, refundFee: 1 })
    : '<xml></xml>';
  let res;
  try {
    res = await request(`${s.apiBase}/secapi/pay/refund`, {
      method: 'POST',
      body,
      ca: s.ca,
      tlsOptions: id.tlsOptions,
      headers: { 'Content-Type': 'text/xml' },
    });
  } catch (e) {
    return [...out, finding('CERT_REFUSED', { reason: describe(e) })];
  }
  const text = res.body.toString('utf8');
  if (res.status !== 200 || !/^\s*<xml>/.test(text)) {
    const title = (/<title>([^<]*)<\/title>/i.exec(text) || [])[1];
    return [...out, finding('CERT_REFUSED', { reason: `HTTP ${res.status}${title ? `: ${title}` : ''}` })];
  }
  return [...out, finding('CERT_OK', { mch_id: s.mchId, date: day(notAfter) })];
}

/** Every v2 check, in order: the key, then the certificate. */
async function checkV2(s) {
  if (!s.apiKey || !s.appId || !s.mchId || !s.apiBase) return [];
  const m = merchantOf(s);
  const out = m.findings ? [...m.findings] : await checkKey(s, m.merchant);
  return [...out, ...(await checkCertificate(s, m.merchant))];
}

module.exports = { checkV2, checkKey, checkCertificate, loadIdentity };
