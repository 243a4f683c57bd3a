'use strict';
// Sends a signed v3 request (`merchant.build…()`) with node:https and gives the answer as the
// package reads it, `{ status, headers, body }` with the body's bytes as received. The README's
// examples use the global `fetch` (Node 18 and later); this does the same on Node 16, which
// `wxpay/v3` supports.
const https = require('node:https');

const TIMEOUT_MS = 10_000;

/** @param {{ method: string, url: string, headers: Record<string, string>, body?: string }} request */
function send(request) {
  return new Promise((resolve, reject) => {
    const req = https.request(request.url, { method: request.method, headers: request.headers, timeout: TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${request.url} within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

module.exports = { send };
