//! The known-answer checks over tests/data/, shared by the native tests (tests/vectors.rs) and
//! the wasm tests (tests/wasm_vectors.rs, under wasm-bindgen-test-runner). The data is compiled
//! in, since a wasm test has no file system.

use serde_json::Value;
use wxpay::{sign, string_to_sign, verify, xml, ApiKey, Merchant, Params, PaymentParams, SignType};

pub const SIGN_VECTORS: &str = include_str!("../data/sign_vectors.json");
pub const PAY_SIGN_VECTORS: &str = include_str!("../data/pay_sign_vectors.json");
pub const XML_VECTORS: &str = include_str!("../data/xml_vectors.json");
pub const REFUND_NOTIFY: &str = include_str!("../data/refund_notify.json");

pub fn data(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

pub fn to_params(v: &Value) -> Params {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

/// MD5 and HMAC-SHA256 of every case; verification picks the declared type, else the length.
pub fn sign_vectors_match() {
    let cases = data(SIGN_VECTORS);
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

/// `paySign` of every case, and the camelCase object handed to the mini-program.
pub fn pay_sign_vectors_match() {
    for case in data(PAY_SIGN_VECTORS).as_array().unwrap() {
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
        // Exactly WeChat's six fields, and they verify after a JSON round trip.
        let v = serde_json::to_value(&p).unwrap();
        for k in ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"] {
            assert_eq!(v[k], case[k], "{name}: {k}");
        }
        assert_eq!(v.as_object().unwrap().len(), 6);
        let back: PaymentParams = serde_json::from_value(v).unwrap();
        assert_eq!(back.verify(&key), Ok(()), "{name}");
    }
}

/// Accepted documents decode to their fields (and re-encode losslessly); rejected ones fail
/// with their error code.
pub fn xml_vectors_decode_or_fail_with_their_code() {
    let v = data(XML_VECTORS);
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

/// The refund notify whose `req_info` the `openssl enc` command line encrypted.
pub fn refund_notify_encrypted_by_openssl_decrypts() {
    let v = data(REFUND_NOTIFY);
    let key = ApiKey::new(v["key"].as_str().unwrap()).unwrap();
    let merchant = Merchant::new(v["appid"].as_str().unwrap(), v["mch_id"].as_str().unwrap(), key);
    let refund = merchant.decrypt_refund_notify(v["body"].as_str().unwrap().as_bytes()).unwrap();
    // The typed result serialises with camelCase names, as the wasm package hands it to JS.
    let mut got = serde_json::to_value(&refund).unwrap();
    let got = got.as_object_mut().unwrap();
    assert_eq!(got.remove("appId").unwrap(), v["appid"]);
    assert_eq!(got.remove("mchId").unwrap(), v["mch_id"]);
    let camel = |k: &str| {
        let mut parts = k.split('_');
        let first = parts.next().unwrap().to_owned();
        parts.fold(first, |mut out, p| {
            out.push_str(&p[..1].to_uppercase());
            out.push_str(&p[1..]);
            out
        })
    };
    let expected: serde_json::Map<String, Value> = v["expected"].as_object().unwrap().iter().map(|(k, x)| (camel(k), x.clone())).collect();
    assert_eq!(Value::Object(got.clone()), Value::Object(expected));

    let inner = wxpay::refund_notify::decrypt_req_info(v["req_info"].as_str().unwrap(), &merchant.key).unwrap();
    let expected = xml::Decoder::new().root("root").decode(v["inner_xml"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(inner, expected);
}
