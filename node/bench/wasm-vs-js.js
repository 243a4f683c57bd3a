'use strict';
// The wasm section of scripts/bench: pkg/ against the JavaScript ways of doing the same work,
// side by side in one run on one machine. Prints a Markdown block; with --update FILE it also
// replaces this section of FILE (see update-section.js).
//
// Every notify path does the same work on the same notify: parse the XML, check return_code,
// verify the MD5 signature (constant-time compare), check appid and mch_id, and build a typed
// object with the amounts as numbers. The run first checks that all paths return that object.
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
const notifyEntry = require(path.join(PKG, 'notify.js'));

const KEY = '192006250b4c09247ec02edce69f6a2d';
const MERCHANT = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: KEY };
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 21);

// A realistic notify: the fields WeChat sends for a JSAPI payment, with a Chinese attach.
const NOTIFY_FIELDS = {
  appid: MERCHANT.appId, attach: '门店 7 早餐', bank_type: 'CMC', cash_fee: '1200', fee_type: 'CNY',
  is_subscribe: 'N', mch_id: MERCHANT.mchId, nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
  openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', out_trade_no: '20261123000001', result_code: 'SUCCESS',
  return_code: 'SUCCESS', settlement_total_fee: '1200', time_end: '20261123120000', total_fee: '1200',
  trade_type: 'JSAPI', transaction_id: '4200000215201811190261405420',
};

// ---- the JavaScript paths (also run, as text, in the cold-start processes) ---------------------

const JS_PATHS = String.raw`
function md5Sign(fields, key) {
  const text =
    Object.keys(fields)
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] != null)
      .sort()
      .map((k) => k + '=' + fields[k])
      .join('&') + '&key=' + key;
  return crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** What both JS paths do after parsing: the checks and the typed object pkg/ returns. */
function checkAndType(f, merchant) {
  if (f.return_code !== 'SUCCESS') throw new Error('RETURN_FAIL');
  const expected = Buffer.from(md5Sign(f, merchant.key));
  const given = Buffer.from(String(f.sign || '').toUpperCase());
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error('SIGNATURE_MISMATCH');
  if (f.appid !== merchant.appId) throw new Error('APPID_MISMATCH');
  if (f.mch_id !== merchant.mchId) throw new Error('MCHID_MISMATCH');
  if (!/^\d+$/.test(f.total_fee)) throw new Error('INVALID_FIELD');
  return {
    resultCode: f.result_code, appId: f.appid, mchId: f.mch_id, openid: f.openid, tradeType: f.trade_type,
    bankType: f.bank_type, totalFee: Number(f.total_fee), settlementTotalFee: Number(f.settlement_total_fee),
    cashFee: Number(f.cash_fee), feeType: f.fee_type, transactionId: f.transaction_id, outTradeNo: f.out_trade_no,
    attach: f.attach, timeEnd: f.time_end, isSubscribe: f.is_subscribe, signType: 'MD5',
  };
}
`;
// The same text in this process as in the cold-start ones.
// eslint-disable-next-line no-new-func
const { md5Sign, checkAndType } = new Function('crypto', `${JS_PATHS}; return { md5Sign, checkAndType };`)(crypto);

/** The seed project's way: xml2js (its parseString calls back synchronously) + crypto MD5. */
function verifyXml2js(xml) {
  let out;
  xml2js.parseString(xml, { explicitArray: false, trim: false, explicitRoot: false }, (err, fields) => {
    if (err) throw err;
    out = checkAndType(fields, MERCHANT);
  });
  return out;
}

const FXP_OPTIONS = { parseTagValue: false, trimValues: false, processEntities: true, ignoreDeclaration: true };
const fxp = new XMLParser(FXP_OPTIONS);
/** The fastest JS parser we know of + crypto MD5. */
function verifyFxp(xml) {
  return checkAndType(fxp.parse(xml).xml, MERCHANT);
}

// ---- measurement ------------------------------------------------------------------------------

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  return Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, median(xs)]));
}

/**
 * Cold start: in a fresh `node` process, the time from before the first `require` to after the
 * first verified notify. The paths take turns, process after process, so that load on the
 * machine falls on all of them alike; each path's median of `runs` processes.
 */
