//! `multipart/form-data` bodies, parsed by hand over the buffered slice.
//!
//! Text parts (no `filename`) become params and `post_variables`/`post_values`, like a form.
//! File parts become [`FileMeta`]: the `filename` exactly as sent, or `filename*` (RFC 5987,
//! preferred, percent- and charset-decoded); their file names (both forms when they differ)
//! and declared content type go to `files`, named after the field. File contents are not
//! inspected, only measured.
//!
//! Where frameworks read a part differently, every reading is inspected:
//!
//! - a part with two `Content-Disposition` headers: Werkzeug and aiohttp take the first, others
//!   the last; the first gives the part's name and file name, and a later one that makes it a
//!   field (or names it otherwise) makes its content a field value too;
//! - a file part whose file name is empty (`filename=""`) or whose `filename*` is empty or
//!   malformed (Django and aiohttp read such a part as a field), or whose first `filename`
//!   parameter is not an exact lowercase `filename=` (`filename*=` alone or first,
//!   `FILENAME=`: multer, behind axum's `Multipart`, reads it as a field): its content is a
//!   field value too (its file metadata is still kept for the upload check);
//! - a field's content is also decoded by its `Content-Transfer-Encoding` (`base64`,
//!   `quoted-printable`, which aiohttp and Django apply), by the part's `charset` (aiohttp) and
//!   by the request's `charset` (Django), when those are not UTF-8; a charset the engine
//!   cannot decode is a `body_error`.
//!
//! The parser searches delimiters with `memchr::memmem`, accepts CRLF or bare LF line endings
//! and stops after `max_inputs` parts. It is tolerant where frameworks differ: a missing final
//! delimiter still yields the parts found (with a `body_error` unless the body was truncated),
//! because dropping them would let an attacker hide fields from inspection from an application
//! that accepts such bodies. Only a body with no delimiter at all is rejected outright.

use super::FILE_HEAD_BYTES;
use super::charset::{self, Charset};
use super::extract::Sink;
use super::{FileMeta, Location, Param, ParamSource, content_type};
use crate::decode::Transforms;
use memchr::memmem;
use std::borrow::Cow;

/// Most header lines read per part.
const MAX_PART_HEADERS: usize = 32;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Part<'a> {
    /// The `name` parameter of the first `Content-Disposition`.
    pub name: Option<Cow<'a, str>>,
    /// The `filename` parameter, as sent (quotes removed, nothing decoded).
    pub filename: Option<Cow<'a, str>>,
    /// The `filename*` parameter, RFC 5987-decoded.
    pub filename_star: Option<Cow<'a, str>>,
    /// True when some framework reads this part as a field although it has a file name:
    /// `filename*` sent without the `charset'language'` prefix or decoding to nothing (Django,
    /// aiohttp), or no exact lowercase `filename=` as the first `filename` parameter (multer,
    /// axum's `Multipart`, matches `filename` case-sensitively and gives up at `filename*`).
    pub read_as_field_by_some: bool,
    /// The later `Content-Disposition` headers of the part, when it has more than one.
    pub other_dispositions: Vec<Disposition<'a>>,
    /// The other readings of `name` and `filename` when they hold backslash escapes (Werkzeug
    /// and aiohttp resolve `\\X` to `X`, Django only `\\\\` and `\\"`): `name` is then the
    /// unescaped form and this holds the name as sent; `filename` stays as sent (the upload
    /// check judges it so: a backslash is a path character) and this holds it unescaped.
    pub escaped: Vec<Cow<'a, str>>,
    /// The part's `Content-Type`.
    pub content_type: Option<Cow<'a, str>>,
    /// The part's `Content-Transfer-Encoding`.
    pub transfer_encoding: Option<Cow<'a, str>>,
    /// The part's content.
    pub content: &'a [u8],
}

/// What one `Content-Disposition` header says of a part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disposition<'a> {
    /// The `name` parameter.
    pub name: Option<Cow<'a, str>>,
    /// True when it has a `filename` or `filename*` parameter.
    pub has_filename: bool,
}

