//! Known-answer vectors kept as data in tests/data/ (also run under wasm by the pkg tests).

mod common;

use serde_json::Value;
use wxpay::{sign, string_to_sign, verify, xml, ApiKey, Merchant, Params, PaymentParams, SignType};

fn json(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn to_params(v: &Value) -> Params {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

#[test]
fn sign_vectors_match_md5_and_hmac_sha256() {
    let cases = json("sign_vectors.json");
    assert!(cases.as_array().unwrap().len() >= 6);
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let key = ApiKey::new(case["key"].as_str().unwrap()).unwrap();
        let params = to_params(&case["params"]);
        assert_eq!(string_to_sign(&params), case["string_to_sign"], "{name}");
        assert_eq!(sign(&params, &key, SignType::Md5), case["md5"], "{name}");
        assert_eq!(sign(&params, &key, SignType::HmacSha256), case["hmac_sha256"], "{name}");

        // A declared sign_type decides; otherwise the signature's length does.
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
    assert_eq!(
        sign(&params, &key, SignType::HmacSha256),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[test]
fn pay_sign_vectors_match() {
    for case in json("pay_sign_vectors.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let key = ApiKey::new(case["key"].as_str().unwrap()).unwrap();
        let sign_type: SignType = case["signType"].as_str().unwrap().parse().unwrap();
        let ts: u64 = case["timeStamp"].as_str().unwrap().parse().unwrap();
        let p = PaymentParams::new(
            case["appId"].as_str().unwrap(),
            case["prepay_id"].as_str().unwrap(),
            &key,
            sign_type,
            ts,
            case["nonceStr"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(p.pay_sign, case["paySign"], "{name}");
        assert_eq!(p.package, case["package"], "{name}");
        // The camelCase JSON handed to the mini-program is exactly WeChat's field set.
        let v = serde_json::to_value(&p).unwrap();
        for k in ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"] {
            assert_eq!(v[k], case[k], "{name}: {k}");
        }
        assert_eq!(v.as_object().unwrap().len(), 6);
        let back: PaymentParams = serde_json::from_value(v).unwrap();
        assert_eq!(back.verify(&key), Ok(()));
    }
}

#[test]
fn xml_vectors_decode_or_fail_with_their_code() {
    let v = json("xml_vectors.json");
    for case in v["accept"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = xml::decode(case["xml"].as_str().unwrap().as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, to_params(&case["fields"]), "{name}");
        // And what we encode decodes to the same fields.
        assert_eq!(xml::decode(xml::encode(&got).unwrap().as_bytes()).unwrap(), got, "{name}");
    }
    for case in v["reject"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let err = xml::decode(case["xml"].as_str().unwrap().as_bytes()).expect_err(name);
        assert_eq!(err.code(), case["error"], "{name}: {err}");
    }
}

#[test]
fn refund_notify_encrypted_by_openssl_decrypts() {
    let v = json("refund_notify.json");
    let merchant = Merchant::new(
        v["appid"].as_str().unwrap(),
        v["mch_id"].as_str().unwrap(),
        ApiKey::new(v["key"].as_str().unwrap()).unwrap(),
    );
    let refund = merchant.decrypt_refund_notify(v["body"].as_str().unwrap().as_bytes()).unwrap();
    let mut got = serde_json::to_value(&refund).unwrap();
    let got = got.as_object_mut().unwrap();
    assert_eq!(got.remove("appid").unwrap(), v["appid"]);
    assert_eq!(got.remove("mch_id").unwrap(), v["mch_id"]);
    assert_eq!(Value::Object(got.clone()), v["expected"]);

    let inner = wxpay::refund_notify::decrypt_req_info(v["req_info"].as_str().unwrap(), &merchant.key).unwrap();
    assert_eq!(inner, xml::Decoder::new().root("root").decode(v["inner_xml"].as_str().unwrap().as_bytes()).unwrap());
}

#[test]
fn our_encryption_round_trips_through_decryption() {
    let v = json("refund_notify.json");
    let key = ApiKey::new(v["key"].as_str().unwrap()).unwrap();
    let inner = xml::Decoder::new().root("root").decode(v["inner_xml"].as_str().unwrap().as_bytes()).unwrap();
    let req_info = wxpay::refund_notify::encrypt_req_info(&inner, &key).unwrap();
    assert_eq!(wxpay::refund_notify::decrypt_req_info(&req_info, &key).unwrap(), inner);
}
