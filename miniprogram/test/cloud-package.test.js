'use strict';
// The package inside the cloud functions: each function's wxpay/ is the committed pkg/'s entry
// point it loads (`notify` for the v2 functions, `v3` for the v3 ones), byte for byte (what the
// devtools upload with the function), loaded through that entry point, with
// no npm dependency on it; and the cloud-function code blocks of miniprogram/README.md, run as
// written in a scratch copy of the repository layout.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { newMerchant, paymentNotify, replyOf } = require('./support/notifies');
const { sdk, captureLogs } = require('./support/cloud-function');
const { createDb } = require('./support/fake-db');

const MP = path.join(__dirname, '..');
const ROOT = path.join(MP, '..');
const PKG = path.join(ROOT, 'pkg');
/** Each function, the entry point of pkg/ it carries, and what it requires. */
const FUNCTIONS = [
  ['payNotify', 'notify', ['./http-event', './records', './wxpay/notify', 'wx-server-sdk']],
  ['refundNotify', 'notify', ['./http-event', './records', './wxpay/notify', 'wx-server-sdk']],
  ['payNotifyV3', 'v3', ['./v3-notify', './records', 'wx-server-sdk']],
  ['refundNotifyV3', 'v3', ['./v3-notify', './records', 'wx-server-sdk']],
];

/** Every file under `dir`, relative, sorted. */
function files(dir) {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

// What `require('./wxpay/NAME')` needs: that entry point of pkg/ (scripts/build-wasm's
// entry_files), with the licence and the package's README, and the JS snippets its glue
// requires (wxpay/v3: its node:crypto, wasm/src/v3_crypto.js).
const snippets = (name) => [...fs.readFileSync(path.join(PKG, 'wasm', `${name}.js`), 'utf8').matchAll(/require\(String\.raw`\.\/(snippets\/[^`]+)`\)/g)]
  .map((m) => path.join('wasm', m[1]));
const entryFiles = (name) => ['LICENSE', 'README.md', 'build-info.json', `${name}.d.ts`, `${name}.js`, `${name}.mjs`, 'random.js',
  `wasm/${name}.d.ts`, `wasm/${name}.js`, `wasm/${name}_bg.wasm`, ...snippets(name)];

/** What each entry point must offer the functions. */
const NEEDED = {
  notify: ['Merchant', 'verifyPaymentNotify', 'decryptRefundNotify', 'judgePayment', 'judgeRefund', 'notifyReply'],
  v3: ['KeySet', 'judgePayment', 'judgeRefund'],
};

for (const [fn, entry, requires] of FUNCTIONS) {
  test(`${fn}/wxpay is pkg/'s ${entry} entry point, byte for byte`, () => {
    const copy = path.join(MP, 'cloudfunctions', fn, 'wxpay');
    assert.deepEqual(files(copy), [...entryFiles(entry)].sort());
    for (const f of entryFiles(entry)) {
      assert.ok(fs.readFileSync(path.join(copy, f)).equals(fs.readFileSync(path.join(PKG, f))), `${fn}/wxpay/${f} differs: run scripts/build-wasm`);
    }
    // The entry's own imports stay inside the copy.
    const loaded = require(path.join(copy, entry));
    for (const name of NEEDED[entry]) assert.equal(typeof loaded[name], 'function', name);
  });

  test(`${fn} loads the package from its own folder, not through npm`, () => {
    const dir = path.join(MP, 'cloudfunctions', fn);
    const required = fs.readdirSync(dir).filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]))
      .filter((r) => !r.startsWith('node:'));
    assert.deepEqual([...new Set(required)].sort(), [...new Set([...requires, './http-event', `./wxpay/${entry}`])].sort());
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.dependencies), ['wx-server-sdk'], 'the cloud installs these from the registry');
  });
}

