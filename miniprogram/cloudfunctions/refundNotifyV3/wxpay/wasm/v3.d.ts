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



/** Seconds since the Unix epoch, a JS number (not milliseconds, not a BigInt). */
export type UnixSeconds = number;

/** Seconds where WeChat writes them as text (`timeStamp`, the `Wechatpay-Timestamp` header): a number, or a string of digits. */
export type UnixSecondsText = UnixSeconds | string;

/** A PEM file's text, or its bytes as read (`fs.readFileSync(path)`, a `Buffer`). */
export type Pem = string | Uint8Array;

/** A signature made elsewhere: its bytes, or their base64. */
export type Signature = Uint8Array | string;

/** An amount in integer fen (分): a safe integer, or a string of digits. Never a fraction. */
export type Fen = number | string;

/** Who we are to WeChat Pay v3. WeChat's names (`appid`, `mchid`, `serial_no`) are accepted too. */
export type MerchantConfig = {
    appId: string;
    mchId: string;
    /** 商户API证书序列号: the merchant API certificate's serial number, hex. */
    serialNo: string;
    /** Default `https://api.mch.weixin.qq.com`; e.g. the backup `https://api2.mch.weixin.qq.com`. */
    apiBase?: string;
} & (
| {
    /** `apiclient_key.pem` (PKCS#8), its text or its bytes. Parsed once; it never leaves WebAssembly. */
    privateKey: Pem;
    sign?: undefined;
}
| {
    /**
     * Signs in the caller instead: SHA256withRSA (PKCS#1 v1.5) over `message`, returned as bytes or base64, e.g.
     * `(m) => crypto.sign('sha256', m, keyObject)`. It may be async (a KMS, an HSM): then every signing method of the
     * merchant returns a Promise of its result (type the merchant as `AsyncMerchant`: `new Merchant(config) as unknown as AsyncMerchant`), and what the Promise rejects
     * with reaches the caller unchanged, as what a synchronous `sign` throws does.
     */
    sign: (message: Uint8Array) => Signature | PromiseLike<Signature>;
    privateKey?: undefined;
}
);

/** What a request is signed with; default: now, and a fresh nonce. */
export interface SignOptions {
    timestamp?: UnixSecondsText;
    nonceStr?: string;
    /** The WeChat key the answer is to be signed with, sent as `Wechatpay-Serial`: `keys.requestSerial()`. */
    wechatpaySerial?: string;
}

export interface AuthorizationInit {
    timestamp?: UnixSecondsText;
    nonceStr?: string;
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    /** From `/v3/…`, with the query string, exactly as requested. */
    pathAndQuery: string;
    /** Exactly the bytes sent; none for a GET. */
    body?: string;
}

/** A signed request: `fetch(r.url, r)` sends it as signed. */
export interface SignedRequest {
    method: "GET" | "POST";
    url: string;
    pathAndQuery: string;
    /** The JSON text that was signed; absent for a GET (fetch refuses a body there). */
    body?: string;
    /** The `Authorization` header. */
    authorization: string;
    headers: { Authorization: string; Accept: "application/json"; "Content-Type"?: "application/json"; "Wechatpay-Serial"?: string };
}

/** A sensitive field encrypted (RSA-OAEP) to WeChat's key: send `ciphertext`, with `wechatpaySerial` as the request's `Wechatpay-Serial`. */
export interface EncryptedField {
    wechatpaySerial: string;
    ciphertext: string;
}

/** 发起异常退款: the money of a refund in `ABNORMAL` to the payer's card or the merchant's. */
export type AbnormalRefund = {
    refundId: string;
    outRefundNo: string;
} & (
| {
    type: "USER_BANK_CARD";
    /** WeChat's bank code, e.g. `ICBC_DEBIT`. */
    bankType: string;
    /** `keys.encryptSensitive(cardNumber)`. */
    bankAccount: EncryptedField;
    /** `keys.encryptSensitive(name)`. */
    realName: EncryptedField;
    wechatpaySerial?: string;
}
| { type: "MERCHANT_BANK_CARD"; /** `keys.requestSerial()`. */ wechatpaySerial: string }
);

/** 申请交易账单. */
export interface TradeBillInit {
    /** `YYYY-MM-DD`; a day's bill exists from about 09:00 of the next day. */
    billDate: string;
    /** Default `ALL`. */
    billType?: "ALL" | "SUCCESS" | "REFUND";
    tarType?: "GZIP";
}

