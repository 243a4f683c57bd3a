'use strict';
// HTTPS to WeChat (or wxpay-sim) with node:https only (Node 16 has no global fetch): the
// configured extra CA on top of the system roots, TLS always verified, an optional client
// certificate, one connection per call (no agent: each call may present another certificate).
const https = require('node:https');
const tls = require('node:tls');

const TIMEOUT_MS = 10000;

/** The `ca` option: the system roots plus the extra CA (Node's `ca` replaces the roots). */
function trust(extraCa) {
  return extraCa ? [...tls.rootCertificates, extraCa] : undefined;
}

// A TLS context reads every certificate of its `ca` (about 140 with the system roots: tens of
// milliseconds), so the one without a client certificate is made once per extra CA.
const trusting = new Map();

/** The TLS options of a request: the cached context, or (with a client certificate) its own. */
function tlsFor(extraCa, tlsOptions) {
  if (Object.keys(tlsOptions).length) return { ca: trust(extraCa), ...tlsOptions };
  if (!extraCa) return {};
  if (!trusting.has(extraCa)) trusting.set(extraCa, tls.createSecureContext({ ca: trust(extraCa) }));
  return { secureContext: trusting.get(extraCa) };
}

/**
 * `{ status, headers, body }` (body a Buffer), and `sentAt` / `receivedAt` (ms) for the clock.
 * `tlsOptions`: `pfx` + `passphrase`, or `cert` + `key`, for mutual TLS.
 */
function request(url, { method = 'GET', headers = {}, body, ca, tlsOptions = {}, timeoutMs = TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const sentAt = Date.now();
    const req = https.request(url, { method, headers, agent: false, timeout: timeoutMs, ...tlsFor(ca, tlsOptions) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), sentAt, receivedAt: Date.now() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end(body);
  });
}

/** An error of the network or of TLS in a few words (never a secret: these carry none). */
function describe(e) {
  const message = String((e && e.message) || e);
  return e && e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

module.exports = { request, describe };
