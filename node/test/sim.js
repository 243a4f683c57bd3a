'use strict';
// `wxpay-sim serve` for the node tests: started in a throwaway state directory, its ready line,
// its control API, and an HTTPS client that trusts its CA. The binary: WXPAY_SIM_BIN, default
// ../target/debug/wxpay-sim (scripts/test-wasm node builds it); missing, the tests that need it
// fail, they are not skipped.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const BIN = path.resolve(__dirname, '..', process.env.WXPAY_SIM_BIN || path.join('..', 'target', 'debug', 'wxpay-sim'));
const WAIT_MS = 10_000;

/** A promise that rejects after `ms` with `what`, for `Promise.race` (cleared by the caller). */
function deadline(what, ms = WAIT_MS) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

async function within(what, promise, ms) {
  const d = deadline(what, ms);
  try {
    return await Promise.race([promise, d.promise]);
  } finally {
    d.clear();
  }
}

/**
 * `wxpay-sim serve` in `mode`, in a throwaway state directory: its ready line, the directory, and
 * the settings file it writes for a server (`--env-file`, what `npx wxpay doctor --env-file` reads).
 */
async function startSim(mode = 'public-key') {
  if (!fs.existsSync(BIN)) {
    throw new Error(`wxpay-sim not found at ${BIN}: run \`cargo build -p wxpay-sim\` (or set WXPAY_SIM_BIN to the binary)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-sim-'));
  const templates = process.env.WXPAY_SIM_TEMPLATES;
  if (templates) fs.cpSync(await template(templates, mode), dir, { recursive: true });
  return serve(dir, mode);
}

/**
 * The state directory of a simulator that started in `mode` and stopped, kept under `root` for
 * the rest of the run (WXPAY_SIM_TEMPLATES, which scripts/test-wasm makes and removes): its keys
 * and certificates take nearly all of a start's CPU (0.57 s, against 0.03 s where they are),
 * so each start copies them, as the Rust tests do (wxpay_sim::copy_template). The copies are one
 * merchant: simulators of one mode in a run share its number, keys and credentials (the doctor's
 * two merchants are two modes). Test files running at once may each make one: the first renamed
 * into place is kept.
 */
async function template(root, mode) {
  const kept = path.join(root, mode);
  if (fs.existsSync(kept)) return kept;
  const made = fs.mkdtempSync(path.join(root, `${mode}.`));
  const sim = await serve(made, mode);
  await sim.stop({ keep: true });
  // A simulator restarted in a state directory takes the port it names.
  fs.rmSync(path.join(made, 'port'), { force: true });
  try {
    fs.renameSync(made, kept);
  } catch (e) {
    if (!fs.existsSync(kept)) throw e;
    fs.rmSync(made, { recursive: true, force: true });
  }
  return kept;
}

async function serve(dir, mode) {
  const envFile = path.join(dir, 'wxpay.env');
  const child = spawn(BIN, ['serve', '--state-dir', dir, '--env-file', envFile, '--time-scale', '1000', '--v3-keys', mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, RUST_LOG: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const line = await within('the ready line of wxpay-sim', new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`wxpay-sim exited (${code}) before its ready line: ${stderr}`)));
  }));
  const ready = JSON.parse(line);
  const stop = async ({ keep = false } = {}) => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  return { ready, dir, envFile, stop };
}

/** The merchant's HTTP client: a `SignedRequest` sent as signed, the answer as the package reads it. */
function client(ca) {
  return function send(request, overrides = {}) {
    const { method, url, headers, body } = { ...request, ...overrides };
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, ca, timeout: WAIT_MS }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
      req.end(body);
    });
  };
}

/** The control API (plain HTTP, `node:http`: the test process may be Node 16). */
function control(ready, method, p, body) {
  return within(
    `control ${method} ${p}`,
    new Promise((resolve, reject) => {
      const req = http.request(ready.control_url + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode >= 300) reject(new Error(`control ${method} ${p}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    }),
  );
}

module.exports = { BIN, WAIT_MS, deadline, within, startSim, client, control };