/** 申请资金账单. */
export interface FundFlowBillInit {
    billDate: string;
    /** Default `BASIC`. */
    accountType?: "BASIC" | "OPERATION" | "FEES";
    tarType?: "GZIP";
}

/** WeChat's (verified) answer to a bill request. */
export interface BillResponse {
    hashType: string;
    /** The SHA-1 of the bill's text (after gzip is undone), hex. */
    hashValue: string;
    /** Valid for 30 seconds: `merchant.buildBillDownload(bill)`. */
    downloadUrl: string;
}

export interface OpenBillOptions {
    /** `'GZIP'` when the bill was asked for with `tarType: 'GZIP'`. */
    tarType?: "GZIP";
    /** The most bytes of text to accept (default 256 MiB); less in a small cloud function. */
    limit?: number;
}

/** One row of a trade bill; amounts in fen, `fee` in 0.00001 yuan (as printed, negative on refunds); an empty column is left out. */
export interface TradeBillRow {
    tradeTime: string; appId: string; mchId: string; subMchid?: string; deviceInfo?: string;
    transactionId: string; outTradeNo: string; openid: string; tradeType: string; tradeState: string;
    bankType?: string; currency: string; settlementTotal: number; coupon?: number;
    refundId?: string; outRefundNo?: string; refund?: number; rechargeCouponRefund?: number;
    refundType?: string; refundStatus?: string; description: string; attach?: string;
    fee: number; feeRate?: string; total?: number; refundRequested?: number; feeRateNote?: string;
    /** Columns this version does not know: `[header, value]`, in file order. */
    extra: [string, string][];
}

export interface TradeBill {
    rows: TradeBillRow[];
    /** Checked against the rows. */
    summary: {
        rows: number; settlementTotal: number; refund?: number; rechargeCouponRefund?: number;
        fee?: number; total?: number; refundRequested?: number;
    };
}

export interface FundFlowRow {
    bookedAt: string; businessId: string; flowId: string; businessName: string; businessType: string;
    direction: "收入" | "支出"; amount: number; balance: number; applicant?: string; memo?: string;
    voucherNo?: string; extra: [string, string][];
}

export interface FundFlowBill {
    rows: FundFlowRow[];
    /** Checked against the rows. */
    summary: { rows: number; incomeRows: number; income: number; expenseRows: number; expense: number };
}

/** What `KeyStore#ingestCertificates` did. */
export interface KeyStoreRefresh {
    /** `noCertificates`: WeChat answered 404 (this merchant verifies with the WeChat Pay public key). */
    result: "updated" | "noCertificates";
    added: string[];
    dropped: string[];
}

/** What to do about a `Wechatpay-Serial` the store does not hold. */
export interface DownloadAdvice {
    advice: "download" | "alreadyDownloaded" | "noCertificates" | "configurePublicKey" | "held";
    /** With `alreadyDownloaded`: from when an unknown serial may cause a download again. */
    nextAllowed?: UnixSeconds;
}

/** JSAPI下单 for a mini-program payer. */
export interface JsapiOrder {
    /** 商品描述, at most 127 bytes. */
    description: string;
    /** 6 to 32 of `0-9 a-z A-Z _ - *`. */
    outTradeNo: string;
    /** At least 1 fen. */
    total: Fen;
    /** HTTPS, no query string. */
    notifyUrl: string;
    /** The payer's openid under this appId. */
    openid: string;
    attach?: string;
    /** `yyyy-MM-DDTHH:mm:ss+08:00`. */
    timeExpire?: string;
    goodsTag?: string;
}

/** Which payment: WeChat's `transactionId` or the merchant's `outTradeNo`. */
export type TradeRef =
| { transactionId: string; outTradeNo?: undefined }
| { outTradeNo: string; transactionId?: undefined };

/** 退款申请; the same `outRefundNo` refunds once. */
export type CreateRefund = TradeRef & {
    outRefundNo: string;
    /** At least 1 fen, at most `total`. */
    refund: Fen;
    /** The order's total. */
    total: Fen;
    reason?: string;
    notifyUrl?: string;
};

