// Compiled with `tsc --noEmit` (scripts/test-wasm), never run: proves pkg/index.d.ts types every
// export precisely. Each `@ts-expect-error` line must fail to type-check, so a declaration that
// fell back to `any` would make tsc report an unused directive.
import * as wxpay from '../pkg';
import type {
  CloseOrderResponse, ErrorCode, MerchantConfig, OrderQueryResponse, PaymentNotify, PaymentParams,
  RefundNotify, RefundQueryResponse, RefundResponse, SignType, UnifiedOrder, UnifiedOrderResponse, WxPayError,
} from '../pkg';
import * as small from '../pkg/notify';

const merchant: MerchantConfig = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: '192006250b4c09247ec02edce69f6a2d' };
const order: UnifiedOrder = {
  body: 'Coffee', outTradeNo: 'A1', totalFee: 1200, spbillCreateIp: '203.0.113.7',
  notifyUrl: 'https://shop.example.com/wxpay/notify', openid: 'o1', limitPay: 'no_credit',
};

// signing and XML
const signature: string = wxpay.sign({ appid: 'wx1', total_fee: 1 }, merchant.key, 'HMAC-SHA256');
const used: SignType = wxpay.verify({ appid: 'wx1', sign: signature }, merchant.key);
const xml: string = wxpay.toXml({ return_code: 'SUCCESS', total_fee: 1 });
const fields: Record<string, string> = wxpay.parseXml(xml);
const fromBytes: string | undefined = wxpay.parseXml(new Uint8Array([60]))['return_code'];
const nonce: string = wxpay.nonceStr();
const reply: string = wxpay.notifyReply(false, 'SIGNATURE_MISMATCH') + wxpay.notifyReply(true);
// A verdict's reply goes in as it is; any other word is refused.
const verdictReply: string = wxpay.notifyReply('SUCCESS') + wxpay.notifyReply('FAIL');
// @ts-expect-error: 'OK' is neither true, false, 'SUCCESS' nor 'FAIL'
wxpay.notifyReply('OK');

// wx.requestPayment
const pay: PaymentParams = wxpay.paymentParams({ appId: merchant.appId, prepayId: 'wx20', key: merchant.key, signType: 'MD5' });
const payArgs: { timeStamp: string; nonceStr: string; package: string; signType: SignType; paySign: string } = pay;

// notifies
const notify: PaymentNotify = wxpay.verifyPaymentNotify(xml, merchant, 1200);
const amount: number = notify.totalFee;
const paid: boolean = notify.resultCode === 'SUCCESS';
const refund: RefundNotify = wxpay.decryptRefundNotify(xml, merchant);
const refundStatus: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE' = refund.refundStatus;

// the Merchant class
const m = new wxpay.Merchant({ ...merchant, signType: 'HMAC-SHA256' });
const appId: string = m.appId;
const viaClass: PaymentNotify = m.verifyPaymentNotify(new Uint8Array(0));
const refundViaClass: RefundNotify = m.decryptRefundNotify(xml);
const payViaClass: PaymentParams = m.paymentParams({ prepayId: 'wx20', timeStamp: 1700000000 });
const bodyViaClass: string = m.buildUnifiedOrder(order, 'ibuaiVcKdpRxkhJA') + m.buildRefund({ outTradeNo: 'A1', outRefundNo: 'R1', totalFee: 1, refundFee: 1 });
const stateViaClass: OrderQueryResponse = m.parseOrderQueryResponse(xml);
// @ts-expect-error: a class method takes no merchant configuration
m.buildCloseOrder({ outTradeNo: 'A1' }, merchant);
m.free();

// requests and responses
const bodies: string[] = [
  wxpay.buildUnifiedOrder(order, merchant),
  wxpay.buildUnifiedOrder(order, merchant, 'ibuaiVcKdpRxkhJA'),
  wxpay.buildOrderQuery({ outTradeNo: 'A1' }, merchant),
  wxpay.buildOrderQuery({ transactionId: '4200' }, merchant),
  wxpay.buildCloseOrder({ outTradeNo: 'A1' }, merchant),
  wxpay.buildRefund({ transactionId: '4200', outRefundNo: 'R1', totalFee: 1200, refundFee: '800' }, merchant),
  wxpay.buildRefundQuery({ outRefundNo: 'R1', offset: 10 }, merchant),
];
const prepay: UnifiedOrderResponse = wxpay.parseUnifiedOrderResponse(xml, merchant);
const prepayId: string = prepay.prepayId;
const state: OrderQueryResponse = wxpay.parseOrderQueryResponse(xml, merchant);
const tradeState: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' = state.tradeState;
const closed: CloseOrderResponse = wxpay.parseCloseOrderResponse(xml, merchant);
const accepted: RefundResponse = wxpay.parseRefundResponse(xml, merchant);
const refunds: RefundQueryResponse = wxpay.parseRefundQueryResponse(xml, merchant);
const firstStatus: string | undefined = refunds.refunds[0]?.refundStatus;

