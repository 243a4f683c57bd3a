'use strict';
// A WeChat cloud function (云开发) or Tencent SCF behind the HTTP access service (HTTP 访问服务) or
// an API gateway: the request arrives as `event` ({ httpMethod, path, headers, body,
// isBase64Encoded }), the answer is `{ statusCode, headers, body }`. The body is the one as
// received, base64-encoded when `isBase64Encoded` (a boolean, or the string "true"): decoded
// here, never parsed. Bind /wxpay/notify (v2) and /wxpay/v3/notify (v3) to this function, and
// set the variables of settings.js in the function's configuration (函数配置 → 环境变量).
// Deploying: copy this file (as index.js), notify-v2.js, notify-v3.js, settings.js and your own
// orders.js into the function's folder, and pkg/ as its `wxpay/` folder; there, require
// './wxpay/notify' and './wxpay/v3' where these files require 'wxpay/notify' and 'wxpay/v3'
// (the cloud installs dependencies from the registry, where wxpay is not: miniprogram/README.md).
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

/** The body as WeChat sent it: bytes when the gateway base64-encoded them, else the text. */
function rawBody(event) {
  const base64 = String(event.isBase64Encoded).toLowerCase() === 'true';
  return base64 && typeof event.body === 'string' ? Buffer.from(event.body, 'base64') : event.body;
}

exports.main = async (event, _context) => {
  if (event.httpMethod !== 'POST') return { statusCode: 405, headers: { allow: 'POST' }, body: '' };
  if (String(event.path).endsWith('/v3/notify')) {
    const { status, body } = await paymentNotifyV3(event.headers || {}, rawBody(event));
    return { statusCode: status, headers: { 'content-type': 'application/json' }, body };
  }
  return { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: await paymentNotifyV2(rawBody(event)) };
};
