//! Which responses DLP inspects: `INSPECT_CONTENT_TYPES` matching, and the declared charset.
//!
//! The media type is read from `Content-Type` before any parameter (`; charset=…`), trimmed and
//! lowercased. A pattern is an exact media type (`application/json`) or a wildcard over a top
//! type (`text/*`; `*/*` or `*` match everything). A structured-syntax suffix counts as its base
//! type: `application/problem+json` matches `application/json`, `image/svg+xml` matches
//! `application/xml`. A response without a `Content-Type` is inspected: clients sniff such a
//! body (a browser renders it as text or HTML), so a handler that forgot to declare a type must
//! not let a leak through.

/// The inspectable content types, normalized once.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContentTypes {
    patterns: Vec<String>,
}

impl ContentTypes {
    /// From `INSPECT_CONTENT_TYPES`.
    pub(crate) fn new(patterns: &[String]) -> Self {
        ContentTypes {
            patterns: patterns
                .iter()
                .map(|p| media_type(p.as_bytes()))
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// True when a response with this `Content-Type` value is inspected.
    pub(crate) fn inspects(&self, content_type: Option<&[u8]>) -> bool {
        let Some(value) = content_type else {
            return true;
        };
        let mt = media_type(value);
        let Some((top, sub)) = mt.split_once('/') else {
            return false;
        };
        let base = match sub.rsplit_once('+') {
            Some((_, "json")) => Some("application/json"),
            Some((_, "xml")) => Some("application/xml"),
            _ => None,
        };
        self.patterns.iter().any(|p| {
            if p == "*" || p == "*/*" {
                return true;
            }
            if let Some(ptop) = p.strip_suffix("/*") {
                return ptop == top;
            }
            *p == mt || base.is_some_and(|b| p == b)
        })
    }
}

/// The lowercased media type of a `Content-Type` value (Latin-1 bytes), without parameters.
fn media_type(value: &[u8]) -> String {
    let end = memchr::memchr(b';', value).unwrap_or(value.len());
    let head = value.get(..end).unwrap_or_default();
    head.iter()
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// True when the `Content-Type` declares a single-byte Latin charset (ISO-8859-1, Windows-1252,
/// US-ASCII), so that leaked bytes are shown as Latin-1 rather than as (lossy) UTF-8.
pub(crate) fn is_latin1(content_type: Option<&[u8]>) -> bool {
    let Some(value) = content_type else {
        return false;
    };
    let lower: Vec<u8> = value.iter().map(u8::to_ascii_lowercase).collect();
    let Some(at) = memchr::memmem::find(&lower, b"charset=") else {
        return false;
    };
    let cs: Vec<u8> = lower
        .get(at + 8..)
        .unwrap_or_default()
        .iter()
        .copied()
        .skip_while(|b| *b == b'"' || *b == b' ')
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .collect();
    matches!(
        cs.as_slice(),
        b"iso-8859-1"
            | b"iso8859-1"
            | b"latin1"
            | b"latin-1"
            | b"l1"
            | b"windows-1252"
            | b"cp1252"
            | b"us-ascii"
            | b"ascii"
    )
}

/// Decodes leaked bytes for the finding: Latin-1 when declared, else UTF-8 (lossy).
pub(crate) fn decode(bytes: &[u8], latin1: bool) -> String {
    if latin1 {
        bytes.iter().map(|b| char::from(*b)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}
