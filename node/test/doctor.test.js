'use strict';
// `npx wxpay doctor` (pkg/bin/wxpay.js) against `wxpay-sim serve`, in v2 and v3: the settings
// are the simulator's `--env-file` plus what a case plants in the environment (which wins over
// the file), and each classic misconfiguration must be named by its code of
// pkg/doctor/findings.json, exit 1; a correct configuration passes, exit 0. No output may carry
// a secret (API key, APIv3 key, AppSecret, p12 password).
//
// Two simulators: `a` in public-key mode, `b` in certificate mode (so that `/v3/certificates`
// exists and a wrong APIv3 key shows) and another merchant (its p12 has CN = its own mch_id).
// The clock cases move `b`'s clock 10 minutes ahead (`POST /control/clock`), last: it only
// moves forward.
//
// The binary: WXPAY_SIM_BIN, default ../target/debug/wxpay-sim (scripts/test-wasm node builds
// it; alone, `cargo build -p wxpay-sim`). Missing, the test fails: it is not skipped.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { startSim, within, control, WAIT_MS } = require('./sim');
const DOCTOR = path.resolve(__dirname, '..', '..', 'pkg', 'bin', 'wxpay.js');
const FINDINGS = require('../../pkg/doctor/findings.json').findings;
const HTTPS_URL = 'https://shop.example.com';

/** Every output of the run, for the secret check at the end. */
const outputs = [];

/**
 * `node pkg/bin/wxpay.js doctor --env-file F` with only `env` in the environment (and PATH):
 * `{ code, stdout, stderr, codes }`, `codes` the findings' codes in order.
 */
function doctor(sim, env = {}, nodeBin = process.execPath) {
  return within(
    'wxpay doctor',
    new Promise((resolve, reject) => {
      const args = [DOCTOR, 'doctor', '--env-file', sim.envFile];
      execFile(nodeBin, args, { env: { PATH: process.env.PATH, ...env }, timeout: 2 * WAIT_MS }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        outputs.push(stdout, stderr);
        const codes = stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => /^[✓·!✗] ([A-Z0-9_]+) /.exec(l))
          .map((m) => (m ? m[1] : null));
        resolve({ code: error ? error.code : 0, stdout, stderr, codes });
      });
    }),
    3 * WAIT_MS,
  );
}

/** The run found `code` (a `fail`), and so exits 1. */
function assertFails(run, code) {
  assert.equal(FINDINGS[code].severity, 'fail', code);
  assert.ok(run.codes.includes(code), `expected ${code} in:\n${run.stdout}${run.stderr}`);
  assert.equal(run.code, 1, `exit code with ${code}:\n${run.stdout}`);
}

/** Every line is a finding of the table, none fails, and the exit code is 0. */
function assertPasses(run, expected) {
  assert.equal(run.stderr, '');
  assert.ok(run.codes.every((c) => c && FINDINGS[c]), `a line that is not a finding:\n${run.stdout}`);
  const failing = run.codes.filter((c) => FINDINGS[c].severity === 'fail');
  assert.deepEqual(failing, [], run.stdout);
  for (const code of expected) assert.ok(run.codes.includes(code), `expected ${code} in:\n${run.stdout}`);
  assert.equal(run.code, 0, run.stdout);
}

/** A PKCS#8 RSA key that is no certificate's: the right serial with the wrong key. */
function strangerKey(dir) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = path.join(dir, 'stranger_key.pem');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

let a;
let b;
before(async () => {
  [a, b] = await Promise.all([startSim(), startSim('certificate')]);
  assert.notEqual(a.ready.mch_id, b.ready.mch_id, 'two merchants');
});
after(async () => {
  await Promise.all([a && a.stop(), b && b.stop()]);
});

const v2 = { WXPAY_API_VERSION: 'v2', WXPAY_PUBLIC_URL: HTTPS_URL };
const v3 = { WXPAY_API_VERSION: 'v3', WXPAY_PUBLIC_URL: HTTPS_URL };

