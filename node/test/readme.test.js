'use strict';
// Every code block of node/README.md, run as written, in the order written, in a fresh project
// directory where the `sh` block packs pkg/ and installs the tarball: so `require('wxpay')` and
// `import … from 'wxpay'` below resolve to the installed package, as they would for a user.
// A `console.log(…); // output` line must print that output. The v3 blocks talk to a fake of
// WeChat on loopback (HTTPS, its certificate made here and trusted through NODE_EXTRA_CA_CERTS)
// that checks each request's signature and signs its answers with node:crypto.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');

const { ROOT, KEY, signedNotify } = require('./helpers');
const v3h = require('./v3-helpers');
const { codeBlocks, expectedOutput } = require('./markdown');

const blocks = codeBlocks(path.join(ROOT, 'node', 'README.md'));
let dir;
let wechat;
/** The requests the fake WeChat received, with whether their signature held. */
const received = [];
const data = (name) => path.join(ROOT, 'tests', 'data', name);
/** WeChat's answer to the abnormal refund (the refund, PROCESSING again). */
const ABNORMAL_REFUND = JSON.parse(JSON.parse(fs.readFileSync(data('v3_vectors.json'), 'utf8')).responses.find((c) => c.type === 'refund').body);
/** The gzip trade bill that Python made (tests/data/v3_bill_vectors.json), served by the fake. */
const BILL = JSON.parse(fs.readFileSync(data('v3_bill_vectors.json'), 'utf8')).cases.find((c) => c.name === 'trade_gzip');
const env = {
  ...process.env, WXPAY_API_KEY: KEY, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
  // The v3 section's keys: where a merchant's own files would be named.
  WXPAY_MCH_PRIVATE_KEY: data('v3_test_merchant_key.pem'), WXPAY_MCH_SERIAL: v3h.V.merchant_serial_no,
  WXPAY_PUBLIC_KEY: data('v3_test_wechatpay_public_key.pem'), WXPAY_PUBLIC_KEY_ID: v3h.V.public_key_id,
  WXPAY_APIV3_KEY: v3h.V.api_v3_key,
  // Where the install block finds this repository.
  WXPAY_CLONE: ROOT,
};

/**
 * A fake of api.mch.weixin.qq.com: checks the request's Authorization against the merchant's
 * public key (node:crypto), and answers JSAPI下单 with a prepay_id signed by the test WeChat Pay
 * key, or 401 SIGN_ERROR.
 */
