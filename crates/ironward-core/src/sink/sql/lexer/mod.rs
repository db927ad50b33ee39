//! Ironward's own SQL lexer: the tokens of a query with exact byte ranges and bodies, for
//! the four dialects, without allocating (beyond the output vector) and in one linear pass.
//!
//! It reads the query the way `sqlparser` 0.63's tokenizer does for the same dialects (the
//! reference kept as a differential test oracle), but only tells apart what the detector
//! needs: whitespace, values (literals, words, quoted names, placeholders), comments, signs,
//! `;`, `.` and other operators. Every byte is decided by looking at most a few bytes ahead;
//! delimited tokens (strings, quoted names, comments, dollar quotes) are scanned once, so the
//! time is linear in the query's length.

use crate::sink::Dialect;

mod literals;
mod read;

/// What a token is, for the injection rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Spaces, tabs, newlines.
    Space,
    /// A literal, a word (keyword or name, quoted or not), a placeholder.
    Value {
        /// A numeric literal (a sign just before it is part of the value).
        number: bool,
    },
    /// A comment; `code` for MySQL's executable comments.
    Comment {
        /// The comment is executed (`/*! … */`, MariaDB's `/*M! … */`).
        code: bool,
    },
    /// `+` or `-`.
    Sign,
    /// `;`.
    Semicolon,
    /// `.` (a dotted name `users.name` is one value).
    Period,
    /// Any other operator or punctuation.
    Operator,
}

/// A token and its byte ranges in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tok {
    /// First byte.
    pub(super) start: usize,
    /// One past the last byte.
    pub(super) end: usize,
    /// First byte of the body.
    pub(super) body_start: usize,
    /// One past the last byte of the body.
    pub(super) body_end: usize,
    /// What it is.
    pub(super) kind: Kind,
}

/// The lexer's failure: the query does not tokenize (an unterminated string or comment, a
/// malformed number or operator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unterminated;

type Lexed = Result<Tok, Unterminated>;

/// The tokens of `query` in `dialect`, appended to `out` (cleared first).
pub(super) fn lex_into(
    query: &str,
    dialect: Dialect,
    out: &mut Vec<Tok>,
) -> Result<(), Unterminated> {
    out.clear();
    let mut lx = Lexer {
        q: query,
        b: query.as_bytes(),
        d: dialect,
        prev: Prev::None,
    };
    let mut pos = 0;
    while pos < lx.b.len() {
        let t = lx.token(pos)?;
        // Every token is at least one byte long: the loop ends.
        pos = t.end.max(pos + 1);
        out.push(t);
    }
    Ok(())
}

/// The tokens of `query`, or `None` when it does not tokenize in `dialect`.
pub(super) fn tokenize(query: &str, dialect: Dialect) -> Option<Vec<Tok>> {
    let mut out = Vec::with_capacity(query.len() / 3 + 4);
    lex_into(query, dialect, &mut out).ok()?;
    Some(out)
}

/// True when `query` tokenizes in `dialect`.
pub(super) fn tokenizes(query: &str, dialect: Dialect) -> bool {
    let mut lx = Lexer {
        q: query,
        b: query.as_bytes(),
        d: dialect,
        prev: Prev::None,
    };
    let mut pos = 0;
    while pos < lx.b.len() {
        match lx.token(pos) {
            Ok(t) => pos = t.end.max(pos + 1),
            Err(Unterminated) => return false,
        }
    }
    true
}

/// What the previous token was, where it changes how `.` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// No token yet.
    None,
    /// A word (plain or quoted name, `@var`).
    Word,
    /// A `.`.
    Period,
    /// Anything else, whitespace included.
    Other,
}

/// The lexer's state: the query and what the previous token was.
struct Lexer<'q> {
    /// The query.
    q: &'q str,
    /// The query's bytes.
    b: &'q [u8],
    /// The dialect read.
    d: Dialect,
    /// The previous token.
    prev: Prev,
}

