#![no_main]
//! Any bytes: decode never panics, and whatever decodes re-encodes to the same fields.

use libfuzzer_sys::fuzz_target;
use wxpay::xml;

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = xml::decode(data) {
        // Everything the decoder accepts, the encoder can write back, losslessly,
        // unless a value holds a character XML 1.0 cannot carry (reached via &#1; refs).
        if let Ok(text) = xml::encode(&fields) {
            assert_eq!(xml::decode(text.as_bytes()).expect("re-decode"), fields);
        }
    }
});