export interface PaymentParamsInit {
    prepayId: string;
    /** Default: now. A string of digits too, as `paymentParams` returns it. */
    timeStamp?: UnixSecondsText;
    /** Default: a fresh nonce. */
    nonceStr?: string;
}

/** Exactly the object `wx.requestPayment` takes (`appId` is signed, not passed). */
export interface PaymentParams {
    timeStamp: string;
    nonceStr: string;
    /** `prepay_id=<id>`. */
    package: string;
    signType: "RSA";
    paySign: string;
}

/** A fetch `Headers` (or anything with `get`), a `Map`, or a plain object such as `node:http`'s `req.headers` (an array value holds one string). */
export type HeadersLike =
| { get(name: string): string | null | undefined }
| Map<string, string | string[] | undefined>
| Record<string, string | string[] | undefined>;

/** WeChat's answer: the body exactly as received (`Buffer.from(await res.arrayBuffer())`), never re-serialised JSON. */
export interface WeChatResponse {
    status: number;
    headers: HeadersLike;
    body: string | Uint8Array;
}

export interface KeySetInit {
    /** The 32-byte APIv3 key (APIv3密钥), for notifies and the certificate download. */
    apiV3Key?: string;
    /** The WeChat Pay public key by its id: `{ "PUB_KEY_ID_…": pem }`. */
    publicKeys?: Record<string, Pem>;
    /** Platform certificates (PEM). */
    certificates?: Pem[];
}

export interface PrepayResponse {
    /** Valid for two hours; pass it to `paymentParams`. */
    prepayId: string;
}

/** `tradeState`; a value WeChat adds later comes through as its string. */
export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR" | (string & {});

/** A payment, from a query or a payment notify. Only `tradeState === "SUCCESS"` is paid. */
export interface Transaction {
    appId: string;
    mchId: string;
    outTradeNo: string;
    transactionId?: string;
    tradeType?: string;
    tradeState: TradeState;
    tradeStateDesc: string;
    bankType?: string;
    attach?: string;
    /** RFC 3339. */
    successTime?: string;
    payer?: { openid: string };
    amount: {
        /** Compare with the order before marking it paid. */
        total: number;
        payerTotal?: number;
        currency: string;
        payerCurrency?: string;
    };
}

/** `status` / `refundStatus`; a value WeChat adds later comes through as its string. */
export type RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL" | (string & {});

export interface RefundAmount {
    total: number;
    refund: number;
    payerTotal?: number;
    payerRefund?: number;
    settlementRefund?: number;
    settlementTotal?: number;
    discountRefund?: number;
    currency?: string;
}

/** A refund, from `buildRefund`'s or `buildRefundQuery`'s answer. */
export interface Refund {
    refundId: string;
    outRefundNo: string;
    transactionId: string;
    outTradeNo: string;
    channel?: string;
    userReceivedAccount?: string;
    successTime?: string;
    createTime?: string;
    status: RefundStatus;
    fundsAccount?: string;
    amount: RefundAmount;
}

/** The resource of a refund notify (`refundStatus` here, `status` in a query). */
export interface RefundNotice {
    mchId: string;
    outTradeNo: string;
    transactionId: string;
    outRefundNo: string;
    refundId: string;
    refundStatus: RefundStatus;
    successTime?: string;
    userReceivedAccount?: string;
    amount: RefundAmount;
}

export type NotifyEvent = ({ kind: "payment" } & Transaction) | ({ kind: "refund" } & RefundNotice);

/** A verified, decrypted notify. `id` is the same across WeChat's retries. */
export interface Notification {
    id: string;
    createTime: string;
    /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
    eventType: string;
    summary: string;
    event: NotifyEvent;
}

export interface EncryptedResource {
    algorithm: string;
    ciphertext: string;
    nonce: string;
    associatedData?: string;
    originalType?: string;
}

export interface DownloadedCertificate {
    serialNo: string;
    effectiveTime: string;
    expireTime: string;
    notBefore: UnixSeconds;
    notAfter: UnixSeconds;
    pem: string;
}

/**
 * A `Merchant` whose `sign` is async: each signing method returns a Promise of what it returns with a synchronous one.
 * The class declares the synchronous results, so say which it is: `new Merchant(config) as unknown as AsyncMerchant`.
 */
