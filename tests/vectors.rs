//! Known-answer vectors kept as data in tests/data/, natively. tests/wasm_vectors.rs runs the
//! same checks (tests/kat/) under WebAssembly.
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod kat;

use wxpay::{sign, xml, ApiKey, SignType};

#[test]
fn sign_vectors_match_md5_and_hmac_sha256() {
    kat::sign_vectors_match();
}

#[test]
fn official_example_signs_as_documented() {
    let params = common::params(&[
        ("appid", "wxd930ea5d5a258f4f"),
        ("body", "test"),
        ("device_info", "1000"),
        ("mch_id", "10000100"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]);
    let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    assert_eq!(sign(&params, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
    assert_eq!(sign(&params, &key, SignType::HmacSha256), "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
}

#[test]
fn pay_sign_vectors_match() {
    kat::pay_sign_vectors_match();
}

#[test]
fn xml_vectors_decode_or_fail_with_their_code() {
    kat::xml_vectors_decode_or_fail_with_their_code();
}

#[test]
fn refund_notify_encrypted_by_openssl_decrypts() {
    kat::refund_notify_encrypted_by_openssl_decrypts();
}

#[test]
fn our_encryption_round_trips_through_decryption() {
    let v = kat::data(kat::REFUND_NOTIFY);
    let key = ApiKey::new(v["key"].as_str().unwrap()).unwrap();
    let inner = xml::Decoder::new().root("root").decode(v["inner_xml"].as_str().unwrap().as_bytes()).unwrap();
    let req_info = wxpay::refund_notify::encrypt_req_info(&inner, &key).unwrap();
    assert_eq!(wxpay::refund_notify::decrypt_req_info(&req_info, &key).unwrap(), inner);
}
