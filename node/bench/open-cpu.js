'use strict';
// `KeySet#openNotification`'s process CPU per call against node:crypto doing the same work
// (v3-node-crypto.js: verify, decrypt, JSON.parse), and against another build of the package when
// given one (a directory with its v3.js, e.g. a copy of the previous commit's pkg/):
// `node node/bench/open-cpu.js [BASELINE_PKG]`. The payment notify of tests/data/v3_vectors.json,
// as node:http delivers it (a Buffer). The paths take turns, 11 rounds of 15,000 calls each (after
// 2,000 to warm up), medians, each in a process of its own (per-process.js says why).
// wasm-vs-js.js measures the same pair in one process, with rounds interleaved: the two ways
// have differed by a tenth (BENCHMARKS.md), and this one is the stricter.
const fs = require('node:fs');
const path = require('node:path');

const { cpuPerCall, inTurns } = require('./per-process');

const ROOT = path.join(__dirname, '..', '..');
const N = 15000;
const ROUNDS = 11;

/** In a child: `[which, build dir or '']` from argv; prints µs of CPU per call. */
function child([which, dir]) {
  const crypto = require('node:crypto');
  const V = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'data', 'v3_vectors.json'), 'utf8'));
  const publicKey = fs.readFileSync(path.join(ROOT, 'tests', 'data', 'v3_test_wechatpay_public_key.pem'), 'utf8');
  const n = V.notifies[0];
  const body = Buffer.from(n.body);
  let f;
  if (which === 'js') {
    const { JS_V3 } = require('./v3-node-crypto');
    // eslint-disable-next-line no-new-func
    const { openNotification } = new Function('crypto', `${JS_V3}; return { openNotification };`)(crypto);
    const keys = { [V.public_key_id]: crypto.createPublicKey(publicKey) };
    const apiV3Key = Buffer.from(V.api_v3_key);
    f = () => openNotification(keys, apiV3Key, n.headers, body, n.now);
  } else {
    const v3 = require(path.join(dir, 'v3.js'));
    const keys = new v3.KeySet({ apiV3Key: V.api_v3_key, publicKeys: { [V.public_key_id]: publicKey } });
    if (keys.openNotification(n.headers, body, n.now).event.outTradeNo === undefined) throw new Error(`${dir}: no payment opened`);
    f = () => keys.openNotification(n.headers, body, n.now);
  }
  process.stdout.write(String(cpuPerCall(f, N, 2000)));
}

if (process.argv[2] === '--child') {
  child(process.argv.slice(3));
} else {
  const builds = [['this pkg/', path.join(ROOT, 'pkg')]];
  if (process.argv[2]) builds.unshift([`baseline ${process.argv[2]}`, path.resolve(process.argv[2])]);
  const paths = [...builds.map(([label, dir]) => [label, 'wasm', dir]), ['node:crypto', 'js', '']];
  const times = inTurns(__filename, paths, ROUNDS);
  const js = times.get('node:crypto');
  console.log('KeySet#openNotification of one payment notify (a Buffer)');
  for (const [label, t] of times) console.log(`  ${label}: ${t.toFixed(1)} µs CPU a call, ${(t / js).toFixed(2)}× node:crypto's time`);
}
