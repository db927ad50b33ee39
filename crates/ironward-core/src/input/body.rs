//! The request body, read the ways the application may read it.
//!
//! The declared `Content-Type` picks the first reading (JSON, form, multipart, XML), but
//! applications do not all honour it: `request.get_json(force=True)`, `await request.json()`,
//! `json.loads(request.body)`, Azure's `get_json()` and Lambda handlers parse JSON whatever the
//! type says, and `json.loads(bytes)` detects UTF-16 and UTF-32 on its own. So:
//!
//! - **JSON** is read in the encoding `json.loads` detects (a byte-order mark or the pattern of
//!   zero bytes; a UTF-8 BOM is skipped) and, when a non-UTF-8 `charset` is declared, in that
//!   charset too (aiohttp's `request.json()` decodes with it). A malformed document is still
//!   inspected: its string literals and its whole text.
//! - **Forms** are form-decoded as UTF-8 and, with a non-UTF-8 `charset`, the way Django reads
//!   them: the body decoded in the charset, then each run of `%XX` escapes decoded in it.
//! - **Multipart** bodies are parsed with every boundary the `Content-Type` offers (see
//!   [`content_type::boundaries`]); the parts' own readings are in `multipart`.
//! - **gRPC and protobuf** bodies have their string fields extracted (`protobuf`).
//! - **XML** yields its elements' text and its attribute values (`xml`).
//! - **Any other body** (`text/plain`, no `Content-Type`, `application/octet-stream`…) is
//!   parsed as JSON when it looks like JSON, and is otherwise inspected as one text value at
//!   `post_values` when it is text: valid UTF-8 (or decodable in its declared charset) without
//!   control characters other than tab, CR and LF. Binary bodies are not inspected.
//!
//! A declared charset the engine cannot decode is a `body_error` (so the `format` check reports
//! it): the engine cannot see what the application will see.

use super::charset::{self, Charset};
use super::extract::Sink;
use super::protobuf::{self, Framing};
use super::{BodyError, BodyKind, Location, ParamSource, content_type, headers, json};
use super::{multipart, query, xml};
use crate::decode::Transforms;
use crate::request::Request;
use std::borrow::Cow;

/// Extracts the body: only its first `max_body_bytes`.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, req: &Request<'a>) {
    let max = sink.limits.max_body_bytes;
    let inspected = req.body.get(..max).unwrap_or(req.body);
    let declared_longer = req
        .body_len
        .is_some_and(|n| n > u64::try_from(req.body.len()).unwrap_or(u64::MAX));
    let truncated = req.body.len() > max || declared_longer;
    sink.out.limits.body_truncated = truncated;
    let ct_raw = req.headers.get("content-type").map(headers::latin1);
    let ct = ct_raw.as_deref().map(content_type::parse);
    let kind = match ct {
        Some(ct) => ct.kind(),
        None if req.body.is_empty() && !declared_longer => BodyKind::None,
        None => BodyKind::Other,
    };
    sink.out.body_kind = kind;
    if inspected.is_empty() {
        return;
    }
    let charset = ct.and_then(|c| c.charset).map(Charset::lookup);
    let mut error = None;
    if charset == Some(Charset::Unknown) {
        error = Some("body in a charset that cannot be decoded".to_owned());
    }
    let declared = charset.filter(|c| !c.is_utf8() && *c != Charset::Unknown);
    let other = match kind {
        BodyKind::Form => {
            query::extract(sink, inspected, ParamSource::Form);
            if let Some(cs) = declared
                && let Some(text) = charset::decode(inspected, cs)
            {
                let text = text.into_owned();
                pairs_in_charset(sink, &text, cs, Location::PostValues);
            }
            None
        }
        BodyKind::Json => json_body(sink, inspected, truncated, declared),
        BodyKind::Multipart => {
            let raw = ct_raw.as_deref().unwrap_or("");
            let mut first = None;
            for (i, boundary) in content_type::boundaries(raw).iter().enumerate() {
                let r = multipart::extract(sink, inspected, boundary, truncated, charset).err();
                if i == 0 {
                    first = Some(r);
                }
            }
            first.unwrap_or_else(|| (!truncated).then(|| "no multipart boundary found".into()))
        }
        BodyKind::Xml if !looks_like_json_start(inspected) => {
            if !xml::extract(sink, inspected)
                && !truncated
                && let Ok(text) = std::str::from_utf8(inspected)
                && is_text(text)
            {
                sink.value(
                    Location::PostValues,
                    None,
                    Cow::Borrowed(text),
                    Transforms::NONE,
                    0,
                );
            }
            None
        }
        BodyKind::None | BodyKind::Xml | BodyKind::Other => {
            let media = ct.map_or("", |c| c.media_type);
            match Framing::of(media) {
                Some(framing) => {
                    let encoding = req.headers.get_str("grpc-encoding");
                    protobuf::extract(sink, inspected, framing, encoding);
                }
                None => undeclared(sink, inspected, truncated, declared),
            }
            None
        }
    };
    if let Some(reason) = error.or(other) {
        sink.out
            .body_error
            .get_or_insert(BodyError { kind, reason });
    }
}

