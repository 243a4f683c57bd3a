/* tslint:disable */
/* eslint-disable */

/** An order as stored (wxpay-server's and the cloud functions' names for its status). */
export interface StoredOrder {
    outTradeNo: string;
    totalFee: number | string;
    /** The payer; when given, a report must name the same one. */
    openid?: string | null;
    /** The sign type the order was placed with (v2: pinned, a notify signed otherwise is refused; absent: not pinned. v3: `RSA`, its one scheme). */
    signType?: StoredSignType | null;
    status: "NOTPAY" | "CLOSED" | "PAID";
    /** Required when `PAID`. */
    transactionId?: string | null;
}

/** A refund as stored. `REQUESTED` and `REJECTED` were never sent to WeChat. */
export interface StoredRefund {
    outRefundNo: string;
    outTradeNo: string;
    refundFee: number | string;
    totalFee: number | string;
    /** WeChat's refund id, once it gave one. */
    refundId?: string | null;
    /** The order's transaction id, once paid. */
    transactionId?: string | null;
    status: "REQUESTED" | "APPROVED" | "PROCESSING" | "CHANGE" | "SUCCESS" | "CLOSED" | "REJECTED";
}

/** Why a report was refused: for the log, never for the reply. */
export type MismatchCode =
| "ORDER_NOT_FOUND" | "OUT_TRADE_NO_MISMATCH" | "SIGN_TYPE_MISMATCH" | "TOTAL_FEE_MISMATCH" | "PAYER_MISMATCH"
| "TRANSACTION_ID_MISSING" | "OTHER_TRANSACTION" | "OUT_REFUND_NO_MISMATCH" | "REFUND_FEE_MISMATCH"
| "REFUND_ID_MISMATCH" | "TRANSACTION_ID_MISMATCH" | "REFUND_NOT_SENT" | "RESULT_CONFLICT";

/** A refused report: change nothing, refuse with a fixed message (v2: `notifyReply(false)`; v3: a 4xx/5xx); `code` and `reason` go to the log. */
export interface Refused {
    verdict: "REFUSE";
    code: MismatchCode;
    /** One line for the log. */
    reason: string;
    reply: "FAIL";
}

/** `RECORD`: store `PAID` (flagged when `afterClose`), then acknowledge. */
export type PaymentVerdict =
| { verdict: "RECORD"; afterClose: boolean; reply: "SUCCESS" }
| { verdict: "ALREADY_RECORDED" | "NOTHING_TO_RECORD"; reply: "SUCCESS" }
| Refused;

/** The refund states a verdict records (v2's `REFUNDCLOSE` is `CLOSED`, v3's `ABNORMAL` is `CHANGE`). */
export type RefundRecordStatus = "PROCESSING" | "SUCCESS" | "CHANGE" | "CLOSED";

/** `RECORD`: store `status`, then acknowledge. `RECORD_UNKNOWN`: a refund we did not start; record it for a person, then acknowledge. */
export type RefundVerdict =
| { verdict: "RECORD" | "RECORD_UNKNOWN"; status: RefundRecordStatus; reply: "SUCCESS" }
| { verdict: "ALREADY_RECORDED" | "STALE"; reply: "SUCCESS" }
| Refused;



/** Flat WeChat fields by WeChat's own names. Numbers must be non-negative safe integers. */
export type Params = Record<string, string | number | null | undefined>;

/** Fields as received: every value is the exact string WeChat sent. */
export type Fields = Record<string, string>;

/** An amount in integer fen (分): a safe integer, or a string of digits. Never a fraction. */
export type Fen = number | string;

/** A JSAPI order (`trade_type=JSAPI`) for a mini-program payer. */
export interface UnifiedOrderRequest {
    /** 商品描述, at most 128 bytes. */
    body: string;
    /** At most 32 of `0-9 a-z A-Z _ - | *`, unique per merchant. */
    outTradeNo: string;
    /** At least 1 fen. */
    totalFee: Fen;
    /** The payer's IP address. */
    spbillCreateIp: string;
    /** Where WeChat POSTs the payment notify; no query string. */
    notifyUrl: string;
    /** The payer's openid for this appid. */
    openid: string;
    attach?: string;
    /** `yyyyMMddHHmmss`, Beijing time. */
    timeStart?: string;
    /** `yyyyMMddHHmmss`, Beijing time, after `timeStart`. */
    timeExpire?: string;
    detail?: string;
    goodsTag?: string;
    feeType?: "CNY";
    limitPay?: "no_credit";
    deviceInfo?: string;
}

