//! Parses a `Content-Type` header value: the media type, the multipart `boundary` and the
//! `charset`.
//!
//! Extraction parses a body only as the kind its `Content-Type` declares (pyrasp's Flask
//! adapter parses any body as JSON, so a `text/plain` body full of JSON was inspected as JSON
//! while the application saw plain text, and the reverse is an evasion). This parser never
//! allocates: the media type and parameters borrow from the header value, and the comparisons
//! are ASCII case-insensitive.

use super::BodyKind;

/// A parsed `Content-Type` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContentType<'a> {
    /// The media type (`type/subtype`), trimmed, in the case it was sent.
    pub media_type: &'a str,
    /// The `boundary` parameter, unquoted.
    pub boundary: Option<&'a str>,
    /// The `charset` parameter, unquoted.
    pub charset: Option<&'a str>,
}

/// Parses a `Content-Type` header value. Never fails: what cannot be understood is left out.
pub fn parse(value: &str) -> ContentType<'_> {
    let (media, mut rest) = value.split_once(';').unwrap_or((value, ""));
    let mut ct = ContentType {
        media_type: media.trim(),
        boundary: None,
        charset: None,
    };
    while !rest.is_empty() {
        let (param, after) = next_param(rest);
        rest = after;
        let Some((name, val)) = param else { continue };
        if name.eq_ignore_ascii_case("boundary") && ct.boundary.is_none() {
            ct.boundary = Some(val);
        } else if name.eq_ignore_ascii_case("charset") && ct.charset.is_none() {
            ct.charset = Some(val);
        }
    }
    ct
}

/// Every multipart boundary a parser could take from a `Content-Type` value, in order and
/// without repeats: each `boundary` parameter (aiohttp takes the first, Werkzeug, Django and
/// Starlette the last), its backslash-unescaped form, and `boundary*` (RFC 2231, which
/// Werkzeug and Django decode and let override `boundary`). The first is the one the body is
/// judged by; the others are further readings to inspect.
pub fn boundaries(value: &str) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    fn push<'v>(c: Cow<'v, str>, out: &mut Vec<Cow<'v, str>>) {
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    let mut rest = value.split_once(';').map_or("", |(_, r)| r);
    while !rest.is_empty() {
        let (param, after) = next_param(rest);
        rest = after;
        let Some((name, val)) = param else { continue };
        if name.eq_ignore_ascii_case("boundary") {
            push(Cow::Borrowed(val), &mut out);
            if val.contains('\\') {
                push(Cow::Owned(unescape(val)), &mut out);
            }
        } else if name.eq_ignore_ascii_case("boundary*") {
            push(super::multipart::rfc5987(val), &mut out);
        }
    }
    out
}

/// A quoted-string's content with its backslash escapes resolved.
pub(crate) fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits off one `name=value` parameter (the value unquoted, escapes kept as sent) and
/// returns it with the rest after its `;`.
pub(crate) fn next_param(s: &str) -> (Option<(&str, &str)>, &str) {
    let s = s.trim_start_matches([' ', '\t', ';']);
    let name_end = s.find(['=', ';']).unwrap_or(s.len());
    let name = s[..name_end].trim();
    if !s[name_end..].starts_with('=') {
        let rest = s.get(name_end + 1..).unwrap_or("");
        return (None, rest);
    }
    let after_eq = s[name_end + 1..].trim_start_matches([' ', '\t']);
    if let Some(quoted) = after_eq.strip_prefix('"') {
        let end = quoted_end(quoted.as_bytes());
        let val = &quoted[..end];
        let rest = quoted.get(end + 1..).unwrap_or("");
        let rest = rest.find(';').map_or("", |i| &rest[i + 1..]);
        return (Some((name, val)), rest);
    }
    let end = after_eq.find(';').unwrap_or(after_eq.len());
    let rest = after_eq.get(end + 1..).unwrap_or("");
    (Some((name, after_eq[..end].trim())), rest)
}