function coldStart(xml, runs, { node = process.execPath, only } = {}) {
  const all = {
    'pkg/ `wxpay/notify`': `const w = require(${JSON.stringify(path.join(PKG, 'notify.js'))});
      new w.Merchant(M).verifyPaymentNotify(XML);`,
    'pkg/ `wxpay`': `const w = require(${JSON.stringify(PKG)});
      new w.Merchant(M).verifyPaymentNotify(XML);`,
    'fast-xml-parser + crypto': `const crypto = require('node:crypto');
      const { XMLParser } = require(${JSON.stringify(require.resolve('fast-xml-parser'))});
      ${JS_PATHS}
      checkAndType(new XMLParser(${JSON.stringify(FXP_OPTIONS)}).parse(XML).xml, M);`,
    'xml2js + crypto': `const crypto = require('node:crypto');
      const xml2js = require(${JSON.stringify(require.resolve('xml2js'))});
      ${JS_PATHS}
      xml2js.parseString(XML, { explicitArray: false, trim: false, explicitRoot: false }, (e, f) => { if (e) throw e; checkAndType(f, M); });`,
  };
  const scripts = Object.fromEntries(Object.entries(all).filter(([k]) => !only || only.includes(k)));
  const times = Object.fromEntries(Object.keys(scripts).map((k) => [k, []]));
  // Each run is a file, as a cloud function's code is (`node -e` sets up globals of its own).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-cold-'));
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, body] of Object.entries(scripts)) {
        const file = path.join(dir, 'main.js');
        fs.writeFileSync(file, `const XML = ${JSON.stringify(xml)}; const M = ${JSON.stringify(MERCHANT)};
          const t0 = performance.now();
          ${body}
          process.stdout.write(String(performance.now() - t0));`);
        times[name].push(Number(execFileSync(node, [file], { encoding: 'utf8' })));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

function signedXml() {
  return wxpay.toXml({ ...NOTIFY_FIELDS, sign: md5Sign(NOTIFY_FIELDS, KEY) });
}

// ---- the run ----------------------------------------------------------------------------------

function main() {
  const xml = signedXml();
  const merchant = new wxpay.Merchant(MERCHANT);
  const notifyMerchant = new notifyEntry.Merchant(MERCHANT);

  // Every path must give the same answer before its speed means anything.
  const reference = JSON.stringify(Object.entries(verifyFxp(xml)).sort());
  for (const [name, got] of [
    ['wasm', merchant.verifyPaymentNotify(xml)],
    ['wasm notify entry', notifyMerchant.verifyPaymentNotify(xml)],
    ['xml2js', verifyXml2js(xml)],
  ]) {
    if (JSON.stringify(Object.entries(got).sort()) !== reference) throw new Error(`${name} disagrees: ${JSON.stringify(got)}`);
  }
  const small = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
  const order = { ...NOTIFY_FIELDS };
  for (const p of [small, order]) if (wxpay.sign(p, KEY) !== md5Sign(p, KEY)) throw new Error('sign disagrees');

  const bytes = Buffer.from(xml);
  const notify = measure({
    'wasm `wxpay/notify` `Merchant#verifyPaymentNotify` (string)': () => notifyMerchant.verifyPaymentNotify(xml),
    'wasm `wxpay` `Merchant#verifyPaymentNotify` (string)': () => merchant.verifyPaymentNotify(xml),
    'wasm `wxpay` `verifyPaymentNotify(xml, config)` (string)': () => wxpay.verifyPaymentNotify(xml, MERCHANT),
    'wasm `wxpay/notify` `Merchant#verifyPaymentNotify` (Buffer, as node:http delivers it)': () => notifyMerchant.verifyPaymentNotify(bytes),
    'fast-xml-parser + crypto MD5': () => verifyFxp(xml),
    'xml2js + crypto MD5 (seed style)': () => verifyXml2js(xml),
  });
  const signs = measure({
    'wasm `sign` (5 fields, official example)': () => wxpay.sign(small, KEY),
    'crypto MD5 (5 fields)': () => md5Sign(small, KEY),
    'wasm `sign` (17 fields, a notify)': () => wxpay.sign(order, KEY),
    'crypto MD5 (17 fields)': () => md5Sign(order, KEY),
  });
  const cold = coldStart(xml, COLD_RUNS);
  // The older Nodes WeChat cloud functions offer (node/package.json's optional node16, node18).
  const older = ['node16', 'node18']
    .map((name) => path.join(__dirname, '..', 'node_modules', name, 'bin', 'node'))
    .filter((bin) => fs.existsSync(bin))
    .map((bin) => [execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(),
      coldStart(xml, COLD_RUNS, { node: bin, only: ['pkg/ `wxpay/notify`', 'fast-xml-parser + crypto'] })]);
  const size = (name) => {
    const wasm = fs.readFileSync(path.join(PKG, 'wasm', `${name}_bg.wasm`));
    return { raw: wasm.length, gz: zlib.gzipSync(wasm, { level: 9 }).length };
  };
  const sizes = { 'wxpay/notify': size('notify'), wxpay: size('wxpay') };

  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const mark = (ok) => (ok ? 'met' : '**not met**');
  const [notifyOps, fullOps, , , fxpOps, x2jOps] = Object.values(notify);
  const [s5, c5, s17, c17] = Object.values(signs);
  const [coldNotify, coldFull, coldFxp, coldX2j] = Object.values(cold);

  const lines = [];
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  lines.push(`Measured by \`scripts/bench wasm\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus()[0].model} × ${os.cpus().length} (load average ${load} at the end of the run), a ${xml.length}-character notify. Throughput: medians of 7 interleaved rounds. Cold start: medians of ${COLD_RUNS} fresh processes per path, the paths taking turns.`);
  lines.push('');
  lines.push('| verify a payment notify | ops/s | `wxpay/notify` (Merchant, string) is |');
  lines.push('| --- | ---: | ---: |');
  for (const [name, ops] of Object.entries(notify)) lines.push(`| ${name} | ${fmt(ops)} | ${ratio(notifyOps, ops)} |`);
  lines.push('');
  lines.push('| cold start: `require` + first verified notify, fresh process | median | `wxpay/notify` is |');
  lines.push('| --- | ---: | ---: |');
  for (const [name, ms] of Object.entries(cold)) lines.push(`| ${name} | ${ms.toFixed(2)} ms | ${ratio(coldNotify, ms)} |`);
  for (const [version, c] of older) {
    const [wasmMs, fxpMs] = Object.values(c);
    lines.push(`| on Node ${version}: pkg/ \`wxpay/notify\` / fast-xml-parser + crypto | ${wasmMs.toFixed(2)} / ${fxpMs.toFixed(2)} ms | ${ratio(wasmMs, fxpMs)} (of fast-xml-parser) |`);
  }
  lines.push('');
  lines.push('| `.wasm` | raw | gzip -9 |');
  lines.push('| --- | ---: | ---: |');
  for (const [name, s] of Object.entries(sizes)) lines.push(`| \`${name}\` | ${fmt(s.raw)} B | ${fmt(s.gz)} B (${(s.gz / 1024).toFixed(1)} KiB) |`);
  lines.push('');
  lines.push('| sign | ops/s | wasm / crypto |');
  lines.push('| --- | ---: | ---: |');
  const names = Object.keys(signs);
  lines.push(`| ${names[0]} | ${fmt(s5)} | ${ratio(s5, c5)} |`);
  lines.push(`| ${names[1]} | ${fmt(c5)} | |`);
  lines.push(`| ${names[2]} | ${fmt(s17)} | ${ratio(s17, c17)} |`);
  lines.push(`| ${names[3]} | ${fmt(c17)} | |`);
  lines.push('');
  lines.push('| target (issue 11) | reached | |');
  lines.push('| --- | --- | --- |');
  for (const [name, s] of Object.entries(sizes)) {
    lines.push(`| \`${name}\` \`.wasm\` ≤ 64 KiB gzipped | ${(s.gz / 1024).toFixed(1)} KiB | ${mark(s.gz <= 64 * 1024)} |`);
  }
  lines.push(`| cold start ≤ 0.5× fast-xml-parser + crypto, \`wxpay/notify\` | ${coldNotify.toFixed(2)} / ${coldFxp.toFixed(2)} ms = ${(coldNotify / coldFxp).toFixed(2)}× | ${mark(coldNotify <= 0.5 * coldFxp)} |`);
  lines.push(`| cold start ≤ 0.5× fast-xml-parser + crypto, \`wxpay\` | ${coldFull.toFixed(2)} / ${coldFxp.toFixed(2)} ms = ${(coldFull / coldFxp).toFixed(2)}× | ${mark(coldFull <= 0.5 * coldFxp)} |`);
  lines.push(`| notify throughput ≥ 3× fast-xml-parser + crypto | \`wxpay/notify\` ${ratio(notifyOps, fxpOps)}, \`wxpay\` ${ratio(fullOps, fxpOps)} | ${mark(notifyOps >= 3 * fxpOps && fullOps >= 3 * fxpOps)} |`);
  lines.push(`| (for reference) against xml2js + crypto | throughput ${ratio(notifyOps, x2jOps)}, cold start ${(coldNotify / coldX2j).toFixed(2)}× | |`);
  const block = lines.join('\n');

  console.log(block);
  const i = process.argv.indexOf('--update');
  if (i > 0) updateSection(process.argv[i + 1], 'wasm', block);
}

main();
