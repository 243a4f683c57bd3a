//! # WeChat Pay API v3
//!
//! The same pure core for v3: RSA request signatures and the `Authorization` header,
//! verification of WeChat's responses and notifies against platform certificates and/or the
//! WeChat Pay public key (`PUB_KEY_ID_…`), AES-256-GCM notify resources, `paySign` with
//! `signType: "RSA"`, and typed JSON messages. No I/O: the time and nonces are passed in.
//!
//! Keys go in as PEM text. With the feature `v3` (the default), RSA and AES-GCM are ring's:
//! constant-time, blinded private-key operations (see BENCHMARKS.md for why ring and not the
//! `rsa` crate). The one exception is RSA-OAEP for sensitive fields, which ring lacks:
//! RustCrypto's `rsa` ([`SensitiveText`], [`FieldEncryptor`], [`MerchantKey::decrypt_sensitive`],
//! with the caveat noted there). Built with `v3-rules` alone, the same code asks a host for those
//! primitives ([`crypto`]): the wasm package hands them to `node:crypto`.
//!
//! Every request names the WeChat key its answer is to be signed with (`Wechatpay-Serial`),
//! chosen from the [`KeySet`] ([`KeySet::request_serial`]: the WeChat Pay public key if held,
//! else the newest valid platform certificate). A `SIGN_ERROR` answer says which line of the
//! signed message WeChat saw differently ([`SignInformation::diagnose`]).
//!
//! ```
//! use wxpay::v3::{ApiV3Key, JsapiOrderRequest, KeySet, Merchant, MerchantKey, SignatureHeaders};
//! use wxpay::Fen;
//! # let (merchant_pem, wechat_pub_pem) = (
//! #     include_str!("../../tests/data/v3_test_merchant_key.pem"),
//! #     include_str!("../../tests/data/v3_test_wechatpay_public_key.pem"));
//!
//! let merchant = Merchant::new("wx2421b1c4370ec43b", "1900000109",
//!     "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", MerchantKey::from_pem(merchant_pem)?)?;
//!
//! // WeChat's keys: the WeChat Pay public key (new merchants), platform certificates, or both.
//! let mut keys = KeySet::new();
//! keys.add_public_key("PUB_KEY_ID_0119000001202611230000000000000000", wechat_pub_pem)?;
//! let api_v3_key = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv")?;
//!
//! // JSAPI下单: validated, serialised and signed; send it with any HTTP client, with the
//! // headers `Authorization` and `Wechatpay-Serial`.
//! let order = JsapiOrderRequest::new("咖啡", "20261123000001", Fen::new(1200),
//!     "https://shop.example.com/wxpay/v3/notify", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
//! let request = merchant.sign_request_with_keys(&keys, &order, 1_795_000_000, "593BEC0C930BF1AFEB40B4A08C8FB242")?;
//! assert_eq!(request.url(), "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi");
//! assert!(request.authorization.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\""));
//! assert_eq!(request.wechatpay_serial.as_deref(), Some("PUB_KEY_ID_0119000001202611230000000000000000"));
//!
//! // A SIGN_ERROR answer: which line WeChat verified differently.
//! // if let Some(info) = wxpay::v3::SignInformation::from_error(&error) { log(info.diagnose(&request)) }
//!
//! // The answer: verified over the exact bytes, then typed.
//! // let prepay = wxpay::v3::read_response::<JsapiOrderRequest>(&keys, status, &headers, &body, now)?;
//! // let pay = merchant.payment_params(&prepay.prepay_id, now, &wxpay::nonce_str()?)?;
//!
//! // A notify: verified, then decrypted.
//! // let headers = SignatureHeaders::from_pairs(request_headers);
//! // let notify = keys.open_notification(&api_v3_key, &headers, &body, now)?;
//! # let _ = (api_v3_key, SignatureHeaders::default());
//! # Ok::<(), wxpay::Error>(())
//! ```

pub mod bill;
mod certificate;
pub mod crypto;
mod jsapi;
mod key_store;
mod keys;
mod merchant;
mod messages;
mod notify;
mod platform_certificate;
mod request;
mod resource;
mod sensitive;
mod sign;
mod sign_error;
mod verify;
mod wechatpay_serial;

pub use bill::{
    AccountType, BillDownloadRequest, BillResponse, Fee, FlowDirection, FundFlowBill, FundFlowBillRequest, FundFlowRow, FundFlowSummary,
    TarType, TradeBill, TradeBillRequest, TradeBillRow, TradeBillSummary, TradeBillType, MAX_BILL_BYTES,
};
pub use certificate::{CertificatesResponse, DownloadCertificatesRequest, DownloadedCertificate, EncryptedCertificate};
pub use jsapi::{pay_sign_message, PaymentParams};
pub use key_store::{
    DownloadAdvice, KeyStore, Refresh, EXPIRY_MARGIN_SECS, KEY_STORE_VERSION, REFRESH_INTERVAL_RANGE, REFRESH_INTERVAL_SECS,
    URGENT_REFRESH_INTERVAL_SECS,
};
pub use keys::{ApiV3Key, MerchantKey, PublicKey};
pub use merchant::Merchant;
pub use messages::{
    AbnormalRefundFields, AbnormalRefundRequest, AbnormalRefundType, CloseOrderRequest, EncryptedAbnormalRefund, JsapiOrderRequest, Payer,
    PrepayResponse, QueryByOutTradeNoRequest, QueryByTransactionIdRequest, RefundAmount, RefundNotice, RefundQueryRequest, RefundRequest,
    RefundResponse, RefundStatus, TradeState, Transaction, TransactionAmount,
};
pub use notify::{DecryptedNotification, Notification, NotifyEvent};
pub use platform_certificate::PlatformCertificate;
pub use request::{api_error, read_response, Method, Request, SignedRequest, API_BASE};
pub use resource::{EncryptedResource, AEAD_AES_256_GCM};
pub use sensitive::{FieldEncryptor, SensitiveText};
pub use sign::{request_message, Signer, AUTHORIZATION_SCHEME};
pub use sign_error::{SignDiagnosis, SignInformation, SignLine};
pub use verify::{response_message, KeySet, SignatureHeaders, MAX_SKEW_SECS, PUB_KEY_ID_PREFIX, SIGNTEST_PREFIX};

// The names before requests and answers had one rule (`…Request` / `…Response`, as in
// `wxpay::v2`): kept for one release so that callers can move at their pace.
#[doc(hidden)]
pub use certificate::DownloadCertificatesRequest as DownloadCertificates;
#[doc(hidden)]
pub use messages::{
    CloseOrderRequest as CloseOrder, JsapiOrderRequest as JsapiOrder, QueryByOutTradeNoRequest as QueryByOutTradeNo,
    QueryByTransactionIdRequest as QueryByTransactionId, RefundQueryRequest as QueryRefund, RefundRequest as CreateRefund,
    RefundResponse as Refund,
};

/// Standard base64 with padding, as WeChat writes signatures and ciphertexts.
pub(crate) const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
