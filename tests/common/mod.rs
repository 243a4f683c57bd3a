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

/// The fields of a successful payment notify (`tests/data/payment_notify.json`, the one fixture
/// the Rust, JS and benchmark code share): order `20261123000001`, 1200 fen, unsigned.
pub fn notify_fields() -> Vec<(&'static str, &'static str)> {
    static FIELDS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    let fields = FIELDS.get_or_init(|| {
        let data: serde_json::Value = serde_json::from_str(include_str!("../data/payment_notify.json")).unwrap();
        let fields = data["fields"].as_object().unwrap();
        fields.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
    });
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub fn with(fields: &[(&'static str, &'static str)], name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = fields.iter().copied().filter(|(k, _)| *k != name).collect();
    out.push((name, value));
    out
}