// errors
try {
  wxpay.verifyPaymentNotify(xml, merchant);
} catch (e) {
  const err = e as WxPayError;
  const code: ErrorCode = err.code;
  const retry: boolean = err.retryable;
  const errCode: string | undefined = err.errCode;
}

// The declarations refuse what the package refuses.
// @ts-expect-error: amounts are numbers or digit strings, not booleans
wxpay.buildUnifiedOrder({ ...order, totalFee: true }, merchant);
// @ts-expect-error: the order needs its required fields
wxpay.buildUnifiedOrder({ body: 'Coffee' }, merchant);
// @ts-expect-error: a merchant needs its key
wxpay.verifyPaymentNotify(xml, { appId: 'wx1', mchId: '1' });
// @ts-expect-error: only MD5 and HMAC-SHA256
wxpay.sign({}, merchant.key, 'SHA1');
// @ts-expect-error: a message is a string or bytes
wxpay.parseXml(42);
// @ts-expect-error: one trade reference, not both
wxpay.buildOrderQuery({ outTradeNo: 'A1', transactionId: '4200' }, merchant);
// @ts-expect-error: typed results are not `any`
const notANumber: string = notify.totalFee;
// @ts-expect-error: no such field on a notify
notify.total_fee;
// @ts-expect-error: resultCode is a union of two literals
const wrongCode: 'PAID' = notify.resultCode;
// @ts-expect-error: the class never exposes the key
m.key;
// @ts-expect-error: the payment params have no appId to pass on
pay.appId;
// @ts-expect-error: feeType is CNY only
wxpay.buildUnifiedOrder({ ...order, feeType: 'USD' }, merchant);

// The notify entry point: the notify handlers' exports, typed alike, and nothing else.
const smallMerchant = new small.Merchant(merchant);
const smallNotify: PaymentNotify = smallMerchant.verifyPaymentNotify(xml, 1200);
const smallRefund: small.RefundNotify = small.decryptRefundNotify(xml, merchant);
const smallReply: string = small.notifyReply(true);
// @ts-expect-error: signing is not part of `wxpay/notify`
small.sign({}, merchant.key);

// The acceptance rule: the report is the very object the notify functions return.
const stored: small.StoredOrder = { outTradeNo: 'A1', totalFee: 1200, openid: 'o1', signType: 'MD5', status: 'NOTPAY' };
const judged: small.PaymentVerdict = small.judgePayment(stored, smallNotify);
const afterClose: boolean | undefined = judged.verdict === 'RECORD' ? judged.afterClose : undefined;
const refused: small.MismatchCode | undefined = judged.verdict === 'REFUSE' ? judged.code : undefined;
const asked: wxpay.PaymentVerdict = wxpay.judgePayment(null, state);
const storedRefund: small.StoredRefund = { outRefundNo: 'R1', outTradeNo: 'A1', refundFee: 800, totalFee: '1200', status: 'CHANGE' };
const refundJudged: small.RefundVerdict = small.judgeRefund(storedRefund, smallRefund);
const recordStatus: small.RefundRecordStatus | undefined = refundJudged.verdict === 'RECORD' ? refundJudged.status : undefined;
const unknownJudged: wxpay.RefundVerdict = wxpay.judgeRefund(null, refund);
const replyWord: 'SUCCESS' | 'FAIL' = refundJudged.reply;
// @ts-expect-error: the stored order's status is NOTPAY, CLOSED or PAID
small.judgePayment({ ...stored, status: 'SUCCESS' }, smallNotify);
// @ts-expect-error: a stored refund's status is one of the server's
small.judgeRefund({ ...storedRefund, status: 'REFUNDCLOSE' }, smallRefund);
// @ts-expect-error: only a RECORD verdict says afterClose
judged.afterClose;
// @ts-expect-error: nor is paymentParams on its Merchant
smallMerchant.paymentParams({ prepayId: 'wx20' });

