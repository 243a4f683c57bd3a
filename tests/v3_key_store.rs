//! The key store (src/v3/key_store.rs): the rotation known answers of
//! tests/data/v3_rotation_vectors.json (tests/kat_key_store/, also run under WebAssembly by
//! tests/wasm_v3_key_store.rs), and the negative cases, named by the outcome.
#![cfg(all(feature = "v3", not(target_arch = "wasm32")))]

mod kat_key_store;

use kat_key_store::{after_first_download, api_v3_key, data, headers, held, ingest, s, serial};
use serde_json::Value;
use wxpay::v3::{ApiV3Key, DownloadAdvice, KeyStore, Refresh, SignatureHeaders, REFRESH_INTERVAL_SECS};

const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000001202611230000000000000000";
const WECHATPAY_PUBLIC_KEY: &str = include_str!("data/v3_test_wechatpay_public_key.pem");

#[test]
fn rotation_keeps_the_old_certificate_until_it_expires() {
    kat_key_store::rotation_keeps_the_old_certificate_until_it_expires();
}

#[test]
fn refused_answers_change_nothing() {
    kat_key_store::refused_answers_change_nothing();
}

/// A store with something in every field: the public key, both certificates, a refresh, an
/// unknown-serial download and another interval.
fn full_store() -> KeyStore {
    let v = data();
    let mut store = KeyStore::new();
    store.add_public_key(PUB_KEY_ID, WECHATPAY_PUBLIC_KEY).unwrap();
    store.set_refresh_interval(6 * 3600).unwrap();
    ingest(&mut store, &v["downloads"][0]).unwrap();
    ingest(&mut store, &v["downloads"][1]).unwrap();
    let now = v["downloads"][1]["now"].as_u64().unwrap();
    assert_eq!(store.on_unknown_serial("0BADC0DE", now + 60), DownloadAdvice::Download);
    store
}

#[test]
fn a_store_round_trips_through_json_exactly() {
    let store = full_store();
    let text = store.to_json();
    let back = KeyStore::from_json(&text).unwrap();
    assert_eq!(back, store);
    assert_eq!(back.to_json(), text, "the same text again");
    assert_eq!(format!("{back:?}"), format!("{store:?}"));
    // Through serde as well (a store inside a larger saved object).
    let via_serde: KeyStore = serde_json::from_value(serde_json::to_value(&store).unwrap()).unwrap();
    assert_eq!(via_serde, store);
    assert_eq!(serde_json::to_string(&via_serde).unwrap(), text);
    // The keys read back verify what the originals verify.
    let m = &data()["signed_by_new"];
    back.verify(&headers(&m["headers"]), s(&m["body"]).as_bytes(), m["now"].as_u64().unwrap()).unwrap();
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["refresh_interval_secs"], 6 * 3600);
}

/// `(what was changed, the saved store with it changed)`: each one must be refused.
fn tamperings(text: &str) -> Vec<(&'static str, String)> {
    let saved: Value = serde_json::from_str(text).unwrap();
    let mut out = vec![];
    let mut change = |what: &'static str, f: &dyn Fn(&mut Value)| {
        let mut v = saved.clone();
        f(&mut v);
        out.push((what, serde_json::to_string(&v).unwrap()));
    };
    // A character of the certificate's signature (not of its serial, dates or key): only the
    // recorded sha256 shows it.
    change("a character of a certificate's PEM", &|v| {
        let pem = v["certificates"][0]["pem"].as_str().unwrap();
        let at = pem.len() - 40;
        let c = if &pem[at..at + 1] == "A" { "B" } else { "A" };
        v["certificates"][0]["pem"] = Value::from(format!("{}{c}{}", &pem[..at], &pem[at + 1..]));
    });
    change("a certificate's serial", &|v| v["certificates"][0]["serial_no"] = Value::from(serial("new")));
    change("a certificate's notAfter", &|v| v["certificates"][0]["not_after"] = Value::from(4_102_444_800u64));
    change("a certificate's sha256", &|v| v["certificates"][1]["sha256"] = v["certificates"][0]["sha256"].clone());
    change("a certificate given twice", &|v| {
        let c = v["certificates"][0].clone();
        v["certificates"].as_array_mut().unwrap().push(c);
    });
    change("a public key's PEM", &|v| v["public_keys"][0]["pem"] = v["certificates"][0]["pem"].clone());
    change("the version", &|v| v["version"] = Value::from(2));
    change("an unknown field", &|v| v["trusted"] = Value::from(true));
    change("a missing field", &|v| drop(v.as_object_mut().unwrap().remove("public_keys")));
    out
}

