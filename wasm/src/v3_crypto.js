// The host's crypto for `wxpay/v3` (wasm/src/v3_crypto.rs): RSA signatures, RSA-OAEP and
// AES-256-GCM through node:crypto, which the core asks for through its HostCrypto interface.
// Keys arrive already checked by the core and are imported once, as KeyObjects, named by their
// index in `keys` from then on. Nothing here logs or keeps what it is given but the keys.
// scripts/build-wasm writes it into the nodejs glue, as every snippet, with its `export function`s
// as CommonJS: on Node 16 and later.
const crypto = require('crypto');

const keys = [];
const free = [];

function keep(key) {
  const i = free.length ? free.pop() : keys.length;
  keys[i] = key;
  return i;
}

const big = (b64url) => BigInt('0x' + (Buffer.from(b64url, 'base64url').toString('hex') || '0'));

// Keys ring accepts but cannot sign with: a wrong CRT exponent, which ring finds when the
// signature it makes does not verify, and answers an error rather than the signature (the core's
// RANDOM_UNAVAILABLE). OpenSSL would sign anyway (it falls back from CRT to d): refused here, at
// signing, the same way.
const unsigning = new Set();

const bits = (x) => x.toString(2).length;

// OpenSSL imports a key whose numbers do not belong together; ring refuses some when it reads
// them (src/rsa/keypair.rs, NIST SP 800-56B 6.4.1.4.3): p·q = n, 2^(nBits/2) < d < n,
// qInv < p with qInv·q ≡ 1 (mod p), dP and dQ odd and below their primes. The sizes and the
// public exponent the core has checked. Answers whether the key signs (e·dP ≡ 1 mod p−1, and q).
function read(key) {
  const { n, e, d, p, q, dp, dq, qi } = key.export({ format: 'jwk' });
  const [N, E, D, P, Q, DP, DQ, QI] = [n, e, d, p, q, dp, dq, qi].map(big);
  const ok = P * Q === N && bits(D) > Math.ceil(bits(N) / 2) && D < N && QI < P && (QI * Q) % P === 1n &&
    DP % 2n === 1n && DP < P && DQ % 2n === 1n && DQ < Q;
  if (!ok) throw new Error('inconsistent key');
  return (E * DP) % (P - 1n) === 1n && (E * DQ) % (Q - 1n) === 1n;
}

export function importPrivateKey(der, pkcs8) {
  const copy = Buffer.from(der);
  try {
    const key = crypto.createPrivateKey({ key: copy, format: 'der', type: pkcs8 ? 'pkcs8' : 'pkcs1' });
    const signs = read(key);
    const i = keep(key);
    if (!signs) unsigning.add(i);
    return i;
  } finally {
    copy.fill(0);
  }
}

export function importPublicKey(pkcs1) {
  return keep(crypto.createPublicKey({ key: Buffer.from(pkcs1), format: 'der', type: 'pkcs1' }));
}

export function releaseKey(i) {
  keys[i] = undefined;
  unsigning.delete(i);
  free.push(i);
}

export function rsaSign(i, message) {
  if (unsigning.has(i)) throw new Error('the key cannot sign');
  return crypto.sign('sha256', message, keys[i]);
}

export function rsaVerify(i, message, signature) {
  try {
    return crypto.verify('sha256', message, keys[i], signature);
  } catch (e) {
    return false;
  }
}

const OAEP = crypto.constants.RSA_PKCS1_OAEP_PADDING;

export function oaepEncrypt(i, plaintext) {
  return crypto.publicEncrypt({ key: keys[i], padding: OAEP, oaepHash: 'sha1' }, plaintext);
}

export function oaepDecrypt(i, ciphertext) {
  return crypto.privateDecrypt({ key: keys[i], padding: OAEP, oaepHash: 'sha1' }, ciphertext);
}

function joined(a, b) {
  return b.length === 0 ? a : Buffer.concat([a, b]);
}

export function aesGcmOpen(key, nonce, aad, data) {
  const at = data.length - 16;
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(at));
  return joined(decipher.update(data.subarray(0, at)), decipher.final());
}

export function aesGcmSeal(key, nonce, aad, plaintext) {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad);
  const sealed = joined(cipher.update(plaintext), cipher.final());
  return Buffer.concat([sealed, cipher.getAuthTag()]);
}