/// A token that is all body.
fn tok(start: usize, end: usize, kind: Kind) -> Tok {
    Tok {
        start,
        end,
        body_start: start,
        body_end: end,
        kind,
    }
}

/// A value that is not a number.
const VALUE: Kind = Kind::Value { number: false };

impl Lexer<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// The character at byte `i` and its length in bytes.
    fn ch(&self, i: usize) -> Option<(char, usize)> {
        let c = self.q.get(i..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    fn ident_start(&self, c: char) -> bool {
        match self.d {
            Dialect::Sqlite => {
                c.is_ascii_alphabetic() || c == '_' || ('\u{7f}'..='\u{ffff}').contains(&c)
            }
            Dialect::Postgres => c.is_alphabetic() || c == '_' || !c.is_ascii(),
            Dialect::MySql => c.is_alphabetic() || matches!(c, '_' | '$' | '@') || !c.is_ascii(),
            Dialect::Generic => c.is_alphabetic() || matches!(c, '_' | '#' | '@'),
        }
    }

    fn ident_part(&self, c: char) -> bool {
        match self.d {
            Dialect::Sqlite => self.ident_start(c) || c.is_ascii_digit(),
            Dialect::Postgres => {
                c.is_alphabetic() || c.is_ascii_digit() || matches!(c, '$' | '_') || !c.is_ascii()
            }
            Dialect::MySql => self.ident_start(c) || c.is_ascii_digit(),
            Dialect::Generic => {
                c.is_alphabetic() || c.is_ascii_digit() || matches!(c, '@' | '$' | '#' | '_')
            }
        }
    }

    /// The end of the identifier characters from `i`.
    fn ident_run(&self, mut i: usize) -> usize {
        while let Some(b) = self.at(i) {
            if b < 0x80 {
                if !self.ident_part(char::from(b)) {
                    break;
                }
                i += 1;
            } else {
                match self.ch(i) {
                    Some((c, n)) if self.ident_part(c) => i += n,
                    _ => break,
                }
            }
        }
        i
    }

    fn underscores(&self) -> bool {
        matches!(self.d, Dialect::Postgres | Dialect::Sqlite)
    }

    fn word(&mut self, start: usize, from: usize) -> Lexed {
        let end = self.ident_run(from);
        self.prev = Prev::Word;
        Ok(tok(start, end, VALUE))
    }

    /// An operator of `len` bytes at `start`, extended in PostgreSQL by the characters of
    /// custom operators; `err_if_bare` when the operator is only valid so extended.
    fn binop(&mut self, start: usize, len: usize, kind: Kind, err_if_bare: bool) -> Lexed {
        let mut end = start + len;
        if self.d == Dialect::Postgres {
            while self.at(end).is_some_and(|b| {
                matches!(
                    b,
                    b'+' | b'-'
                        | b'*'
                        | b'/'
                        | b'<'
                        | b'>'
                        | b'='
                        | b'~'
                        | b'!'
                        | b'@'
                        | b'#'
                        | b'%'
                        | b'^'
                        | b'&'
                        | b'|'
                        | b'`'
                        | b'?'
                )
            }) {
                end += 1;
            }
        }
        if end == start + len && err_if_bare {
            return Err(Unterminated);
        }
        let kind = if end == start + len {
            kind
        } else {
            Kind::Operator
        };
        self.prev = Prev::Other;
        Ok(tok(start, end, kind))
    }

    fn op(&mut self, start: usize, len: usize) -> Lexed {
        self.prev = Prev::Other;
        Ok(tok(start, start + len, Kind::Operator))
    }

    fn simple(&mut self, start: usize, len: usize, kind: Kind) -> Lexed {
        self.prev = if kind == Kind::Period {
            Prev::Period
        } else {
            Prev::Other
        };
        Ok(tok(start, start + len, kind))
    }
}
