'use strict';
// The TypeScript declarations of pkg/ checked against the Rust types they describe, so that
// neither is kept in sync with the other by hand.
//
// An argument object is read by a Rust struct that refuses unknown names; serde's refusal lists
// every name the struct knows ("unknown field `x`, expected one of `a`, `b`"). Each argument's
// declared type (read with the TypeScript compiler from pkg/*.d.ts) must name exactly those
// fields, in camelCase (WeChat's snake_case names are accepted aliases, not declared).
// A result is a Rust type serialised; every name of a full result must be declared.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const ts = require('typescript');

const { wxpay, MERCHANT, signedResponse, signedNotify } = require('./helpers');
const { v3, V, CONFIG, KEYS } = require('./v3-helpers');
const BILLS = require('./helpers').data('v3_bill_vectors.json');

const PKG = path.resolve(__dirname, '../../pkg');

/** The declared types of the type expressions (TypeScript's checker over pkg/*.d.ts). */
function declaredTypes(expressions) {
  const file = path.join(PKG, '__types_vs_rust__.ts');
  const text = [
    "import * as w from './index';",
    "import * as v3 from './v3';",
    ...expressions.map((e, i) => `export type T${i} = ${e};`),
  ].join('\n');
  const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (name, ...rest) => (path.resolve(name) === file ? ts.createSourceFile(name, text, ts.ScriptTarget.ES2020) : read(name, ...rest));
  host.fileExists = ((exists) => (name) => path.resolve(name) === file || exists(name))(host.fileExists);
  const program = ts.createProgram([file], options, host);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, [], 'the type expressions compile');
  const checker = program.getTypeChecker();
  const types = program.getSourceFile(file).statements
    .filter(ts.isTypeAliasDeclaration)
    .map((alias) => checker.getTypeAtLocation(alias.name));
  return { checker, types };
}

/** A type's constituents: unions and intersections flattened. */
const parts = (type) => (type.isUnionOrIntersection() ? type.types.flatMap(parts) : [type]);

/** The property names of each type expression, as the declarations say. */
function declaredNames(expressions) {
  const { checker, types } = declaredTypes(expressions);
  return types.map((type) => [...new Set(parts(type).flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)))].sort());
}

/** The paths in `value` that `type` does not declare, looking into nested objects and arrays. */
function undeclared(checker, type, value, at) {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const element = parts(type).map((t) => checker.getIndexTypeOfType(t, ts.IndexKind.Number)).find(Boolean);
    return element ? value.flatMap((v, i) => undeclared(checker, element, v, `${at}[${i}]`)) : [];
  }
  // An index signature (Record<string, …>) declares every name.
  if (parts(type).some((t) => checker.getIndexTypeOfType(t, ts.IndexKind.String))) return [];
  return Object.entries(value).flatMap(([name, v]) => {
    const props = parts(type).map((t) => checker.getPropertyOfType(t, name)).filter(Boolean);
    if (props.length === 0) return [`${at}.${name}`];
    const propType = checker.getUnionType ? checker.getUnionType(props.map((p) => checker.getTypeOfSymbol(p))) : checker.getTypeOfSymbol(props[0]);
    return undeclared(checker, propType, v, `${at}.${name}`);
  });
}