export interface AsyncMerchant {
    readonly appId: string;
    readonly mchId: string;
    readonly serialNo: string;
    readonly apiBase: string;
    buildAuthorization(request: AuthorizationInit): Promise<string>;
    paymentParams(init: PaymentParamsInit): Promise<PaymentParams>;
    buildJsapiPrepay(order: JsapiOrder, options?: SignOptions): Promise<SignedRequest>;
    buildQueryByOutTradeNo(query: { outTradeNo: string }, options?: SignOptions): Promise<SignedRequest>;
    buildQueryByTransactionId(query: { transactionId: string }, options?: SignOptions): Promise<SignedRequest>;
    buildCloseOrder(close: { outTradeNo: string }, options?: SignOptions): Promise<SignedRequest>;
    buildRefund(refund: CreateRefund, options?: SignOptions): Promise<SignedRequest>;
    buildRefundQuery(query: { outRefundNo: string }, options?: SignOptions): Promise<SignedRequest>;
    buildDownloadCertificates(options?: SignOptions): Promise<SignedRequest>;
    buildAbnormalRefund(refund: AbnormalRefund, options?: SignOptions): Promise<SignedRequest>;
    buildTradeBill(bill: TradeBillInit, options?: SignOptions): Promise<SignedRequest>;
    buildFundFlowBill(bill: FundFlowBillInit, options?: SignOptions): Promise<SignedRequest>;
    buildBillDownload(bill: BillResponse, options?: SignOptions): Promise<SignedRequest>;
    decryptSensitive(ciphertext: string): string;
    free(): void;
}

export type ErrorCode =
| "INVALID_AMOUNT" | "SIGNATURE_MISMATCH" | "MISSING_FIELD" | "INVALID_FIELD" | "NOT_UTF8"
| "TRUNCATED_CIPHERTEXT" | "INVALID_KEY" | "INVALID_CERTIFICATE" | "SIGNATURE_PROBE"
| "UNKNOWN_SERIAL" | "TIMESTAMP_SKEW" | "CERTIFICATE_EXPIRED" | "AEAD_TAG_MISMATCH"
| "UNSUPPORTED_ALGORITHM" | "MALFORMED_JSON" | "API_ERROR" | "RANDOM_UNAVAILABLE" | "INVALID_ARGUMENT"
| "NO_WECHATPAY_KEY" | "OAEP_DECRYPT_FAILED" | "INVALID_KEY_STORE" | "BILL_HASH_MISMATCH" | "INVALID_GZIP" | "TOO_LARGE";

/**
 * Every function throws this (except what a caller's own `sign` throws, rethrown as it was), whatever it is given:
 * a value of the wrong type is `INVALID_ARGUMENT`, and so is an argument whose getter or Proxy throws while it is
 * read, with what it threw as `cause`.
 */
export interface WxPayError extends Error {
    code: ErrorCode;
    /** WeChat's `code` (e.g. `PARAM_ERROR`, `ORDER_NOT_EXIST`) when `code` is `API_ERROR`. */
    errCode?: string;
    /** The HTTP status of an `API_ERROR`. */
    status?: number;
    /** WeChat's `detail` of an `API_ERROR`, as sent (e.g. which field). */
    detail?: unknown;
    /** Whether WeChat asks for the same request again (`SYSTEM_ERROR`, `FREQUENCY_LIMITED`). */
    retryable: boolean;
    /** With `INVALID_ARGUMENT`: what the caller's own getter or Proxy threw while the argument was read. */
    cause?: unknown;
}



/** The sign type a stored order was placed with: v3 has one. */
export type StoredSignType = "RSA";

/** What `judgePayment` reads: a payment notify's `event` (`openNotification`) or a query's `Transaction` (`parseTransactionResponse`). */
export type PaymentReport = Transaction & { kind?: "payment" };

/** What `judgeRefund` reads: a refund notify's `event` (`openNotification`) or a `Refund` (`parseRefundResponse`). `ABNORMAL` is judged as `CHANGE`. */
export type RefundReport = (RefundNotice & { kind?: "refund" }) | Refund;



/** What a `SIGN_ERROR` says about the request signed (`diagnoseSignError`). */
export type SignDiagnosis =
| { kind: "lineDiffers"; line: "method" | "path" | "timestamp" | "nonce" | "body"; expected: string; signed: string; offset: number }
| { kind: "lengthDiffers"; expected: number; signed: number }
| { kind: "sameMessage" };



