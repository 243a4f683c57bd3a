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
