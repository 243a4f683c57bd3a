'use strict';
// A notify body that is not the one received: `undefined` (no body parser matched its content
// type), an object (a parser ran first), or v3 JSON serialized again. Each is an error with its
// usual code whose message names the likely cause and the fix, at every entry point; and the
// same from a real Express app set up the classic wrong ways. Also: `notifyReply`'s input.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');

const { wxpay, MERCHANT, signedNotify, refundNotify, thrown } = require('./helpers');
const notifyEntry = require('../../pkg/notify');
const { v3, V, KEYS } = require('./v3-helpers');

const XML_FIX = "express.raw({ type: 'text/xml' })";
const JSON_FIX = "express.raw({ type: 'application/json' })";

describe('a v2 body that is undefined or an object', () => {
  const calls = {
    'verifyPaymentNotify (wxpay)': (body) => wxpay.verifyPaymentNotify(body, MERCHANT),
    'decryptRefundNotify (wxpay)': (body) => wxpay.decryptRefundNotify(body, MERCHANT),
    'Merchant#verifyPaymentNotify (wxpay/notify)': (body) => new notifyEntry.Merchant(MERCHANT).verifyPaymentNotify(body),
    'Merchant#decryptRefundNotify (wxpay/notify)': (body) => new notifyEntry.Merchant(MERCHANT).decryptRefundNotify(body),
  };
  for (const [name, call] of Object.entries(calls)) {
    test(`${name}: INVALID_ARGUMENT naming the cause and express.raw`, () => {
      const missing = thrown(() => call(undefined));
      assert.equal(missing.code, 'INVALID_ARGUMENT');
      assert.match(missing.message, /^xml: is undefined: no body parser read the body/);
      assert.ok(missing.message.includes(XML_FIX), missing.message);
      const parsed = thrown(() => call({ xml: { return_code: 'SUCCESS' } }));
      assert.equal(parsed.code, 'INVALID_ARGUMENT');
      assert.match(parsed.message, /^xml: is an object: a body parser parsed the body/);
      assert.ok(parsed.message.includes(XML_FIX), parsed.message);
      // Other wrong types keep the plain statement.
      assert.equal(thrown(() => call(42)).message, 'xml: must be a string or a Uint8Array');
    });
  }
  test('the raw body still works, as bytes and as text', () => {
    assert.equal(wxpay.verifyPaymentNotify(Buffer.from(signedNotify()), MERCHANT).totalFee, 1200);
    assert.equal(thrown(() => wxpay.decryptRefundNotify(refundNotify('x'), MERCHANT)).code !== 'INVALID_ARGUMENT', true);
  });
});

describe('a v3 body that is undefined, an object, or serialized again', () => {
  const n = V.notifies[0];
  const keys = new v3.KeySet(KEYS);
  for (const name of ['openNotification', 'verifySignature']) {
    test(`KeySet#${name}: undefined or an object is INVALID_ARGUMENT naming express.raw for JSON`, () => {
      const missing = thrown(() => keys[name](n.headers, undefined, n.now));
      assert.equal(missing.code, 'INVALID_ARGUMENT');
      assert.match(missing.message, /^body: is undefined: no body parser read the body/);
      assert.ok(missing.message.includes(JSON_FIX), missing.message);
      const parsed = thrown(() => keys[name](n.headers, JSON.parse(n.body), n.now));
      assert.equal(parsed.code, 'INVALID_ARGUMENT');
      assert.match(parsed.message, /^body: is an object: a body parser parsed the body/);
      assert.ok(parsed.message.includes(JSON_FIX), parsed.message);
    });

    test(`KeySet#${name}: JSON serialized again is SIGNATURE_MISMATCH with the hint; the bytes as received verify`, () => {
      keys[name](n.headers, n.body, n.now);
      const again = JSON.stringify(JSON.parse(n.body), null, 1); // what a framework's serializer may write
      assert.notEqual(again, n.body);
      const e = thrown(() => keys[name](n.headers, again, n.now));
      assert.equal(e.code, 'SIGNATURE_MISMATCH');
      assert.match(e.message, /^signature mismatch \(or the wrong key\): if a framework parsed this JSON and it was serialized again/);
      assert.ok(e.message.includes(JSON_FIX), e.message);
    });
  }
  test('an answer\'s body that is not bytes names the answer, not a request parser', () => {
    const e = thrown(() => keys.parseTransactionResponse({ status: 200, headers: n.headers, body: undefined }));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.match(e.message, /^response\.body: is undefined: .*the raw body of the answer .*Buffer\.from\(await res\.arrayBuffer\(\)\)/);
  });
});

describe('Express set up the classic wrong ways', () => {
  /** An app whose notify route uses `parser`, and what the handler got told. */
  async function post(parser, type, body, call) {
    const app = express();
    let message;
    app.post('/notify', ...parser, (req, res) => {
      try {
        call(req);
      } catch (e) {
        message = `${e.code}: ${e.message}`;
      }
      res.end();
    });
    const server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${server.address().port}/notify`, { method: 'POST', headers: { 'content-type': type }, body });
      await res.arrayBuffer();
      return message;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }
  const verifyV2 = (req) => wxpay.verifyPaymentNotify(req.body, MERCHANT);
  const openV3 = (req) => new v3.KeySet(KEYS).openNotification(req.headers, req.body, V.notifies[0].now);

  test('v2 with express.text() (which reads only text/plain) or express.json(): the message names express.raw', async () => {
    for (const parser of [[express.text()], [express.json()], []]) {
      const message = await post(parser, 'text/xml', signedNotify(), verifyV2);
      assert.match(message, /^INVALID_ARGUMENT: xml: is undefined/);
      assert.ok(message.includes(XML_FIX), message);
    }
  });

  test('v3 with express.json(): the parsed object is refused, the message names express.raw for JSON', async () => {
    const n = V.notifies[0];
    const message = await post([express.json()], 'application/json', n.body, (req) => {
      req.headers = { ...req.headers, ...n.headers };
      return openV3(req);
    });
    assert.match(message, /^INVALID_ARGUMENT: body: is an object/);
    assert.ok(message.includes(JSON_FIX), message);
  });

  test('with express.raw of the right type, the same requests verify', async () => {
    assert.equal(await post([express.raw({ type: 'text/xml' })], 'text/xml', signedNotify(), verifyV2), undefined);
    const n = V.notifies[0];
    assert.equal(await post([express.raw({ type: 'application/json' })], 'application/json', n.body, (req) => {
      req.headers = { ...req.headers, ...n.headers };
      return openV3(req);
    }), undefined);
  });
});

describe('notifyReply takes true / false or the word itself', () => {
  for (const entry of [wxpay, notifyEntry]) {
    test(entry === wxpay ? 'wxpay' : 'wxpay/notify', () => {
      assert.equal(entry.notifyReply('SUCCESS'), entry.notifyReply(true));
      assert.equal(entry.notifyReply('FAIL'), entry.notifyReply(false));
      assert.deepEqual(wxpay.parseXml(entry.notifyReply('SUCCESS')), { return_code: 'SUCCESS', return_msg: 'OK' });
      // A verdict's reply goes in as it is.
      assert.deepEqual(wxpay.parseXml(entry.notifyReply('FAIL', '失败')), { return_code: 'FAIL', return_msg: '失败' });
      for (const other of ['success', 'OK', 'yes', 1, 0, null, undefined, {}]) {
        const e = thrown(() => entry.notifyReply(other));
        assert.equal(e.code, 'INVALID_ARGUMENT', String(other));
        assert.equal(e.message, "ok: must be true, false, 'SUCCESS' or 'FAIL'");
      }
    });
  }
});
