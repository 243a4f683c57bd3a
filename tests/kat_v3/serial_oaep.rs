//! Known answers for `Wechatpay-Serial` on requests (the switchover table), sensitive fields
//! (RSA-OAEP) and `SIGN_ERROR` diagnosis, from tests/data/v3_switchover.json, v3_oaep.json and
//! v3_sign_error.json (made by scripts/make-v3-vectors with Python's `cryptography`).

use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Oaep, RsaPrivateKey};
use serde_json::Value;
use wxpay::v3::{
    self, AbnormalRefundRequest, DownloadCertificatesRequest, FieldEncryptor, KeySet, MerchantKey, PlatformCertificate, PublicKey,
    SignDiagnosis, SignInformation, SignLine, SignedRequest,
};

use super::{data, key_set, merchant, s, MERCHANT_KEY, PLATFORM_CERT, PLATFORM_KEY, WECHATPAY_KEY, WECHATPAY_PUBLIC_KEY};

pub const SWITCHOVER: &str = include_str!("../data/v3_switchover.json");
pub const SIGN_ERRORS: &str = include_str!("../data/v3_sign_error.json");
pub const OAEP: &str = include_str!("../data/v3_oaep.json");

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// A test WeChat private key, for the dev-side check that what we encrypt decrypts.
fn rsa_private_key(pem: &str) -> RsaPrivateKey {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    RsaPrivateKey::from_pkcs8_der(&B64.decode(body).unwrap()).unwrap()
}

fn oaep_decrypt(key: &RsaPrivateKey, ciphertext: &str) -> String {
    String::from_utf8(key.decrypt(Oaep::new::<sha1::Sha1>(), &B64.decode(ciphertext).unwrap()).unwrap()).unwrap()
}

/// The key set a row of the table holds.
fn held(table: &Value, row: &Value) -> KeySet {
    let mut keys = KeySet::new();
    for h in row["held"].as_array().unwrap().iter().map(s) {
        if h == "public_key" {
            keys.add_public_key(s(&table["public_key_id"]), WECHATPAY_PUBLIC_KEY).unwrap();
        } else {
            let c = &table["certificates"][h];
            let serial = keys.add_certificate_pem(s(&c["pem"])).unwrap();
            assert_eq!(serial, s(&c["serial_no"]), "{h}");
            let cert = PlatformCertificate::from_pem(s(&c["pem"])).unwrap();
            assert_eq!((cert.not_before, cert.not_after), (c["not_before"].as_u64().unwrap(), c["not_after"].as_u64().unwrap()), "{h}");
        }
    }
    keys
}

/// The switchover: each row's key set names the serial the outside rule computed (or none), in
/// `request_serial`, in a request signed with the keys, and in the key fields are encrypted to.
pub fn request_serial_follows_the_switchover_table() {
    let table = json(SWITCHOVER);
    let m = merchant();
    let rows = table["rows"].as_array().unwrap();
    assert!(rows.len() >= 10);
    for row in rows {
        let (name, now) = (s(&row["name"]), row["now"].as_u64().unwrap());
        let keys = held(&table, row);
        let signed = m.sign_request_with_keys(&keys, &DownloadCertificatesRequest, now, "593BEC0C930BF1AFEB40B4A08C8FB242");
        match row.get("expected") {
            Some(expected) => {
                assert_eq!(keys.request_serial(now), Ok(s(expected)), "{name}");
                assert_eq!(signed.unwrap().wechatpay_serial.as_deref(), Some(s(expected)), "{name}");
                assert_eq!(keys.field_encryptor(now).unwrap().serial(), s(expected), "{name}");
            }
            None => {
                let code = s(&row["expected_error"]);
                assert_eq!(keys.request_serial(now).unwrap_err().code(), code, "{name}");
                assert_eq!(signed.unwrap_err().code(), code, "{name}");
                assert_eq!(keys.field_encryptor(now).unwrap_err().code(), code, "{name}");
            }
        }
    }
}

