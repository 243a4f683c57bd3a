//! The acceptance rule (`wxpay::acceptance`): the cases of tests/data/acceptance_cases.json
//! (tests/acceptance_table/, also run under WebAssembly by tests/wasm_vectors.rs), and what the
//! table cannot say: fields a server always has but another store may not.
#![cfg(not(target_arch = "wasm32"))]

mod acceptance_table;

use wxpay::acceptance::{
    judge_payment, judge_refund, Mismatch, PaymentReport, PaymentVerdict, RefundReport, RefundReportStatus, RefundVerdict, Reply,
    StoredOrder, StoredOrderState, StoredRefund, StoredRefundState,
};
use wxpay::{notify, Fen, SignType};

#[test]
fn notify_cases_judge_as_the_table_says() {
    acceptance_table::notify_cases_judge_as_expected();
}

#[test]
fn query_cases_judge_as_the_table_says() {
    acceptance_table::query_cases_judge_as_expected();
}

#[test]
fn refund_moves_follow_the_state_machine() {
    acceptance_table::refund_moves_follow_the_state_machine();
}

#[test]
fn table_names_its_cases_once_and_by_outcome() {
    let data = acceptance_table::data();
    let mut names: Vec<&str> =
        ["cases", "query_cases"].iter().flat_map(|k| data[*k].as_array().unwrap()).map(|c| c["name"].as_str().unwrap()).collect();
    let outcomes = ["_recorded", "_refused", "_stale", "_nothing_to_record"];
    for name in &names {
        assert!(outcomes.iter().any(|o| name.ends_with(o)), "{name} is not named by its outcome");
    }
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "a case name is used twice");
}

const ORDER: StoredOrder<'static> = StoredOrder {
    out_trade_no: "20261123000001",
    total_fee: Fen::new(1200),
    openid: Some("oUpF8uMEb4qRXf22hE3X68TekukE"),
    sign_type: Some(SignType::HmacSha256),
    state: StoredOrderState::Unpaid,
};

const PAID: PaymentReport<'static> = PaymentReport {
    out_trade_no: "20261123000001",
    paid: true,
    transaction_id: Some("4200000215201811190261405420"),
    total_fee: Some(Fen::new(1200)),
    openid: Some("oUpF8uMEb4qRXf22hE3X68TekukE"),
    sign_type: Some(SignType::Md5),
};

#[test]
fn order_without_pinned_sign_type_accepts_either() {
    let unpinned = StoredOrder { sign_type: None, ..ORDER };
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let report = PaymentReport { sign_type: Some(sign_type), ..PAID };
        assert_eq!(judge_payment(Some(&unpinned), &report), PaymentVerdict::Record { after_close: false });
    }
    assert_eq!(
        judge_payment(Some(&ORDER), &PAID),
        PaymentVerdict::Refuse(Mismatch::SignType { order: SignType::HmacSha256, report: SignType::Md5 })
    );
}

#[test]
fn order_without_known_payer_accepts_the_reported_one() {
    let anonymous = StoredOrder { openid: None, sign_type: None, ..ORDER };
    let report = PaymentReport { openid: Some("oOtherPayer0000000000000000"), ..PAID };
    assert_eq!(judge_payment(Some(&anonymous), &report), PaymentVerdict::Record { after_close: false });
}

#[test]
fn report_for_another_order_is_refused_before_anything_else() {
    let report = PaymentReport { out_trade_no: "20261123000002", paid: false, ..PAID };
    assert_eq!(judge_payment(Some(&ORDER), &report).mismatch(), Some(Mismatch::OutTradeNo));
}

#[test]
fn paid_report_with_empty_transaction_id_is_refused() {
    let report = PaymentReport { transaction_id: Some(""), sign_type: None, ..PAID };
    assert_eq!(judge_payment(Some(&ORDER), &report).mismatch(), Some(Mismatch::TransactionIdMissing));
}

