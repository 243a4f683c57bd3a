//! JavaScript bindings (`wasm-bindgen`): the npm package in `pkg/`.
//!
//! Thin glue: every function here converts JS values to core types (with `serde-wasm-bindgen`,
//! see [`convert`]), calls the core, and converts the result or error back ([`error`]). Nothing
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
//! | notify handlers: `Merchant`, `verifyPaymentNotify`, `decryptRefundNotify`, `notifyReply` | `wasm/notify.rs` | always | `wxpay/notify`, `wxpay` |
//! | everything else of API v2 | `wasm/api.rs` | `wasm-api` (default) | `wxpay` |
//!
//! `wxpay/notify` exists because every cold cloud-function container compiles the whole
//! `.wasm` before its first notify; a handler that only verifies notifies loads a module a
//! fraction of the size (BENCHMARKS.md).
//!
//! To add a group (API v3, say): put its `#[wasm_bindgen]` items and its
//! `typescript_custom_section` in `src/wasm/v3.rs`, compile it under a feature
//! (`wasm-v3 = []` in Cargo.toml, `#[cfg(feature = "wasm-v3")] mod v3;` below), and either add
//! the feature to an existing entry of `ENTRIES` in `scripts/build-wasm` or add an entry of its
//! own (`v3:wasm-v3`), which makes `pkg/v3.js` + `pkg/v3.mjs` + `pkg/v3.d.ts`; then add
//! `"./v3"` to `exports` in `pkg/package.json` (the test in `node/test/package.test.js` checks
//! that every entry is exported and every export has its files).

mod convert;
mod error;
mod notify;

#[cfg(feature = "wasm-api")]
mod api;
