//! The key store's known answers over tests/data/v3_rotation_vectors.json (a platform-certificate
//! rotation made by Python's `cryptography` in scripts/make-v3-rotation-vectors, not by our code),
//! shared by the native tests (tests/v3_key_store.rs) and the wasm tests
//! (tests/wasm_v3_key_store.rs). The data is compiled in: a wasm test has no file system.
#![allow(dead_code)]

use serde_json::Value;
use wxpay::v3::{ApiV3Key, KeyStore, Refresh, SignatureHeaders, REFRESH_INTERVAL_SECS};

pub const VECTORS: &str = include_str!("../data/v3_rotation_vectors.json");

pub fn data() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

pub fn api_v3_key() -> ApiV3Key {
    ApiV3Key::new(s(&data()["api_v3_key"])).unwrap()
}

pub fn headers(h: &Value) -> SignatureHeaders {
    SignatureHeaders::from_pairs(h.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), s(v))))
}

/// The serial of the certificate labelled `label` ("old" or "new").
pub fn serial(label: &str) -> String {
    let v = data();
    let c = v["certificates"].as_array().unwrap().iter().find(|c| c["label"] == label).unwrap();
    s(&c["serial_no"]).to_owned()
}

/// Takes in one download of the vectors.
pub fn ingest(store: &mut KeyStore, download: &Value) -> Result<Refresh, wxpay::Error> {
    store.ingest_certificates(
        &api_v3_key(),
        download["status"].as_u64().unwrap() as u16,
        &headers(&download["headers"]),
        s(&download["body"]).as_bytes(),
        download["now"].as_u64().unwrap(),
    )
}

pub fn held(store: &KeyStore) -> Vec<String> {
    store.certificates().map(|c| c.serial_no.clone()).collect()
}

/// The store after the vectors' first download: the old certificate, from an empty store.
pub fn after_first_download() -> KeyStore {
    let v = data();
    let mut store = KeyStore::new();
    ingest(&mut store, &v["downloads"][0]).unwrap();
    store
}

/// The rotation, download after download from an empty store: the first download bootstraps
/// (signed by the certificate it carries), the second adds the new certificate a day before its
/// use (signed by the old one, held), the new one then verifies WeChat's messages, and the third
/// (signed by the new one) drops the old one, expired. Each step is due when it should be, and
/// the store reads back from its JSON unchanged at every step.
pub fn rotation_keeps_the_old_certificate_until_it_expires() {
    let v = data();
    let (old, new) = (serial("old"), serial("new"));
    let downloads = v["downloads"].as_array().unwrap();
    let mut store = KeyStore::new();
    let mut previous: Vec<String> = vec![];
    for d in downloads {
        let (name, now) = (s(&d["name"]), d["now"].as_u64().unwrap());
        assert!(store.refresh_due(now), "{name}: due");
        let got = ingest(&mut store, d).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: Vec<String> = d["held_after"].as_array().unwrap().iter().map(|x| s(x).to_owned()).collect();
        assert_eq!(held(&store), expected, "{name}");
        let added: Vec<String> = expected.iter().filter(|x| !previous.contains(x)).cloned().collect();
        let dropped: Vec<String> = previous.iter().filter(|x| !expected.contains(x)).cloned().collect();
        assert_eq!(got, Refresh::Updated { added, dropped }, "{name}");
        assert_eq!(store.last_refresh(), Some(now), "{name}");
        assert_eq!(store.next_refresh(), Some(now + REFRESH_INTERVAL_SECS), "{name}");
        assert!(!store.refresh_due(now + REFRESH_INTERVAL_SECS - 1), "{name}: not due within the interval");
        assert_eq!(KeyStore::from_json(&store.to_json()).unwrap(), store, "{name}: JSON");
        let serials: Vec<&str> = store.key_set().serials().collect();
        assert_eq!(serials, expected.iter().map(String::as_str).collect::<Vec<_>>(), "{name}: the key set follows");
        if d == &downloads[1] {
            // Listed, held, and WeChat's first message signed with it verifies.
            let m = &v["signed_by_new"];
            store.verify(&headers(&m["headers"]), s(&m["body"]).as_bytes(), m["now"].as_u64().unwrap()).unwrap();
        }
        previous = expected;
    }
    assert_eq!(previous, vec![new]);
    assert!(!previous.contains(&old));
}

/// An answer the store must refuse (signed by a key neither held nor carried; signed by the new
/// certificate it carries while the old one is held and valid) is refused with the expected
/// error and changes nothing, to the byte of the saved store.
pub fn refused_answers_change_nothing() {
    let v = data();
    for r in v["refused"].as_array().unwrap() {
        let name = s(&r["name"]);
        assert_eq!(s(&r["after"]), "first download");
        let mut store = after_first_download();
        let before = store.to_json();
        let err = ingest(&mut store, r).expect_err(name);
        assert_eq!(err.code(), s(&r["error"]), "{name}: {err}");
        assert_eq!(store.to_json(), before, "{name}");
        assert_eq!(store.key_set().serials().collect::<Vec<_>>(), vec![serial("old").as_str()], "{name}");
    }
}
