'use strict';
// `wxpay/v3` computes RSA, RSA-OAEP and AES-256-GCM with node:crypto (the core's HostCrypto,
// wasm/src/v3_crypto.rs) and keeps the core's rules: the module asks the host for them, the
// answers are node:crypto's byte for byte, keys are refused with the codes and messages the
// package gave when ring computed inside WebAssembly, and each export that reads a key works as
// the first call of a fresh process.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { v3, V, PEM, CONFIG, KEYS, signedNotify, encryptResource, transaction } = require('./v3-helpers');

const PKG = path.join(__dirname, '..', '..', 'pkg');

describe('the host computes', () => {
  test("wxpay/v3's module imports node:crypto's primitives rather than carrying its own", () => {
    const module = new WebAssembly.Module(fs.readFileSync(path.join(PKG, 'wasm', 'v3_bg.wasm')));
    const imported = WebAssembly.Module.imports(module).map((i) => i.name);
    for (const name of ['importPrivateKey', 'importPublicKey', 'releaseKey', 'rsaSign', 'rsaVerify', 'oaepEncrypt', 'oaepDecrypt', 'aesGcmOpen', 'aesGcmSeal']) {
      assert.ok(imported.some((i) => i.startsWith(`__wbg_${name}_`)), `imports ${name}`);
    }
    // ...from the snippet that calls node:crypto (wasm/src/v3_crypto.js), which scripts/build-wasm
    // writes into the glue.
    const glue = fs.readFileSync(path.join(PKG, 'wasm', 'v3.js'), 'utf8');
    const at = glue.indexOf('// v3_crypto.js, a snippet of wxpay-wasm');
    assert.ok(at >= 0, 'the glue carries wasm/src/v3_crypto.js');
    const snippet = glue.slice(at, glue.indexOf('return exports;', at));
    assert.match(snippet, /require\('crypto'\)/, 'v3_crypto.js requires node:crypto');
  });

  test("signatures are node:crypto's, byte for byte, and node:crypto's verify", () => {
    const merchant = new v3.Merchant(CONFIG);
    const key = crypto.createPrivateKey(PEM.merchantKey);
    const pay = merchant.paymentParams({ prepayId: 'wx18154600000000000000000000000000', timeStamp: V.now, nonceStr: 'n1' });
    const message = `${V.appid}\n${V.now}\nn1\nprepay_id=wx18154600000000000000000000000000\n`;
    assert.equal(pay.paySign, crypto.sign('sha256', Buffer.from(message), key).toString('base64'));
    for (const r of V.requests) {
      const init = { method: r.method, pathAndQuery: r.path, body: r.body, timestamp: r.timestamp, nonceStr: r.nonce };
      assert.equal(merchant.buildAuthorization(init), r.authorization);
    }
    // A notify node:crypto signed (tests/js/wechat-v3.js), opened; one byte changed, refused.
    const { body, headers } = signedNotify(transaction({ out_trade_no: 'HOST0001' }));
    const keys = new v3.KeySet(KEYS);
    assert.equal(keys.openNotification(headers, body).event.outTradeNo, 'HOST0001');
    assert.throws(() => keys.verifySignature(headers, body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESZ')), { code: 'SIGNATURE_MISMATCH' });
  });

  test('AES-256-GCM and RSA-OAEP interoperate with node:crypto both ways', () => {
    const resource = encryptResource('{"a":"证书"}', { nonce: 'abcdefghijkl', associatedData: '' });
    assert.equal(v3.decryptResource(resource, V.api_v3_key), '{"a":"证书"}');
    assert.throws(() => v3.decryptResource({ ...resource, nonce: 'abcdefghijkm' }, V.api_v3_key), { code: 'AEAD_TAG_MISMATCH' });
    assert.throws(() => v3.decryptResource({ ...resource, ciphertext: Buffer.alloc(15).toString('base64') }, V.api_v3_key), { code: 'TRUNCATED_CIPHERTEXT' });

    const oaep = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };
    const keys = new v3.KeySet(KEYS);
    const sealed = keys.encryptSensitive('张三', V.now);
    assert.equal(sealed.wechatpaySerial, V.public_key_id);
    assert.equal(crypto.privateDecrypt({ key: PEM.wechatKey, ...oaep }, Buffer.from(sealed.ciphertext, 'base64')).toString(), '张三');
    const merchant = new v3.Merchant(CONFIG);
    const toMerchant = crypto.publicEncrypt({ key: PEM.merchantPublicKey, ...oaep }, Buffer.from('6222 0000')).toString('base64');
    assert.equal(merchant.decryptSensitive(toMerchant), '6222 0000');
    const other = crypto.publicEncrypt({ key: PEM.wechatPublicKey, ...oaep }, Buffer.from('6222 0000')).toString('base64');
    assert.throws(() => merchant.decryptSensitive(other), { code: 'OAEP_DECRYPT_FAILED' });
    assert.throws(() => merchant.decryptSensitive(toMerchant.slice(0, 40)), { code: 'TRUNCATED_CIPHERTEXT' });
  });
});

// ---- keys: what ring refused, refused alike ------------------------------------------------------

const NOT_RSA_2048 = { code: 'INVALID_KEY', message: 'invalid key: merchant private key is not an RSA key of at least 2048 bits' };
/**
 * An RSA key pair of `bits` and `publicExponent`. Generating the odd sizes takes seconds (4104
 * bits: about 3 s of CPU, 3072: about 1 s), so each is generated once and kept in target/ (the
 * build directory, never committed) for the next runs in this checkout. A kept file that does
 * not hold such a key (cut short, edited) is generated again.
 */
const gen = (bits, publicExponent = 65537) => {
  const file = path.join(__dirname, '..', '..', 'target', 'node-test-keys', `rsa-${bits}-e${publicExponent}.pem`);
  const fits = (key) => key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails.modulusLength === bits && key.asymmetricKeyDetails.publicExponent === BigInt(publicExponent);
  let privateKey;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  } catch {
    privateKey = null;
  }
  if (!privateKey || !fits(privateKey)) {
    privateKey = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent }).privateKey;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.${process.pid}`;
    fs.writeFileSync(part, pkcs8(privateKey), { mode: 0o600 });
    fs.renameSync(part, file);
  }
  return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
};
const pkcs8 = (key) => key.export({ type: 'pkcs8', format: 'pem' });
const big = (b64url) => BigInt('0x' + Buffer.from(b64url, 'base64url').toString('hex'));
const b64url = (n) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex').toString('base64url');
};
/** The test merchant key with some of its numbers replaced (JWK fields). */
const altered = (change) => {
  const jwk = crypto.createPrivateKey(PEM.merchantKey).export({ format: 'jwk' });
  const numbers = Object.fromEntries(['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => [k, big(jwk[k])]));
  const changed = Object.fromEntries(Object.entries(change(numbers)).map(([k, v]) => [k, b64url(v)]));
  return pkcs8(crypto.createPrivateKey({ key: { ...jwk, ...changed }, format: 'jwk' }));
};
const sign = (privateKey) => new v3.Merchant({ ...CONFIG, privateKey }).buildAuthorization({ method: 'GET', pathAndQuery: '/v3/x', timestamp: 1, nonceStr: 'n' });

describe('merchant keys are read by the rules ring applied', () => {
  // What each key gave when ring computed (the package before node:crypto), code and message.
  test('sizes, exponents and key types', () => {
    assert.match(sign(pkcs8(gen(2048).privateKey)), /^WECHATPAY2-SHA256-RSA2048 /);
    assert.match(sign(gen(2048).privateKey.export({ type: 'pkcs1', format: 'pem' })), /^WECHATPAY2-SHA256-RSA2048 /);
    assert.match(sign(pkcs8(gen(3072).privateKey)), /^WECHATPAY2-SHA256-RSA2048 /);
    for (const [what, key] of [
      ['1024 bits', pkcs8(gen(1024).privateKey)],
      ['2056 bits: primes not a multiple of 512 bits', pkcs8(gen(2056).privateKey)],
      ['4104 bits: over 4096', pkcs8(gen(4104).privateKey)],
      ['e = 3', pkcs8(gen(2048, 3).privateKey)],
      ['e = 17', pkcs8(gen(2048, 17).privateKey)],
      ['EC', pkcs8(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)],
      ['Ed25519', pkcs8(crypto.generateKeyPairSync('ed25519').privateKey)],
      ['RSA-PSS', pkcs8(crypto.generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey)],
      ['not DER', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ]) {
      assert.throws(() => sign(key), NOT_RSA_2048, what);
    }
    assert.throws(() => sign(PEM.merchantPublicKey), { code: 'INVALID_KEY', message: 'invalid key: merchant private key must be a PRIVATE KEY PEM (PKCS#8)' });
  });

  test("numbers that do not belong together: refused when read, or when signing, where ring refused them", () => {
    const ok = sign(PEM.merchantKey);
    // ring does not use d.
    assert.equal(sign(altered(({ d }) => ({ d: d ^ 2n }))), ok);
    for (const [what, change] of [
      ['p·q ≠ n', ({ p }) => ({ p: p + 2n })],
      ['qInv·q ≢ 1 (mod p)', ({ qi }) => ({ qi: qi + 1n })],
      ['dP even', ({ dp }) => ({ dp: dp + 1n })],
      ['dP ≥ p', ({ dp, p }) => ({ dp: dp + p })],
      ['dQ ≥ q', ({ dq, q }) => ({ dq: dq + q })],
    ]) {
      assert.throws(() => sign(altered(change)), NOT_RSA_2048, what);
    }
    // A wrong CRT exponent below its prime: read, and the signature it would make does not
    // verify, which ring answered as RANDOM_UNAVAILABLE.
    assert.throws(() => sign(altered(({ dq }) => ({ dq: dq + 2n }))), { code: 'RANDOM_UNAVAILABLE' });
    assert.throws(() => sign(altered(({ dp }) => ({ dp: dp - 2n }))), { code: 'RANDOM_UNAVAILABLE' });
  });

  test("WeChat's public keys: sizes and type as before", () => {
    const add = (pem) => new v3.KeySet({ publicKeys: { [V.public_key_id]: pem } }).requestSerial();
    assert.equal(add(gen(2048, 3).publicKey.export({ type: 'spki', format: 'pem' })), V.public_key_id);
    assert.equal(add(gen(2048).publicKey.export({ type: 'pkcs1', format: 'pem' })), V.public_key_id);
    assert.throws(() => add(gen(1024).publicKey.export({ type: 'spki', format: 'pem' })), { code: 'INVALID_KEY', message: 'invalid key: public key is not an RSA key of 2048 to 8192 bits' });
    assert.throws(() => add(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' })), { code: 'INVALID_KEY', message: 'invalid key: public key is not RSA' });
  });
});

describe("a notify's headers", () => {
  // A plain object's crosses packed in one string (wasm/src/v3_headers.js); every other shape,
  // and any value the packing does not carry, is read the general way, to the same answer.
  test('every shape gives the same answer, packed or not', () => {
    const keys = new v3.KeySet(KEYS);
    const { body, headers } = signedNotify();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    const bare = Object.assign(Object.create(null), { host: 'x', ...headers });
    const distinct = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    const withGet = { ...headers, get: (name) => headers[name.toLowerCase()] };
    for (const h of [headers, upper, bare, distinct, withGet, new Map(Object.entries(headers)), new Headers(headers)]) {
      assert.equal(keys.openNotification(h, body).eventType, 'TRANSACTION.SUCCESS');
    }
    const noSerial = { ...headers, 'wechatpay-serial': null };
    assert.throws(() => keys.verifySignature(noSerial, body), { code: 'MISSING_FIELD' });
    assert.throws(() => keys.verifySignature({ ...headers, 'wechatpay-nonce': 'a\0b' }, body), { code: 'SIGNATURE_MISMATCH' });
    assert.throws(() => keys.verifySignature({ ...headers, 'wechatpay-nonce': ['a', 'b'] }, body), { code: 'INVALID_ARGUMENT' });
    // Every property is read, as Object.entries reads them: a getter that throws is the caller's.
    const throwing = Object.defineProperty({ ...headers }, 'x-other', { enumerable: true, get() { throw new Error('boom'); } });
    assert.throws(() => keys.verifySignature(throwing, body), (e) => e.cause?.message === 'boom' && typeof e.code === 'string');
  });
});

describe('node:crypto is in place from the first call', () => {
  // Each export that reads a key installs the host (wasm/src/v3_crypto.rs): each one first, in a
  // fresh process.
  const fresh = (code) => execFileSync(process.execPath, ['-e', `
    const v3 = require(${JSON.stringify(path.join(PKG, 'v3.js'))});
    const T = ${JSON.stringify({ V, KEYS, CONFIG, resource: encryptResource('{"x":1}'), notify: signedNotify() })};
    process.stdout.write(String(${code}));`], { encoding: 'utf8' });

  test('decryptResource', () => assert.equal(fresh('v3.decryptResource(T.resource, T.V.api_v3_key)'), '{"x":1}'));
  test('new KeySet', () => assert.equal(fresh('new v3.KeySet(T.KEYS).openNotification(T.notify.headers, T.notify.body).event.kind'), 'payment'));
  test('new Merchant', () => assert.match(fresh("new v3.Merchant(T.CONFIG).buildAuthorization({ method: 'GET', pathAndQuery: '/v3/x' })"), /^WECHATPAY2-SHA256-RSA2048 /));
  test('new KeyStore', () => {
    const code = `(() => { const s = new v3.KeyStore(); s.addPublicKey(T.V.public_key_id, T.KEYS.publicKeys[T.V.public_key_id]);
      return new v3.KeyStore(s.toJson()).keySet(T.V.api_v3_key).openNotification(T.notify.headers, T.notify.body).event.kind; })()`;
    assert.equal(fresh(code), 'payment');
  });
});
