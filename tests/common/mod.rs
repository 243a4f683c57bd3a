//! Helpers shared by the integration tests: WeChat's side of the conversation.
#![allow(dead_code)]

use wxpay::{sign, xml, ApiKey, Merchant, Params, SignType};

pub const KEY: &str = "192006250b4c09247ec02edce69f6a2d";
pub const APPID: &str = "wx2421b1c4370ec43b";
pub const MCH_ID: &str = "10000100";

pub fn merchant() -> Merchant {
    Merchant::new(APPID, MCH_ID, ApiKey::new(KEY).unwrap())
}

pub fn params(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A message as WeChat would send it: the fields, signed, as XML.
pub fn signed_xml(pairs: &[(&str, &str)], sign_type: SignType) -> String {
    let mut p = params(pairs);
    p.insert("sign".into(), sign(&p, &ApiKey::new(KEY).unwrap(), sign_type));
    xml::encode(&p).unwrap()
}

/// The fields of a successful payment notify for order `A1` of 100 fen.
pub fn notify_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("is_subscribe", "N"),
        ("trade_type", "JSAPI"),
        ("bank_type", "CMC"),
        ("total_fee", "100"),
        ("cash_fee", "100"),
        ("fee_type", "CNY"),
        ("transaction_id", "4200000215201811190261405420"),
        ("out_trade_no", "A1"),
        ("attach", "shop 1"),
        ("time_end", "20261123120000"),
    ]
}

pub fn with(fields: &[(&'static str, &'static str)], name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = fields.iter().copied().filter(|(k, _)| *k != name).collect();
    out.push((name, value));
    out
}
