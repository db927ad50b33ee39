//! The `Cookie` header: each cookie value goes to `cookies`, named after its cookie, with a
//! percent-decoded variant and its decoded variants.
//!
//! The header is split on `;`, each fragment trimmed, and the value is what follows the first
//! `=` (so `=` inside a value is kept). A fragment without `=` is not a cookie of its own: it
//! is re-joined to the previous value, as the raw text it was (`a=x; y` gives `a` = `x; y`),
//! because servers that split differently would otherwise see a payload we did not. Values
//! borrow from the header.

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
                Some(last) => last.1 = header.get(value_start..end).unwrap_or(trimmed),
                None => {
                    value_start = start;
                    out.push(("", trimmed));
                }
            },
        }
    }
    out
}

/// Extracts the cookies of one `Cookie` header value into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, header: Cow<'a, str>) {
    match header {
        Cow::Borrowed(h) => {
            for (name, value) in split(h) {
                one(sink, Cow::Borrowed(name), Cow::Borrowed(value));
            }
        }
        Cow::Owned(h) => {
            for (name, value) in split(&h) {
                one(
                    sink,
                    Cow::Owned(name.to_owned()),
                    Cow::Owned(value.to_owned()),
                );
            }
        }
    }
}

/// Adds one cookie value and its percent-decoded form.
fn one<'a>(sink: &mut Sink<'a, '_>, name: Cow<'a, str>, value: Cow<'a, str>) {
    if value.is_empty() {
        return;
    }
    let name = (!name.is_empty()).then_some(name);
    let decoded = match percent_encoding::percent_decode_str(&value).decode_utf8_lossy() {
        Cow::Borrowed(_) => None,
        Cow::Owned(d) => Some(d),
    };
    sink.value(Location::Cookies, name.clone(), value, Transforms::NONE, 0);
    if let Some(d) = decoded {
        sink.value(
            Location::Cookies,
            name,
            Cow::Owned(d),
            Transforms::PERCENT,
            0,
        );
    }
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
        ];
        for (header, want) in cases {
            assert_eq!(split(header), *want, "{header}");
        }
    }
}
