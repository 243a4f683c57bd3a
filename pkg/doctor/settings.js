'use strict';
// The settings `wxpay-server serve` reads (server/src/config), from the environment and an
// optional `KEY=value` file such as the one `wxpay-sim serve --env-file F` writes. A variable of
// the environment wins over the file, as with dotenv; an empty value is not given.
const fs = require('node:fs');

const { finding } = require('./findings');

/** `KEY=value` lines; `#` comments, blank lines and a leading `export ` are allowed, quotes stripped. */
function parseEnvFile(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/**
 * The settings of `env` (and `envFile`'s text), checked as `serve` checks them. Returns
 * `{ settings, findings, secrets }`: `findings` holds SETTING_MISSING / SETTING_INVALID (never a
 * secret's value), `secrets` every secret value given, for the output's last mask.
 */
function readSettings(env, envFileText) {
  const merged = { ...(envFileText === undefined ? {} : parseEnvFile(envFileText)) };
  // An empty variable of the environment unsets the file's (`WXPAY_CLIENT_CERT= npx wxpay doctor`).
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  const get = (name) => {
    const v = merged[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const findings = [];
  const missing = (setting) => findings.push(finding('SETTING_MISSING', { setting }));
  const invalid = (setting, reason) => findings.push(finding('SETTING_INVALID', { setting, reason }));
  const readFile = (setting, file) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      invalid(setting, `${file}: ${e.code || e.message}`);
      return undefined;
    }
  };
  const s = {};

  const version = (get('WXPAY_API_VERSION') || 'v2').toLowerCase();
  if (version !== 'v2' && version !== 'v3') invalid('WXPAY_API_VERSION', 'must be v2 or v3');
  s.version = version === 'v3' ? 'v3' : 'v2';

  s.appId = get('WXPAY_APPID');
  if (!s.appId) missing('WXPAY_APPID');
  else if (!/^wx[0-9A-Za-z]{1,30}$/.test(s.appId)) {
    invalid('WXPAY_APPID', 'must be wx followed by letters and digits');
    s.appId = undefined;
  }
  s.appSecret = get('WXPAY_APP_SECRET');
  if (!s.appSecret) missing('WXPAY_APP_SECRET');
  else if (!/^[0-9A-Za-z]{16,64}$/.test(s.appSecret)) invalid('WXPAY_APP_SECRET', 'must be 16 to 64 letters and digits');
  s.mchId = get('WXPAY_MCH_ID');
  if (!s.mchId) missing('WXPAY_MCH_ID');
  else if (!/^[0-9]{1,32}$/.test(s.mchId)) {
    invalid('WXPAY_MCH_ID', 'must be digits');
    s.mchId = undefined;
  }

  // v2: required in v2; in v3 optional (given, v2 orders in flight are still served).
  s.apiKey = get('WXPAY_API_KEY');
  if (!s.apiKey && s.version === 'v2') missing('WXPAY_API_KEY');
  s.signType = (get('WXPAY_SIGN_TYPE') || 'MD5').toUpperCase();
  if (s.signType !== 'MD5' && s.signType !== 'HMAC-SHA256') {
    invalid('WXPAY_SIGN_TYPE', 'must be MD5 or HMAC-SHA256');
    s.signType = 'MD5';
  }

  s.publicUrl = get('WXPAY_PUBLIC_URL');
  if (!s.publicUrl) missing('WXPAY_PUBLIC_URL');
  else s.publicUrl = s.publicUrl.replace(/\/+$/, '');

  s.apiBase = (get('WXPAY_API_BASE') || 'https://api.mch.weixin.qq.com').replace(/\/+$/, '');
  if (!/^https:\/\/[^?#\s]+$/.test(s.apiBase)) {
    invalid('WXPAY_API_BASE', 'must be an https:// base URL without query (TLS is always verified)');
    s.apiBase = undefined;
  }
  const caFile = get('WXPAY_CA_FILE');
  if (caFile) {
    const pem = readFile('WXPAY_CA_FILE', caFile);
    if (pem && !pem.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) invalid('WXPAY_CA_FILE', 'no CERTIFICATE in the file');
    else if (pem) s.ca = pem.toString('utf8');
  }

  // The merchant API certificate (v2 refunds): PEM pair or PKCS#12, not both.
  const [cert, key, p12] = [get('WXPAY_CLIENT_CERT'), get('WXPAY_CLIENT_KEY'), get('WXPAY_CLIENT_P12')];
  const p12Password = get('WXPAY_CLIENT_P12_PASSWORD');
  s.client = null;
  if (p12 && (cert || key)) invalid('WXPAY_CLIENT_P12', 'give either WXPAY_CLIENT_CERT + WXPAY_CLIENT_KEY or WXPAY_CLIENT_P12, not both');
  else if (p12) s.client = { kind: 'p12', file: p12, password: p12Password || s.mchId };
  else if (cert && !key) missing('WXPAY_CLIENT_KEY');
  else if (key && !cert) missing('WXPAY_CLIENT_CERT');
  else if (cert && key) s.client = { kind: 'pem', certFile: cert, keyFile: key };

  // v3: required in v3; in v2 checked when any is given (serve serves v3 orders in flight then).
  const v3Names = ['WXPAY_MCH_PRIVATE_KEY', 'WXPAY_MCH_SERIAL', 'WXPAY_APIV3_KEY', 'WXPAY_PUBLIC_KEY', 'WXPAY_PUBLIC_KEY_ID'];
  s.v3 = null;
  if (s.version === 'v3' || v3Names.some(get)) {
    const v3 = {
      keyFile: get('WXPAY_MCH_PRIVATE_KEY'),
      serial: get('WXPAY_MCH_SERIAL') && get('WXPAY_MCH_SERIAL').toUpperCase(),
      apiV3Key: get('WXPAY_APIV3_KEY'),
      publicKeyFile: get('WXPAY_PUBLIC_KEY'),
      publicKeyId: get('WXPAY_PUBLIC_KEY_ID'),
    };
    let ok = true;
    for (const [name, v] of [['WXPAY_MCH_PRIVATE_KEY', v3.keyFile], ['WXPAY_MCH_SERIAL', v3.serial], ['WXPAY_APIV3_KEY', v3.apiV3Key]]) {
      if (!v) {
        missing(name);
        ok = false;
      }
    }
    if (v3.publicKeyFile && !v3.publicKeyId) {
      missing('WXPAY_PUBLIC_KEY_ID');
      ok = false;
    } else if (v3.publicKeyId && !v3.publicKeyFile) {
      missing('WXPAY_PUBLIC_KEY');
      ok = false;
    }
    if (v3.keyFile) {
      const pem = readFile('WXPAY_MCH_PRIVATE_KEY', v3.keyFile);
      if (pem) v3.privateKey = pem.toString('utf8');
      else ok = false;
    }
    if (v3.publicKeyFile) {
      const pem = readFile('WXPAY_PUBLIC_KEY', v3.publicKeyFile);
      if (pem) v3.publicKey = pem.toString('utf8');
      else ok = false;
    }
    if (ok) s.v3 = v3;
  }

  // A p12 password of digits is a merchant number (WeChat's default is the mch_id), printed as such.
  const p12Secret = p12Password && !/^[0-9]+$/.test(p12Password) ? p12Password : undefined;
  const secrets = [s.appSecret, s.apiKey, get('WXPAY_APIV3_KEY'), p12Secret, get('ADMIN_TOKEN'), get('DATABASE_URL')];
  return { settings: s, findings, secrets: secrets.filter(Boolean) };
}

module.exports = { parseEnvFile, readSettings };
