'use strict';
// `sign`'s process CPU per call against crypto MD5 in JS over the same canonical rule, and
// against another build of the package when given one (a directory with its index.js, e.g. a
// copy of the previous commit's pkg/): `node node/bench/sign-cpu.js [BASELINE_PKG]`. The paths
// take turns, 5 rounds of 400,000 calls each (after 100,000 to warm up), medians, each in a
// process of its own (per-process.js says why).
const path = require('node:path');

const { md5Sign } = require('./md5-sign');
const { cpuPerCall, inTurns } = require('./per-process');

const KEY = '192006250b4c09247ec02edce69f6a2d';
const FIELDS = {
  '17 fields (a notify, one Chinese value)': {
    appid: 'wx2421b1c4370ec43b', attach: '支付测试', bank_type: 'CFT', fee_type: 'CNY', is_subscribe: 'Y', mch_id: '10000100',
    nonce_str: '5d2b6c2a8db53831f7eda20af46e531c', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', out_trade_no: '1409811653',
    result_code: 'SUCCESS', return_code: 'SUCCESS', sub_mch_id: '10000100', time_end: '20140903131540', total_fee: 1,
    coupon_fee: 10, trade_type: 'JSAPI', transaction_id: '1004400740201409030005092168',
  },
  '5 fields (the official example)': { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' },
};

const N = 400000;
const ROUNDS = 5;

/** In a child: `[which, build dir or '', fields' name]` from argv; prints µs per call. */
function child([which, dir, name]) {
  const fields = FIELDS[name];
  let f;
  if (which === 'js') {
    f = () => md5Sign(fields, KEY);
  } else {
    const wxpay = require(dir);
    if (wxpay.sign(fields, KEY) !== md5Sign(fields, KEY)) throw new Error(`${dir} disagrees with crypto MD5`);
    f = () => wxpay.sign(fields, KEY);
  }
  process.stdout.write(String(cpuPerCall(f, N, N / 4)));
}

if (process.argv[2] === '--child') {
  child(process.argv.slice(3));
} else {
  const builds = [['this pkg/', path.join(__dirname, '..', '..', 'pkg')]];
  if (process.argv[2]) builds.unshift([`baseline ${process.argv[2]}`, path.resolve(process.argv[2])]);
  const paths = [...builds.map(([label, dir]) => [label, 'wasm', dir]), ['crypto MD5 in JS', 'js', '']];
  for (const name of Object.keys(FIELDS)) {
    const times = inTurns(__filename, paths, ROUNDS, [name]);
    const js = times.get('crypto MD5 in JS');
    console.log(name);
    for (const [label, t] of times) console.log(`  ${label}: ${t.toFixed(2)} µs CPU a call, ${(js / t).toFixed(2)}× crypto's speed`);
  }
}
