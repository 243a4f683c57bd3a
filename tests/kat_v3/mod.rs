//! The v3 known-answer checks over tests/data/v3_vectors.json (made by Python's `cryptography`
//! in scripts/make-v3-vectors, not by our code), shared by the native tests (tests/v3_vectors.rs)
//! and the wasm tests (tests/wasm_v3_vectors.rs). The data is compiled in: a wasm test has no
//! file system.
#![allow(dead_code)]

pub mod serial_oaep;

use serde_json::Value;
use wxpay::v3::{
    self, ApiV3Key, CertificatesResponse, CloseOrder, CreateRefund, DownloadCertificates, JsapiOrder, KeySet, Merchant, MerchantKey,
    PaymentParams, PlatformCertificate, PublicKey, QueryByOutTradeNo, QueryByTransactionId, QueryRefund, Request, SignatureHeaders, Signer,
};
use wxpay::{Error, Fen, TradeRef};

pub const VECTORS: &str = include_str!("../data/v3_vectors.json");
pub const MERCHANT_KEY: &str = include_str!("../data/v3_test_merchant_key.pem");
pub const MERCHANT_PUBLIC_KEY: &str = include_str!("../data/v3_test_merchant_public_key.pem");
pub const WECHATPAY_KEY: &str = include_str!("../data/v3_test_wechatpay_key.pem");
pub const WECHATPAY_PUBLIC_KEY: &str = include_str!("../data/v3_test_wechatpay_public_key.pem");
pub const PLATFORM_KEY: &str = include_str!("../data/v3_test_platform_key.pem");
pub const PLATFORM_CERT: &str = include_str!("../data/v3_test_platform_cert.pem");

pub fn data() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

pub fn merchant() -> Merchant {
    let v = data();
    Merchant::new(s(&v["appid"]), s(&v["mchid"]), s(&v["merchant_serial_no"]), MerchantKey::from_pem(MERCHANT_KEY).unwrap()).unwrap()
}

/// WeChat's keys as a merchant in the middle of the switch holds them: the WeChat Pay public key
/// and the platform certificate.
pub fn key_set() -> KeySet {
    let v = data();
    let mut keys = KeySet::new();
    keys.add_public_key(s(&v["public_key_id"]), WECHATPAY_PUBLIC_KEY).unwrap();
    assert_eq!(keys.add_certificate_pem(PLATFORM_CERT).unwrap(), s(&v["platform_serial_no"]));
    keys
}

pub fn api_v3_key() -> ApiV3Key {
    ApiV3Key::new(s(&data()["api_v3_key"])).unwrap()
}

pub fn headers(h: &Value) -> SignatureHeaders {
    SignatureHeaders::from_pairs(h.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), s(v))))
}

fn typed_request<K: Signer>(m: &Merchant<K>, t: &Value, ts: u64, nonce: &str) -> wxpay::v3::SignedRequest {
    let str_ = |k: &str| s(&t[k]).to_owned();
    let fen = |k: &str| Fen::new(t[k].as_u64().unwrap());
    match s(&t["type"]) {
        "download_certificates" => m.sign_request(&DownloadCertificates, ts, nonce),
        "jsapi_order" => {
            let mut o = JsapiOrder::new(str_("description"), str_("out_trade_no"), fen("total"), str_("notify_url"), str_("openid"));
            o.attach = Some(str_("attach"));
            m.sign_request(&o, ts, nonce)
        }
        "query_by_out_trade_no" => m.sign_request(&QueryByOutTradeNo { out_trade_no: str_("out_trade_no") }, ts, nonce),
        "query_by_transaction_id" => m.sign_request(&QueryByTransactionId { transaction_id: str_("transaction_id") }, ts, nonce),
        "close" => m.sign_request(&CloseOrder { out_trade_no: str_("out_trade_no") }, ts, nonce),
        "refund" => {
            let mut r =
                CreateRefund::new(TradeRef::TransactionId(str_("transaction_id")), str_("out_refund_no"), fen("refund"), fen("total"));
            r.reason = Some(str_("reason"));
            m.sign_request(&r, ts, nonce)
        }
        "query_refund" => m.sign_request(&QueryRefund { out_refund_no: str_("out_refund_no") }, ts, nonce),
        other => panic!("unknown request type {other}"),
    }
    .unwrap()
}

