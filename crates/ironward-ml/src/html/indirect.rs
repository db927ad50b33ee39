//! Sink functions reached without calling them by name: the script-context shapes filters
//! that look for `alert(` miss.
//!
//! - A parenthesised sink called (`(alert)(1)`, `(0,alert)(1)`, the comma operator's indirect
//!   call): Weak, like a lone `alert(1)`; Strong after a statement boundary.
//! - A sink passed as a callback to a call (`[1].find(alert)`, `setTimeout(alert, 0)`,
//!   `x.map(confirm)`): Weak.
//! - A sink assigned to a name that is then called (`a=alert,a(1)`, `x = prompt; x(1)`):
//!   Strong — nothing but filter evasion takes that shape.
//! - A call whose name spells a sink with JavaScript escapes (`al\u0065rt(1)`,
//!   `\u{61}lert(1)`): Strong — escaping letters of an identifier is only ever obfuscation.
//!
//! Checked at each `(` the script scanner visits, with bounded work around it: linear time,
//! no allocation.

use super::bytes::{eq_ci, is_ident, is_ws_ctrl};
use super::script::{CALL_SINKS, after_boundary, callee_before};
use crate::{Strength, Structure};

/// Whether `ident` names a function that is a sink by itself.
fn is_call_sink(ident: &[u8]) -> bool {
    !ident.is_empty() && CALL_SINKS.iter().any(|s| eq_ci(ident, s))
}

/// The last byte before `at` that is not whitespace, and its position.
fn prev_byte(b: &[u8], at: usize) -> Option<(u8, usize)> {
    let mut p = at;
    while p > 0 && at - p < 16 && is_ws_ctrl(b[p - 1]) {
        p -= 1;
    }
    (p > 0).then(|| (b[p - 1], p - 1))
}

/// `(alert)(1)`, `(0,alert)(1)`: the `)` at `close` ends a parenthesised sink reference.
/// Returns where the reference's opening `(` or `,` is.
fn parenthesised_sink(b: &[u8], close: usize) -> Option<usize> {
    let (_, end) = prev_byte(b, close).map(|(c, p)| (c, p + 1))?;
    let (callee, start) = callee_before(b, end);
    if !is_call_sink(callee) {
        return None;
    }
    match prev_byte(b, start)? {
        (b'(' | b',', p) => Some(p),
        _ => None,
    }
}

/// `f(alert)`, `x.find(alert, 1)`: the `(` at `open` (of a named call) has a bare sink as its
/// first argument.
fn callback_sink(b: &[u8], open: usize) -> bool {
    let lim = b.len().min(open + 48);
    let mut p = open + 1;
    while p < lim && is_ws_ctrl(b[p]) {
        p += 1;
    }
    let start = p;
    while p < lim && is_ident(b[p]) {
        p += 1;
    }
    let arg = &b[start..p];
    while p < lim && is_ws_ctrl(b[p]) {
        p += 1;
    }
    is_call_sink(arg) && matches!(b.get(p), Some(b')' | b','))
}

/// `a=alert,a(1)`: the name called at `start` was assigned a sink just before.
fn aliased_sink(b: &[u8], callee: &[u8], start: usize) -> bool {
    let Some((b',' | b';', sep)) = prev_byte(b, start) else {
        return false;
    };
    let Some((_, last)) = prev_byte(b, sep) else {
        return false;
    };
    let (sink, sink_start) = callee_before(b, last + 1);
    if !is_call_sink(sink) {
        return false;
    }
    let Some((b'=', eq)) = prev_byte(b, sink_start) else {
        return false;
    };
    if eq > 0 && matches!(b[eq - 1], b'=' | b'!' | b'<' | b'>') {
        return false;
    }
    let Some((_, name_end)) = prev_byte(b, eq) else {
        return false;
    };
    let (name, _) = callee_before(b, name_end + 1);
    name == callee
}

