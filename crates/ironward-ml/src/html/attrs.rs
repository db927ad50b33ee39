//! A lenient attribute lexer, shared by the tag scanner (attributes after a tag name) and
//! the attribute break-out scanner (attributes after a quote that closes a value).
//!
//! It follows the browser's attribute states — name, optional `=`, a quoted or unquoted
//! value quoted with `"` or `'` — but is more forgiving where attacks rely on browser quirks or on the surrounding
//! page: `/`, quotes and control characters separate attributes (`<img/src=x`, `<a"onclick=`,
//! `onerror\0=`). It never looks past `lim`, and every step advances, so a call is linear in
//! the bytes it covers.

use super::bytes::{is_quote, is_ws_ctrl, skip_ws_ctrl};

/// One attribute seen by the lexer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Attr<'a> {
    /// The attribute name as written.
    pub(super) name: &'a [u8],
    /// The value (without its quotes), or `None` for a bare attribute.
    pub(super) value: Option<&'a [u8]>,
}

/// Where lexing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct End {
    /// Index of the first byte not consumed.
    pub(super) pos: usize,
    /// Whether a `>` closed the attribute list (consumed).
    pub(super) closed: bool,
}

/// Ends an attribute name.
#[inline]
pub(super) fn name_end(c: u8) -> bool {
    is_ws_ctrl(c) || is_quote(c) || matches!(c, b'/' | b'>' | b'=' | b'<')
}

/// Lex attributes in `b[p..lim)`, calling `visit` on each until it returns `true` (then stop
/// right after that attribute). Stops at `>` (consumed), at `<` (even inside a value), or at
/// `lim`.
pub(super) fn lex(
    b: &[u8],
    mut p: usize,
    lim: usize,
    mut visit: impl FnMut(Attr<'_>) -> bool,
) -> End {
    loop {
        while p < lim && (is_ws_ctrl(b[p]) || is_quote(b[p]) || b[p] == b'/') {
            p += 1;
        }
        if p >= lim {
            return End {
                pos: lim,
                closed: false,
            };
        }
        match b[p] {
            b'>' => {
                return End {
                    pos: p + 1,
                    closed: true,
                };
            }
            b'<' => {
                return End {
                    pos: p,
                    closed: false,
                };
            }
            b'=' => {
                // A stray `=` (`<a =x>`): the browser starts a name with it; skip it.
                p += 1;
                continue;
            }
            _ => {}
        }
        let start = p;
        while p < lim && !name_end(b[p]) {
            p += 1;
        }
        let name = &b[start..p];
        let q = skip_ws_ctrl(b, p, lim);
        let mut value = None;
        if q < lim && b[q] == b'=' {
            let v = skip_ws_ctrl(b, q + 1, lim);
            // Only `"` and `'` quote a value (a backtick did in old IE only): `` src=` onerror=x ``
            // is an unquoted value followed by a handler, as current browsers parse it.
            if v < lim && matches!(b[v], b'"' | b'\'') {
                // A `<` ends the value too: a new tag is looked at on its own.
                let stop = memchr::memchr2(b[v], b'<', &b[v + 1..lim]).map_or(lim, |o| v + 1 + o);
                value = Some(&b[v + 1..stop]);
                p = if stop < lim && b[stop] == b[v] {
                    stop + 1
                } else {
                    stop
                };
            } else {
                let mut e = v;
                while e < lim && !is_ws_ctrl(b[e]) && !matches!(b[e], b'>' | b'<') {
                    e += 1;
                }
                value = Some(&b[v..e]);
                p = e;
            }
        }
        let stop = visit(Attr { name, value });
        if stop {
            return End {
                pos: p,
                closed: false,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(v: &str) -> (Vec<(String, Option<String>)>, End) {
        let b = v.as_bytes();
        let mut out = Vec::new();
        let end = lex(b, 0, b.len(), |a| {
            out.push((
                String::from_utf8_lossy(a.name).into_owned(),
                a.value.map(|v| String::from_utf8_lossy(v).into_owned()),
            ));
            false
        });
        (out, end)
    }

    #[test]
    fn attributes() {
        let (a, end) = collect(r#" src=x onerror = "alert(1)" hidden>tail"#);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0], ("src".into(), Some("x".into())));
        assert_eq!(a[1], ("onerror".into(), Some("alert(1)".into())));
        assert_eq!(a[2], ("hidden".into(), None));
        assert_eq!(
            end,
            End {
                pos: 35,
                closed: true
            }
        );
    }

    #[test]
    fn quirks() {
        let (a, _) = collect("/src=\"x\"/onload=alert(1)");
        assert_eq!(a[1].0, "onload");
        let (a, _) = collect("\"onmouseover=\"alert(1)");
        assert_eq!(a[0], ("onmouseover".into(), Some("alert(1)".into())));
        let (a, _) = collect("onerror\0=x");
        assert_eq!(a[0].1.as_deref(), Some("x"));
        let (a, end) = collect("a='unterminated");
        assert_eq!(a[0].1.as_deref(), Some("unterminated"));
        assert_eq!(end.pos, 15);
        let (a, end) = collect("x <b>");
        assert_eq!((a.len(), end.pos), (1, 2));
        let (a, _) = collect("==");
        assert!(a.is_empty());
    }
}
