#![no_main]
//! Any v3 notify (headers and body from the fuzzer): verification plus decryption never panics
//! and never accepts what was not signed with WeChat's key, and no resource decrypts without
//! the APIv3 key (the fuzzer can forge neither an RSA signature nor a GCM tag).
//!
//! Input: `timestamp \xff nonce \xff signature \xff serial \xff body`; missing parts are empty.

use libfuzzer_sys::fuzz_target;
use wxpay::v3::{ApiV3Key, KeySet, Notification, SignatureHeaders};

const NOW: u64 = 1_795_000_000;

fuzz_target!(|data: &[u8]| {
    let mut keys = KeySet::new();
    keys.add_public_key("PUB_KEY_ID_0119000001202611230000000000000000", include_str!("../../tests/data/v3_test_wechatpay_public_key.pem"))
        .unwrap();
    keys.add_certificate_pem(include_str!("../../tests/data/v3_test_platform_cert.pem")).unwrap();
    let key = ApiV3Key::new("wxpayTestApiV3Key0123456789abcde").unwrap();

    let mut parts = data.splitn(5, |b| *b == 0xff);
    let mut text = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let headers = SignatureHeaders { timestamp: text(), nonce: text(), signature: text(), serial: text() };
    let body = parts.next().unwrap_or_default();

    if let Ok(n) = keys.open_notification(&key, &headers, body, NOW) {
        panic!("accepted an unsigned notify {}", n.id);
    }
    // Decryption alone, as if verification had passed: parsing and AES-GCM on arbitrary input.
    if let Ok(n) = Notification::parse_unverified(body) {
        if let Ok(event) = n.decrypt(&key) {
            panic!("decrypted a resource not encrypted with the APIv3 key: {event:?}");
        }
    }
});
