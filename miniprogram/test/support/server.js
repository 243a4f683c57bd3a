'use strict';
// Starts `wxpay-server serve --sandbox` (WXPAY_SERVER_BIN, default target/debug/wxpay-server)
// on a free loopback port with a temporary SQLite file and an admin token, reads the printed
// simulator line `sandbox: https://127.0.0.1:PORT (CA /path/ca.pem)`, waits for /healthz.
// stop() ends the process it started and removes its temporary directory.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.join(__dirname, '..', '..', '..');
const BIN = process.env.WXPAY_SERVER_BIN || path.join(REPO, 'target', 'debug', 'wxpay-server');
const ADMIN_TOKEN = 'miniprogram-test-admin-token-0123456789';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(what, deadlineMs, fn) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request over HTTP(S) with a text body (e.g. WeChat's XML); the simulator's certificate is trusted through `ca`. */
function httpText(method, url, { body, headers = {}, ca } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : require('node:http');
    const req = mod.request(u, { method, headers, ca, agent: false, timeout: 20000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** JSON over HTTP(S); the simulator's certificate is trusted through `ca`. */
async function httpJson(method, url, { body, token, ca } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const { status, text } = await httpText(method, url, { body: body === undefined ? undefined : JSON.stringify(body), headers, ca });
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page, an empty body): the caller reads `text`.
  }
  return { status, body: json, text };
}

/**
 * Fresh merchant credentials for `startServer({ env })` (the sandbox takes them instead of
 * generating its own), for tests that verify or sign WeChat's messages themselves.
 */
function sandboxCredentials() {
  const hex = (n) => crypto.randomBytes(n).toString('hex');
  return {
    WXPAY_APPID: 'wx' + hex(8),
    WXPAY_APP_SECRET: hex(16),
    WXPAY_MCH_ID: '1' + String(crypto.randomInt(1e8, 1e9)),
    WXPAY_API_KEY: hex(16),
  };
}

/** The merchant of those credentials, as support/notifies.js takes it. */
function merchantOf(creds) {
  return { appId: creds.WXPAY_APPID, mchId: creds.WXPAY_MCH_ID, key: creds.WXPAY_API_KEY };
}

async function startServer({ env = {} } = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run cargo build -p wxpay-server (or set WXPAY_SERVER_BIN)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-miniprogram-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--sandbox'], {
    env: {
      ...process.env,
      TMPDIR: tmp, // the simulator's CA and certificates go here, removed with it
      LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${path.join(tmp, 'wxpay.db')}?mode=rwc`,
      ADMIN_TOKEN,
      WXPAY_RECONCILE_INTERVAL_SECS: '0',
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c) => (log += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  try {
    const sandbox = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no sandbox line within 30 s: ${out}${log}`)), 30000);
      child.stdout.on('data', (c) => {
        out += c;
        const m = out.match(/sandbox: (https:\/\/\S+) \(CA (\S+)\)/);
        if (m) {
          clearTimeout(timer);
          resolve({ url: m[1], ca: fs.readFileSync(m[2]) });
        }
      });
      exited.then((code) => reject(new Error(`wxpay-server exited early (${code}): ${out}${log}`)));
    });
    await until('GET /healthz', 30000, async () => (await httpJson('GET', base + '/healthz')).status === 200);
    return { base, sandboxUrl: sandbox.url, ca: sandbox.ca, adminToken: ADMIN_TOKEN, stop, log: () => log };
  } catch (e) {
    await stop();
    throw e;
  }
}

module.exports = { startServer, sandboxCredentials, merchantOf, httpJson, httpText, until, freePort, REPO };