/// Reads a body declared as JSON and returns its parse error. `declared` is a non-UTF-8
/// declared charset.
fn json_body<'a>(
    sink: &mut Sink<'a, '_>,
    body: &'a [u8],
    truncated: bool,
    declared: Option<Charset>,
) -> Option<String> {
    let detected = charset::json_encoding(body);
    let mut error = None;
    if detected.is_utf8() {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        error = utf8_json(sink, body, truncated);
    } else if let Some(text) = charset::decode(body, detected) {
        error = owned_json(sink, &text, truncated);
    }
    if let Some(cs) = declared.filter(|c| *c != detected)
        && let Some(text) = charset::decode(body, cs)
        // The document parses in the declared charset: the reading that works is the
        // application's (aiohttp decodes with the declared charset).
        && owned_json(sink, &text, truncated).is_none()
    {
        error = None;
    }
    error
}

/// A UTF-8 JSON body; a malformed one is still inspected (its string literals and its whole
/// text, so that a trailing comma cannot hide an attack). Returns the parse error.
fn utf8_json<'a>(sink: &mut Sink<'a, '_>, body: &'a [u8], truncated: bool) -> Option<String> {
    if truncated {
        json::scan_prefix(sink, body);
        return None;
    }
    // About one input per 24 bytes of JSON: grow once rather than several times.
    let room = sink.limits.max_inputs.saturating_sub(sink.out.items.len());
    sink.out.items.reserve((body.len() / 24).min(room));
    let error = json::body(sink, body).err();
    if error.is_some() {
        json::scan_prefix(sink, body);
        let text = String::from_utf8_lossy(body);
        sink.value(Location::JsonValues, None, text, Transforms::NONE, 0);
    }
    error
}

/// A JSON body decoded from another encoding (its strings are copied).
fn owned_json(sink: &mut Sink<'_, '_>, text: &str, truncated: bool) -> Option<String> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let error = json::body_owned(sink, text, Transforms::CHARSET).err();
    if error.is_some() {
        for lit in json::string_literals(text.as_bytes()) {
            let loc = if lit.is_key {
                Location::JsonKeys
            } else {
                Location::JsonValues
            };
            let value = Cow::Owned(lit.text().into_owned());
            sink.value(loc, None, value, Transforms::CHARSET, 0);
        }
        sink.value(
            Location::JsonValues,
            None,
            Cow::Owned(text.to_owned()),
            Transforms::CHARSET,
            0,
        );
    }
    error.filter(|_| !truncated)
}

/// A body whose type does not say how to read it: JSON when it looks like JSON, else one text
/// value when it is text.
fn undeclared<'a>(
    sink: &mut Sink<'a, '_>,
    body: &'a [u8],
    truncated: bool,
    declared: Option<Charset>,
) {
    let detected = charset::json_encoding(body);
    if let Some(cs) = declared.or((!detected.is_utf8()).then_some(detected)) {
        if let Some(text) = charset::decode(body, cs) {
            if looks_like_json_start(text.as_bytes()) {
                let _ = owned_json(sink, &text, truncated);
            } else if is_text(&text) {
                let text = Cow::Owned(text.into_owned());
                sink.value(Location::PostValues, None, text, Transforms::CHARSET, 0);
            }
        }
        return;
    }
    let b = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = match std::str::from_utf8(b) {
        Ok(t) => t,
        // A body cut inside a character: its complete prefix.
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(b.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default()
        }
        Err(_) => {
            // Binary: only the JSON string literals, if it is JSON with some bad bytes.
            if looks_like_json_start(b) {
                json::scan_prefix(sink, b);
            }
            return;
        }
    };
    if looks_like_json_start(b) {
        if !truncated && json::body(sink, text.as_bytes()).is_ok() {
            return;
        }
        json::scan_prefix(sink, text.as_bytes());
    }
    if is_text(text) {
        sink.value(
            Location::PostValues,
            None,
            Cow::Borrowed(text),
            Transforms::NONE,
            0,
        );
    }
}

