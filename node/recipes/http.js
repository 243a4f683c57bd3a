'use strict';
// node:http, nothing else: the body is the chunks as they arrived.
//
//   (the variables of express.js) PORT=8080 node recipes/http.js
const http = require('node:http');
const { paymentNotifyV2 } = require('./notify-v2');
const { paymentNotifyV3 } = require('./notify-v3');

const MAX_BODY = 64 * 1024;

const server = http.createServer((req, res) => {
  const route = req.method === 'POST' && { '/wxpay/notify': 'v2', '/wxpay/v3/notify': 'v3' }[req.url];
  if (!route) return res.writeHead(404).end();
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    if (route === 'v2') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(await paymentNotifyV2(body));
    } else {
      const answer = await paymentNotifyV3(req.headers, body);
      res.writeHead(answer.status, answer.body ? { 'content-type': 'application/json' } : {}).end(answer.body);
    }
  });
});

module.exports = { server };

if (require.main === module) {
  server.listen(Number(process.env.PORT || 8080), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
}
