//! Inert SVG: drawings that run nothing, as pages inline them (icons, placeholders) and as
//! `data:image/svg+xml` URIs (`data:image/svg+xml,%3Csvg xmlns=…%3E`), which analytics and
//! RUM beacons report back by the thousand.
//!
//! An `<svg>` element or an SVG document is active only through what it holds: a `<script>`,
//! an event handler, a link or reference to another resource (`href`, `xlink:href`), an
//! animation that rewrites attributes (`<set>`, `<animate>`), embedded HTML
//! (`<foreignObject>`), a style sheet. A drawing made only of shapes, groups, gradients, text
//! and filters, with presentation attributes, is inert in any context: it is what an image
//! sanitizer keeps. Such an `<svg>` is no Strong `svg_tag`, and such a `data:` URI no Strong
//! `data_uri`; anything else keeps them Strong.
//!
//! The check is linear, allocation-free on markup, and bounded by the value; `data:` payloads
//! are decoded (percent or base64) into a buffer of at most [`MAX_DOCUMENT`] bytes.

use super::bytes::{eq_ci, is_ws_ctrl, starts_ci};

/// Longest decoded `data:` document judged; longer ones stay Strong.
const MAX_DOCUMENT: usize = 16 * 1024;

/// Deepest nesting followed.
const MAX_DEPTH: usize = 32;

/// Elements of a static drawing.
const ELEMENTS: &[&[u8]] = &[
    b"circle",
    b"clippath",
    b"defs",
    b"desc",
    b"ellipse",
    b"feblend",
    b"fecolormatrix",
    b"fecomposite",
    b"feflood",
    b"fegaussianblur",
    b"femerge",
    b"femergenode",
    b"feoffset",
    b"filter",
    b"g",
    b"line",
    b"lineargradient",
    b"marker",
    b"mask",
    b"metadata",
    b"path",
    b"pattern",
    b"polygon",
    b"polyline",
    b"radialgradient",
    b"rect",
    b"stop",
    b"svg",
    b"symbol",
    b"text",
    b"title",
    b"tspan",
];

fn allowed(name: &[u8]) -> bool {
    ELEMENTS.iter().any(|e| eq_ci(name, e))
}

/// Whether the SVG markup of `b` from `lt` (an `<svg` tag) to the end of its `</svg>` (or of
/// the value) is inert; `Some(end)` with the index after it when it is.
pub(super) fn inert_element(b: &[u8], lt: usize) -> Option<usize> {
    let end = markup(b, lt, true)?;
    Some(end)
}

/// Whether a whole SVG document (a decoded `data:` payload) is inert: an optional XML
/// declaration, comments and a DOCTYPE without internal subset, then inert markup.
fn inert_document(b: &[u8]) -> bool {
    let mut p = 0;
    loop {
        while p < b.len() && is_ws_ctrl(b[p]) {
            p += 1;
        }
        if starts_ci(b, p, b"<?xml") {
            match find(b, p, b"?>") {
                Some(e) => p = e + 2,
                None => return false,
            }
        } else if b[p..].starts_with(b"<!--") {
            match find(b, p + 4, b"-->") {
                Some(e) => p = e + 3,
                None => return false,
            }
        } else if starts_ci(b, p, b"<!doctype") {
            let Some(e) = memchr::memchr(b'>', &b[p..]).map(|o| p + o) else {
                return false;
            };
            if b[p..e].contains(&b'[') {
                return false;
            }
            p = e + 1;
        } else {
            break;
        }
    }
    starts_ci(b, p, b"<svg") && markup(b, p, false).is_some_and(|e| b[e..].trim_ascii().is_empty())
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|o| from + o)
}

/// Lexes inert SVG markup from the `<svg` at `lt` until the `</svg>` that closes it (or, when
/// `to_end`, the end of the value may come first: a cut value). Returns the index after it.
fn markup(b: &[u8], lt: usize, to_end: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut p = lt;
    loop {
        let Some(o) = memchr::memchr(b'<', b.get(p..)?) else {
            // Text to the end: fine for a cut value, not for a document.
            return (to_end || depth == 0).then_some(b.len());
        };
        let at = p + o;
        // Text between tags: no `&#` references that could spell markup, nothing else.
        if b[p..at].windows(2).any(|w| w == b"&#") {
            return None;
        }
        let name_start = at + 1 + usize::from(b.get(at + 1) == Some(&b'/'));
        let mut e = name_start;
        while e < b.len() && (b[e].is_ascii_alphanumeric()) {
            e += 1;
        }
        let name = &b[name_start..e];
        if name.is_empty() || !allowed(name) {
            return None;
        }
        if b[at + 1] == b'/' {
            while e < b.len() && is_ws_ctrl(b[e]) {
                e += 1;
            }
            if b.get(e) != Some(&b'>') || depth == 0 {
                return None;
            }
            depth -= 1;
            p = e + 1;
            if depth == 0 {
                return Some(p);
            }
            continue;
        }
        match attributes(b, e) {
            Attrs::Closed(end, self_closing) => {
                if !self_closing {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                }
                p = end;
                if depth == 0 {
                    return Some(p);
                }
            }
            // The value ends inside the tag (a cut value): inert so far.
            Attrs::Cut if to_end => return Some(b.len()),
            Attrs::Cut | Attrs::Active => return None,
        }
    }
}

