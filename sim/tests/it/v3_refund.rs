//! v3 refunds that end ABNORMAL: the REFUND.ABNORMAL notify, then `apply-abnormal-refund` with
//! the payer's bank card encrypted to WeChat's key (as the core encrypts it), PROCESSING again.

use crate::common;

use std::time::Duration;

use serde_json::json;
use wxpay::v3::{AbnormalRefundRequest, JsapiOrderRequest, NotifyEvent, RefundRequest, RefundStatus};
use wxpay::{Fen, TradeRef};

use common::v3::{now, tls_receiver};

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn an_abnormal_refund_is_notified_and_sent_again_to_a_bank_card() {
    let s = common::start(1000.0).await;
    s.sim.faults().hold_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
    let keys = s.v3_keys();
    let merchant = tls_receiver(&s, |_| 200).await;
    let (_, openid) = s.sim.issue_code(None);
    let order = JsapiOrderRequest::new("咖啡", "V3ABNORMAL01", Fen::new(900), &merchant.url, &openid);
    s.v3_call(&keys, &order).await.read::<JsapiOrderRequest>(&keys).unwrap();
    s.pay("V3ABNORMAL01").await;
    merchant.wait_for(1, LIMIT).await;
    let mut refund = RefundRequest::new(TradeRef::OutTradeNo("V3ABNORMAL01".into()), "V3ABNORMALR1", Fen::new(900), Fen::new(900));
    refund.notify_url = Some(merchant.url.clone());
    let r = s.v3_call(&keys, &refund).await.read::<RefundRequest>(&keys).unwrap();

    // Not ABNORMAL yet: refused.
    let early = AbnormalRefundRequest::merchant_bank_card(r.refund_id.clone(), "V3ABNORMALR1").encrypt(&keys, now()).unwrap();
    let a = s.v3_call(&keys, &early).await;
    assert_eq!((a.status, a.json()["code"].as_str()), (400, Some("INVALID_REQUEST")));

    common::v3::wait_until("the refund is held", LIMIT, || s.sim.refund("V3ABNORMALR1").is_some_and(|r| r.held)).await;
    let (status, settled) = s.control(reqwest::Method::POST, "/refunds/V3ABNORMALR1/settle", Some(json!({ "status": "ABNORMAL" }))).await;
    assert_eq!((status, settled["status"].as_str()), (200, Some("ABNORMAL")), "{settled}");
    let got = merchant.wait_for(2, LIMIT).await;
    let n = keys.open_notification(&s.api_v3_key(), &got[1].signature_headers(), got[1].body.as_bytes(), now()).unwrap();
    assert_eq!(n.event_type, "REFUND.ABNORMAL");
    assert!(matches!(n.event, NotifyEvent::Refund(ref r) if r.refund_status == RefundStatus::Abnormal), "{n:?}");

    // Sent again to the payer's card, the fields encrypted to WeChat's key.
    let apply = AbnormalRefundRequest::user_bank_card(r.refund_id.clone(), "V3ABNORMALR1", "ICBC_DEBIT", "6222020200112233445", "张三")
        .encrypt(&keys, now())
        .unwrap();
    let unknown = s.v3_call_with_serial(Some("PUB_KEY_ID_0000000000000000000000000000000000"), &apply).await;
    assert_eq!((unknown.status, unknown.json()["code"].as_str()), (400, Some("PARAM_ERROR")), "a Wechatpay-Serial WeChat does not hold");
    let a = s.v3_call(&keys, &apply).await;
    let again = a.read::<wxpay::v3::EncryptedAbnormalRefund>(&keys).unwrap_or_else(|e| panic!("{e:?}: {:?}", a.json()));
    assert_eq!(again.status, RefundStatus::Processing);
}
