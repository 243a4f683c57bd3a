//! WeChat's flat XML: `<xml><name>value</name>…</xml>` (and `<root>…</root>` inside `req_info`).
//!
//! The decoder is deliberately narrow. WeChat's 2018 XXE advisory was about parsers that
//! honour DOCTYPEs, so any DOCTYPE or entity declaration is refused before a single field is
//! read, and only the five predefined entities and character references are expanded. Values
//! are kept byte for byte (no trimming, no end-of-line normalisation): the signature is over
//! exactly what WeChat sent.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{Error, Result};
use crate::Params;

/// The default size limit for an incoming document: 64 KiB, far above any real WeChat message.
pub const DEFAULT_MAX_SIZE: usize = 64 * 1024;

/// A configured decoder: the size limit and the expected root element.
///
/// ```
/// let fields = wxpay::xml::Decoder::new()
///     .max_size(1024)
///     .decode(b"<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>")?;
/// assert_eq!(fields["return_code"], "SUCCESS");
/// assert_eq!(fields["total_fee"], "1");
/// # Ok::<(), wxpay::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Decoder {
    max_size: usize,
    root: &'static str,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

/// Where the decoder is in the one shape it accepts.
enum At {
    Prolog,
    InRoot,
    InField,
    Epilog,
}

impl Decoder {
    /// Root `<xml>`, limit [`DEFAULT_MAX_SIZE`].
    pub const fn new() -> Self {
        Decoder { max_size: DEFAULT_MAX_SIZE, root: "xml" }
    }

    /// Refuse inputs longer than `bytes`.
    pub const fn max_size(mut self, bytes: usize) -> Self {
        self.max_size = bytes;
        self
    }

    /// Expect this root element instead of `xml` (refund notifies use `root`).
    pub const fn root(mut self, name: &'static str) -> Self {
        self.root = name;
        self
    }

    /// Decodes one flat document into its fields.
    ///
    /// # Errors
    /// [`Error::TooLarge`], [`Error::NotUtf8`], [`Error::DoctypeForbidden`],
    /// [`Error::UnknownEntity`], [`Error::NestedElement`], [`Error::DuplicateKey`],
    /// [`Error::UnexpectedRoot`] or [`Error::MalformedXml`].
    pub fn decode(&self, input: &[u8]) -> Result<Params> {
        if input.len() > self.max_size {
            return Err(Error::TooLarge { size: input.len(), limit: self.max_size });
        }
        let text = core::str::from_utf8(input).map_err(|e| Error::NotUtf8 { offset: e.valid_up_to() })?;
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;

        let mut fields = Params::new();
        let mut at = At::Prolog;
        let mut name = String::new();
        let mut value = String::new();
        loop {
            let event = reader.read_event().map_err(|e| Error::MalformedXml(e.to_string()))?;
            match (&at, event) {
                (_, Event::DocType(_)) => return Err(Error::DoctypeForbidden),
                (_, Event::Comment(_)) => {}
                (At::Prolog, Event::Decl(_)) => {}
                (At::Prolog | At::InRoot | At::Epilog, Event::Text(t)) => {
                    if !t.into_inner().bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(Error::MalformedXml("text outside a field".into()));
                    }
                }
                (At::Prolog, Event::Start(e)) => {
                    self.check_root(e.name().as_ref())?;
                    at = At::InRoot;
                }
                (At::Prolog, Event::Empty(e)) => {
                    self.check_root(e.name().as_ref())?;
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
                    let c = match r.resolve_char_ref().map_err(|e| Error::MalformedXml(e.to_string()))? {
                        Some(c) => c,
                        None => predefined(&r.into_inner())?,
                    };
                    value.push(c);
                }
                (At::InField, Event::Start(e) | Event::Empty(e)) => {
                    return Err(Error::NestedElement { parent: name, child: e.name().as_ref().to_owned() });
                }
                (At::InField, Event::End(_)) => {
                    insert(&mut fields, core::mem::take(&mut name), core::mem::take(&mut value))?;
                    at = At::InRoot;
                }
                (At::Epilog, Event::Eof) => return Ok(fields),
                (_, Event::Eof) => return Err(Error::MalformedXml("unexpected end of document".into())),
                (_, Event::GeneralRef(r)) => {
                    return Err(Error::MalformedXml(format!("entity &{}; outside a field", &*r.into_inner())));
                }
                (_, Event::PI(_)) => return Err(Error::MalformedXml("processing instruction".into())),
                (_, other) => {
                    let what = match other {
                        Event::Decl(_) => "XML declaration after the start",
                        Event::CData(_) => "CDATA outside a field",
                        Event::Start(_) | Event::Empty(_) => "second root element",
                        _ => "unexpected markup",
                    };
                    return Err(Error::MalformedXml(what.into()));
                }
            }
        }
    }

    fn check_root(&self, name: &str) -> Result<()> {
        if name == self.root {
            Ok(())
        } else {
            Err(Error::UnexpectedRoot { expected: self.root, actual: truncate(name) })
        }
    }
}

fn insert(fields: &mut Params, name: String, value: String) -> Result<()> {
    use std::collections::btree_map::Entry;
    match fields.entry(name) {
        Entry::Occupied(e) => Err(Error::DuplicateKey(e.key().clone())),
        Entry::Vacant(e) => {
            e.insert(value);
            Ok(())
        }
    }
}

/// The five entities XML predefines; anything else would need a DTD, which we refuse.
fn predefined(name: &str) -> Result<char> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(Error::UnknownEntity(other.chars().take(64).collect())),
    }
}

/// Decodes a `<xml>` document with the default limit. See [`Decoder::decode`].
///
/// # Errors
/// As [`Decoder::decode`].
pub fn decode(input: &[u8]) -> Result<Params> {
    Decoder::new().decode(input)
}

/// Encodes fields as `<xml>…</xml>`: digits as they are, any other value in CDATA.
///
/// # Errors
/// [`Error::Unencodable`] for a name that is not an XML name or a value holding a character
/// XML 1.0 cannot carry (control characters other than tab, CR and LF).
pub fn encode(params: &Params) -> Result<String> {
    encode_pairs("xml", params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Encodes `(name, value)` pairs, in the given order, under `root`.
///
/// # Errors
/// As [`encode`].
pub fn encode_pairs<'a>(root: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String> {
    let mut out = String::with_capacity(512);
    out.push('<');
    out.push_str(root);
    out.push('>');
    for (k, v) in pairs {
        check_name(k)?;
        out.push('<');
        out.push_str(k);
        out.push('>');
        write_value(&mut out, v)?;
        out.push_str("</");
        out.push_str(k);
        out.push('>');
    }
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    Ok(out)
}

fn check_name(name: &str) -> Result<()> {
    let mut bytes = name.bytes();
    let ok = matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok { Ok(()) } else { Err(Error::Unencodable(format!("{:?} is not an XML element name", truncate(name)))) }
}

fn write_value(out: &mut String, v: &str) -> Result<()> {
    if v.is_empty() || v.bytes().all(|b| b.is_ascii_digit()) {
        out.push_str(v);
        return Ok(());
    }
    if let Some(c) = v.chars().find(|&c| !crate::validate::is_xml_char(c)) {
        return Err(Error::Unencodable(format!("character U+{:04X} is not allowed in XML 1.0", u32::from(c))));
    }
    // A CDATA section cannot contain `]]>`: end it between `]]` and `>` and open another.
    out.push_str("<![CDATA[");
    let mut rest = v;
    while let Some(i) = rest.find("]]>") {
        out.push_str(&rest[..i + 2]);
        out.push_str("]]><![CDATA[");
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out.push_str("]]>");
    Ok(())
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
