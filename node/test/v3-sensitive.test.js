'use strict';
// `Wechatpay-Serial` on requests and sensitive fields from JS (`wxpay/v3`), against node:crypto:
// what the package encrypts decrypts with WeChat's (test) private key, and what node:crypto
// encrypts to the merchant's public key decrypts with the package.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { v3, V, PEM, CONFIG, KEYS } = require('./v3-helpers');

const merchant = new v3.Merchant(CONFIG);
const SIGN = { timestamp: 1700000000, nonceStr: 'n0' };
const oaep = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };

describe('Wechatpay-Serial', () => {
  test('the WeChat Pay public key is named when the set has one, even with certificates (the switchover)', () => {
    assert.equal(new v3.KeySet(KEYS).requestSerial(), V.public_key_id);
  });

  test('with certificates only, the platform certificate valid now is named', () => {
    const keys = new v3.KeySet({ certificates: [PEM.platformCert] });
    assert.equal(keys.requestSerial(V.now), V.platform_serial_no);
  });

  test('an empty set names nothing: NO_WECHATPAY_KEY', () => {
    assert.throws(() => new v3.KeySet().requestSerial(), { code: 'NO_WECHATPAY_KEY' });
  });

  test('a request built with wechatpaySerial sends the header; without it, none', () => {
    const serial = new v3.KeySet(KEYS).requestSerial();
    const r = merchant.buildRefundQuery({ outRefundNo: 'R1' }, { ...SIGN, wechatpaySerial: serial });
    assert.equal(r.headers['Wechatpay-Serial'], serial);
    assert.equal('Wechatpay-Serial' in merchant.buildRefundQuery({ outRefundNo: 'R1' }, SIGN).headers, false);
  });

  test('a serial that could split a header is refused', () => {
    assert.throws(() => merchant.buildRefundQuery({ outRefundNo: 'R1' }, { ...SIGN, wechatpaySerial: 'PUB_KEY_ID_1\r\nX-Evil: 1' }), { code: 'INVALID_FIELD' });
  });
});

describe('sensitive fields', () => {
  test('encrypted to WeChat\'s key, they decrypt with node:crypto and WeChat\'s private key', () => {
    const keys = new v3.KeySet(KEYS);
    for (const text of ['张三', '6222021234567890123', '']) {
      const { wechatpaySerial, ciphertext } = keys.encryptSensitive(text);
      assert.equal(wechatpaySerial, V.public_key_id);
      assert.equal(crypto.privateDecrypt({ key: PEM.wechatKey, ...oaep }, Buffer.from(ciphertext, 'base64')).toString(), text);
    }
  });

  test('what node:crypto encrypts to the merchant\'s key decrypts with the merchant', () => {
    const ciphertext = crypto.publicEncrypt({ key: PEM.merchantPublicKey, ...oaep }, Buffer.from('李四')).toString('base64');
    assert.equal(merchant.decryptSensitive(ciphertext), '李四');
  });

  test('a ciphertext for another key is OAEP_DECRYPT_FAILED; a merchant with a sign function cannot decrypt', () => {
    const other = crypto.publicEncrypt({ key: PEM.wechatPublicKey, ...oaep }, Buffer.from('x')).toString('base64');
    assert.throws(() => merchant.decryptSensitive(other), { code: 'OAEP_DECRYPT_FAILED' });
    const signing = new v3.Merchant({ appId: CONFIG.appId, mchId: CONFIG.mchId, serialNo: CONFIG.serialNo, sign: () => 'x' });
    assert.throws(() => signing.decryptSensitive(other), { code: 'MISSING_FIELD' });
  });

  test('the plaintext is in no error message', () => {
    const keys = new v3.KeySet(KEYS);
    const long = '秘'.repeat(100);
    assert.throws(() => keys.encryptSensitive(long), (e) => e.code === 'INVALID_FIELD' && !e.message.includes('秘'));
  });
});

