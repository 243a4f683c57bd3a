'use strict';
// v3 bills from JS (`wxpay/v3`): the requests, the signed download, and the file opened and read,
// against the vectors that Python's standard library made (tests/data/v3_bill_vectors.json,
// scripts/make-v3-bill-vectors): the same cases the core asserts natively and under wasm.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers');
const { v3, CONFIG, KEYS, signedResponse, parseAuthorization } = require('./v3-helpers');

const B = h.data('v3_bill_vectors.json');
const merchant = new v3.Merchant(CONFIG);
const keys = new v3.KeySet(KEYS);
const SIGN = { timestamp: 1700000000, nonceStr: 'n0' };

/** The vector's expectation in the package's casing (appid and mchid are appId and mchId). */
const camel = require('./v3-helpers').camel;

describe('bill requests', () => {
  test('a trade bill is a signed GET with the day, the type and gzip in the query', () => {
    const r = merchant.buildTradeBill({ billDate: '2026-11-23', tarType: 'GZIP' }, SIGN);
    assert.equal(r.method, 'GET');
    assert.equal(r.pathAndQuery, '/v3/bill/tradebill?bill_date=2026-11-23&bill_type=ALL&tar_type=GZIP');
    assert.equal(parseAuthorization(r.authorization).timestamp, '1700000000');
    assert.equal(r.body, undefined);
  });

  test('a fund flow bill names its account', () => {
    const r = merchant.buildFundFlowBill({ billDate: '2026-11-23', accountType: 'OPERATION' }, SIGN);
    assert.equal(r.pathAndQuery, '/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=OPERATION');
  });

  test('a day that is not in the calendar is refused, naming billDate', () => {
    assert.throws(() => merchant.buildTradeBill({ billDate: '2026-02-30' }, SIGN), (e) => e.code === 'INVALID_FIELD' && /bill_date|billDate/.test(e.message));
  });

  test('the answer is verified, then read; the download is signed and only on WeChat\'s host', () => {
    const answer = { hash_type: 'SHA1', hash_value: B.cases[0].hash_value, download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc' };
    const bill = keys.parseBillResponse(signedResponse(answer));
    assert.deepEqual(bill, { hashType: 'SHA1', hashValue: answer.hash_value, downloadUrl: answer.download_url });
    const get = merchant.buildBillDownload(bill, SIGN);
    assert.equal(get.url, answer.download_url);
    assert.equal(get.pathAndQuery, '/v3/billdownload/file?token=abc');
    assert.throws(() => merchant.buildBillDownload({ ...bill, downloadUrl: 'https://evil.example/v3/billdownload/file' }, SIGN), { code: 'INVALID_FIELD' });
  });

  test('a merchant on another apiBase (wxpay-sim) signs the download on that base, and refuses WeChat\'s host', () => {
    const base = 'https://127.0.0.1:8443';
    const onSim = new v3.Merchant({ ...CONFIG, apiBase: base });
    const bill = { hashType: 'SHA1', hashValue: B.cases[0].hash_value, downloadUrl: `${base}/v3/billdownload/file?token=abc` };
    const get = onSim.buildBillDownload(bill, SIGN);
    assert.equal(get.url, bill.downloadUrl);
    assert.equal(get.pathAndQuery, '/v3/billdownload/file?token=abc');
    assert.throws(() => onSim.buildBillDownload({ ...bill, downloadUrl: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc' }, SIGN), { code: 'INVALID_FIELD' });
    assert.throws(() => merchant.buildBillDownload(bill, SIGN), { code: 'INVALID_FIELD' });
  });
});

describe('bills opened and read as the outside tool says', () => {
  for (const c of B.cases) {
    test(`${c.name}: ${c.about}`, () => {
      const bill = { hashType: c.hash_type, hashValue: c.hash_value, downloadUrl: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=t' };
      const bytes = Buffer.from(c.bytes_base64, 'base64');
      const options = { ...(c.tar_type && { tarType: c.tar_type }), ...(c.limit && { limit: c.limit }) };
      const open = c.kind === 'trade' ? v3.openTradeBill : v3.openFundFlowBill;
      if (c.expect.error) {
        assert.throws(() => open(bill, bytes, options), (e) => e.code === c.expect.error);
        return;
      }
      const got = open(bill, bytes, options);
      const want = camel(c.expect.ok);
      assert.equal(got.rows.length, want.rows.length);
      want.rows.forEach((row, i) => {
        for (const [k, v] of Object.entries(row)) assert.deepEqual(got.rows[i][k], v ?? undefined, `row ${i} ${k}`);
      });
      for (const [k, v] of Object.entries(want.summary)) assert.deepEqual(got.summary[k], v ?? undefined, `summary ${k}`);
    });
  }

  test('a bill given as text, not bytes, is refused before anything is read', () => {
    const c = B.cases[0];
    const bill = { hashType: 'SHA1', hashValue: c.hash_value, downloadUrl: 'https://api.mch.weixin.qq.com/x' };
    assert.throws(() => v3.openTradeBill(bill, Buffer.from(c.bytes_base64, 'base64').toString()), { code: 'INVALID_ARGUMENT' });
  });
});