/**
 * What reads WeChat's messages: WeChat's keys (the WeChat Pay public key `PUB_KEY_ID_…`,
 * platform certificates, or both, chosen by `Wechatpay-Serial`) and the APIv3 key that
 * decrypts notifies and the certificate download. Parsed once; the APIv3 key stays inside
 * WebAssembly and no getter returns it.
 */
export class KeySet {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds a platform certificate (PEM) and returns its serial number.
     *
     * @throws {WxPayError} `INVALID_CERTIFICATE`
     */
    addCertificate(pem: Pem): string;
    /**
     * WeChat's answer to `buildDownloadCertificates`: decrypts the platform certificates with
     * the APIv3 key, verifies the answer with the keys held plus these (a first download is
     * signed by a certificate it carries), and only then adds them; returns them.
     *
     * @throws {WxPayError} `API_ERROR` (404: this merchant has the WeChat Pay public key instead), `AEAD_TAG_MISMATCH`, `INVALID_CERTIFICATE`, the codes of `verifySignature`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`), `INVALID_ARGUMENT`
     */
    addDownloadedCertificates(response: WeChatResponse, now?: UnixSeconds): DownloadedCertificate[];
    /**
     * Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
     *
     * @throws {WxPayError} `INVALID_KEY`
     */
    addPublicKey(id: string, pem: Pem): void;
    /**
     * A sensitive field (敏感信息, e.g. a name or a bank account) encrypted with RSA-OAEP to the
     * key `requestSerial` names; send the request with that `wechatpaySerial`.
     *
     * @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_FIELD` (too long for one RSA block), `INVALID_KEY`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`
     */
    encryptSensitive(text: string, now?: UnixSeconds): EncryptedField;
    /**
     * `new KeySet({ apiV3Key, publicKeys: { [PUB_KEY_ID_…]: pem }, certificates: [pem] })`,
     * each part optional.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
     */
    constructor(init?: KeySetInit);
    /**
     * A payment or refund notify: verified (as `verifySignature`), then decrypted with the
     * APIv3 key into a typed event. Store the change, then answer 200 or 204; answer a 4xx or
     * 5xx to anything this throws (WeChat retries).
     *
     * @throws {WxPayError} the codes of `verifySignature`, `AEAD_TAG_MISMATCH`, `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `MALFORMED_JSON`, `MISSING_FIELD` (`apiV3Key`)
     */
    openNotification(headers: HeadersLike, body: string | Uint8Array, now?: UnixSeconds): Notification;
    /**
     * WeChat's answer to `buildTradeBill` or `buildFundFlowBill`: verified, then
     * `{ hashType, hashValue, downloadUrl }`.
     *
     * @throws {WxPayError} `API_ERROR` (e.g. `NO_STATEMENT_EXIST` before about 09:00 of the next day), the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
     */
    parseBillResponse(response: WeChatResponse, now?: UnixSeconds): BillResponse;
    /**
     * WeChat's answer to `buildCloseOrder`: 204, verified; nothing to return.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     */
    parseCloseOrderResponse(response: WeChatResponse, now?: UnixSeconds): void;
    /**
     * WeChat's answer to `buildJsapiPrepay`: verified, then `{ prepayId }`. A 4xx/5xx answer
     * throws `API_ERROR` with WeChat's code in `errCode`.
     *
     * @throws {WxPayError} `API_ERROR`, the codes of `verifySignature`, `MALFORMED_JSON`, `INVALID_ARGUMENT`
     */
    parseJsapiPrepayResponse(response: WeChatResponse, now?: UnixSeconds): PrepayResponse;
    /**
     * WeChat's answer to `buildRefund` or `buildRefundQuery`: verified, then the typed refund.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     */
    parseRefundResponse(response: WeChatResponse, now?: UnixSeconds): Refund;
    /**
     * WeChat's answer to either order query: verified, then the typed payment.
     *
     * @throws {WxPayError} as `parseJsapiPrepayResponse`
     */
    parseTransactionResponse(response: WeChatResponse, now?: UnixSeconds): Transaction;
    /**
     * The `Wechatpay-Serial` to send on a request (`options.wechatpaySerial` of the `build…`
     * methods): WeChat signs its answer with the key it names. The WeChat Pay public key when
     * the set has one (during the move from platform certificates, answers follow this header
     * at once), else the newest platform certificate valid at `now`.
     *
     * @throws {WxPayError} `NO_WECHATPAY_KEY`, `INVALID_ARGUMENT`
     */
    requestSerial(now?: UnixSeconds): string;
    /**
     * Verifies WeChat's signature on an answer or a notify, over the body exactly as received:
     * refuses a `WECHATPAY/SIGNTEST/` probe, a timestamp more than 5 minutes from `now`
     * (seconds; default the clock), an unknown serial, an expired certificate, a wrong
     * signature.
     *
     * @throws {WxPayError} `SIGNATURE_MISMATCH`, `SIGNATURE_PROBE`, `TIMESTAMP_SKEW`, `UNKNOWN_SERIAL`, `CERTIFICATE_EXPIRED`, `MISSING_FIELD` (a header), `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    verifySignature(headers: HeadersLike, body: string | Uint8Array, now?: UnixSeconds): void;
    /**
     * The `Wechatpay-Serial` values this set verifies: public-key ids and certificate serials.
     */
    readonly serials: string[];
}