describe('abnormal refund', () => {
  const keys = new v3.KeySet(KEYS);
  const refund = () => ({
    refundId: '50000408942026112307145868882', outRefundNo: 'R20261123000001', type: 'USER_BANK_CARD', bankType: 'ICBC_DEBIT',
    bankAccount: keys.encryptSensitive('6222021234567890123'), realName: keys.encryptSensitive('张三'),
  });

  test('the card fields go encrypted, WeChat decrypts them, and the request names their key', () => {
    const r = merchant.buildAbnormalRefund(refund(), SIGN);
    assert.equal(r.pathAndQuery, '/v3/refund/domestic/refunds/50000408942026112307145868882/apply-abnormal-refund');
    assert.equal(r.headers['Wechatpay-Serial'], V.public_key_id);
    const body = JSON.parse(r.body);
    assert.deepEqual(Object.keys(body).sort(), ['bank_account', 'bank_type', 'out_refund_no', 'real_name', 'type']);
    const open = (c) => crypto.privateDecrypt({ key: PEM.wechatKey, ...oaep }, Buffer.from(c, 'base64')).toString();
    assert.deepEqual([open(body.bank_account), open(body.real_name), body.type], ['6222021234567890123', '张三', 'USER_BANK_CARD']);
    assert.ok(!r.body.includes('张三') && !r.body.includes('6222021234567890123'));
  });

  test('a plaintext where the encrypted field goes is refused, and not echoed', () => {
    const plain = { ...refund(), realName: { wechatpaySerial: V.public_key_id, ciphertext: '张三' } };
    assert.throws(() => merchant.buildAbnormalRefund(plain, SIGN), (e) => e.code === 'INVALID_FIELD' && !e.message.includes('张三'));
    assert.throws(() => merchant.buildAbnormalRefund({ ...refund(), realName: '张三' }, SIGN), (e) => ['INVALID_ARGUMENT', 'INVALID_FIELD'].includes(e.code));
  });

  test('fields encrypted to two keys, or a serial that is not theirs, are refused', () => {
    const other = new v3.KeySet({ certificates: [PEM.platformCert] }).encryptSensitive('张三', V.now);
    assert.throws(() => merchant.buildAbnormalRefund({ ...refund(), realName: other }, SIGN), { code: 'INVALID_FIELD' });
    assert.throws(() => merchant.buildAbnormalRefund(refund(), { ...SIGN, wechatpaySerial: V.platform_serial_no }), { code: 'INVALID_FIELD' });
  });

  test('a card refund without its card fields names the first missing one, not the serial', () => {
    const bare = { refundId: '50000408942026112307145868882', outRefundNo: 'R20261123000001', type: 'USER_BANK_CARD', bankType: 'ICBC_DEBIT' };
    assert.throws(() => merchant.buildAbnormalRefund(bare, SIGN), (e) => e.code === 'MISSING_FIELD' && /bankAccount/.test(e.message));
    assert.throws(() => merchant.buildAbnormalRefund({ ...bare, type: 'MERCHANT_BANK_CARD', bankType: undefined }, SIGN),
      (e) => e.code === 'MISSING_FIELD' && /wechatpaySerial/.test(e.message));
  });

  test('to the merchant\'s card: no card fields, the serial given', () => {
    const r = merchant.buildAbnormalRefund({ refundId: '50000408942026112307145868882', outRefundNo: 'R20261123000001', type: 'MERCHANT_BANK_CARD', wechatpaySerial: keys.requestSerial() }, SIGN);
    assert.deepEqual(JSON.parse(r.body), { out_refund_no: 'R20261123000001', type: 'MERCHANT_BANK_CARD' });
    assert.equal(r.headers['Wechatpay-Serial'], V.public_key_id);
    assert.throws(() => merchant.buildAbnormalRefund({ ...refund(), type: 'MERCHANT_BANK_CARD' }, SIGN), { code: 'INVALID_FIELD' });
  });
});
