'use strict';
// Every code block of node/README.md, run as written, in the order written, in a fresh project
// directory where the `sh` block packs pkg/ and installs the tarball: so `require('wxpay')` and
// `import … from 'wxpay'` below resolve to the installed package, as they would for a user.
// A `console.log(…); // output` line must print that output.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ROOT, KEY, signedNotify } = require('./helpers');

/** The fenced code blocks of a Markdown file: `{ lang, code, line }`. */
function codeBlocks(file) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m; (m = re.exec(text)); ) blocks.push({ lang: m[1], code: m[2], line: text.slice(0, m.index).split('\n').length });
  return blocks;
}

/** What the `console.log(…); // expected` lines of a block say it prints, in order. */
function expectedOutput(code) {
  return [...code.matchAll(/^\s*console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1]);
}

const blocks = codeBlocks(path.join(ROOT, 'node', 'README.md'));
let dir;
const env = { ...process.env, WXPAY_KEY: KEY, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-readme-'));
  // "From a clone of this repository": the block's `./pkg`.
  fs.symlinkSync(path.join(ROOT, 'pkg'), path.join(dir, 'pkg'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the README has the blocks this test expects (install, CommonJS, notify handler, ES modules)', () => {
  assert.deepEqual(blocks.map((b) => b.lang), ['sh', 'js', 'js', 'js']);
});

blocks.forEach((block, i) => {
  test(`README block ${i + 1} (${block.lang}, line ${block.line}) runs as written`, () => {
    const esm = /^import /m.test(block.code);
    const file = path.join(dir, `block-${i + 1}.${block.lang === 'sh' ? 'sh' : esm ? 'mjs' : 'js'}`);
    fs.writeFileSync(file, block.code);
    const [cmd, args] = block.lang === 'sh' ? ['bash', ['-euo', 'pipefail', file]] : [process.execPath, [file]];
    const out = execFileSync(cmd, args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (block.lang === 'sh') {
      assert.ok(fs.existsSync(path.join(dir, 'node_modules', 'wxpay', 'package.json')), 'the tarball is installed');
      assert.ok(!fs.lstatSync(path.join(dir, 'node_modules', 'wxpay')).isSymbolicLink(), 'a copy, not a link to pkg/');
    }
    const printed = out.trimEnd().split('\n').filter(Boolean);
    const expected = expectedOutput(block.code);
    if (block.lang !== 'sh') assert.deepEqual(printed, expected, out);
  });
});

test('pkg/README.md\'s example runs as written in the installed package and verifies a notify', async () => {
  const [block, ...rest] = codeBlocks(path.join(ROOT, 'pkg', 'README.md'));
  assert.equal(rest.length, 0);
  const file = path.join(dir, 'package-readme.js');
  fs.writeFileSync(file, block.code);
  execFileSync(process.execPath, [file], { cwd: dir, env });
  process.env.WXPAY_KEY = KEY;
  const { onPaymentNotify } = require(file);
  const stored = [];
  assert.match(await onPaymentNotify(Buffer.from(signedNotify()), async (n) => stored.push(n.outTradeNo)), /SUCCESS/);
  assert.match(await onPaymentNotify(Buffer.from(signedNotify({}, { key: 'f'.repeat(32) })), async () => assert.fail()), /SIGNATURE_MISMATCH/);
  assert.deepEqual(stored, ['20261123000001']);
});

test('the README notify handler stores a verified payment once and refuses a forged one', async () => {
  process.env.WXPAY_KEY = KEY;
  const handler = require(path.join(dir, `block-${blocks.findIndex((b) => b.code.includes('onPaymentNotify')) + 1}.js`));
  const bodyOf = (reply) => reply.match(/<return_code><!\[CDATA\[(\w+)\]\]><\/return_code><return_msg><!\[CDATA\[(\w+)\]\]>/).slice(1);
  const order = handler.orders.get('20261123000001');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify({}, { key: 'f'.repeat(32) })))), ['FAIL', 'SIGNATURE_MISMATCH']);
  assert.equal(order.status, 'NOTPAY');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify()))), ['SUCCESS', 'OK']);
  assert.equal(order.status, 'PAID');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify()))), ['SUCCESS', 'OK'], 'a duplicate is acknowledged');
});