/// Ciphertexts Python made to the merchant's public key decrypt with `MerchantKey` to their
/// plaintexts (Chinese names, a 19-digit account, the empty text, the longest OAEP allows);
/// those made to another key or with another padding are refused.
pub fn merchant_key_decrypts_outside_ciphertexts() {
    let v = json(OAEP);
    let key = MerchantKey::from_pem(MERCHANT_KEY).unwrap();
    let cases = v["merchant"].as_array().unwrap();
    assert!(cases.iter().any(|c| s(&c["plaintext"]) == "6222021234567890123"));
    for c in cases {
        let plain = key.decrypt_sensitive(s(&c["ciphertext"])).unwrap_or_else(|e| panic!("{}: {e}", s(&c["name"])));
        assert_eq!(plain.expose(), s(&c["plaintext"]), "{}", s(&c["name"]));
        assert_eq!(format!("{plain:?}"), "SensitiveText(***)");
    }
    for c in v["must_fail"].as_array().unwrap() {
        let err = key.decrypt_sensitive(s(&c["ciphertext"])).unwrap_err();
        assert_eq!(err.code(), s(&c["error"]), "{}", s(&c["name"]));
    }
}

/// What we encrypt to the WeChat Pay public key and to the platform certificate decrypts with
/// the matching test private keys (RSA-OAEP, SHA-1: the `rsa` crate as a second opinion; the
/// outside check is scripts/make-v3-vectors --decrypt-check over examples/oaep_ciphertexts.rs).
pub fn encrypted_fields_decrypt_with_wechat_keys() {
    let v = data();
    let wechat = PublicKey::from_pem(WECHATPAY_PUBLIC_KEY).unwrap();
    let platform = PlatformCertificate::from_pem(PLATFORM_CERT).unwrap();
    for (serial, key, private) in [
        (s(&v["public_key_id"]), &wechat, rsa_private_key(WECHATPAY_KEY)),
        (s(&v["platform_serial_no"]), platform.public_key(), rsa_private_key(PLATFORM_KEY)),
    ] {
        let e = FieldEncryptor::new(serial, key);
        for text in ["张三", "6222021234567890123", ""] {
            let c1 = e.encrypt("real_name", &text.into()).unwrap();
            let c2 = e.encrypt("real_name", &text.into()).unwrap();
            assert_ne!(c1, c2, "OAEP is randomised");
            assert_eq!(B64.decode(&c1).unwrap().len(), 256);
            assert_eq!(oaep_decrypt(&private, &c1), text, "{serial}");
        }
    }
}