export interface UnifiedOrderResponse {
    /** Valid for two hours; pass it to `paymentParams`. */
    prepayId: string;
    tradeType: string;
    codeUrl?: string;
}

/** Which payment: WeChat's `transactionId` or the merchant's `outTradeNo`. */
export type TradeRef =
| { transactionId: string; outTradeNo?: undefined }
| { outTradeNo: string; transactionId?: undefined };

export type OrderQueryRequest = TradeRef;

export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

export interface OrderQueryResponse {
    tradeState: TradeState;
    tradeStateDesc?: string;
    outTradeNo: string;
    transactionId?: string;
    totalFee?: number;
    cashFee?: number;
    openid?: string;
    timeEnd?: string;
    attach?: string;
    tradeType?: string;
}

export interface CloseOrderRequest {
    outTradeNo: string;
}

/** closeorder answers nothing beyond success. */
export type CloseOrderResponse = Record<string, never>;

/** A refund application; the same `outRefundNo` refunds once. */
export type RefundRequest = TradeRef & {
    /** At most 64 of `0-9 a-z A-Z _ - | * @`. */
    outRefundNo: string;
    totalFee: Fen;
    /** At least 1 fen, at most `totalFee`. */
    refundFee: Fen;
    refundDesc?: string;
    notifyUrl?: string;
    refundAccount?: string;
};

export interface RefundResponse {
    transactionId: string;
    outTradeNo: string;
    outRefundNo: string;
    refundId: string;
    refundFee: number;
    totalFee: number;
    cashFee?: number;
}

/** Which refunds: exactly one of the four references, and an optional `offset`. */
export type RefundQueryRequest = (
| { refundId: string }
| { outRefundNo: string }
| { transactionId: string }
| { outTradeNo: string }
) & { offset?: number };

export type RefundStatus = "SUCCESS" | "REFUNDCLOSE" | "PROCESSING" | "CHANGE";

export interface RefundItem {
    outRefundNo: string;
    refundId: string;
    refundFee: number;
    refundStatus: RefundStatus;
    refundSuccessTime?: string;
    /** Sic: WeChat's spelling. */
    refundRecvAccout?: string;
    refundChannel?: string;
}

export interface RefundQueryResponse {
    transactionId: string;
    outTradeNo: string;
    totalFee: number;
    cashFee?: number;
    totalRefundCount?: number;
    refunds: RefundItem[];
}

export interface PaymentParamsInit {
    appId: string;
    prepayId: string;
    key: string;
    /** The order's sign type; default `MD5`. */
    signType?: SignType;
    /** Seconds since the epoch; default now. */
    timeStamp?: number | string;
    /** Default: a fresh nonce. */
    nonceStr?: string;
}

/** @deprecated The name before requests were `…Request`: use `UnifiedOrderRequest`. */
export type UnifiedOrder = UnifiedOrderRequest;
/** @deprecated Use `OrderQueryRequest`. */
export type OrderQuery = OrderQueryRequest;
/** @deprecated Use `CloseOrderRequest`. */
export type CloseOrder = CloseOrderRequest;
/** @deprecated Use `RefundRequest`. */
export type Refund = RefundRequest;
/** @deprecated Use `RefundQueryRequest`. */
export type RefundQuery = RefundQueryRequest;

/** Exactly the object `wx.requestPayment` takes. */
export interface PaymentParams {
    timeStamp: string;
    nonceStr: string;
    /** `prepay_id=<id>`. */
    package: string;
    signType: SignType;
    paySign: string;
}



/** The sign type a stored order was placed with. */
export type StoredSignType = SignType;