enum Attrs {
    /// The tag closed at this index, with `/>` or not.
    Closed(usize, bool),
    /// The value ended inside the tag, every attribute so far inert.
    Cut,
    /// An active attribute, or something that is not an attribute.
    Active,
}

/// Lexes the attributes of a tag from `p`: names of letters, digits, `-` and `:`, values
/// quoted (`"`, `'`) or plain; none may be a handler, a link, an animation target or a style
/// with `url(`/`expression`, and no value holds `&#` or `<`.
fn attributes(b: &[u8], mut p: usize) -> Attrs {
    loop {
        while p < b.len() && is_ws_ctrl(b[p]) {
            p += 1;
        }
        match b.get(p) {
            None => return Attrs::Cut,
            Some(b'>') => return Attrs::Closed(p + 1, false),
            Some(b'/') if b.get(p + 1) == Some(&b'>') => return Attrs::Closed(p + 2, true),
            Some(b'/') if p + 1 == b.len() => return Attrs::Cut,
            _ => {}
        }
        let s = p;
        while p < b.len() && (b[p].is_ascii_alphanumeric() || matches!(b[p], b'-' | b':' | b'_')) {
            p += 1;
        }
        let name = &b[s..p];
        if name.is_empty() {
            return Attrs::Active;
        }
        let value: &[u8] = if b.get(p) == Some(&b'=') {
            p += 1;
            match b.get(p) {
                None => return Attrs::Cut,
                Some(&q @ (b'"' | b'\'')) => match memchr::memchr(q, &b[p + 1..]) {
                    Some(o) => {
                        let v = &b[p + 1..p + 1 + o];
                        p += o + 2;
                        v
                    }
                    None => {
                        let v = &b[p + 1..];
                        if !attr_ok(name, v) {
                            return Attrs::Active;
                        }
                        return Attrs::Cut;
                    }
                },
                Some(_) => {
                    let v0 = p;
                    while p < b.len() && !is_ws_ctrl(b[p]) && !matches!(b[p], b'>' | b'"' | b'\'') {
                        p += 1;
                    }
                    &b[v0..p]
                }
            }
        } else {
            &[]
        };
        if !attr_ok(name, value) {
            return Attrs::Active;
        }
    }
}

/// An attribute of a static drawing: not a handler, no reference to another resource (a
/// `#fragment` is fine), no animation target, no style that loads or runs anything.
fn attr_ok(name: &[u8], value: &[u8]) -> bool {
    let local = name
        .iter()
        .rposition(|&c| c == b':')
        .map_or(name, |i| &name[i + 1..]);
    if local.len() >= 2 && eq_ci(&local[..2], b"on") {
        return false;
    }
    if value.contains(&b'<') || value.windows(2).any(|w| w == b"&#") || value.contains(&b'\\') {
        return false;
    }
    if eq_ci(local, b"href") || eq_ci(local, b"src") {
        return value.first() == Some(&b'#');
    }
    if eq_ci(local, b"attributename") || eq_ci(local, b"values") || eq_ci(local, b"to") {
        return false;
    }
    let lower_has = |pat: &[u8]| {
        value
            .windows(pat.len())
            .any(|w| w.eq_ignore_ascii_case(pat))
    };
    // `url(#id)` fills are fine; any other `url(`, script schemes and IE expressions are not.
    let urls_ok = value
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w.eq_ignore_ascii_case(b"url("))
        .all(|(i, _)| {
            let arg = value[i + 4..].trim_ascii_start();
            arg.first() == Some(&b'#') || arg.starts_with(b"'#") || arg.starts_with(b"\"#")
        });
    urls_ok && !lower_has(b"javascript:") && !lower_has(b"expression") && !lower_has(b"@import")
}

