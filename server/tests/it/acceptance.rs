//! The acceptance rule's table (`tests/data/acceptance_cases.json`, the same cases the core,
//! `pkg/` and the cloud functions run) through the server's notify endpoints: each case's
//! stored order or refund is put in the database, its notify signed (or its `req_info`
//! encrypted) with the merchant's key and posted, and the reply and the stored record afterwards
//! are the table's.

use crate::common;

use common::{is_fail_reply, is_success_reply, Harness};
use serde_json::Value;
use wxpay::{Params, SignType};

fn table() -> Value {
    serde_json::from_str(include_str!("../../../tests/data/acceptance_cases.json")).unwrap()
}

/// The case's numbers made its own (one harness runs every case): order and refund numbers get
/// a suffix, WeChat's ids (unique in the database) their last two digits.
fn own_ids(case: &Value, i: usize) -> Value {
    let mut text = case.to_string();
    for id in ["R20261123MANUAL01", "R20261123000001", "20261123000001", "20261123999999"] {
        text = text.replace(&format!("\"{id}\""), &format!("\"{id}C{i:02}\""));
    }
    for id in [
        "4200000215201811190261405420",
        "4200000215201811190261409999",
        "50000408942018111907145868882",
        "50000408942018111907145869999",
        "50000408942018111907145860001",
    ] {
        text = text.replace(&format!("\"{id}\""), &format!("\"{}{i:02}\"", &id[..id.len() - 2]));
    }
    serde_json::from_str(&text).unwrap()
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

async fn exec(h: &Harness, sql: &str, binds: &[Option<&str>]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.map(str::to_owned));
    }
    q.execute(h.state().db.pool()).await.unwrap();
}

/// A stored order as the case describes it.
async fn store_order(h: &Harness, order: &Value) {
    let no = text(&order["out_trade_no"]).unwrap();
    let mut o = common::fixtures::unpaid_order(no, text(&order["openid"]).unwrap(), order["total_fee"].as_i64().unwrap(), h.clock.now_ms());
    o.api = wxpay_server::api::OrderApi::V2(text(&order["sign_type"]).unwrap().parse().unwrap());
    h.state().db.orders().insert(&o, "test").await.unwrap();
    let status = text(&order["status"]).unwrap();
    exec(
        h,
        "UPDATE orders SET status = $1, transaction_id = $2 WHERE out_trade_no = $3",
        &[Some(status), text(&order["transaction_id"]), Some(no)],
    )
    .await;
}

