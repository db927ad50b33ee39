//! The HTML text context: does the value open a tag, a closing tag or a comment, and what
//! does the tag carry?
//!
//! A tag starts, as in browsers, with `<` followed by an ASCII letter (`<3`, `a < b` and
//! `1<2>0` are no tags); its name runs to whitespace, `/`, `>` or a quote, so the malformed
//! forms browsers or pages still let through (`<img/src=x`, `<svg/onload=`, `<a"onclick=`)
//! are seen. Each tag is lexed up to its `>` or the next `<` (whichever comes first, even
//! inside a quoted value), so tags never overlap and the scan is linear.
//!
//! - Strong: an element that runs script or active content by itself (`script`, `iframe`,
//!   `object`, `embed`, `svg`, `math`, `base`, `link`, `style`, `form`, `isindex`, `meta` with
//!   `http-equiv`…), any tag — known or not — with an event handler (`on…=`), `srcdoc`,
//!   `formaction`, `xlink:href`, or a `style` running code (`expression(`, `behavior:`), and
//!   `</script` (it ends the page's script block), an encoded `<` (`+ADw-`, `\u003c`,
//!   `\x3c`) before an active element. An `<svg>` that only draws (no script, handler, link,
//!   animation or style sheet: `svg.rs`) is no finding; scanning resumes after it.
//! - None: a text-formatting element with no attribute (`<b>`, `<br/>`, `<sup>`) and its end tag.
//! - Weak: an ordinary element (`<b class=x>`, `<a href=…>`, `<img src=… alt=…>`), its closing
//!   tag, a comment or a declaration (`<!--`, `<!DOCTYPE`, `<![CDATA[`, `<?xml`), an
//!   encoded `<` before an ordinary element.
//! - None: anything else after `<` (`List<String>`, `<john@example.com>` as an unknown
//!   element without active attributes).

use super::attrs::{self, Attr};
use super::bytes::{eq_ci, is_quote, is_ws_ctrl, starts_ci};
use super::names::{self, TagKind};
use super::{breakout, css, svg};
use crate::{Strength, Structure};

/// Ends an element name.
#[inline]
fn name_end(c: u8) -> bool {
    is_ws_ctrl(c) || is_quote(c) || matches!(c, b'/' | b'>' | b'<' | b'=')
}

/// Attributes that are active whatever their value: inline documents, form targets, SVG
/// links, IE data binding.
const ACTIVE_ATTRS: &[&[u8]] = &[b"srcdoc", b"formaction", b"xlink:href", b"dataformatas"];

