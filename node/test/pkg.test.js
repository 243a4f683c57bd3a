'use strict';
// The wasm package (pkg/) from JS: every export, every error code, and round trips against
// node:crypto. Run by scripts/test-wasm after scripts/build-wasm.
const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');

const h = require('./helpers');
const { wxpay, KEY, OTHER_KEY, MERCHANT, jsSign, jsParseXml, signedNotify, signedResponse, codeOf } = h;

const ORDER = Object.freeze({
  body: '咖啡 - 大杯',
  outTradeNo: '20261123000001',
  totalFee: 1200,
  spbillCreateIp: '203.0.113.7',
  notifyUrl: 'https://shop.example.com/wxpay/notify',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
});

test('exports exactly the documented API', () => {
  const expected = [
    'Merchant', 'sign', 'verify', 'toXml', 'parseXml', 'nonceStr', 'notifyReply', 'paymentParams',
    'verifyPaymentNotify', 'decryptRefundNotify', 'judgePayment', 'judgeRefund',
    'buildUnifiedOrder', 'parseUnifiedOrderResponse', 'buildOrderQuery', 'parseOrderQueryResponse',
    'buildCloseOrder', 'parseCloseOrderResponse', 'buildRefund', 'parseRefundResponse',
    'buildRefundQuery', 'parseRefundQueryResponse',
  ];
  assert.deepEqual(Object.keys(wxpay).sort(), expected.sort());
});

