//! Every way a v3 response or notify must be refused, and every request the core must not
//! build, named by the outcome. Bodies and signatures come from tests/data/v3_vectors.json
//! (made outside our code); re-signing uses the test WeChat key the same script generated.
#![cfg(all(feature = "v3", not(target_arch = "wasm32")))]

mod kat_v3;

use base64::Engine as _;
use kat_v3::{api_v3_key, data, headers, key_set, merchant, s, PLATFORM_CERT, WECHATPAY_KEY};
use serde_json::Value;
use wxpay::v3::{
    self, ApiV3Key, CloseOrder, CreateRefund, EncryptedResource, JsapiOrder, KeySet, MerchantKey, Notification, PlatformCertificate,
    PublicKey, QueryByOutTradeNo, Request, SignatureHeaders,
};
use wxpay::{Error, Fen, TradeRef};

/// The payment notify signed with the WeChat Pay public key: (headers, body, now).
fn payment_notify() -> (SignatureHeaders, String, u64) {
    let v = data();
    let c = &v["notifies"][0];
    assert_eq!(s(&c["headers"]["Wechatpay-Serial"]), s(&v["public_key_id"]));
    (headers(&c["headers"]), s(&c["body"]).to_owned(), c["now"].as_u64().unwrap())
}

/// Signs `body` as WeChat would, at `timestamp`, with the test WeChat Pay key.
fn wechat_signed(body: &str, timestamp: u64) -> SignatureHeaders {
    let key = MerchantKey::from_pem(WECHATPAY_KEY).unwrap();
    let nonce = "fdasfjihihihlkja484w";
    let message = v3::response_message(&timestamp.to_string(), nonce, body.as_bytes());
    SignatureHeaders {
        timestamp: timestamp.to_string(),
        nonce: nonce.to_owned(),
        signature: key.sign(&message).unwrap(),
        serial: s(&data()["public_key_id"]).to_owned(),
    }
}

fn open(h: &SignatureHeaders, body: &str, now: u64) -> Result<v3::DecryptedNotification, Error> {
    key_set().open_notification(&api_v3_key(), h, body.as_bytes(), now)
}

