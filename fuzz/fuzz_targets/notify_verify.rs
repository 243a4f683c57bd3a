#![no_main]
//! Any body POSTed to the notify URL: verification never panics and never accepts a body that
//! was not signed with the merchant's key (the fuzzer cannot produce a valid signature).

use libfuzzer_sys::fuzz_target;
use wxpay::{ApiKey, Merchant, SignType};

fuzz_target!(|data: &[u8]| {
    let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    for t in [SignType::Md5, SignType::HmacSha256] {
        let merchant = Merchant::new("wx2421b1c4370ec43b", "10000100", key.clone()).with_sign_type(t);
        if let Ok(n) = merchant.verify_payment_notify(data) {
            panic!("accepted an unsigned notify for {}", n.out_trade_no);
        }
    }
});