describe('sign / verify', () => {
  for (const c of h.data('sign_vectors.json')) {
    test(`known answer: ${c.name}`, () => {
      assert.equal(wxpay.sign(c.params, c.key, 'MD5'), c.md5);
      assert.equal(wxpay.sign(c.params, c.key, 'HMAC-SHA256'), c.hmac_sha256);
      assert.equal(jsSign(c.params, c.key), c.md5, 'the independent signer agrees with the vector');
      if (!('sign_type' in c.params)) {
        assert.equal(wxpay.sign(c.params, c.key), c.md5, 'MD5 is the default');
        assert.equal(wxpay.verify({ ...c.params, sign: c.md5 }, c.key), 'MD5');
        assert.equal(wxpay.verify({ ...c.params, sign: c.hmac_sha256 }, c.key), 'HMAC-SHA256');
      }
    });
  }

  test('sign follows params.sign_type when no signType is given', () => {
    const p = { appid: 'wx1', nonce_str: 'abc', sign_type: 'HMAC-SHA256' };
    assert.equal(wxpay.sign(p, KEY), jsSign(p, KEY, 'HMAC-SHA256'));
    assert.equal(wxpay.sign({ ...p, sign_type: '' }, KEY), jsSign({ ...p, sign_type: '' }, KEY, 'MD5'), 'an empty sign_type is absent');
  });

  test('safe integers are signed as decimal text; null and undefined are absent', () => {
    const p = { total_fee: 1200, body: 'x', attach: null, detail: undefined };
    assert.equal(wxpay.sign(p, KEY), jsSign({ total_fee: '1200', body: 'x' }, KEY));
  });

  test('a plain object (read directly) and the same fields in a Map or with a prototype (read the general way) sign alike and fail alike', () => {
    const p = { total_fee: 1200, body: 'x', attach: null, detail: undefined, b: '😀' };
    const asMap = new Map(Object.entries(p));
    const inherited = Object.assign(Object.create({ inheritedIsNotAField: 'y' }), p);
    const nested = { ...p, extra: { not: 'flat' } }; // not flat: the general way, which refuses it
    assert.equal(wxpay.sign(asMap, KEY), wxpay.sign(p, KEY));
    assert.equal(wxpay.sign(inherited, KEY), wxpay.sign(p, KEY));
    assert.equal(wxpay.sign(p, KEY), jsSign({ total_fee: '1200', body: 'x', b: '😀' }, KEY));
    for (const bad of [{ ...p, body: 1.5 }, { ...p, total_fee: 12.5 }, { ...p, body: -1 }, { ...p, body: 2 ** 53 }]) {
      const [direct, general] = [h.thrown(() => wxpay.sign(bad, KEY)), h.thrown(() => wxpay.sign(new Map(Object.entries(bad)), KEY))];
      assert.deepEqual([direct.code, direct.message], [general.code, general.message]);
    }
    assert.equal(h.codeOf(() => wxpay.sign(nested, KEY)), 'INVALID_ARGUMENT');
  });

  test('values cross the boundary exactly: escapes, control characters, astral characters', () => {
    const p = { a: 'say "hi" \\ /', b: '\u0001\u001f\b\f\t\n\r', c: '😀 中文 \u2028', 'd-e.f': 'x' };
    assert.equal(wxpay.sign(p, KEY), jsSign(p, KEY));
    assert.equal(wxpay.sign(p, KEY, 'HMAC-SHA256'), jsSign(p, KEY, 'HMAC-SHA256'));
  });

  test('sign agrees with node:crypto on random objects (property test, seeded)', () => {
    // One rule, in Rust: any plain object of strings, safe integers, null and undefined is
    // signed as the spec's text, with names in UTF-8 byte order.
    const rand = h.seeded(20261123);
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const alphabet = ['a', 'b', 'z', '_', '0', '9', 'é', '中', '😀', '&', '=', ' ', '"', '\\', '\n', '\ufffd', '\uffff'];
    const text = (max) => Array.from({ length: Math.floor(rand() * max) }, () => pick(alphabet)).join('');
    for (let i = 0; i < 300; i++) {
      const p = {};
      for (let n = Math.floor(rand() * 12); n > 0; n--) {
        const value = pick([() => text(20), () => Math.floor(rand() * 2 ** 53), () => 0, () => '', () => null, () => undefined])();
        p[text(6) || 'k'] = value;
      }
      if (rand() < 0.2) p.sign = 'IGNORED';
      const signType = pick([undefined, 'MD5', 'HMAC-SHA256']);
      const got = wxpay.sign(p, OTHER_KEY, signType);
      assert.equal(got, jsSign(p, OTHER_KEY, signType ?? 'MD5'), JSON.stringify(p));
      assert.equal(wxpay.sign(Object.assign(Object.create(null), p), OTHER_KEY, signType), got, 'a null-prototype object');
    }
    assert.equal(wxpay.sign({ sign_type: 'HMAC-SHA256', a: '1' }, KEY), jsSign({ sign_type: 'HMAC-SHA256', a: '1' }, KEY, 'HMAC-SHA256'));
    assert.equal(wxpay.sign({ long: 'y'.repeat(100000) }, KEY), jsSign({ long: 'y'.repeat(100000) }, KEY));
  });

  test('sign refuses with the codes of the declarations', () => {
    const cases = [
      [() => wxpay.sign({ a: '1' }, KEY.slice(1)), 'INVALID_API_KEY'],
      [() => wxpay.sign({ a: '1' }, `é${KEY.slice(2)}`), 'INVALID_API_KEY'], // 32 bytes of UTF-8, 31 characters
      [() => wxpay.sign({ a: '1' }, `${KEY.slice(1)}é`), 'INVALID_API_KEY'],
      [() => wxpay.sign({ a: '1' }, KEY, 'SHA1'), 'UNSUPPORTED_SIGN_TYPE'],
      [() => wxpay.sign({ a: '1', sign_type: 'SHA1' }, KEY), 'UNSUPPORTED_SIGN_TYPE'],
      [() => wxpay.sign({ total_fee: 2 ** 53 }, KEY), 'INVALID_AMOUNT'],
      [() => wxpay.sign({ total_fee: -1 }, KEY), 'INVALID_AMOUNT'],
      [() => wxpay.sign({ a: -1 }, KEY), 'INVALID_ARGUMENT'],
    ];
    for (const [f, code] of cases) assert.equal(codeOf(f), code, f.toString());
    assert.equal(wxpay.sign({ a: '1' }, KEY), jsSign({ a: '1' }, KEY), 'and signs after each');
  });

  test('verify rejects a tampered message and another key', () => {
    const p = { appid: 'wxd930ea5d5a258f4f', body: 'test' };
    const signed = { ...p, sign: wxpay.sign(p, KEY) };
    assert.equal(wxpay.verify(signed, KEY), 'MD5');
    assert.equal(wxpay.verify({ ...signed, sign: signed.sign.toLowerCase() }, KEY), 'MD5');
    assert.equal(codeOf(() => wxpay.verify({ ...signed, body: 'tesT' }, KEY)), 'SIGNATURE_MISMATCH');
    assert.equal(codeOf(() => wxpay.verify(signed, OTHER_KEY)), 'SIGNATURE_MISMATCH');
  });
});

