//! The CSS context: style that runs code. Old Internet Explorer evaluated `expression(…)`
//! and `behavior: url(…)` (HTC files); old Firefox ran `-moz-binding` (XBL). A property
//! value naming one of them, or `url(` of a script URI written with CSS escapes, is Strong;
//! `expression(` alone is common English ("regular expression(s)"), so it counts only as a
//! property value (after `:`) whose argument reads as code (`alert(1)`, `document.cookie`). The value is read as IE read it: comments and whitespace
//! dropped, CSS escapes decoded (`expr/**/ession(`, `expressio\6e(`, `expression\28`), in a
//! small fixed buffer.

use super::bytes::{eq_ci, is_ws_ctrl, skip_ws_ctrl};
use super::uri;
use crate::{Strength, Structure};

/// Whether a `style` attribute value runs code.
pub(super) fn is_active(value: &[u8]) -> bool {
    scan(value).strength == Strength::Strong || uri::scan(value).strength == Strength::Strong
}

/// How far after a `:` a property value is normalised.
const WINDOW: usize = 96;

/// The start of the property value after the `:` at `colon`, as a browser reads it: comments
/// and whitespace dropped, CSS escapes (`\6e`, `\28`, `\(`) decoded, ASCII lowercased.
/// Writes at most `out.len()` bytes and returns how many.
fn normalised_value(b: &[u8], colon: usize, out: &mut [u8]) -> usize {
    let lim = b.len().min(colon + 1 + WINDOW);
    let mut p = colon + 1;
    let mut n = 0;
    while p < lim && n < out.len() {
        let c = b[p];
        if is_ws_ctrl(c) {
            p += 1;
        } else if c == b'/' && b.get(p + 1) == Some(&b'*') {
            // The `*` may lie just past the window: then the comment is not closed within it.
            match b
                .get(p + 2..lim)
                .and_then(|rest| memchr::memmem::find(rest, b"*/"))
            {
                Some(o) => p += 2 + o + 2,
                None => break,
            }
        } else if c == b'\\' {
            let start = p + 1;
            let mut q = start;
            let mut v: u32 = 0;
            while q < lim && q - start < 6 && b[q].is_ascii_hexdigit() {
                v = v * 16 + (b[q] as char).to_digit(16).unwrap_or(0);
                q += 1;
            }
            if q > start {
                out[n] = u8::try_from(v).ok().filter(u8::is_ascii).unwrap_or(0);
                p = if q < lim && is_ws_ctrl(b[q]) {
                    q + 1
                } else {
                    q
                };
            } else if start < lim {
                out[n] = b[start];
                p = start + 1;
            } else {
                break;
            }
            out[n] = out[n].to_ascii_lowercase();
            n += 1;
        } else {
            out[n] = c.to_ascii_lowercase();
            n += 1;
            p += 1;
        }
    }
    n
}

/// Whether the property name before the `:` at `colon` is one that loads code
/// (`behavior`, `-moz-binding`).
fn code_property(b: &[u8], colon: usize) -> bool {
    let mut p = colon;
    while p > 0 && is_ws_ctrl(b[p - 1]) {
        p -= 1;
    }
    let head = &b[..p];
    [&b"behavior"[..], b"behaviour", b"binding"]
        .iter()
        .any(|name| head.len() >= name.len() && eq_ci(&head[head.len() - name.len()..], name))
}

/// Whether a normalised `url(` argument is a script URI (`url('javascript:…`), as written
/// with CSS escapes (plain ones are found by the URI scanner).
fn script_url(arg: &[u8]) -> bool {
    let arg = arg
        .strip_prefix(b"'")
        .or_else(|| arg.strip_prefix(b"\""))
        .unwrap_or(arg);
    arg.starts_with(b"javascript:") || arg.starts_with(b"vbscript:")
}

/// Scan `b` for CSS that runs code: Strong `"css_expression"`.
pub(super) fn scan(b: &[u8]) -> Structure {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b':', &b[i..]) {
        let colon = i + off;
        i = colon + 1;
        // Quick reject: a code-running value starts with `e`xpression or `u`rl (a comment or
        // an escape may come first).
        let first = skip_ws_ctrl(b, colon + 1, b.len());
        let plausible = match b.get(first) {
            Some(b'/') => b.get(first + 1) == Some(&b'*'),
            Some(c) => matches!(c.to_ascii_lowercase(), b'e' | b'u' | b'\\'),
            None => false,
        };
        if !plausible {
            continue;
        }
        let mut buf = [0u8; 24];
        let n = normalised_value(b, colon, &mut buf);
        let value = &buf[..n];
        // The argument of `expression(` must read as code (`alert(1)`, `document.cookie`),
        // not prose ("Note: expression(s) are…").
        let expression = value.strip_prefix(b"expression(").is_some_and(|arg| {
            arg.iter()
                .any(|c| matches!(c, b'(' | b'.' | b'=' | b'[' | b'`' | b':'))
        });
        if expression
            || (value.starts_with(b"url(") && (code_property(b, colon) || script_url(&value[4..])))
        {
            return Structure::new(Strength::Strong, "css_expression");
        }
    }
    Structure::NONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_css() {
        for v in [
            "width:expression(alert(1))",
            "x: /* c */ EXPRESSION(alert(1))",
            "behavior: url(x.htc)",
            "-moz-binding:url(http://x/#xss)",
            ":expr/**/ession(alert(1))",
            "xss:ex/*XSS*//*/*/pression(alert(1))",
            "xss:expressio\\6e(alert(1))",
            "xss:expressio\\00006e (alert(1))",
            "x:expression\\28 alert(1))",
            "behaviour: url('x.html')",
            "background:\\75\\72\\6c\\28'\\6a\\61vascript:alert(1)')",
        ] {
            assert_eq!(scan(v.as_bytes()).strength, Strength::Strong, "{v}");
        }
        assert!(is_active(b"background:url(javascript:alert(1))"));
    }

    #[test]
    fn prose() {
        for v in [
            "a regular expression(s)",
            "expression(",
            "good behavior: yes",
            "a-b",
        ] {
            assert_eq!(scan(v.as_bytes()).strength, Strength::None, "{v}");
        }
    }
}
