//! Inert markup: rich text as editors write it, which no context can turn into script.
//!
//! Rich-text editors (and the CMS, mail and comment forms built on them) send HTML: `<p>`,
//! `<strong>`, lists and tables, links to `https://…` pages, images from `https://…`, class
//! names and plain CSS styles. The tag scanner calls that Weak (ordinary elements with
//! attributes) and leaves the decision to the model, which has seen `<a href>` and
//! `<div style>` mostly in attack lists. This module says when such markup is inert: the
//! value is a well-formed fragment that a sanitizer's allowlist would keep unchanged, so it
//! runs nothing wherever it is reflected. Then the Weak finding is dropped.
//!
//! A fragment is inert when all of these hold:
//!
//! - every tag is an allowlisted element ([`ELEMENTS`]: text formatting, lists, tables,
//!   headings, `a`, `img`, `span`, `div`, `font`, sectioning elements), opened and closed in
//!   order (void elements such as `br`, `hr`, `img` need no end tag; `/>` is accepted), at
//!   most [`MAX_DEPTH`] deep, and at least one tag is there;
//! - every attribute is allowlisted for it and quoted with `"` or `'` (or unquoted with a
//!   plain word), with a value of its kind ([`attr_ok`]): `class`/`id` names, a `title`/`alt`
//!   text, numbers for sizes, `target` and `rel` words, a CSS `style` of plain declarations
//!   (no `url(`, `expression`, escapes, comments or `@`), an `href` that is an `http(s)` URL
//!   with a host name (not a numeric or obfuscated host, no user info), a `mailto:`/`tel:`
//!   link or a relative path, an `img` `src` that is such a URL or a raster `data:image`;
//!   no attribute value holds a character reference (`&#…`);
//! - the only other constructs are text (`<` not followed by a letter, `/` or `!` is text, as
//!   browsers read it) and, at the very start, the HTML5 doctype `<!DOCTYPE html>`. A comment,
//!   another declaration, a processing instruction or an unknown element makes the fragment
//!   not inert: markup that is not plain rich text is judged as before.
//!
//! The check runs only on values the scanners found Weak (never Strong: an event handler, a
//! script URI or an active element decides first), in one pass with a fixed-size stack.

use super::bytes::{eq_ci, is_ws_ctrl, starts_ci};

/// Deepest nesting of elements accepted.
const MAX_DEPTH: usize = 32;

/// Elements that rich text carries and that run nothing by themselves, with whether they are
/// void (no end tag).
const ELEMENTS: &[(&[u8], bool)] = &[
    (b"a", false),
    (b"abbr", false),
    (b"address", false),
    (b"article", false),
    (b"aside", false),
    (b"b", false),
    (b"big", false),
    (b"blockquote", false),
    (b"br", true),
    (b"caption", false),
    (b"center", false),
    (b"cite", false),
    (b"code", false),
    (b"col", true),
    (b"colgroup", false),
    (b"dd", false),
    (b"del", false),
    (b"div", false),
    (b"dl", false),
    (b"dt", false),
    (b"em", false),
    (b"figcaption", false),
    (b"figure", false),
    (b"font", false),
    (b"footer", false),
    (b"h1", false),
    (b"h2", false),
    (b"h3", false),
    (b"h4", false),
    (b"h5", false),
    (b"h6", false),
    (b"header", false),
    (b"hr", true),
    (b"i", false),
    (b"img", true),
    (b"ins", false),
    (b"kbd", false),
    (b"li", false),
    (b"mark", false),
    (b"ol", false),
    (b"p", false),
    (b"pre", false),
    (b"q", false),
    (b"s", false),
    (b"samp", false),
    (b"section", false),
    (b"small", false),
    (b"span", false),
    (b"strike", false),
    (b"strong", false),
    (b"sub", false),
    (b"sup", false),
    (b"table", false),
    (b"tbody", false),
    (b"td", false),
    (b"tfoot", false),
    (b"th", false),
    (b"thead", false),
    (b"time", false),
    (b"tr", false),
    (b"tt", false),
    (b"u", false),
    (b"ul", false),
    (b"var", false),
    (b"wbr", true),
];

/// The index of an allowlisted element in [`ELEMENTS`].
fn element(name: &[u8]) -> Option<usize> {
    ELEMENTS.iter().position(|(n, _)| eq_ci(name, n))
}

