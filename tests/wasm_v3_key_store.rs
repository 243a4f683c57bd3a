//! The key store's known answers under WebAssembly (`scripts/test-wasm vectors`): the same checks
//! as tests/v3_key_store.rs (tests/kat_key_store/), through the same core compiled for wasm32.
#![cfg(all(feature = "v3", target_arch = "wasm32"))]

mod kat_key_store;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn rotation_keeps_the_old_certificate_until_it_expires() {
    kat_key_store::rotation_keeps_the_old_certificate_until_it_expires();
}

#[wasm_bindgen_test]
fn refused_answers_change_nothing() {
    kat_key_store::refused_answers_change_nothing();
}
