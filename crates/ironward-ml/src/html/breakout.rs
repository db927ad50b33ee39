//! The attribute context: the value reflected inside an attribute, quoted or not.
//!
//! A quote that closes the page's attribute value (`"`, `'`, or `` ` `` for old IE), or the
//! whitespace that ends an unquoted one, lets the value add attributes of its own. Each `=`
//! of the value is read as an attribute (the name before it, the value after it, as in
//! [`super::attrs`]): an event handler whose value looks like code
//! (`" onmouseover="alert(1)`, `' autofocus onfocus=alert(1) x='`, `x onerror=alert(1)`), a
//! known handler right after a quote (`" onload=x`) or after `name=value` attributes that follow
//! one (`" type=image src=null onerror=KCF`), or a `style` that runs code is Strong.
//! A quote followed by `>` (closing the tag) is Weak: what follows is plain text, judged by
//! the tag scanner. Work per `=` is bounded, so the scan is linear.

use super::attrs::{self, Attr};
use super::bytes::{eq_ci, is_quote, is_ws_ctrl, skip_ws_ctrl};
use super::{css, names};
use crate::{Strength, Structure};

/// How far past an `=` its value is read.
const WINDOW: usize = 256;
/// Longest attribute name read backwards from an `=`.
const MAX_NAME: usize = 32;

/// Whether an attribute value reads as code rather than a word or number.
fn code_like(value: &[u8]) -> bool {
    value
        .iter()
        .any(|&c| matches!(c, b'(' | b'`' | b'=' | b';' | b'[' | b'\\'))
}

/// What comes before an attribute name: how it could have become an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// A quote: it closed the page's quoted value.
    Quote,
    /// Whitespace or `/`: it ended an unquoted value (or separates attributes).
    Separator,
    /// Nothing: the name starts the value (only an attribute-name context makes it one).
    Start,
    /// `=`, `>` or `<`: the name is inside a value or text, not an attribute.
    Other,
}

/// Whether an attribute added by the value makes it Strong.
fn active(a: &Attr<'_>, before: Before) -> bool {
    let Some(value) = a.value else {
        return false;
    };
    if names::is_handler_shape(a.name) {
        return match before {
            Before::Quote => code_like(value) || names::is_known_handler(a.name),
            Before::Separator => code_like(value),
            Before::Start => code_like(value) && names::is_known_handler(a.name),
            Before::Other => false,
        };
    }
    before != Before::Other && eq_ci(a.name, b"style") && css::is_active(value)
}

/// The attribute assigned by the `=` at `eq`, read as the browser's attribute states would
/// read it: the name before it (whitespace allowed), the value after it (quoted or not), and
/// what precedes the name, and where the name starts. `None` when the name can be neither a
/// handler nor `style`
/// (checked before the value is read, so most `=` cost a few byte comparisons).
fn attr_at(b: &[u8], eq: usize) -> Option<(Attr<'_>, Before, usize)> {
    let mut p = eq;
    while p > 0 && is_ws_ctrl(b[p - 1]) && eq - p < 8 {
        p -= 1;
    }
    let end = p;
    while p > 0 && !attrs::name_end(b[p - 1]) && end - p < MAX_NAME {
        p -= 1;
    }
    let name = &b[p..end];
    if !(names::is_handler_shape(name) || eq_ci(name, b"style")) {
        return None;
    }
    let mut q = p;
    while q > 0 && (is_ws_ctrl(b[q - 1]) || b[q - 1] == b'/') && p - q < 8 {
        q -= 1;
    }
    let before = match q.checked_sub(1).map(|i| b[i]) {
        Some(c) if is_quote(c) => Before::Quote,
        _ if q < p => Before::Separator,
        None => Before::Start,
        Some(_) => Before::Other,
    };
    let lim = b.len().min(eq + 1 + WINDOW);
    let v = skip_ws_ctrl(b, eq + 1, lim);
    let value = if v < lim && matches!(b[v], b'"' | b'\'') {
        let close = memchr::memchr(b[v], &b[v + 1..lim]).map_or(lim, |o| v + 1 + o);
        &b[v + 1..close]
    } else {
        let mut e = v;
        while e < lim && !is_ws_ctrl(b[e]) && b[e] != b'>' {
            e += 1;
        }
        &b[v..e]
    };
    let attr = Attr {
        name,
        value: Some(value),
    };
    Some((attr, before, p))
}

