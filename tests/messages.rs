//! Request builders and response parsers for every API, against WeChat's side of the exchange.

mod common;

use common::{merchant, signed_xml, APPID, KEY, MCH_ID};
use wxpay::{
    verify, xml, ApiKey, CloseOrder, CloseOrderResponse, Error, Fen, OrderQuery, OrderQueryResponse, Refund, RefundQuery,
    RefundQueryResponse, RefundRef, RefundResponse, RefundStatus, Request, SignType, TradeRef, TradeState, UnifiedOrder,
    UnifiedOrderResponse,
};

const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

fn order() -> UnifiedOrder {
    UnifiedOrder::new(
        "腾讯充值中心-QQ会员充值",
        "20261123000001",
        Fen::new(888),
        "203.0.113.7",
        "https://shop.example.com/wxpay/notify",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    )
}

fn ok_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "IITRi8Iabbblz1Jc"),
    ]
}

fn answer(extra: &[(&'static str, &'static str)]) -> String {
    let mut f = ok_fields();
    f.extend_from_slice(extra);
    signed_xml(&f, SignType::Md5)
}

// ---- unifiedorder -------------------------------------------------------------------------

#[test]
fn unifiedorder_request_is_complete_and_signed() {
    let body = merchant().request_xml(&order(), NONCE).unwrap();
    let p = xml::decode(body.as_bytes()).unwrap();
    for (k, v) in [
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", NONCE),
        ("body", "腾讯充值中心-QQ会员充值"),
        ("out_trade_no", "20261123000001"),
        ("total_fee", "888"),
        ("spbill_create_ip", "203.0.113.7"),
        ("notify_url", "https://shop.example.com/wxpay/notify"),
        ("trade_type", "JSAPI"),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
    ] {
        assert_eq!(p.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(!p.contains_key("sign_type"), "MD5 is the default and is not sent");
    assert!(!p.contains_key("attach"), "absent optional fields are not sent");
    assert_eq!(verify(&p, &ApiKey::new(KEY).unwrap(), SignType::Md5), Ok(SignType::Md5));
    assert_eq!(<UnifiedOrder as Request>::PATH, "/pay/unifiedorder");
}

#[test]
fn unifiedorder_with_hmac_declares_sign_type() {
    let m = merchant().with_sign_type(SignType::HmacSha256);
    let mut o = order();
    o.attach = Some("store=7".into());
    o.time_start = Some("20261123120000".into());
    o.time_expire = Some("20261123123000".into());
    let p = m.request_params(&o, NONCE).unwrap();
    assert_eq!(p["sign_type"], "HMAC-SHA256");
    assert_eq!(p["sign"].len(), 64);
    assert_eq!(p["attach"], "store=7");
    assert_eq!(verify(&p, &m.key, SignType::Md5), Ok(SignType::HmacSha256));
}

#[test]
fn unifiedorder_rejects_what_wechat_would() {
    type Mutation = Box<dyn Fn(&mut UnifiedOrder)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("body", Box::new(|o| o.body = "字".repeat(43))), // 129 bytes
        ("body", Box::new(|o| o.body = String::new())),
        ("out_trade_no", Box::new(|o| o.out_trade_no = "A".repeat(33))),
        ("out_trade_no", Box::new(|o| o.out_trade_no = "A1 B".into())),
        ("out_trade_no", Box::new(|o| o.out_trade_no = "订单1".into())),
        ("total_fee", Box::new(|o| o.total_fee = Fen::ZERO)),
        ("spbill_create_ip", Box::new(|o| o.spbill_create_ip = "localhost".into())),
        ("notify_url", Box::new(|o| o.notify_url = "https://shop.example.com/notify?id=1".into())),
        ("notify_url", Box::new(|o| o.notify_url = "ftp://shop.example.com/notify".into())),
        ("openid", Box::new(|o| o.openid = String::new())),
        ("attach", Box::new(|o| o.attach = Some("a".repeat(128)))),
        ("time_expire", Box::new(|o| o.time_expire = Some("20261131120000".into()))),
        (
            "time_expire",
            Box::new(|o| {
                o.time_start = Some("20261123120000".into());
                o.time_expire = Some("20261123115959".into());
            }),
        ),
        ("fee_type", Box::new(|o| o.fee_type = Some("USD".into()))),
    ];
    for (field, mutate) in cases {
        let mut o = order();
        mutate(&mut o);
        let err = merchant().request_xml(&o, NONCE).unwrap_err();
        assert!(matches!(&err, Error::InvalidField { name, .. } | Error::MissingField { name } if name == field), "{field}: {err:?}");
    }
    // Exactly 128 bytes and 32 characters are fine.
    let mut o = order();
    o.body = "a".repeat(128);
    o.out_trade_no = "a_b-c|d*".repeat(4);
    assert!(merchant().request_xml(&o, NONCE).is_ok());
}

#[test]
fn rejects_bad_nonce() {
    for bad in ["", &"a".repeat(33), "has space"] {
        let err = merchant().request_xml(&order(), bad).unwrap_err();
        assert!(err.to_string().contains("nonce_str"), "{err}");
    }
}

#[test]
fn unifiedorder_response_success() {
    let r: UnifiedOrderResponse = merchant()
        .parse_response(answer(&[("trade_type", "JSAPI"), ("prepay_id", "wx201411101639507cbf6ffd8b0779950874")]).as_bytes())
        .unwrap();
    assert_eq!(r.prepay_id, "wx201411101639507cbf6ffd8b0779950874");
}

#[test]
fn response_return_code_fail_is_communication_failure() {
    let body = "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>";
    let err = merchant().parse_response::<UnifiedOrderResponse>(body.as_bytes()).unwrap_err();
    assert_eq!(err, Error::ReturnFail { message: "签名错误".into() });
    assert!(!err.is_retryable());
}

#[test]
fn response_result_code_fail_is_business_error() {
    let mut f = ok_fields();
    f.retain(|(k, _)| *k != "result_code");
    f.extend([("result_code", "FAIL"), ("err_code", "ORDERPAID"), ("err_code_des", "该订单已支付")]);
    let err = merchant().parse_response::<UnifiedOrderResponse>(signed_xml(&f, SignType::Md5).as_bytes()).unwrap_err();
    assert_eq!(err, Error::Business { code: "ORDERPAID".into(), message: "该订单已支付".into() });
    assert_eq!(err.err_code(), Some("ORDERPAID"));
    assert!(!err.is_retryable());

    let mut f = ok_fields();
    f.retain(|(k, _)| *k != "result_code");
    f.extend([("result_code", "FAIL"), ("err_code", "SYSTEMERROR"), ("err_code_des", "系统错误")]);
    let err = merchant().parse_response::<UnifiedOrderResponse>(signed_xml(&f, SignType::Md5).as_bytes()).unwrap_err();
    assert!(err.is_retryable());
}

#[test]
fn rejects_unsigned_or_tampered_response() {
    let unsigned = xml::encode(&common::params(&ok_fields())).unwrap();
    assert_eq!(merchant().parse_response::<CloseOrderResponse>(unsigned.as_bytes()), Err(Error::MissingSignature));
    let tampered = answer(&[("prepay_id", "wx1"), ("trade_type", "JSAPI")]).replace("wx1", "wx2");
    assert_eq!(merchant().parse_response::<UnifiedOrderResponse>(tampered.as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn rejects_response_for_another_appid() {
    let mut f = ok_fields();
    f.retain(|(k, _)| *k != "appid");
    f.push(("appid", "wx0000000000000000"));
    let err = merchant().parse_response::<CloseOrderResponse>(signed_xml(&f, SignType::Md5).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::AppIdMismatch { .. }));
}

#[test]
fn response_missing_a_required_field_is_reported() {
    let err = merchant().parse_response::<UnifiedOrderResponse>(answer(&[("trade_type", "JSAPI")]).as_bytes()).unwrap_err();
    assert_eq!(err, Error::MissingField { name: "prepay_id".into() });
}

// ---- orderquery / closeorder --------------------------------------------------------------

#[test]
fn orderquery_by_out_trade_no_and_transaction_id() {
    let q = OrderQuery { trade: TradeRef::OutTradeNo("20261123000001".into()) };
    let p = merchant().request_params(&q, NONCE).unwrap();
    assert_eq!(p["out_trade_no"], "20261123000001");
    assert!(!p.contains_key("transaction_id"));
    let q = OrderQuery { trade: TradeRef::TransactionId("4200000215201811190261405420".into()) };
    assert_eq!(merchant().request_params(&q, NONCE).unwrap()["transaction_id"], "4200000215201811190261405420");
    let bad = OrderQuery { trade: TradeRef::OutTradeNo("bad no".into()) };
    assert!(merchant().request_params(&bad, NONCE).is_err());
}

#[test]
fn orderquery_response_notpay_and_success() {
    let r: OrderQueryResponse = merchant()
        .parse_response(answer(&[("trade_state", "NOTPAY"), ("trade_state_desc", "订单未支付"), ("out_trade_no", "A1")]).as_bytes())
        .unwrap();
    assert_eq!(r.trade_state, TradeState::Notpay);
    assert_eq!(r.total_fee, None);

    let r: OrderQueryResponse = merchant()
        .parse_response(
            answer(&[
                ("trade_state", "SUCCESS"),
                ("out_trade_no", "A1"),
                ("transaction_id", "4200000215201811190261405420"),
                ("total_fee", "888"),
                ("cash_fee", "888"),
                ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
                ("time_end", "20261123120102"),
            ])
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(r.trade_state, TradeState::Success);
    assert_eq!(r.total_fee, Some(Fen::new(888)));

    let err = merchant()
        .parse_response::<OrderQueryResponse>(answer(&[("trade_state", "PAID?"), ("out_trade_no", "A1")]).as_bytes())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidField { ref name, .. } if name == "trade_state"));
}

#[test]
fn closeorder_request_and_answers() {
    let p = merchant().request_params(&CloseOrder { out_trade_no: "A1".into() }, NONCE).unwrap();
    assert_eq!(p["out_trade_no"], "A1");
    assert!(merchant().parse_response::<CloseOrderResponse>(answer(&[]).as_bytes()).is_ok());
}

// ---- refund / refundquery -----------------------------------------------------------------

fn refund() -> Refund {
    Refund {
        trade: TradeRef::OutTradeNo("20261123000001".into()),
        out_refund_no: "R20261123000001@1".into(),
        total_fee: Fen::new(1200),
        refund_fee: Fen::new(800),
        refund_desc: Some("不想要了".into()),
        notify_url: None,
        refund_account: None,
    }
}

#[test]
fn refund_request_fields() {
    let p = merchant().request_params(&refund(), NONCE).unwrap();
    assert_eq!(p["out_refund_no"], "R20261123000001@1");
    assert_eq!(p["total_fee"], "1200");
    assert_eq!(p["refund_fee"], "800");
    assert_eq!(p["refund_desc"], "不想要了");
    assert_eq!(<Refund as Request>::PATH, "/secapi/pay/refund");
}

#[test]
fn refund_rejects_more_than_paid_and_bad_numbers() {
    let mut r = refund();
    r.refund_fee = Fen::new(1201);
    assert!(matches!(merchant().request_params(&r, NONCE), Err(Error::InvalidField { ref name, .. }) if name == "refund_fee"));
    let mut r = refund();
    r.refund_fee = Fen::ZERO;
    assert!(merchant().request_params(&r, NONCE).is_err());
    let mut r = refund();
    r.out_refund_no = "R".repeat(65);
    assert!(matches!(merchant().request_params(&r, NONCE), Err(Error::InvalidField { ref name, .. }) if name == "out_refund_no"));
    let mut r = refund();
    r.refund_desc = Some("长".repeat(81));
    assert!(merchant().request_params(&r, NONCE).is_err());
}

#[test]
fn refund_response_parses() {
    let r: RefundResponse = merchant()
        .parse_response(
            answer(&[
                ("transaction_id", "4200000215201811190261405420"),
                ("out_trade_no", "20261123000001"),
                ("out_refund_no", "R20261123000001@1"),
                ("refund_id", "50000408942018111907145868882"),
                ("refund_fee", "800"),
                ("total_fee", "1200"),
                ("cash_fee", "1200"),
            ])
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(r.refund_fee, Fen::new(800));
}

#[test]
fn refundquery_reads_indexed_fields() {
    let q = RefundQuery { by: RefundRef::OutTradeNo("20261123000001".into()), offset: None };
    assert_eq!(merchant().request_params(&q, NONCE).unwrap()["out_trade_no"], "20261123000001");

    let body = answer(&[
        ("transaction_id", "4200000215201811190261405420"),
        ("out_trade_no", "20261123000001"),
        ("total_fee", "1200"),
        ("cash_fee", "1200"),
        ("refund_count", "2"),
        ("out_refund_no_0", "R1"),
        ("refund_id_0", "5001"),
        ("refund_fee_0", "300"),
        ("refund_status_0", "SUCCESS"),
        ("refund_success_time_0", "2026-11-23 12:30:07"),
        ("refund_recv_accout_0", "支付用户零钱"),
        ("out_refund_no_1", "R2"),
        ("refund_id_1", "5002"),
        ("refund_fee_1", "500"),
        ("refund_status_1", "PROCESSING"),
    ]);
    let r: RefundQueryResponse = merchant().parse_response(body.as_bytes()).unwrap();
    assert_eq!(r.refunds.len(), 2);
    assert_eq!(r.find("R1").unwrap().refund_status, RefundStatus::Success);
    assert_eq!(r.find("R2").unwrap().refund_fee, Fen::new(500));
    assert!(!r.find("R2").unwrap().refund_status.is_final());
}

#[test]
fn refundquery_rejects_inconsistent_counts() {
    let base = [("transaction_id", "4200000215201811190261405420"), ("out_trade_no", "20261123000001"), ("total_fee", "1200")];
    let mut f = base.to_vec();
    f.extend([("refund_count", "1"), ("out_refund_no_0", "R1"), ("refund_id_0", "5001"), ("refund_fee_0", "300")]);
    let err = merchant().parse_response::<RefundQueryResponse>(answer(&f).as_bytes()).unwrap_err();
    assert_eq!(err, Error::MissingField { name: "refund_status_0".into() });

    let mut f = base.to_vec();
    f.push(("refund_count", "51"));
    let err = merchant().parse_response::<RefundQueryResponse>(answer(&f).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::InvalidField { ref name, .. } if name == "refund_count"));
}

// ---- payment params, replies, nonce -------------------------------------------------------

#[test]
fn payment_params_detect_tampering() {
    let m = merchant();
    let mut p = m.payment_params("wx201411101639507cbf6ffd8b0779950874", 1_700_000_000, NONCE).unwrap();
    assert_eq!(p.verify(&m.key), Ok(()));
    p.package = "prepay_id=wx_other".into();
    assert_eq!(p.verify(&m.key), Err(Error::SignatureMismatch));
    assert!(m.payment_params("", 1, NONCE).is_err());
}

#[test]
fn notify_replies_are_exact() {
    assert_eq!(
        wxpay::notify::reply(true, "OK").unwrap(),
        "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
    );
    assert_eq!(
        wxpay::notify::reply(false, "签名失败").unwrap(),
        "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>"
    );
}

#[test]
fn nonce_str_is_32_alphanumerics_and_fresh() {
    let a = wxpay::nonce_str().unwrap();
    let b = wxpay::nonce_str().unwrap();
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
    assert!(wxpay::validate::nonce_str(&a).is_ok());
}

#[test]
fn fen_arithmetic_and_display() {
    assert_eq!(Fen::new(1999).yuan_string(), "19.99");
    assert_eq!(Fen::new(5).yuan_string(), "0.05");
    assert_eq!(Fen::new(300).checked_mul(3), Some(Fen::new(900)));
    assert_eq!(Fen::new(u64::MAX).checked_mul(2), None);
    assert_eq!(Fen::new(1).checked_sub(Fen::new(2)), None);
}

#[test]
fn merchant_deserialises_from_js_and_wechat_names_without_exposing_the_key() {
    let js: wxpay::Merchant =
        serde_json::from_str(&format!(r#"{{"appId":"{APPID}","mchId":"{MCH_ID}","key":"{KEY}","signType":"HMAC-SHA256"}}"#)).unwrap();
    assert_eq!(js.sign_type, SignType::HmacSha256);
    let wx: wxpay::Merchant = serde_json::from_str(&format!(r#"{{"appid":"{APPID}","mch_id":"{MCH_ID}","key":"{KEY}"}}"#)).unwrap();
    assert_eq!((wx.appid.as_str(), wx.mch_id.as_str(), wx.sign_type), (APPID, MCH_ID, SignType::Md5));
    let err = serde_json::from_str::<wxpay::Merchant>(r#"{"appId":"a","mchId":"b","key":"secret-but-short"}"#).unwrap_err();
    assert!(!err.to_string().contains("secret-but-short"), "{err}");
    assert!(!format!("{js:?}").contains(KEY));
}