/**
 * WeChat's verification keys and the bookkeeping of their downloads:
 * `new KeyStore()` or `new KeyStore(savedJson)` (checked as a whole: a tampered or truncated
 * store is refused). It holds no secret; save `toJson()` after every call that changes it.
 */
export class KeyStore {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds a platform certificate (PEM) and returns its serial number.
     *
     * @throws {WxPayError} `INVALID_CERTIFICATE`, `INVALID_ARGUMENT`
     */
    addCertificate(pem: Pem): string;
    /**
     * Adds the WeChat Pay public key (`pub_key.pem`) under its id, `PUB_KEY_ID_…` in full.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
     */
    addPublicKey(id: string, pem: Pem): void;
    /**
     * WeChat's answer to `Merchant#buildDownloadCertificates`, taken in: verified with the keys
     * held (a first download by a certificate it carries), decrypted with the APIv3 key, new
     * certificates added, expired ones dropped. A 404 is recorded as "no certificates". Any
     * other answer, or one that fails a check, changes nothing.
     *
     * @throws {WxPayError} `API_ERROR`, `UNKNOWN_SERIAL`, the codes of `KeySet#verifySignature`, `AEAD_TAG_MISMATCH` (the wrong APIv3 key), `INVALID_CERTIFICATE`, `MALFORMED_JSON`, `INVALID_KEY`, `INVALID_ARGUMENT`
     */
    ingestCertificates(response: WeChatResponse, apiV3Key: string, now?: UnixSeconds): KeyStoreRefresh;
    /**
     * A `KeySet` with the store's keys as they are now (and the APIv3 key, for notifies), to
     * verify answers and notifies with.
     *
     * @throws {WxPayError} `INVALID_KEY`, `INVALID_ARGUMENT`
     */
    keySet(apiV3Key?: string): KeySet;
    /**
     * An empty store, or the one `saved` (a `toJson()` string) holds.
     *
     * @throws {WxPayError} `INVALID_KEY_STORE`, `INVALID_ARGUMENT`
     */
    constructor(saved?: string);
    /**
     * What to do about a `Wechatpay-Serial` the store does not hold (`UNKNOWN_SERIAL`):
     * `{ advice: 'download' }` at most once per interval, shared by every instance through the
     * saved store; otherwise `alreadyDownloaded` (with `nextAllowed`), `noCertificates`,
     * `configurePublicKey` (an unknown `PUB_KEY_ID_…`: never downloaded, it comes from the
     * merchant platform) or `held`.
     *
     * @throws {WxPayError} `INVALID_ARGUMENT`
     */
    onUnknownSerial(serial: string, now?: UnixSeconds): DownloadAdvice;
    /**
     * Whether `/v3/certificates` should be downloaded now: every 12 hours while there are
     * platform certificates, hourly near the newest one's expiry, never for a merchant with
     * only the WeChat Pay public key.
     *
     * @throws {WxPayError} `INVALID_ARGUMENT`
     */
    refreshDue(now?: UnixSeconds): boolean;
    /**
     * The store as JSON, to save in the database (public keys and certificates only).
     */
    toJson(): string;
    /**
     * When the next download is due (Unix seconds), or `undefined` when never.
     */
    readonly nextRefresh: number | undefined;
}