/** What `judgePayment` reads of a report: a `PaymentNotify` (`resultCode`) or an orderquery answer (`tradeState`). */
export interface PaymentReport {
    outTradeNo: string;
    resultCode?: "SUCCESS" | "FAIL";
    tradeState?: "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";
    transactionId?: string | null;
    totalFee?: number | string | null;
    openid?: string | null;
    /** A notify's; absent for a query answer. */
    signType?: SignType | null;
}

/** What `judgeRefund` reads of a report: a `RefundNotify`, or a refundquery refund with its answer's `outTradeNo`, `transactionId` and `totalFee`. */
export interface RefundReport {
    outRefundNo: string;
    outTradeNo: string;
    refundId: string;
    transactionId?: string | null;
    refundFee: number | string;
    totalFee?: number | string | null;
    refundStatus: "PROCESSING" | "SUCCESS" | "CHANGE" | "REFUNDCLOSE";
}



/** `MD5` (the default) or `HMAC-SHA256`. */
export type SignType = "MD5" | "HMAC-SHA256";

/** Who we are to WeChat Pay. `key` is the 32-character API v2 key; it never leaves WebAssembly in any output or error. WeChat's names (`appid`, `mch_id`, `sign_type`) are accepted too. */
export interface MerchantConfig {
    appId: string;
    mchId: string;
    key: string;
    /** The algorithm for our requests; default `MD5`. */
    signType?: SignType;
}

/** A verified payment notify. Compare `totalFee` with the order before marking it paid. */
export interface PaymentNotify {
    resultCode: "SUCCESS" | "FAIL";
    errCode?: string;
    errCodeDes?: string;
    appId: string;
    mchId: string;
    openid: string;
    tradeType: string;
    bankType?: string;
    totalFee: number;
    settlementTotalFee?: number;
    cashFee?: number;
    couponFee?: number;
    feeType?: string;
    /** Empty for a failed payment whose notify carries none. */
    transactionId: string;
    outTradeNo: string;
    attach?: string;
    /** `yyyyMMddHHmmss`; empty for a failed payment whose notify carries none. */
    timeEnd: string;
    isSubscribe?: string;
    /** The algorithm the notify was signed with. */
    signType: SignType;
}

export type RefundNotifyStatus = "SUCCESS" | "CHANGE" | "REFUNDCLOSE";

/** A decrypted refund notify. */
export interface RefundNotify {
    appId: string;
    mchId: string;
    transactionId: string;
    outTradeNo: string;
    refundId: string;
    outRefundNo: string;
    totalFee: number;
    settlementTotalFee?: number;
    refundFee: number;
    settlementRefundFee?: number;
    refundStatus: RefundNotifyStatus;
    /** `yyyy-MM-dd HH:mm:ss`. */
    successTime?: string;
    /** Sic: WeChat's spelling. */
    refundRecvAccout?: string;
    refundAccount?: string;
    refundRequestSource?: string;
}

export type ErrorCode =
| "INVALID_AMOUNT" | "AMOUNT_MISMATCH"
| "SIGNATURE_MISMATCH" | "MISSING_SIGNATURE" | "UNSUPPORTED_SIGN_TYPE" | "INVALID_API_KEY"
| "MISSING_FIELD" | "INVALID_FIELD" | "APPID_MISMATCH" | "MCHID_MISMATCH"
| "DOCTYPE_FORBIDDEN" | "UNKNOWN_ENTITY" | "NESTED_ELEMENT" | "DUPLICATE_KEY" | "NOT_UTF8"
| "TOO_LARGE" | "UNEXPECTED_ROOT" | "UNENCODABLE" | "MALFORMED_XML"
| "RETURN_FAIL" | "BUSINESS_ERROR"
| "INVALID_BASE64" | "TRUNCATED_CIPHERTEXT" | "DECRYPT_KEY_MISMATCH" | "BAD_PADDING"
| "RANDOM_UNAVAILABLE" | "INVALID_ARGUMENT";

/** Every function throws this, whatever it is given: a plain `Error` with a stable `code` (`INVALID_ARGUMENT` for a value of the wrong type, or an argument whose getter or Proxy throws while it is read). */
export interface WxPayError extends Error {
    code: ErrorCode;
    /** WeChat's `err_code` (e.g. `ORDERPAID`) when `code` is `BUSINESS_ERROR`. */
    errCode?: string;
    /** Whether WeChat asks for the same request again (`SYSTEMERROR`, `BIZERR_NEED_RETRY`). */
    retryable: boolean;
    /** With `INVALID_ARGUMENT`: what the caller's own getter or Proxy threw while the argument was read. */
    cause?: unknown;
}



