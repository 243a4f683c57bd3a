'use strict';
// A CloudBase HTTP function on @cloudbase/functions-framework (云开发 HTTP 云函数): `event` is
// the request body as the framework parsed it, and `context.httpContext` holds the URL, the
// method and the headers; the answer is `{ statusCode, headers, body }`.
//
// v2: the framework hands a text/xml body over as the text received: verified as is.
// v3: the framework parses an application/json body into an object before this code runs, and
// the bytes WeChat signed are gone (JSON.stringify(event) is not them, in general). This
// function refuses such a notify with 500 and says why in the log: serve the v3 notify from an
// HTTP-triggered function (cloudfunction-http.js) or a server (express.js, …), which see the
// raw body.
// Deploying: copy this file (as index.js), notify-v2.js, notify-v3.js, settings.js and your own
// orders.js into the function's folder, and pkg/ as its `wxpay/` folder; there, require
// './wxpay/notify' and './wxpay/v3' where these files require 'wxpay/notify' and 'wxpay/v3'
// (the cloud installs dependencies from the registry, where wxpay is not: miniprogram/README.md).
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

exports.main = async (event, context) => {
  const { url, httpMethod, headers } = context.httpContext;
  if (httpMethod !== 'POST') return { statusCode: 405, headers: { allow: 'POST' }, body: '' };
  if (new URL(url, 'http://function').pathname.endsWith('/v3/notify')) {
    if (typeof event !== 'string' && !Buffer.isBuffer(event)) {
      console.warn('payment notify (v3) not handled: the functions framework parsed the JSON body, and v3 verifies the raw bytes: '
        + 'serve this notify from an HTTP-triggered function (cloudfunction-http.js) instead');
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message: '失败' }) };
    }
    const { status, body } = await paymentNotifyV3(headers, event);
    return { statusCode: status, headers: { 'content-type': 'application/json' }, body };
  }
  return { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: await paymentNotifyV2(event) };
};