#[test]
fn a_tampered_store_is_refused() {
    let text = full_store().to_json();
    for (what, tampered) in tamperings(&text) {
        let err = KeyStore::from_json(&tampered).expect_err(what);
        assert_eq!(err.code(), "INVALID_KEY_STORE", "{what}: {err}");
        assert!(serde_json::from_str::<KeyStore>(&tampered).is_err(), "{what}: through serde");
    }
}

#[test]
fn a_truncated_store_is_refused() {
    let text = full_store().to_json();
    for len in (0..text.len()).filter(|n| text.is_char_boundary(*n)) {
        assert_eq!(KeyStore::from_json(&text[..len]).map_err(|e| e.code()), Err("INVALID_KEY_STORE"), "{len} bytes");
    }
}

#[test]
fn a_store_of_another_version_is_refused() {
    let err = KeyStore::from_json(r#"{"version":2,"keys":[]}"#).unwrap_err();
    assert_eq!(err.to_string(), "key store refused: version 2 is not supported (expected 1)");
}

#[test]
fn a_forged_serial_storm_downloads_once() {
    let mut store = after_first_download();
    let now = store.last_refresh().unwrap();
    let mut downloads = 0;
    for i in 0..500u64 {
        // Every instance shares the store: each reads it, asks, saves it.
        let mut instance = KeyStore::from_json(&store.to_json()).unwrap();
        let forged = format!("{:040X}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let at = now + i * (REFRESH_INTERVAL_SECS / 500);
        if instance.on_unknown_serial(&forged, at).should_download() {
            downloads += 1;
        }
        store = instance;
    }
    assert_eq!(downloads, 1);
    assert_eq!(held(&store), vec![serial("old")], "nothing is added by asking");
    // The next interval allows one more.
    assert_eq!(store.on_unknown_serial("FF", now + REFRESH_INTERVAL_SECS), DownloadAdvice::Download);
    assert!(!store.on_unknown_serial("FE", now + REFRESH_INTERVAL_SECS + 1).should_download());
}

#[test]
fn an_unknown_public_key_id_never_downloads() {
    for mut store in [KeyStore::new(), after_first_download()] {
        for t in [0, 1, REFRESH_INTERVAL_SECS * 10] {
            assert_eq!(store.on_unknown_serial("PUB_KEY_ID_0119000001202611239999999999999999", t), DownloadAdvice::ConfigurePublicKey);
        }
        // And it does not use up the interval of the certificate serials.
        assert_eq!(store.on_unknown_serial("0BADC0DE", 1), DownloadAdvice::Download);
    }
}

#[test]
fn a_404_for_a_public_key_merchant_does_not_make_the_store_due() {
    let not_found = br#"{"code":"NOT_FOUND","message":"no platform certificate"}"#;
    let none = SignatureHeaders::default();
    let t = 1_795_000_000;
    // With the public key configured: never due, before and after the 404.
    let mut configured = KeyStore::new();
    configured.add_public_key(PUB_KEY_ID, WECHATPAY_PUBLIC_KEY).unwrap();
    // A forged certificate serial makes it ask once; WeChat answers 404.
    assert_eq!(configured.on_unknown_serial("0BADC0DE", t), DownloadAdvice::Download);
    assert_eq!(configured.ingest_certificates(&api_v3_key(), 404, &none, not_found, t), Ok(Refresh::NoCertificates { dropped: vec![] }));
    assert_eq!(configured.on_unknown_serial("0BADC0DF", t + 1), DownloadAdvice::NoCertificates);
    // A store that starts empty (the merchant's first run): due once, then never again.
    let mut empty = KeyStore::new();
    assert!(empty.refresh_due(t));
    assert_eq!(empty.ingest_certificates(&api_v3_key(), 404, &none, not_found, t), Ok(Refresh::NoCertificates { dropped: vec![] }));
    for store in [configured, empty] {
        let store = KeyStore::from_json(&store.to_json()).unwrap();
        assert_eq!(store.next_refresh(), None);
        for later in [t, t + 1, t + REFRESH_INTERVAL_SECS, t + 365 * 24 * 3600] {
            assert!(!store.refresh_due(later), "{later}");
        }
    }
}

#[test]
fn an_answer_signed_by_an_unknown_key_changes_nothing() {
    let v = data();
    let forged = &v["refused"][0];
    // Held keys (the old certificate) do not know it, and an empty store's bootstrap finds it
    // among none of the certificates it carries.
    for mut store in [after_first_download(), KeyStore::new()] {
        let before = store.to_json();
        let err = ingest(&mut store, forged).unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_SERIAL", "{err}");
        assert_eq!(store.to_json(), before);
    }
}

#[test]
fn a_carried_certificate_does_not_vouch_for_its_answer_once_one_is_held() {
    let v = data();
    let answer = &v["refused"][1];
    let mut store = after_first_download();
    let before = store.to_json();
    assert_eq!(ingest(&mut store, answer).unwrap_err().code(), "UNKNOWN_SERIAL");
    assert_eq!(store.to_json(), before);
    // The same answer bootstraps a store that holds no valid certificate.
    let mut fresh = KeyStore::new();
    assert!(ingest(&mut fresh, answer).is_ok());
    assert_eq!(held(&fresh), vec![serial("new")]);
}

#[test]
fn an_answer_under_another_api_v3_key_changes_nothing() {
    let v = data();
    let first = &v["downloads"][0];
    let other = ApiV3Key::new("another32byteApiV3KeyForTests!!!").unwrap();
    let mut store = KeyStore::new();
    let h = headers(&first["headers"]);
    let err = store.ingest_certificates(&other, 200, &h, s(&first["body"]).as_bytes(), first["now"].as_u64().unwrap()).unwrap_err();
    assert_eq!(err.code(), "AEAD_TAG_MISMATCH");
    assert_eq!(store, KeyStore::new());
    // Also with a certificate held: verified first, and still not decrypted.
    let mut store = after_first_download();
    let before = store.to_json();
    let second = &v["downloads"][1];
    let err = store.ingest_certificates(
        &other,
        200,
        &headers(&second["headers"]),
        s(&second["body"]).as_bytes(),
        second["now"].as_u64().unwrap(),
    );
    assert_eq!(err.unwrap_err().code(), "AEAD_TAG_MISMATCH");
    assert_eq!(store.to_json(), before);
}

#[test]
fn a_tampered_answer_changes_nothing() {
    let v = data();
    for (i, held_before) in [(0, KeyStore::new()), (1, after_first_download())] {
        let d = &v["downloads"][i];
        let body = s(&d["body"]).replace("T08:00:00+08:00", "T08:00:01+08:00");
        assert_ne!(body, s(&d["body"]));
        let mut store = held_before.clone();
        let err = store.ingest_certificates(&api_v3_key(), 200, &headers(&d["headers"]), body.as_bytes(), d["now"].as_u64().unwrap());
        assert_eq!(err.unwrap_err().code(), "SIGNATURE_MISMATCH");
        assert_eq!(store, held_before);
    }
}