const REFUND: StoredRefund<'static> = StoredRefund {
    out_refund_no: "R20261123000001",
    out_trade_no: "20261123000001",
    refund_fee: Fen::new(800),
    total_fee: Fen::new(1200),
    refund_id: None,
    transaction_id: None,
    state: StoredRefundState::Processing,
};

const REFUNDED: RefundReport<'static> = RefundReport {
    out_refund_no: "R20261123000001",
    out_trade_no: "20261123000001",
    refund_id: "50000408942018111907145868882",
    transaction_id: Some("4200000215201811190261405420"),
    refund_fee: Fen::new(800),
    total_fee: None,
    status: RefundReportStatus::Success,
};

#[test]
fn refund_ids_known_to_one_side_only_are_not_compared() {
    assert_eq!(judge_refund(Some(&REFUND), &REFUNDED), RefundVerdict::Record(RefundReportStatus::Success));
    let report = RefundReport { transaction_id: None, ..REFUNDED };
    let known =
        StoredRefund { refund_id: Some("50000408942018111907145868882"), transaction_id: Some("4200000215201811190261405420"), ..REFUND };
    assert_eq!(judge_refund(Some(&known), &report), RefundVerdict::Record(RefundReportStatus::Success));
}

#[test]
fn report_for_another_refund_is_refused() {
    let report = RefundReport { out_refund_no: "R20261123000002", ..REFUNDED };
    assert_eq!(judge_refund(Some(&REFUND), &report).mismatch(), Some(Mismatch::OutRefundNo));
}

#[test]
fn stored_refund_status_names_parse() {
    for (name, state) in [
        ("REQUESTED", StoredRefundState::NotSent),
        ("REJECTED", StoredRefundState::NotSent),
        ("APPROVED", StoredRefundState::Approved),
        ("PROCESSING", StoredRefundState::Processing),
        ("CHANGE", StoredRefundState::Change),
        ("SUCCESS", StoredRefundState::Success),
        ("CLOSED", StoredRefundState::Closed),
    ] {
        assert_eq!(name.parse::<StoredRefundState>(), Ok(state));
    }
    assert_eq!("REFUNDCLOSE".parse::<StoredRefundState>().unwrap_err().code(), "INVALID_FIELD");
}

#[test]
fn fail_reply_is_one_fixed_word_whatever_the_mismatch() {
    assert_eq!(notify::REPLY_FAIL, notify::reply(false, "FAIL").unwrap());
    assert_eq!(Reply::Success.body(), notify::REPLY_SUCCESS);
    let refused = [
        judge_payment(None, &PAID),
        judge_payment(Some(&ORDER), &PAID),
        judge_payment(Some(&StoredOrder { sign_type: None, ..ORDER }), &PaymentReport { total_fee: None, ..PAID }),
    ];
    for verdict in refused {
        let m = verdict.mismatch().unwrap();
        assert_eq!(verdict.reply(), Reply::Fail);
        assert!(!verdict.reply().body().contains(m.code()), "{m}");
    }
    let conflict = judge_refund(Some(&StoredRefund { state: StoredRefundState::Closed, ..REFUND }), &REFUNDED);
    assert_eq!(conflict.reply().body(), notify::REPLY_FAIL);
}

