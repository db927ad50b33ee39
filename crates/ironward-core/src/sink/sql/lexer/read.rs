//! The choice of a token from its first bytes, numbers, and the operators that need a look
//! further ahead (`@…`).

use super::{Kind, Lexed, Lexer, Prev, Unterminated, VALUE, tok};
use crate::sink::Dialect;

impl Lexer<'_> {
    /// Digits from `i` (hex digits with `hex`), with PostgreSQL's and SQLite's `_`
    /// separators between digits.
    pub(super) fn digits(&self, mut i: usize, hex: bool) -> Result<usize, Unterminated> {
        let from = i;
        let is_digit = |b: u8| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        };
        while let Some(b) = self.at(i) {
            if is_digit(b) {
                i += 1;
            } else if b == b'_' && self.underscores() {
                if i == from || !self.at(i + 1).is_some_and(is_digit) {
                    return Err(Unterminated);
                }
                i += 1;
            } else {
                break;
            }
        }
        Ok(i)
    }

    pub(super) fn number(&mut self, start: usize) -> Lexed {
        if self.at(start) == Some(b'.') && self.at(start + 1) == Some(b'_') {
            return if self.prev == Prev::Word {
                self.simple(start, 1, Kind::Period)
            } else {
                Err(Unterminated)
            };
        }
        let mut i = self.digits(start, false)?;
        if i == start + 1 && self.at(start) == Some(b'0') && self.at(i) == Some(b'x') {
            let end = self.digits(i + 1, true)?;
            self.prev = Prev::Other;
            return Ok(tok(start, end, VALUE));
        }
        if self.at(i) == Some(b'.') {
            i += 1;
        }
        if i == start + 1
            && self.at(start) == Some(b'.')
            && self.d == Dialect::MySql
            && self.prev == Prev::Word
        {
            return self.simple(start, 1, Kind::Period);
        }
        let before = i;
        i = self.digits(i, false)?;
        if i == start + 1 && before == i && self.at(start) == Some(b'.') {
            return self.simple(start, 1, Kind::Period);
        }
        // As in `sqlparser`, an `e` after the number, exponent or not, keeps MySQL from
        // reading `1e…` as a name.
        let mut exponent = false;
        if matches!(self.at(i), Some(b'e' | b'E')) {
            exponent = true;
            let mut j = i + 1;
            if matches!(self.at(j), Some(b'+' | b'-')) {
                j += 1;
            }
            match self.at(j) {
                Some(b) if b.is_ascii_digit() || (b == b'_' && self.underscores()) => {
                    i = self.digits(j, false)?;
                }
                _ => {}
            }
        }
        if self.d == Dialect::MySql {
            if !exponent {
                let end = self.ident_run(i);
                if end > i {
                    self.prev = Prev::Word;
                    return Ok(tok(start, end, VALUE));
                }
            } else if self.prev == Prev::Period {
                self.prev = Prev::Word;
                return Ok(tok(start, i, VALUE));
            }
        }
        if self.at(i) == Some(b'L') {
            i += 1;
        }
        self.prev = Prev::Other;
        Ok(tok(start, i, Kind::Value { number: true }))
    }

    pub(super) fn token(&mut self, s: usize) -> Lexed {
        let Some(b0) = self.at(s) else {
            return Err(Unterminated);
        };
        let b1 = self.at(s + 1);
        let b2 = self.at(s + 2);
        let d = self.d;
        let (pg, my, lite, generic) = (
            d == Dialect::Postgres,
            d == Dialect::MySql,
            d == Dialect::Sqlite,
            d == Dialect::Generic,
        );
        match b0 {
            b' ' | b'\t' | b'\n' => self.simple(s, 1, Kind::Space),
            b'\r' => {
                let n = if b1 == Some(b'\n') { 2 } else { 1 };
                self.simple(s, n, Kind::Space)
            }
            b'B' | b'b' if !lite && matches!(b1, Some(b'\'' | b'"')) => {
                self.prefixed(s, s + 1, false)
            }
            b'R' | b'r' if generic && matches!(b1, Some(b'\'' | b'"')) => {
                self.raw(s, s + 1, b1.unwrap_or(b'\''))
            }
            b'N' | b'n' if b1 == Some(b'\'') => self.prefixed(s, s + 1, my),
            b'N' | b'n' if generic && matches!(b1, Some(b'q' | b'Q')) && b2 == Some(b'\'') => {
                self.quote_delimited(s, s + 2)
            }
            b'Q' | b'q' if generic && b1 == Some(b'\'') => self.quote_delimited(s, s + 1),
            b'E' | b'e' if (pg || generic) && b1 == Some(b'\'') => self.escape_string(s),
            b'U' | b'u' if (pg || generic) && b1 == Some(b'&') && b2 == Some(b'\'') => {
                self.unicode_string(s)
            }
            b'X' | b'x' if b1 == Some(b'\'') => self.prefixed(s, s + 1, true),
            b'\'' => self.quoted(s, s, b'\'', my),
            b'"' if my => self.quoted(s, s, b'"', true),
            b'"' => self.quoted_name(s, b'"'),
            b'`' if !pg => self.quoted_name(s, b'`'),
            b'[' if lite => self.quoted_name(s, b']'),
            b'0'..=b'9' | b'.' => self.number(s),
            b'(' | b')' | b',' => self.op(s, 1),
            b'-' => match b1 {
                Some(b'-') => {
                    let comment = !my || self.ch(s + 2).is_some_and(|(c, _)| c.is_whitespace());
                    if comment {
                        self.comment_line(s, 2)
                    } else {
                        self.binop(s, 1, Kind::Sign, false)
                    }
                }
                Some(b'>') if b2 == Some(b'>') => self.binop(s, 3, Kind::Operator, false),
                Some(b'>') => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Sign, false),
            },
            b'/' => match b1 {
                Some(b'*') => self.comment_block(s),
                Some(b'/') if generic => self.op(s, 2),
                _ => self.op(s, 1),
            },
            b'+' => self.simple(s, 1, Kind::Sign),
            b'*' => self.op(s, 1),
            b'%' => match self.ch(s + 1) {
                Some((c, _)) if c.is_whitespace() => self.op(s, 1),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'|' => match b1 {
                Some(b'/') => self.binop(s, 2, Kind::Operator, false),
                Some(b'|') if b2 == Some(b'/') => self.binop(s, 3, Kind::Operator, false),
                Some(b'|') => self.binop(s, 2, Kind::Operator, false),
                Some(b'&') if pg => {
                    if b2 == Some(b'>') {
                        self.binop(s, 3, Kind::Operator, false)
                    } else {
                        self.binop(s, 2, Kind::Operator, true)
                    }
                }
                Some(b'>') if pg => {
                    if b2 == Some(b'>') {
                        self.binop(s, 3, Kind::Operator, false)
                    } else {
                        self.binop(s, 2, Kind::Operator, true)
                    }
                }
                Some(b'>') if generic => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'=' => match b1 {
                Some(b'>' | b'=') => self.op(s, 2),
                _ => self.op(s, 1),
            },
            b'!' => match b1 {
                Some(b'=' | b'!') => self.op(s, 2),
                Some(b'~') => match b2 {
                    Some(b'*') => self.op(s, 3),
                    Some(b'~') if self.at(s + 3) == Some(b'*') => self.op(s, 4),
                    Some(b'~') => self.op(s, 3),
                    _ => self.op(s, 2),
                },
                _ => self.op(s, 1),
            },
            b'<' => match b1 {
                Some(b'=') => match b2 {
                    Some(b'>') => self.binop(s, 3, Kind::Operator, false),
                    Some(b'+' | b'-') => self.op(s, 2),
                    _ => self.binop(s, 2, Kind::Operator, false),
                },
                Some(b'|') if pg => self.binop(s, 2, Kind::Operator, false),
                Some(b'>') => self.binop(s, 2, Kind::Operator, false),
                Some(b'<') if pg && b2 == Some(b'|') => self.binop(s, 3, Kind::Operator, false),
                Some(b'<') => self.binop(s, 2, Kind::Operator, false),
                Some(b'+') => self.op(s, 1),
                Some(b'-') if pg => {
                    if b2 == Some(b'>') {
                        self.binop(s, 3, Kind::Operator, false)
                    } else {
                        self.op(s, 1)
                    }
                }
                Some(b'^') if pg => self.binop(s, 2, Kind::Operator, false),
                Some(b'@') => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'>' => match b1 {
                Some(b'=' | b'>') => self.binop(s, 2, Kind::Operator, false),
                Some(b'^') if pg => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b':' => match b1 {
                Some(b':' | b'=') => self.op(s, 2),
                _ => self.op(s, 1),
            },
            b';' => self.simple(s, 1, Kind::Semicolon),
            b'\\' | b'[' | b']' | b'{' | b'}' => self.op(s, 1),
            b'&' => match b1 {
                // `sqlparser` takes the character after `&>` into the operator.
                Some(b'>') if pg => {
                    let n = self.ch(s + 2).map_or(0, |(_, n)| n);
                    self.op(s, 2 + n)
                }
                Some(b'<') if pg => {
                    if b2 == Some(b'|') {
                        self.op(s, 3)
                    } else {
                        self.binop(s, 2, Kind::Operator, false)
                    }
                }
                Some(b'&') => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'^' => match b1 {
                Some(b'@') => self.op(s, 2),
                _ => self.op(s, 1),
            },
            b'#' if my => self.comment_line(s, 1),
            b'~' => match b1 {
                Some(b'*') => self.binop(s, 2, Kind::Operator, false),
                Some(b'=') if pg => self.binop(s, 2, Kind::Operator, false),
                Some(b'~') if b2 == Some(b'*') => self.binop(s, 3, Kind::Operator, false),
                Some(b'~') => self.binop(s, 2, Kind::Operator, false),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'#' => match b1 {
                Some(b'-') => self.binop(s, 2, Kind::Operator, false),
                Some(b'>') if b2 == Some(b'>') => self.binop(s, 3, Kind::Operator, false),
                Some(b'>') => self.binop(s, 2, Kind::Operator, false),
                Some(b' ') => self.op(s, 1),
                Some(b'#') if pg => self.binop(s, 2, Kind::Operator, false),
                Some(_) if generic => self.glued_word(s, 1),
                _ => self.binop(s, 1, Kind::Operator, false),
            },
            b'@' => self.at_sign(s, b1, b2),
            b'?' if pg => match b1 {
                Some(b'|') if b2 == Some(b'|') => self.op(s, 3),
                Some(b'|' | b'&' | b'#') => self.op(s, 2),
                Some(b'-') if b2 == Some(b'|') => self.op(s, 3),
                Some(b'-') => self.op(s, 2),
                _ => self.op(s, 1),
            },
            b'?' => {
                let mut i = s + 1;
                while let Some((c, n)) = self.ch(i) {
                    if !c.is_numeric() {
                        break;
                    }
                    i += n;
                }
                self.prev = Prev::Other;
                Ok(tok(s, i, VALUE))
            }
            _ => {
                let (c, n) = self.ch(s).ok_or(Unterminated)?;
                if self.ident_start(c) {
                    self.word(s, s + n)
                } else if c == '$' {
                    self.dollar(s)
                } else if c.is_whitespace() {
                    self.simple(s, n, Kind::Space)
                } else {
                    self.op(s, n)
                }
            }
        }
    }

    /// A word made of `prefix` bytes, the next character whatever it is, then identifier
    /// characters (`#x`, `@x`, `@@x`).
    pub(super) fn glued_word(&mut self, s: usize, prefix: usize) -> Lexed {
        let n = self.ch(s + prefix).map_or(0, |(_, n)| n);
        self.word(s, s + prefix + n)
    }

    pub(super) fn at_sign(&mut self, s: usize, b1: Option<u8>, b2: Option<u8>) -> Lexed {
        let pg = self.d == Dialect::Postgres;
        let at_ident = self.ident_start('@');
        match b1 {
            Some(b'@') if pg => self.op(s, 2),
            Some(b'-') if pg => {
                if b2 == Some(b'@') {
                    self.op(s, 3)
                } else {
                    self.binop(s, 2, Kind::Operator, true)
                }
            }
            Some(b'>' | b'?') => self.op(s, 2),
            Some(b'@') => match b2 {
                Some(b' ') | None => self.op(s, 2),
                Some(_) if at_ident => self.glued_word(s, 2),
                Some(_) => self.op(s, 2),
            },
            Some(b' ' | b'\'' | b'"' | b'`') | None => self.op(s, 1),
            Some(_) if at_ident => self.glued_word(s, 1),
            Some(_) => self.op(s, 1),
        }
    }
}