function fakeWeChat() {
  return https.createServer({ key: fs.readFileSync(path.join(dir, 'tls.key')), cert: fs.readFileSync(path.join(dir, 'tls.crt')) }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      let signed;
      try {
        const a = v3h.parseAuthorization(req.headers.authorization || '');
        const message = v3h.requestMessage(req.method, req.url, a.timestamp, a.nonce_str, body);
        signed = a.mchid === v3h.V.mchid && a.serial_no === v3h.V.merchant_serial_no
          && crypto.verify('RSA-SHA256', Buffer.from(message), v3h.PEM.merchantPublicKey, Buffer.from(a.signature, 'base64'));
      } catch {
        signed = false;
      }
      received.push({ method: req.method, url: req.url, signed, body, serial: req.headers['wechatpay-serial'] });
      const route = `${req.method} ${req.url.split('?')[0]}`;
      let answer = { status: 401, headers: {}, body: JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误' }) };
      if (signed && route === 'POST /v3/pay/transactions/jsapi') answer = v3h.signedResponse({ prepay_id: 'wx23120000000000000000000000000000' });
      // A merchant with the WeChat Pay public key has no platform certificate.
      if (signed && route === 'GET /v3/certificates') answer = { status: 404, headers: {}, body: JSON.stringify({ code: 'NOT_FOUND', message: '无可用的平台证书' }) };
      // The trade bill: the signed answer points at the file on the host that answers (WeChat's
      // own, or this fake's as a simulator's would be); the file is not signed.
      if (signed && route === 'GET /v3/bill/tradebill') {
        answer = v3h.signedResponse({ hash_type: 'SHA1', hash_value: BILL.hash_value, download_url: `https://${req.headers.host}/v3/billdownload/file?token=t1` });
      }
      // An abnormal refund: answered only when its card fields decrypt with WeChat's key, as WeChat would.
      if (signed && /^POST \/v3\/refund\/domestic\/refunds\/\d+\/apply-abnormal-refund$/.test(route)) {
        const sent = JSON.parse(body);
        const open = (c) => crypto.privateDecrypt({ key: v3h.PEM.wechatKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(c, 'base64')).toString();
        received.at(-1).card = [open(sent.bank_account), open(sent.real_name)];
        answer = v3h.signedResponse(ABNORMAL_REFUND);
      }
      if (signed && route === 'GET /v3/billdownload/file') {
        return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(BILL.bytes_base64, 'base64'));
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
  });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-readme-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=wxpay test fake of WeChat Pay',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt')], { stdio: 'ignore' });
  wechat = fakeWeChat();
  await new Promise((resolve) => wechat.listen(0, '127.0.0.1', resolve));
  Object.assign(env, { WXPAY_API_BASE: `https://127.0.0.1:${wechat.address().port}`, NODE_EXTRA_CA_CERTS: path.join(dir, 'tls.crt') });
});
after(async () => {
  await new Promise((resolve) => (wechat ? wechat.close(resolve) : resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the README has the blocks this test expects (install, CommonJS, notify handler, ES modules, v3 paying, v3 notify endpoint, v3 key store, v3 abnormal refund, v3 bill, v3 async sign)', () => {
  assert.deepEqual(blocks.map((b) => b.lang), ['sh', 'js', 'js', 'js', 'js', 'js', 'js', 'js', 'js', 'js']);
});

blocks.forEach((block, i) => {
  test(`README block ${i + 1} (${block.lang}, line ${block.line}) runs as written`, async () => {
    const esm = /^import /m.test(block.code);
    const file = path.join(dir, `block-${i + 1}.${block.lang === 'sh' ? 'sh' : esm ? 'mjs' : 'js'}`);
    fs.writeFileSync(file, block.code);
    const [cmd, args] = block.lang === 'sh' ? ['bash', ['-euo', 'pipefail', file]] : [process.execPath, [file]];
    // Not execFileSync: the fake WeChat answers from this process's event loop.
    const { stdout: out } = await promisify(execFile)(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
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
  process.env.WXPAY_API_KEY = KEY;
  const { onPaymentNotify } = require(file);
  const stored = [];
  assert.match(await onPaymentNotify(Buffer.from(signedNotify()), async (n) => stored.push(n.outTradeNo)), /SUCCESS/);
  const forged = await onPaymentNotify(Buffer.from(signedNotify({}, { key: 'f'.repeat(32) })), async () => assert.fail());
  assert.match(forged, /<return_code><!\[CDATA\[FAIL\]\]><\/return_code><return_msg><!\[CDATA\[FAIL\]\]>/, 'FAIL, and not why');
  assert.deepEqual(stored, ['20261123000001']);
});

test('the README notify handler stores a verified payment once and refuses a forged or mismatched one tersely', async () => {
  process.env.WXPAY_API_KEY = KEY;
  const handler = require(path.join(dir, `block-${blocks.findIndex((b) => b.code.includes('onPaymentNotify')) + 1}.js`));
  const bodyOf = (reply) => reply.match(/<return_code><!\[CDATA\[(\w+)\]\]><\/return_code><return_msg><!\[CDATA\[(\w+)\]\]>/).slice(1);
  const order = handler.orders.get('20261123000001');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify({}, { key: 'f'.repeat(32) })))), ['FAIL', 'FAIL']);
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify({ total_fee: '1', cash_fee: '1' })))), ['FAIL', 'FAIL']);
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify({}, { signType: 'HMAC-SHA256' })))), ['FAIL', 'FAIL'],
    'the order was placed with MD5');
  assert.equal(order.status, 'NOTPAY');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify()))), ['SUCCESS', 'OK']);
  assert.equal(order.status, 'PAID');
  assert.deepEqual(bodyOf(await handler.onPaymentNotify(Buffer.from(signedNotify()))), ['SUCCESS', 'OK'], 'a duplicate is acknowledged');
});

