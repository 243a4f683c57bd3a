//! Nothing to build: this script exists so that the `[build-dependencies]` (the host's feature set
//! for syn) are resolved and built with the rest (see Cargo.toml).
fn main() {}