describe('v2', () => {
  test('a correct configuration passes: key, certificate (PEM), clock, notify URL', async () => {
    assertPasses(await doctor(a, v2), ['CLOCK_OK', 'PUBLIC_URL_OK', 'V2_KEY_OK', 'CERT_OK']);
  });

  test('the p12 with its default password (the mch_id) passes', async () => {
    const run = await doctor(a, { ...v2, WXPAY_CLIENT_CERT: '', WXPAY_CLIENT_KEY: '', WXPAY_CLIENT_P12: a.ready.client_p12 });
    assertPasses(run, ['V2_KEY_OK', 'CERT_OK']);
  });

  test('the AppSecret as the API key is named V2_KEY_IS_APP_SECRET', async () => {
    assertFails(await doctor(a, { ...v2, WXPAY_API_KEY: a.ready.app_secret }), 'V2_KEY_IS_APP_SECRET');
  });

  test('another key is refused by WeChat (签名错误): V2_KEY_REJECTED', async () => {
    const run = await doctor(a, { ...v2, WXPAY_API_KEY: crypto.randomBytes(16).toString('hex') });
    assertFails(run, 'V2_KEY_REJECTED');
    assert.ok(!run.codes.includes('V2_KEY_OK'));
  });

  test('a wrong p12 password is named P12_PASSWORD_WRONG', async () => {
    const run = await doctor(a, {
      ...v2,
      WXPAY_CLIENT_CERT: '',
      WXPAY_CLIENT_KEY: '',
      WXPAY_CLIENT_P12: a.ready.client_p12,
      WXPAY_CLIENT_P12_PASSWORD: 'not-the-p12-password-4f1c',
    });
    assertFails(run, 'P12_PASSWORD_WRONG');
  });

  test("another merchant's certificate (CN = its mch_id) is named CERT_OTHER_MERCHANT", async () => {
    const run = await doctor(a, {
      ...v2,
      WXPAY_CLIENT_CERT: '',
      WXPAY_CLIENT_KEY: '',
      WXPAY_CLIENT_P12: b.ready.client_p12,
      WXPAY_CLIENT_P12_PASSWORD: b.ready.mch_id,
    });
    assertFails(run, 'CERT_OTHER_MERCHANT');
    assert.ok(run.stdout.includes(b.ready.mch_id) && run.stdout.includes(a.ready.mch_id), run.stdout);
  });

  test('the certificate\'s expiry: CERT_EXPIRED after it, CERT_EXPIRING within 30 days (the simulator\'s ends 4096-01-01)', async () => {
    const { checkCertificate } = require('../../pkg/doctor/v2');
    const s = {
      client: { kind: 'pem', certFile: a.ready.client_cert, keyFile: a.ready.client_key },
      mchId: a.ready.mch_id,
      apiBase: a.ready.base_url,
      ca: fs.readFileSync(a.ready.ca_file, 'utf8'),
    };
    const codes = async (now) => (await checkCertificate(s, null, now)).map((f) => `${f.code} ${f.en}`);
    assert.deepEqual(await codes(Date.parse('4096-01-02T00:00:00Z')), ['CERT_EXPIRED the merchant API certificate expired on 4096-01-01']);
    const soon = await codes(Date.parse('4095-12-20T00:00:00Z'));
    assert.equal(soon[0], 'CERT_EXPIRING the merchant API certificate expires on 4096-01-01 (in 12 days)');
    assert.match(soon[1], /^CERT_OK /);
  });

  test('a certificate WeChat does not accept is named CERT_REFUSED', async () => {
    // b's certificate with b as the merchant, presented to a: another CA, refused in the handshake.
    const run = await doctor(a, { ...v2, WXPAY_MCH_ID: b.ready.mch_id, WXPAY_CLIENT_CERT: b.ready.client_cert, WXPAY_CLIENT_KEY: b.ready.client_key });
    assertFails(run, 'CERT_REFUSED');
  });

  test('an http public URL is named PUBLIC_URL_NOT_HTTPS; on loopback with a loopback API base it is a local sandbox', async () => {
    assertFails(await doctor(a, { ...v2, WXPAY_PUBLIC_URL: 'http://shop.example.com' }), 'PUBLIC_URL_NOT_HTTPS');
    const sandbox = await doctor(a, { ...v2, WXPAY_PUBLIC_URL: 'http://127.0.0.1:8080' });
    assertPasses(sandbox, ['V2_KEY_OK']);
  });

  test('a notify URL over 256 bytes is named PUBLIC_URL_TOO_LONG', async () => {
    assertFails(await doctor(a, { ...v2, WXPAY_PUBLIC_URL: `${HTTPS_URL}/${'p'.repeat(230)}` }), 'PUBLIC_URL_TOO_LONG');
  });

  test("WeChat's certificate is verified: under another CA (the other simulator's) WeChat is WECHAT_UNREACHABLE", async () => {
    const run = await doctor(a, { ...v2, WXPAY_CA_FILE: b.ready.ca_file });
    assertFails(run, 'WECHAT_UNREACHABLE');
    assert.match(run.stdout, /certificate/i);
    assert.ok(!run.codes.includes('V2_KEY_OK'), run.stdout);
  });

  test('a missing setting is named SETTING_MISSING with its name', async () => {
    const run = await doctor(a, { ...v2, WXPAY_API_KEY: '' });
    assertFails(run, 'SETTING_MISSING');
    assert.match(run.stdout, /WXPAY_API_KEY/);
  });
});

