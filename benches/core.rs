//! Native throughput of the core's hot paths: `cargo bench --bench core` (or `scripts/bench`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wxpay::{refund_notify, sign, verify, xml, ApiKey, Merchant, Params, SignType};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn notify_params() -> Params {
    [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("is_subscribe", "N"),
        ("trade_type", "JSAPI"),
        ("bank_type", "CMC"),
        ("total_fee", "1200"),
        ("cash_fee", "1200"),
        ("fee_type", "CNY"),
        ("transaction_id", "4200000215201811190261405420"),
        ("out_trade_no", "20261123000001"),
        ("attach", "门店 7"),
        ("time_end", "20261123120000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
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

    c.bench_function("notify/verify_payment_notify", |b| {
        b.iter(|| merchant.verify_payment_notify(black_box(body.as_bytes())).unwrap())
    });

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
    let outer: Params = [
        ("return_code", "SUCCESS"),
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "TeqClE3i0mvn3DrK"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([("req_info".to_owned(), refund_notify::encrypt_req_info(&inner, &key).unwrap())])
    .collect();
    let refund_body = xml::encode(&outer).unwrap();
    c.bench_function("refund_notify/decrypt_refund_notify", |b| {
        b.iter(|| merchant.decrypt_refund_notify(black_box(refund_body.as_bytes())).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
