//! downloadbill answers kept as data (tests/data/downloadbill.json): each bill reads to its rows
//! and summary, each broken one fails with its code.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use wxpay::bill::{parse_answer, Bill};

#[test]
fn downloadbill_vectors_read_or_fail_with_their_code() {
    let doc: Value = serde_json::from_str(include_str!("data/downloadbill.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let got = parse_answer(c["text"].as_str().unwrap().as_bytes());
        match c.get("error") {
            None => {
                let bill: Bill = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(serde_json::to_value(&bill.rows).unwrap(), c["rows"], "{name}");
                assert_eq!(serde_json::to_value(&bill.summary).unwrap(), c["summary"], "{name}");
            }
            Some(code) => {
                let e = got.expect_err(name);
                assert_eq!(e.code(), code.as_str().unwrap(), "{name}: {e}");
                if let Some(err_code) = c.get("err_code") {
                    assert_eq!(e.err_code(), err_code.as_str(), "{name}");
                }
            }
        }
    }
}
