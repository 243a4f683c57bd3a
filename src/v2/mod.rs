//! WeChat Pay API v2: MD5 / HMAC-SHA256 signatures over flat XML messages, the API key, and the
//! notifies that come with it.
//!
//! The wire format is here (`xml`, `sign`, `message`: the envelope every call shares), then one
//! module per call: the request the merchant sends is `…Request`, WeChat's answer to it is
//! `…Response` (the same rule as [`crate::v3`]). What both API versions share (amounts in
//! [`Fen`](crate::Fen), the [`Error`](crate::Error) enum, the acceptance rule, WeChat's error
//! codes, field validation, time and nonces) stays at the crate root.
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
//! # let _ = body;
//! # Ok::<(), wxpay::Error>(())
//! ```

pub mod bill;
mod closeorder;
mod jsapi;
mod merchant;
mod message;
pub mod notify;
mod orderquery;
mod refund;
pub mod refund_notify;
mod refundquery;
mod sign;
mod unifiedorder;
pub mod xml;

pub use closeorder::{CloseOrderRequest, CloseOrderResponse};
pub use jsapi::PaymentParams;
pub use merchant::Merchant;
pub use message::{Request, Response, TradeRef};
pub use notify::{PaymentNotify, ResultCode};
pub use orderquery::{OrderQueryRequest, OrderQueryResponse, TradeState};
pub use refund::{RefundRequest, RefundResponse};
pub use refund_notify::{RefundNotify, RefundNotifyStatus};
pub use refundquery::{RefundItem, RefundQueryRequest, RefundQueryResponse, RefundRef, RefundStatus};
pub use sign::{detect_sign_type, sign, sign_unsorted, string_to_sign, verify, SignType};
pub use unifiedorder::{UnifiedOrderRequest, UnifiedOrderResponse};
