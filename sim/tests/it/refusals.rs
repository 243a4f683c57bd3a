//! The two refusals WeChat answers outside the signed XML every other answer is: a request whose
//! signature does not verify gets `return_code=FAIL` / `签名错误…`, unsigned, with no
//! `result_code` or `err_code`; a `/secapi/` call without the merchant client certificate gets
//! its front end's HTTP 400 HTML page, before any XML is read.

use crate::common;

use wxpay::{ApiKey, CloseOrder, Fen, Merchant, OrderQuery, Refund, RefundQuery, RefundRef, Request, SignType, TradeRef, UnifiedOrder};

/// WeChat's answer to a wrong signature: exactly these two fields.
const SIGN_ERROR: [(&str, &str); 2] = [("return_code", "FAIL"), ("return_msg", "签名错误")];

/// The front end's page for a `/secapi/` call without a client certificate, byte for byte.
const NO_CERTIFICATE_PAGE: &str = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n\
<body bgcolor=\"white\">\r\n<center><h1>400 Bad Request</h1></center>\r\n\
<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The simulator's merchant, but signing with a key that is not the merchant's.
fn wrong_key(s: &common::Sim, sign_type: SignType) -> Merchant {
    let m = s.merchant();
    Merchant::new(m.appid.clone(), m.mch_id.clone(), ApiKey::new("0123456789abcdefghijklmnopqrstuv").unwrap()).with_sign_type(sign_type)
}

/// Posts `req` signed by `m` (with the client certificate on `/secapi/`) → (status, content type, body).
async fn raw<R: Request>(s: &common::Sim, m: &Merchant, req: &R, with_cert: bool) -> (u16, String, String) {
    let client = if with_cert { &s.mtls } else { &s.https };
    let body = m.request_xml(req, &wxpay::nonce_str().unwrap()).unwrap();
    let answer = client.post(format!("{}{}", s.sim.base_url(), R::PATH)).body(body).send().await.unwrap();
    let status = answer.status().as_u16();
    let kind = answer.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, answer.text().await.unwrap())
}

/// Asserts the answer is WeChat's signature refusal, field for field, and that an SDK reads it
/// as `return_code=FAIL` (not as an answer whose signature fails).
fn assert_sign_error(path: &str, (status, kind, body): (u16, String, String)) {
    assert_eq!(status, 200, "{path}: {body}");
    assert!(kind.starts_with("text/xml"), "{path}: {kind}");
    let p = wxpay::xml::decode(body.as_bytes()).unwrap();
    let fields: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(fields, SIGN_ERROR, "{path}: unsigned, no result_code nor err_code: {body}");
}

fn refund(no: &str) -> Refund {
    Refund {
        trade: TradeRef::OutTradeNo(no.into()),
        out_refund_no: format!("{no}R"),
        total_fee: Fen::new(500),
        refund_fee: Fen::new(100),
        refund_desc: None,
        notify_url: None,
        refund_account: None,
    }
}

#[tokio::test]
async fn a_wrong_signature_is_answered_return_code_fail_unsigned_on_every_endpoint() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("RF1", 500, &r.url).await;
    s.pay("RF1").await;
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let m = wrong_key(&s, sign_type);
        let (_, openid) = s.sim.issue_code(None);
        let order = UnifiedOrder::new("Test", "RF2", Fen::new(500), "127.0.0.1", &r.url, openid);
        assert_sign_error("unifiedorder", raw(&s, &m, &order, false).await);
        let query = OrderQuery { trade: TradeRef::OutTradeNo("RF1".into()) };
        assert_sign_error("orderquery", raw(&s, &m, &query, false).await);
        assert_sign_error("closeorder", raw(&s, &m, &CloseOrder { out_trade_no: "RF1".into() }, false).await);
        assert_sign_error("refund", raw(&s, &m, &refund("RF1"), true).await);
        let rq = RefundQuery { by: RefundRef::OutTradeNo("RF1".into()), offset: None };
        assert_sign_error("refundquery", raw(&s, &m, &rq, false).await);
        // The core reads it as WeChat's FAIL, not as a forged answer.
        let (_, _, body) = raw(&s, &m, &query, false).await;
        let err = m.parse_response::<wxpay::OrderQueryResponse>(body.as_bytes()).unwrap_err();
        assert_eq!(err, wxpay::Error::ReturnFail { message: "签名错误".into() });
    }
    assert_eq!(s.sim.order_count(), 1, "no order placed by a refused request");
    assert_eq!(s.sim.refund_count(), 0, "no refund made by a refused request");
    assert_eq!(s.sim.order("RF1").unwrap().trade_state, wxpay::TradeState::Success, "not closed by a refused request");
}

#[tokio::test]
async fn the_journal_still_says_a_refused_signature_was_invalid() {
    let s = common::start(1000.0).await;
    let query = OrderQuery { trade: TradeRef::OutTradeNo("RF3".into()) };
    assert_sign_error("orderquery", raw(&s, &wrong_key(&s, SignType::Md5), &query, false).await);
    let j = s.sim.journal();
    assert_eq!(j.len(), 1);
    assert_eq!(j[0].signature_valid, Some(false));
    assert_eq!(j[0].outcome, "FAIL: 签名错误");
}

#[tokio::test]
async fn a_refund_without_the_client_certificate_gets_the_front_ends_400_page() {
    let s = common::start(1000.0).await;
    let r = common::receiver(0).await;
    s.place("RF4", 500, &r.url).await;
    s.pay("RF4").await;
    // Correctly signed, but no certificate: refused before the XML is read.
    let (status, kind, body) = raw(&s, &s.merchant(), &refund("RF4"), false).await;
    assert_eq!((status, kind.as_str()), (400, "text/html"));
    assert_eq!(body, NO_CERTIFICATE_PAGE);
    // Whatever the body, even none.
    let empty = s.https.post(format!("{}/secapi/pay/refund", s.sim.base_url())).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    assert_eq!(empty.text().await.unwrap(), NO_CERTIFICATE_PAGE);
    assert_eq!(s.sim.refund_count(), 0);
    let j = s.sim.journal();
    let refunds: Vec<_> =
        j.iter().filter(|c| c.path == "/secapi/pay/refund").map(|c| (c.client_cert, c.http_status, c.outcome.as_str())).collect();
    assert_eq!(refunds, [(false, 400, "HTTP 400"), (false, 400, "HTTP 400")]);
    // With the certificate the same refund goes through.
    let (status, _, body) = raw(&s, &s.merchant(), &refund("RF4"), true).await;
    assert_eq!(status, 200);
    assert_eq!(wxpay::xml::decode(body.as_bytes()).unwrap()["result_code"], "SUCCESS", "{body}");
}
