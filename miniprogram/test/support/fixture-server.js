'use strict';
// A loopback HTTP server that answers recorded wxpay-server JSON (test/data/*.json), for the
// states the running server cannot be driven to from here (no products at all; a refund in
// CHANGE, which only WeChat sets). The page still goes through wx.request, real HTTP and
// utils/request.js; only the answers are recorded. `routes`: "METHOD /path" → JSON body (200).
// POST /api/login answers a token, as the server does; anything else is 404 in the server's
// error shape.
const http = require('node:http');

async function startFixtureServer(routes) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${new URL(req.url, 'http://x').pathname}`;
    seen.push(key);
    req.resume();
    req.on('end', () => {
      let status = 200;
      let body;
      if (key === 'POST /api/login') body = { token: 'fixture-token-' + 'x'.repeat(30), expires_in: 7200 };
      else if (Object.hasOwn(routes, key)) body = routes[key];
      else [status, body] = [404, { error: { code: 'NOT_FOUND', message: `no fixture for ${key}` } }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startFixtureServer };
