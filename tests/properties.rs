//! Property tests: signing and the XML codec hold for arbitrary input.
// proptest is a native-only dev-dependency; a wasm32 `cargo test` builds every test target for wasm32.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wxpay::{sign, verify, xml, ApiKey, Fen, Params, SignType};

fn key() -> ApiKey {
    ApiKey::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>().prop_filter("XML 1.0 characters", |c| {
            (*c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
        }),
        1 => prop::sample::select(vec!['<', '>', '&', ']', '[', '"', '\'', '中', ' ', '\n']),
    ]
}

fn xml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(xml_char(), 0..40).prop_map(|v| v.into_iter().collect()),
        Just("]]>".to_string()),
        Just("a]]>b]]]]>c".to_string()),
        "[0-9]{1,12}",
    ]
}

fn params() -> impl Strategy<Value = Params> {
    prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_]{0,15}", xml_value(), 0..12)
}

fn sign_type() -> impl Strategy<Value = SignType> {
    prop_oneof![Just(SignType::Md5), Just(SignType::HmacSha256)]
}

proptest! {
    #[test]
    fn sign_then_verify_round_trips(mut p in params(), t in sign_type()) {
        p.remove("sign");
        p.remove("sign_type");
        let s = sign(&p, &key(), t);
        prop_assert_eq!(s.len(), t.sign_len());
        p.insert("sign".into(), s);
        prop_assert_eq!(verify(&p, &key(), SignType::Md5), Ok(t));
    }

    #[test]
    fn changing_any_signed_value_breaks_the_signature(mut p in params(), t in sign_type(), pick in any::<prop::sample::Index>()) {
        p.remove("sign");
        p.remove("sign_type");
        let signed: Vec<String> = p.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k.clone()).collect();
        prop_assume!(!signed.is_empty());
        let s = sign(&p, &key(), t);
        p.insert("sign".into(), s);
        let victim = pick.get(&signed).clone();
        p.get_mut(&victim).unwrap().push('x');
        prop_assert_eq!(verify(&p, &key(), t), Err(wxpay::Error::SignatureMismatch));
    }

    #[test]
    fn xml_encode_then_decode_round_trips(p in params()) {
        let text = xml::encode(&p).unwrap();
        prop_assert_eq!(xml::decode(text.as_bytes()).unwrap(), p);
    }

    #[test]
    fn decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = xml::decode(&bytes);
    }

    #[test]
    fn decoder_never_panics_on_xmlish_input(s in "(<xml>|</xml>|<a>|</a>|<!\\[CDATA\\[|\\]\\]>|&[a-z#0-9]{0,4};|<!DOCTYPE|[a-z0-9 ]){0,20}") {
        let _ = xml::decode(s.as_bytes());
    }

    #[test]
    fn fen_display_parse_round_trips(n in any::<u64>()) {
        prop_assert_eq!(n.to_string().parse::<Fen>().unwrap(), Fen::new(n));
    }

    #[test]
    fn fen_refuses_decimals(a in any::<u32>(), b in 0u32..100) {
        let decimal = format!("{a}.{b:02}");
        prop_assert!(decimal.parse::<Fen>().is_err());
    }

    #[test]
    fn refund_notify_round_trips(p in prop::collection::btree_map("[a-z_]{1,12}", xml_value(), 1..8)) {
        let enc = wxpay::refund_notify::encrypt_req_info(&p, &key()).unwrap();
        prop_assert_eq!(wxpay::refund_notify::decrypt_req_info(&enc, &key()).unwrap(), p);
    }
}
