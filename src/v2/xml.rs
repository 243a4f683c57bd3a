//! WeChat's flat XML: `<xml><name>value</name>…</xml>` (and `<root>…</root>` inside `req_info`).
//!
//! The decoder is deliberately narrow, and written for exactly this shape: a root element whose
//! children are fields holding text, CDATA, the five predefined entities and character
//! references, with an optional XML declaration and comments around. WeChat's 2018 XXE advisory
//! was about parsers that honour DOCTYPEs, so a DOCTYPE or entity declaration is refused where it
//! stands, before any field after it is read; no other entity is ever expanded. Attributes,
//! processing instructions and anything nested are refused. Values are kept byte for byte (no
//! trimming, no end-of-line normalisation): the signature is over exactly what WeChat sent.
//!
//! Why not a general XML parser (quick-xml was the first one here): every check above was a
//! rule laid over its events, and its generality cost a fifth of the WebAssembly package and
//! its cold start, which every cloud-function container pays. `tests/xml_oracle.rs` holds this
//! decoder to quick-xml's reading on generated documents.

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
        let mut r = Cursor { text, at: 0 };
        let mut fields = Params::new();

        // Prolog: XML declarations, comments and whitespace.
        let root = loop {
            r.skip_whitespace();
            let rest = r.rest();
            if rest.starts_with("<?xml") && rest[5..].starts_with(|c: char| c.is_ascii_whitespace() || c == '?') {
                r.skip_past("?>", "unterminated XML declaration")?;
                continue;
            }
            match r.markup()? {
                Markup::Comment => {}
                Markup::Open { name, empty } => {
                    self.check_root(name)?;
                    break (!empty).then_some(name);
                }
                Markup::Eof => return Err(r.malformed("unexpected end of document")),
                other => return Err(other.out_of_place(&r)),
            }
        };

        // The fields, each `<name>value</name>` or `<name/>`.
        if let Some(root) = root {
            loop {
                r.skip_whitespace();
                match r.markup()? {
                    Markup::Comment => {}
                    Markup::Open { name, empty: true } => insert(&mut fields, name, String::new())?,
                    Markup::Open { name, empty: false } => {
                        let value = r.field_value(name)?;
                        insert(&mut fields, name, value)?;
                    }
                    Markup::Close(name) if name == root => break,
                    Markup::Close(_) => return Err(r.malformed("mismatched end tag")),
                    Markup::Eof => return Err(r.malformed("unexpected end of document")),
                    other => return Err(other.out_of_place(&r)),
                }
            }
        }

        // Epilog: comments and whitespace only.
        loop {
            r.skip_whitespace();
            match r.markup()? {
                Markup::Comment => {}
                Markup::Eof => return Ok(fields),
                Markup::Open { .. } => return Err(r.malformed("second root element")),
                other => return Err(other.out_of_place(&r)),
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

/// What starts at the cursor, outside a field's value.
enum Markup<'a> {
    Open {
        name: &'a str,
        empty: bool,
    },
    Close(&'a str),
    Comment,
    Cdata,
    /// A processing instruction, or an XML declaration past the start.
    Instruction,
    /// Text other than whitespace, or an entity reference.
    Text,
    Eof,
}

impl Markup<'_> {
    fn out_of_place(&self, r: &Cursor<'_>) -> Error {
        r.malformed(match self {
            Markup::Cdata => "CDATA outside a field",
            Markup::Instruction => "processing instruction",
            Markup::Text => "text outside a field",
            Markup::Close(_) => "end tag without a start",
            Markup::Open { .. } | Markup::Comment | Markup::Eof => "unexpected markup",
        })
    }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn malformed(&self, what: &str) -> Error {
        Error::MalformedXml(format!("{what} at byte {}", self.at))
    }

    fn skip_whitespace(&mut self) {
        self.at += self.rest().bytes().take_while(u8::is_ascii_whitespace).count();
    }

    /// Moves past the next `end`, returning what was before it.
    fn skip_past(&mut self, end: &str, unterminated: &str) -> Result<&'a str> {
        match find(self.rest(), end) {
            Some(i) => {
                let before = &self.rest()[..i];
                self.at += i + end.len();
                Ok(before)
            }
            None => Err(self.malformed(unterminated)),
        }
    }

    /// The markup at the cursor, consumed; DOCTYPE and entity declarations are refused here.
    fn markup(&mut self) -> Result<Markup<'a>> {
        let rest = self.rest();
        if rest.is_empty() {
            return Ok(Markup::Eof);
        }
        if !rest.starts_with('<') {
            return Ok(Markup::Text);
        }
        if rest.starts_with("<!--") {
            self.at += 4;
            self.skip_past("-->", "unterminated comment")?;
            return Ok(Markup::Comment);
        }
        if rest.starts_with("<![CDATA[") {
            return Ok(Markup::Cdata);
        }
        if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!ENTITY") {
            return Err(Error::DoctypeForbidden);
        }
        if rest.starts_with("<!") {
            return Err(self.malformed("unknown declaration"));
        }
        if rest.starts_with("<?") {
            return Ok(Markup::Instruction);
        }
        let close = rest.starts_with("</");
        self.at += if close { 2 } else { 1 };
        let name = self.name()?;
        self.skip_whitespace();
        let rest = self.rest();
        let empty = !close && rest.starts_with("/>");
        if empty {
            self.at += 2;
        } else if rest.starts_with('>') {
            self.at += 1;
        } else {
            // WeChat's fields carry no attributes; anything else here is not a plain tag.
            return Err(self.malformed("attribute or stray character in a tag"));
        }
        Ok(if close { Markup::Close(name) } else { Markup::Open { name, empty } })
    }

    /// An element name: up to whitespace, `/`, `>` and the characters no name holds.
    fn name(&mut self) -> Result<&'a str> {
        let rest = self.rest();
        let name = &rest[..rest.bytes().position(not_in_name).unwrap_or(rest.len())];
        if !is_name(name) {
            return Err(self.malformed("invalid element name"));
        }
        self.at += name.len();
        Ok(name)
    }

    /// The value of the field `<name>` up to its end tag: text, CDATA sections and references,
    /// comments skipped.
    fn field_value(&mut self, name: &str) -> Result<String> {
        let mut value = String::new();
        loop {
            let rest = self.rest();
            let text_len = rest.bytes().position(|b| b == b'<' || b == b'&').unwrap_or(rest.len());
            value.push_str(&rest[..text_len]);
            self.at += text_len;
            let rest = self.rest();
            if rest.starts_with('&') {
                self.at += 1;
                let reference = self.skip_past(";", "unterminated entity reference")?;
                if !(is_name(reference) || reference.starts_with('#')) {
                    return Err(self.malformed("invalid entity reference"));
                }
                value.push(resolve(reference).map_err(|e| e.unwrap_or_else(|| self.malformed("invalid character reference")))?);
            } else if rest.starts_with("<![CDATA[") {
                self.at += 9;
                value.push_str(self.skip_past("]]>", "unterminated CDATA section")?);
            } else {
                match self.markup()? {
                    Markup::Comment => {}
                    Markup::Close(end) if end == name => return Ok(value),
                    Markup::Close(_) => return Err(self.malformed("mismatched end tag")),
                    Markup::Open { name: child, .. } => {
                        return Err(Error::NestedElement { parent: name.to_owned(), child: child.to_owned() });
                    }
                    Markup::Eof => return Err(self.malformed("unexpected end of document")),
                    other => return Err(other.out_of_place(self)),
                }
            }
        }
    }
}

