//! The `Cookie` header: each cookie value goes to `cookies`, named after its cookie, with a
//! percent-decoded variant and its decoded variants.
//!
//! The header is split on `;`, each fragment trimmed, and the value is what follows the first
//! `=` (so `=` inside a value is kept). A fragment without `=` is not a cookie of its own: it
//! is re-joined to the previous value, as the raw text it was (`a=x; y` gives `a` = `x; y`),
//! because servers that split differently would otherwise see a payload we did not. Values
//! borrow from the header.
//!
//! Python's cookie parsers (Werkzeug, Django, Starlette, aiohttp) unquote a value sent in
//! double quotes and unescape it: `\ooo` (octal) is that byte, `\X` is `X`. So
//! `a="\U\N\I\O\N"` reaches the application as `UNION`: the unquoted form is inspected
//! too. Cookie names are chosen by the client as freely as values, and applications iterate
//! over them (`request.cookies.items()`), so names are inspected as well (at `cookies`, with no
//! name of their own).

use super::Location;
use super::extract::Sink;
use crate::decode::Transforms;
use std::borrow::Cow;

/// The `(name, value)` cookies of a `Cookie` header value, in order, both trimmed; nameless
/// fragments are re-joined to the previous value (or form a nameless cookie when first).
pub fn split(header: &str) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    // Byte offset where the current cookie's value starts, to re-join fragments by slicing.
    let mut value_start = 0;
    let mut offset = 0;
    for frag in header.split(';') {
        let frag_start = offset;
        offset += frag.len() + 1;
        let lead = frag.len() - frag.trim_start().len();
        let trimmed = frag.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = frag_start + lead;
        let end = start + trimmed.len();
        match trimmed.split_once('=') {
            Some((name, value)) => {
                let value = value.trim_start();
                value_start = end - value.len();
                out.push((name.trim_end(), value));
            }
            None => match out.last_mut() {
                Some(last) => {
                    last.1 = header
                        .get(value_start..end)
                        .map_or(trimmed, str::trim_start)
                }
                None => {
                    value_start = start;
                    out.push(("", trimmed));
                }
            },
        }
    }
    out
}

/// The cookies of a `Cookie` header as Werkzeug, aiohttp and `http.cookies` read them: a value
/// that opens with `"` runs to its closing quote (a `\\` escapes the next character), `;`
/// included. Django splits on every `;` ([`split`]); both readings are inspected.
pub fn split_quoted(header: &str) -> Vec<(&str, &str)> {
    let b = header.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b';' {
            i += 1;
        }
        let name = header.get(start..i).unwrap_or("").trim();
        if b.get(i) != Some(&b'=') {
            i += 1;
            continue;
        }
        i += 1;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let vstart = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            while let Some(&c) = b.get(i) {
                i += if c == b'\\' { 2 } else { 1 };
                if c == b'"' {
                    break;
                }
            }
            i = i.min(b.len());
        }
        while i < b.len() && b[i] != b';' {
            i += 1;
        }
        let value = header.get(vstart..i).unwrap_or("").trim_end();
        out.push((name, value));
        i += 1;
    }
    out
}

/// The cookies of a `Cookie` header as Django reads them: every `;` ends a cookie, and a
/// fragment without `=` is a cookie with an empty name (not re-joined as in [`split`]).
pub fn split_each(header: &str) -> Vec<(&str, &str)> {
    header
        .split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| match f.split_once('=') {
            Some((n, v)) => (n.trim_end(), v.trim_start()),
            None => ("", f),
        })
        .collect()
}

/// All the readings of a header: [`split`], and when they differ [`split_quoted`] (a `"`) and
/// [`split_each`] (a fragment without `=`).
fn readings(h: &str) -> Vec<(&str, &str)> {
    let mut pairs = split(h);
    if h.contains('"') {
        pairs.extend(split_quoted(h));
    }
    if h.split(';')
        .any(|f| !f.trim().is_empty() && !f.contains('='))
    {
        pairs.extend(split_each(h));
    }
    pairs
}

/// Extracts the cookies of one `Cookie` header value into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, header: Cow<'a, str>) {
    match header {
        Cow::Borrowed(h) => {
            for (name, value) in readings(h) {
                one(sink, Cow::Borrowed(name), Cow::Borrowed(value));
            }
        }
        Cow::Owned(h) => {
            let pairs = readings(&h);
            for (name, value) in pairs {
                one(
                    sink,
                    Cow::Owned(name.to_owned()),
                    Cow::Owned(value.to_owned()),
                );
            }
        }
    }
}

/// Adds one cookie's name (when it is more than a plain token), its value, the value's
/// percent-decoded form and its unquoted form.
fn one<'a>(sink: &mut Sink<'a, '_>, name: Cow<'a, str>, value: Cow<'a, str>) {
    if !plain_token(&name) {
        sink.value(Location::Cookies, None, name.clone(), Transforms::NONE, 0);
    }
    if value.is_empty() {
        return;
    }
    let name = (!name.is_empty()).then_some(name);
    let decoded = match percent_encoding::percent_decode_str(&value).decode_utf8_lossy() {
        Cow::Borrowed(_) => None,
        Cow::Owned(d) => Some(d),
    };
    let unquoted = unquote(&value);
    sink.value(Location::Cookies, name.clone(), value, Transforms::NONE, 0);
    if let Some(d) = decoded {
        sink.value(
            Location::Cookies,
            name.clone(),
            Cow::Owned(d),
            Transforms::PERCENT,
            0,
        );
    }
    if let Some(u) = unquoted {
        sink.value(
            Location::Cookies,
            name,
            Cow::Owned(u),
            Transforms::UNQUOTED,
            0,
        );
    }
}