/// A multipart body as an iterator of parts. After it returns `None`, [`Parts::closed`] says
/// whether the final delimiter was seen.
#[derive(Debug)]
pub struct Parts<'a> {
    body: &'a [u8],
    /// `\n--boundary`.
    finder: memmem::Finder<'static>,
    /// Position just after the last delimiter; `None` once finished.
    pos: Option<usize>,
    closed: bool,
}

impl<'a> Parts<'a> {
    /// Starts parsing `body` with `boundary`; `None` when no delimiter is found.
    pub fn new(body: &'a [u8], boundary: &str) -> Option<Self> {
        if boundary.is_empty() {
            return None;
        }
        let mut needle = Vec::with_capacity(boundary.len() + 3);
        needle.extend_from_slice(b"\n--");
        needle.extend_from_slice(boundary.as_bytes());
        let finder = memmem::Finder::new(&needle).into_owned();
        let mut p = Parts {
            body,
            finder,
            pos: None,
            closed: false,
        };
        let first = if body.starts_with(needle.get(1..).unwrap_or_default()) {
            Some(needle.len() - 1)
        } else {
            p.next_delimiter(0).map(|(_, after)| after)
        };
        p.pos = Some(first?);
        Some(p)
    }

    /// True when the final delimiter (`--boundary--`) was reached.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// The next real delimiter at or after `from`: (index of its `\n`, index after it). A match
    /// not followed by `--`, blanks and a line end, or the end of the body, is content.
    fn next_delimiter(&self, from: usize) -> Option<(usize, usize)> {
        let mut from = from;
        loop {
            let at = from + self.finder.find(self.body.get(from..)?)?;
            let after = at + self.finder.needle().len();
            let rest = self.body.get(after..).unwrap_or_default();
            let blanks = rest
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let tail = rest.get(blanks..).unwrap_or_default();
            if rest.starts_with(b"--") || tail.is_empty() || tail[0] == b'\n' || tail[0] == b'\r' {
                return Some((at, after));
            }
            from = at + 1;
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = Part<'a>;

    fn next(&mut self) -> Option<Part<'a>> {
        let body = self.body;
        let pos = self.pos.take()?;
        let rest = body.get(pos..)?;
        if rest.starts_with(b"--") {
            self.closed = true;
            return None;
        }
        // Skip the rest of the delimiter line.
        let mut at = pos + memchr::memchr(b'\n', rest)? + 1;
        let mut part = Part::default();
        let mut lines = 0;
        loop {
            let line_end = at + memchr::memchr(b'\n', body.get(at..)?)?;
            let line = body.get(at..line_end)?;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            at = line_end + 1;
            if line.is_empty() {
                break;
            }
            lines += 1;
            if lines > MAX_PART_HEADERS {
                return None;
            }
            header(&mut part, line);
        }
        let (end, next) = match self.next_delimiter(at.saturating_sub(1)) {
            Some((nl, after)) => (nl, Some(after)),
            None => (body.len(), None),
        };
        let end = if end > at && body.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        part.content = body.get(at..end.max(at)).unwrap_or_default();
        self.pos = next;
        Some(part)
    }
}

/// Reads one part header line into `part`.
fn header<'a>(part: &mut Part<'a>, line: &'a [u8]) {
    let Some(colon) = memchr::memchr(b':', line) else {
        return;
    };
    let (name, value) = (line.get(..colon).unwrap_or_default(), line.get(colon + 1..));
    let value = String::from_utf8_lossy(value.unwrap_or_default().trim_ascii());
    let name = name.trim_ascii();
    if name.eq_ignore_ascii_case(b"content-type") {
        part.content_type.get_or_insert(value);
    } else if name.eq_ignore_ascii_case(b"content-transfer-encoding") {
        part.transfer_encoding.get_or_insert(value);
    } else if name.eq_ignore_ascii_case(b"content-disposition") {
        if part.name.is_some() || part.filename.is_some() || part.filename_star.is_some() {
            let mut other = Part::default();
            disposition(&mut other, value);
            part.other_dispositions.push(Disposition {
                name: other.name,
                has_filename: other.filename.is_some() || other.filename_star.is_some(),
            });
        } else {
            disposition(part, value);
        }
    }
}

