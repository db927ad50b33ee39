//! Script URIs: `javascript:`, `vbscript:`, `livescript:` and `data:text/html`-like URIs, as
//! browsers accept them where a URL goes (`href`, `src`, `action`, `url(…)`).
//!
//! Browsers strip tabs and newlines anywhere in a URL and ignore scheme case, so
//! `JaVa&#x09;Script:` and `java\nscript:` both run; the matcher skips those (raw or still
//! written as character references) between the letters, and accepts `&colon;`/`&#58;` for the
//! colon. A script scheme followed by code (a call, an assignment, an escape, a comment) is
//! Strong; the word alone followed by a colon (`JavaScript: the good parts`) is Weak.
//!
//! A `data:image/svg+xml` URI whose SVG only draws (decoded from percent or base64, checked by
//! `svg.rs`) is no finding: placeholders and icons are written that way.
//!
//! A script URI that does nothing is no finding: `javascript:;`, `javascript:void(0)`,
//! `javascript: void 0;`, `javascript:void(null)`, `javascript:undefined` or a number, alone
//! or ended by the quote of the attribute that holds it. Pages put these in `href`s of links
//! handled by script, and analytics send them back by the thousand; running one evaluates a
//! literal. Anything more (`javascript:void(0);alert(1)`, `javascript:void(alert(1))`) is
//! code again.

use super::bytes::{is_ws_ctrl, skip_ws_ctrl, starts_ci};
use super::svg;
use crate::{Strength, Structure};

/// Most tab/newline fillers skipped inside one scheme name.
const MAX_FILLERS: usize = 32;
/// How far after the colon the code-like tail is looked for.
const TAIL_WINDOW: usize = 128;

/// A numeric character reference (`&#9;`, `&#x0A`, `&#0000058;`) at `p`: its value and length.
fn numeric_ref(b: &[u8], p: usize) -> Option<(u32, usize)> {
    if b.get(p) != Some(&b'&') || b.get(p + 1) != Some(&b'#') {
        return None;
    }
    let mut q = p + 2;
    let hex = matches!(b.get(q), Some(b'x' | b'X'));
    if hex {
        q += 1;
    }
    let start = q;
    let mut value: u32 = 0;
    while q < b.len() && q - start < 10 {
        let digit = match b[q] {
            c @ b'0'..=b'9' => u32::from(c - b'0'),
            c @ (b'a'..=b'f' | b'A'..=b'F') if hex => u32::from((c | 0x20) - b'a' + 10),
            _ => break,
        };
        value = value
            .saturating_mul(if hex { 16 } else { 10 })
            .saturating_add(digit);
        q += 1;
    }
    if q == start {
        return None;
    }
    if b.get(q) == Some(&b';') {
        q += 1;
    }
    Some((value, q - p))
}

/// Length of a filler browsers drop from URLs at `p` (tab, LF, CR, raw or as a reference;
/// NUL, which old Internet Explorer dropped).
fn filler(b: &[u8], p: usize) -> usize {
    match b.get(p) {
        Some(b'\t' | b'\n' | b'\r' | b'\0') => 1,
        Some(b'&') => {
            if let Some((v, n)) = numeric_ref(b, p) {
                return if matches!(v, 9 | 10 | 13) { n } else { 0 };
            }
            for name in [&b"&tab;"[..], b"&newline;"] {
                if starts_ci(b, p, name) {
                    return name.len();
                }
            }
            0
        }
        _ => 0,
    }
}

