//! # wxpay — WeChat Pay API v2 and v3 for mini-programs, correct to the byte
//!
//! A pure-Rust core with no I/O: signing and constant-time verification, a strict XML codec
//! (DTDs rejected), typed messages for unifiedorder / orderquery / closeorder / refund /
//! refundquery, payment-notify verification, refund-notify decryption, and the
//! `wx.requestPayment` parameters. Time and nonces are passed in, so the same code runs
//! natively, in WebAssembly and in tests.
//!
//! API v3 (RSA signatures, the WeChat Pay public key, AES-GCM notifies) is in [`v3`] (feature
//! `v3`, on by default).
//!
//! Amounts are integer fen ([`Fen`]); there is no floating point in the crate. The API key is a
//! redacted [`ApiKey`]. MD5 is supported because WeChat Pay v2 requires it, not as a choice.
//!
//! ```
//! use wxpay::v2::{Merchant, UnifiedOrderRequest};
//! use wxpay::{ApiKey, Fen};
//!
//! let merchant = Merchant::new("wxd930ea5d5a258f4f", "10000100",
//!     ApiKey::new("192006250b4c09247ec02edce69f6a2d")?);
//! let order = UnifiedOrderRequest::new("Coffee", "20261123000001", Fen::new(1200), "203.0.113.7",
//!     "https://shop.example.com/wxpay/notify", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
//! let body = merchant.request_xml(&order, &wxpay::nonce_str()?)?;
//! // POST `body` to https://api.mch.weixin.qq.com/pay/unifiedorder, then:
//! // let answer: wxpay::v2::UnifiedOrderResponse = merchant.parse_response(&response_bytes)?;
//! // let params = merchant.payment_params(&answer.prepay_id, now_secs, &wxpay::nonce_str()?)?;
//! # let _ = body;
//! # Ok::<(), wxpay::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod acceptance;
mod amount;
mod bill_text;
pub mod codes;
mod error;
mod nonce;
mod secret;
pub mod time;
pub mod v2;
#[cfg(feature = "v3-rules")]
pub mod v3;
pub mod validate;

// The README's v3 example runs as a doctest.
#[cfg(all(doctest, feature = "v3"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The fields of a flat WeChat message, ordered by ASCII name (the signing order).
pub type Params = std::collections::BTreeMap<String, String>;

pub use amount::Fen;
pub use error::{Error, Result};
pub use nonce::nonce_str;
pub use secret::ApiKey;

// API v2 at the crate root, as before `wxpay::v2` existed: the server, the simulator and older
// callers use these paths. New code names `wxpay::v2::…`.
#[doc(hidden)]
pub use v2::{bill, notify, refund_notify, xml};
#[doc(hidden)]
pub use v2::{
    detect_sign_type, sign, string_to_sign, verify, CloseOrderResponse, Merchant, OrderQueryResponse, PaymentNotify, PaymentParams,
    RefundItem, RefundNotify, RefundNotifyStatus, RefundQueryResponse, RefundRef, RefundResponse, RefundStatus, Request, Response,
    ResultCode, SignType, TradeRef, TradeState, UnifiedOrderResponse,
};
#[doc(hidden)]
pub use v2::{
    CloseOrderRequest as CloseOrder, OrderQueryRequest as OrderQuery, RefundQueryRequest as RefundQuery, RefundRequest as Refund,
    UnifiedOrderRequest as UnifiedOrder,
};
