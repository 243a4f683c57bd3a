//! The acceptance cases of tests/data/acceptance_cases.json, shared by the native tests
//! (tests/acceptance.rs) and the wasm tests (tests/wasm_vectors.rs). Each notify is made as
//! WeChat makes it (signed, or `req_info` encrypted), verified by the core, and judged; each
//! query answer is signed and parsed first. The data is compiled in: a wasm test has no file
//! system.

use serde_json::Value;
use wxpay::acceptance::{
    judge_payment, judge_refund, PaymentReport, PaymentVerdict, RefundReport, RefundReportStatus, RefundVerdict, StoredOrder,
    StoredOrderState, StoredRefund, StoredRefundState,
};
use wxpay::refund_notify::encrypt_req_info;
use wxpay::{sign, xml, ApiKey, Fen, Merchant, OrderQueryResponse, Params, RefundQueryResponse, SignType};

pub const CASES: &str = include_str!("../data/acceptance_cases.json");
const PAYMENT_NOTIFY: &str = include_str!("../data/payment_notify.json");

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const APPID: &str = "wx2421b1c4370ec43b";
const MCH_ID: &str = "10000100";

pub fn data() -> Value {
    serde_json::from_str(CASES).unwrap()
}

fn merchant() -> Merchant {
    Merchant::new(APPID, MCH_ID, ApiKey::new(KEY).unwrap())
}

fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name].as_str().unwrap_or_else(|| panic!("`{name}` is not a string in {v}"))
}

fn fen(v: &Value, name: &str) -> Fen {
    Fen::new(v[name].as_u64().unwrap_or_else(|| panic!("`{name}` is not an amount in {v}")))
}

/// Fields as strings, with the case's overrides (`null` removes a field).
fn fields(base: &Value, overrides: Option<&Value>) -> Params {
    let mut p: Params = base.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
    for (k, v) in overrides.and_then(Value::as_object).into_iter().flatten() {
        match v.as_str() {
            Some(s) => p.insert(k.clone(), s.to_owned()),
            None => p.remove(k),
        };
    }
    p
}

pub fn stored_order(v: &Value) -> Option<StoredOrder<'_>> {
    if v.is_null() {
        return None;
    }
    let state = match text(v, "status") {
        "NOTPAY" => StoredOrderState::Unpaid,
        "CLOSED" => StoredOrderState::Closed,
        "PAID" => StoredOrderState::Paid { transaction_id: text(v, "transaction_id") },
        other => panic!("order status {other}"),
    };
    Some(StoredOrder {
        out_trade_no: text(v, "out_trade_no"),
        total_fee: fen(v, "total_fee"),
        openid: v["openid"].as_str(),
        sign_type: v["sign_type"].as_str().map(|s| s.parse().unwrap()),
        state,
    })
}

pub fn stored_refund(v: &Value) -> Option<StoredRefund<'_>> {
    if v.is_null() {
        return None;
    }
    Some(StoredRefund {
        out_refund_no: text(v, "out_refund_no"),
        out_trade_no: text(v, "out_trade_no"),
        refund_fee: fen(v, "refund_fee"),
        total_fee: fen(v, "total_fee"),
        refund_id: v["refund_id"].as_str(),
        transaction_id: v["order_transaction_id"].as_str(),
        state: text(v, "status").parse().unwrap(),
    })
}

/// A verdict as the table writes it.
#[derive(Debug, PartialEq)]
pub struct Judged<'a> {
    pub verdict: &'a str,
    pub after_close: Option<bool>,
    pub status: Option<&'a str>,
    pub code: Option<&'a str>,
    pub reply: &'a str,
}

impl Judged<'static> {
    pub fn payment(v: PaymentVerdict) -> Judged<'static> {
        let after_close = match v {
            PaymentVerdict::Record { after_close } => Some(after_close),
            _ => None,
        };
        Judged { verdict: v.as_str(), after_close, status: None, code: v.mismatch().map(|m| m.code()), reply: v.reply().as_str() }
    }

    pub fn refund(v: RefundVerdict, reported: RefundReportStatus) -> Judged<'static> {
        let status = match v {
            RefundVerdict::Record(s) => Some(s.as_str()),
            RefundVerdict::RecordUnknown => Some(reported.as_str()),
            _ => None,
        };
        Judged { verdict: v.as_str(), after_close: None, status, code: v.mismatch().map(|m| m.code()), reply: v.reply().as_str() }
    }

    fn check(&self, name: &str, expect: &Value) {
        let want = Judged {
            verdict: text(expect, "verdict"),
            after_close: expect["after_close"].as_bool(),
            status: expect["status"].as_str(),
            code: expect["code"].as_str(),
            reply: text(expect, "reply"),
        };
        assert_eq!(*self, want, "{name}");
    }
}