describe('toXml / parseXml', () => {
  const vectors = h.data('xml_vectors.json');
  for (const c of vectors.accept) {
    test(`accepts: ${c.name}`, () => {
      assert.deepEqual(wxpay.parseXml(c.xml), c.fields);
      assert.deepEqual(wxpay.parseXml(Buffer.from(c.xml)), c.fields, 'bytes work like the string');
      assert.deepEqual(wxpay.parseXml(wxpay.toXml(c.fields)), c.fields, 'toXml round-trips');
    });
  }
  for (const c of vectors.reject) {
    test(`rejects with ${c.error}: ${c.name}`, () => {
      assert.equal(codeOf(() => wxpay.parseXml(c.xml)), c.error);
    });
  }

  test('toXml writes digits bare, text in CDATA, and splits "]]>"', () => {
    assert.equal(wxpay.toXml({ total_fee: 1, body: 'a]]>b' }), '<xml><body><![CDATA[a]]]]><![CDATA[>b]]></body><total_fee>1</total_fee></xml>');
    assert.deepEqual(wxpay.parseXml(wxpay.toXml({ body: 'a]]>b' })), { body: 'a]]>b' });
  });

  test('JSON text crosses intact: quotes, backslashes, control characters, emoji', () => {
    const tricky = { a: 'say "hi"\\', b: 'tab\there\nline', c: '😀 中文 \u2028' };
    assert.deepEqual(wxpay.parseXml(wxpay.toXml(tricky)), tricky);
  });
});

test('nonceStr gives 32 fresh [0-9A-Za-z] characters', () => {
  const a = wxpay.nonceStr();
  assert.match(a, /^[0-9A-Za-z]{32}$/);
  assert.notEqual(a, wxpay.nonceStr());
});

test('notifyReply answers SUCCESS or FAIL in WeChat\'s shape', () => {
  assert.equal(wxpay.notifyReply(true), '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>');
  assert.equal(wxpay.notifyReply(false, '签名失败'), '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>');
  assert.deepEqual(wxpay.parseXml(wxpay.notifyReply(false)), { return_code: 'FAIL', return_msg: 'FAIL' });
});

describe('paymentParams', () => {
  for (const c of h.data('pay_sign_vectors.json')) {
    test(`known answer: ${c.name}`, () => {
      const p = wxpay.paymentParams({
        appId: c.appId, prepayId: c.prepay_id, key: c.key, signType: c.signType, timeStamp: c.timeStamp, nonceStr: c.nonceStr,
      });
      assert.deepEqual(p, { timeStamp: c.timeStamp, nonceStr: c.nonceStr, package: c.package, signType: c.signType, paySign: c.paySign });
      const m = new wxpay.Merchant({ appId: c.appId, mchId: '10000100', key: c.key, signType: c.signType });
      assert.deepEqual(m.paymentParams({ prepayId: c.prepay_id, timeStamp: Number(c.timeStamp), nonceStr: c.nonceStr }), p);
    });
  }

  test('paySign is over appId, timeStamp, nonceStr, package and signType (checked with node:crypto)', () => {
    const before = Math.floor(Date.now() / 1000);
    const p = wxpay.paymentParams({ appId: MERCHANT.appId, prepayId: 'wx201411101639507cbf6ffd8b0779950874', key: KEY });
    const after = Math.floor(Date.now() / 1000);
    assert.ok(Number(p.timeStamp) >= before && Number(p.timeStamp) <= after, 'timeStamp defaults to now');
    assert.match(p.nonceStr, /^[0-9A-Za-z]{32}$/);
    assert.equal(p.signType, 'MD5');
    const { paySign, ...signed } = p;
    assert.equal(paySign, jsSign({ appId: MERCHANT.appId, ...signed }, KEY));
  });
});

