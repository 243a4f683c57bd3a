//! The server's integration tests, one binary: each file is a module, linked once with the whole
//! server and the simulator (a binary per file linked them eighteen times).
//!
//! Cases written once for every backend (`common/*_cases.rs`) are mounted per backend by
//! `mount_cases!`: on SQLite in the topic's module (`notify`, `refunds`, `stock`, `admin`), on
//! PostgreSQL with two instances in `postgres` (`#[ignore]`d without a database).
//!
//! `scripts/test-server` runs them in steps, by module: `sqlite` all but the fault modules,
//! `fault` `fault_kill::` and `fault_upstream::`, `postgres` `postgres::` and `fault_pg_race::`.
//! While you work: `cargo test -p wxpay-server --test it refunds::`.
//!
//! `tests/secrets.rs` stays a binary of its own: it installs the process's one log subscriber.

#[macro_use]
mod common;

mod acceptance;
mod admin;
mod cli;
mod demo;
mod doctor;
mod fault_kill;
mod fault_pg_race;
mod fault_upstream;
mod group_commit;
mod layers;
mod notify;
mod postgres;
mod purchase;
mod reconciler;
mod refunds;
mod sandbox;
mod stock;
mod upstream;
mod v3;
