//! The known-answer vectors of tests/data/, asserted under WebAssembly (`wasm-pack test --node`,
//! run by scripts/test-wasm): the same data as tests/vectors.rs, through the same core, compiled
//! for wasm32. The files are compiled in, since a wasm test has no file system.
#![cfg(target_arch = "wasm32")]

use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;
use wxpay::{ApiKey, Merchant, Params, PaymentParams, SignType, sign, string_to_sign, verify, xml};

fn data(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn to_params(v: &Value) -> Params {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

#[wasm_bindgen_test]
fn sign_vectors_match_md5_and_hmac_sha256() {
    let cases = data(include_str!("data/sign_vectors.json"));
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = ApiKey::new(case["key"].as_str().unwrap()).unwrap();
        let params = to_params(&case["params"]);
        assert_eq!(string_to_sign(&params), case["string_to_sign"], "{name}");
        assert_eq!(sign(&params, &key, SignType::Md5), case["md5"], "{name}");
        assert_eq!(sign(&params, &key, SignType::HmacSha256), case["hmac_sha256"], "{name}");
        let declared: Option<SignType> = params.get("sign_type").map(|t| t.parse().unwrap());
        for (field, ty) in [("md5", SignType::Md5), ("hmac_sha256", SignType::HmacSha256)] {
            let mut signed = params.clone();
            signed.insert("sign".into(), case[field].as_str().unwrap().to_owned());
            let got = verify(&signed, &key, SignType::Md5);
            match declared {
                Some(d) if d != ty => assert_eq!(got, Err(wxpay::Error::SignatureMismatch), "{name}"),
                _ => assert_eq!(got, Ok(ty), "{name}"),
            }
        }
    }
}

#[wasm_bindgen_test]
fn pay_sign_vectors_match() {
    for case in data(include_str!("data/pay_sign_vectors.json")).as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let key = ApiKey::new(case["key"].as_str().unwrap()).unwrap();
        let sign_type: SignType = case["signType"].as_str().unwrap().parse().unwrap();
        let p = PaymentParams::new(
            case["appId"].as_str().unwrap(),
            case["prepay_id"].as_str().unwrap(),
            &key,
            sign_type,
            case["timeStamp"].as_str().unwrap().parse().unwrap(),
            case["nonceStr"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(p.pay_sign, case["paySign"], "{name}");
        assert_eq!(p.package, case["package"], "{name}");
        assert_eq!(p.verify(&key), Ok(()), "{name}");
    }
}

#[wasm_bindgen_test]
fn xml_vectors_decode_or_fail_with_their_code() {
    let v = data(include_str!("data/xml_vectors.json"));
    for case in v["accept"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = xml::decode(case["xml"].as_str().unwrap().as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, to_params(&case["fields"]), "{name}");
        assert_eq!(xml::decode(xml::encode(&got).unwrap().as_bytes()).unwrap(), got, "{name}");
    }
    for case in v["reject"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let err = xml::decode(case["xml"].as_str().unwrap().as_bytes()).expect_err(name);
        assert_eq!(err.code(), case["error"], "{name}: {err}");
    }
}

#[wasm_bindgen_test]
fn refund_notify_encrypted_by_openssl_decrypts() {
    let v = data(include_str!("data/refund_notify.json"));
    let key = ApiKey::new(v["key"].as_str().unwrap()).unwrap();
    let merchant = Merchant::new(v["appid"].as_str().unwrap(), v["mch_id"].as_str().unwrap(), key);
    let refund = merchant.decrypt_refund_notify(v["body"].as_str().unwrap().as_bytes()).unwrap();
    let mut got = serde_json::to_value(&refund).unwrap();
    let got = got.as_object_mut().unwrap();
    assert_eq!(got.remove("appid").unwrap(), v["appid"]);
    assert_eq!(got.remove("mch_id").unwrap(), v["mch_id"]);
    assert_eq!(Value::Object(got.clone()), v["expected"]);
}

#[wasm_bindgen_test]
fn nonce_comes_from_web_crypto() {
    let (a, b) = (wxpay::nonce_str().unwrap(), wxpay::nonce_str().unwrap());
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
}