/// Whether `b` is inert rich text (see the module doc).
pub(super) fn is_inert(b: &[u8]) -> bool {
    let mut stack = [0u8; MAX_DEPTH];
    let mut depth = 0;
    let mut tags = 0usize;
    let mut p = 0;
    // The HTML5 doctype, alone at the start.
    let start = b.iter().position(|c| !is_ws_ctrl(*c)).unwrap_or(b.len());
    if starts_ci(b, start, b"<!doctype") {
        let mut q = start + 9;
        while q < b.len() && is_ws_ctrl(b[q]) {
            q += 1;
        }
        if !starts_ci(b, q, b"html") {
            return false;
        }
        q += 4;
        while q < b.len() && is_ws_ctrl(b[q]) {
            q += 1;
        }
        if b.get(q) != Some(&b'>') {
            return false;
        }
        p = q + 1;
        tags += 1;
    }
    while let Some(o) = memchr::memchr(b'<', &b[p..]) {
        let lt = p + o;
        match b.get(lt + 1) {
            Some(b'/') => {
                let s = lt + 2;
                let mut e = s;
                while e < b.len() && b[e].is_ascii_alphanumeric() {
                    e += 1;
                }
                let Some(i) = element(&b[s..e]) else {
                    return false;
                };
                while e < b.len() && is_ws_ctrl(b[e]) {
                    e += 1;
                }
                if b.get(e) != Some(&b'>') || depth == 0 || usize::from(stack[depth - 1]) != i {
                    return false;
                }
                depth -= 1;
                p = e + 1;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let s = lt + 1;
                let mut e = s;
                while e < b.len() && b[e].is_ascii_alphanumeric() {
                    e += 1;
                }
                let Some(i) = element(&b[s..e]) else {
                    return false;
                };
                let Some((end, self_closed)) = attributes(b, e, ELEMENTS[i].0) else {
                    return false;
                };
                tags += 1;
                if !ELEMENTS[i].1 && !self_closed {
                    if depth == MAX_DEPTH {
                        return false;
                    }
                    // `ELEMENTS` has fewer than 256 entries.
                    stack[depth] = u8::try_from(i).unwrap_or(u8::MAX);
                    depth += 1;
                }
                p = end;
            }
            // A comment, a declaration or a processing instruction: not plain rich text.
            Some(b'!' | b'?') => return false,
            // `a < b`, `x<3`: text.
            _ => p = lt + 1,
        }
    }
    depth == 0 && tags > 0
}

/// Lexes the attributes of a start tag of `element` from `p` strictly (whitespace between
/// attributes, values quoted or plain words); every one must be allowed. Returns the index
/// after the closing `>` and whether the tag ended with `/>`.
fn attributes(b: &[u8], mut p: usize, element: &[u8]) -> Option<(usize, bool)> {
    loop {
        let ws = p;
        while p < b.len() && is_ws_ctrl(b[p]) {
            p += 1;
        }
        match b.get(p)? {
            b'>' => return Some((p + 1, false)),
            b'/' if b.get(p + 1) == Some(&b'>') => return Some((p + 2, true)),
            _ if p == ws => return None,
            _ => {}
        }
        let s = p;
        while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'-') {
            p += 1;
        }
        let name = &b[s..p];
        if name.is_empty() || b.get(p) != Some(&b'=') {
            return None;
        }
        p += 1;
        let value = match b.get(p)? {
            q @ (b'"' | b'\'') => {
                let close = memchr::memchr(*q, &b[p + 1..])? + p + 1;
                let v = &b[p + 1..close];
                p = close + 1;
                v
            }
            _ => {
                let s = p;
                while p < b.len()
                    && (b[p].is_ascii_alphanumeric() || matches!(b[p], b'-' | b'_' | b'.' | b'%'))
                {
                    p += 1;
                }
                &b[s..p]
            }
        };
        if value.contains(&b'<') || value.contains(&b'>') || value.contains(&b'`') {
            return None;
        }
        if value.windows(2).any(|w| w == b"&#") || value.contains(&b'\\') {
            return None;
        }
        if !attr_ok(element, name, value) {
            return None;
        }
    }
}