describe('v3', () => {
  test('a correct configuration passes in public-key mode: signature, answers under the public key, APIv3 key unchecked', async () => {
    assertPasses(await doctor(a, v3), ['CLOCK_OK', 'PUBLIC_URL_OK', 'V3_SIGN_OK', 'V3_ANSWER_OK', 'V3_APIV3_KEY_UNCHECKED']);
  });

  test('a correct configuration passes in certificate mode: the APIv3 key decrypts the download', async () => {
    assertPasses(await doctor(b, v3), ['V3_SIGN_OK', 'V3_APIV3_KEY_OK', 'V3_ANSWER_OK']);
  });

  test('a key that is not its serial\'s is named V3_KEY_NOT_SERIAL (WeChat verified the message we signed)', async () => {
    const run = await doctor(a, { ...v3, WXPAY_MCH_PRIVATE_KEY: strangerKey(a.dir) });
    assertFails(run, 'V3_KEY_NOT_SERIAL');
    assert.ok(!run.codes.includes('V3_SIGN_MESSAGE_DIFFERS'), run.stdout);
  });

  test('a serial WeChat does not know is named V3_SERIAL_REJECTED', async () => {
    const run = await doctor(a, { ...v3, WXPAY_MCH_SERIAL: crypto.randomBytes(20).toString('hex').toUpperCase() });
    assertFails(run, 'V3_SERIAL_REJECTED');
  });

  test('another merchant number is named V3_MCHID_REJECTED', async () => {
    assertFails(await doctor(a, { ...v3, WXPAY_MCH_ID: b.ready.mch_id }), 'V3_MCHID_REJECTED');
  });

  test('a wrong APIv3 key is named V3_APIV3_KEY_WRONG (certificate mode)', async () => {
    const wrong = crypto.randomBytes(16).toString('hex');
    const run = await doctor(b, { ...v3, WXPAY_APIV3_KEY: wrong });
    assertFails(run, 'V3_APIV3_KEY_WRONG');
    assert.ok(run.codes.includes('V3_SIGN_OK'), run.stdout);
  });

  test('a public key id of the wrong shape is named V3_PUBLIC_KEY_ID_FORMAT', async () => {
    assertFails(await doctor(a, { ...v3, WXPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_x0114' }), 'V3_PUBLIC_KEY_ID_FORMAT');
  });

  test('another public key is named V3_ANSWER_UNVERIFIED', async () => {
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = path.join(a.dir, 'other_pub_key.pem');
    fs.writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    assertFails(await doctor(a, { ...v3, WXPAY_PUBLIC_KEY: file }), 'V3_ANSWER_UNVERIFIED');
  });

  test('an http public URL is named PUBLIC_URL_NOT_HTTPS', async () => {
    assertFails(await doctor(a, { ...v3, WXPAY_PUBLIC_URL: 'http://shop.example.com' }), 'PUBLIC_URL_NOT_HTTPS');
  });
});

// Node 16 and 18 (WXPAY_TEST_NODE_BINS, as package.test.js; scripts/test-wasm sets it): no
// global fetch, and Node 16's OpenSSL 1.1 reads the p12 otherwise than OpenSSL 3.
const otherNodes = (process.env.WXPAY_TEST_NODE_BINS || '').split(path.delimiter).filter(Boolean);
describe('on the oldest Nodes', () => {
  for (const bin of otherNodes) {
    test(`${path.basename(path.dirname(path.dirname(bin)))}: correct v2 (p12) and v3 pass, a wrong p12 password is named`, async () => {
      const p12 = { WXPAY_CLIENT_CERT: '', WXPAY_CLIENT_KEY: '', WXPAY_CLIENT_P12: b.ready.client_p12 };
      assertPasses(await doctor(b, { ...v2, ...p12 }, bin), ['V2_KEY_OK', 'CERT_OK']);
      assertPasses(await doctor(b, v3, bin), ['V3_SIGN_OK', 'V3_APIV3_KEY_OK', 'V3_ANSWER_OK']);
      assertFails(await doctor(b, { ...v2, ...p12, WXPAY_CLIENT_P12_PASSWORD: 'not-the-p12-password-4f1c' }, bin), 'P12_PASSWORD_WRONG');
    });
  }
  if (otherNodes.length === 0) test('Node 16 and 18 (set WXPAY_TEST_NODE_BINS; scripts/test-wasm does)', { skip: true }, () => {});
});

describe('the command line', () => {
  const run = (args) => new Promise((resolve) => {
    execFile(process.execPath, [DOCTOR, ...args], { env: { PATH: process.env.PATH } }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });

  test('an unknown command or an unknown flag is a usage error: exit 2, and why', async () => {
    for (const [args, why] of [[['dcotor'], /unknown command "dcotor"/], [['doctor', '--verbose'], /unknown argument "--verbose"/]]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, why);
      assert.match(r.stderr, /usage: wxpay doctor \[--env-file FILE\]/);
      assert.equal(r.stdout, '');
    }
  });

  test('an --env-file that does not exist is named, nothing is checked', async () => {
    const r = await run(['doctor', '--env-file', '/nonexistent/wxpay.env']);
    // Node 20 itself looks for an --env-file even after the script's name, and exits 9 with
    // "node: /nonexistent/wxpay.env: not found" before doctor runs; other Nodes leave it to doctor.
    if (r.code === 9) assert.match(r.stderr, /\/nonexistent\/wxpay\.env: not found/);
    else {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot read --env-file \/nonexistent\/wxpay\.env: ENOENT/);
    }
    assert.equal(r.stdout, '');
  });

  test('--help prints the usage, exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: wxpay doctor/);
  });
});

describe('a SIGN_ERROR read line by line (the core\'s rule, through wxpay/v3)', () => {
  const { diagnoseSignError } = require('../../pkg/doctor/v3');
  const settings = { mchId: '1900000109', v3: { serial: 'SERIAL' } };
  const request = { method: 'GET', pathAndQuery: '/v3/pay/transactions/out-trade-no/DOCTOR1?mchid=1900000109', timestamp: 1700000000, nonceStr: 'abc' };
  const ours = 'GET\n/v3/pay/transactions/out-trade-no/DOCTOR1?mchid=1900000109\n1700000000\nabc\n\n';
  // WeChat's answer: `detail.sign_information` holds the message it verified, its body cut short.
  const answer = (info) => {
    const json = { code: 'SIGN_ERROR', message: '签名错误，请检查后再试', detail: { detail: { issue: 'sign not match' }, sign_information: info } };
    return [Buffer.from(JSON.stringify(json)), json];
  };
  const diagnose = (info, req = request) => diagnoseSignError(...answer(info), req, settings, 0);

  test('the same lines: the key is not the serial\'s', () => {
    assert.equal(diagnose({ truncated_sign_message: ours, sign_message_length: Buffer.byteLength(ours) }).code, 'V3_KEY_NOT_SERIAL');
  });

  test('another path (a proxy that rewrote it): V3_SIGN_MESSAGE_DIFFERS names line 2, ours and WeChat\'s', () => {
    const theirs = ours.replace('?mchid=1900000109', '?mchid=1900000109&x=1');
    const f = diagnose({ truncated_sign_message: theirs });
    assert.equal(f.code, 'V3_SIGN_MESSAGE_DIFFERS');
    assert.match(f.en, /^WeChat Pay could not verify the signature: line 2 \(path\) of the signed message differs, we signed "\/v3\/pay.*mchid=1900000109", WeChat Pay expected ".*&x=1"$/);
  });

  test('a body re-serialised past the part shown: the lengths differ, line 5', () => {
    const post = { method: 'POST', pathAndQuery: '/v3/pay/transactions/jsapi', body: '{"a":1,"b":2}', timestamp: 1700000000, nonceStr: 'abc' };
    const signed = 'POST\n/v3/pay/transactions/jsapi\n1700000000\nabc\n{"a":1,"b":2}\n';
    const shown = 'POST\n/v3/pay/transactions/jsapi\n1700000000\nabc\n{"a":1,"b"\n';
    const f = diagnose({ truncated_sign_message: shown, sign_message_length: Buffer.byteLength(signed) + 2 }, post);
    assert.equal(f.code, 'V3_SIGN_MESSAGE_DIFFERS');
    assert.match(f.en, /line 5 \(body\).*\d+ bytes.*\d+ bytes/);
  });

  test('no sign_information: what the message names', () => {
    const json = { code: 'SIGN_ERROR', message: '商户证书序列号有误。请使用签名私钥匹配的证书序列号' };
    assert.equal(diagnoseSignError(Buffer.from(JSON.stringify(json)), json, request, settings, 0).code, 'V3_SERIAL_REJECTED');
  });
});

describe('the clock, 10 minutes behind WeChat (last: the simulator clock only moves forward)', () => {
  before(async () => {
    await control(b.ready, 'POST', '/clock', { advance_secs: 600 });
  });

  test('v2: CLOCK_SKEW, exit 1', async () => {
    const run = await doctor(b, v2);
    assertFails(run, 'CLOCK_SKEW');
    // 600 s, as whole seconds of WeChat's `Date` against ours: a second either way under load.
    const skew = Number((/CLOCK_SKEW 本机时钟与微信支付相差 (-?\d+) 秒/.exec(run.stdout) || [])[1]);
    assert.ok(Math.abs(skew - 600) <= 2, run.stdout);
  });

  test('v3: CLOCK_SKEW, and the keys are not blamed (requests signed in WeChat time)', async () => {
    const run = await doctor(b, v3);
    assertFails(run, 'CLOCK_SKEW');
    assert.equal(run.codes[0], 'CLOCK_SKEW', 'the clock is checked first');
    for (const code of ['V3_KEY_NOT_SERIAL', 'V3_SIGN_MESSAGE_DIFFERS', 'V3_SERIAL_REJECTED', 'V3_ANSWER_UNEXPECTED', 'V3_ANSWER_UNVERIFIED']) {
      assert.ok(!run.codes.includes(code), `${code} in:\n${run.stdout}`);
    }
    assert.ok(run.codes.includes('V3_SIGN_OK'), run.stdout);
  });
});

test('no output carries a secret: API key, APIv3 key, AppSecret, p12 password', () => {
  assert.ok(outputs.length > 20, 'the runs above');
  const secrets = [a, b].flatMap((s) => [s.ready.api_key, s.ready.app_secret, s.ready.v3.apiv3_key]);
  secrets.push('not-the-p12-password-4f1c');
  for (const out of outputs) {
    for (const secret of secrets) assert.ok(!out.includes(secret), `a secret in:\n${out}`);
  }
});