describe('the merchant operations', () => {
  const merchant = new wxpay.Merchant({ ...MERCHANT, signType: 'HMAC-SHA256' });

  test('Merchant exposes appId, mchId and signType, never the key', () => {
    assert.equal(merchant.appId, MERCHANT.appId);
    assert.equal(merchant.mchId, MERCHANT.mchId);
    assert.equal(merchant.signType, 'HMAC-SHA256');
    for (const shown of [util.inspect(merchant, { showHidden: true, getters: true }), JSON.stringify(merchant), String(merchant)]) {
      assert.ok(!shown.includes(KEY), shown);
    }
  });

  for (const signType of ['MD5', 'HMAC-SHA256']) {
    test(`buildUnifiedOrder signs what node:crypto signs (${signType})`, () => {
      const xml = wxpay.buildUnifiedOrder({ ...ORDER, attach: 'a&b=c' }, { ...MERCHANT, signType }, 'ibuaiVcKdpRxkhJA');
      const fields = jsParseXml(xml);
      assert.deepEqual(Object.keys(fields).sort(), [
        'appid', 'attach', 'body', 'mch_id', 'nonce_str', 'notify_url', 'openid', 'out_trade_no', 'sign',
        ...(signType === 'MD5' ? [] : ['sign_type']), 'spbill_create_ip', 'total_fee', 'trade_type',
      ].sort());
      assert.equal(fields.total_fee, '1200');
      assert.equal(fields.trade_type, 'JSAPI');
      assert.equal(fields.body, ORDER.body);
      assert.equal(fields.nonce_str, 'ibuaiVcKdpRxkhJA');
      assert.equal(fields.sign, jsSign(fields, KEY, signType));
      assert.equal(codeOf(() => wxpay.verify({ ...fields, total_fee: '1' }, KEY)), 'SIGNATURE_MISMATCH');
    });
  }

  test('buildUnifiedOrder takes WeChat snake_case names too, and a fresh nonce by default', () => {
    const snake = { body: ORDER.body, out_trade_no: ORDER.outTradeNo, total_fee: '1200', spbill_create_ip: ORDER.spbillCreateIp, notify_url: ORDER.notifyUrl, openid: ORDER.openid };
    const a = jsParseXml(wxpay.buildUnifiedOrder(snake, MERCHANT));
    const b = jsParseXml(wxpay.buildUnifiedOrder(ORDER, MERCHANT));
    assert.notEqual(a.nonce_str, b.nonce_str);
    assert.match(a.nonce_str, /^[0-9A-Za-z]{32}$/);
    delete a.nonce_str; delete b.nonce_str; delete a.sign; delete b.sign;
    assert.deepEqual(a, b);
  });

  test('parseUnifiedOrderResponse reads a signed answer', () => {
    const xml = signedResponse({ trade_type: 'JSAPI', prepay_id: 'wx201411101639507cbf6ffd8b0779950874' }, { signType: 'HMAC-SHA256' });
    assert.deepEqual(wxpay.parseUnifiedOrderResponse(xml, { ...MERCHANT, signType: 'HMAC-SHA256' }), {
      prepayId: 'wx201411101639507cbf6ffd8b0779950874', tradeType: 'JSAPI',
    });
  });

  test('orderquery: build by either reference, parse the typed state', () => {
    for (const [query, field] of [[{ outTradeNo: 'A1' }, 'out_trade_no'], [{ transactionId: '4200000215201811190261405420' }, 'transaction_id']]) {
      const f = jsParseXml(wxpay.buildOrderQuery(query, MERCHANT, 'n1'));
      assert.equal(f[field], Object.values(query)[0]);
      assert.equal(f.sign, jsSign(f, KEY));
    }
    const xml = signedResponse({ trade_state: 'SUCCESS', trade_state_desc: '支付成功', out_trade_no: 'A1', transaction_id: '4200', total_fee: '1200', cash_fee: '1200', openid: 'o1', time_end: '20261123120000', trade_type: 'JSAPI' });
    assert.deepEqual(wxpay.parseOrderQueryResponse(xml, MERCHANT), {
      tradeState: 'SUCCESS', tradeStateDesc: '支付成功', outTradeNo: 'A1', transactionId: '4200', totalFee: 1200, cashFee: 1200,
      openid: 'o1', timeEnd: '20261123120000', tradeType: 'JSAPI',
    });
    assert.deepEqual(wxpay.parseOrderQueryResponse(signedResponse({ trade_state: 'NOTPAY', out_trade_no: 'A1' }), MERCHANT), {
      tradeState: 'NOTPAY', outTradeNo: 'A1',
    });
  });

  test('closeorder: build and parse', () => {
    const f = jsParseXml(wxpay.buildCloseOrder({ outTradeNo: 'A1' }, MERCHANT, 'n1'));
    assert.deepEqual(Object.keys(f).sort(), ['appid', 'mch_id', 'nonce_str', 'out_trade_no', 'sign']);
    assert.equal(f.sign, jsSign(f, KEY));
    assert.deepEqual(wxpay.parseCloseOrderResponse(signedResponse({}), MERCHANT), {});
  });

  test('refund: build and parse', () => {
    const f = jsParseXml(wxpay.buildRefund({ outTradeNo: 'A1', outRefundNo: 'R1', totalFee: 1200, refundFee: '800', refundDesc: '退货' }, MERCHANT, 'n1'));
    assert.equal(f.total_fee, '1200');
    assert.equal(f.refund_fee, '800');
    assert.equal(f.refund_desc, '退货');
    assert.equal(f.sign, jsSign(f, KEY));
    const xml = signedResponse({ transaction_id: '4200', out_trade_no: 'A1', out_refund_no: 'R1', refund_id: '5000', refund_fee: '800', total_fee: '1200', cash_fee: '1200' });
    assert.deepEqual(wxpay.parseRefundResponse(xml, MERCHANT), {
      transactionId: '4200', outTradeNo: 'A1', outRefundNo: 'R1', refundId: '5000', refundFee: 800, totalFee: 1200, cashFee: 1200,
    });
  });

  test('refundquery: build by any reference with offset, parse the indexed refunds', () => {
    const f = jsParseXml(wxpay.buildRefundQuery({ outTradeNo: 'A1', offset: 10 }, MERCHANT, 'n1'));
    assert.equal(f.out_trade_no, 'A1');
    assert.equal(f.offset, '10');
    assert.equal(f.sign, jsSign(f, KEY));
    assert.equal(jsParseXml(wxpay.buildRefundQuery({ refundId: '5000' }, MERCHANT)).refund_id, '5000');
    const xml = signedResponse({
      transaction_id: '4200', out_trade_no: 'A1', total_fee: '1200', refund_count: '2',
      out_refund_no_0: 'R1', refund_id_0: '5001', refund_fee_0: '800', refund_status_0: 'SUCCESS', refund_success_time_0: '2026-11-23 12:30:07',
      out_refund_no_1: 'R2', refund_id_1: '5002', refund_fee_1: '400', refund_status_1: 'PROCESSING',
    });
    assert.deepEqual(wxpay.parseRefundQueryResponse(xml, MERCHANT), {
      transactionId: '4200', outTradeNo: 'A1', totalFee: 1200,
      refunds: [
        { outRefundNo: 'R1', refundId: '5001', refundFee: 800, refundStatus: 'SUCCESS', refundSuccessTime: '2026-11-23 12:30:07' },
        { outRefundNo: 'R2', refundId: '5002', refundFee: 400, refundStatus: 'PROCESSING' },
      ],
    });
  });
});