/// The abnormal refund: the card fields encrypted to the key the key set names, that key's serial
/// in `Wechatpay-Serial`, the path and body as WeChat documents them, signed like any request.
pub fn abnormal_refund_is_encrypted_and_names_its_key() {
    let v = data();
    let (m, now) = (merchant(), v["now"].as_u64().unwrap());
    let request = AbnormalRefundRequest::user_bank_card(
        "50000408942026112307145868882",
        "R20261123000001",
        "ICBC_DEBIT",
        "6222021234567890123",
        "张三",
    );
    assert!(!format!("{request:?}").contains("6222021234567890123") && !format!("{request:?}").contains("张三"));
    let encrypted = request.encrypt(&key_set(), now).unwrap();
    // The key set holds both kinds: the public key is named and encrypted to.
    assert_eq!(encrypted.serial(), s(&v["public_key_id"]));
    let signed = m.sign_request(&encrypted, now, "Yk2f8uAnm0XqP3t6").unwrap();
    assert_eq!(signed.wechatpay_serial.as_deref(), Some(s(&v["public_key_id"])));
    assert_eq!(signed.path_and_query, "/v3/refund/domestic/refunds/50000408942026112307145868882/apply-abnormal-refund");
    assert_eq!(signed.authorization, m.authorization("POST", &signed.path_and_query, now, "Yk2f8uAnm0XqP3t6", &signed.body).unwrap());
    let body: Value = serde_json::from_str(&signed.body).unwrap();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert_eq!((s(&body["out_refund_no"]), s(&body["type"]), s(&body["bank_type"])), ("R20261123000001", "USER_BANK_CARD", "ICBC_DEBIT"));
    assert!(!signed.body.contains("6222021234567890123") && !signed.body.contains("张三"));
    let wechat = rsa_private_key(WECHATPAY_KEY);
    assert_eq!(oaep_decrypt(&wechat, s(&body["bank_account"])), "6222021234567890123");
    assert_eq!(oaep_decrypt(&wechat, s(&body["real_name"])), "张三");
    // Signed with the key set, the serial stays the one the fields were encrypted to.
    let mut certificate_only = KeySet::new();
    certificate_only.add_certificate_pem(PLATFORM_CERT).unwrap();
    let to_certificate = request.encrypt(&certificate_only, now).unwrap();
    let signed = m.sign_request_with_keys(&key_set(), &to_certificate, now, "Yk2f8uAnm0XqP3t7").unwrap();
    assert_eq!(signed.wechatpay_serial.as_deref(), Some(s(&v["platform_serial_no"])));
    let body: Value = serde_json::from_str(&signed.body).unwrap();
    assert_eq!(oaep_decrypt(&rsa_private_key(PLATFORM_KEY), s(&body["real_name"])), "张三");
    // To the merchant's card: no card field at all.
    let merchant_card = AbnormalRefundRequest::merchant_bank_card("50000408942026112307145868882", "R20261123000001");
    let signed = m.sign_request_with_keys(&key_set(), &merchant_card.encrypt(&key_set(), now).unwrap(), now, "Yk2f8uAnm0XqP3t8").unwrap();
    assert_eq!(signed.body, r#"{"out_refund_no":"R20261123000001","type":"MERCHANT_BANK_CARD"}"#);
    assert_eq!(signed.wechatpay_serial.as_deref(), Some(s(&v["public_key_id"])));
}

fn expected_diagnosis(e: &Value) -> SignDiagnosis {
    match s(&e["kind"]) {
        "same_message" => SignDiagnosis::SameMessage,
        "length_differs" => {
            SignDiagnosis::LengthDiffers { expected: e["expected"].as_u64().unwrap(), signed: e["signed"].as_u64().unwrap() }
        }
        "line_differs" => SignDiagnosis::LineDiffers {
            line: match s(&e["line"]) {
                "method" => SignLine::Method,
                "path" => SignLine::Path,
                "timestamp" => SignLine::Timestamp,
                "nonce" => SignLine::Nonce,
                "body" => SignLine::Body,
                other => panic!("unknown line {other}"),
            },
            expected: s(&e["expected"]).to_owned(),
            signed: s(&e["signed"]).to_owned(),
            offset: e["offset"].as_u64().unwrap() as usize,
        },
        other => panic!("unknown diagnosis {other}"),
    }
}

/// `SIGN_ERROR` answers shaped as WeChat's: the typed error carries the sign information, and
/// compared with what was signed it names the first differing line (or the lengths, or the same
/// message) as the outside script computed; the diagnosis never shows the signature.
pub fn sign_error_answers_diagnose_the_first_differing_line() {
    let v = json(SIGN_ERRORS);
    let m = merchant();
    let cases = v["sign_errors"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for c in cases {
        let name = s(&c["name"]);
        let err = v3::api_error(c["status"].as_u64().unwrap() as u16, s(&c["body"]).as_bytes());
        assert_eq!(err.err_code(), Some("SIGN_ERROR"), "{name}");
        let info = SignInformation::from_error(&err).unwrap_or_else(|| panic!("{name}: no sign information in {err:?}"));
        assert_eq!(SignInformation::from_detail(s(&c["body"])).as_ref(), Ok(&info), "{name}: from the whole body");
        let g = &c["signed"];
        let (method, path, ts, nonce, body) =
            (s(&g["method"]), s(&g["path"]), g["timestamp"].as_u64().unwrap(), s(&g["nonce"]), s(&g["body"]));
        let authorization = m.authorization(method, path, ts, nonce, body).unwrap();
        let signed = SignedRequest {
            method: if method == "GET" { "GET" } else { "POST" },
            path_and_query: path.to_owned(),
            body: body.to_owned(),
            authorization: authorization.clone(),
            wechatpay_serial: None,
            timestamp: ts,
            nonce: nonce.to_owned(),
        };
        let diagnosis = info.diagnose(&signed);
        assert_eq!(diagnosis, expected_diagnosis(&c["expected"]), "{name}");
        let signature = authorization.split("signature=\"").nth(1).unwrap().split('"').next().unwrap();
        let shown = format!("{diagnosis} {diagnosis:?} {info:?}");
        assert!(!shown.contains(signature) && !shown.contains("WECHATPAY2"), "{name}: {shown}");
    }
}