/// Length of a colon at `p` (`:`, `&colon;`, `&#58;`, `&#x3a;`).
fn colon(b: &[u8], p: usize) -> usize {
    match b.get(p) {
        Some(b':') => 1,
        Some(b'&') => {
            if let Some((58, n)) = numeric_ref(b, p) {
                n
            } else if starts_ci(b, p, b"&colon;") {
                7
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Length of a filler that ends just before `p` (see [`filler`]); references are looked for
/// only when `refs` (the value holds an `&`).
fn filler_before(b: &[u8], p: usize, refs: bool) -> usize {
    match p.checked_sub(1).map(|i| b[i]) {
        Some(b'\t' | b'\n' | b'\r' | b'\0') => 1,
        // A reference ends with `;` or a digit (hex digits included).
        Some(b';' | b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F') if refs => {
            let floor = p.saturating_sub(12);
            (floor..p)
                .rev()
                .find(|&a| b[a] == b'&')
                .filter(|&a| filler(b, a) == p - a)
                .map_or(0, |a| p - a)
        }
        Some(_) => 0,
        None => 0,
    }
}

/// Whether `word` ends just before `end` (a colon), fillers allowed between its letters and
/// before the colon, and starts at a word boundary.
fn scheme_before(b: &[u8], end: usize, word: &[u8], refs: bool) -> bool {
    let mut p = end;
    let mut fillers = 0;
    for &c in word.iter().rev() {
        // The letter, else fillers then the letter.
        while p > 0 && b[p - 1].to_ascii_lowercase() != c {
            let n = filler_before(b, p, refs);
            fillers += 1;
            if n == 0 || fillers > MAX_FILLERS {
                return false;
            }
            p -= n;
        }
        if p == 0 {
            return false;
        }
        p -= 1;
    }
    p == 0 || !b[p - 1].is_ascii_alphanumeric()
}

/// Whether the text after a script scheme's colon looks like code rather than prose.
fn code_tail(b: &[u8], from: usize) -> bool {
    let mut p = from;
    while p < b.len() && is_ws_ctrl(b[p]) {
        p += 1;
    }
    let tail = &b[p..b.len().min(p + TAIL_WINDOW)];
    if tail.is_empty() {
        return false;
    }
    tail.starts_with(b"//")
        || tail
            .iter()
            .any(|&c| matches!(c, b'(' | b'`' | b'=' | b'[' | b'\\' | b';' | b'&' | b'{'))
}

/// Whether the text after a script scheme's colon is a no-op: empty statements and literals
/// (`void(0)`, `void 0`, `null`, `undefined`, a number, `''`), separated by `;`, up to the end
/// of the value or the quote or `>` that ends the URI's attribute. Evaluating it has no effect.
fn noop_tail(b: &[u8], from: usize) -> bool {
    let mut p = from;
    let skip = |p: &mut usize| {
        while *p < b.len() && matches!(b[*p], b' ' | b'\t' | b'\n' | b'\r') {
            *p += 1;
        }
    };
    // At most a few statements: `void(0);void(0);` is still nothing, a long tail is not.
    for _ in 0..4 {
        skip(&mut p);
        match b.get(p) {
            None | Some(b'"' | b'\'' | b'>') => return true,
            Some(b';') => {
                p += 1;
                continue;
            }
            _ => {}
        }
        if starts_ci(b, p, b"void") && !b.get(p + 4).is_some_and(|c| c.is_ascii_alphanumeric()) {
            p += 4;
            skip(&mut p);
            let paren = b.get(p) == Some(&b'(');
            if paren {
                p += 1;
                skip(&mut p);
            }
            let Some(n) = literal(b, p) else {
                return false;
            };
            p += n;
            skip(&mut p);
            if paren {
                if b.get(p) != Some(&b')') {
                    return false;
                }
                p += 1;
            }
        } else if let Some(n) = literal(b, p) {
            p += n;
        } else {
            return false;
        }
        skip(&mut p);
        match b.get(p) {
            None | Some(b'"' | b'\'' | b'>') => return true,
            Some(b'&') => return next_param(b, p + 1),
            Some(b';') => p += 1,
            _ => return false,
        }
    }
    false
}

/// Whether `b[p..]` starts the next parameter of a query string (`name=`, not `name==` or
/// `name=>`): the URI was a parameter value, and as script `void(0)&name=…` assigns to an
/// expression, an early syntax error that runs nothing.
fn next_param(b: &[u8], p: usize) -> bool {
    let name = b[p.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'[' | b']'))
        .count();
    name > 0 && b.get(p + name) == Some(&b'=') && !matches!(b.get(p + name + 1), Some(b'=' | b'>'))
}

/// Length of a JavaScript literal with no effect at `p`: a number (digits and dots: version
/// strings such as `2.8.5` too), `null`, `undefined`, `true`, `false`, `''` or `""`.
fn literal(b: &[u8], p: usize) -> Option<usize> {
    let digits = b[p.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .count();
    if digits > 0 && b.get(p).is_some_and(u8::is_ascii_digit) {
        return Some(digits);
    }
    if b.get(p..p + 2).is_some_and(|q| q == b"''" || q == b"\"\"") {
        return Some(2);
    }
    [&b"null"[..], b"undefined", b"true", b"false"]
        .iter()
        .find(|w| {
            starts_ci(b, p, w)
                && !b
                    .get(p + w.len())
                    .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .map(|w| w.len())
}

/// Media types of `data:` URIs that a browser renders as a document or runs as script.
const ACTIVE_DATA: &[&[u8]] = &[
    b"text/html",
    b"text/xml",
    b"application/xhtml",
    b"application/xml",
    b"image/svg",
    b"text/javascript",
    b"application/javascript",
    b"application/x-javascript",
    b"text/ecmascript",
    b"text/vbscript",
];

/// Scan `b` for script URIs: Strong `"js_uri"` / `"data_uri"`, Weak `"js_scheme"` for a
/// script scheme followed by prose. Anchored on colons (`:`, or `&` starting `&colon;`), each
/// matched backwards against the scheme names.
pub(super) fn scan(b: &[u8]) -> Structure {
    let mut best = Structure::NONE;
    let refs = memchr::memchr(b'&', b).is_some();
    for at in memchr::memchr2_iter(b':', b'&', b) {
        let n = colon(b, at);
        if n == 0 {
            continue;
        }
        let after = at + n;
        if [&b"javascript"[..], b"vbscript", b"livescript"]
            .iter()
            .any(|w| scheme_before(b, at, w, refs))
        {
            if noop_tail(b, after) {
                continue;
            }
            if code_tail(b, after) {
                return Structure::new(Strength::Strong, "js_uri");
            }
            best = Structure::new(Strength::Weak, "js_scheme");
        } else if scheme_before(b, at, b"data", refs) {
            let p = skip_ws_ctrl(b, after, b.len());
            // An SVG image that only draws (`data:image/svg+xml,%3Csvg …/%3E`, a placeholder
            // or an icon) runs nothing, even as a document (`svg.rs`).
            if ACTIVE_DATA.iter().any(|t| starts_ci(b, p, t))
                && !(starts_ci(b, p, b"image/svg")
                    && svg::inert_data_uri(b, at.saturating_sub(4), p))
            {
                return Structure::new(Strength::Strong, "data_uri");
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Strength {
        scan(v.as_bytes()).strength
    }

    #[test]
    fn script_uris() {
        assert_eq!(s("javascript:alert(1)"), Strength::Strong);
        assert_eq!(s("  JaVaScRiPt:alert(1)"), Strength::Strong);
        assert_eq!(s("java\tscript:alert(1)"), Strength::Strong);
        assert_eq!(s("jav&#x09;ascript:alert(1)"), Strength::Strong);
        assert_eq!(s("javascript&colon;alert(1)"), Strength::Strong);
        assert_eq!(s("vbscript:msgbox(1)"), Strength::Strong);
        assert_eq!(s("javascript://%0aalert(1)"), Strength::Strong);
        assert_eq!(s("data:text/html;base64,PHNjcmlwdD4="), Strength::Strong);
        assert_eq!(s("data: TEXT/HTML,<x>"), Strength::Strong);
        assert_eq!(s("java&#x09script:alert(1)"), Strength::Strong);
        assert_eq!(s("javascript\t&NewLine;:alert(1)"), Strength::Strong);
        assert_eq!(s("feed:javascript:alert(1)"), Strength::Strong);
        // No-op URIs with anything more are code again.
        assert_eq!(s("javascript:void(0);alert(1)"), Strength::Strong);
        assert_eq!(s("javascript:void(alert(1))"), Strength::Strong);
        assert_eq!(s("javascript:;alert(1)"), Strength::Strong);
        assert_eq!(s("javascript:0;document.cookie"), Strength::Strong);
        assert_eq!(s("javascript:void(0)//\nalert(1)"), Strength::Strong);
        assert_eq!(s("javascript:null,alert(1)"), Strength::Strong);
        assert_eq!(
            s("javascript:void(0);javascript:alert(1)"),
            Strength::Strong
        );
        assert_eq!(s("javascript://%0aalert(1)"), Strength::Strong);
        assert_eq!(s("javascript:void(0);;;;;;alert(1)"), Strength::Strong);
        assert_eq!(s("javascript:void(0)&alert(1)"), Strength::Strong);
        assert_eq!(s("javascript:void(0)&a==alert(1)"), Strength::Strong);
    }

    #[test]
    fn no_op_uris() {
        for v in [
            "javascript:;",
            "javascript:",
            "javascript:void(0)",
            "javascript:void(0);",
            "JavaScript: void(0)",
            "javascript:void 0",
            "javascript:void(null);",
            "javascript:void( 0 )",
            "javascript:undefined",
            "javascript:0",
            "javascript:2.8.5",
            "javascript:false;",
            "javascript:''",
            "{\"c_url\":\"javascript:;\"}",
            "<a href=\"javascript:void(0)\">menu</a>",
            "<a href='javascript:;'>",
            "javascript:void(0);void(0)",
            "en=click&ep.link_url=javascript:void(0)&ep.link_domain=&ep.outbound=true",
        ] {
            assert_eq!(s(v), Strength::None, "{v}");
        }
    }

    #[test]
    fn prose() {
        assert_eq!(s("JavaScript: the good parts"), Strength::Weak);
        assert_eq!(s("javascript tutorial"), Strength::None);
        assert_eq!(s("myjavascript:alert(1)"), Strength::None);
        assert_eq!(s("data: 5 rows"), Strength::None);
        assert_eq!(s("https://example.com/?q=javascript"), Strength::None);
        assert_eq!(s("&&&: ::"), Strength::None);
        assert_eq!(s(":javascript"), Strength::None);
    }

    #[test]
    fn references() {
        assert_eq!(numeric_ref(b"&#0000058;", 0), Some((58, 10)));
        assert_eq!(numeric_ref(b"&#x3A", 0), Some((58, 5)));
        assert_eq!(numeric_ref(b"&#;", 0), None);
        assert_eq!(
            numeric_ref(b"&#99999999999999", 0).map(|r| r.0),
            Some(u32::MAX)
        );
    }
}