/**
 * Who we are to WeChat Pay v3: `new Merchant({ appId, mchId, serialNo, privateKey })`. The
 * private key (`apiclient_key.pem`'s text) is parsed once and stays inside WebAssembly; no
 * getter returns it. With `sign` instead of `privateKey`, the caller signs (`node:crypto`
 * signs about ten times faster than RSA in WebAssembly: BENCHMARKS.md).
 */
export class Merchant {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * 发起异常退款, for a refund in `ABNORMAL`: `POST /v3/refund/domestic/refunds/{refundId}/apply-abnormal-refund`.
     * `bankAccount` and `realName` are what `keys.encryptSensitive(text)` gave (never the text:
     * a plaintext is refused), and the request carries their key as `Wechatpay-Serial`. Read
     * the answer with `KeySet#parseRefundResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildAbnormalRefund(refund: AbnormalRefund, options?: SignOptions): SignedRequest;
    /**
     * The `Authorization` header of any v3 request: `method`, `pathAndQuery` (from `/v3/…`,
     * with the query string) and `body` exactly as sent (none for a GET). `timestamp` defaults
     * to now (seconds), `nonceStr` to a fresh one.
     *
     * @throws {WxPayError} `INVALID_FIELD`, `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildAuthorization(request: AuthorizationInit): string;
    /**
     * The signed `GET` of a bill's `downloadUrl` (valid for 30 seconds). Its answer is the
     * file, not signed: open it with `openTradeBill` / `openFundFlowBill`, which check its SHA-1.
     * The URL must be on this merchant's `apiBase` (api.mch.weixin.qq.com unless another was
     * given, such as wxpay-sim's): the signed request is sent nowhere else.
     *
     * @throws {WxPayError} `INVALID_FIELD` (a URL not on `apiBase`), `MISSING_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildBillDownload(bill: BillResponse, options?: SignOptions): SignedRequest;
    /**
     * 关闭订单: `POST /v3/pay/transactions/out-trade-no/{outTradeNo}/close`. WeChat answers
     * 204; read it with `KeySet#parseCloseOrderResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildCloseOrder(close: { outTradeNo: string }, options?: SignOptions): SignedRequest;
    /**
     * 下载平台证书: `GET /v3/certificates`. Read the answer with
     * `KeySet#addDownloadedCertificates`. (Merchants registered since late 2024 have the
     * WeChat Pay public key instead, and get 404.)
     *
     * @throws {WxPayError} `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildDownloadCertificates(options?: SignOptions): SignedRequest;
    /**
     * 申请资金账单: `GET /v3/bill/fundflowbill?bill_date=…` (`accountType` `BASIC` by default).
     *
     * @throws {WxPayError} as `buildTradeBill`
     */
    buildFundFlowBill(bill: FundFlowBillInit, options?: SignOptions): SignedRequest;
    /**
     * JSAPI下单: `POST /v3/pay/transactions/jsapi`, signed. Read the answer with
     * `KeySet#parseJsapiPrepayResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildJsapiPrepay(order: JsapiOrder, options?: SignOptions): SignedRequest;
    /**
     * 查询订单 by the merchant's order number: `GET /v3/pay/transactions/out-trade-no/{outTradeNo}?mchid=…`.
     * Read the answer with `KeySet#parseTransactionResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildQueryByOutTradeNo(query: { outTradeNo: string }, options?: SignOptions): SignedRequest;
    /**
     * 查询订单 by WeChat's order number: `GET /v3/pay/transactions/id/{transactionId}?mchid=…`.
     * Read the answer with `KeySet#parseTransactionResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildQueryByTransactionId(query: { transactionId: string }, options?: SignOptions): SignedRequest;
    /**
     * 查询单笔退款: `GET /v3/refund/domestic/refunds/{outRefundNo}`. Read the answer with
     * `KeySet#parseRefundResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildRefundQuery(query: { outRefundNo: string }, options?: SignOptions): SignedRequest;
    /**
     * 退款申请: `POST /v3/refund/domestic/refunds`. The answer (`KeySet#parseRefundResponse`)
     * is usually `PROCESSING`: the final state comes from the refund notify or a query.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_AMOUNT`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildRefund(refund: CreateRefund, options?: SignOptions): SignedRequest;
    /**
     * 申请交易账单: `GET /v3/bill/tradebill?bill_date=…` (`billType` `ALL` by default,
     * `tarType: 'GZIP'` for a compressed file). Read the answer with `KeySet#parseBillResponse`.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD` (not a calendar day), `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    buildTradeBill(bill: TradeBillInit, options?: SignOptions): SignedRequest;
    /**
     * A sensitive field of WeChat's answer, decrypted with the merchant's private key. Only
     * for answers already verified (`KeySet#parse…`): see the core's note on RSA decryption.
     * A merchant made with `sign` instead of `privateKey` cannot decrypt.
     *
     * @throws {WxPayError} `OAEP_DECRYPT_FAILED`, `TRUNCATED_CIPHERTEXT`, `INVALID_FIELD` (not base64), `NOT_UTF8`, `MISSING_FIELD` (`privateKey`), `INVALID_ARGUMENT`
     */
    decryptSensitive(ciphertext: string): string;
    /**
     * @throws {WxPayError} `INVALID_KEY`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
     */
    constructor(config: MerchantConfig);
    /**
     * The object `wx.requestPayment` takes for a JSAPI `prepayId`: `{ timeStamp, nonceStr,
     * package, signType: "RSA", paySign }`. `timeStamp` defaults to now (seconds), `nonceStr`
     * to a fresh one.
     *
     * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `RANDOM_UNAVAILABLE`, `INVALID_ARGUMENT`, or what `sign` threw
     */
    paymentParams(init: PaymentParamsInit): PaymentParams;
    /**
     * Where requests go: `https://api.mch.weixin.qq.com` unless `apiBase` was given.
     */
    readonly apiBase: string;
    /**
     * The mini-program's AppID.
     */
    readonly appId: string;
    /**
     * The merchant number.
     */
    readonly mchId: string;
    /**
     * The merchant API certificate's serial number.
     */
    readonly serialNo: string;
}

