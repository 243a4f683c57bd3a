//! No code. The dependencies in Cargo.toml fix one feature set per crate for every build of the
//! workspace (see there).
#![no_std]
