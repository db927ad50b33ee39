//! A streaming SQL lexer over one request value.
//!
//! It yields one [`Token`] at a time from a byte position, never allocates, and never looks
//! back, so a whole analysis is linear in the length of the value. It recognises what the
//! common SQL dialects (MySQL, PostgreSQL, SQL Server, Oracle, SQLite) agree on closely enough
//! for injection analysis: quoted strings (`'…'`, `"…"` with doubled-quote escapes), numbers
//! (decimal, `0x…` hex, `0b…` binary), identifiers and keywords, `` `quoted` `` identifiers,
//! `@var` / `@@system_var`, operators, `--` / `#` line comments, `/* … */` block comments and
//! MySQL's executable comments `/*! … */` (whose content MySQL runs as SQL, so the lexer
//! yields the tokens inside them).

use super::keywords::{Kw, classify};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string literal; `closed` is false when the value ends inside it.
    Str {
        /// The quote byte (`'` or `"`).
        quote: u8,
        /// Whether the closing quote was found.
        closed: bool,
    },
    /// A number: decimal, hex `0x..`, binary `0b..`.
    Num,
    /// An identifier or keyword (a backticked identifier has `quoted` set).
    Word {
        /// Backticked: never a keyword.
        quoted: bool,
    },
    /// `@name` (user variable), `@@name` (system variable, `system` set), or a `?`
    /// placeholder.
    Var {
        /// `@@`.
        system: bool,
    },
    /// An operator.
    Op(Op),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// `;`.
    Semi,
    /// `.`.
    Dot,
    /// A `--` or `#` comment (to the end of the line).
    LineComment,
    /// A `/* … */` comment; `closed` false when unterminated.
    BlockComment {
        /// Whether `*/` was found.
        closed: bool,
    },
    /// The opening `/*!` (or `/*!50000`) of a MySQL executable comment.
    VersionedOpen,
    /// Any other byte or character (`[`, `{`, `\`, `:`…).
    Other,
}

/// Operators, grouped by how the analysis treats them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=`, `<`, `>`, `<=`, `>=`, `<>`, `!=`, `<=>`, `!<`, `!>`.
    Compare,
    /// `||`, `&&` (boolean in MySQL; `||` is concatenation elsewhere).
    Logic,
    /// `*` (also `SELECT *` / `COUNT(*)`).
    Star,
    /// `-` and `+` (binary or unary).
    Sign,
    /// `~` and `!` (unary).
    Unary,
    /// Other binary operators: `/`, `%`, `^`, `&`, `|`, `<<`, `>>`, `:=`, `::`.
    Arith,
}

/// One token: its kind and its byte range in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: Kind,
    /// First byte.
    pub(crate) start: usize,
    /// One past the last byte.
    pub(crate) end: usize,
    /// Whether whitespace (or nothing) precedes it directly.
    pub(crate) spaced: bool,
}

