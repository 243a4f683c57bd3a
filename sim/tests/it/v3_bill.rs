//! v3 bills: the trade and fund-flow bills' `{hash_type, hash_value, download_url}`, the file
//! whose SHA-1 is the hash (plain and gzip) and that the core's parsers read, and the
//! download_url refused once its 30 s are over.

use crate::common;

use std::time::Duration;

use wxpay::v3::{
    AccountType, BillResponse, FundFlowBill, FundFlowBillRequest, JsapiOrderRequest, RefundRequest, TarType, TradeBill, TradeBillRequest,
    TradeBillType, API_BASE,
};
use wxpay::{Fen, TradeRef};
use wxpay_sim::Clock;

use common::v3::{now, Answer};
use common::Sim;

fn today() -> String {
    let t = wxpay::time::beijing14(now() as i64);
    format!("{}-{}-{}", &t[0..4], &t[4..6], &t[6..8])
}

/// A day with a payment of 12.00 and a refund of 5.00 (held PROCESSING: bills made one after the
/// other stay alike).
async fn a_day(s: &Sim) {
    s.sim.faults().hold_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
    let (_, openid) = s.sim.issue_code(None);
    let keys = s.v3_keys();
    let order = JsapiOrderRequest::new("咖啡", "V3BILL000001", Fen::new(1200), "https://127.0.0.1:9/notify", &openid);
    s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
    s.pay("V3BILL000001").await;
    let refund = RefundRequest::new(TradeRef::OutTradeNo("V3BILL000001".into()), "V3BILLR00001", Fen::new(500), Fen::new(1200));
    assert_eq!(s.v3_call(&keys, &refund).await.status, 200);
}

/// GETs the download_url (signed, on the simulator's host) → the answer.
async fn download(s: &Sim, bill: &BillResponse) -> Answer {
    // The core signs the path of a URL on WeChat's host; the simulator's is its base_url.
    let on_wechat = BillResponse { download_url: bill.download_url.replace(s.sim.base_url(), API_BASE), ..bill.clone() };
    let req = on_wechat.download_request().expect("a download_url on the API host");
    s.v3_call(&s.v3_keys(), &req).await
}

#[tokio::test]
async fn the_bills_hash_matches_the_downloaded_file_and_the_core_reads_it() {
    let s = common::start(1000.0).await;
    a_day(&s).await;
    let keys = s.v3_keys();

    let bill = s.v3_call(&keys, &TradeBillRequest::new(today(), TradeBillType::All)).await.read::<TradeBillRequest>(&keys).unwrap();
    assert_eq!(bill.hash_type, "SHA1");
    assert!(bill.download_url.starts_with(&format!("{}/v3/billdownload/file?token=", s.sim.base_url())), "{}", bill.download_url);
    let file = download(&s, &bill).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("wechatpay-signature"), None, "the file is not signed");
    let text = bill.open(None, &file.body).expect("the hash matches");
    let parsed = TradeBill::parse(&text).expect("the core reads the trade bill");
    assert_eq!(parsed.rows.len(), 2, "{text}");

    let gz = s.v3_call(&keys, &TradeBillRequest::new(today(), TradeBillType::All).gzip()).await.read::<TradeBillRequest>(&keys).unwrap();
    let file = download(&s, &gz).await;
    assert_eq!(gz.open(Some(TarType::Gzip), &file.body).expect("the hash is of the decompressed text"), text);

    let flow = s.v3_call(&keys, &FundFlowBillRequest::new(today(), AccountType::Basic)).await.read::<FundFlowBillRequest>(&keys).unwrap();
    let text = flow.open(None, &download(&s, &flow).await.body).unwrap();
    let parsed = FundFlowBill::parse(&text).expect("the core reads the fund-flow bill");
    assert_eq!((parsed.summary.income, parsed.summary.expense_rows), (Fen::new(1200), 2), "{text}");

    let none = s.v3_call(&keys, &TradeBillRequest::new("2020-01-01", TradeBillType::All)).await;
    assert_eq!((none.status, none.json()["code"].as_str()), (400, Some("NO_STATEMENT_EXIST")));
}

fn sha1_hex(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    sha1::Sha1::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[tokio::test]
async fn the_bill_files_start_with_a_bom_and_hash_value_is_the_sha1_of_the_file_as_served() {
    let s = common::start(1000.0).await;
    a_day(&s).await;
    let keys = s.v3_keys();
    let trade = s.v3_call(&keys, &TradeBillRequest::new(today(), TradeBillType::All)).await.read::<TradeBillRequest>(&keys).unwrap();
    let flow = s.v3_call(&keys, &FundFlowBillRequest::new(today(), AccountType::Basic)).await.read::<FundFlowBillRequest>(&keys).unwrap();
    for (bill, header) in [(&trade, "交易时间,"), (&flow, "记账时间,")] {
        let file = download(&s, bill).await.body;
        assert!(file.starts_with(BOM), "{:02x?}", &file[..file.len().min(8)]);
        assert!(file[BOM.len()..].starts_with(header.as_bytes()), "the header follows the BOM");
        assert_eq!(sha1_hex(&file), bill.hash_value, "the hash is of the file, BOM included");
    }
    let gz = s.v3_call(&keys, &TradeBillRequest::new(today(), TradeBillType::All).gzip()).await.read::<TradeBillRequest>(&keys).unwrap();
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&download(&s, &gz).await.body[..]), &mut inflated).unwrap();
    assert!(inflated.starts_with(BOM));
    assert_eq!(sha1_hex(&inflated), gz.hash_value, "gzip: the hash is of the inflated file, BOM included");
}

#[tokio::test]
async fn a_download_url_older_than_30_seconds_is_refused() {
    let clock = Clock::system();
    let s = common::start_with(1000.0, clock.clone(), |_| {}).await;
    a_day(&s).await;
    let keys = s.v3_keys();
    let bill = s.v3_call(&keys, &TradeBillRequest::new(today(), TradeBillType::All)).await.read::<TradeBillRequest>(&keys).unwrap();
    clock.advance(Duration::from_secs(31));
    let late = download(&s, &bill).await;
    assert_eq!((late.status, late.json()["code"].as_str()), (400, Some("INVALID_REQUEST")), "{:?}", late.json());
    keys.verify(&late.signature_headers(), &late.body, now() + 31).expect("the refusal is signed");
}