/// The notify body with its `resource` changed by `f`, re-signed so only the resource is wrong.
fn with_resource(f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> (SignatureHeaders, String, u64) {
    let (_, body, now) = payment_notify();
    let mut v: Value = serde_json::from_str(&body).unwrap();
    f(v["resource"].as_object_mut().unwrap());
    let body = v.to_string();
    (wechat_signed(&body, now), body, now)
}

#[test]
fn accepts_untouched_notify() {
    let (h, body, now) = payment_notify();
    assert!(open(&h, &body, now).is_ok());
}

// ---- signature ------------------------------------------------------------------------------

#[test]
fn rejects_tampered_body() {
    let (h, body, now) = payment_notify();
    let tampered = body.replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESs");
    assert_ne!(tampered, body);
    assert_eq!(open(&h, &tampered, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_reserialised_json_body() {
    // The trap of frameworks that parse and re-serialise: same JSON value, other bytes.
    let (h, body, now) = payment_notify();
    let reserialised = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
    assert_eq!(open(&h, &reserialised, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_tampered_signature() {
    let (mut h, body, now) = payment_notify();
    let mut sig = h.signature.into_bytes();
    sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
    h.signature = String::from_utf8(sig).unwrap();
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_tampered_timestamp() {
    let (mut h, body, now) = payment_notify();
    h.timestamp = (h.timestamp.parse::<u64>().unwrap() + 1).to_string();
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_tampered_nonce() {
    let (mut h, body, now) = payment_notify();
    h.nonce.push('x');
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_tampered_serial() {
    // Signed with the WeChat Pay public key's private half, announced as the certificate.
    let (mut h, body, now) = payment_notify();
    h.serial = s(&data()["platform_serial_no"]).to_owned();
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_signature_that_is_not_base64() {
    let (mut h, body, now) = payment_notify();
    h.signature = "not base64!".to_owned();
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn rejects_signtest_probe() {
    let (mut h, body, now) = payment_notify();
    h.signature = format!("WECHATPAY/SIGNTEST/{}", h.signature);
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::SignatureProbe);
    assert_eq!(Error::SignatureProbe.code(), "SIGNATURE_PROBE");
}

#[test]
fn rejects_missing_signature_header() {
    let (mut h, body, now) = payment_notify();
    h.signature.clear();
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::MissingField { name: "Wechatpay-Signature".into() });
}

// ---- time -----------------------------------------------------------------------------------

#[test]
fn rejects_timestamp_six_minutes_old() {
    let (_, body, now) = payment_notify();
    let h = wechat_signed(&body, now - 360);
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::TimestampSkew { timestamp: now - 360, now });
}

#[test]
fn rejects_timestamp_six_minutes_ahead() {
    let (_, body, now) = payment_notify();
    let h = wechat_signed(&body, now + 360);
    assert_eq!(open(&h, &body, now).unwrap_err().code(), "TIMESTAMP_SKEW");
}

#[test]
fn accepts_timestamp_exactly_five_minutes_old() {
    let (_, body, now) = payment_notify();
    assert!(open(&wechat_signed(&body, now - 300), &body, now).is_ok());
    assert_eq!(open(&wechat_signed(&body, now - 301), &body, now).unwrap_err().code(), "TIMESTAMP_SKEW");
}

#[test]
fn rejects_timestamp_that_is_not_a_number() {
    let (mut h, body, now) = payment_notify();
    h.timestamp = "1795000000.0".to_owned();
    assert_eq!(open(&h, &body, now).unwrap_err().code(), "INVALID_FIELD");
}

// ---- keys -----------------------------------------------------------------------------------

#[test]
fn rejects_wrong_pub_key_id() {
    let (mut h, body, now) = payment_notify();
    h.serial = h.serial.replace("PUB_KEY_ID_0119", "PUB_KEY_ID_0120");
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::UnknownSerial(h.serial.clone()));
}

#[test]
fn rejects_pub_key_id_with_prefix_stripped() {
    let (mut h, body, now) = payment_notify();
    h.serial = h.serial.trim_start_matches("PUB_KEY_ID_").to_owned();
    assert_eq!(open(&h, &body, now).unwrap_err().code(), "UNKNOWN_SERIAL");
    // And configuring the key without its prefix is refused up front.
    let mut keys = KeySet::new();
    let err = keys.add_public_key("0119000001202611230000000000000000", kat_v3::WECHATPAY_PUBLIC_KEY).unwrap_err();
    assert_eq!(err.code(), "INVALID_KEY");
}

#[test]
fn rejects_unknown_serial_when_only_certificates_are_configured() {
    // A merchant still on platform certificates receives its first public-key notify.
    let (h, body, now) = payment_notify();
    let mut keys = KeySet::new();
    keys.add_certificate_pem(PLATFORM_CERT).unwrap();
    let err = keys.verify(&h, body.as_bytes(), now).unwrap_err();
    assert_eq!(err, Error::UnknownSerial(s(&data()["public_key_id"]).to_owned()));
}

#[test]
fn accepts_certificate_serial_in_lower_case() {
    let v = data();
    let c = &v["notifies"][1];
    let mut h = headers(&c["headers"]);
    h.serial = h.serial.to_ascii_lowercase();
    assert!(key_set().verify(&h, s(&c["body"]).as_bytes(), c["now"].as_u64().unwrap()).is_ok());
}

#[test]
fn rejects_signature_under_expired_platform_certificate() {
    let v = data();
    let c = &v["notifies"][1];
    // Signed by the certificate's key just after it expired, with a fresh timestamp.
    let cert = PlatformCertificate::from_pem(PLATFORM_CERT).unwrap();
    let key = MerchantKey::from_pem(kat_v3::PLATFORM_KEY).unwrap();
    let ts = cert.not_after + 1;
    let body = s(&c["body"]);
    let h = SignatureHeaders {
        timestamp: ts.to_string(),
        nonce: "n".into(),
        signature: key.sign(&v3::response_message(&ts.to_string(), "n", body.as_bytes())).unwrap(),
        serial: cert.serial_no.clone(),
    };
    assert_eq!(key_set().verify(&h, body.as_bytes(), ts), Err(Error::CertificateExpired { serial_no: cert.serial_no }));
}

// ---- decryption -----------------------------------------------------------------------------

#[test]
fn rejects_wrong_api_v3_key() {
    let (h, body, now) = payment_notify();
    let other = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let err = key_set().open_notification(&other, &h, body.as_bytes(), now).unwrap_err();
    assert_eq!(err, Error::AeadTagMismatch);
}

#[test]
fn rejects_truncated_ciphertext() {
    for cut in [4, 16, 30] {
        let (h, body, now) = with_resource(|r| {
            let ct = s(&r["ciphertext"]).to_owned();
            let raw = base64_decode(&ct);
            r["ciphertext"] = Value::String(base64_encode(&raw[..raw.len() - cut]));
        });
        assert_eq!(open(&h, &body, now).unwrap_err(), Error::AeadTagMismatch, "cut {cut}");
    }
    // Shorter than the tag itself.
    let (h, body, now) = with_resource(|r| r["ciphertext"] = Value::String(base64_encode(&[1, 2, 3])));
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::TruncatedCiphertext { len: 3 });
}

#[test]
fn rejects_wrong_associated_data() {
    let (h, body, now) = with_resource(|r| r["associated_data"] = Value::String("refund".into()));
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::AeadTagMismatch);
}

#[test]
fn rejects_wrong_resource_nonce() {
    let (h, body, now) = with_resource(|r| r["nonce"] = Value::String("fdasflkja485".into()));
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::AeadTagMismatch);
}

#[test]
fn rejects_resource_nonce_of_wrong_length() {
    let (h, body, now) = with_resource(|r| r["nonce"] = Value::String("short".into()));
    assert_eq!(open(&h, &body, now).unwrap_err().code(), "INVALID_FIELD");
}

#[test]
fn rejects_unsupported_algorithm() {
    let (h, body, now) = with_resource(|r| r["algorithm"] = Value::String("AEAD_SM4_GCM".into()));
    assert_eq!(open(&h, &body, now).unwrap_err(), Error::UnsupportedAlgorithm("AEAD_SM4_GCM".into()));
}

#[test]
fn does_not_decrypt_unverified_notify() {
    // Verify first, then decrypt: a tampered body with the wrong key fails on the signature.
    let (h, body, now) = payment_notify();
    let other = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    let err = key_set().open_notification(&other, &h, body.replace("支付成功", "支付失败").as_bytes(), now).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
}

#[test]
fn rejects_unknown_event_type() {
    let (_, body, now) = payment_notify();
    let body = body.replace("TRANSACTION.SUCCESS", "PROFITSHARING.SUCCESS");
    let err = open(&wechat_signed(&body, now), &body, now).unwrap_err();
    assert_eq!(err.code(), "INVALID_FIELD");
}

#[test]
fn rejects_notify_body_that_is_not_json() {
    let body = "<xml><return_code>SUCCESS</return_code></xml>";
    let (_, _, now) = payment_notify();
    assert_eq!(open(&wechat_signed(body, now), body, now).unwrap_err().code(), "MALFORMED_JSON");
    assert_eq!(Notification::parse_unverified(b"{}").unwrap_err().code(), "MALFORMED_JSON");
}

// ---- keys and secrets -----------------------------------------------------------------------

#[test]
fn rejects_public_key_as_merchant_key() {
    let err = MerchantKey::from_pem(kat_v3::MERCHANT_PUBLIC_KEY).unwrap_err();
    assert_eq!(err.code(), "INVALID_KEY");
    assert_eq!(MerchantKey::from_pem("not a pem").unwrap_err().code(), "INVALID_KEY");
    assert_eq!(PublicKey::from_pem(PLATFORM_CERT).unwrap_err().code(), "INVALID_KEY");
    assert_eq!(PlatformCertificate::from_pem(kat_v3::WECHATPAY_PUBLIC_KEY).unwrap_err().code(), "INVALID_CERTIFICATE");
}

#[test]
fn rejects_api_v3_key_of_wrong_length() {
    for bad in ["", "0123456789abcdefghijklmnopqrstu", "0123456789abcdefghijklmnopqrstuvw"] {
        let err = ApiV3Key::new(bad).unwrap_err();
        assert_eq!(err.code(), "INVALID_KEY");
        assert!(bad.is_empty() || !err.to_string().contains(bad));
    }
}

#[test]
fn keys_are_redacted_in_debug() {
    let m = merchant();
    let shown = format!("{m:?} {:?} {}", api_v3_key(), api_v3_key());
    assert!(shown.contains("MerchantKey(***)") && shown.contains("ApiV3Key(***)"), "{shown}");
    assert!(!shown.contains(s(&data()["api_v3_key"])), "{shown}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
}

// ---- requests -------------------------------------------------------------------------------

fn order() -> JsapiOrder {
    JsapiOrder::new("咖啡", "20261123000001", Fen::new(1200), "https://shop.example.com/n", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
}

fn build<R: Request>(r: &R) -> Result<wxpay::v3::SignedRequest, Error> {
    merchant().sign_request(r, 1_795_000_000, "593BEC0C930BF1AFEB40B4A08C8FB242")
}

#[test]
fn rejects_http_notify_url() {
    let reason = "must be https:// in API v3 (http:// only on loopback, for a simulator)";
    for url in ["http://shop.example.com/n", "http://127.0.0.1.example.com/n", "http://10.0.0.1/n", "http://127.0.0/n"] {
        let mut o = order();
        o.notify_url = url.into();
        assert_eq!(build(&o).unwrap_err(), Error::InvalidField { name: "notify_url".into(), reason: reason.into() }, "{url}");
    }
}

#[test]
fn accepts_http_notify_url_on_loopback_only() {
    for url in ["http://127.0.0.1:8080/wxpay/v3/notify", "http://localhost:8080/n", "http://[::1]:8080/n"] {
        let mut o = order();
        o.notify_url = url.into();
        assert!(build(&o).is_ok(), "{url}");
    }
}

#[test]
fn rejects_zero_amount() {
    let mut o = order();
    o.total = Fen::ZERO;
    assert_eq!(build(&o).unwrap_err().code(), "INVALID_FIELD");
}

#[test]
fn rejects_out_trade_no_v3_does_not_allow() {
    for bad in ["A1", "2026|1123", "订单000001", &"9".repeat(33)] {
        assert_eq!(build(&QueryByOutTradeNo { out_trade_no: bad.to_owned() }).unwrap_err().code(), "INVALID_FIELD", "{bad}");
        assert_eq!(build(&CloseOrder { out_trade_no: bad.to_owned() }).unwrap_err().code(), "INVALID_FIELD", "{bad}");
    }
}

#[test]
fn rejects_refund_over_total() {
    let r = CreateRefund::new(TradeRef::OutTradeNo("20261123000001".into()), "R1", Fen::new(1201), Fen::new(1200));
    assert_eq!(build(&r).unwrap_err(), Error::InvalidField { name: "amount.refund".into(), reason: "exceeds amount.total".into() });
}

#[test]
fn rejects_nonce_with_space() {
    let err = merchant().authorization("GET", "/v3/certificates", 1, "a b", "").unwrap_err();
    assert_eq!(err.code(), "INVALID_FIELD");
}

#[test]
fn rejects_path_with_host() {
    let err = merchant().authorization("GET", "https://api.mch.weixin.qq.com/v3/certificates", 1, "n", "").unwrap_err();
    assert_eq!(err.code(), "INVALID_FIELD");
}

#[test]
fn error_answer_becomes_typed_error_without_verification() {
    let keys = KeySet::new();
    let err = v3::read_response::<JsapiOrder>(
        &keys,
        404,
        &SignatureHeaders::default(),
        r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#.as_bytes(),
        0,
    )
    .unwrap_err();
    assert_eq!(err.err_code(), Some("ORDER_NOT_EXIST"));
    assert!(!err.is_retryable());
    let err = v3::read_response::<JsapiOrder>(
        &keys,
        500,
        &SignatureHeaders::default(),
        r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#.as_bytes(),
        0,
    )
    .unwrap_err();
    assert!(err.is_retryable());
    let err = v3::read_response::<JsapiOrder>(&keys, 502, &SignatureHeaders::default(), b"<html>Bad Gateway</html>", 0).unwrap_err();
    assert_eq!(err.err_code(), Some("UNKNOWN"));
}

#[test]
fn rejects_unsigned_success_answer() {
    let err = v3::read_response::<JsapiOrder>(&key_set(), 200, &SignatureHeaders::default(), br#"{"prepay_id":"wx1"}"#, 0).unwrap_err();
    assert_eq!(err.code(), "MISSING_FIELD");
}

#[test]
fn resource_encrypts_and_decrypts_with_wechat_layout() {
    let r = EncryptedResource::encrypt(&api_v3_key(), b"{}", "0123456789ab", "transaction", "transaction").unwrap();
    assert_eq!(base64_decode(&r.ciphertext).len(), 2 + 16);
    assert_eq!(r.decrypt(&api_v3_key()).unwrap(), b"{}");
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn unknown_trade_state_is_kept_and_never_success() {
    let mut t: serde_json::Value = data()["responses"][1]["expected"].clone();
    t["trade_state"] = "ACCEPT".into();
    let t: v3::Transaction = serde_json::from_value(t).unwrap();
    assert_eq!(t.trade_state, v3::TradeState::Other("ACCEPT".into()));
    assert!(!t.is_success());
    assert_eq!(serde_json::to_value(&t).unwrap()["trade_state"], "ACCEPT");
    assert_eq!(t.check_amount(Fen::new(1199)), Err(Error::AmountMismatch { expected: 1199, actual: 1200 }));
}

// ---- certificate download -------------------------------------------------------------------

/// The certificate download of the vectors: (headers, body, now).
fn certificate_download() -> (SignatureHeaders, String, u64) {
    let c = &data()["certificates"];
    (headers(&c["headers"]), s(&c["body"]).to_owned(), c["now"].as_u64().unwrap())
}

#[test]
fn downloaded_certificates_are_not_added_when_the_signature_fails() {
    let (mut h, body, now) = certificate_download();
    h.nonce.push('x');
    let mut keys = KeySet::new();
    assert_eq!(keys.add_downloaded_certificates(&api_v3_key(), 200, &h, body.as_bytes(), now), Err(Error::SignatureMismatch));
    assert_eq!(keys.serials().count(), 0);
}

#[test]
fn downloaded_certificates_are_not_added_with_the_wrong_api_v3_key() {
    let (h, body, now) = certificate_download();
    let mut keys = KeySet::new();
    let wrong = ApiV3Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
    assert_eq!(keys.add_downloaded_certificates(&wrong, 200, &h, body.as_bytes(), now), Err(Error::AeadTagMismatch));
    assert_eq!(keys.serials().count(), 0);
}

#[test]
fn certificate_download_404_is_an_api_error() {
    let (h, _, now) = certificate_download();
    let body = r#"{"code":"NOT_FOUND","message":"无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"}"#.as_bytes();
    let err = key_set().add_downloaded_certificates(&api_v3_key(), 404, &h, body, now).unwrap_err();
    assert_eq!((err.code(), err.err_code()), ("API_ERROR", Some("NOT_FOUND")));
}

// ---- Wechatpay-Serial, sensitive fields, abnormal refunds, SIGN_ERROR ----------------------

const NOW: u64 = 1_795_000_000;

fn certificate_only() -> KeySet {
    let mut keys = KeySet::new();
    keys.add_certificate_pem(PLATFORM_CERT).unwrap();
    keys
}

fn user_card() -> v3::AbnormalRefundRequest {
    v3::AbnormalRefundRequest::user_bank_card(
        "50000408942026112307145868882",
        "R20261123000001",
        "ICBC_DEBIT",
        "6222021234567890123",
        "张三",
    )
}

fn outside_ciphertext(i: usize) -> String {
    let v: Value = serde_json::from_str(kat_v3::serial_oaep::OAEP).unwrap();
    s(&v["merchant"][i]["ciphertext"]).to_owned()
}

#[test]
fn an_empty_key_set_names_no_serial_and_signs_nothing() {
    let keys = KeySet::new();
    assert!(matches!(keys.request_serial(NOW), Err(Error::NoWechatPayKey(_))));
    let err = merchant().sign_request_with_keys(&keys, &order(), NOW, "593BEC0C930BF1AFEB40B4A08C8FB242").unwrap_err();
    assert_eq!(err.code(), "NO_WECHATPAY_KEY");
    assert_eq!(user_card().encrypt(&keys, NOW).unwrap_err().code(), "NO_WECHATPAY_KEY");
}

#[test]
fn expired_only_certificates_name_no_serial() {
    let not_after = PlatformCertificate::from_pem(PLATFORM_CERT).unwrap().not_after;
    let keys = certificate_only();
    assert_eq!(keys.request_serial(not_after), Ok(s(&data()["platform_serial_no"])));
    assert!(matches!(keys.request_serial(not_after + 1), Err(Error::NoWechatPayKey(_))));
    assert!(matches!(user_card().encrypt(&keys, not_after + 1), Err(Error::NoWechatPayKey(_))));
}

#[test]
fn a_certificate_not_yet_valid_names_no_serial() {
    let not_before = PlatformCertificate::from_pem(PLATFORM_CERT).unwrap().not_before;
    assert!(matches!(certificate_only().request_serial(not_before - 1), Err(Error::NoWechatPayKey(_))));
}

#[test]
fn a_sensitive_field_encrypted_to_another_key_is_refused() {
    // Python's ciphertext to the merchant key, opened with the WeChat test key.
    let other = MerchantKey::from_pem(WECHATPAY_KEY).unwrap();
    assert_eq!(other.decrypt_sensitive(&outside_ciphertext(0)).unwrap_err(), Error::OaepDecryptFailed);
}

#[test]
fn a_truncated_sensitive_field_is_refused() {
    let key = MerchantKey::from_pem(kat_v3::MERCHANT_KEY).unwrap();
    let full = base64::engine::general_purpose::STANDARD.decode(outside_ciphertext(0)).unwrap();
    let cut = base64::engine::general_purpose::STANDARD.encode(&full[..255]);
    assert_eq!(key.decrypt_sensitive(&cut).unwrap_err(), Error::TruncatedCiphertext { len: 255 });
    assert_eq!(key.decrypt_sensitive("").unwrap_err(), Error::TruncatedCiphertext { len: 0 });
}

#[test]
fn an_altered_sensitive_field_is_refused() {
    let key = MerchantKey::from_pem(kat_v3::MERCHANT_KEY).unwrap();
    let mut data = base64::engine::general_purpose::STANDARD.decode(outside_ciphertext(0)).unwrap();
    data[100] ^= 1;
    assert_eq!(key.decrypt_sensitive(&base64::engine::general_purpose::STANDARD.encode(&data)).unwrap_err(), Error::OaepDecryptFailed);
}

#[test]
fn a_sensitive_field_that_is_not_base64_is_refused() {
    let key = MerchantKey::from_pem(kat_v3::MERCHANT_KEY).unwrap();
    assert!(matches!(key.decrypt_sensitive("not base64!"), Err(Error::InvalidField { name, .. }) if name == "ciphertext"));
}

#[test]
fn a_plaintext_longer_than_oaep_allows_is_refused_without_echoing_it() {
    let keys = key_set();
    let e = keys.field_encryptor(NOW).unwrap();
    let long = "银".repeat(71) + "xy"; // 215 bytes: one over OAEP SHA-1's 214 under RSA-2048
    let err = e.encrypt("real_name", &long.as_str().into()).unwrap_err();
    assert!(matches!(&err, Error::InvalidField { name, .. } if name == "real_name"), "{err:?}");
    assert!(!err.to_string().contains('银'), "{err}");
    assert!(e.encrypt("real_name", &long[..214].into()).is_ok());
}

#[test]
fn an_abnormal_refund_to_a_user_card_without_real_name_is_refused() {
    let mut r = user_card();
    r.real_name = None;
    assert_eq!(r.encrypt(&key_set(), NOW).unwrap_err(), Error::missing("real_name"));
    r.real_name = Some("".into());
    assert_eq!(r.encrypt(&key_set(), NOW).unwrap_err(), Error::missing("real_name"));
}

#[test]
fn an_abnormal_refund_to_a_user_card_without_bank_type_or_account_is_refused() {
    let mut r = user_card();
    r.bank_type = None;
    assert_eq!(r.validate().unwrap_err(), Error::missing("bank_type"));
    let mut r = user_card();
    r.bank_account = None;
    assert_eq!(r.validate().unwrap_err(), Error::missing("bank_account"));
}

#[test]
fn an_abnormal_refund_to_the_merchant_card_with_card_fields_is_refused() {
    let mut r = v3::AbnormalRefundRequest::merchant_bank_card("50000408942026112307145868882", "R20261123000001");
    assert_eq!(r.validate(), Ok(()));
    r.real_name = Some("张三".into());
    let err = r.validate().unwrap_err();
    assert!(matches!(&err, Error::InvalidField { name, .. } if name == "real_name"), "{err:?}");
    assert!(!err.to_string().contains("张三"));
}

#[test]
fn a_bank_account_that_is_not_digits_is_refused_without_echoing_it() {
    let mut r = user_card();
    r.bank_account = Some("6222 0212 3456 7890".into());
    let err = r.encrypt(&key_set(), NOW).unwrap_err();
    assert!(matches!(&err, Error::InvalidField { name, .. } if name == "bank_account"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("6222"));
}

#[test]
fn an_abnormal_refund_with_a_bad_refund_id_is_refused() {
    let mut r = user_card();
    r.refund_id = "5000/../x".into();
    assert!(matches!(r.validate(), Err(Error::InvalidField { name, .. }) if name == "refund_id"));
}

#[test]
fn sensitive_plaintexts_never_show_in_debug() {
    let r = user_card();
    let encrypted = r.encrypt(&key_set(), NOW).unwrap();
    let shown = format!("{r:?} {encrypted:?}");
    assert!(!shown.contains("6222021234567890123") && !shown.contains("张三"), "{shown}");
    assert!(shown.contains("SensitiveText(***)"), "{shown}");
}

#[test]
fn an_encrypted_request_keeps_the_serial_it_was_encrypted_to() {
    // Encrypted to the certificate, then signed with a key set that prefers the public key.
    let encrypted = user_card().encrypt(&certificate_only(), NOW).unwrap();
    let signed = merchant().sign_request_with_keys(&key_set(), &encrypted, NOW, "593BEC0C930BF1AFEB40B4A08C8FB242").unwrap();
    assert_eq!(signed.wechatpay_serial.as_deref(), Some(s(&data()["platform_serial_no"])));
    // Signed without the key set, it still carries it.
    assert_eq!(build(&encrypted).unwrap().wechatpay_serial.as_deref(), Some(s(&data()["platform_serial_no"])));
    // A request without encrypted fields signed without keys carries none.
    assert_eq!(build(&order()).unwrap().wechatpay_serial, None);
}

#[test]
fn an_api_error_that_is_not_sign_error_gives_no_sign_information() {
    let param = v3::api_error(
        400,
        br#"{"code":"PARAM_ERROR","message":"x","detail":{"sign_information":{"truncated_sign_message":"GET\n/\n1\nn\n\n"}}}"#,
    );
    assert_eq!(v3::SignInformation::from_error(&param), None);
    let bare = v3::api_error(401, r#"{"code":"SIGN_ERROR","message":"签名错误"}"#.as_bytes());
    assert_eq!(v3::SignInformation::from_error(&bare), None);
    assert!(matches!(v3::SignInformation::from_detail(r#"{"field":"signature"}"#), Err(Error::MalformedJson(_))));
}

#[test]
fn a_sign_error_pasted_with_literal_backslash_n_still_diagnoses() {
    let info = v3::SignInformation::from_detail(
        r#"{"sign_information":{"method":"GET","url":"/v3/certificates","sign_message_length":"66","truncated_sign_message":"GET\\n/v3/certificates\\n1554208460\\n593BEC0C930BF1AFEB40B4A08C8FB242\\n\\n"}}"#,
    )
    .unwrap();
    assert_eq!(info.sign_message_length, Some(66));
    let signed = merchant().sign_request(&v3::DownloadCertificatesRequest, 1554208461, "593BEC0C930BF1AFEB40B4A08C8FB242").unwrap();
    assert!(matches!(info.diagnose(&signed), v3::SignDiagnosis::LineDiffers { line: v3::SignLine::Timestamp, offset: 9, .. }));
    let same = merchant().sign_request(&v3::DownloadCertificatesRequest, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242").unwrap();
    assert_eq!(info.diagnose(&same), v3::SignDiagnosis::SameMessage);
}

#[test]
fn an_abnormal_refund_encrypted_to_a_chosen_key_is_still_validated() {
    let cert = PlatformCertificate::from_pem(PLATFORM_CERT).unwrap();
    let e = v3::FieldEncryptor::new(&cert.serial_no, cert.public_key());
    assert_eq!(user_card().encrypt_with(&e).unwrap().serial(), cert.serial_no);
    let mut r = user_card();
    r.real_name = None;
    assert_eq!(r.encrypt_with(&e).unwrap_err(), Error::missing("real_name"));
}

fn card_fields() -> v3::AbnormalRefundFields {
    let r = user_card();
    v3::AbnormalRefundFields { refund_id: r.refund_id, out_refund_no: r.out_refund_no, kind: r.kind, bank_type: r.bank_type }
}

#[test]
fn an_abnormal_refund_encrypted_elsewhere_is_the_same_request() {
    let keys = key_set();
    let sealed = user_card().encrypt(&keys, NOW).unwrap();
    let parts = v3::EncryptedAbnormalRefund::from_ciphertexts(
        card_fields(),
        sealed.bank_account().map(str::to_owned),
        sealed.real_name().map(str::to_owned),
        sealed.serial(),
    )
    .unwrap();
    assert_eq!(parts, sealed);
}

#[test]
fn an_abnormal_refund_with_a_plaintext_where_a_ciphertext_goes_is_refused() {
    let keys = key_set();
    let sealed = user_card().encrypt(&keys, NOW).unwrap();
    let name = sealed.real_name().map(str::to_owned);
    for plain in ["6222021234567890123", "AAAA", "5byg5LiJ"] {
        let err =
            v3::EncryptedAbnormalRefund::from_ciphertexts(card_fields(), Some(plain.into()), name.clone(), sealed.serial()).unwrap_err();
        assert!(matches!(&err, Error::InvalidField { name, .. } if name == "bank_account"), "{err:?}");
        assert!(!err.to_string().contains(plain), "{err}");
    }
}

#[test]
fn an_abnormal_refund_encrypted_elsewhere_keeps_the_type_rules() {
    let keys = key_set();
    let sealed = user_card().encrypt(&keys, NOW).unwrap();
    let account = sealed.bank_account().map(str::to_owned);
    let missing = v3::EncryptedAbnormalRefund::from_ciphertexts(card_fields(), account.clone(), None, sealed.serial()).unwrap_err();
    assert_eq!(missing, Error::missing("real_name"));
    let merchant_card = v3::AbnormalRefundFields { kind: v3::AbnormalRefundType::MerchantBankCard, bank_type: None, ..card_fields() };
    assert!(v3::EncryptedAbnormalRefund::from_ciphertexts(merchant_card.clone(), account, None, sealed.serial()).is_err());
    assert!(v3::EncryptedAbnormalRefund::from_ciphertexts(merchant_card, None, None, sealed.serial()).is_ok());
    assert!(v3::EncryptedAbnormalRefund::from_ciphertexts(card_fields(), None, None, "PUB_KEY_ID_1\r\nX: y").is_err());
}