/// Whether `b` adds an active attribute anywhere: an event handler whose value is code, a
/// known handler right after a quote (or after attributes that follow one), a `style` running
/// code. Also used on attribute values (`<img src='x onerror="alert(1)">'>` breaks out of a
/// page quoting with the other quote).
pub(super) fn value_has_handler(b: &[u8]) -> bool {
    memchr::memchr_iter(b'=', b).any(|eq| {
        attr_at(b, eq).is_some_and(|(a, before, at)| {
            active(&a, before)
                || (before == Before::Separator
                    && names::is_known_handler(a.name)
                    && after_quote_attributes(b, at))
        })
    })
}

/// Whether the text before `name_at` is a quote that closed the page's value followed only by
/// attributes with values (`" type=image src=null ` before `onerror=x`): the value broke out
/// and wrote a tag's worth of attributes, the last one a handler.
fn after_quote_attributes(b: &[u8], name_at: usize) -> bool {
    let floor = name_at.saturating_sub(WINDOW);
    let Some(q) = (floor..name_at).rev().find(|&i| is_quote(b[i])) else {
        return false;
    };
    if !b.get(q + 1).is_some_and(|c| is_ws_ctrl(*c)) {
        return false;
    }
    // Strictly `name=value` pairs, separated by whitespace, up to the handler's name.
    let mut p = q + 1;
    let mut pairs = 0;
    loop {
        p = skip_ws_ctrl(b, p, name_at);
        if p >= name_at {
            return pairs > 0;
        }
        let start = p;
        while p < name_at && (b[p].is_ascii_alphanumeric() || matches!(b[p], b'-' | b':')) {
            p += 1;
        }
        if p == start || b.get(p) != Some(&b'=') {
            return false;
        }
        p += 1;
        let value = p;
        while p < name_at && !is_ws_ctrl(b[p]) && !is_quote(b[p]) && !matches!(b[p], b'<' | b'>') {
            p += 1;
        }
        if p == value || (p < name_at && !is_ws_ctrl(b[p])) {
            return false;
        }
        pairs += 1;
    }
}

/// Scan `b` as attribute text (quoted or unquoted).
pub(super) fn scan(b: &[u8]) -> Structure {
    if value_has_handler(b) {
        return Structure::new(Strength::Strong, "attribute_breakout");
    }
    for q in memchr::memchr3_iter(b'"', b'\'', b'`', b) {
        if b.get(skip_ws_ctrl(b, q + 1, b.len())) == Some(&b'>') {
            return Structure::new(Strength::Weak, "attribute_close");
        }
    }
    Structure::NONE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Strength {
        scan(v.as_bytes()).strength
    }

    #[test]
    fn breakouts() {
        for v in [
            "\" onmouseover=\"alert(1)",
            "' autofocus onfocus=alert(1) x='",
            "'onmouseover='alert(1)'a='",
            "x onerror=alert(1)",
            "onmouseover=alert(1);",
            " onfocus=alert(1) autofocus",
            "\" onload=KCF \"",
            "\" style=\"width:expression(alert(1))",
            "?#?gad=xxxx\"onload=\"alert(1)\"",
            "title=\"x onclick=alert(1)\"",
            "\" type=image src=null onerror=KCF \"",
            "' src=x width=1 onload=probe x='",
        ] {
            assert_eq!(s(v), Strength::Strong, "{v}");
        }
    }

    #[test]
    fn prose() {
        assert_eq!(s("\">"), Strength::Weak);
        assert_eq!(s("x' >"), Strength::Weak);
        for v in [
            "onion=3",
            "I'm on=call",
            "?display=on&online=1",
            "money=onerous",
            "onewsaction=linkid=-1 union select 1,concat(a,b)",
            "x=onerror=alert(1)",
            "x>onerror=alert(1)",
            "\"x\" onion=3",
            "O'Brien",
            "a = b",
            "He said \"hi\" then onload=5",
            "\"x\" a=1 b onerror=2",
        ] {
            assert_eq!(s(v), Strength::None, "{v}");
        }
    }
}
