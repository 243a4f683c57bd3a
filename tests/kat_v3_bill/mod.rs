//! The v3 bill known-answer checks over tests/data/v3_bill_vectors.json (bills, gzip and SHA-1
//! made by Python's standard library in scripts/make-v3-bill-vectors, not by our code), shared by
//! the native tests (tests/v3_vectors.rs) and the wasm tests (tests/wasm_v3_vectors.rs). The
//! data is compiled in: a wasm test has no file system.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::Value;
use wxpay::v3::{BillResponse, FlowDirection, FundFlowBill, TarType, TradeBill};
use wxpay::Error;

pub const VECTORS: &str = include_str!("../data/v3_bill_vectors.json");

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn opt_s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// Opens and parses one case as the vectors say a caller would.
fn run(c: &Value) -> Result<Value, Error> {
    let answer = BillResponse { hash_type: s(&c["hash_type"]).into(), hash_value: s(&c["hash_value"]).into(), download_url: String::new() };
    let bytes = base64::engine::general_purpose::STANDARD.decode(s(&c["bytes_base64"])).unwrap();
    let tar = match c["tar_type"].as_str() {
        Some("GZIP") => Some(TarType::Gzip),
        None => None,
        Some(other) => panic!("tar_type {other}"),
    };
    let text = match c["limit"].as_u64() {
        Some(limit) => answer.open_with_limit(tar, &bytes, limit as usize)?,
        None => answer.open(tar, &bytes)?,
    };
    assert!(!text.starts_with('\u{FEFF}'), "{}: the BOM is removed", s(&c["name"]));
    match s(&c["kind"]) {
        "trade" => Ok(serde_json::to_value(TradeBill::parse(&text)?).unwrap()),
        "fund_flow" => Ok(serde_json::to_value(FundFlowBill::parse(&text)?).unwrap()),
        other => panic!("kind {other}"),
    }
}

fn check_trade(name: &str, got: &Value, want: &Value) {
    let rows = got["rows"].as_array().unwrap();
    let want_rows = want["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want_rows.len(), "{name}: rows");
    for (r, w) in rows.iter().zip(want_rows) {
        for key in ["out_trade_no", "transaction_id", "trade_state", "description"] {
            assert_eq!(s(&r[key]), s(&w[key]), "{name}: {key}");
        }
        for key in ["attach", "out_refund_no"] {
            assert_eq!(opt_s(&r[key]), opt_s(&w[key]), "{name}: {key}");
        }
        assert_eq!(n(&r["settlement_total"]), n(&w["settlement_total"]), "{name}: settlement_total");
        assert_eq!(n(&r["refund"]), n(&w["refund"]), "{name}: refund");
        assert_eq!(n(&r["total"]), n(&w["total"]), "{name}: total");
        assert_eq!(r["fee"].as_i64().unwrap(), w["fee"].as_i64().unwrap(), "{name}: fee");
        assert_eq!(r["extra"], w["extra"], "{name}: extra");
    }
    let (g, w) = (&got["summary"], &want["summary"]);
    for key in ["rows", "settlement_total", "refund", "total"] {
        assert_eq!(n(&g[key]), n(&w[key]), "{name}: summary {key}");
    }
    assert_eq!(g["fee"].as_i64().unwrap(), w["fee"].as_i64().unwrap(), "{name}: summary fee");
}

fn check_fund_flow(name: &str, got: &Value, want: &Value) {
    let rows = got["rows"].as_array().unwrap();
    let want_rows = want["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want_rows.len(), "{name}: rows");
    for (r, w) in rows.iter().zip(want_rows) {
        for key in ["flow_id", "direction", "voucher_no"] {
            assert_eq!(s(&r[key]), s(&w[key]), "{name}: {key}");
        }
        assert_eq!(opt_s(&r["memo"]), opt_s(&w["memo"]), "{name}: memo");
        assert_eq!(n(&r["amount"]), n(&w["amount"]), "{name}: amount");
        assert_eq!(n(&r["balance"]), n(&w["balance"]), "{name}: balance");
    }
    for key in ["rows", "income_rows", "income", "expense_rows", "expense"] {
        assert_eq!(n(&got["summary"][key]), n(&want["summary"][key]), "{name}: summary {key}");
    }
}

/// Every case opens and parses to what Python computed, or fails with the error it names: a
/// wrong hash, a summary that disagrees with the rows, a cut gzip, a gzip over the limit.
pub fn bills_open_and_parse_as_outside_tool_says() {
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 14);
    // The direction's wire names are the file's.
    assert_eq!(serde_json::to_value(FlowDirection::Income).unwrap(), "收入");
    for c in cases {
        let name = s(&c["name"]);
        let want = &c["expect"];
        match (run(c), want.get("ok")) {
            (Ok(got), Some(ok)) => match s(&ok["kind"]) {
                "trade" => check_trade(name, &got, ok),
                _ => check_fund_flow(name, &got, ok),
            },
            (Ok(_), None) => panic!("{name}: opened and parsed, expected {}", want["error"]),
            (Err(e), Some(_)) => panic!("{name}: {e}"),
            (Err(e), None) => {
                assert_eq!(e.code(), s(&want["error"]), "{name}: {e}");
                if let Some(field) = want.get("field") {
                    assert!(matches!(&e, Error::InvalidField { name: f, .. } if f == s(field)), "{name}: {e}");
                }
            }
        }
    }
}