/// Reads the parameters of a `Content-Disposition` value.
fn disposition<'a>(part: &mut Part<'a>, value: Cow<'a, str>) {
    let mut found: [Option<Cow<'a, str>>; 3] = [None, None, None];
    let mut scan = |v: &str, keep: &dyn Fn(&str) -> Cow<'a, str>| {
        let mut rest = v.split_once(';').map_or("", |(_, r)| r);
        while !rest.is_empty() {
            let (param, after) = content_type::next_param(rest);
            rest = after;
            let Some((n, val)) = param else { continue };
            let slot = ["name", "filename", "filename*"]
                .iter()
                .position(|k| n.eq_ignore_ascii_case(k));
            if let Some(slot) = slot.and_then(|i| found.get_mut(i)) {
                slot.get_or_insert_with(|| keep(val));
            }
        }
    };
    let exact_plain = |v: &str| {
        v.find("filename")
            .is_some_and(|i| v.get(i + 8..).is_some_and(|r| r.starts_with('=')))
    };
    let multer_file = match value {
        Cow::Borrowed(v) => {
            scan(v, &|s| Cow::Borrowed(reborrow(v, s)));
            exact_plain(v)
        }
        Cow::Owned(v) => {
            scan(&v, &|s| Cow::Owned(s.to_owned()));
            exact_plain(&v)
        }
    };
    let [name, filename, star] = found;
    part.name = match name {
        Some(raw) if raw.contains('\\') => {
            let plain = content_type::unescape(&raw);
            part.escaped.push(raw);
            Some(Cow::Owned(plain))
        }
        v => v,
    };
    if let Some(raw) = filename.as_deref().filter(|f| f.contains('\\')) {
        part.escaped.push(Cow::Owned(content_type::unescape(raw)));
    }
    part.filename = filename;
    if let Some(raw) = star {
        let decoded = rfc5987(&raw);
        part.read_as_field_by_some |= raw.matches('\'').count() < 2 || decoded.is_empty();
        part.filename_star = Some(decoded);
    }
    if part.filename.is_some() || part.filename_star.is_some() {
        part.read_as_field_by_some |= !multer_file;
    }
}

/// `sub`, a slice of `whole`, re-borrowed with `whole`'s lifetime.
fn reborrow<'w>(whole: &'w str, sub: &str) -> &'w str {
    let start = (sub.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    whole
        .get(start..start.wrapping_add(sub.len()))
        .unwrap_or("")
}

/// Decodes an RFC 5987 `charset'language'value` (UTF-8 or ISO-8859-1; other charsets are read
/// as UTF-8). A value without the two quotes is percent-decoded as UTF-8.
pub fn rfc5987(v: &str) -> Cow<'static, str> {
    let mut it = v.splitn(3, '\'');
    let (charset, encoded) = match (it.next(), it.next(), it.next()) {
        (Some(c), Some(_), Some(e)) => (c, e),
        _ => ("utf-8", v),
    };
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    let latin1 = ["iso-8859-1", "latin1", "latin-1"]
        .iter()
        .any(|c| charset.eq_ignore_ascii_case(c));
    if latin1 {
        Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
    } else {
        Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Extracts a multipart body into the sink. `Err` when it is not valid multipart.
/// `charset` is the request's declared charset (Django decodes fields with it).
pub(crate) fn extract<'a>(
    sink: &mut Sink<'a, '_>,
    body: &'a [u8],
    boundary: &str,
    truncated: bool,
    charset: Option<Charset>,
) -> Result<(), String> {
    let Some(mut parts) = Parts::new(body, boundary) else {
        return if truncated {
            Ok(())
        } else {
            Err("no multipart boundary found".into())
        };
    };
    let mut count = 0;
    for part in parts.by_ref() {
        count += 1;
        if count > sink.limits.max_inputs {
            sink.dropped(1);
            continue;
        }
        if let Err(e) = one(sink, part, charset) {
            sink.out.body_error.get_or_insert(super::BodyError {
                kind: super::BodyKind::Multipart,
                reason: e,
            });
        }
    }
    if parts.closed() || truncated {
        Ok(())
    } else {
        Err("missing final multipart boundary".into())
    }
}

