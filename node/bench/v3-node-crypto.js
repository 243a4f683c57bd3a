'use strict';
// API v3 on node:crypto alone, doing what `wxpay/v3` does: the reference its rows are divided by
// (wasm-vs-js.js, open-cpu.js). Text, so that the cold-start processes run the same code;
// evaluate it with `crypto` in scope.
const JS_V3 = String.raw`
function authorization(privateKey, mchid, serialNo, method, pathAndQuery, timestamp, nonce, body) {
  const message = method + '\n' + pathAndQuery + '\n' + timestamp + '\n' + nonce + '\n' + body + '\n';
  const signature = crypto.sign('RSA-SHA256', Buffer.from(message), privateKey).toString('base64');
  return 'WECHATPAY2-SHA256-RSA2048 mchid="' + mchid + '",nonce_str="' + nonce + '",signature="' + signature + '",timestamp="' + timestamp + '",serial_no="' + serialNo + '"';
}
function verifyWechat(publicKeys, headers, body, now) {
  const get = (n) => headers[n] ?? headers[n.toLowerCase()];
  const [timestamp, nonce, signature, serial] = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'].map(get);
  if (!timestamp || !nonce || !signature || !serial) throw new Error('MISSING_FIELD');
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) throw new Error('SIGNATURE_PROBE');
  if (!/^\d{1,19}$/.test(timestamp) || Math.abs(Number(timestamp) - now) > 300) throw new Error('TIMESTAMP_SKEW');
  const key = publicKeys[serial];
  if (!key) throw new Error('UNKNOWN_SERIAL');
  const message = Buffer.concat([Buffer.from(timestamp + '\n' + nonce + '\n'), Buffer.from(body), Buffer.from('\n')]);
  if (!crypto.verify('RSA-SHA256', message, key, Buffer.from(signature, 'base64'))) throw new Error('SIGNATURE_MISMATCH');
}
function decryptResource(r, apiV3Key) {
  if (r.algorithm !== 'AEAD_AES_256_GCM') throw new Error('UNSUPPORTED_ALGORITHM');
  const data = Buffer.from(r.ciphertext, 'base64');
  if (data.length < 16) throw new Error('TRUNCATED_CIPHERTEXT');
  const d = crypto.createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(r.nonce));
  d.setAAD(Buffer.from(r.associated_data || ''));
  d.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8');
}
function paySign(privateKey, appId, timeStamp, nonceStr, prepayId) {
  const pkg = 'prepay_id=' + prepayId;
  const message = appId + '\n' + timeStamp + '\n' + nonceStr + '\n' + pkg + '\n';
  return { timeStamp: String(timeStamp), nonceStr, package: pkg, signType: 'RSA', paySign: crypto.sign('RSA-SHA256', Buffer.from(message), privateKey).toString('base64') };
}
function openNotification(publicKeys, apiV3Key, headers, body, now) {
  verifyWechat(publicKeys, headers, body, now);
  const n = JSON.parse(Buffer.from(body).toString('utf8'));
  return { id: n.id, createTime: n.create_time, eventType: n.event_type, summary: n.summary, event: JSON.parse(decryptResource(n.resource, apiV3Key)) };
}
`;

module.exports = { JS_V3 };