/// True for a name made only of letters, digits, `_`, `-` and `.`: nothing a detector could
/// fire on, so it is not worth an input (most cookie names).
fn plain_token(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The value as Python's cookie parsers read a double-quoted one: quotes removed, `\\ooo`
/// (octal, first digit 0–3) made that byte (a Latin-1 character), `\\X` made `X`. `None` when
/// the value is not quoted.
pub fn unquote(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(inner.to_owned());
    }
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    let mut start = 0;
    while let Some(at) = memchr::memchr(b'\\', b.get(i..).unwrap_or_default()) {
        let at = i + at;
        out.push_str(inner.get(start..at).unwrap_or_default());
        let octal = match b.get(at + 1..at + 4) {
            Some([d0 @ b'0'..=b'3', d1 @ b'0'..=b'7', d2 @ b'0'..=b'7']) => {
                Some(u32::from(d0 - b'0') * 64 + u32::from(d1 - b'0') * 8 + u32::from(d2 - b'0'))
            }
            _ => None,
        };
        if let Some(v) = octal {
            out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            i = at + 4;
        } else if let Some(c) = inner.get(at + 1..).and_then(|r| r.chars().next()) {
            out.push(c);
            i = at + 1 + c.len_utf8();
        } else {
            // A trailing lone backslash is kept.
            out.push('\\');
            i = at + 1;
        }
        start = i;
    }
    out.push_str(inner.get(start..).unwrap_or_default());
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn split_cookies() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("a=1; b=2", &[("a", "1"), ("b", "2")]),
            ("a=1;b=2;", &[("a", "1"), ("b", "2")]),
            ("tok=abc==; x=a=b", &[("tok", "abc=="), ("x", "a=b")]),
            ("a=x; y; z", &[("a", "x; y; z")]),
            ("a=x;y;b=2", &[("a", "x;y"), ("b", "2")]),
            ("lonely; a=1", &[("", "lonely"), ("a", "1")]),
            ("lonely; more; a=1", &[("", "lonely; more"), ("a", "1")]),
            ("  ;; ", &[]),
            ("a = 1 ", &[("a", "1")]),
            ("=v", &[("", "v")]),
            ("é=ü; ö", &[("é", "ü; ö")]),
            // An empty value re-joined to a fragment is trimmed too (found by fuzzing).
            ("a= ;b", &[("a", ";b")]),
        ];
        for (header, want) in cases {
            assert_eq!(split(header), *want, "{header}");
        }
    }

    #[test]
    fn every_reading_of_a_header() {
        assert_eq!(split_each(r#"0="0\";""#), [("0", r#""0\""#), ("", "\"")]);
        let all = readings(r#"0="0\";""#);
        assert!(all.contains(&("0", r#""0\""#)), "{all:?}");
        assert_eq!(unquote(r#""0\""#).as_deref(), Some("0\\"));
        assert_eq!(readings("a=1; b=2"), [("a", "1"), ("b", "2")]);
    }

    #[test]
    fn quoted_values_span_semicolons() {
        assert_eq!(
            split_quoted(r#"a=";x=cat /etc/passwd"; b=2"#),
            [("a", r#"";x=cat /etc/passwd""#), ("b", "2")]
        );
        assert_eq!(split_quoted(r#"a="\";x"; b"#), [("a", r#""\";x""#)]);
        assert_eq!(split_quoted(r#"a="open"#), [("a", r#""open"#)]);
        assert_eq!(split_quoted("=;=;;"), [("", ""), ("", "")]);
    }

    #[test]
    fn unquotes_like_python() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#""1' \U\N\I\O\N \S\E\L\E\C\T""#, Some("1' UNION SELECT")),
            (r#""\074script\076""#, Some("<script>")),
            (r#""a\"b""#, Some("a\"b")),
            (r#""\\""#, Some("\\")),
            (r#""tail\""#, Some("tail\\")),
            (r#""\é""#, Some("é")),
            (r#""\400""#, Some("400")),
            (r#""plain""#, Some("plain")),
            (r#"unquoted\x"#, None),
            ("\"", None),
        ];
        for (raw, want) in cases {
            assert_eq!(unquote(raw).as_deref(), *want, "{raw}");
        }
    }

    #[test]
    fn quoted_values_and_names_are_inspected() {
        use crate::input::tests_support::{items_at, run};
        use crate::request::{Headers, Request};
        let mut h = Headers::new();
        h.push(
            "cookie",
            br#"a="1' \U\N\I\O\N \S\E\L\E\C\T x"; <svg/onload=alert(1)>=1; session=abc"#,
        );
        let req = Request::new("GET", "/").with_headers(h);
        let inputs = run(&req);
        let got = items_at(&inputs, Location::Cookies);
        assert!(got.contains(&"1' UNION SELECT x"), "{got:?}");
        assert!(got.contains(&"<svg/onload"), "{got:?}");
        assert!(!got.contains(&"session"), "{got:?}");
    }
}