/// Whether attribute `name` with `value` is allowed on `element` (see the module doc).
fn attr_ok(element: &[u8], name: &[u8], value: &[u8]) -> bool {
    let is = |n: &[u8]| eq_ci(name, n);
    if is(b"class") || is(b"id") || is(b"lang") || is(b"dir") {
        return value
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b' ' | b':' | b'.'));
    }
    if is(b"title") || is(b"alt") {
        return !value.iter().any(|c| *c < 0x20 && *c != b'\t');
    }
    if is(b"width")
        || is(b"height")
        || is(b"border")
        || is(b"colspan")
        || is(b"rowspan")
        || is(b"cellpadding")
        || is(b"cellspacing")
        || is(b"start")
        || is(b"size")
    {
        return !value.is_empty()
            && value.iter().all(|c| {
                c.is_ascii_digit() || matches!(c, b'%' | b'.' | b'p' | b'x' | b'+' | b'-')
            });
    }
    if is(b"target") || is(b"rel") || is(b"align") || is(b"valign") || is(b"type") {
        return value
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' '));
    }
    if is(b"color") || is(b"bgcolor") || is(b"face") {
        return value.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'#' | b' ' | b',' | b'-' | b'\'' | b'"')
        });
    }
    if is(b"style") {
        return plain_css(value);
    }
    if is(b"href") && eq_ci(element, b"a") {
        return link(value, false);
    }
    if is(b"src") && eq_ci(element, b"img") {
        return link(value, true);
    }
    false
}

/// A CSS declaration list of plain values: `text-align: center; color: #f00; font-family:
/// 'Open Sans', sans-serif; margin: calc(1em + 2px)`. Property names are letters and `-`;
/// values hold no `:` (no second declaration glued on), no `url(`, no `expression`, no comment,
/// no `@` and call only colour and length functions.
fn plain_css(v: &[u8]) -> bool {
    for decl in v.split(|c| *c == b';') {
        let decl = decl.trim_ascii();
        if decl.is_empty() {
            continue;
        }
        let Some(colon) = decl.iter().position(|c| *c == b':') else {
            return false;
        };
        let (prop, value) = (decl[..colon].trim_ascii(), &decl[colon + 1..]);
        if prop.is_empty()
            || !prop.iter().all(|c| c.is_ascii_alphabetic() || *c == b'-')
            || eq_ci(prop, b"behavior")
            || eq_ci(prop, b"-moz-binding")
        {
            return false;
        }
        let mut depth = 0u8;
        let mut word_start = 0;
        for (i, &c) in value.iter().enumerate() {
            match c {
                b'(' => {
                    let word = value[word_start..i].trim_ascii();
                    let known = [&b"rgb"[..], b"rgba", b"hsl", b"hsla", b"calc", b"var"]
                        .iter()
                        .any(|f| eq_ci(word, f));
                    if !known || depth > 2 {
                        return false;
                    }
                    depth += 1;
                }
                b')' => {
                    if depth == 0 {
                        return false;
                    }
                    depth -= 1;
                }
                c if c.is_ascii_alphanumeric()
                    || matches!(
                        c,
                        b' ' | b'#'
                            | b'%'
                            | b'.'
                            | b','
                            | b'-'
                            | b'!'
                            | b'\''
                            | b'"'
                            | b'+'
                            | b'*'
                            | b'/'
                            | b'_'
                    ) => {}
                _ => return false,
            }
            if !(c.is_ascii_alphanumeric() || c == b'-') {
                word_start = i + 1;
            }
        }
        if depth != 0 || value.windows(2).any(|w| w == b"/*") {
            return false;
        }
    }
    true
}