test('the cloud-function code blocks of the README run as written', async () => {
  const readme = fs.readFileSync(path.join(MP, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## 云函数 / Cloud functions'), readme.indexOf('## 测试 / Tests'));
  const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2] }));
  assert.deepEqual(blocks.map((b) => b.lang), ['sh', 'js']);

  // A scratch repository root: pkg/ and the cloudfunctions folder, as in a clone.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-cloud-readme-'));
  try {
    fs.cpSync(PKG, path.join(root, 'pkg'), { recursive: true });
    fs.mkdirSync(path.join(root, 'miniprogram', 'cloudfunctions'), { recursive: true });
    execFileSync('bash', ['-euo', 'pipefail', '-c', blocks[0].code], { cwd: root });
    const fnDir = path.join(root, 'miniprogram', 'cloudfunctions', 'myNotify');
    assert.deepEqual(files(path.join(fnDir, 'wxpay')), files(PKG), 'the copy is the whole package');

    // The js block says where it goes on its first line.
    const target = blocks[1].code.match(/^\/\/ (\S+)\n/)[1];
    fs.writeFileSync(path.join(root, target), blocks[1].code);
    const merchant = newMerchant();
    const order = { out_trade_no: '20261124120000README', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', total_fee: 100, sign_type: 'MD5', status: 'NOTPAY' };
    const body = paymentNotify(merchant, order);
    const load = () => {
      delete require.cache[path.join(root, target)];
      return require(path.join(root, target)).main;
    };

    // A variable missing: FAIL on every call, its name in the log (and no value), nothing written.
    const env = { WXPAY_APPID: merchant.appId, WXPAY_MCH_ID: merchant.mchId, WXPAY_API_KEY: merchant.key };
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, { WXPAY_APPID: env.WXPAY_APPID, WXPAY_MCH_ID: env.WXPAY_MCH_ID });
    let db = createDb({ orders: [order] });
    sdk.__setDatabase(db);
    const unset = load(); // loading reads nothing
    for (let i = 0; i < 2; i++) {
      const { result, lines } = await captureLogs(() => unset({ httpMethod: 'POST', headers: {}, body, isBase64Encoded: false }));
      assert.deepEqual(replyOf(result.body), { code: 'FAIL', msg: 'FAIL' });
      assert.deepEqual(lines, ['payment notify rejected: SETTING_MISSING: not set: WXPAY_API_KEY']);
    }
    assert.equal(db.docs('orders')[0].status, 'NOTPAY');

    // Set: stored, then SUCCESS; the duplicates (each form of isBase64Encoded) SUCCESS without a second write.
    process.env.WXPAY_API_KEY = env.WXPAY_API_KEY;
    for (const [isBase64Encoded, text] of [[false, body], ['false', body], [true, Buffer.from(body).toString('base64')], ['true', Buffer.from(body).toString('base64')]]) {
      const res = await unset({ httpMethod: 'POST', headers: {}, body: text, isBase64Encoded });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(replyOf(res.body), { code: 'SUCCESS', msg: 'OK' }, `isBase64Encoded ${JSON.stringify(isBase64Encoded)}`);
    }
    assert.equal(db.docs('orders')[0].status, 'PAID');
    assert.equal(db.updates.length, 1, 'written once');

    // Not written, not acknowledged: a write that fails, or an order that is not ours.
    db = createDb({ orders: [order] });
    db.beforeUpdate = async () => {
      throw new Error('database timeout');
    };
    sdk.__setDatabase(db);
    const failing = await captureLogs(() => load()({ httpMethod: 'POST', headers: {}, body, isBase64Encoded: false }));
    assert.deepEqual(replyOf(failing.result.body), { code: 'FAIL', msg: 'FAIL' });
    assert.match(failing.lines.join('\n'), /not stored: database timeout/);
    sdk.__setDatabase(createDb({ orders: [{ ...order, total_fee: 1 }] }));
    const refused = await captureLogs(() => load()({ httpMethod: 'POST', headers: {}, body, isBase64Encoded: false }));
    assert.deepEqual(replyOf(refused.result.body), { code: 'FAIL', msg: 'FAIL' });
    assert.match(refused.lines.join('\n'), /refused: TOTAL_FEE_MISMATCH/);

    const forged = paymentNotify(merchant, order, { key: newMerchant().key });
    assert.deepEqual(replyOf((await load()({ body: forged, isBase64Encoded: false })).body), { code: 'FAIL', msg: 'FAIL' }, 'the reply does not say why');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
