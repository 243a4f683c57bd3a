//! `/pay/downloadbill`: the day's bill as WeChat's CSV-like text — header, backquoted rows,
//! summary — for ALL, SUCCESS and REFUND, gzipped on request; WeChat's refusals otherwise.

use crate::common;

use std::io::Read as _;

use wxpay::Params;

fn today() -> String {
    wxpay::time::beijing14(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)[..8].to_owned()
}

fn request(s: &common::Sim, fields: &[(&str, &str)]) -> String {
    let c = s.sim.credentials();
    let mut p = Params::new();
    for (k, v) in [("appid", c.appid.as_str()), ("mch_id", c.mch_id.as_str()), ("nonce_str", "billnonce")].iter().chain(fields) {
        p.insert((*k).into(), (*v).into());
    }
    let sign = wxpay::sign(&p, &s.merchant().key, wxpay::SignType::Md5);
    p.insert("sign".into(), sign);
    wxpay::xml::encode(&p).unwrap()
}

async fn download(s: &common::Sim, body: String) -> (String, Vec<u8>) {
    let r = s.https.post(format!("{}/pay/downloadbill", s.sim.base_url())).body(body).send().await.unwrap();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (ct, r.bytes().await.unwrap().to_vec())
}

fn fields(line: &str) -> Vec<&str> {
    line.split(',').map(|f| f.strip_prefix('`').unwrap_or_else(|| panic!("field without a backquote in {line:?}"))).collect()
}

#[tokio::test]
async fn downloadbill_lists_the_day_payments_and_refunds() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("BILL1", 600, &r.url).await;
    s.pay("BILL1").await;
    s.place("BILL2", 1234, &r.url).await;
    s.pay("BILL2").await;
    s.place("BILL3", 50, &r.url).await; // never paid: not in the bill
    let refund = wxpay::Refund {
        trade: wxpay::TradeRef::OutTradeNo("BILL2".into()),
        out_refund_no: "BILL2R".into(),
        total_fee: wxpay::Fen::new(1234),
        refund_fee: wxpay::Fen::new(200),
        refund_desc: None,
        notify_url: Some(r.url.clone()),
        refund_account: None,
    };
    assert_eq!(s.call(&refund).await["result_code"], "SUCCESS");
    // The refund settles on the simulator's clock; the bill shows its state at download time, so
    // wait for the final one before comparing downloads.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while s.sim.refund("BILL2R").unwrap().refund_status == wxpay::RefundStatus::Processing {
        assert!(std::time::Instant::now() < deadline, "the refund never settled");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let day = today();

    let (ct, all) = download(&s, request(&s, &[("bill_date", &day), ("bill_type", "ALL")])).await;
    assert!(ct.starts_with("text/plain"), "{ct}");
    let text = String::from_utf8(all).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF lines: {text:?}");
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 3 + 2, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.len(), 27);
    assert_eq!(
        (header[0], header[5], header[6], header[9], header[12], header[19], header[22]),
        ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "退款状态", "手续费")
    );
    let p1 = fields(lines[1]);
    assert_eq!(p1.len(), 27);
    let c = s.sim.credentials();
    assert_eq!(
        (p1[1], p1[2], p1[3], p1[6], p1[8], p1[9], p1[11]),
        (c.appid.as_str(), c.mch_id.as_str(), "0", "BILL1", "JSAPI", "SUCCESS", "CNY")
    );
    assert_eq!(p1[5], s.sim.order("BILL1").unwrap().transaction_id.unwrap());
    assert_eq!(
        (p1[12], p1[14], p1[15], p1[16], p1[22], p1[23], p1[24], p1[25]),
        ("6.00", "0", "0", "0.00", "0.04000", "0.60%", "6.00", "0.00")
    );
    assert_eq!(p1[20], "Test");
    let rf = fields(lines[3]);
    assert_eq!(
        (rf[6], rf[9], rf[12], rf[15], rf[16], rf[18], rf[19]),
        ("BILL2", "REFUND", "0.00", "BILL2R", "2.00", "ORIGINAL", "SUCCESS")
    );
    assert_eq!((rf[22], rf[24], rf[25]), ("-0.01000", "0.00", "2.00"));
    assert_eq!(lines[4], "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额");
    // 3 rows; 6.00 + 12.34 settled; 2.00 refunded; fees 0.04 + 0.07 - 0.01.
    assert_eq!(fields(lines[5]), ["3", "18.34", "2.00", "0.00", "0.10000", "18.34", "2.00"]);

    let (_, success) = download(&s, request(&s, &[("bill_date", &day), ("bill_type", "SUCCESS")])).await;
    let text = String::from_utf8(success).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines[0].split(',').count(), 20);
    assert_eq!(lines.len(), 1 + 2 + 2);
    assert!(lines[1..3].iter().all(|l| fields(l).len() == 20 && fields(l)[9] == "SUCCESS"));

    let (_, refunds) = download(&s, request(&s, &[("bill_date", &day), ("bill_type", "REFUND")])).await;
    let text = String::from_utf8(refunds).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines[0].split(',').nth(14), Some("退款申请时间"));
    assert_eq!(lines.len(), 1 + 1 + 2);
    assert_eq!(fields(lines[1]).len(), 29);

    // Gzipped: the same bill.
    let (ct, gz) = download(&s, request(&s, &[("bill_date", &day), ("bill_type", "ALL"), ("tar_type", "GZIP")])).await;
    assert!(ct.starts_with("application/x-gzip"), "{ct}");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut unzipped).unwrap();
    let (_, plain) = download(&s, request(&s, &[("bill_date", &day)])).await;
    assert_eq!(unzipped.as_bytes(), &plain[..], "ALL is the default, and GZIP the same text");
}

#[tokio::test]
async fn downloadbill_refuses_as_wechat_does() {
    let s = common::start(1000.0).await;
    let fail = |body: &[u8]| {
        let p = wxpay::xml::decode(body).unwrap();
        assert_eq!(p["return_code"], "FAIL");
        (p["return_msg"].clone(), p["error_code"].clone())
    };
    let day = today();
    let check = |msg: &str, code: &str, got: (String, String)| assert_eq!((got.0.as_str(), got.1.as_str()), (msg, code));
    check("No Bill Exist", "20002", fail(&download(&s, request(&s, &[("bill_date", &day)])).await.1));
    check("No Bill Exist", "20002", fail(&download(&s, request(&s, &[("bill_date", "20240101")])).await.1));
    check("invalid bill_date", "20001", fail(&download(&s, request(&s, &[("bill_date", "29991231")])).await.1));
    check("invalid bill_date", "20001", fail(&download(&s, request(&s, &[("bill_date", "2024-01-01")])).await.1));
    check("invalid bill_type", "20001", fail(&download(&s, request(&s, &[("bill_date", &day), ("bill_type", "EVERYTHING")])).await.1));
    check(
        "invalid tar_type: Only GZIP supported",
        "20001",
        fail(&download(&s, request(&s, &[("bill_date", &day), ("tar_type", "ZIP")])).await.1),
    );
    let forged = request(&s, &[("bill_date", &day)]).replace(&day, "20240102");
    check("sign error", "20001", fail(&download(&s, forged).await.1));
    let (_, j) = s.control(reqwest::Method::GET, "/calls?endpoint=downloadbill", None).await;
    assert_eq!(j.as_array().unwrap().len(), 7);
    assert_eq!(j[6]["signature_valid"], false);
}