#[test]
fn mismatch_codes_are_distinct_screaming_snake() {
    let all = [
        Mismatch::UnknownOrder,
        Mismatch::OutTradeNo,
        Mismatch::SignType { order: SignType::Md5, report: SignType::HmacSha256 },
        Mismatch::TotalFee { stored: Fen::new(1), reported: None },
        Mismatch::Payer,
        Mismatch::TransactionIdMissing,
        Mismatch::OtherTransaction,
        Mismatch::OutRefundNo,
        Mismatch::RefundFee { stored: Fen::new(1), reported: Fen::new(2) },
        Mismatch::RefundId,
        Mismatch::TransactionId,
        Mismatch::NotSent,
        Mismatch::Conflict { stored: StoredRefundState::Success, reported: RefundReportStatus::Closed },
    ];
    let mut codes: Vec<&str> = all.iter().map(Mismatch::code).collect();
    for (m, code) in all.iter().zip(&codes) {
        assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{code}");
        assert!(!m.to_string().is_empty());
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    assert_eq!(
        Mismatch::TotalFee { stored: Fen::new(1200), reported: Some(Fen::new(1)) }.to_string(),
        "total_fee is 1 fen, ours is 1200 fen"
    );
}

// ---- API v3 reports ------------------------------------------------------------------------

fn v3_transaction(trade_state: &str) -> wxpay::v3::Transaction {
    serde_json::from_value(serde_json::json!({
        "appid": "wx2421b1c4370ec43b", "mchid": "1900000109", "out_trade_no": "20261123000001",
        "transaction_id": "4200000215201811190261405420", "trade_type": "JSAPI", "trade_state": trade_state,
        "trade_state_desc": "", "payer": { "openid": "oUpF8uMEb4qRXf22hE3X68TekukE" },
        "amount": { "total": 1200, "payer_total": 1200, "currency": "CNY", "payer_currency": "CNY" }
    }))
    .unwrap()
}

#[test]
fn v3_paid_transaction_is_recorded_on_an_order_pinned_to_a_v2_sign_type() {
    let t = v3_transaction("SUCCESS");
    let report = PaymentReport::from(&t);
    assert_eq!(report.sign_type, None, "v3 has one algorithm: nothing to compare with a pinned sign type");
    assert_eq!(report.openid, Some("oUpF8uMEb4qRXf22hE3X68TekukE"));
    assert_eq!(judge_payment(Some(&ORDER), &report), PaymentVerdict::Record { after_close: false });
    let other_amount =
        wxpay::v3::Transaction { amount: wxpay::v3::TransactionAmount { total: Fen::new(1), ..t.amount.clone() }, ..t.clone() };
    assert!(matches!(judge_payment(Some(&ORDER), &PaymentReport::from(&other_amount)), PaymentVerdict::Refuse(Mismatch::TotalFee { .. })));
}

#[test]
fn v3_unpaid_or_unknown_trade_state_is_nothing_to_record() {
    for state in ["NOTPAY", "CLOSED", "PAYERROR", "SOMETHING_NEW"] {
        let t = v3_transaction(state);
        assert_eq!(judge_payment(Some(&ORDER), &PaymentReport::from(&t)), PaymentVerdict::NothingToRecord, "{state}");
    }
}

#[test]
fn v3_abnormal_refund_is_change_and_an_unknown_status_is_refused() {
    use wxpay::v3::RefundStatus as V3;
    assert_eq!(RefundReportStatus::from_v3(&V3::Abnormal).unwrap(), RefundReportStatus::Change);
    assert_eq!(RefundReportStatus::from_v3(&V3::Closed).unwrap(), RefundReportStatus::Closed);
    assert_eq!(RefundReportStatus::from_v3(&V3::Success).unwrap(), RefundReportStatus::Success);
    assert_eq!(RefundReportStatus::from_v3(&V3::Processing).unwrap(), RefundReportStatus::Processing);
    let e = RefundReportStatus::from_v3(&V3::Other("REVERSED".into())).unwrap_err();
    assert_eq!(e.code(), "INVALID_FIELD");
    let notice: wxpay::v3::RefundNotice = serde_json::from_value(serde_json::json!({
        "mchid": "1900000109", "out_trade_no": "20261123000001", "transaction_id": "4200000215201811190261405420",
        "out_refund_no": "R1", "refund_id": "50000000382019052709732678859", "refund_status": "ABNORMAL",
        "user_received_account": "招商银行信用卡0403",
        "amount": { "total": 1200, "refund": 500, "payer_total": 1200, "payer_refund": 500 }
    }))
    .unwrap();
    let report = RefundReport::from_v3_notice(&notice).unwrap();
    assert_eq!((report.status, report.refund_fee, report.total_fee), (RefundReportStatus::Change, Fen::new(500), Some(Fen::new(1200))));
}
