//! The flat XML decoder (`wxpay::xml`) held to a general XML parser: on documents put together
//! from the pieces WeChat's format and its attacks are made of, both accept the same documents
//! with the same fields, and refuse the same ones with the same error code.
//!
//! The oracle is the decoder this crate had before its own (quick-xml's events with the same
//! rules laid over them), kept here as a test, where its size costs nothing. Where quick-xml is
//! more lenient than XML (any characters as a name), or than WeChat's format (attributes), the
//! oracle refuses as the flat decoder does, with `MALFORMED_XML`.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use wxpay::{xml, Error, Params};

/// quick-xml's reading of a flat document, with the crate's rules: DOCTYPE refused, the five
/// predefined entities and character references only, no nesting, no duplicates.
fn oracle(input: &[u8], root: &str) -> Result<Params, &'static str> {
    let text = core::str::from_utf8(input).map_err(|_| "NOT_UTF8")?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    #[derive(PartialEq)]
    enum At {
        Prolog,
        InRoot,
        InField,
        Epilog,
    }
    let (mut at, mut fields, mut name, mut value) = (At::Prolog, Params::new(), String::new(), String::new());
    let insert = |fields: &mut Params, name: String, value: String| match fields.insert(name, value) {
        Some(_) => Err("DUPLICATE_KEY"),
        None => Ok(()),
    };
    // quick-xml takes any run of characters up to `>` as a name (`<<xml>` opens `<xml`); the
    // crate refuses what XML does not call a name, as malformed.
    let named = |name: &str| {
        let ok = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
            && !name.contains(|c: char| c.is_ascii_whitespace() || "/>=<&;'\"!?".contains(c));
        if ok {
            Ok(())
        } else {
            Err("MALFORMED_XML")
        }
    };
    loop {
        let event = reader.read_event().map_err(|_| "MALFORMED_XML")?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                named(e.name().as_ref())?;
                // WeChat's elements carry no attributes; the flat decoder refuses them.
                if !e.attributes_raw().trim_matches(|c: char| c.is_ascii_whitespace()).is_empty() {
                    return Err("MALFORMED_XML");
                }
            }
            Event::End(e) => named(e.name().as_ref())?,
            _ => {}
        }
        match (&at, event) {
            (_, Event::DocType(_)) => return Err("DOCTYPE_FORBIDDEN"),
            (_, Event::Comment(_)) => {}
            (At::Prolog, Event::Decl(_)) => {}
            (At::Prolog | At::InRoot | At::Epilog, Event::Text(t)) => {
                if !t.into_inner().bytes().all(|b| b.is_ascii_whitespace()) {
                    return Err("MALFORMED_XML");
                }
            }
            (At::Prolog, Event::Start(e)) => {
                if e.name().as_ref() != root {
                    return Err("UNEXPECTED_ROOT");
                }
                at = At::InRoot;
            }
            (At::Prolog, Event::Empty(e)) => {
                if e.name().as_ref() != root {
                    return Err("UNEXPECTED_ROOT");
                }
                at = At::Epilog;
            }
            (At::InRoot, Event::Start(e)) => {
                name = e.name().as_ref().to_owned();
                value.clear();
                at = At::InField;
            }
            (At::InRoot, Event::Empty(e)) => insert(&mut fields, e.name().as_ref().to_owned(), String::new())?,
            (At::InRoot, Event::End(_)) => at = At::Epilog,
            (At::InField, Event::Text(t)) => value.push_str(&t.into_inner()),
            (At::InField, Event::CData(t)) => value.push_str(&t.into_inner()),
            (At::InField, Event::GeneralRef(r)) => {
                let c = match r.resolve_char_ref().map_err(|_| "MALFORMED_XML")? {
                    Some(c) => c,
                    None => match &*r.into_inner() {
                        name if named(name).is_err() => return Err("MALFORMED_XML"),
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err("UNKNOWN_ENTITY"),
                    },
                };
                value.push(c);
            }
            (At::InField, Event::Start(_) | Event::Empty(_)) => return Err("NESTED_ELEMENT"),
            (At::InField, Event::End(_)) => {
                insert(&mut fields, core::mem::take(&mut name), core::mem::take(&mut value))?;
                at = At::InRoot;
            }
            (At::Epilog, Event::Eof) => return Ok(fields),
            _ => return Err("MALFORMED_XML"),
        }
    }
}

/// The pieces: WeChat's own shapes, the predefined and unknown entities, character references,
/// CDATA, comments, declarations, DOCTYPEs, and stray markup.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<xml>",
        "</xml>",
        "<xml>",
        "</xml>",
        "<root>",
        "</root>",
        "<a>",
        "</a>",
        "<b>",
        "</b>",
        "<a/>",
        "<b />",
        "<total_fee>",
        "</total_fee>",
        "1200",
        "x",
        "中文",
        "😀",
        " ",
        "\n",
        "\r\n",
        "\t",
        "&lt;",
        "&gt;",
        "&amp;",
        "&apos;",
        "&quot;",
        "&#20013;",
        "&#x41;",
        "&#0;",
        "&#xD800;",
        "&nbsp;",
        "&xxe;",
        "&",
        ";",
        "<![CDATA[",
        "]]>",
        "<![CDATA[a<b>&c]]>",
        "<![CDATA[x]]]]><![CDATA[>y]]>",
        "<!-- c -->",
        "<!--",
        "-->",
        "<?xml version=\"1.0\"?>",
        "<?php echo 1; ?>",
        "<!DOCTYPE xml>",
        "<!DOCTYPE x [<!ENTITY e \"v\">]>",
        "<",
        ">",
        "/",
        "=",
        "</ a>",
        "<a >",
        "</a >",
    ])
}

/// A document that starts the way WeChat's do, or not at all.
fn document() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(piece(), 0..16).prop_map(|v| v.concat()),
        prop::collection::vec(piece(), 0..12).prop_map(|v| format!("<xml>{}</xml>", v.concat())),
        (prop::collection::vec(("[a-c]", piece()), 0..8)).prop_map(|fields| {
            let body: String = fields.iter().map(|(n, v)| format!("<{n}>{v}</{n}>")).collect();
            format!("<xml>{body}</xml>")
        }),
    ]
}

fn code(r: &Result<Params, Error>) -> Result<&Params, &'static str> {
    r.as_ref().map_err(Error::code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn flat_decoder_agrees_with_quick_xml(doc in document()) {
        let ours = xml::decode(doc.as_bytes());
        let theirs = oracle(doc.as_bytes(), "xml");
        prop_assert_eq!(code(&ours), theirs.as_ref().map_err(|e| *e), "{:?}", doc);
    }

    #[test]
    fn flat_decoder_agrees_with_quick_xml_under_root(doc in document()) {
        let doc = doc.replace("xml>", "root>");
        let ours = xml::Decoder::new().root("root").decode(doc.as_bytes());
        let theirs = oracle(doc.as_bytes(), "root");
        prop_assert_eq!(code(&ours), theirs.as_ref().map_err(|e| *e), "{:?}", doc);
    }
}
