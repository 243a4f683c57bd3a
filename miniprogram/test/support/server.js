'use strict';
// Starts `wxpay-server serve --sandbox` (WXPAY_SERVER_BIN, default target/debug/wxpay-server)
// on a free loopback port with a temporary SQLite file and an admin token, reads the printed
// simulator line `sandbox: https://127.0.0.1:PORT (CA /path/ca.pem)`, waits for /healthz.
// stop() ends the process it started and removes its temporary directory.
const { spawn } = require('node:child_process');
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

/** JSON over HTTP(S); the simulator's certificate is trusted through `ca`. */
function httpJson(method, url, { body, token, ca } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : require('node:http');
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    const req = mod.request(u, { method, headers, ca, agent: false, timeout: 20000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, body: json, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
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

module.exports = { startServer, httpJson, until, freePort, REPO };