test('the README v3 blocks sent only these requests, each signed as WeChat checks it: the order once, the key store\'s download, the abnormal refund, the bill and its file', () => {
  assert.deepEqual(received.map((r) => [r.method, r.url, r.signed]), [
    ['POST', '/v3/pay/transactions/jsapi', true],
    ['GET', '/v3/certificates', true],
    ['POST', '/v3/refund/domestic/refunds/50000408942026112307145868882/apply-abnormal-refund', true],
    ['GET', '/v3/bill/tradebill?bill_date=2026-11-23&bill_type=ALL&tar_type=GZIP', true],
    ['GET', '/v3/billdownload/file?token=t1', true],
  ]);
  // The bill's requests name the key WeChat is to sign its answer with.
  assert.deepEqual(received.slice(2).map((r) => r.serial), [v3h.V.public_key_id, v3h.V.public_key_id, v3h.V.public_key_id]);
  // WeChat (here, its test key) reads the card, which was never sent as text.
  assert.deepEqual(received[2].card, ['6222021234567890123', '张三']);
  assert.ok(!received[2].body.includes('张三'));
  const order = JSON.parse(received[0].body);
  assert.deepEqual([order.appid, order.mchid, order.amount, order.payer.openid], [v3h.V.appid, v3h.V.mchid, { total: 1200, currency: 'CNY' }, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o']);
});

test('the README v3 notify endpoint stores a payment once, answers 204 after it, and refuses probes and forgeries', async () => {
  for (const name of ['WXPAY_APIV3_KEY', 'WXPAY_PUBLIC_KEY_ID', 'WXPAY_PUBLIC_KEY']) process.env[name] = env[name];
  const handler = require(path.join(dir, `block-${blocks.findIndex((b) => b.code.includes('openNotification')) + 1}.js`));
  await new Promise((resolve) => handler.server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${handler.server.address().port}/wxpay/v3/notify`;
    const post = async ({ headers, body }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await res.text();
      return [res.status, text && JSON.parse(text).message];
    };
    const order = handler.orders.get('20261123000001');
    const paid = v3h.signedNotify(v3h.transaction());
    const probe = { ...paid, headers: { ...paid.headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${paid.headers['wechatpay-signature']}` } };
    assert.deepEqual(await post(probe), [401, 'SIGNATURE_PROBE']);
    assert.deepEqual(await post(v3h.signedNotify(v3h.transaction(), { sign: { key: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey } })), [401, 'SIGNATURE_MISMATCH']);
    assert.deepEqual(await post(v3h.signedNotify(v3h.transaction(), { sign: { timestamp: v3h.now() - 360 } })), [401, 'TIMESTAMP_SKEW']);
    assert.deepEqual(await post(v3h.signedNotify(v3h.transaction({ amount: { total: 1, currency: 'CNY' } }))), [400, 'NOT_OUR_ORDER']);
    assert.equal(order.status, 'NOTPAY', 'nothing refused was stored');
    assert.deepEqual(await post(paid), [204, '']);
    assert.deepEqual([order.status, order.transactionId], ['PAID', '4200000215202611230261405420'], 'stored before the 204');
    assert.deepEqual(await post(paid), [204, ''], 'a duplicate is acknowledged');
    assert.equal(order.status, 'PAID');
  } finally {
    await new Promise((resolve) => handler.server.close(resolve));
  }
});
