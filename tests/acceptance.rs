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
