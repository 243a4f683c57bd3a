//! WeChat's probes: notifies signed `WECHATPAY/SIGNTEST/…` that a merchant must refuse. The
//! simulator records the merchant's answer: refused (good) or accepted (flagged).

use crate::common;

use std::time::Duration;

use serde_json::json;
use wxpay::v3::{JsapiOrderRequest, SIGNTEST_PREFIX};
use wxpay::Fen;

use common::v3::{now, tls_receiver, TlsReceiver};
use common::Sim;

const LIMIT: Duration = Duration::from_secs(20);

/// A v3 order whose notify_url is the merchant's (probes go to the last one named).
async fn order_for(s: &Sim, merchant: &TlsReceiver, no: &str) {
    let (_, openid) = s.sim.issue_code(None);
    let keys = s.v3_keys();
    let order = JsapiOrderRequest::new("咖啡", no, Fen::new(100), &merchant.url, &openid);
    s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
}

#[tokio::test]
async fn a_merchant_that_verifies_refuses_the_probe_and_is_shown_refusing() {
    let s = common::start(1000.0).await;
    let (keys, key) = (s.v3_keys(), s.api_v3_key());
    let merchant =
        tls_receiver(
            &s,
            move |r| if keys.open_notification(&key, &r.signature_headers(), r.body.as_bytes(), now()).is_ok() { 200 } else { 401 },
        )
        .await;
    order_for(&s, &merchant, "V3PROBE00001").await;
    let (status, sent) = s.control(reqwest::Method::POST, "/v3/probes", Some(json!({ "count": 1 }))).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["sent"][0]["probe_verdict"], "refused", "{sent}");
    let got = merchant.all();
    assert_eq!(got.len(), 1);
    assert!(got[0].header("wechatpay-signature").unwrap().starts_with(SIGNTEST_PREFIX));
    let (_, notifies) = s.control(reqwest::Method::GET, "/notifies", None).await;
    let probe = &notifies.as_array().unwrap()[0];
    assert_eq!((probe["kind"].as_str(), probe["probe"].as_bool(), probe["status"].as_u64()), (Some("probe"), Some(true), Some(401)));
    assert_eq!(probe["probe_verdict"], "refused");
}

#[tokio::test]
async fn a_merchant_that_accepts_a_probe_is_flagged() {
    let s = common::start(1000.0).await;
    let merchant = tls_receiver(&s, |_| 200).await;
    order_for(&s, &merchant, "V3PROBE00002").await;
    let (_, sent) = s.control(reqwest::Method::POST, "/v3/probes", Some(json!({ "count": 2 }))).await;
    let verdicts: Vec<_> = sent["sent"].as_array().unwrap().iter().map(|d| d["probe_verdict"].as_str()).collect();
    assert_eq!(verdicts, [Some("accepted"), Some("accepted")]);
}

#[tokio::test]
async fn at_rate_one_every_notify_is_followed_by_a_probe() {
    let s = common::start(1000.0).await;
    let (keys, key) = (s.v3_keys(), s.api_v3_key());
    let merchant =
        tls_receiver(
            &s,
            move |r| if keys.open_notification(&key, &r.signature_headers(), r.body.as_bytes(), now()).is_ok() { 204 } else { 400 },
        )
        .await;
    let (status, set) = s.control(reqwest::Method::POST, "/v3/probes", Some(json!({ "rate": 1.0 }))).await;
    assert_eq!((status, set["rate"].as_f64()), (200, Some(1.0)));
    order_for(&s, &merchant, "V3PROBE00003").await;
    s.pay("V3PROBE00003").await;
    let got = merchant.wait_for(2, LIMIT).await;
    assert!(!got[0].header("wechatpay-signature").unwrap().starts_with(SIGNTEST_PREFIX), "the real notify first");
    assert!(got[1].header("wechatpay-signature").unwrap().starts_with(SIGNTEST_PREFIX), "then the probe");
    common::v3::wait_until("the probe is recorded", LIMIT, || s.sim.all_deliveries().iter().any(|d| d.probe)).await;
    let probe = s.sim.all_deliveries().into_iter().find(|d| d.probe).unwrap();
    assert_eq!((probe.status, probe.probe_verdict.as_deref()), (Some(400), Some("refused")));
    let paid = s.sim.deliveries("V3PROBE00003");
    assert_eq!((paid.len(), paid[0].acknowledged), (1, true), "204 acknowledges the real notify");
}
