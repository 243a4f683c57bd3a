'use strict';
// The wasm/JS section of scripts/bench: pkg/ against the JavaScript ways of doing the same work,
// in one process on one machine. Prints a Markdown block; with --update FILE it also replaces
// this section of FILE (see update-section.js).
//
// Every path does the same work on the same notify: parse the XML, check return_code, verify the
// MD5 signature (constant-time compare), check appid and mch_id, and build a typed object with
// the amount as a number.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { XMLParser } = require('fast-xml-parser');
const xml2js = require('xml2js');

const { updateSection } = require('./update-section');

const PKG = path.join(__dirname, '..', '..', 'pkg');
const wxpay = require(PKG);

const KEY = '192006250b4c09247ec02edce69f6a2d';
const MERCHANT = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: KEY };

// A realistic notify: the fields WeChat sends for a JSAPI payment, with a Chinese attach.
const NOTIFY_FIELDS = {
  appid: MERCHANT.appId, attach: '门店 7 早餐', bank_type: 'CMC', cash_fee: '1200', fee_type: 'CNY',
  is_subscribe: 'N', mch_id: MERCHANT.mchId, nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
  openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', out_trade_no: '20261123000001', result_code: 'SUCCESS',
  return_code: 'SUCCESS', settlement_total_fee: '1200', time_end: '20261123120000', total_fee: '1200',
  trade_type: 'JSAPI', transaction_id: '4200000215201811190261405420',
};

// ---- the JavaScript paths ----------------------------------------------------------------------

function md5Sign(fields, key) {
  const text =
    Object.keys(fields)
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] != null)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('&') + `&key=${key}`;
  return crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** What both JS paths do after parsing: the checks and the typed object pkg/ returns. */
function checkAndType(f) {
  if (f.return_code !== 'SUCCESS') throw new Error('RETURN_FAIL');
  const expected = Buffer.from(md5Sign(f, KEY));
  const given = Buffer.from(String(f.sign || '').toUpperCase());
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error('SIGNATURE_MISMATCH');
  if (f.appid !== MERCHANT.appId) throw new Error('APPID_MISMATCH');
  if (f.mch_id !== MERCHANT.mchId) throw new Error('MCHID_MISMATCH');
  if (!/^\d+$/.test(f.total_fee)) throw new Error('INVALID_FIELD');
  return {
    resultCode: f.result_code, appId: f.appid, mchId: f.mch_id, openid: f.openid, tradeType: f.trade_type,
    bankType: f.bank_type, totalFee: Number(f.total_fee), settlementTotalFee: Number(f.settlement_total_fee),
    cashFee: Number(f.cash_fee), feeType: f.fee_type, transactionId: f.transaction_id, outTradeNo: f.out_trade_no,
    attach: f.attach, timeEnd: f.time_end, isSubscribe: f.is_subscribe, signType: 'MD5',
  };
}

/** The seed project's way: xml2js (its parseString calls back synchronously) + crypto MD5. */
function verifyXml2js(xml) {
  let out;
  xml2js.parseString(xml, { explicitArray: false, trim: false, explicitRoot: false }, (err, fields) => {
    if (err) throw err;
    out = checkAndType(fields);
  });
  return out;
}

const fxp = new XMLParser({ parseTagValue: false, trimValues: false, processEntities: true, ignoreDeclaration: true });
/** The fastest JS parser we know of + crypto MD5. */
function verifyFxp(xml) {
  return checkAndType(fxp.parse(xml).xml);
}

// ---- measurement ------------------------------------------------------------------------------

/** ops/s of each candidate: interleaved rounds of ~`ms` each, the median round reported. */
function measure(candidates, { rounds = 7, ms = 150 } = {}) {
  const results = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (const fn of Object.values(candidates)) for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(candidates)) {
      let n = 0;
      const start = process.hrtime.bigint();
      const end = start + BigInt(ms * 1e6);
      let now = start;
      while (now < end) {
        for (let i = 0; i < 64; i++) fn();
        n += 64;
        now = process.hrtime.bigint();
      }
      results[name].push(n / (Number(now - start) / 1e9));
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, median(xs)]));
}