describe('the v2 Merchant class (the shape of wxpay/v3)', () => {
  const methods = (cls) => Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor' && n !== 'free' && !n.startsWith('__')).sort();

  test('has the request and answer methods, camelCase as the functions', () => {
    assert.deepEqual(methods(wxpay.Merchant), [
      'appId', 'buildCloseOrder', 'buildOrderQuery', 'buildRefund', 'buildRefundQuery', 'buildUnifiedOrder', 'decryptRefundNotify', 'mchId',
      'parseCloseOrderResponse', 'parseOrderQueryResponse', 'parseRefundQueryResponse', 'parseRefundResponse', 'parseUnifiedOrderResponse',
      'paymentParams', 'signType', 'verifyPaymentNotify',
    ]);
  });

  test('each method is its function with the merchant configured once', () => {
    const m = new wxpay.Merchant(MERCHANT);
    const requests = [
      ['buildUnifiedOrder', ORDER],
      ['buildOrderQuery', { outTradeNo: 'A1' }],
      ['buildCloseOrder', { outTradeNo: 'A1' }],
      ['buildRefund', { outTradeNo: 'A1', outRefundNo: 'R1', totalFee: 1200, refundFee: '800' }],
      ['buildRefundQuery', { outRefundNo: 'R1', offset: 10 }],
    ];
    for (const [name, request] of requests) {
      assert.equal(m[name](request, 'n1'), wxpay[name](request, MERCHANT, 'n1'), name);
      assert.match(jsParseXml(m[name](request)).nonce_str, /^[0-9A-Za-z]{32}$/, `${name}: a fresh nonce by default`);
    }
    const answers = [
      ['parseUnifiedOrderResponse', signedResponse({ trade_type: 'JSAPI', prepay_id: 'wx2014' })],
      ['parseOrderQueryResponse', signedResponse({ trade_state: 'NOTPAY', out_trade_no: 'A1' })],
      ['parseCloseOrderResponse', signedResponse({})],
      ['parseRefundResponse', signedResponse({ transaction_id: '4200', out_trade_no: 'A1', out_refund_no: 'R1', refund_id: '5000', refund_fee: '800', total_fee: '1200' })],
      ['parseRefundQueryResponse', signedResponse({ transaction_id: '4200', out_trade_no: 'A1', total_fee: '1200', refund_count: '1', out_refund_no_0: 'R1', refund_id_0: '5001', refund_fee_0: '800', refund_status_0: 'SUCCESS' })],
    ];
    for (const [name, xml] of answers) assert.deepEqual(m[name](xml), wxpay[name](xml, MERCHANT), name);
  });

  test('errors name the fields as the caller writes them', () => {
    const m = new wxpay.Merchant(MERCHANT);
    const e = (() => { try { m.buildRefund({ outTradeNo: 'A1', totalFee: 1, refundFee: 1 }); } catch (e) { return e; } })();
    assert.deepEqual([e.code, /outRefundNo/.test(e.message)], ['MISSING_FIELD', true]);
    assert.equal(codeOf(() => m.buildUnifiedOrder({ ...ORDER, notifyURL: 'typo' })), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => m.parseRefundResponse(signedResponse({}, { key: OTHER_KEY }))), 'SIGNATURE_MISMATCH');
  });
});