/// What may not appear in a name (ours is looser than XML's, which is fine for refusing). All
/// ASCII, so scanning bytes finds them in UTF-8 text.
fn not_in_name(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'/' | b'>' | b'=' | b'<' | b'&' | b';' | b'\'' | b'"' | b'!' | b'?')
}

fn is_name(s: &str) -> bool {
    match s.as_bytes().first() {
        None | Some(b'0'..=b'9' | b'-' | b'.') => false,
        Some(_) => !s.bytes().any(not_in_name),
    }
}

/// `haystack.find(needle)` for the short ASCII needles here (`?>`, `-->`, `]]>`, `;`): a byte
/// scan for the first byte, which for these texts beats `str::find`'s searcher setup.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let mut from = 0;
    while let Some(i) = h[from..].iter().position(|&b| b == n[0]) {
        if h[from + i..].starts_with(n) {
            return Some(from + i);
        }
        from += i + 1;
    }
    None
}

/// `lt` → `<`, `#20013` → `中`: the five entities XML predefines and character references.
/// Anything else would need a DTD, which we refuse. `Err(None)`: a bad character reference.
fn resolve(reference: &str) -> core::result::Result<char, Option<Error>> {
    if let Some(number) = reference.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(None);
        }
        return u32::from_str_radix(digits, radix).ok().filter(|&c| c != 0).and_then(char::from_u32).ok_or(None);
    }
    match reference {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(Some(Error::UnknownEntity(other.chars().take(64).collect()))),
    }
}

fn insert(fields: &mut Params, name: &str, value: String) -> Result<()> {
    use std::collections::btree_map::Entry;
    match fields.entry(name.to_owned()) {
        Entry::Occupied(e) => Err(Error::DuplicateKey(e.key().clone())),
        Entry::Vacant(e) => {
            e.insert(value);
            Ok(())
        }
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
    if ok {
        Ok(())
    } else {
        Err(Error::Unencodable(format!("{} is not an XML element name", crate::error::quoted(&truncate(name)))))
    }
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