function coldStart(samples = 9) {
  const script = `
    const t0 = performance.now();
    const w = require(${JSON.stringify(PKG)});
    const t1 = performance.now();
    w.verifyPaymentNotify(${JSON.stringify('XML')}, ${JSON.stringify(MERCHANT)});
    const t2 = performance.now();
    process.stdout.write(JSON.stringify([t1 - t0, t2 - t0]));`;
  const xml = signedXml();
  const runs = [];
  for (let i = 0; i < samples; i++) {
    const out = execFileSync(process.execPath, ['-e', script.replace('"XML"', JSON.stringify(xml))], { encoding: 'utf8' });
    runs.push(JSON.parse(out));
  }
  const median = (i) => runs.map((r) => r[i]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { require: median(0), firstCall: median(1) };
}

function signedXml() {
  return wxpay.toXml({ ...NOTIFY_FIELDS, sign: md5Sign(NOTIFY_FIELDS, KEY) });
}

// ---- the run ----------------------------------------------------------------------------------

function main() {
  const xml = signedXml();
  const merchant = new wxpay.Merchant(MERCHANT);

  // Every path must give the same answer before its speed means anything.
  const reference = JSON.stringify(Object.entries(verifyFxp(xml)).sort());
  for (const [name, got] of [['wasm', merchant.verifyPaymentNotify(xml)], ['xml2js', verifyXml2js(xml)]]) {
    if (JSON.stringify(Object.entries(got).sort()) !== reference) throw new Error(`${name} disagrees: ${JSON.stringify(got)}`);
  }
  const small = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
  const order = { ...NOTIFY_FIELDS };
  for (const p of [small, order]) if (wxpay.sign(p, KEY) !== md5Sign(p, KEY)) throw new Error('sign disagrees');

  const bytes = Buffer.from(xml);
  const notify = measure({
    'wasm `Merchant#verifyPaymentNotify` (string)': () => merchant.verifyPaymentNotify(xml),
    'wasm `verifyPaymentNotify(xml, config)` (string)': () => wxpay.verifyPaymentNotify(xml, MERCHANT),
    'wasm `Merchant#verifyPaymentNotify` (Buffer, as node:http delivers it)': () => merchant.verifyPaymentNotify(bytes),
    'fast-xml-parser + crypto MD5': () => verifyFxp(xml),
    'xml2js + crypto MD5 (seed style)': () => verifyXml2js(xml),
  });
  const signs = measure({
    'wasm `sign` (5 fields, official example)': () => wxpay.sign(small, KEY),
    'crypto MD5 (5 fields)': () => md5Sign(small, KEY),
    'wasm `sign` (17 fields, a notify)': () => wxpay.sign(order, KEY),
    'crypto MD5 (17 fields)': () => md5Sign(order, KEY),
  });
  const cold = coldStart();
  const wasm = fs.readFileSync(path.join(PKG, 'wxpay_bg.wasm'));
  const gz = zlib.gzipSync(wasm, { level: 9 }).length;

  const [wasmM, wasmFn, wasmBuf, fxpOps, x2jOps] = Object.values(notify);
  const [s5, c5, s17, c17] = Object.values(signs);
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const mark = (ok) => (ok ? 'met' : '**not met**');

  const lines = [];
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  lines.push(`Measured by \`scripts/bench wasm\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus()[0].model} × ${os.cpus().length} (load average ${load} at the end of the run), a ${xml.length}-character notify. Medians of 7 interleaved rounds.`);
  lines.push('');
  lines.push('| verify a payment notify | ops/s | wasm (Merchant) is |');
  lines.push('| --- | ---: | ---: |');
  for (const [name, ops] of Object.entries(notify)) lines.push(`| ${name} | ${fmt(ops)} | ${ratio(wasmM, ops)} |`);
  lines.push('');
  lines.push('| sign | ops/s | wasm / crypto |');
  lines.push('| --- | ---: | ---: |');
  const names = Object.keys(signs);
  lines.push(`| ${names[0]} | ${fmt(s5)} | ${ratio(s5, c5)} |`);
  lines.push(`| ${names[1]} | ${fmt(c5)} | |`);
  lines.push(`| ${names[2]} | ${fmt(s17)} | ${ratio(s17, c17)} |`);
  lines.push(`| ${names[3]} | ${fmt(c17)} | |`);
  lines.push('');
  lines.push('| target | reached | |');
  lines.push('| --- | --- | --- |');
  lines.push(`| notify ≥ 2× the fastest JS path | ${ratio(wasmM, fxpOps)} (function form ${ratio(wasmFn, fxpOps)}, Buffer ${ratio(wasmBuf, fxpOps)}) | ${mark(wasmM >= 2 * fxpOps)} |`);
  lines.push(`| notify ≥ 5× the xml2js path | ${ratio(wasmM, x2jOps)} (function form ${ratio(wasmFn, x2jOps)}, Buffer ${ratio(wasmBuf, x2jOps)}) | ${mark(wasmM >= 5 * x2jOps)} |`);
  lines.push(`| \`sign\` no slower than crypto | ${ratio(s5, c5)} (5 fields), ${ratio(s17, c17)} (17 fields) | ${mark(s5 >= c5 && s17 >= c17)} |`);
  lines.push(`| \`.wasm\` ≤ 64 KB gzipped | ${fmt(wasm.length)} B raw, ${fmt(gz)} B gzipped (-9) | ${mark(gz <= 64 * 1024)} |`);
  lines.push(`| cold start ≤ 5 ms (require + instantiate + first verify) | ${cold.firstCall.toFixed(2)} ms (require + instantiate alone ${cold.require.toFixed(2)} ms; median of 9 fresh processes) | ${mark(cold.firstCall <= 5)} |`);
  const block = lines.join('\n');

  console.log(block);
  const i = process.argv.indexOf('--update');
  if (i > 0) updateSection(process.argv[i + 1], 'wasm', block);
}

main();
