//! v3 known-answer vectors (tests/data/v3_vectors.json, made outside our code by
//! scripts/make-v3-vectors), natively. tests/wasm_v3_vectors.rs runs the same checks
//! (tests/kat_v3/) under WebAssembly.
#![cfg(all(feature = "v3", not(target_arch = "wasm32")))]

mod kat_v3;

#[test]
fn request_signatures_match_outside_tool() {
    kat_v3::request_signatures_match_outside_tool();
}

#[test]
fn outside_signer_makes_the_same_requests() {
    kat_v3::outside_signer_makes_the_same_requests();
}

#[test]
fn pay_sign_matches_outside_tool() {
    kat_v3::pay_sign_matches_outside_tool();
}

#[test]
fn responses_verify_and_parse() {
    kat_v3::responses_verify_and_parse();
}

#[test]
fn notifies_verify_and_decrypt() {
    kat_v3::notifies_verify_and_decrypt();
}

#[test]
fn certificate_download_decrypts_and_verifies() {
    kat_v3::certificate_download_decrypts_and_verifies();
}

mod kat_v3_bill;

#[test]
fn bills_open_and_parse_as_outside_tool_says() {
    kat_v3_bill::bills_open_and_parse_as_outside_tool_says();
}

#[test]
fn request_serial_follows_the_switchover_table() {
    kat_v3::serial_oaep::request_serial_follows_the_switchover_table();
}

#[test]
fn merchant_key_decrypts_outside_ciphertexts() {
    kat_v3::serial_oaep::merchant_key_decrypts_outside_ciphertexts();
}

#[test]
fn encrypted_fields_decrypt_with_wechat_keys() {
    kat_v3::serial_oaep::encrypted_fields_decrypt_with_wechat_keys();
}

#[test]
fn abnormal_refund_is_encrypted_and_names_its_key() {
    kat_v3::serial_oaep::abnormal_refund_is_encrypted_and_names_its_key();
}

#[test]
fn sign_error_answers_diagnose_the_first_differing_line() {
    kat_v3::serial_oaep::sign_error_answers_diagnose_the_first_differing_line();
}
