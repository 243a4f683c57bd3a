//! The simulator's integration tests, one binary: each file is a module, linked once with the
//! simulator, and the state directory every in-process simulator starts from (its CA,
//! certificates and RSA keys, `common::template`) is generated once for all of them. A binary
//! per file linked the simulator eleven times and generated the keys eleven times, and ran the
//! files one after the other; here their tests share the test threads.
//!
//! While you work: `cargo test -p wxpay-sim --test it ladder::`.

mod common;

mod cli;
mod control;
mod downloadbill;
mod ladder;
mod refusals;
mod v3_bill;
mod v3_flow;
mod v3_keys;
mod v3_probe;
mod v3_refund;
mod v3_verification;