/**
 * A merchant configured once: `new Merchant({ appId, mchId, key, signType })`, for the calls a
 * server makes per request: the configuration is read and checked once, not per call. The key
 * stays inside WebAssembly memory; no getter returns it.
 */
export class Merchant {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The signed XML body for `POST /pay/closeorder`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    buildCloseOrder(close: CloseOrderRequest, nonceStr?: string): string;
    /**
     * The signed XML body for `POST /pay/orderquery`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    buildOrderQuery(query: OrderQueryRequest, nonceStr?: string): string;
    /**
     * The signed XML body for `POST /pay/refundquery`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    buildRefundQuery(query: RefundQueryRequest, nonceStr?: string): string;
    /**
     * The signed XML body for `POST /secapi/pay/refund` (sent over mutual TLS).
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
     */
    buildRefund(refund: RefundRequest, nonceStr?: string): string;
    /**
     * The signed XML body for `POST /pay/unifiedorder` (a JSAPI order); see the function
     * `buildUnifiedOrder`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
     */
    buildUnifiedOrder(order: UnifiedOrderRequest, nonceStr?: string): string;
    /**
     * See the function `decryptRefundNotify`.
     */
    decryptRefundNotify(xml: string | Uint8Array): RefundNotify;
    /**
     * @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `MISSING_FIELD`, `INVALID_ARGUMENT`
     */
    constructor(config: MerchantConfig);
    /**
     * Checks WeChat's answer to closeorder.
     *
     * @throws {WxPayError} as `parseUnifiedOrderResponse`
     */
    parseCloseOrderResponse(xml: string | Uint8Array): CloseOrderResponse;
    /**
     * Checks and reads WeChat's answer to orderquery.
     *
     * @throws {WxPayError} as `parseUnifiedOrderResponse`
     */
    parseOrderQueryResponse(xml: string | Uint8Array): OrderQueryResponse;
    /**
     * Checks and reads WeChat's answer to refundquery, with the `_$n` fields as `refunds[n]`.
     *
     * @throws {WxPayError} as `parseUnifiedOrderResponse`
     */
    parseRefundQueryResponse(xml: string | Uint8Array): RefundQueryResponse;
    /**
     * Checks and reads WeChat's answer to refund: *accepted*, not yet refunded.
     *
     * @throws {WxPayError} as `parseUnifiedOrderResponse`
     */
    parseRefundResponse(xml: string | Uint8Array): RefundResponse;
    /**
     * Checks and reads WeChat's answer to unifiedorder; see `parseUnifiedOrderResponse`.
     *
     * @throws {WxPayError} `SIGNATURE_MISMATCH`, `RETURN_FAIL`, `BUSINESS_ERROR`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`
     */
    parseUnifiedOrderResponse(xml: string | Uint8Array): UnifiedOrderResponse;
    /**
     * See the function `paymentParams`; the appId, key and sign type are this merchant's.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    paymentParams(init: { prepayId: string; timeStamp?: number | string; nonceStr?: string }): PaymentParams;
    /**
     * See the function `verifyPaymentNotify`.
     */
    verifyPaymentNotify(xml: string | Uint8Array, expectedTotalFee?: number): PaymentNotify;
    /**
     * The mini-program's AppID.
     */
    readonly appId: string;
    /**
     * The merchant number.
     */
    readonly mchId: string;
    /**
     * The algorithm of this merchant's requests.
     */
    readonly signType: SignType;
}