describe('payment notify', () => {
  const expected = {
    resultCode: 'SUCCESS', appId: MERCHANT.appId, mchId: MERCHANT.mchId, openid: 'oUpF8uMEb4qRXf22hE3X68TekukE',
    tradeType: 'JSAPI', bankType: 'CMC', totalFee: 1200, cashFee: 1200, feeType: 'CNY',
    transactionId: '4200000215201811190261405420', outTradeNo: '20261123000001', attach: '门店 7 & <b>',
    timeEnd: '20261123120000', isSubscribe: 'N', signType: 'MD5',
  };

  test('a signed notify comes out as one typed object, from a string or from bytes', () => {
    const xml = signedNotify();
    assert.deepEqual(wxpay.verifyPaymentNotify(xml, MERCHANT), expected);
    assert.deepEqual(wxpay.verifyPaymentNotify(Buffer.from(xml), MERCHANT, 1200), expected);
    assert.deepEqual(new wxpay.Merchant(MERCHANT).verifyPaymentNotify(new Uint8Array(Buffer.from(xml))), expected);
  });

  test('an HMAC-SHA256 notify carries no sign_type; its length tells', () => {
    const n = wxpay.verifyPaymentNotify(signedNotify({}, { signType: 'HMAC-SHA256' }), MERCHANT);
    assert.equal(n.signType, 'HMAC-SHA256');
  });

  test('unknown fields WeChat adds later are signed and verified too', () => {
    const xml = signedNotify({ promotion_detail: 'x', coupon_count: '0' });
    assert.equal(wxpay.verifyPaymentNotify(xml, MERCHANT).totalFee, 1200);
  });

  test('a failed payment is reported, not thrown', () => {
    const n = wxpay.verifyPaymentNotify(signedNotify({ result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: '余额不足' }), MERCHANT);
    assert.equal(n.resultCode, 'FAIL');
    assert.equal(n.errCode, 'NOTENOUGH');
    assert.equal(n.errCodeDes, '余额不足');
  });

  test('rejects a tampered notify', () => {
    const tampered = signedNotify().replace('<total_fee><![CDATA[1200]]>', '<total_fee><![CDATA[1]]>');
    assert.equal(codeOf(() => wxpay.verifyPaymentNotify(tampered, MERCHANT)), 'SIGNATURE_MISMATCH');
  });
});

describe('refund notify', () => {
  test('the openssl-made vector decrypts', () => {
    const v = h.data('refund_notify.json');
    const got = wxpay.decryptRefundNotify(v.body, { appId: v.appid, mchId: v.mch_id, key: v.key });
    const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    assert.deepEqual(got, {
      appId: v.appid, mchId: v.mch_id,
      ...Object.fromEntries(Object.entries(v.expected).map(([k, x]) => [camel(k), x])),
    });
  });

  test('req_info encrypted by node:crypto decrypts, from the Merchant too', () => {
    const inner = h.jsXml({ transaction_id: '4200', out_trade_no: 'A1', refund_id: '5000', out_refund_no: 'R1', total_fee: '1200', refund_fee: '800', refund_status: 'CHANGE' }, 'root');
    const xml = h.refundNotify(h.encryptReqInfo(inner));
    const expected = { appId: MERCHANT.appId, mchId: MERCHANT.mchId, transactionId: '4200', outTradeNo: 'A1', refundId: '5000', outRefundNo: 'R1', totalFee: 1200, refundFee: 800, refundStatus: 'CHANGE' };
    assert.deepEqual(wxpay.decryptRefundNotify(xml, MERCHANT), expected);
    assert.deepEqual(new wxpay.Merchant(MERCHANT).decryptRefundNotify(Buffer.from(xml)), expected);
  });
});

