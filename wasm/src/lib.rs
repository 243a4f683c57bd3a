//! wxpay-wasm: the JavaScript bindings (`wasm-bindgen`) of the core crate `wxpay`, built into the
//! npm package in `pkg/` by `scripts/build-wasm`.
//!
//! Thin glue: every function here converts JS values to core types (with `serde-wasm-bindgen`,
//! see `convert.rs`), calls the core, and converts the result or error back (`error.rs`). Nothing
//! here knows WeChat's rules: the canonical string, the XML codec and the field checks are the
//! core's.
//!
//! # Export groups and entry points
//!
//! The exports come in groups, one file each, and each entry point of the package is one
//! `.wasm` built with the groups it needs (`scripts/build-wasm`, `ENTRIES`):
//!
//! | group | file | cargo feature | in entry points |
//! | --- | --- | --- | --- |
//! | notify handlers: `Merchant`, `verifyPaymentNotify`, `decryptRefundNotify`, `notifyReply`; the acceptance rule, `judgePayment`, `judgeRefund` | `notify.rs`, `acceptance.rs` (v2 reports: `acceptance/v2.rs`) | none: every entry point without `wasm-v3` | `wxpay/notify`, `wxpay` |
//! | everything else of API v2, and the v2 `Merchant` class's request and answer methods | `api.rs`, `merchant.rs` | `wasm-api` (default) | `wxpay` |
//! | API v3: its own `Merchant` and `KeySet`, `decryptResource`; the request serial and sensitive fields; bills; the `KeyStore`; the acceptance rule, `judgePayment`, `judgeRefund`, on v3 reports | `v3.rs`, `v3_results.rs` (answers as JS objects), `v3_sensitive.rs`, `v3_bill.rs`, `v3_key_store.rs`, `acceptance.rs` (v3 reports: `acceptance/v3.rs`); RSA, RSA-OAEP and AES-GCM computed by `node:crypto`, `v3_crypto.rs` | `wasm-v3` (turns on the core's `v3-rules`: the v3 rules without ring or rsa) | `wxpay/v3` |
//!
//! `wxpay/notify` exists because every cold cloud-function container compiles the whole
//! `.wasm` before its first notify; a handler that only verifies notifies loads a module a
//! fraction of the size (BENCHMARKS.md). `wxpay/v3` is an entry point of its own for the same
//! reason the other way round: JSON, DER and the v3 messages would more than double the v2
//! modules, and v3's `Merchant` is another class than v2's. Its RSA and AES-GCM are the host's
//! (`node:crypto`, `v3_crypto.rs`), not compiled in.
//!
//! To add a group: put its `#[wasm_bindgen]` items and its `typescript_custom_section` in
//! `wasm/src/NAME.rs`, compile it under a feature (`wasm-NAME = []` in wasm/Cargo.toml,
//! `#[cfg(feature = "wasm-NAME")] mod NAME;` below), and either add the feature to an existing
//! entry of `ENTRIES` in `scripts/build-wasm` or add an entry of its own (`"NAME wasm-NAME"`), which
//! makes `pkg/NAME.js` + `pkg/NAME.mjs` + `pkg/NAME.d.ts`; then add `"./NAME"` to `exports` in
//! `pkg/package.json` (the test in `node/test/package.test.js` checks that every entry is
//! exported and every export has its files).

// Only for wasm32: natively (cargo test --workspace) the crate is empty, since wasm-bindgen
// and js-sys are wasm32-only dependencies.
#![cfg(target_arch = "wasm32")]

// The v3 group is a module of its own: its `Merchant` is not the v2 groups' (and the API group
// builds on the notify group's). The notify group's cfg is `not(feature = "wasm-v3")` rather
// than a feature of its own so that the v2 entry points build with the same features as before
// v3 existed, and so to the same bytes.
#[cfg(all(feature = "wasm-v3", feature = "wasm-api"))]
compile_error!("`wasm-v3` is an entry point of its own: build it with --no-default-features --features wasm-v3");

mod acceptance;
mod convert;
mod error;
mod js;
mod names;
#[cfg(not(feature = "wasm-v3"))]
mod notify;

#[cfg(feature = "wasm-api")]
mod api;
#[cfg(feature = "wasm-api")]
mod merchant;
#[cfg(feature = "wasm-api")]
mod packed;
#[cfg(feature = "wasm-v3")]
mod v3;
#[cfg(feature = "wasm-v3")]
mod v3_bill;
#[cfg(feature = "wasm-v3")]
mod v3_crypto;
#[cfg(feature = "wasm-v3")]
mod v3_key_store;
#[cfg(feature = "wasm-v3")]
mod v3_results;
#[cfg(feature = "wasm-v3")]
mod v3_sensitive;
#[cfg(feature = "wasm-v3")]
mod v3_sign_error;
