'use strict';
// Express: the notify routes read the body raw, as WeChat sent it. Not express.json() (v3's
// signature covers the bytes, not the parsed object), not express.text() (it reads only
// text/plain, and WeChat sends text/xml): express.raw, typed per route, so that nothing else
// of your app changes.
//
//   WXPAY_APPID=… WXPAY_MCH_ID=… WXPAY_API_KEY=… WXPAY_APIV3_KEY=… WXPAY_PUBLIC_KEY_ID=… \
//   WXPAY_PUBLIC_KEY=pub_key.pem PORT=8080 node recipes/express.js
const express = require('express');
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

const app = express();

app.post('/wxpay/notify', express.raw({ type: 'text/xml' }), async (req, res) => {
  res.type('application/xml').send(await paymentNotifyV2(req.body));
});

app.post('/wxpay/v3/notify', express.raw({ type: 'application/json' }), async (req, res) => {
  const { status, body } = await paymentNotifyV3(req.headers, req.body);
  res.status(status).type('application/json').send(body);
});

module.exports = { app };

if (require.main === module) {
  const server = app.listen(Number(process.env.PORT || 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
}
