//! # wxpay-sim — a faithful WeChat Pay simulator, API v2 and v3
//!
//! WeChat's Pay API (`/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`,
//! `/secapi/pay/refund` over mutual TLS, `/pay/refundquery`, `/pay/downloadbill`) and login
//! (`/sns/jscode2session`), checked the way WeChat checks them — every signature (both sign
//! types), every required field — and answered with WeChat's codes, signed. It plays the WeChat
//! client too (`/sandbox/login` is `wx.login()`, `/sandbox/requestPayment` checks `paySign`,
//! the user pays), then delivers the signed payment notify on WeChat's retry ladder; refunds end
//! with the refund notify (`req_info` AES-256-ECB under MD5 of the key).
//!
//! HTTPS on one port, with a CA and a merchant client certificate it generates (kept in its
//! state directory). A control API and page (`/control`) pay, cancel and fail orders, settle
//! refunds, inject faults into the next calls, and show every call and notify attempt.
//!
//! API v3 on the same host (`/v3/…`): every request's `Authorization` verified (the merchant's
//! signature, serial, timestamp window, nonce replay), every answer signed with the WeChat key
//! the request's `Wechatpay-Serial` names, in one of three key modes (the WeChat Pay public key,
//! platform certificates, or the switchover between them); JSAPI ordering, queries, close,
//! refunds with `apply-abnormal-refund`, `/v3/certificates`, bills with their SHA-1 and 30 s
//! `download_url`; the RSA `paySign` sheet (`/sandbox/v3/requestPayment`); JSON notifies with
//! an AES-256-GCM resource, and WeChat's `WECHATPAY/SIGNTEST/` probes whose answers are kept.
//!
//! Run it as `wxpay-sim serve` (the contract: one JSON line on stdout when ready; see the
//! README), or in-process through [`Simulator::start`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Layers, from the top; a module uses its own layer and those below (no import cycle:
// scripts/check-module-cycles, one of the gates):
//   simulator                          — start, serve, the public API
//   control, journal                   — the control surface; the layer around WeChat's endpoints
//   client, login, pay, refund, bill,  — handlers: read a request, ask the model, answer
//   v3                                   (v3: its endpoints, verified and signed; sheet, notifies, probes)
//   notifier, answer, request          — notify delivery; the Pay API's answers and checks
//   context                            — what every handler is given
//   wechat_keys                        — WeChat's v3 keys (public key, platform certificates), the merchant's
//   model, faults                      — the state model and the fault model
//   endpoint, dates, lock, clock, credentials, pki, rsakey, tls, files, secret, error
mod answer;
mod bill;
mod client;
mod clock;
mod context;
mod control;
mod credentials;
mod dates;
mod endpoint;
mod error;
mod faults;
mod files;
mod journal;
mod lock;
mod login;
mod model;
mod notifier;
mod pay;
mod pki;
mod refund;
mod request;
mod rsakey;
mod secret;
mod simulator;
mod template;
mod tls;
mod v3;
mod wechat_keys;

pub use clock::Clock;
pub use credentials::{Credentials, ENV_VARS};
pub use endpoint::Endpoint;
pub use error::{Error, Result};
pub use faults::{FaultKind, FaultRule, Faults};
pub use model::{Call, Delivery, NotifyKind, SimOrder, SimRefund};
pub use notifier::{due_offset_secs, PaidNotify, NOTIFY_SCHEDULE_SECS};
pub use secret::Secret;
pub use simulator::{Ready, SimConfig, Simulator, WITHHELD};
pub use template::copy_template;
pub use v3::notify::SignedV3Notify;
pub use wechat_keys::{KeyMode, ReadyV3, DEFAULT_SWITCHOVER_SECS};