/// Every request: the message, and a signature and `Authorization` header equal byte for byte
/// to the ones Python's `cryptography` made (PKCS#1 v1.5 is deterministic); the typed builders
/// give the same path, body and header.
pub fn request_signatures_match_outside_tool() {
    let m = merchant();
    let v = data();
    let cases = v["requests"].as_array().unwrap();
    assert!(cases.len() >= 7);
    for c in cases {
        let name = s(&c["name"]);
        let (method, path, ts, nonce, body) =
            (s(&c["method"]), s(&c["path"]), c["timestamp"].as_u64().unwrap(), s(&c["nonce"]), s(&c["body"]));
        assert_eq!(v3::request_message(method, path, ts, nonce, body).unwrap(), s(&c["message"]), "{name}");
        assert_eq!(m.key.sign(s(&c["message"]).as_bytes()).unwrap(), s(&c["signature"]), "{name}");
        assert_eq!(m.authorization(method, path, ts, nonce, body).unwrap(), s(&c["authorization"]), "{name}");
        let signed = typed_request(&m, &c["typed"], ts, nonce);
        assert_eq!((signed.method, signed.path_and_query.as_str(), signed.body.as_str()), (method, path, body), "{name}");
        assert_eq!(signed.authorization, s(&c["authorization"]), "{name}");
    }
}

/// A [`Signer`] outside the crate: it answers with the signatures Python's `cryptography` made
/// for each message of the vectors, and fails on any other.
struct OutsideSigner(Vec<(String, String)>);

impl Signer for OutsideSigner {
    fn sign(&self, message: &[u8]) -> Result<String, Error> {
        self.0.iter().find(|(m, _)| m.as_bytes() == message).map(|(_, sig)| sig.clone()).ok_or(Error::InvalidKey("no such message"))
    }
}

/// A merchant whose key is held elsewhere (an HSM, or `node:crypto` in the wasm package) makes
/// the same requests and `paySign`, and the signer's error comes back unchanged.
pub fn outside_signer_makes_the_same_requests() {
    let v = data();
    let mut known: Vec<(String, String)> =
        v["requests"].as_array().unwrap().iter().map(|c| (s(&c["message"]).to_owned(), s(&c["signature"]).to_owned())).collect();
    known.push((s(&v["pay_sign"]["message"]).to_owned(), s(&v["pay_sign"]["paySign"]).to_owned()));
    let m = Merchant::new(s(&v["appid"]), s(&v["mchid"]), s(&v["merchant_serial_no"]), OutsideSigner(known)).unwrap();
    for c in v["requests"].as_array().unwrap() {
        let ts = c["timestamp"].as_u64().unwrap();
        let signed = typed_request(&m, &c["typed"], ts, s(&c["nonce"]));
        assert_eq!(signed.authorization, s(&c["authorization"]), "{}", s(&c["name"]));
    }
    let c = &v["pay_sign"];
    let p = PaymentParams::new(s(&c["appId"]), s(&c["prepay_id"]), &m.key, s(&c["timeStamp"]).parse().unwrap(), s(&c["nonceStr"])).unwrap();
    assert_eq!(p.pay_sign, s(&c["paySign"]));
    assert_eq!(m.authorization("GET", "/v3/certificates", 1, "unknown", ""), Err(Error::InvalidKey("no such message")));
}

/// `paySign` over WeChat's example values equals the outside tool's, and the object handed to
/// `wx.requestPayment` is exactly its five fields.
pub fn pay_sign_matches_outside_tool() {
    let v = data();
    let c = &v["pay_sign"];
    assert_eq!(v3::pay_sign_message(s(&c["appId"]), s(&c["timeStamp"]), s(&c["nonceStr"]), s(&c["package"])), s(&c["message"]));
    let key = MerchantKey::from_pem(MERCHANT_KEY).unwrap();
    let p = PaymentParams::new(s(&c["appId"]), s(&c["prepay_id"]), &key, s(&c["timeStamp"]).parse().unwrap(), s(&c["nonceStr"])).unwrap();
    let got = serde_json::to_value(&p).unwrap();
    assert_eq!(got.as_object().unwrap().len(), 5, "{got}");
    for k in ["timeStamp", "nonceStr", "package", "signType", "paySign"] {
        assert_eq!(got[k], c[k], "{k}");
    }
    let public = PublicKey::from_pem(MERCHANT_PUBLIC_KEY).unwrap();
    assert_eq!(key.public_key(), public);
    assert_eq!(p.verify(s(&c["appId"]), &public), Ok(()));
}