/**
 * The signed XML body for `POST /pay/closeorder`.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function buildCloseOrder(close: CloseOrderRequest, merchant: MerchantConfig, nonceStr?: string): string;

/**
 * The signed XML body for `POST /pay/orderquery`.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function buildOrderQuery(query: OrderQueryRequest, merchant: MerchantConfig, nonceStr?: string): string;

/**
 * The signed XML body for `POST /secapi/pay/refund` (send it over mutual TLS).
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function buildRefund(refund: RefundRequest, merchant: MerchantConfig, nonceStr?: string): string;

/**
 * The signed XML body for `POST /pay/refundquery`.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function buildRefundQuery(query: RefundQueryRequest, merchant: MerchantConfig, nonceStr?: string): string;

/**
 * The signed XML body for `POST /pay/unifiedorder` (`trade_type=JSAPI`). `nonceStr` defaults
 * to a fresh nonce.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `UNENCODABLE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function buildUnifiedOrder(order: UnifiedOrderRequest, merchant: MerchantConfig, nonceStr?: string): string;

/**
 * Decrypts a refund notify: `return_code`, `appid` / `mch_id`, then `req_info`
 * (AES-256-ECB under the MD5 of the API key).
 *
 * @throws {WxPayError} `DECRYPT_KEY_MISMATCH`, `BAD_PADDING`, `TRUNCATED_CIPHERTEXT`, `INVALID_BASE64`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `RETURN_FAIL`, XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 */
export function decryptRefundNotify(xml: string | Uint8Array, merchant: MerchantConfig): RefundNotify;

/**
 * Judges a verified payment report (v2: a `PaymentNotify` or an orderquery answer; v3: a
 * payment notify's `event` or a query's `Transaction`) against the stored order (`null`: no
 * order has its `outTradeNo`). `RECORD`: move the order to `PAID` with the report's
 * transaction in one conditional update from the status judged (`CLOSED` when `afterClose`,
 * flagged for a person), and acknowledge only once it is stored; if the update finds the
 * order moved on, read it again and judge again. `REFUSE`: change nothing and refuse with a
 * fixed message: `code` is for the log.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`; v2 also
 * `UNSUPPORTED_SIGN_TYPE`
 */
export function judgePayment(stored: StoredOrder | null, report: PaymentReport): PaymentVerdict;

/**
 * Judges a refund report (v2: a `RefundNotify`, or one refund of a refundquery answer with the
 * answer's `outTradeNo`, `transactionId` and `totalFee`; v3: a refund notify's `event` or a
 * `Refund` answer) against the stored refund (`null`: no refund has its `outRefundNo`).
 * `RECORD`: move the refund to `status` (with the report's `refundId`) in one conditional
 * update from the status judged, and acknowledge only once it is stored. `RECORD_UNKNOWN`: a
 * refund we did not start (made on the merchant platform): record it for a person, then
 * acknowledge. `ALREADY_RECORDED`, `STALE`: acknowledge. `REFUSE`: change nothing, refuse
 * with a fixed message.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
 */
export function judgeRefund(stored: StoredRefund | null, report: RefundReport): RefundVerdict;

/**
 * A fresh 32-character `[0-9A-Za-z]` nonce from `crypto.getRandomValues` (on Node 16 and 18,
 * which have no global `crypto`, the package's entry point lends it `node:crypto`'s).
 *
 * @throws {WxPayError} `RANDOM_UNAVAILABLE`
 */
export function nonceStr(): string;

/**
 * The reply to a payment or refund notify: `SUCCESS` stops WeChat's retries, `FAIL` asks for
 * one later. `ok` is `true` / `false`, or the word itself, `'SUCCESS'` / `'FAIL'` (a verdict's
 * `reply`); anything else is refused, never read as FAIL. `message` defaults to `OK` / `FAIL`.
 *
 * @throws {WxPayError} `UNENCODABLE`, `INVALID_ARGUMENT`
 */
export function notifyReply(ok: boolean | "SUCCESS" | "FAIL", message?: string): string;

/**
 * Checks WeChat's answer to closeorder (see `parseUnifiedOrderResponse`); `ORDERPAID` is a
 * `BUSINESS_ERROR`.
 *
 * @throws {WxPayError} as `parseUnifiedOrderResponse`
 */
export function parseCloseOrderResponse(xml: string | Uint8Array, merchant: MerchantConfig): CloseOrderResponse;

/**
 * Checks and reads WeChat's answer to orderquery (see `parseUnifiedOrderResponse`).
 *
 * @throws {WxPayError} as `parseUnifiedOrderResponse`
 */