/// True for text a person or a program wrote as text: no control characters but tab, CR and
/// LF, and no U+FFFD. Binary formats (gzip, images, PDF, protobuf) nearly always hold control
/// bytes; their printable runs are noise to the detectors, and no framework reads them as a
/// string of text.
fn is_text(s: &str) -> bool {
    !s.chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFD}')
}

/// True when the first non-blank byte opens a JSON object or array.
fn looks_like_json_start(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    matches!(b.trim_ascii_start().first(), Some(b'{' | b'['))
}

/// The values of the `name=value` pairs of `text` (a query string or a form body decoded in
/// `cs`) as Python's `parse_qsl(…, encoding=cs)` reads them: `+` is a space and each run of
/// `%XX` escapes is decoded in `cs`. The names and values are added (at `location` and its
/// names' location, with `CHARSET`; the sink drops those equal to the UTF-8 reading); no
/// params are recorded.
pub(crate) fn pairs_in_charset(
    sink: &mut Sink<'_, '_>,
    text: &str,
    cs: Charset,
    location: Location,
) {
    let names = match location {
        Location::QsValues => Location::QsVariables,
        _ => Location::PostVariables,
    };
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        if sink.full() {
            sink.dropped(1);
            continue;
        }
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        let name = unquote_in(n, cs);
        let value = unquote_in(v, cs);
        sink.value(
            names,
            None,
            Cow::Owned(name.clone()),
            Transforms::CHARSET,
            0,
        );
        let named = (!name.is_empty()).then_some(Cow::Owned(name));
        sink.value(location, named, Cow::Owned(value), Transforms::CHARSET, 0);
    }
}

/// `unquote_plus(s, encoding=cs)` as Python does it: `+` to space, then each run of ASCII
/// characters — literal characters and `%XX` escapes alike — made bytes and decoded together
/// in `cs` (lossy); other characters are kept. So `1%2BACc-` is `1'` in UTF-7. A string
/// without `%` is returned as it is (but for `+`), as Python's `unquote` does.
fn unquote_in(s: &str, cs: Charset) -> String {
    let hex = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    if !s.contains('%') {
        // Python's `unquote` returns a string without `%` untouched.
        return s.replace('+', " ");
    }
    let mut out = String::with_capacity(s.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        if !run.is_empty() {
            let text = charset::decode(run, cs).unwrap_or(Cow::Borrowed("\u{FFFD}"));
            out.push_str(&text);
            run.clear();
        }
    };
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii() {
            flush(&mut run, &mut out);
            let ch = s
                .get(i..)
                .and_then(|r| r.chars().next())
                .unwrap_or('\u{FFFD}');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        let escape = (c == b'%')
            .then(|| Some(hex(*b.get(i + 1)?)? * 16 + hex(*b.get(i + 2)?)?))
            .flatten();
        match escape {
            Some(byte) => {
                run.push(byte);
                i += 3;
            }
            None => {
                run.push(if c == b'+' { b' ' } else { c });
                i += 1;
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unquote_in_a_charset() {
        let utf7 = Charset::Utf7;
        let utf16 = Charset::lookup("utf-16-le");
        assert_eq!(unquote_in("%2B%41%43%63%2D+x", utf7), "' x");
        assert_eq!(unquote_in("a+b%27", utf7), "a b'");
        assert_eq!(unquote_in("%27%00%3C%00", utf16), "'<");
        assert_eq!(unquote_in("100%", utf7), "100%");
        assert_eq!(unquote_in("%zz", utf7), "%zz");
        // A whole ASCII run is decoded at once (Python's unquote).
        assert_eq!(unquote_in("1%2BACc-%20UNION", utf7), "1' UNION");
        assert_eq!(unquote_in("é%2BACc-", utf7), "é'");
        // No `%`: untouched (the text was already decoded from the charset).
        assert_eq!(unquote_in("1' UNION+SELECT", utf16), "1' UNION SELECT");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "body_tests.rs"]
mod body_tests;
