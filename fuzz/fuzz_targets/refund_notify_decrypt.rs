#![no_main]
//! Any req_info, under a real key: decryption never panics. Any bytes encrypted under the key
//! (the fuzzer choosing the plaintext) are handled as an error or a parse, never a panic.

use libfuzzer_sys::fuzz_target;
use wxpay::{refund_notify, ApiKey, Merchant};

fuzz_target!(|data: &[u8]| {
    let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = refund_notify::decrypt_req_info(s, &key);
    }
    let merchant = Merchant::new("wx2421b1c4370ec43b", "10000100", key.clone());
    let _ = merchant.decrypt_refund_notify(data);
    // Plaintext chosen by the fuzzer, as a single field value, encrypted properly.
    let value = String::from_utf8_lossy(data).into_owned();
    let fields = [("out_refund_no".to_owned(), value)].into_iter().collect();
    if let Ok(req_info) = refund_notify::encrypt_req_info(&fields, &key) {
        let back = refund_notify::decrypt_req_info(&req_info, &key).expect("own encryption decrypts");
        assert_eq!(back, fields);
    }
});