describe('errors', () => {
  const inner = h.jsXml({ transaction_id: '4200', out_trade_no: 'A1', refund_id: '5000', out_refund_no: 'R1', total_fee: '1200', refund_fee: '800', refund_status: 'SUCCESS' }, 'root');

  // One case per code; the test below checks the list is every code the core and the
  // declarations know.
  const cases = {
    INVALID_AMOUNT: () => wxpay.buildUnifiedOrder({ ...ORDER, totalFee: 12.5 }, MERCHANT),
    AMOUNT_MISMATCH: () => wxpay.verifyPaymentNotify(signedNotify(), MERCHANT, 1199),
    SIGNATURE_MISMATCH: () => wxpay.verifyPaymentNotify(signedNotify({}, { key: OTHER_KEY }), MERCHANT),
    MISSING_SIGNATURE: () => wxpay.verify({ appid: 'wx1' }, KEY),
    UNSUPPORTED_SIGN_TYPE: () => wxpay.sign({ appid: 'wx1' }, KEY, 'SHA1'),
    INVALID_API_KEY: () => wxpay.sign({ appid: 'wx1' }, 'too-short'),
    MISSING_FIELD: () => wxpay.buildUnifiedOrder({ ...ORDER, body: undefined }, MERCHANT),
    INVALID_FIELD: () => wxpay.buildUnifiedOrder({ ...ORDER, notifyUrl: 'https://shop.example.com/notify?order=1' }, MERCHANT),
    APPID_MISMATCH: () => wxpay.verifyPaymentNotify(signedNotify({ appid: 'wx0000000000000000' }), MERCHANT),
    MCHID_MISMATCH: () => wxpay.verifyPaymentNotify(signedNotify({ mch_id: '1900000109' }), MERCHANT),
    DOCTYPE_FORBIDDEN: () => wxpay.verifyPaymentNotify('<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>', MERCHANT),
    UNKNOWN_ENTITY: () => wxpay.parseXml('<xml><a>&nbsp;</a></xml>'),
    NESTED_ELEMENT: () => wxpay.parseXml('<xml><a><b>1</b></a></xml>'),
    DUPLICATE_KEY: () => wxpay.parseXml('<xml><a>1</a><a>2</a></xml>'),
    NOT_UTF8: () => wxpay.parseXml(Buffer.from([...Buffer.from('<xml><a>'), 0xff, ...Buffer.from('</a></xml>')])),
    TOO_LARGE: () => wxpay.parseXml(`<xml><a>${'x'.repeat(64 * 1024)}</a></xml>`),
    UNEXPECTED_ROOT: () => wxpay.parseXml('<root><a>1</a></root>'),
    UNENCODABLE: () => wxpay.toXml({ body: 'bell \u0007' }),
    MALFORMED_XML: () => wxpay.parseXml('<xml><a>1</b></xml>'),
    RETURN_FAIL: () => wxpay.parseUnifiedOrderResponse('<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>', MERCHANT),
    BUSINESS_ERROR: () => wxpay.parseCloseOrderResponse(signedResponse({ result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '订单已支付' }), MERCHANT),
    INVALID_BASE64: () => wxpay.decryptRefundNotify(h.refundNotify('not*base64!'), MERCHANT),
    TRUNCATED_CIPHERTEXT: () => wxpay.decryptRefundNotify(h.refundNotify(Buffer.from(h.encryptReqInfo(inner), 'base64').subarray(0, 40).toString('base64')), MERCHANT),
    DECRYPT_KEY_MISMATCH: () => wxpay.decryptRefundNotify(h.refundNotify(h.encryptReqInfo(inner, OTHER_KEY)), MERCHANT),
    BAD_PADDING: () => wxpay.decryptRefundNotify(h.refundNotify(h.encryptReqInfo(inner + '\0'.repeat(16 - (Buffer.byteLength(inner) % 16)), KEY, { padding: false })), MERCHANT),
    RANDOM_UNAVAILABLE: h.withoutEntropy(() => wxpay.nonceStr()),
    INVALID_ARGUMENT: () => wxpay.sign('appid=wx1', KEY),
  };

  for (const [code, fn] of Object.entries(cases)) {
    test(`throws an Error with code ${code}`, () => {
      let error;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof Error, 'a JS Error is thrown');
      assert.equal(error.code, code, error.message);
      assert.equal(typeof error.message, 'string');
      assert.ok(error.message.length > 0);
      assert.ok(!error.message.includes(KEY) && !error.message.includes(OTHER_KEY), 'the key never appears');
      assert.equal(error.retryable, false);
    });
  }

  test('the cases cover every code of this entry point, and the entry points together every code of the core', () => {
    // Coverage is per entry point: `wxpay` declares the codes its exports throw and is tested
    // here; `wxpay/v3` declares its own, which test/v3.test.js covers the same way.
    const core = h.coreCodes();
    const declared = h.declaredCodes('wxpay');
    assert.ok(core.length >= 36, `found ${core.length} codes in src/error.rs`);
    assert.deepEqual([...new Set([...declared, ...h.declaredCodes('v3')])].sort(), [...core, 'INVALID_ARGUMENT'].sort(),
      'every code of the core is declared by an entry point, and no entry point declares another');
    assert.deepEqual([...h.declaredCodes('notify')].sort(), [...declared].sort(), 'wxpay/notify declares as wxpay');
    assert.deepEqual(Object.keys(cases).sort(), [...declared].sort());
  });

  test('business errors carry errCode and retryable', () => {
    const e = (() => {
      try {
        wxpay.parseUnifiedOrderResponse(signedResponse({ result_code: 'FAIL', err_code: 'SYSTEMERROR', err_code_des: '系统错误' }), MERCHANT);
      } catch (e) {
        return e;
      }
    })();
    assert.equal(e.code, 'BUSINESS_ERROR');
    assert.equal(e.errCode, 'SYSTEMERROR');
    assert.equal(e.retryable, true);
  });

  test('amounts must be integer fen: fractions, negatives and unsafe integers are refused', () => {
    for (const totalFee of [0.5, 1200.01, -1, '12.00', '-1', 2 ** 53]) {
      assert.equal(codeOf(() => wxpay.buildUnifiedOrder({ ...ORDER, totalFee }, MERCHANT)), 'INVALID_AMOUNT', String(totalFee));
    }
    assert.equal(codeOf(() => wxpay.sign({ total_fee: 0.5 }, KEY)), 'INVALID_AMOUNT');
    assert.equal(codeOf(() => wxpay.verifyPaymentNotify(signedNotify(), MERCHANT, 1200.5)), 'INVALID_AMOUNT');
    assert.equal(codeOf(() => wxpay.buildUnifiedOrder({ ...ORDER, totalFee: 0 }, MERCHANT)), 'INVALID_FIELD');
  });

  test('JS values of the wrong shape are INVALID_ARGUMENT, each with a message', () => {
    const bad = [
      () => wxpay.sign(null, KEY),
      () => wxpay.sign([1, 2], KEY),
      () => wxpay.sign({ a: { nested: 1 } }, KEY),
      () => wxpay.sign({ a: true }, KEY),
      () => wxpay.sign(undefined, KEY),
      () => wxpay.toXml({ a: -1 }),
      () => wxpay.parseXml(42),
      () => wxpay.verifyPaymentNotify({ xml: '' }, MERCHANT),
      () => wxpay.buildUnifiedOrder({ ...ORDER, notifyURL: 'typo' }, MERCHANT),
      () => wxpay.buildUnifiedOrder({ ...ORDER, out_trade_no: 'dup' }, MERCHANT),
      () => wxpay.buildUnifiedOrder({ ...ORDER, body: 42 }, MERCHANT),
      () => wxpay.buildOrderQuery({ outTradeNo: 'A1', transactionId: '4200' }, MERCHANT),
      () => wxpay.buildRefundQuery({ outTradeNo: 'A1', offset: -1 }, MERCHANT),
      () => wxpay.buildRefundQuery({ outTradeNo: 'A1', refundId: '5000' }, MERCHANT),
      () => new wxpay.Merchant({ ...MERCHANT, appID: 'typo' }),
      () => new wxpay.Merchant(MERCHANT).paymentParams({ prepayId: 'p', key: KEY }),
      () => wxpay.paymentParams({ appId: MERCHANT.appId, prepayId: 'p', key: KEY, timeStamp: 1.5 }),
    ];
    for (const fn of bad) assert.equal(codeOf(fn), 'INVALID_ARGUMENT', fn.toString());
  });

  test('a missing merchant field or order field is MISSING_FIELD by the name the caller writes (camelCase)', () => {
    const e = (() => { try { wxpay.buildUnifiedOrder(ORDER, { appId: MERCHANT.appId, key: KEY }); } catch (e) { return e; } })();
    assert.equal(e.code, 'MISSING_FIELD');
    assert.match(e.message, /mchId/);
    assert.doesNotMatch(e.message, /mch_id/);
    // The core's own checks too: an order field it refuses is named as the order object names it.
    const bad = (() => { try { wxpay.buildUnifiedOrder({ ...ORDER, notifyUrl: 'https://shop.example.com/notify?order=1' }, MERCHANT); } catch (e) { return e; } })();
    assert.deepEqual([bad.code, /notifyUrl/.test(bad.message), /notify_url/.test(bad.message)], ['INVALID_FIELD', true, false]);
    assert.equal(codeOf(() => wxpay.buildRefund({ outRefundNo: 'R1', totalFee: 1, refundFee: 1 }, MERCHANT)), 'MISSING_FIELD');
  });
});