/// Adds one part. `Err` names a charset of the part that cannot be decoded.
fn one<'a>(
    sink: &mut Sink<'a, '_>,
    part: Part<'a>,
    charset: Option<Charset>,
) -> Result<(), String> {
    let field = part.name.clone().unwrap_or(Cow::Borrowed(""));
    let named = (!field.is_empty()).then(|| field.clone());
    let is_file = part.filename.is_some() || part.filename_star.is_some();
    let raw_location = if is_file {
        Location::Files
    } else {
        Location::PostVariables
    };
    for raw in &part.escaped {
        sink.value(raw_location, None, raw.clone(), Transforms::NONE, 0);
    }
    if !is_file {
        return field_part(sink, &part, field, charset);
    }
    // A file part that some framework reads as a field: an empty or malformed file name, or
    // another Content-Disposition that makes it a field or names it otherwise.
    let name_empty = part
        .filename_star
        .as_deref()
        .or(part.filename.as_deref())
        .is_none_or(str::is_empty);
    let mut result = Ok(());
    if name_empty || part.read_as_field_by_some {
        result = field_part(sink, &part, field.clone(), charset);
    }
    for other in &part.other_dispositions {
        let other_name = other.name.clone().unwrap_or(Cow::Borrowed(""));
        if !other.has_filename || other_name != field {
            let r = field_part(sink, &part, other_name, charset);
            result = result.and(r);
        }
    }
    for f in [&part.filename_star, &part.filename, &part.content_type]
        .into_iter()
        .flatten()
    {
        sink.value(
            Location::Files,
            named.clone(),
            f.clone(),
            Transforms::NONE,
            0,
        );
    }
    // With both parameters, `filename*` is the name and the raw `filename` is kept beside it:
    // a server may read either, so both are checked.
    let (filename, raw_filename) = match (part.filename_star, part.filename) {
        (Some(star), plain) => (Some(star), plain),
        (None, plain) => (plain, None),
    };
    sink.file(FileMeta {
        field,
        filename,
        raw_filename,
        content_type: part.content_type,
        size: u64::try_from(part.content.len()).unwrap_or(u64::MAX),
        head: part.content.get(..FILE_HEAD_BYTES).unwrap_or(part.content),
    });
    result
}

/// Adds a part's content as the value of field `field` (and the field's other readings, see
/// the module documentation). `Err` names a charset that cannot be decoded.
fn field_part<'a>(
    sink: &mut Sink<'a, '_>,
    part: &Part<'a>,
    field: Cow<'a, str>,
    request_charset: Option<Charset>,
) -> Result<(), String> {
    let named = (!field.is_empty()).then(|| field.clone());
    let value = String::from_utf8_lossy(part.content);
    sink.param(Param {
        source: ParamSource::Multipart,
        name: field.clone(),
        value: value.clone(),
    });
    sink.value(Location::PostVariables, None, field, Transforms::NONE, 0);
    sink.value(
        Location::PostValues,
        named.clone(),
        value,
        Transforms::NONE,
        0,
    );
    for other in &part.other_dispositions {
        if let Some(n) = &other.name {
            sink.value(
                Location::PostVariables,
                None,
                n.clone(),
                Transforms::NONE,
                0,
            );
        }
    }
    let decoded = transfer_decoded(part);
    let part_charset = part
        .content_type
        .as_deref()
        .and_then(|ct| content_type::parse(ct).charset)
        .map(Charset::lookup);
    let mut result = Ok(());
    if let Some(bytes) = &decoded {
        let text = String::from_utf8_lossy(bytes).into_owned();
        sink.value(
            Location::PostValues,
            named.clone(),
            Cow::Owned(text),
            Transforms::CHARSET,
            0,
        );
    }
    for cs in [part_charset, request_charset].into_iter().flatten() {
        if cs.is_utf8() {
            continue;
        }
        let bytes = decoded.as_deref().unwrap_or(part.content);
        match charset::decode(bytes, cs) {
            Some(text) => {
                let text = text.into_owned();
                sink.value(
                    Location::PostValues,
                    named.clone(),
                    Cow::Owned(text),
                    Transforms::CHARSET,
                    0,
                );
            }
            None => result = Err("multipart part in a charset that cannot be decoded".to_owned()),
        }
    }
    result
}