export {
  smallNotify, smallRefund, smallReply, afterClose, refused, asked, recordStatus, unknownJudged, replyWord,
  signature, used, fields, fromBytes, nonce, reply, payArgs, amount, paid, refundStatus, appId, viaClass,
  refundViaClass, payViaClass, bodies, prepayId, tradeState, closed, accepted, firstStatus, notANumber, wrongCode,
};

// ---- wxpay/v3 ----------------------------------------------------------------------------------
import * as v3 from '../pkg/v3';
import type {
  Notification as V3Notification, PaymentParams as V3PaymentParams, SignedRequest, Transaction, Refund as V3Refund,
  ErrorCode as V3ErrorCode, WxPayError as V3Error, DownloadedCertificate, WeChatResponse, AsyncMerchant,
} from '../pkg/v3';

const v3Merchant = new v3.Merchant({ appId: 'wx2421b1c4370ec43b', mchId: '1900000109', serialNo: '3775B6A4', privateKey: '-----BEGIN PRIVATE KEY-----' });
const signedElsewhere = new v3.Merchant({
  appId: 'wx2421b1c4370ec43b', mchId: '1900000109', serialNo: '3775B6A4', sign: (message: Uint8Array) => message,
});
const v3Keys = new v3.KeySet({ apiV3Key: 'k', publicKeys: { PUB_KEY_ID_01: 'pem' }, certificates: ['pem'] });
const emptyKeys = new v3.KeySet();
const prepayRequest: SignedRequest = v3Merchant.buildJsapiPrepay(
  { description: '咖啡', outTradeNo: 'A12345', total: 1200, notifyUrl: 'https://a.example/n', openid: 'o1' },
  { timestamp: 1795000000, nonceStr: 'n' },
);
const v3Requests: SignedRequest[] = [
  v3Merchant.buildQueryByOutTradeNo({ outTradeNo: 'A12345' }),
  v3Merchant.buildQueryByTransactionId({ transactionId: '4200' }),
  v3Merchant.buildCloseOrder({ outTradeNo: 'A12345' }),
  v3Merchant.buildRefund({ transactionId: '4200', outRefundNo: 'R1', refund: 800, total: '1200' }),
  v3Merchant.buildRefundQuery({ outRefundNo: 'R1' }),
  signedElsewhere.buildDownloadCertificates(),
];
const fetchInit: { method: string; headers: Record<string, string | undefined>; body?: string } = prepayRequest; // fetch(r.url, r)
const authorization: string = v3Merchant.buildAuthorization({ method: 'GET', pathAndQuery: '/v3/certificates' });
const v3Pay: V3PaymentParams = v3Merchant.paymentParams({ prepayId: 'wx1', timeStamp: 1795000000 });
const rsa: 'RSA' = v3Pay.signType;
const answer: WeChatResponse = { status: 200, headers: { get: (name: string) => (name === 'wechatpay-nonce' ? 'n' : null) }, body: new Uint8Array(0) };
const prepayIdV3: string = v3Keys.parseJsapiPrepayResponse(answer).prepayId;
const queried: Transaction = v3Keys.parseTransactionResponse({ status: 200, headers: { 'wechatpay-nonce': 'n' }, body: '{}' }, 1795000000);
const paidTotal: number = queried.amount.total;
const closedV3: void = v3Keys.parseCloseOrderResponse(answer);
const refundedV3: V3Refund = v3Keys.parseRefundResponse(answer);
const downloaded: DownloadedCertificate[] = emptyKeys.addDownloadedCertificates(answer);
v3Keys.verifySignature(answer.headers, '{}');
const opened: V3Notification = v3Keys.openNotification({ 'wechatpay-serial': 'PUB_KEY_ID_01' }, new Uint8Array(2));
if (opened.event.kind === 'payment') {
  const state: string = opened.event.tradeState;
  const outTradeNoV3: string = opened.event.outTradeNo;
} else {
  const refundState: string = opened.event.refundStatus;
}
// The acceptance rule over v3 reports: the event as opened, or a parsed answer.
const storedV3: v3.StoredOrder = { outTradeNo: 'A1', totalFee: 1200, openid: 'o1', signType: null, status: 'NOTPAY' };
if (opened.event.kind === 'payment') {
  const paidV3: v3.PaymentVerdict = v3.judgePayment(storedV3, opened.event);
  const codeV3: v3.MismatchCode | undefined = paidV3.verdict === 'REFUSE' ? paidV3.code : undefined;
} else {
  const refundV3: v3.RefundVerdict = v3.judgeRefund(null, opened.event);
  const statusV3: v3.RefundRecordStatus | undefined = refundV3.verdict === 'RECORD' ? refundV3.status : undefined;
}
v3.judgePayment(null, queried);
v3.judgeRefund({ outRefundNo: 'R1', outTradeNo: 'A1', refundFee: 1, totalFee: 2, status: 'PROCESSING' }, refundedV3);
// @ts-expect-error: a refund event is not a payment report
v3.judgePayment(null, { ...refundedV3, kind: 'refund' as const });
const plain: string = v3.decryptResource({ algorithm: 'AEAD_AES_256_GCM', ciphertext: '', nonce: '', associatedData: '' }, 'k');
const serials: string[] = v3Keys.serials;
try {
  v3Keys.verifySignature(answer.headers, '{}');
} catch (e) {
  const err = e as V3Error;
  const code: V3ErrorCode = err.code;
  const wechatCode: string | undefined = err.errCode;
  const status: number | undefined = err.status;
}
// @ts-expect-error: a merchant needs privateKey or sign
new v3.Merchant({ appId: 'wx1', mchId: '1', serialNo: 'AB' });
// @ts-expect-error: not both
new v3.Merchant({ appId: 'wx1', mchId: '1', serialNo: 'AB', privateKey: 'pem', sign: (m: Uint8Array) => m });
// @ts-expect-error: timestamps are numbers, not BigInt
v3Merchant.buildDownloadCertificates({ timestamp: 1795000000n });
// @ts-expect-error: amounts are numbers or digit strings
v3Merchant.buildJsapiPrepay({ description: 'x', outTradeNo: 'A12345', total: true, notifyUrl: 'https://a.example/n', openid: 'o1' });
// @ts-expect-error: one trade reference, not both
v3Merchant.buildRefund({ transactionId: '4200', outTradeNo: 'A12345', outRefundNo: 'R1', refund: 1, total: 1 });
// @ts-expect-error: v3's signType is RSA only
const md5: 'MD5' = v3Pay.signType;
// @ts-expect-error: the class never exposes the key
v3Merchant.privateKey;
// @ts-expect-error: nor the APIv3 key
v3Keys.apiV3Key;
// @ts-expect-error: the v3 entry point has no v2 exports
v3.verifyPaymentNotify;
// @ts-expect-error: results are typed, not `any`
const notAString: string = queried.amount;
// @ts-expect-error: events are a union: a payment has no refundStatus
opened.event.refundStatus;