/// A payment notify as WeChat sends it: tests/data/payment_notify.json with the case's
/// overrides, signed with the case's sign type.
pub fn payment_notify_body(notify: &Value) -> String {
    let fixture: Value = serde_json::from_str(PAYMENT_NOTIFY).unwrap();
    let mut p = fields(&fixture["fields"], notify.get("overrides"));
    let sign_type: SignType = text(notify, "sign_type").parse().unwrap();
    p.insert("sign".into(), sign(&p, &ApiKey::new(KEY).unwrap(), sign_type));
    xml::encode(&p).unwrap()
}

/// A refund notify as WeChat sends it: the case's `req_info` fields encrypted.
pub fn refund_notify_body(notify: &Value) -> String {
    let inner = fields(&notify["req_info"], None);
    let mut outer = Params::new();
    for (k, v) in [("return_code", "SUCCESS"), ("appid", APPID), ("mch_id", MCH_ID), ("nonce_str", "TeqClE3i0mvn3DrK")] {
        outer.insert(k.into(), v.into());
    }
    outer.insert("req_info".into(), encrypt_req_info(&inner, &ApiKey::new(KEY).unwrap()).unwrap());
    xml::encode(&outer).unwrap()
}

/// A query answer as WeChat sends it: the case's fields in the envelope, signed MD5.
fn answer_body(answer: &Value) -> String {
    let mut p = fields(answer, None);
    for (k, v) in
        [("return_code", "SUCCESS"), ("result_code", "SUCCESS"), ("appid", APPID), ("mch_id", MCH_ID), ("nonce_str", "5K8264ILTKCH16CQ")]
    {
        p.insert(k.into(), v.into());
    }
    p.insert("sign".into(), sign(&p, &ApiKey::new(KEY).unwrap(), SignType::Md5));
    xml::encode(&p).unwrap()
}

/// Every notify case: verified by the core, then judged as the table says.
pub fn notify_cases_judge_as_expected() {
    let data = data();
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let m = merchant();
    for case in cases {
        let name = text(case, "name");
        let judged = match text(case, "kind") {
            "payment" => {
                let body = payment_notify_body(&case["notify"]);
                let notify = m.verify_payment_notify(body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
                Judged::payment(judge_payment(stored_order(&case["order"]).as_ref(), &PaymentReport::from(&notify)))
            }
            "refund" => {
                let body = refund_notify_body(&case["notify"]);
                let notify = m.decrypt_refund_notify(body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
                let report = RefundReport::from(&notify);
                Judged::refund(judge_refund(stored_refund(&case["refund"]).as_ref(), &report), report.status)
            }
            other => panic!("{name}: kind {other}"),
        };
        judged.check(name, &case["expect"]);
    }
}

/// Every orderquery and refundquery case: parsed by the core, then judged as the table says.
pub fn query_cases_judge_as_expected() {
    let data = data();
    let cases = data["query_cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let m = merchant();
    for case in cases {
        let name = text(case, "name");
        let judged = if let Some(answer) = case.get("orderquery") {
            let a: OrderQueryResponse = m.parse_response(answer_body(answer).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            Judged::payment(judge_payment(stored_order(&case["order"]).as_ref(), &PaymentReport::from(&a)))
        } else {
            let a: RefundQueryResponse =
                m.parse_response(answer_body(&case["refundquery"]).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            let item = &a.refunds[0];
            let report = RefundReport::from_query(&a, item);
            Judged::refund(judge_refund(stored_refund(&case["refund"]).as_ref(), &report), report.status)
        };
        judged.check(name, &case["expect"]);
    }
}

/// Every stored state against every reported one (`refund_moves`), ids and amounts matching.
pub fn refund_moves_follow_the_state_machine() {
    let data = data();
    let moves = &data["refund_moves"];
    let reported: Vec<RefundReportStatus> = moves["reported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| match s.as_str().unwrap() {
            "PROCESSING" => RefundReportStatus::Processing,
            "SUCCESS" => RefundReportStatus::Success,
            "CHANGE" => RefundReportStatus::Change,
            "REFUNDCLOSE" => RefundReportStatus::Closed,
            other => panic!("reported {other}"),
        })
        .collect();
    let stored = moves["stored"].as_object().unwrap();
    assert_eq!(stored.len(), 7, "every stored state");
    for (name, row) in stored {
        let state: StoredRefundState = name.parse().unwrap();
        for (status, want) in reported.iter().zip(row.as_array().unwrap()) {
            let refund = StoredRefund {
                out_refund_no: "R1",
                out_trade_no: "A1",
                refund_fee: Fen::new(800),
                total_fee: Fen::new(1200),
                refund_id: Some("5000"),
                transaction_id: Some("4200"),
                state,
            };
            let report = RefundReport {
                out_refund_no: "R1",
                out_trade_no: "A1",
                refund_id: "5000",
                transaction_id: Some("4200"),
                refund_fee: Fen::new(800),
                total_fee: Some(Fen::new(1200)),
                status: *status,
            };
            let verdict = judge_refund(Some(&refund), &report);
            assert_eq!(verdict.as_str(), want.as_str().unwrap(), "{name} + {}", status.as_str());
            if let RefundVerdict::Record(s) = verdict {
                assert_eq!(s, *status, "{name}: records what was reported");
            }
        }
    }
}
