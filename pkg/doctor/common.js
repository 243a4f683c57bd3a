'use strict';
// The checks of both versions: the notify URL, and the clock against WeChat's `Date`.
const { finding } = require('./findings');
const { request, describe } = require('./net');

/** Beyond this, the clock is a failure (v3 refuses timestamps 300 s off; orders' times go wrong sooner). */
const SKEW_LIMIT_SECS = 60;
/** WeChat's notify_url limit, in bytes. */
const NOTIFY_URL_MAX = 256;
/** The callback paths `serve` derives from WXPAY_PUBLIC_URL (server/src/config). */
const NOTIFY_PATHS = ['/wxpay/notify', '/wxpay/refund-notify', '/wxpay/v3/notify'];

/** `localhost`, `127.x.x.x`, `[::1]`: a host only this machine can reach. */
function isLoopbackUrl(url) {
  let host;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * WXPAY_PUBLIC_URL: https (http only for a local sandbox: the public URL and the API base both
 * on loopback), and every notify URL within 256 bytes.
 */
function checkPublicUrl(s) {
  if (!s.publicUrl) return [];
  const out = [];
  const https = /^https:\/\/[^/?#\s]+/.test(s.publicUrl);
  const sandbox = /^http:\/\//.test(s.publicUrl) && isLoopbackUrl(s.publicUrl) && s.apiBase && isLoopbackUrl(s.apiBase);
  if (!https && !sandbox) out.push(finding('PUBLIC_URL_NOT_HTTPS'));
  const longest = Math.max(...NOTIFY_PATHS.map((p) => Buffer.byteLength(s.publicUrl + p)));
  if (longest > NOTIFY_URL_MAX) out.push(finding('PUBLIC_URL_TOO_LONG', { url_length: longest }));
  // A loopback sandbox's http URL is allowed but not https: no line claims it is.
  if (out.length === 0 && https) out.push(finding('PUBLIC_URL_OK'));
  return out;
}

/**
 * The clock against WeChat's `Date` (any answer carries it: an unsigned GET, refused 401).
 * Returns `{ findings, skewSecs }`, skewSecs WeChat's time minus ours, or `{ findings,
 * unreachable: true }`.
 */
async function checkClock(s) {
  let res;
  try {
    res = await request(`${s.apiBase}/v3/certificates`, { ca: s.ca, headers: { Accept: 'application/json' } });
  } catch (e) {
    return { findings: [finding('WECHAT_UNREACHABLE', { base: s.apiBase, reason: describe(e) })], unreachable: true };
  }
  const date = Date.parse(res.headers.date || '');
  if (Number.isNaN(date)) {
    return { findings: [finding('WECHAT_UNREACHABLE', { base: s.apiBase, reason: 'the answer has no Date header' })], skewSecs: 0 };
  }
  // `Date` has whole seconds, cut: its middle is half a second later; ours, the call's middle.
  const skewSecs = Math.round((date + 500 - (res.sentAt + res.receivedAt) / 2) / 1000);
  const skew = Math.abs(skewSecs);
  return { findings: [finding(skew > SKEW_LIMIT_SECS ? 'CLOCK_SKEW' : 'CLOCK_OK', { skew })], skewSecs };
}

module.exports = { checkPublicUrl, checkClock, isLoopbackUrl, SKEW_LIMIT_SECS };