/// Whether the `data:` URI whose scheme starts at `data_at` and whose media type starts at
/// `p` is an inert SVG image: the payload after the comma, percent- or base64-decoded, is an
/// inert SVG document. The payload ends with the quote that opened the URL (`"data:…"`,
/// `'data:…'`), or with whitespace or the value when nothing quoted it.
pub(super) fn inert_data_uri(b: &[u8], data_at: usize, p: usize) -> bool {
    let rest = b.get(p..).unwrap_or_default();
    let Some(comma) = memchr::memchr(b',', rest) else {
        return false;
    };
    let header = &rest[..comma];
    let payload = &rest[comma + 1..];
    let end = match data_at.checked_sub(1).and_then(|i| b.get(i)) {
        Some(&q @ (b'"' | b'\'')) => memchr::memchr(q, payload),
        _ => payload.iter().position(|&c| c != b' ' && is_ws_ctrl(c)),
    }
    .unwrap_or(payload.len());
    let payload = &payload[..end];
    let base64 = header
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b";base64"));
    let mut doc = [0u8; MAX_DOCUMENT];
    let Some(n) = (if base64 {
        base64_decode(payload, &mut doc)
    } else {
        percent_decode(payload, &mut doc)
    }) else {
        return false;
    };
    inert_document(&doc[..n])
}

/// Percent-decodes `src` into `out`; `None` when it does not fit.
fn percent_decode(src: &[u8], out: &mut [u8]) -> Option<usize> {
    let hex = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let (mut i, mut n) = (0, 0);
    while i < src.len() {
        let byte = match (
            src[i],
            src.get(i + 1).copied().and_then(hex),
            src.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                i += 3;
                (h << 4) | l
            }
            (c, _, _) => {
                i += 1;
                c
            }
        };
        *out.get_mut(n)? = byte;
        n += 1;
    }
    Some(n)
}

/// Decodes standard or URL-safe base64 (padding and whitespace allowed) into `out`; `None`
/// when it is not base64 or does not fit.
fn base64_decode(src: &[u8], out: &mut [u8]) -> Option<usize> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for &c in src {
        if c == b'=' || is_ws_ctrl(c) {
            continue;
        }
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = u8::try_from((acc >> bits) & 0xff).ok()?;
            n += 1;
        }
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(v: &str) -> bool {
        inert_element(v.as_bytes(), v.find("<svg").unwrap_or(0)).is_some()
    }

    fn uri(v: &str) -> bool {
        let at = v.find("data:").unwrap_or(0);
        inert_data_uri(v.as_bytes(), at, at + 5)
    }

    #[test]
    fn drawings_are_inert() {
        for v in [
            "<svg xmlns='http://www.w3.org/2000/svg' version='1.1' width='100' height='100'/>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"><path d=\"M12 2L2 22h20z\" fill=\"currentColor\"/></svg>",
            "<svg width=\"10\" height=\"10\"><defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#fff\"/></linearGradient></defs><rect fill=\"url(#g)\" width=\"10\" height=\"10\"/><title>Icon</title></svg>",
            "svg+xml;utf8,<svg xmlns=\"http:",
        ] {
            assert!(element(v), "{v}");
        }
        for v in [
            "data:image/svg+xml,%3csvg xmlns=%27http://www.w3.org/2000/svg%27 version=%271.1%27 width=%27100%27 height=%27100%27/%3e",
            "data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%20viewBox%3D%220%200%201%201%22%3E%3C%2Fsvg%3E",
            "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4=",
            "url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><circle r='2'/></svg>\")",
        ] {
            assert!(uri(v), "{v}");
        }
    }

    #[test]
    fn active_svg_is_not() {
        for v in [
            "<svg onload=alert(1)>",
            "<svg/onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<svg><set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>",
            "<svg><animate attributeName=href values=javascript:alert(1) /></svg>",
            "<svg><foreignObject><iframe src=x></iframe></foreignObject></svg>",
            "<svg><use href=\"data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x\"/></svg>",
            "<svg><style>@import 'x';</style></svg>",
            "<svg><rect style=\"fill:url(javascript:alert(1))\"/></svg>",
            "<svg><;(noitacol)mrifnoc=daolno ;howthehellitworks`=wtf>`",
            "<svg><image href=\"x\" onerror=\"alert(1)\"/></svg>",
            "<svg><text>&#60;img src=x onerror=alert(1)&#62;</text></svg>",
        ] {
            assert!(!element(v), "{v}");
        }
        for v in [
            "data:image/svg+xml,<svg onload=alert(1)>",
            "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
            "data:image/svg+xml,%3Csvg%3E%3Cscript%3Ealert(1)%3C/script%3E%3C/svg%3E",
            "data:image/svg+xml,<svg><text>x</text>",
            "data:image/svg+xml;base64,!!!",
            "data:image/svg+xml,<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg/>",
        ] {
            assert!(!uri(v), "{v}");
        }
    }
}
