//! The delimited tokens: string literals (with their prefixes and escapes), quoted names,
//! dollar-quoted strings and placeholders, comments. Each is scanned once with `memchr`.

use super::{Kind, Lexed, Lexer, Prev, Tok, Unterminated, VALUE, tok};
use crate::sink::Dialect;
use memchr::memmem;

impl Lexer<'_> {
    /// A literal delimited by `quote` from the quote at `open`: doubled quotes, and with
    /// `backslash` a backslash escaping the next byte. The body is between the quotes.
    pub(super) fn quoted(
        &mut self,
        start: usize,
        open: usize,
        quote: u8,
        backslash: bool,
    ) -> Lexed {
        let mut i = open + 1;
        loop {
            let rel = if backslash {
                memchr::memchr2(quote, b'\\', self.b.get(i..).unwrap_or_default())
            } else {
                memchr::memchr(quote, self.b.get(i..).unwrap_or_default())
            };
            let Some(rel) = rel else {
                return Err(Unterminated);
            };
            i += rel;
            if self.at(i) == Some(b'\\') && backslash {
                i += 2;
                continue;
            }
            if self.at(i + 1) == Some(quote) {
                i += 2;
                continue;
            }
            break;
        }
        let end = i + 1;
        self.prev = Prev::Other;
        Ok(Tok {
            start,
            end,
            body_start: open + 1,
            body_end: i,
            kind: VALUE,
        })
    }

    /// A quoted name from the quote at `start` up to `close` (doubled to escape it).
    pub(super) fn quoted_name(&mut self, start: usize, close: u8) -> Lexed {
        let mut t = self.quoted(start, start, close, false)?;
        if close != self.b.get(start).copied().unwrap_or(close) {
            // `[…]`: the scan above looked for `]` from the byte after `[`.
            t.body_start = start + 1;
        }
        self.prev = Prev::Word;
        Ok(t)
    }

    /// A string after a one-letter (or `U&`) prefix: `X'…'`, `E'…'`, `N'…'`…
    pub(super) fn prefixed(&mut self, start: usize, open: usize, backslash: bool) -> Lexed {
        let quote = self.at(open).unwrap_or(b'\'');
        self.quoted(start, open, quote, backslash)
    }

    /// The end of a `'…'` literal's body from `i`, with `escape` checking each backslash
    /// escape (given the byte after the backslash, returning where the escape ends).
    pub(super) fn checked_body(
        &self,
        mut i: usize,
        escape: impl Fn(&Self, usize) -> Result<usize, Unterminated>,
    ) -> Result<usize, Unterminated> {
        loop {
            let rest = self.b.get(i..).unwrap_or_default();
            i += memchr::memchr2(b'\'', b'\\', rest).ok_or(Unterminated)?;
            if self.at(i) == Some(b'\\') {
                i = escape(self, i + 1)?;
            } else if self.at(i + 1) == Some(b'\'') {
                i += 2;
            } else {
                return Ok(i);
            }
        }
    }

    pub(super) fn string_tok(&mut self, start: usize, open: usize, close: usize) -> Lexed {
        self.prev = Prev::Other;
        Ok(Tok {
            start,
            end: close + 1,
            body_start: open + 1,
            body_end: close,
            kind: VALUE,
        })
    }

    /// `E'…'`: backslash escapes, read as `sqlparser` reads them: an escape that does not
    /// decode (a NUL, a bad `\u`, a byte above 127) fails the query.
    pub(super) fn escape_string(&mut self, start: usize) -> Lexed {
        let close = self.checked_body(start + 2, |lx, i| {
            let (c, n) = lx.ch(i).ok_or(Unterminated)?;
            let after = i + n;
            let decoded = |text: Option<&str>, radix: u32, ascii: bool| {
                let v = u32::from_str_radix(text.ok_or(Unterminated)?, radix)
                    .map_err(|_| Unterminated)?;
                let v = if ascii { v & 0xFF } else { v };
                match char::from_u32(v) {
                    Some(c) if c != '\0' && (!ascii || v <= 127) => Ok(()),
                    _ => Err(Unterminated),
                }
            };
            match c {
                'u' | 'U' => {
                    let want = if c == 'u' { 4 } else { 8 };
                    let mut end = after;
                    for _ in 0..want {
                        end += lx.ch(end).ok_or(Unterminated)?.1;
                    }
                    decoded(lx.q.get(after..end), 16, false)?;
                    Ok(end)
                }
                'x' => {
                    let mut end = after;
                    while end < after + 2 && lx.at(end).is_some_and(|b| b.is_ascii_hexdigit()) {
                        end += 1;
                    }
                    if end > after {
                        decoded(lx.q.get(after..end), 16, true)?;
                    }
                    Ok(end)
                }
                '0'..='7' => {
                    let mut end = after;
                    while end < after + 2 && lx.at(end).is_some_and(|b| (b'0'..=b'7').contains(&b))
                    {
                        end += 1;
                    }
                    decoded(lx.q.get(i..end), 8, true)?;
                    Ok(end)
                }
                '\0' => Err(Unterminated),
                _ => Ok(after),
            }
        })?;
        self.string_tok(start, start + 1, close)
    }

    /// `U&'…'`: `\\`, `\XXXX` and `\+XXXXXX` escapes, each required to decode.
    pub(super) fn unicode_string(&mut self, start: usize) -> Lexed {
        let close = self.checked_body(start + 3, |lx, i| {
            let (digits, from) = match lx.at(i) {
                Some(b'\\') => return Ok(i + 1),
                Some(b'+') => (6, i + 1),
                _ => (4, i),
            };
            let mut v = 0u32;
            let mut end = from;
            for _ in 0..digits {
                let (c, n) = lx.ch(end).ok_or(Unterminated)?;
                v = v * 16 + c.to_digit(16).ok_or(Unterminated)?;
                end += n;
            }
            char::from_u32(v).map(|_| end).ok_or(Unterminated)
        })?;
        self.string_tok(start, start + 2, close)
    }

    /// `R'…'`, `R"…"` and their tripled forms (generic dialect).
    pub(super) fn raw(&mut self, start: usize, open: usize, quote: u8) -> Lexed {
        if self.at(open + 1) == Some(quote) && self.at(open + 2) == Some(quote) {
            let from = open + 3;
            let triple = [quote; 3];
            let rel = memmem::find(self.b.get(from..).unwrap_or_default(), &triple)
                .ok_or(Unterminated)?;
            self.prev = Prev::Other;
            return Ok(Tok {
                start,
                end: from + rel + 3,
                body_start: from,
                body_end: from + rel,
                kind: VALUE,
            });
        }
        self.quoted(start, open, quote, false)
    }

    /// Oracle-style `Q'<…>'` (generic dialect): a value with an empty body.
    pub(super) fn quote_delimited(&mut self, start: usize, open: usize) -> Lexed {
        let (c, n) = self.ch(open + 1).ok_or(Unterminated)?;
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            return Err(Unterminated);
        }
        let close = match c {
            '[' => ']',
            '{' => '}',
            '<' => '>',
            '(' => ')',
            c => c,
        };
        let mut i = open + 1 + n;
        loop {
            let (c, n) = self.ch(i).ok_or(Unterminated)?;
            i += n;
            if c == close && self.at(i) == Some(b'\'') {
                break;
            }
        }
        self.prev = Prev::Other;
        Ok(Tok {
            start,
            end: i + 1,
            body_start: start,
            body_end: start,
            kind: VALUE,
        })
    }

    pub(super) fn comment_line(&mut self, start: usize, prefix: usize) -> Lexed {
        let from = start + prefix;
        let rest = self.b.get(from..).unwrap_or_default();
        let stop = if self.d == Dialect::Postgres {
            memchr::memchr2(b'\n', b'\r', rest)
        } else {
            memchr::memchr(b'\n', rest)
        };
        let end = from + stop.unwrap_or(rest.len());
        self.prev = Prev::Other;
        Ok(Tok {
            start,
            end,
            body_start: from,
            body_end: end,
            kind: Kind::Comment { code: false },
        })
    }

    pub(super) fn comment_block(&mut self, start: usize) -> Lexed {
        let nested = matches!(self.d, Dialect::Postgres | Dialect::Generic);
        let mut depth = 1usize;
        let mut i = start + 2;
        loop {
            let rest = self.b.get(i..).unwrap_or_default();
            let rel = if nested {
                memchr::memchr2(b'*', b'/', rest)
            } else {
                memchr::memchr(b'*', rest)
            }
            .ok_or(Unterminated)?;
            i += rel;
            match (self.at(i), self.at(i + 1)) {
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    i += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                }
                _ => i += 1,
            }
        }
        let text = self.b.get(start..i).unwrap_or_default();
        let code =
            text.starts_with(b"/*!") || (self.d == Dialect::MySql && text.starts_with(b"/*M!"));
        self.prev = Prev::Other;
        Ok(Tok {
            start,
            end: i,
            body_start: start + 2,
            body_end: (i - 2).max(start + 2),
            kind: Kind::Comment { code },
        })
    }

    /// `$…`: a dollar-quoted string, a placeholder (`$1`, `$name`).
    pub(super) fn dollar(&mut self, start: usize) -> Lexed {
        let sqlite = self.d == Dialect::Sqlite;
        if !sqlite && self.at(start + 1) == Some(b'$') {
            let from = start + 2;
            let rel =
                memmem::find(self.b.get(from..).unwrap_or_default(), b"$$").ok_or(Unterminated)?;
            self.prev = Prev::Other;
            return Ok(Tok {
                start,
                end: from + rel + 2,
                body_start: from,
                body_end: from + rel,
                kind: VALUE,
            });
        }
        let mut i = start + 1;
        while let Some((c, n)) = self.ch(i) {
            if c.is_alphanumeric() || c == '_' || (sqlite && c == '$') {
                i += n;
            } else {
                break;
            }
        }
        if !sqlite && self.at(i) == Some(b'$') {
            let delim = self.b.get(start..=i).unwrap_or_default();
            let from = i + 1;
            let rel =
                memmem::find(self.b.get(from..).unwrap_or_default(), delim).ok_or(Unterminated)?;
            self.prev = Prev::Other;
            return Ok(Tok {
                start,
                end: from + rel + delim.len(),
                body_start: from,
                body_end: from + rel,
                kind: VALUE,
            });
        }
        self.prev = Prev::Other;
        Ok(tok(start, i, VALUE))
    }
}
