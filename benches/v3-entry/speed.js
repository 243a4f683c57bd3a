const fs = require('fs');
const path = require('path');
const d = path.join(__dirname, '../../tests/data/');
const v = JSON.parse(fs.readFileSync(d + 'v3_vectors.json', 'utf8'));
function med(f, n) { const t = []; for (let r = 0; r < 5; r++) { const a = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); t.push(Number(process.hrtime.bigint() - a) / 1e3 / n); } t.sort((a, b) => a - b); return t[4]; }
// A v2 notify (the bench's 16-field one) signed with MD5, built in JS.
const crypto = require('crypto');
const fields = { return_code: 'SUCCESS', result_code: 'SUCCESS', appid: 'wx2421b1c4370ec43b', mch_id: '10000100', nonce_str: '5d2b6c2a8db53831f7eda20af46e531c', openid: 'oUpF8uMEb4qRXf22hE3X68TekukE', is_subscribe: 'N', trade_type: 'JSAPI', bank_type: 'CMC', total_fee: '1200', cash_fee: '1200', fee_type: 'CNY', transaction_id: '4200000215201811190261405420', out_trade_no: '20261123000001', attach: 'shop 7', time_end: '20261123120000' };
const key = '192006250b4c09247ec02edce69f6a2d';
const text = Object.keys(fields).sort().map(k => `${k}=${fields[k]}`).join('&') + '&key=' + key;
fields.sign = crypto.createHash('md5').update(text).digest('hex').toUpperCase();
const xml = Buffer.from('<xml>' + Object.entries(fields).map(([k, x]) => `<${k}>${x}</${k}>`).join('') + '</xml>');
const out = {};
// The v2 notify through each module, interleaved round by round so JIT warm-up and load hit
// both alike.
const v2s = process.argv.slice(2).map(dir => [path.basename(dir), require(path.resolve(dir, 'v3_entry.js'))]).filter(([, m]) => m.V2)
  .map(([name, m]) => { const w = new m.V2('wx2421b1c4370ec43b', '10000100', key); if (w.verifyPaymentNotify(xml) !== '20261123000001') throw 0; return [name, w]; });
const rounds = {};
for (let r = 0; r < 15; r++) for (const [name, w] of v2s) { (rounds[name] ||= []).push(med(() => w.verifyPaymentNotify(xml), 500)); }
for (const [name, t] of Object.entries(rounds)) { t.sort((a, b) => a - b); out[`${name} v2 verifyPaymentNotify`] = t[7]; }
for (const dir of process.argv.slice(2)) {
  const m = require(path.resolve(dir, 'v3_entry.js'));
  const name = path.basename(dir);
  if (m.V3) {
    const w = new m.V3(v.appid, v.mchid, v.merchant_serial_no, fs.readFileSync(d + 'v3_test_merchant_key.pem', 'utf8'), v.public_key_id, fs.readFileSync(d + 'v3_test_wechatpay_public_key.pem', 'utf8'), fs.readFileSync(d + 'v3_test_platform_cert.pem', 'utf8'), v.api_v3_key);
    const r = v.requests[1], n = v.notifies[0], h = n.headers, body = Buffer.from(n.body);
    if (w.buildAuthorization(r.method, r.path, BigInt(r.timestamp), r.nonce, r.body) !== r.authorization) throw new Error('authorization differs');
    out[`${name} v3 buildAuthorization`] = med(() => w.buildAuthorization(r.method, r.path, BigInt(r.timestamp), r.nonce, r.body), 10);
    out[`${name} v3 paymentParams`] = med(() => w.paymentParams('wx18154600000000000000000000000000', BigInt(v.now), "abc"), 10);
    out[`${name} v3 verifySignature (notify)`] = med(() => w.verifySignature(h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], h['Wechatpay-Signature'], h['Wechatpay-Serial'], body, BigInt(n.now)), 200);
    out[`${name} v3 openNotification (verify + decrypt)`] = med(() => w.openNotification(h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], h['Wechatpay-Signature'], h['Wechatpay-Serial'], body, BigInt(n.now)), 200);
  }
}
for (const [k, x] of Object.entries(out)) console.log(`${k}: ${x.toFixed(1)} µs`);
const pk = crypto.createPrivateKey(fs.readFileSync(d + 'v3_test_merchant_key.pem'));
console.log(`node:crypto RSA sign (for comparison): ${med(() => crypto.sign('sha256', Buffer.from(v.requests[1].message), pk), 20).toFixed(1)} µs`);