/// The part's content decoded by its `Content-Transfer-Encoding` (`base64` or
/// `quoted-printable`), or `None` when it has no such encoding.
fn transfer_decoded(part: &Part<'_>) -> Option<Vec<u8>> {
    let te = part.transfer_encoding.as_deref()?.trim();
    if te.eq_ignore_ascii_case("base64") {
        use base64::Engine as _;
        let clean: Vec<u8> = part
            .content
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        );
        engine.decode(clean).ok()
    } else if te.eq_ignore_ascii_case("quoted-printable") {
        Some(quoted_printable(part.content))
    } else {
        None
    }
}

/// Quoted-printable (RFC 2045), lenient: `=XX` is that byte, `=` before a line end is a soft
/// line break, anything else is kept.
pub fn quoted_printable(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'=' {
            out.push(c);
            i += 1;
            continue;
        }
        match (b.get(i + 1), b.get(i + 2)) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0));
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(body: &str, boundary: &str) -> (Vec<Part<'static>>, bool) {
        let body: &'static str = Box::leak(body.to_owned().into_boxed_str());
        let Some(mut p) = Parts::new(body.as_bytes(), boundary) else {
            return (Vec::new(), false);
        };
        let parts: Vec<Part<'static>> = p.by_ref().collect();
        (parts, p.closed())
    }

    #[test]
    fn parts_and_endings() {
        let crlf = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XX\r\n\
            Content-Disposition: form-data; name=\"f\"; filename=\"../../x.php\"\r\n\
            Content-Type: application/x-php\r\n\r\n<?php ?>\r\n--XX--\r\n";
        let lf = "preamble\n--XX\ncontent-disposition: form-data; name=a\n\nhello\n--XX\n\
            Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC.txt\n\nx\n--XX--";
        let unterminated = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello";
        let fake = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XXY\r\n--XX--";
        let empty = "--XX\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--XX--";
        type Case<'c> = (&'c str, &'c [(&'c str, Option<&'c str>, &'c str)], bool);
        let cases: &[Case<'_>] = &[
            (
                crlf,
                &[("a", None, "hello"), ("f", Some("../../x.php"), "<?php ?>")],
                true,
            ),
            (lf, &[("a", None, "hello"), ("f", Some("€.txt"), "x")], true),
            (unterminated, &[("a", None, "hello")], false),
            (fake, &[("a", None, "x\r\n--XXY")], true),
            (empty, &[("e", None, "")], true),
            ("no delimiter here", &[], false),
            ("--XX", &[], false),
            ("--XX\r\nNoBlankLine", &[], false),
        ];
        for (body, want, closed) in cases {
            let (parts, is_closed) = parse(body, "XX");
            let got: Vec<(&str, Option<&str>, &str)> = parts
                .iter()
                .map(|p| {
                    let file = p.filename_star.as_deref().or(p.filename.as_deref());
                    let content = std::str::from_utf8(p.content).unwrap();
                    (p.name.as_deref().unwrap_or(""), file, content)
                })
                .collect();
            assert_eq!(got, *want, "{body:?}");
            assert_eq!(is_closed, *closed, "{body:?}");
        }
    }

    #[test]
    fn rfc5987_decoding() {
        for (raw, want) in [
            ("UTF-8''%E2%82%AC.txt", "€.txt"),
            ("iso-8859-1'en'%E9t%E9", "été"),
            ("utf-8''%ff", "\u{fffd}"),
            ("%41", "A"),
        ] {
            assert_eq!(rfc5987(raw), want, "{raw}");
        }
    }
}
