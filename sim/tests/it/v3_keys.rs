//! WeChat's v3 keys in the three modes: answers signed with the key `Wechatpay-Serial` names,
//! `/v3/certificates` (404 without certificates, encrypted with the APIv3 key with them),
//! rotation (the new certificate listed at once, signing a day later or when activated), and
//! the switchover moving notifies and unnamed answers from the certificate to the public key.

use crate::common;

use std::time::Duration;

use serde_json::json;
use wxpay::v3::{DownloadCertificatesRequest, JsapiOrderRequest, QueryByOutTradeNoRequest, PUB_KEY_ID_PREFIX};
use wxpay::Fen;
use wxpay_sim::{Clock, KeyMode};

use common::v3::{now, tls_receiver, Answer, TlsReceiver};
use common::Sim;

const LIMIT: Duration = Duration::from_secs(20);

async fn start(mode: KeyMode) -> Sim {
    common::start_with(1000.0, Clock::system(), |c| c.v3_keys = mode).await
}

/// Any signed answer: the query of an order nobody placed (404, signed all the same).
async fn answer_naming(s: &Sim, serial: Option<&str>) -> Answer {
    s.v3_call_with_serial(serial, &QueryByOutTradeNoRequest { out_trade_no: "NOSUCHORDER1".into() }).await
}

/// Places and pays a v3 order whose notify goes to `merchant` → the notify's Wechatpay-Serial.
async fn notify_serial(s: &Sim, merchant: &TlsReceiver, no: &str) -> String {
    let (_, openid) = s.sim.issue_code(None);
    let keys = s.v3_keys();
    let order = JsapiOrderRequest::new("咖啡", no, Fen::new(100), &merchant.url, &openid);
    s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
    let before = merchant.all().len();
    s.pay(no).await;
    let got = merchant.wait_for(before + 1, LIMIT).await;
    got[before].header("wechatpay-serial").unwrap().to_owned()
}