/// Whether an attribute makes any tag Strong, and why.
fn active_attr(a: &Attr<'_>) -> Option<&'static str> {
    let value = a.value?;
    // A namespaced handler (`x:ontimer=`) is a handler too.
    let local = a
        .name
        .iter()
        .rposition(|&c| c == b':')
        .map_or(a.name, |i| &a.name[i + 1..]);
    if names::is_handler_shape(local) {
        return Some("event_handler");
    }
    if ACTIVE_ATTRS.iter().any(|n| eq_ci(a.name, n)) {
        return Some("dangerous_attribute");
    }
    // SVG animation of a handler or link: `<set attributeName="onmouseover" to="alert(1)">`.
    if eq_ci(a.name, b"attributename")
        && (names::is_handler_shape(value)
            || [&b"href"[..], b"xlink:href", b"innerhtml", b"outerhtml"]
                .iter()
                .any(|n| eq_ci(value, n)))
    {
        return Some("event_handler");
    }
    if eq_ci(a.name, b"style") && css::is_active(value) {
        return Some("css_expression");
    }
    if breakout::value_has_handler(value) {
        return Some("attribute_breakout");
    }
    None
}

/// Lex the attributes of a tag from `p`; the first active one, and where lexing stopped.
fn active_attrs(
    b: &[u8],
    p: usize,
    lim: usize,
    http_equiv: &mut bool,
) -> (Option<&'static str>, usize) {
    let mut found = None;
    let end = attrs::lex(b, p, lim, |a| {
        *http_equiv |= eq_ci(a.name, b"http-equiv");
        found = active_attr(&a);
        found.is_some()
    });
    (found, end.pos)
}

/// Analyse the tag-like construct at `lt` (a `<`), lexing no further than `lim`; returns the
/// finding and the index where scanning resumes.
fn tag_at(b: &[u8], lt: usize, lim: usize) -> (Structure, usize) {
    let next = lt + 1;
    let weak = |reason| Structure::new(Strength::Weak, reason);
    match b.get(next) {
        Some(b'!') => {
            let found = if b[next..lim].starts_with(b"!--") {
                weak("html_comment")
            } else if b
                .get(next + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'[')
            {
                weak("html_declaration")
            } else {
                Structure::NONE
            };
            (found, next)
        }
        Some(b'?') if b.get(next + 1).is_some_and(u8::is_ascii_alphabetic) => {
            (weak("processing_instruction"), next)
        }
        Some(b'/') if b.get(next + 1).is_some_and(u8::is_ascii_alphabetic) => {
            let start = next + 1;
            let mut p = start;
            while p < lim && !name_end(b[p]) {
                p += 1;
            }
            let kind = names::tag_kind(&b[start..p]);
            // Browsers ignore attributes on end tags, but a page may not.
            let (active, end) = active_attrs(b, p, lim, &mut false);
            let found = match (kind, active) {
                (TagKind::Dangerous("script_tag"), _) => {
                    Structure::new(Strength::Strong, "script_breakout")
                }
                (_, Some(reason)) => Structure::new(Strength::Strong, reason),
                (TagKind::Unknown, None) => Structure::NONE,
                _ if is_formatting(&b[start..p]) && bare_end(b, p, lim) => Structure::NONE,
                _ => weak("closing_tag"),
            };
            (found, end)
        }
        Some(c) if c.is_ascii_alphabetic() => {
            let start = next;
            let mut p = start;
            while p < lim && !name_end(b[p]) {
                p += 1;
            }
            let kind = names::tag_kind(&b[start..p]);
            if let TagKind::Dangerous(reason) = kind {
                // An `<svg>` that only draws (shapes, gradients, text; no script, handler,
                // link or animation) is inert: scanning resumes after it (`svg.rs`).
                if reason == "svg_tag"
                    && eq_ci(&b[start..p], b"svg")
                    && let Some(end) = svg::inert_element(b, lt)
                {
                    return (Structure::NONE, end);
                }
                return (Structure::new(Strength::Strong, reason), p);
            }
            let mut http_equiv = false;
            let (active, end) = active_attrs(b, p, lim, &mut http_equiv);
            if let Some(reason) = active {
                return (Structure::new(Strength::Strong, reason), end);
            }
            let found = match kind {
                TagKind::Meta if http_equiv => Structure::new(Strength::Strong, "meta_refresh"),
                // `<b>`, `<br/>`, `<sup>`: text formatting with no attribute is what comment
                // boxes and rich-text fields carry every day; it cannot run anything.
                TagKind::Known if is_formatting(&b[start..p]) && bare_end(b, p, lim) => {
                    Structure::NONE
                }
                TagKind::Meta | TagKind::Known => weak("html_tag"),
                _ => Structure::NONE,
            };
            (found, end)
        }
        _ => (Structure::NONE, next),
    }
}

/// Elements that only format text (no URL, no script, no embedded content).
const FORMATTING: &[&[u8]] = &[
    b"abbr",
    b"b",
    b"big",
    b"blockquote",
    b"br",
    b"caption",
    b"center",
    b"cite",
    b"code",
    b"dd",
    b"del",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"hr",
    b"i",
    b"ins",
    b"kbd",
    b"li",
    b"mark",
    b"ol",
    b"p",
    b"pre",
    b"q",
    b"s",
    b"samp",
    b"small",
    b"span",
    b"strike",
    b"strong",
    b"sub",
    b"sup",
    b"table",
    b"tbody",
    b"td",
    b"th",
    b"thead",
    b"tr",
    b"tt",
    b"u",
    b"ul",
    b"var",
    b"wbr",
];

/// Whether `name` is a text-formatting element.
fn is_formatting(name: &[u8]) -> bool {
    FORMATTING.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Whether the tag whose name ends at `p` closes at once (`>`, `/>`, spaces before them, or
/// the end of the value): it has no attribute.
fn bare_end(b: &[u8], p: usize, lim: usize) -> bool {
    let rest = b.get(p..lim).unwrap_or_default();
    let rest = rest.trim_ascii_start();
    rest.is_empty() || rest[0] == b'>' || rest.starts_with(b"/>")
}

/// Length of an encoded `<` at `p` that a later decoding step may turn into markup: UTF-7
/// `+ADw-` (pages served or sniffed as UTF-7) and the JavaScript/JSON escapes `\u003c`,
/// `\x3c` (values written into a script and later into the DOM).
fn encoded_lt(b: &[u8], p: usize) -> usize {
    if b[p..].starts_with(b"+ADw-") {
        5
    } else if starts_ci(b, p, b"\\u003c") {
        6
    } else if starts_ci(b, p, b"\\x3c") {
        4
    } else {
        0
    }
}

/// Encoded markup: an encoded `<` then an element name. An active element is Strong, an
/// ordinary one (or an end tag) Weak `"encoded_markup"`.
fn encoded(b: &[u8]) -> Structure {
    let mut best = Structure::NONE;
    for at in memchr::memchr2_iter(b'+', b'\\', b) {
        let n = encoded_lt(b, at);
        if n == 0 {
            continue;
        }
        let start = at + n;
        let mut p = start;
        while p < b.len() && b[p].is_ascii_alphanumeric() {
            p += 1;
        }
        match names::tag_kind(&b[start..p]) {
            TagKind::Dangerous(reason) => return Structure::new(Strength::Strong, reason),
            TagKind::Unknown if b.get(start) != Some(&b'/') => {}
            _ => best = Structure::new(Strength::Weak, "encoded_markup"),
        }
    }
    best
}

/// Index of the next `<` at or after `from`: a plain loop over the first bytes (tags in
/// markup are close together, where a vectorised search costs more than it saves), then
/// `memchr`.
#[inline]
fn next_lt(b: &[u8], from: usize) -> Option<usize> {
    let near = b.len().min(from + 16);
    if let Some(i) = (from..near).find(|&i| b[i] == b'<') {
        return Some(i);
    }
    memchr::memchr(b'<', &b[near..]).map(|o| near + o)
}

/// Scan every tag-like construct of `b`; stop at the first Strong one.
pub(super) fn scan(b: &[u8]) -> Structure {
    let mut best = encoded(b);
    if best.strength == Strength::Strong {
        return best;
    }
    let mut i = 0;
    while let Some(lt) = next_lt(b, i) {
        // The lexer stops at the next `<` by itself, so tags never overlap.
        let (found, resume) = tag_at(b, lt, b.len());
        if found.strength == Strength::Strong {
            return found;
        }
        best = best.max(found);
        i = resume.max(lt + 1);
    }
    best
}

#[cfg(test)]
mod tests;