// The forms a caller's values arrive in: PEMs as bytes, digit-string timestamps, a Map of headers,
// an async `sign` (its merchant typed as `AsyncMerchant`).
const pemBytes: Uint8Array = new Uint8Array([45, 45]);
const fromBytes3 = new v3.Merchant({ appId: 'wx1', mchId: '1900000109', serialNo: '3775B6A4', privateKey: pemBytes });
const bytesKeys = new v3.KeySet({ publicKeys: { PUB_KEY_ID_01: pemBytes }, certificates: [pemBytes, 'pem'] });
bytesKeys.addPublicKey('PUB_KEY_ID_02', pemBytes);
const fromText: V3PaymentParams = fromBytes3.paymentParams({ prepayId: 'wx1', timeStamp: '1795000000' });
const viaMap: void = bytesKeys.verifySignature(new Map([['wechatpay-serial', 'PUB_KEY_ID_01']]), '{}');
const kms = new v3.Merchant({
  appId: 'wx1', mchId: '1900000109', serialNo: '3775B6A4', sign: async (message: Uint8Array) => message,
}) as unknown as AsyncMerchant;
const later: Promise<SignedRequest> = kms.buildRefundQuery({ outRefundNo: 'R1' }, { timestamp: '1795000000' });
const laterAuth: Promise<string> = kms.buildAuthorization({ method: 'GET', pathAndQuery: '/v3/certificates' });
// @ts-expect-error: an async merchant's results are Promises
const notYet: SignedRequest = kms.buildDownloadCertificates();

export {
  signedElsewhere, v3Requests, fetchInit, authorization, rsa, prepayIdV3, paidTotal, closedV3, refundedV3, downloaded, plain, serials, md5, notAString,
  fromText, viaMap, later, laterAuth, notYet,
};
