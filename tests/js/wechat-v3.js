'use strict';
// WeChat's side of API v3, written from the spec with node:crypto only: the signature WeChat
// puts on an answer or a notify (SHA256withRSA over `timestamp\nnonce\nbody\n`, sent in the
// Wechatpay-* headers) and a notify's AEAD_AES_256_GCM resource. The JS tests (node/test,
// miniprogram/test) check the wasm package and the cloud functions against this, as they do v2
// against wechat-v2.js; require it by relative path.
const crypto = require('node:crypto');

/**
 * The Wechatpay-* headers over `body`, names as `names` writes them (default: lower case, as
 * node:http delivers them). `signature` replaces the real one (a probe, a forgery).
 * @param {string | Buffer} body exactly the bytes sent
 * @param {{ timestamp: number | string, nonce?: string, serial: string, key?: crypto.KeyLike, signature?: string, names?: (name: string) => string }} options
 */
function wechatHeaders(body, { timestamp, nonce = crypto.randomBytes(16).toString('hex'), serial, key, signature, names = (n) => n.toLowerCase() }) {
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]);
  return {
    [names('Wechatpay-Timestamp')]: String(timestamp),
    [names('Wechatpay-Nonce')]: nonce,
    [names('Wechatpay-Signature')]: signature ?? crypto.sign('RSA-SHA256', message, key).toString('base64'),
    [names('Wechatpay-Serial')]: serial,
  };
}

/**
 * An AEAD_AES_256_GCM resource as WeChat makes it: a 12-character nonce, the 16-byte tag after
 * the ciphertext, base64; WeChat's snake_case names.
 * @param {string | Buffer} plaintext
 * @param {{ key: string, nonce?: string, associatedData: string, originalType?: string }} options
 */
function encryptResource(plaintext, { key, nonce = crypto.randomBytes(6).toString('hex'), associatedData, originalType = associatedData }) {
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(nonce));
  c.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]).toString('base64');
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: associatedData, original_type: originalType };
}

/**
 * A notify body as WeChat POSTs it (exact bytes to sign): `{id, create_time, event_type,
 * resource_type, summary, resource}`, the resource encrypted with the APIv3 key `key` (its
 * associated data `transaction` or `refund`, by the event type).
 * @param {string} eventType `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, …
 * @param {string | Buffer} plaintext the resource's JSON
 * @param {{ key: string, createTime?: string, encrypt?: object }} options `encrypt` overrides encryptResource's
 */
function notifyBody(eventType, plaintext, { key, createTime = '2026-11-23T12:00:01+08:00', encrypt = {} }) {
  const kind = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
  return JSON.stringify({
    id: `EV-${crypto.randomBytes(6).toString('hex')}`,
    create_time: createTime,
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: kind === 'refund' ? '退款成功' : '支付成功',
    resource: encryptResource(plaintext, { key, associatedData: kind, ...encrypt }),
  });
}

module.exports = { wechatHeaders, encryptResource, notifyBody };
