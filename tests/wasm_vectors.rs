//! The known-answer vectors of tests/data/, asserted under WebAssembly (wasm-bindgen-test-runner on Node,
//! run by scripts/test-wasm): the same checks as tests/vectors.rs (tests/kat/) and tests/acceptance.rs
//! (tests/acceptance_table/), through the same core, compiled for wasm32. The files are compiled in, since a
//! wasm test has no file system.
#![cfg(target_arch = "wasm32")]

mod acceptance_table;
mod kat;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn sign_vectors_match_md5_and_hmac_sha256() {
    kat::sign_vectors_match();
}

#[wasm_bindgen_test]
fn pay_sign_vectors_match() {
    kat::pay_sign_vectors_match();
}

#[wasm_bindgen_test]
fn xml_vectors_decode_or_fail_with_their_code() {
    kat::xml_vectors_decode_or_fail_with_their_code();
}

#[wasm_bindgen_test]
fn refund_notify_encrypted_by_openssl_decrypts() {
    kat::refund_notify_encrypted_by_openssl_decrypts();
}

#[wasm_bindgen_test]
fn acceptance_notify_cases_judge_as_the_table_says() {
    acceptance_table::notify_cases_judge_as_expected();
}

#[wasm_bindgen_test]
fn acceptance_query_cases_judge_as_the_table_says() {
    acceptance_table::query_cases_judge_as_expected();
}

#[wasm_bindgen_test]
fn acceptance_refund_moves_follow_the_state_machine() {
    acceptance_table::refund_moves_follow_the_state_machine();
}

#[wasm_bindgen_test]
fn nonce_comes_from_web_crypto() {
    let (a, b) = (wxpay::nonce_str().unwrap(), wxpay::nonce_str().unwrap());
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
}
