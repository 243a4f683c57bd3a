//! The v3 known-answer vectors under WebAssembly (`wasm-pack test --node -- --test
//! wasm_v3_vectors`): the same checks as tests/v3_vectors.rs (tests/kat_v3/), through the same
//! core compiled for wasm32, including ring's RSA and AES-GCM and its Web Crypto randomness.
#![cfg(all(feature = "v3", target_arch = "wasm32"))]

mod kat_v3;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn request_signatures_match_outside_tool() {
    kat_v3::request_signatures_match_outside_tool();
}

#[wasm_bindgen_test]
fn outside_signer_makes_the_same_requests() {
    kat_v3::outside_signer_makes_the_same_requests();
}

#[wasm_bindgen_test]
fn pay_sign_matches_outside_tool() {
    kat_v3::pay_sign_matches_outside_tool();
}

#[wasm_bindgen_test]
fn responses_verify_and_parse() {
    kat_v3::responses_verify_and_parse();
}

#[wasm_bindgen_test]
fn notifies_verify_and_decrypt() {
    kat_v3::notifies_verify_and_decrypt();
}

#[wasm_bindgen_test]
fn certificate_download_decrypts_and_verifies() {
    kat_v3::certificate_download_decrypts_and_verifies();
}

mod kat_v3_bill;

#[wasm_bindgen_test]
fn bills_open_and_parse_as_outside_tool_says() {
    kat_v3_bill::bills_open_and_parse_as_outside_tool_says();
}

#[wasm_bindgen_test]
fn request_serial_follows_the_switchover_table() {
    kat_v3::serial_oaep::request_serial_follows_the_switchover_table();
}

#[wasm_bindgen_test]
fn merchant_key_decrypts_outside_ciphertexts() {
    kat_v3::serial_oaep::merchant_key_decrypts_outside_ciphertexts();
}

#[wasm_bindgen_test]
fn encrypted_fields_decrypt_with_wechat_keys() {
    kat_v3::serial_oaep::encrypted_fields_decrypt_with_wechat_keys();
}

#[wasm_bindgen_test]
fn abnormal_refund_is_encrypted_and_names_its_key() {
    kat_v3::serial_oaep::abnormal_refund_is_encrypted_and_names_its_key();
}

#[wasm_bindgen_test]
fn sign_error_answers_diagnose_the_first_differing_line() {
    kat_v3::serial_oaep::sign_error_answers_diagnose_the_first_differing_line();
}