fn is_upper_hex40(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[tokio::test]
async fn public_key_mode_signs_with_the_public_key_and_answers_certificates_404() {
    let s = start(KeyMode::PublicKey).await;
    let v3 = s.sim.ready().v3;
    assert_eq!((v3.platform_certificate.as_ref(), v3.platform_serial.as_ref()), (None, None));
    let id = v3.wechatpay_public_key_id.clone().unwrap();
    assert!(id.starts_with(PUB_KEY_ID_PREFIX), "{id}");
    assert!(is_upper_hex40(&v3.mch_serial), "{}", v3.mch_serial);
    assert_eq!(v3.apiv3_key.len(), 32);
    assert!(v3.mch_private_key.is_absolute() && v3.wechatpay_public_key.as_ref().unwrap().is_absolute());
    assert!(s.sim.ready().ca_file.is_absolute());
    let keys = s.v3_keys();
    for serial in [None, Some(id.as_str()), Some("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")] {
        let a = answer_naming(&s, serial).await;
        assert_eq!((a.status, a.json()["code"].as_str()), (404, Some("ORDER_NOT_EXIST")));
        assert_eq!(a.header("wechatpay-serial"), Some(id.as_str()), "asked for {serial:?}");
        keys.verify(&a.signature_headers(), &a.body, now()).expect("signed with the public key");
    }
    let certs = s.v3_call(&keys, &DownloadCertificatesRequest).await;
    assert_eq!((certs.status, certs.json()["code"].as_str()), (404, Some("RESOURCE_NOT_EXISTS")));
    keys.verify(&certs.signature_headers(), &certs.body, now()).expect("the 404 is signed");
    let (status, _) = s.control(reqwest::Method::POST, "/v3/keys/rotate", Some(json!({}))).await;
    assert_eq!(status, 409, "no certificates to rotate in public-key mode");
}

#[tokio::test]
async fn certificate_mode_signs_with_the_named_certificate_and_rotates() {
    let s = start(KeyMode::Certificate).await;
    let v3 = s.sim.ready().v3;
    assert_eq!((v3.wechatpay_public_key.as_ref(), v3.wechatpay_public_key_id.as_ref()), (None, None));
    let first = v3.platform_serial.clone().unwrap();
    assert!(is_upper_hex40(&first), "{first}");
    let keys = s.v3_keys();
    let a = answer_naming(&s, Some(&first)).await;
    assert_eq!(a.header("wechatpay-serial"), Some(first.as_str()));
    keys.verify(&a.signature_headers(), &a.body, now()).expect("signed with the certificate");

    // The download: verified with the certificate, decrypted with the APIv3 key.
    let certs = s.v3_call(&keys, &DownloadCertificatesRequest).await.read::<DownloadCertificatesRequest>(&keys).expect("signed");
    let listed = certs.decrypt(&s.api_v3_key()).expect("decrypted with the APIv3 key");
    assert_eq!(listed.iter().map(|c| c.certificate.serial_no.as_str()).collect::<Vec<_>>(), [first.as_str()]);
    let five_years = listed[0].certificate.not_after - listed[0].certificate.not_before;
    assert!((5 * 365 * 86_400..6 * 365 * 86_400).contains(&five_years), "{five_years}");

    // Rotate: both listed at once, each answers under its own serial when named; what names no
    // serial (answers, notifies) stays with the old one until the new one is activated.
    let merchant = tls_receiver(&s, |_| 200).await;
    assert_eq!(notify_serial(&s, &merchant, "V3CERT000001").await, first);
    let (status, rotated) = s.control(reqwest::Method::POST, "/v3/keys/rotate", Some(json!({}))).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["serial"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(rotated["keys"]["next_certificate"]["serial"].as_str(), Some(second.as_str()), "{rotated}");
    let certs = s.v3_call(&keys, &DownloadCertificatesRequest).await;
    assert_eq!(certs.header("wechatpay-serial"), Some(first.as_str()), "the download is signed by the held certificate");
    let mut all = keys.clone();
    let listed = all.add_downloaded_certificates(&s.api_v3_key(), certs.status, &certs.signature_headers(), &certs.body, now()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(all.request_serial(now()).unwrap(), second, "the rotated certificate is the newer by not_before: SDKs name it");
    for (asked, expected) in [(Some(first.as_str()), first.as_str()), (Some(second.as_str()), second.as_str()), (None, first.as_str())] {
        let a = answer_naming(&s, asked).await;
        assert_eq!(a.header("wechatpay-serial"), Some(expected), "asked for {asked:?}");
        all.verify(&a.signature_headers(), &a.body, now()).unwrap();
    }
    assert_eq!(notify_serial(&s, &merchant, "V3CERT000002").await, first, "listed is not yet in use");

    let (status, info) = s.control(reqwest::Method::POST, "/v3/keys/activate", Some(json!({}))).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!((info["answers_signed_by"].as_str(), info["notifies_signed_by"].as_str()), (Some(second.as_str()), Some(second.as_str())));
    assert_eq!(info["next_certificate"], serde_json::Value::Null);
    let a = answer_naming(&s, None).await;
    assert_eq!(a.header("wechatpay-serial"), Some(second.as_str()), "activated: the new one signs");
    all.verify(&a.signature_headers(), &a.body, now()).unwrap();
    assert_eq!(notify_serial(&s, &merchant, "V3CERT000003").await, second);
}

#[tokio::test]
async fn a_rotated_certificate_takes_over_by_itself_a_day_of_wechat_time_later() {
    // 24 h at 10^7×: under 9 ms.
    let s = common::start_with(1e7, Clock::system(), |c| c.v3_keys = KeyMode::Certificate).await;
    let (_, rotated) = s.control(reqwest::Method::POST, "/v3/keys/rotate", Some(json!({}))).await;
    let second = rotated["serial"].as_str().unwrap().to_owned();
    let at = rotated["takes_over_at_ms"].as_i64().expect("a takeover time");
    common::v3::wait_until("the takeover time passes", LIMIT, || Clock::system().now_ms() > at).await;
    let (_, info) = s.control(reqwest::Method::GET, "/v3/keys", None).await;
    assert_eq!((info["answers_signed_by"].as_str(), info["notifies_signed_by"].as_str()), (Some(second.as_str()), Some(second.as_str())));
    assert_eq!(answer_naming(&s, None).await.header("wechatpay-serial"), Some(second.as_str()));
}

#[tokio::test]
async fn a_rotated_certificate_waits_a_day_of_wechat_time_before_signing() {
    // 24 h at 1000×: 86.4 s, far beyond this test.
    let s = start(KeyMode::Certificate).await;
    let first = s.sim.ready().v3.platform_serial.unwrap();
    let before = Clock::system().now_ms();
    let (_, rotated) = s.control(reqwest::Method::POST, "/v3/keys/rotate", Some(json!({}))).await;
    let after = Clock::system().now_ms();
    let at = rotated["takes_over_at_ms"].as_i64().expect("a takeover time");
    assert!((before + 86_400..=after + 86_400).contains(&at), "24 h divided by the time scale after the rotation: {at}");
    let (_, info) = s.control(reqwest::Method::GET, "/v3/keys", None).await;
    assert_eq!((info["answers_signed_by"].as_str(), info["notifies_signed_by"].as_str()), (Some(first.as_str()), Some(first.as_str())));
}

#[tokio::test]
async fn switchover_answers_follow_wechatpay_serial_and_the_switch_moves_notifies_and_unnamed_answers() {
    let s = start(KeyMode::Switchover).await;
    let v3 = s.sim.ready().v3;
    let (id, cert) = (v3.wechatpay_public_key_id.clone().unwrap(), v3.platform_serial.clone().unwrap());
    let keys = s.v3_keys();
    for (asked, expected) in [(Some(cert.as_str()), cert.as_str()), (Some(id.as_str()), id.as_str()), (None, cert.as_str())] {
        let a = answer_naming(&s, asked).await;
        assert_eq!(a.header("wechatpay-serial"), Some(expected), "asked for {asked:?}");
        keys.verify(&a.signature_headers(), &a.body, now()).unwrap();
    }
    let certs = s.v3_call(&keys, &DownloadCertificatesRequest).await;
    assert_eq!(certs.status, 200, "switchover merchants still have certificates");

    let merchant = tls_receiver(&s, |_| 200).await;
    assert_eq!(notify_serial(&s, &merchant, "V3SWITCH0001").await, cert, "before the switch: the certificate");
    let (status, info) = s.control(reqwest::Method::POST, "/v3/keys/switch", Some(json!({}))).await;
    assert_eq!((status, info["notifies_signed_by"].as_str()), (200, Some(id.as_str())), "{info}");
    assert_eq!(info["answers_signed_by"].as_str(), Some(id.as_str()), "{info}");
    assert_eq!(notify_serial(&s, &merchant, "V3SWITCH0002").await, id, "after the switch: the public key");
    let a = answer_naming(&s, None).await;
    assert_eq!(a.header("wechatpay-serial"), Some(id.as_str()), "after the switch, unnamed answers too");
    keys.verify(&a.signature_headers(), &a.body, now()).unwrap();
    let a = answer_naming(&s, Some(&cert)).await;
    assert_eq!(a.header("wechatpay-serial"), Some(cert.as_str()), "a named, held certificate still answers");
    let (_, shown) = s.control(reqwest::Method::GET, "/v3/keys", None).await;
    assert_eq!(shown["mode"], "switchover");
}

#[tokio::test]
async fn switchover_moves_notifies_by_itself_after_the_set_time() {
    // 7 days at 1000×: 604.8 s; 2 s at 1000× is 2 ms.
    let s = common::start_with(1000.0, Clock::system(), |c| {
        c.v3_keys = KeyMode::Switchover;
        c.v3_switchover_after_secs = 2;
    })
    .await;
    let id = s.sim.ready().v3.wechatpay_public_key_id.unwrap();
    let (_, info) = s.control(reqwest::Method::GET, "/v3/keys", None).await;
    let at = info["switch_at_ms"].as_i64().unwrap();
    common::v3::wait_until("the switch time passes", LIMIT, || Clock::system().now_ms() > at).await;
    let merchant = tls_receiver(&s, |_| 200).await;
    assert_eq!(notify_serial(&s, &merchant, "V3SWITCH0003").await, id);
}

#[tokio::test]
async fn an_expired_certificate_is_no_longer_listed_nor_used() {
    let clock = Clock::system();
    let s = common::start_with(1000.0, clock.clone(), |c| c.v3_keys = KeyMode::Certificate).await;
    let first = s.sim.ready().v3.platform_serial.unwrap();
    clock.advance(Duration::from_secs((5 * 365 + 2) * 86_400));
    // Requests are signed at the simulator's time.
    let at = (clock.now_ms() / 1000) as u64;
    let merchant = s.v3_merchant();
    let signed = merchant.sign_request(&DownloadCertificatesRequest, at, &wxpay::nonce_str().unwrap()).unwrap();
    let mut named = signed.clone();
    named.wechatpay_serial = Some(first.clone());
    let a = s.v3_send(&named).await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    let now_serial = a.header("wechatpay-serial").unwrap().to_owned();
    assert_ne!(now_serial, first, "the expired certificate no longer signs, even when named");
    let mut keys = wxpay::v3::KeySet::new();
    let listed = keys.add_downloaded_certificates(&s.api_v3_key(), a.status, &a.signature_headers(), &a.body, at).unwrap();
    assert_eq!(
        listed.iter().map(|c| c.certificate.serial_no.as_str()).collect::<Vec<_>>(),
        [now_serial.as_str()],
        "only the new one is listed"
    );
    let (_, info) = s.control(reqwest::Method::GET, "/v3/keys", None).await;
    let expired: Vec<_> =
        info["platform_serials"].as_array().unwrap().iter().filter(|c| c["expired"] == true).map(|c| c["serial"].clone()).collect();
    assert_eq!(expired, [json!(first)]);
}