/// Responses signed by the outside tool (WeChat Pay public key and platform certificate) verify
/// over the exact bytes and parse to the expected objects; an error answer is a typed error.
pub fn responses_verify_and_parse() {
    let keys = key_set();
    let v = data();
    for c in v["responses"].as_array().unwrap() {
        let name = s(&c["name"]);
        let (status, h, body, now) =
            (c["status"].as_u64().unwrap() as u16, headers(&c["headers"]), s(&c["body"]).as_bytes(), c["now"].as_u64().unwrap());
        let got: Result<Value, Error> = match s(&c["type"]) {
            "jsapi_order" => v3::read_response::<JsapiOrder>(&keys, status, &h, body, now).map(|r| serde_json::to_value(r).unwrap()),
            "query_by_out_trade_no" => {
                v3::read_response::<QueryByOutTradeNo>(&keys, status, &h, body, now).map(|r| serde_json::to_value(r).unwrap())
            }
            "close" => v3::read_response::<CloseOrder>(&keys, status, &h, body, now).map(|()| Value::Null),
            "refund" => v3::read_response::<CreateRefund>(&keys, status, &h, body, now).map(|r| serde_json::to_value(r).unwrap()),
            other => panic!("unknown response type {other}"),
        };
        match c.get("expected_error") {
            Some(e) => assert_eq!(
                got,
                Err(Error::ApiError {
                    status,
                    code: s(&e["code"]).to_owned(),
                    message: s(&e["message"]).to_owned(),
                    detail: Some(s(&e["detail"]).to_owned()),
                }),
                "{name}"
            ),
            None => assert_eq!(got.unwrap_or_else(|e| panic!("{name}: {e}")), c["expected"], "{name}"),
        }
    }
}

/// Notifies signed and encrypted by the outside tool open to the expected typed events.
pub fn notifies_verify_and_decrypt() {
    let (keys, key) = (key_set(), api_v3_key());
    let v = data();
    for c in v["notifies"].as_array().unwrap() {
        let name = s(&c["name"]);
        let n = keys
            .open_notification(&key, &headers(&c["headers"]), s(&c["body"]).as_bytes(), c["now"].as_u64().unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(&n.event).unwrap(), c["expected"], "{name}");
        let body: Value = serde_json::from_str(s(&c["body"])).unwrap();
        assert_eq!((n.id.as_str(), n.event_type.as_str()), (s(&body["id"]), s(&body["event_type"])), "{name}");
    }
}

/// The certificate download decrypts to the platform certificate, whose serial is the announced
/// one, and the download verifies with the certificates it carries.
pub fn certificate_download_decrypts_and_verifies() {
    let v = data();
    let c = &v["certificates"];
    let body = s(&c["body"]).as_bytes();
    let response: CertificatesResponse = serde_json::from_slice(body).unwrap();
    let certs = response.decrypt(&api_v3_key()).unwrap();
    let serials: Vec<&str> = certs.iter().map(|d| d.certificate.serial_no.as_str()).collect();
    let expected: Vec<&str> = c["serials"].as_array().unwrap().iter().map(s).collect();
    assert_eq!(serials, expected);
    assert_eq!(certs[0].pem, PLATFORM_CERT);
    assert_eq!(certs[0].certificate.not_after, c["not_after"].as_u64().unwrap());
    let mut keys = KeySet::new();
    for d in certs {
        keys.add_certificate(d.certificate);
    }
    keys.verify(&headers(&c["headers"]), body, c["now"].as_u64().unwrap()).unwrap();
    // The same in one step, from an empty key set, as a merchant's first download is.
    let mut fresh = KeySet::new();
    let added = fresh.add_downloaded_certificates(&api_v3_key(), 200, &headers(&c["headers"]), body, c["now"].as_u64().unwrap()).unwrap();
    assert_eq!(added.iter().map(|d| d.certificate.serial_no.as_str()).collect::<Vec<_>>(), expected);
    assert_eq!(fresh.serials().collect::<Vec<_>>(), expected);
    // The download is also a typed request.
    assert_eq!(DownloadCertificates.path_and_query("1900000109").unwrap(), "/v3/certificates");
    assert_eq!(PlatformCertificate::from_pem(PLATFORM_CERT).unwrap().serial_no, s(&v["platform_serial_no"]));
}