/**
 * Decrypts an `AEAD_AES_256_GCM` resource (`{ algorithm, ciphertext, nonce, associatedData }`,
 * as in a notify or the certificate download) with the APIv3 key, to its text. Prefer
 * `KeySet#openNotification` for notifies: it verifies before it decrypts.
 *
 * @throws {WxPayError} `AEAD_TAG_MISMATCH` (usually the wrong APIv3 key), `TRUNCATED_CIPHERTEXT`, `UNSUPPORTED_ALGORITHM`, `INVALID_FIELD`, `NOT_UTF8`, `INVALID_KEY`, `MISSING_FIELD`, `INVALID_ARGUMENT`
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string;

/**
 * What WeChat's `SIGN_ERROR` answer (`answer`, its body as received) says about the request
 * signed (`request`: `method`, `pathAndQuery`, `body`, `timestamp` and `nonceStr`, as given to
 * `buildAuthorization` or to a `build…` call): `lineDiffers` with the line, WeChat's and ours;
 * `lengthDiffers`; or `sameMessage` (the private key is not the one of the serial). `null` when
 * the answer is not a `SIGN_ERROR` carrying `detail.sign_information`.
 *
 * @throws {WxPayError} `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 */
export function diagnoseSignError(answer: string | Uint8Array, request: AuthorizationInit): SignDiagnosis | null;

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
 * A downloaded fund flow bill, checked and read as `openTradeBill` does.
 *
 * @throws {WxPayError} as `openTradeBill`
 */
export function openFundFlowBill(bill: BillResponse, bytes: Uint8Array, options?: OpenBillOptions): FundFlowBill;

/**
 * A downloaded trade bill: its SHA-1 checked against `bill.hashValue` (of the text, after gzip
 * is undone when `options.tarType` is `'GZIP'`), then read into `{ rows, summary }`, amounts in
 * fen, the summary checked against the rows. Nothing is returned from a file that fails a check.
 *
 * @throws {WxPayError} `BILL_HASH_MISMATCH`, `INVALID_GZIP`, `TOO_LARGE` (over `options.limit` bytes, default 256 MiB), `NOT_UTF8`, `MISSING_FIELD`, `INVALID_FIELD`, `INVALID_ARGUMENT`
 */
export function openTradeBill(bill: BillResponse, bytes: Uint8Array, options?: OpenBillOptions): TradeBill;
