'use strict';
// The v3 key store from JS (`wxpay/v3` `KeyStore`): saved as JSON and read back checked, the
// rotation of platform certificates (tests/data/v3_rotation_vectors.json, made by Python's
// cryptography: scripts/make-v3-rotation-vectors), one download per interval for unknown serials.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers');
const { v3, V, PEM } = require('./v3-helpers');

const R = h.data('v3_rotation_vectors.json');
const response = (d) => ({ status: Number(d.status), headers: d.headers, body: d.body });

describe('KeyStore', () => {
  test('an empty store is due at once; one with only the WeChat Pay public key never', () => {
    const store = new v3.KeyStore();
    assert.equal(store.refreshDue(1_800_000_000), true);
    store.addPublicKey(V.public_key_id, PEM.wechatPublicKey);
    assert.equal(store.refreshDue(1_800_000_000), false);
    assert.equal(store.nextRefresh, undefined);
  });

  test('it round-trips through JSON, and a tampered store is refused as a whole', () => {
    const store = new v3.KeyStore();
    store.addPublicKey(V.public_key_id, PEM.wechatPublicKey);
    store.addCertificate(PEM.platformCert);
    const saved = store.toJson();
    assert.equal(new v3.KeyStore(saved).toJson(), saved);
    assert.ok(!saved.includes('PRIVATE'), 'public keys only');
    const tampered = saved.replace(/"serial_no":"([0-9A-F])/, (m, c) => m.slice(0, -1) + (c === 'A' ? 'B' : 'A'));
    assert.notEqual(tampered, saved);
    assert.throws(() => new v3.KeyStore(tampered), { code: 'INVALID_KEY_STORE' });
    assert.throws(() => new v3.KeyStore(saved.slice(0, -5)), { code: 'INVALID_KEY_STORE' });
  });

  test('the rotation: downloads taken in, the new certificate verifies, the expired one is dropped', () => {
    let store = new v3.KeyStore();
    for (const d of R.downloads) {
      const r = store.ingestCertificates(response(d), R.api_v3_key, Number(d.now));
      assert.equal(r.result, 'updated');
      store = new v3.KeyStore(store.toJson()); // as another instance reads it from the database
      const held = JSON.parse(store.toJson());
      assert.ok(held, d.name);
      if (d.name.startsWith('rotation')) {
        const n = R.signed_by_new;
        store.keySet().verifySignature(n.headers, n.body, Number(n.now));
      }
    }
  });

  test('answers that fail a check change nothing', () => {
    const store = new v3.KeyStore();
    store.ingestCertificates(response(R.downloads[0]), R.api_v3_key, Number(R.downloads[0].now));
    const before = store.toJson();
    for (const d of R.refused) {
      assert.throws(() => store.ingestCertificates(response(d), R.api_v3_key, Number(d.now)), { code: d.error }, d.name);
      assert.equal(store.toJson(), before, d.name);
    }
    assert.throws(() => store.ingestCertificates(response(R.downloads[1]), 'wxpayOtherApiV3Key0123456789abcd', Number(R.downloads[1].now)), { code: 'AEAD_TAG_MISMATCH' });
    assert.equal(store.toJson(), before);
  });

  test('a 404 is recorded as no certificates, and does not make the store due again', () => {
    const store = new v3.KeyStore();
    store.addPublicKey(V.public_key_id, PEM.wechatPublicKey);
    const r = store.ingestCertificates({ status: 404, headers: {}, body: '{"code":"NOT_FOUND","message":"无可用的平台证书"}' }, V.api_v3_key, 1_800_000_000);
    assert.deepEqual(r, { result: 'noCertificates', added: [], dropped: [] });
    assert.equal(store.refreshDue(1_800_000_000 + 86_400), false);
  });

  test('a storm of forged serials downloads once per interval, across instances', () => {
    let saved = new v3.KeyStore().toJson();
    const advice = [];
    for (let i = 0; i < 50; i++) {
      const store = new v3.KeyStore(saved);
      advice.push(store.onUnknownSerial(`5157F09EFDC096DE15EBE81A47057A72${String(i).padStart(8, '0')}`, 1_800_000_000 + i).advice);
      saved = store.toJson();
    }
    assert.equal(advice.filter((a) => a === 'download').length, 1);
    assert.equal(advice[0], 'download');
    assert.deepEqual(new Set(advice.slice(1)), new Set(['alreadyDownloaded']));
  });

  test('an unknown PUB_KEY_ID_ is a configuration error, never a download', () => {
    assert.deepEqual(new v3.KeyStore().onUnknownSerial('PUB_KEY_ID_0119000001202611239999999999999999', 1_800_000_000), { advice: 'configurePublicKey' });
  });
});
