//! Native throughput of the core's hot paths: `cargo bench --bench core` (or `scripts/bench`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wxpay::{refund_notify, sign, verify, xml, ApiKey, Merchant, Params, SignType};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// The shared realistic notify (`tests/data/payment_notify.json`), unsigned.
fn notify_params() -> Params {
    let data: serde_json::Value = serde_json::from_str(include_str!("../tests/data/payment_notify.json")).unwrap();
    data["fields"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

fn bench(c: &mut Criterion) {
    let key = ApiKey::new(KEY).unwrap();
    let merchant = Merchant::new("wx2421b1c4370ec43b", "10000100", key.clone());
    let mut p = notify_params();

    c.bench_function("sign/md5 (16 fields)", |b| b.iter(|| sign(black_box(&p), &key, SignType::Md5)));
    c.bench_function("sign/hmac-sha256 (16 fields)", |b| b.iter(|| sign(black_box(&p), &key, SignType::HmacSha256)));

    p.insert("sign".into(), sign(&p, &key, SignType::Md5));
    c.bench_function("verify/md5", |b| b.iter(|| verify(black_box(&p), &key, SignType::Md5).unwrap()));

    let body = xml::encode(&p).unwrap();
    let mut g = c.benchmark_group("xml");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("decode notify", |b| b.iter(|| xml::decode(black_box(body.as_bytes())).unwrap()));
    g.bench_function("encode notify", |b| b.iter(|| xml::encode(black_box(&p)).unwrap()));
    g.finish();

    c.bench_function("notify/verify_payment_notify", |b| b.iter(|| merchant.verify_payment_notify(black_box(body.as_bytes())).unwrap()));

    let inner: Params = [
        ("out_refund_no", "R20261123000001"),
        ("out_trade_no", "20261123000001"),
        ("refund_id", "50000408942018111907145868882"),
        ("transaction_id", "4200000215201811190261405420"),
        ("total_fee", "1200"),
        ("refund_fee", "800"),
        ("refund_status", "SUCCESS"),
        ("success_time", "2026-11-23 12:30:07"),
        ("refund_recv_accout", "支付用户零钱"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let outer: Params =
        [("return_code", "SUCCESS"), ("appid", "wx2421b1c4370ec43b"), ("mch_id", "10000100"), ("nonce_str", "TeqClE3i0mvn3DrK")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .chain([("req_info".to_owned(), refund_notify::encrypt_req_info(&inner, &key).unwrap())])
            .collect();
    let refund_body = xml::encode(&outer).unwrap();
    c.bench_function("refund_notify/decrypt_refund_notify", |b| {
        b.iter(|| merchant.decrypt_refund_notify(black_box(refund_body.as_bytes())).unwrap())
    });
}

/// API v3: RSA-2048 request signing (the merchant's side, once per request), WeChat's signature
/// checked on a notify, AES-256-GCM, and the whole notify path, on the test keys of
/// scripts/make-v3-vectors and its payment notify.
fn bench_v3(c: &mut Criterion) {
    use wxpay::v3::{ApiV3Key, JsapiOrder, KeySet, Merchant, MerchantKey, SignatureHeaders};
    use wxpay::Fen;

    let v: serde_json::Value = serde_json::from_str(include_str!("../tests/data/v3_vectors.json")).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let merchant = Merchant::new(
        s(&v["appid"]),
        s(&v["mchid"]),
        s(&v["merchant_serial_no"]),
        MerchantKey::from_pem(include_str!("../tests/data/v3_test_merchant_key.pem")).unwrap(),
    )
    .unwrap();
    let mut keys = KeySet::new();
    keys.add_public_key(&s(&v["public_key_id"]), include_str!("../tests/data/v3_test_wechatpay_public_key.pem")).unwrap();
    keys.add_certificate_pem(include_str!("../tests/data/v3_test_platform_cert.pem")).unwrap();
    let key = ApiV3Key::new(&s(&v["api_v3_key"])).unwrap();
    let n = &v["notifies"][0];
    let headers = SignatureHeaders::from_pairs(n["headers"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())));
    let (body, now) = (s(&n["body"]), n["now"].as_u64().unwrap());
    let order = JsapiOrder::new(
        "咖啡 大杯",
        "20261123000001",
        Fen::new(1200),
        "https://shop.example.com/wxpay/v3/notify",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    );

    c.bench_function("v3/sign_request (JSAPI order, RSA-2048)", |b| {
        b.iter(|| merchant.sign_request(black_box(&order), 1_795_000_000, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap())
    });
    c.bench_function("v3/payment_params (paySign)", |b| {
        b.iter(|| {
            merchant
                .payment_params(black_box("wx18154600000000000000000000000000"), 1_795_000_000, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")
                .unwrap()
        })
    });
    c.bench_function("v3/verify (notify signature)", |b| b.iter(|| keys.verify(&headers, black_box(body.as_bytes()), now).unwrap()));
    let notification = keys.verify_notification(&headers, body.as_bytes(), now).unwrap();
    c.bench_function("v3/decrypt resource (AES-256-GCM + JSON)", |b| b.iter(|| black_box(&notification).decrypt(&key).unwrap()));
    c.bench_function("v3/open_notification (verify + decrypt)", |b| {
        b.iter(|| keys.open_notification(&key, &headers, black_box(body.as_bytes()), now).unwrap())
    });
}

criterion_group!(benches, bench, bench_v3);
criterion_main!(benches);