export function parseOrderQueryResponse(xml: string | Uint8Array, merchant: MerchantConfig): OrderQueryResponse;

/**
 * Checks and reads WeChat's answer to refundquery, with the `_$n` fields as `refunds[n]`.
 *
 * @throws {WxPayError} as `parseUnifiedOrderResponse`
 */
export function parseRefundQueryResponse(xml: string | Uint8Array, merchant: MerchantConfig): RefundQueryResponse;

/**
 * Checks and reads WeChat's answer to refund: *accepted*, not yet refunded.
 *
 * @throws {WxPayError} as `parseUnifiedOrderResponse`
 */
export function parseRefundResponse(xml: string | Uint8Array, merchant: MerchantConfig): RefundResponse;

/**
 * Checks and reads WeChat's answer to unifiedorder: `return_code`, signature, `appid` /
 * `mch_id`, `result_code`, then `prepayId`.
 *
 * @throws {WxPayError} `RETURN_FAIL`, `BUSINESS_ERROR` (see `errCode`, `retryable`), `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, XML codes, `MISSING_FIELD`, `INVALID_ARGUMENT`
 */
export function parseUnifiedOrderResponse(xml: string | Uint8Array, merchant: MerchantConfig): UnifiedOrderResponse;

/**
 * The fields of a flat `<xml>` document, byte for byte. DOCTYPEs and entity declarations are
 * refused before anything is read (the XXE vector).
 *
 * @throws {WxPayError} `DOCTYPE_FORBIDDEN`, `UNKNOWN_ENTITY`, `NESTED_ELEMENT`, `DUPLICATE_KEY`, `NOT_UTF8`, `TOO_LARGE`, `UNEXPECTED_ROOT`, `MALFORMED_XML`, `INVALID_ARGUMENT`
 */
export function parseXml(xml: string | Uint8Array): Fields;

/**
 * The `wx.requestPayment` object `{ timeStamp, nonceStr, package, signType, paySign }`.
 * `timeStamp` defaults to now (seconds), `nonceStr` to a fresh nonce, `signType` to `MD5`
 * (it must be the order's).
 *
 * @throws {WxPayError} `INVALID_API_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_ARGUMENT`
 */
export function paymentParams(init: PaymentParamsInit): PaymentParams;

/**
 * The v2 signature of `params` (uppercase hex): over the non-empty fields other than `sign`,
 * in ASCII order, with `&key=<key>` appended.
 *
 * `signType` defaults to `params.sign_type`, else `MD5`. Numbers must be safe integers.
 *
 * @throws {WxPayError} `INVALID_API_KEY`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
 */
export function sign(params: Params, key: string, signType?: SignType): string;

/**
 * `<xml>…</xml>` of flat fields: digits as they are, other values in CDATA.
 *
 * @throws {WxPayError} `UNENCODABLE`, `INVALID_AMOUNT`, `INVALID_ARGUMENT`
 */
export function toXml(fields: Params): string;

/**
 * Verifies `params.sign` in constant time over every received field; returns the algorithm it
 * was signed with (`sign_type`, else the signature's length, else `signType`, else `MD5`).
 *
 * @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `UNSUPPORTED_SIGN_TYPE`, `INVALID_API_KEY`, `INVALID_ARGUMENT`
 */
export function verify(params: Params, key: string, signType?: SignType): SignType;

/**
 * Verifies a payment notify body (the string or raw bytes WeChat POSTed): flat XML without
 * DOCTYPE, `return_code`, the signature (MD5 or HMAC-SHA256, told by its length), `appid` and
 * `mch_id`. With `expectedTotalFee` the amount is compared too. Answer with `notifyReply`.
 *
 * @throws {WxPayError} `SIGNATURE_MISMATCH`, `MISSING_SIGNATURE`, `APPID_MISMATCH`, `MCHID_MISMATCH`, `AMOUNT_MISMATCH`, `RETURN_FAIL`, `DOCTYPE_FORBIDDEN` and the other XML codes, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 */
export function verifyPaymentNotify(xml: string | Uint8Array, merchant: MerchantConfig, expectedTotalFee?: number): PaymentNotify;