/// The index of the closing quote of a quoted string whose opening quote was just consumed
/// (a backslash escapes the next byte), or the length when it is unterminated.
fn quoted_end(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => return i,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

impl ContentType<'_> {
    /// The body kind this content type declares. `application/json` and any `+json` type are
    /// JSON; `text/xml`, `application/xml` and `+xml` are XML; only `multipart/form-data` is
    /// multipart.
    pub fn kind(&self) -> BodyKind {
        let m = self.media_type;
        let suffix = |s: &str| {
            m.len() >= s.len()
                && m.is_char_boundary(m.len() - s.len())
                && m[m.len() - s.len()..].eq_ignore_ascii_case(s)
        };
        if m.eq_ignore_ascii_case("application/json") || (m.contains('/') && suffix("+json")) {
            BodyKind::Json
        } else if m.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            BodyKind::Form
        } else if m.eq_ignore_ascii_case("multipart/form-data") {
            BodyKind::Multipart
        } else if m.eq_ignore_ascii_case("text/xml")
            || m.eq_ignore_ascii_case("application/xml")
            || (m.contains('/') && suffix("+xml"))
        {
            BodyKind::Xml
        } else {
            BodyKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types_and_parameters() {
        type Case<'c> = (&'c str, &'c str, Option<&'c str>, Option<&'c str>, BodyKind);
        let cases: &[Case<'_>] = &[
            (
                "application/json",
                "application/json",
                None,
                None,
                BodyKind::Json,
            ),
            (
                "Application/JSON; charset=UTF-8",
                "Application/JSON",
                None,
                Some("UTF-8"),
                BodyKind::Json,
            ),
            (
                "application/vnd.api+json",
                "application/vnd.api+json",
                None,
                None,
                BodyKind::Json,
            ),
            ("text/plain", "text/plain", None, None, BodyKind::Other),
            ("+json", "+json", None, None, BodyKind::Other),
            (
                "multipart/form-data; boundary=----abc",
                "multipart/form-data",
                Some("----abc"),
                None,
                BodyKind::Multipart,
            ),
            (
                "multipart/form-data; charset=utf-8; boundary=\"a;b c\"",
                "multipart/form-data",
                Some("a;b c"),
                Some("utf-8"),
                BodyKind::Multipart,
            ),
            (
                "multipart/form-data; boundary=\"unterminated",
                "multipart/form-data",
                Some("unterminated"),
                None,
                BodyKind::Multipart,
            ),
            (
                "multipart/mixed; boundary=x",
                "multipart/mixed",
                Some("x"),
                None,
                BodyKind::Other,
            ),
            (
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded",
                None,
                None,
                BodyKind::Form,
            ),
            ("text/xml", "text/xml", None, None, BodyKind::Xml),
            (
                "application/soap+xml",
                "application/soap+xml",
                None,
                None,
                BodyKind::Xml,
            ),
            ("", "", None, None, BodyKind::Other),
            (";;;=;boundary", "", None, None, BodyKind::Other),
            ("a/b; boundary=", "a/b", Some(""), None, BodyKind::Other),
            ("a/é+json", "a/é+json", None, None, BodyKind::Json),
        ];
        for (raw, want) in [
            ("multipart/form-data; boundary=a", &["a"][..]),
            ("multipart/form-data; boundary=a; boundary=b", &["a", "b"]),
            ("multipart/form-data; boundary=a; boundary=a", &["a"]),
            (
                "multipart/form-data; boundary*=utf-8''b%41; boundary=a",
                &["bA", "a"],
            ),
            (
                "multipart/form-data; boundary=\"a\\\"b\"",
                &["a\\\"b", "a\"b"],
            ),
            ("multipart/form-data", &[]),
        ] {
            assert_eq!(boundaries(raw), want, "{raw}");
        }
        for (raw, media, boundary, charset, kind) in cases {
            let ct = parse(raw);
            assert_eq!(ct.media_type, *media, "{raw}");
            assert_eq!(ct.boundary, *boundary, "{raw}");
            assert_eq!(ct.charset, *charset, "{raw}");
            assert_eq!(ct.kind(), *kind, "{raw}");
        }
    }
}