/// The identifier ending at `end`, with JavaScript `\uXXXX` / `\u{X}` escapes decoded into
/// `buf` (lowercase ASCII only); `None` unless it used an escape and fits.
fn escaped_ident<'a>(b: &[u8], end: usize, buf: &'a mut [u8; 16]) -> Option<&'a [u8]> {
    // Find the start: identifier bytes, `\`, `{`, `}` (at most 64 bytes back).
    let mut start = end;
    while start > 0
        && end - start < 64
        && (is_ident(b[start - 1]) || matches!(b[start - 1], b'\\' | b'{' | b'}'))
    {
        start -= 1;
    }
    let (mut p, mut n, mut escaped) = (start, 0, false);
    while p < end {
        let c = if b[p] == b'\\' && b.get(p + 1) == Some(&b'u') {
            let (digits, next) = if b.get(p + 2) == Some(&b'{') {
                let close = p + 3 + b.get(p + 3..end)?.iter().position(|&c| c == b'}')?;
                (b.get(p + 3..close)?, close + 1)
            } else {
                (b.get(p + 2..p + 6)?, p + 6)
            };
            let text = core::str::from_utf8(digits).ok()?;
            let code = u32::from_str_radix(text, 16).ok()?;
            escaped = true;
            p = next;
            u8::try_from(code).ok().filter(|c| is_ident(*c))?
        } else if is_ident(b[p]) {
            p += 1;
            b[p - 1]
        } else {
            // A `\` or brace that is no escape: start again after it.
            p += 1;
            n = 0;
            escaped = false;
            continue;
        };
        *buf.get_mut(n)? = c.to_ascii_lowercase();
        n += 1;
    }
    if escaped { buf.get(..n) } else { None }
}

/// The indirect sink call whose `(` is at `i` (see the module documentation), if any; the
/// script scanner calls this at each `(` it visits.
pub(super) fn at(b: &[u8], i: usize) -> Structure {
    let mut best = Structure::NONE;
    if i > 0
        && b[i - 1] == b')'
        && let Some(at) = parenthesised_sink(b, i - 1)
    {
        if after_boundary(b, at) {
            return Structure::new(Strength::Strong, "js_sink");
        }
        best = Structure::new(Strength::Weak, "js_sink");
    }
    let (callee, start) = callee_before(b, i);
    if !callee.is_empty() {
        if callback_sink(b, i) {
            best = Structure::new(Strength::Weak, "js_sink");
        }
        if aliased_sink(b, callee, start) {
            return Structure::new(Strength::Strong, "js_sink");
        }
    }
    if start > 0 && matches!(b[start - 1], b'\\' | b'}') {
        let mut buf = [0u8; 16];
        if escaped_ident(b, i, &mut buf).is_some_and(is_call_sink) {
            return Structure::new(Strength::Strong, "escaped_sink");
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::at;
    use crate::Strength::{self, None as N, Strong as S, Weak as W};
    use crate::Structure;

    /// The strongest finding over every `(` of `b`, first Strong wins.
    fn scan(b: &[u8]) -> Structure {
        let mut best = Structure::NONE;
        for i in memchr::memchr_iter(b'(', b) {
            let f = at(b, i);
            if f.strength == Strength::Strong {
                return f;
            }
            best = best.max(f);
        }
        best
    }

    const CASES: &[(&str, Strength)] = &[
        ("(alert)(1)", W),
        ("(0,alert)(1)", W),
        ("( confirm )(1)", W),
        ("x;(alert)(document.domain)", S),
        ("[1].find(alert)", W),
        ("setTimeout(alert, 0)", W),
        ("x.map(prompt)", W),
        ("a=alert,a(1)", S),
        ("x = prompt; x(1)", S),
        ("al\\u0065rt(1)", S),
        ("\\u0061lert(1)", S),
        ("\\u{61}lert(1)", S),
        ("pr\\u006fmpt(1)", S),
        // Benign look-alikes.
        ("(see alert) (1 of 3)", N),
        ("Status: (alert)", N),
        ("alert", N),
        ("a == alert, a(1)", N),
        ("a=alert, b(1)", N),
        ("x.map(toString)", N),
        ("find(alerts)", N),
        ("C:\\users\\alert(1)", N),
        ("\\u0041BC(1)", N),
        ("printf(\"\\u0065\")", N),
        ("(1)(2)", N),
        ("f(x)(y)", N),
    ];

    #[test]
    fn table() {
        for (v, want) in CASES {
            assert_eq!(scan(v.as_bytes()).strength, *want, "{v}");
        }
    }

    #[test]
    fn long_escapes_finish() {
        let v = "\\u0061".repeat(100_000) + "(1)";
        assert_eq!(scan(v.as_bytes()).strength, N);
        let v = "(alert)".repeat(50_000) + "(1)";
        assert_eq!(scan(v.as_bytes()).strength, S);
    }
}