/// The lexer: a position in the value and whether it is inside an executable comment.
pub(crate) struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    in_versioned: bool,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<'a> Lexer<'a> {
    /// A lexer over `s` starting at byte `pos`.
    pub(crate) fn new(s: &'a [u8], pos: usize) -> Self {
        Lexer {
            s,
            pos,
            in_versioned: false,
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    /// Length of the whitespace sequence at `i` (ASCII whitespace, NUL, NBSP, U+FFFD and
    /// other Unicode spaces), 0 if none.
    fn space_len(&self, i: usize) -> usize {
        let b = self.at(i);
        if i >= self.s.len() {
            return 0;
        }
        if b.is_ascii_whitespace() || b < 0x20 || b == 0x7f {
            return 1;
        }
        if b < 0x80 {
            return 0;
        }
        // Multi-byte UTF-8: decode one character.
        let len = match b {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => return 0,
        };
        let Some(bytes) = self.s.get(i..i + len) else {
            return 0;
        };
        let Ok(text) = core::str::from_utf8(bytes) else {
            return 0;
        };
        match text.chars().next() {
            Some(c) if c.is_whitespace() || c == '\u{fffd}' => len,
            _ => 0,
        }
    }

    /// Skips a string body from `i` (just after the opening quote); returns the end and
    /// whether it closed. A doubled quote is an escaped quote.
    fn string_end(&self, mut i: usize, quote: u8) -> (usize, bool) {
        loop {
            match memchr::memchr(quote, &self.s[i.min(self.s.len())..]) {
                None => return (self.s.len(), false),
                Some(off) => {
                    let q = i + off;
                    if self.at(q + 1) == quote && q + 1 < self.s.len() {
                        i = q + 2;
                    } else {
                        return (q + 1, true);
                    }
                }
            }
        }
    }

    /// The next token, or `None` at the end of the value.
    pub(crate) fn next_token(&mut self) -> Option<Token> {
        let mut spaced = false;
        loop {
            let n = self.space_len(self.pos);
            if n == 0 {
                break;
            }
            spaced = true;
            self.pos += n;
        }
        let start = self.pos;
        if start >= self.s.len() {
            return None;
        }
        let b = self.s[start];
        let c1 = self.at(start + 1);
        let (kind, end) = match b {
            b'\'' | b'"' => {
                let (end, closed) = self.string_end(start + 1, b);
                (Kind::Str { quote: b, closed }, end)
            }
            b'`' => {
                let end = match memchr::memchr(b'`', &self.s[start + 1..]) {
                    Some(off) => start + off + 2,
                    None => self.s.len(),
                };
                (Kind::Word { quoted: true }, end)
            }
            b'0'..=b'9' => self.number(start),
            b'.' if c1.is_ascii_digit() => self.number(start),
            b'@' => {
                let system = c1 == b'@';
                let mut i = start + if system { 2 } else { 1 };
                let name_start = i;
                while i < self.s.len() && (is_word_byte(self.s[i]) || self.s[i] == b'.') {
                    i += 1;
                }
                if i == name_start {
                    (Kind::Other, start + if system { 2 } else { 1 })
                } else {
                    (Kind::Var { system }, i)
                }
            }
            b'-' if c1 == b'-' => (Kind::LineComment, self.line_end(start)),
            b'#' => (Kind::LineComment, self.line_end(start)),
            b'/' if c1 == b'*' => {
                if self.at(start + 2) == b'!' {
                    let mut i = start + 3;
                    while i < self.s.len() && self.s[i].is_ascii_digit() {
                        i += 1;
                    }
                    self.in_versioned = true;
                    (Kind::VersionedOpen, i)
                } else {
                    match memchr::memmem::find(&self.s[start + 2..], b"*/") {
                        Some(off) => (Kind::BlockComment { closed: true }, start + 2 + off + 2),
                        None => (Kind::BlockComment { closed: false }, self.s.len()),
                    }
                }
            }
            b'*' if c1 == b'/' && self.in_versioned => {
                // The end of an executable comment: behaves like whitespace.
                self.in_versioned = false;
                self.pos = start + 2;
                return self.next_token().map(|mut t| {
                    t.spaced = true;
                    t
                });
            }
            b'?' => (Kind::Var { system: false }, start + 1),
            // MySQL's `\N` is NULL.
            b'\\' if c1 == b'N' => (Kind::Num, start + 2),
            b'(' => (Kind::LParen, start + 1),
            b')' => (Kind::RParen, start + 1),
            b',' => (Kind::Comma, start + 1),
            b';' => (Kind::Semi, start + 1),
            b'.' => (Kind::Dot, start + 1),
            b'=' => (Kind::Op(Op::Compare), start + 1),
            b'<' => match (c1, self.at(start + 2)) {
                (b'=', b'>') => (Kind::Op(Op::Compare), start + 3),
                (b'=' | b'>', _) => (Kind::Op(Op::Compare), start + 2),
                (b'<', _) => (Kind::Op(Op::Arith), start + 2),
                _ => (Kind::Op(Op::Compare), start + 1),
            },
            b'>' => match c1 {
                b'=' => (Kind::Op(Op::Compare), start + 2),
                b'>' => (Kind::Op(Op::Arith), start + 2),
                _ => (Kind::Op(Op::Compare), start + 1),
            },
            b'!' => match c1 {
                b'=' | b'<' | b'>' => (Kind::Op(Op::Compare), start + 2),
                _ => (Kind::Op(Op::Unary), start + 1),
            },
            b'|' if c1 == b'|' => (Kind::Op(Op::Logic), start + 2),
            b'&' if c1 == b'&' => (Kind::Op(Op::Logic), start + 2),
            b':' if c1 == b'=' || c1 == b':' => (Kind::Op(Op::Arith), start + 2),
            b'*' => (Kind::Op(Op::Star), start + 1),
            b'-' | b'+' => (Kind::Op(Op::Sign), start + 1),
            b'~' => (Kind::Op(Op::Unary), start + 1),
            b'/' | b'%' | b'^' | b'&' | b'|' => (Kind::Op(Op::Arith), start + 1),
            _ if is_word_byte(b) => (Kind::Word { quoted: false }, self.word_end(start + 1)),
            _ => (Kind::Other, start + 1),
        };
        self.pos = end;
        Some(Token {
            kind,
            start,
            end,
            spaced: spaced || start == 0,
        })
    }

    /// The end of a run of word bytes from `i` (a Unicode space ends it).
    fn word_end(&self, mut i: usize) -> usize {
        while let Some(&b) = self.s.get(i) {
            if b < 0x80 {
                if !is_word_byte(b) {
                    break;
                }
            } else if self.space_len(i) > 0 {
                break;
            }
            i += 1;
        }
        i
    }

    fn line_end(&self, start: usize) -> usize {
        match memchr::memchr(b'\n', &self.s[start..]) {
            Some(off) => start + off,
            None => self.s.len(),
        }
    }

    /// A number at `start`; a run of digits followed by letters is an identifier (`2nd`,
    /// `10pm`), as in MySQL.
    fn number(&self, start: usize) -> (Kind, usize) {
        let s = self.s;
        let mut i = start;
        let c1 = self.at(start + 1) | 0x20;
        if s[start] == b'0' && (c1 == b'x' || c1 == b'b') {
            let hex = c1 == b'x';
            let mut j = start + 2;
            while j < s.len()
                && (if hex {
                    s[j].is_ascii_hexdigit()
                } else {
                    matches!(s[j], b'0' | b'1')
                })
            {
                j += 1;
            }
            if j > start + 2 && !(j < s.len() && is_word_byte(s[j])) {
                return (Kind::Num, j);
            }
        }
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if self.at(i) == b'.' {
            i += 1;
            while i < s.len() && s[i].is_ascii_digit() {
                i += 1;
            }
        }
        if self.at(i) | 0x20 == b'e' {
            let mut j = i + 1;
            if matches!(self.at(j), b'+' | b'-') {
                j += 1;
            }
            if self.at(j).is_ascii_digit() {
                while j < s.len() && s[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        if i < s.len() && is_word_byte(s[i]) && self.space_len(i) == 0 {
            let j = self.word_end(i);
            // `1union`, `1and`: MySQL reads a number glued to a keyword as two tokens.
            if matches!(
                classify(&s[i..j]),
                Kw::Union
                    | Kw::Or
                    | Kw::And
                    | Kw::OrderGroup
                    | Kw::Select
                    | Kw::From
                    | Kw::Limit
                    | Kw::Into
                    | Kw::Having
                    | Kw::Where
            ) {
                return (Kind::Num, i);
            }
            return (Kind::Word { quoted: false }, j);
        }
        (Kind::Num, i)
    }
}

#[cfg(test)]
mod tests;