/** The names the Rust struct behind `call` knows, from serde's refusal of an unknown one. */
function rustNames(call) {
  let message;
  try {
    call({ notAField: 1 });
  } catch (e) {
    message = e.message;
  }
  assert.ok(message, 'an unknown name is refused');
  const listed = [...message.replace(/^.*unknown field `notAField`/, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  assert.ok(listed.length > 0, `serde lists the known names: ${message}`);
  // WeChat's own names are aliases: snake_case, or a lowercase twin of a camelCase name (appid).
  const camel = listed.filter((n) => !n.includes('_'));
  return camel.filter((n) => !camel.some((m) => m !== n && m.toLowerCase() === n.toLowerCase() && /[A-Z]/.test(m))).sort();
}

test('every argument object is declared with exactly the fields its Rust struct reads', () => {
  const m2 = new wxpay.Merchant(MERCHANT);
  const m3 = new v3.Merchant(CONFIG);
  const cases = [
    ['Parameters<typeof w.buildUnifiedOrder>[0]', (a) => wxpay.buildUnifiedOrder(a, MERCHANT)],
    ['Parameters<typeof w.buildOrderQuery>[0]', (a) => wxpay.buildOrderQuery(a, MERCHANT)],
    ['Parameters<typeof w.buildCloseOrder>[0]', (a) => wxpay.buildCloseOrder(a, MERCHANT)],
    ['Parameters<typeof w.buildRefund>[0]', (a) => wxpay.buildRefund(a, MERCHANT)],
    ['Parameters<typeof w.buildRefundQuery>[0]', (a) => wxpay.buildRefundQuery(a, MERCHANT)],
    ['Parameters<typeof w.paymentParams>[0]', (a) => wxpay.paymentParams(a)],
    ['Parameters<w.Merchant["paymentParams"]>[0]', (a) => m2.paymentParams(a)],
    ['Parameters<w.Merchant["buildUnifiedOrder"]>[0]', (a) => m2.buildUnifiedOrder(a)],
    ['Parameters<w.Merchant["buildRefund"]>[0]', (a) => m2.buildRefund(a)],
    ['Parameters<v3.Merchant["buildJsapiPrepay"]>[0]', (a) => m3.buildJsapiPrepay(a)],
    ['Parameters<v3.Merchant["buildQueryByOutTradeNo"]>[0]', (a) => m3.buildQueryByOutTradeNo(a)],
    ['Parameters<v3.Merchant["buildQueryByTransactionId"]>[0]', (a) => m3.buildQueryByTransactionId(a)],
    ['Parameters<v3.Merchant["buildCloseOrder"]>[0]', (a) => m3.buildCloseOrder(a)],
    ['Parameters<v3.Merchant["buildRefund"]>[0]', (a) => m3.buildRefund(a)],
    ['Parameters<v3.Merchant["buildRefundQuery"]>[0]', (a) => m3.buildRefundQuery(a)],
    ['Parameters<v3.Merchant["paymentParams"]>[0]', (a) => m3.paymentParams(a)],
    ['Parameters<v3.Merchant["buildAuthorization"]>[0]', (a) => m3.buildAuthorization(a)],
    ['Parameters<v3.Merchant["buildRefundQuery"]>[1]', (a) => m3.buildRefundQuery({ outRefundNo: 'R1' }, a)],
    ['Parameters<v3.Merchant["buildAbnormalRefund"]>[0]', (a) => m3.buildAbnormalRefund(a)],
    ['Parameters<v3.Merchant["buildTradeBill"]>[0]', (a) => m3.buildTradeBill(a)],
    ['Parameters<v3.Merchant["buildFundFlowBill"]>[0]', (a) => m3.buildFundFlowBill(a)],
    ['Parameters<v3.Merchant["buildBillDownload"]>[0]', (a) => m3.buildBillDownload(a)],
    ['Parameters<typeof v3.openTradeBill>[2]', (a) => v3.openTradeBill({ hashType: 'SHA1', hashValue: '0', downloadUrl: 'x' }, Buffer.from(''), a)],
  ];
  const declared = declaredNames(cases.map(([expression]) => expression));
  cases.forEach(([expression, call], i) => {
    assert.deepEqual(declared[i], rustNames(call), expression);
  });
  m2.free();
  m3.free();
});

test('every name in a full result is declared in its type, nested objects too', () => {
  const keys = new v3.KeySet(KEYS);
  const parsers = {
    jsapi_order: 'parseJsapiPrepayResponse', query_by_out_trade_no: 'parseTransactionResponse', close: 'parseCloseOrderResponse', refund: 'parseRefundResponse',
  };
  const cases = [
    ['ReturnType<typeof w.parseOrderQueryResponse>', wxpay.parseOrderQueryResponse(signedResponse({
      trade_state: 'SUCCESS', trade_state_desc: '支付成功', out_trade_no: 'A1', transaction_id: '4200', total_fee: '1200', cash_fee: '1200',
      openid: 'o1', time_end: '20261123120000', trade_type: 'JSAPI', attach: 'a',
    }), MERCHANT)],
    ['ReturnType<typeof w.parseRefundResponse>', wxpay.parseRefundResponse(signedResponse({
      transaction_id: '4200', out_trade_no: 'A1', out_refund_no: 'R1', refund_id: '5000', refund_fee: '800', total_fee: '1200', cash_fee: '1200',
    }), MERCHANT)],
    ['ReturnType<typeof w.parseUnifiedOrderResponse>', wxpay.parseUnifiedOrderResponse(signedResponse({
      trade_type: 'NATIVE', prepay_id: 'wx2014', code_url: 'weixin://wxpay/bizpayurl?pr=x',
    }), MERCHANT)],
    ['ReturnType<typeof w.parseRefundQueryResponse>', wxpay.parseRefundQueryResponse(signedResponse({
      transaction_id: '4200', out_trade_no: 'A1', total_fee: '1200', cash_fee: '1200', refund_count: '1',
      out_refund_no_0: 'R1', refund_id_0: '5001', refund_fee_0: '800', refund_status_0: 'SUCCESS', refund_success_time_0: '2026-11-23 12:30:07',
      refund_recv_accout_0: '支付用户的零钱', refund_channel_0: 'ORIGINAL',
    }), MERCHANT)],
    ['ReturnType<typeof w.verifyPaymentNotify>', wxpay.verifyPaymentNotify(signedNotify(), MERCHANT)],
    ['ReturnType<typeof w.paymentParams>', wxpay.paymentParams({ appId: MERCHANT.appId, key: MERCHANT.key, prepayId: 'wx2014' })],
    ...V.responses.filter((c) => !c.expected_error && c.expected !== null).map((c) => [
      `ReturnType<v3.KeySet["${parsers[c.type]}"]>`, keys[parsers[c.type]]({ status: c.status, headers: c.headers, body: c.body }, c.now),
    ]),
    ...V.notifies.map((n) => ['ReturnType<v3.KeySet["openNotification"]>', keys.openNotification(n.headers, n.body, n.now)]),
    ...BILLS.cases.filter((c) => c.expect.ok).map((c) => [
      c.kind === 'trade' ? 'ReturnType<typeof v3.openTradeBill>' : 'ReturnType<typeof v3.openFundFlowBill>',
      (c.kind === 'trade' ? v3.openTradeBill : v3.openFundFlowBill)(
        { hashType: c.hash_type, hashValue: c.hash_value, downloadUrl: 'https://api.mch.weixin.qq.com/x' }, Buffer.from(c.bytes_base64, 'base64'),
        c.tar_type ? { tarType: c.tar_type } : undefined),
    ]),
    ['ReturnType<v3.KeySet["encryptSensitive"]>', keys.encryptSensitive('x')],
    ['ReturnType<v3.KeyStore["onUnknownSerial"]>', new v3.KeyStore().onUnknownSerial('ABC', 1_800_000_000)],
    ['ReturnType<v3.KeyStore["ingestCertificates"]>', new v3.KeyStore().ingestCertificates({ status: 404, headers: {}, body: '{"code":"NOT_FOUND","message":"x"}' }, V.api_v3_key, 1_800_000_000)],
  ];
  assert.ok(cases.length > 8, 'the v3 vectors are there');
  const { checker, types } = declaredTypes(cases.map(([expression]) => expression));
  cases.forEach(([expression, value], i) => {
    assert.deepEqual(undeclared(checker, types[i], value, 'result'), [], expression);
  });
  keys.free();
});
