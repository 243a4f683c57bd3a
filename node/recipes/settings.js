'use strict';
// The merchant's settings, from the environment, read on first use and kept: a missing or
// malformed one fails the notify that needed it (the handler answers FAIL / 500, WeChat sends it
// again), with the variable's name in the log and never its value. Loading this file reads
// nothing, so a server starts and its other routes work while a setting is missing.
const fs = require('node:fs');
const v2 = require('wxpay/notify');
const v3 = require('wxpay/v3');

/** A required variable, or an error naming it (`code: 'SETTING_MISSING'`). */
function env(name) {
  const value = process.env[name];
  if (!value) throw Object.assign(new Error(`${name} is not set`), { code: 'SETTING_MISSING' });
  return value;
}

/** Builds once from the environment; an error is thrown again on every call until it succeeds. */
function once(build) {
  let made;
  return () => (made ||= build());
}

/** API v2: `WXPAY_APPID`, `WXPAY_MCH_ID`, `WXPAY_API_KEY` (the API key, not the AppSecret). */
const merchant = once(() => {
  const config = { appId: env('WXPAY_APPID'), mchId: env('WXPAY_MCH_ID'), key: env('WXPAY_API_KEY') };
  try {
    return new v2.Merchant(config);
  } catch (e) {
    // INVALID_API_KEY and the like: the message names the field, never the key.
    throw Object.assign(new Error(`WXPAY_APPID / WXPAY_MCH_ID / WXPAY_API_KEY: ${e.message}`), { code: e.code });
  }
});

/** API v3: `WXPAY_APIV3_KEY`, `WXPAY_PUBLIC_KEY_ID`, `WXPAY_PUBLIC_KEY` (pub_key.pem). */
const keys = once(() => {
  const id = env('WXPAY_PUBLIC_KEY_ID');
  const file = env('WXPAY_PUBLIC_KEY');
  try {
    return new v3.KeySet({ apiV3Key: env('WXPAY_APIV3_KEY'), publicKeys: { [id]: fs.readFileSync(file) } });
  } catch (e) {
    if (e.code === 'SETTING_MISSING') throw e;
    throw Object.assign(new Error(`WXPAY_APIV3_KEY / WXPAY_PUBLIC_KEY_ID / WXPAY_PUBLIC_KEY: ${e.message}`), { code: e.code });
  }
});

module.exports = { merchant, keys };