/// A link target of rich text: an `http(s)` URL with a host name, `mailto:`/`tel:` (links
/// only), a raster `data:image` (images only), or a relative path, query or fragment.
fn link(v: &[u8], image: bool) -> bool {
    let url_byte = |c: &u8| c.is_ascii_alphanumeric() || b"-._~/?#[]@!$&'()*+,;=%:".contains(c);
    if !v.iter().all(url_byte) || v.is_empty() {
        return false;
    }
    let rest = if starts_ci(v, 0, b"https://") {
        &v[8..]
    } else if starts_ci(v, 0, b"http://") {
        &v[7..]
    } else if !image && starts_ci(v, 0, b"mailto:") {
        return !v[7..].contains(&b':');
    } else if !image && starts_ci(v, 0, b"tel:") {
        return v[4..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'(' | b')'));
    } else if image && starts_ci(v, 0, b"data:image/") {
        let t = &v[11..];
        return [
            &b"png;base64,"[..],
            b"jpeg;base64,",
            b"jpg;base64,",
            b"gif;base64,",
            b"webp;base64,",
        ]
        .iter()
        .any(|p| starts_ci(t, 0, p))
            && t.iter()
                .skip_while(|c| **c != b',')
                .skip(1)
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
    } else {
        // Relative: a path, a query or a fragment, but not `//host` nor anything with a scheme.
        return !v.starts_with(b"//") && !v.iter().take_while(|c| **c != b'/').any(|c| *c == b':');
    };
    let host_end = rest
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host = match authority.iter().position(|c| *c == b':') {
        Some(i) => {
            let port = &authority[i + 1..];
            if port.is_empty() || port.len() > 5 || !port.iter().all(u8::is_ascii_digit) {
                return false;
            }
            &authority[..i]
        }
        None => authority,
    };
    // A host name: labels of letters, digits and `-`, a letter in the last one (no numeric,
    // octal or hex IP, no `user@`), at least one dot.
    let mut labels = host.split(|c| *c == b'.');
    let last = labels.next_back().unwrap_or_default();
    host.contains(&b'.')
        && host
            .split(|c| *c == b'.')
            .all(|l| !l.is_empty() && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'))
        && last.iter().all(u8::is_ascii_alphabetic)
        && last.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::is_inert;

    #[test]
    fn rich_text_is_inert() {
        for v in [
            "<p>Hello <strong>world</strong></p>",
            "<p style=\"text-align: center;\"><span style=\"color: #ff0000;\">red</span></p>",
            "<div class=\"ql-editor\"><p>text<br></p></div>",
            "<p>See <a href=\"https://example.com/page?a=1&amp;b=2#top\" target=\"_blank\" rel=\"noopener noreferrer\">this page</a>.</p>",
            "<p><img src=\"https://cdn.example.com/i/2024/photo.jpg\" alt=\"A photo\" width=\"600\" height=\"400\"></p>",
            "<img src=\"/uploads/a.png\" alt=\"\" />",
            "<h2>Title</h2><ul><li>one</li><li>two</li></ul><p><em>note</em></p>",
            "<table border=\"1\"><tbody><tr><td colspan=\"2\">a</td></tr></tbody></table>",
            "<p style=\"font-family: 'Open Sans', sans-serif; color: rgb(51, 51, 51); margin: 0px 0px 10px;\">x</p>",
            "<a href=\"mailto:jane@example.com\">mail me</a>",
            "<a href=\"#section-2\">jump</a> and <a href=\"../docs/intro.html\">intro</a>",
            "<!DOCTYPE html>",
            "<p>5 < 6 and x<3</p>",
            "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\"></p>",
            "<blockquote><p>Quote</p></blockquote><hr/>",
        ] {
            assert!(is_inert(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn active_or_odd_markup_is_not() {
        for v in [
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"http://1113982867/\">XSS</a>",
            "<A HREF=\"http://66.102.7.147/\">XSS</A>",
            "<A HREF=\"http://0x42.0x0000066.0x7.0x93/\"></A>",
            "<A HREF=\"http://ha.ckers.org@google\"></A>",
            "<A HREF=\"//www.google.com/\"></A>",
            "<a href=\"htt\tp://x.com/\">x</a>",
            "<div id=\"116\"><div id=\"x\">x</div>",
            "<div style=\"background:url(test5.svg)\">X</div>",
            "<div style=\"width: expression(alert(1))\">x</div>",
            "<div style=\"font-family:'foo&#10;;color:red;';\">XXX</div>",
            "<p onclick=\"x()\">x</p>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"https://x.com/a.png\"/onerror=alert(1)>",
            "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
            "<input name=\"password\" type=\"password\">",
            "<body>Hello</body>",
            "<div><!-- c --></div>",
            "<p>a</b>",
            "<p data-bind=\"x\">a</p>",
            "<b>x</b><i>",
            "plain text",
            "<!DOCTYPE x [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
            "<p title=\"a\"onmouseover=\"b\">x</p>",
        ] {
            assert!(!is_inert(v.as_bytes()), "{v}");
        }
    }
}