/// The payment notify of case `i`, signed with the merchant's key.
fn payment_notify(h: &Harness, notify: &Value, i: usize) -> Vec<u8> {
    let base = own_ids(&serde_json::from_str(include_str!("../../../tests/data/payment_notify.json")).unwrap(), i);
    let mut p: Params = base["fields"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
    let m = h.merchant();
    p.insert("appid".into(), m.appid.clone());
    p.insert("mch_id".into(), m.mch_id.clone());
    for (k, v) in notify["overrides"].as_object().unwrap() {
        match v.as_str() {
            Some(v) => p.insert(k.clone(), v.to_owned()),
            None => p.remove(k),
        };
    }
    let sign_type: SignType = text(&notify["sign_type"]).unwrap().parse().unwrap();
    let sign = wxpay::sign(&p, &m.key, sign_type);
    p.insert("sign".into(), sign);
    wxpay::xml::encode(&p).unwrap().into_bytes()
}

/// The refund notify of a case: its `req_info` encrypted with the merchant's key.
fn refund_notify(h: &Harness, notify: &Value) -> Vec<u8> {
    let m = h.merchant();
    let inner: Params = notify["req_info"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
    let mut p = Params::new();
    p.insert("return_code".into(), "SUCCESS".into());
    p.insert("appid".into(), m.appid.clone());
    p.insert("mch_id".into(), m.mch_id.clone());
    p.insert("nonce_str".into(), wxpay::nonce_str().unwrap());
    p.insert("req_info".into(), wxpay::refund_notify::encrypt_req_info(&inner, &m.key).unwrap());
    wxpay::xml::encode(&p).unwrap().into_bytes()
}

/// A stored refund as the case describes it, with its PAID order.
async fn store_refund(h: &Harness, refund: &Value) {
    let no = text(&refund["out_trade_no"]).unwrap();
    let order = serde_json::json!({
        "out_trade_no": no, "total_fee": refund["total_fee"], "openid": "oUpF8uMEb4qRXf22hE3X68TekukE", "sign_type": "MD5",
        "status": "PAID", "transaction_id": refund["order_transaction_id"],
    });
    store_order(h, &order).await;
    let now = h.clock.now_ms().to_string();
    let (total, fee) = (refund["total_fee"].to_string(), refund["refund_fee"].to_string());
    exec(
        h,
        "INSERT INTO refunds (out_refund_no, out_trade_no, openid, total_fee, refund_fee, reason, status, refund_id, requested_at, updated_at, sent_at) \
         VALUES ($1, $2, 'oUpF8uMEb4qRXf22hE3X68TekukE', CAST($3 AS BIGINT), CAST($4 AS BIGINT), 'case', $5, $6, CAST($7 AS BIGINT), CAST($7 AS BIGINT), CAST($7 AS BIGINT))",
        &[text(&refund["out_refund_no"]), Some(no), Some(&total), Some(&fee), text(&refund["status"]), text(&refund["refund_id"]), Some(&now)],
    )
    .await;
}

/// The table's notify cases, each through `/wxpay/notify` or `/wxpay/refund-notify`: the reply
/// (SUCCESS or FAIL, the FAIL never naming the check) and what is stored afterwards are the
/// table's, as they are for the cloud functions (miniprogram/test, the same name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_function_and_server_judge_the_same_notifies_alike() {
    let h = Harness::start().await;
    let cases = table()["cases"].as_array().unwrap().clone();
    let mut checked = 0;
    for (i, case) in cases.iter().enumerate() {
        let case = own_ids(case, i);
        let name = text(&case["name"]).unwrap();
        let expect = &case["expect"];
        let body = match text(&case["kind"]).unwrap() {
            "payment" => {
                if !case["order"].is_null() {
                    store_order(&h, &case["order"]).await;
                }
                h.post_notify(0, payment_notify(&h, &case["notify"], i)).await
            }
            _ => {
                if case["refund"].is_null() {
                    // A refund we never started, on an order we have (paid by that transaction).
                    let r = &case["notify"]["req_info"];
                    let order = serde_json::json!({
                        "out_trade_no": r["out_trade_no"], "total_fee": text(&r["total_fee"]).unwrap().parse::<i64>().unwrap(),
                        "openid": "oUpF8uMEb4qRXf22hE3X68TekukE", "sign_type": "MD5", "status": "PAID", "transaction_id": r["transaction_id"],
                    });
                    store_order(&h, &order).await;
                } else {
                    store_refund(&h, &case["refund"]).await;
                }
                h.post_refund_notify(0, refund_notify(&h, &case["notify"])).await
            }
        };
        let (_, reply) = body;
        match text(&expect["reply"]).unwrap() {
            "SUCCESS" => assert!(is_success_reply(&reply), "{name}: {reply}"),
            _ => {
                assert!(is_fail_reply(&reply), "{name}: {reply}");
                if let Some(code) = text(&expect["code"]) {
                    assert!(!reply.contains(code), "{name}: the FAIL reply names the check: {reply}");
                }
            }
        }
        if let Some(want) = expect.get("order").filter(|o| !o.is_null()) {
            let no = text(&case["order"]["out_trade_no"]).unwrap();
            let o = h.state().db.orders().get(no).await.unwrap().unwrap_or_else(|| panic!("{name}: order stored"));
            assert_eq!(o.status.as_str(), text(&want["status"]).unwrap(), "{name}");
            assert_eq!(o.transaction_id.as_deref(), text(&want["transaction_id"]), "{name}");
            assert_eq!(o.paid_after_close, want["paid_after_close"].as_bool().unwrap(), "{name}");
        }
        if let Some(want) = expect.get("refund").filter(|r| !r.is_null()) {
            let no = text(&case["notify"]["req_info"]["out_refund_no"]).unwrap();
            let r = h.state().db.refunds().get(no).await.unwrap().unwrap_or_else(|| panic!("{name}: refund stored"));
            assert_eq!(r.status.as_str(), text(&want["status"]).unwrap(), "{name}");
            assert_eq!(r.refund_id.as_deref(), text(&want["refund_id"]), "{name}");
            assert_eq!(r.outside, want["unknown"].as_bool().unwrap_or(false), "{name}");
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
    println!("acceptance: {checked} notify cases through the server, each as the table says");
}

/// A refund notify for a refund we never started, on an order we do not have either: nothing to
/// hang a refund on, so the audit log keeps it, and it is acknowledged all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_outside_on_an_unknown_order_is_audited_and_acknowledged() {
    let h = Harness::start().await;
    let case = table()["cases"].as_array().unwrap().iter().find(|c| c["name"] == "refund_unknown_recorded").unwrap().clone();
    let (_, reply) = h.post_refund_notify(0, refund_notify(&h, &case["notify"])).await;
    assert!(is_success_reply(&reply), "{reply}");
    let no = text(&case["notify"]["req_info"]["out_refund_no"]).unwrap();
    assert!(h.state().db.refunds().get(no).await.unwrap().is_none(), "no refund row without its order");
    let audit = h.state().db.audit().of("refund", no).await.unwrap();
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["refund.outside_unknown_order"]);
}
