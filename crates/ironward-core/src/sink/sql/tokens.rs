//! The test oracle: the tokens of a SQL query with exact byte ranges, read by `sqlparser`'s
//! tokenizer (the detector's tokenizer before Ironward's own lexer), compared with the lexer
//! by differential tests.
//!
//! `sqlparser` reports token positions as line and column (counted in characters); they are
//! turned into byte offsets by walking the query once, in step with the tokens (which cover
//! the query contiguously, whitespace and comments included). Each token also gets its *body*:
//! the part an input may occupy without changing the structure (a literal's content without
//! its quotes or prefix, a comment's text without `--`, `#`, `/*` or `*/`, a whole word or
//! number).
//!
//! MySQL's executable comments (`/*! … */`) are re-tokenized by `sqlparser` with positions
//! relative to the comment, which would break the byte mapping. They are read instead as one
//! comment token (the `!` is swapped for `_` in a copy of the query, same length) and marked
//! as code, so an input inside one is never taken for comment text.

use super::lexer::{Kind, Tok};
use crate::sink::Dialect;
use memchr::memmem;
use sqlparser::dialect::{
    Dialect as SqlDialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace};
use std::borrow::Cow;

static SQLITE: SQLiteDialect = SQLiteDialect {};
static POSTGRES: PostgreSqlDialect = PostgreSqlDialect {};
static MYSQL: MySqlDialect = MySqlDialect {};
static GENERIC: GenericDialect = GenericDialect {};

fn sql_dialect(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
        Dialect::MySql => &MYSQL,
        Dialect::Generic => &GENERIC,
    }
}

/// The text the tokenizer reads: the query, or a copy with the `!` of every `/*!` swapped for
/// `_` in the dialects whose tokenizer expands executable comments.
fn tokenizer_text(query: &str, dialect: Dialect) -> Cow<'_, str> {
    if !matches!(dialect, Dialect::MySql | Dialect::Generic) {
        return Cow::Borrowed(query);
    }
    let mut hits = memmem::find_iter(query.as_bytes(), b"/*!").peekable();
    if hits.peek().is_none() {
        return Cow::Borrowed(query);
    }
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for at in hits {
        // `at + 2` is the ASCII `!`: both slices end on character boundaries.
        out.push_str(query.get(last..at + 2).unwrap_or_default());
        out.push('_');
        last = at + 3;
    }
    out.push_str(query.get(last..).unwrap_or_default());
    Cow::Owned(out)
}

/// Turns line/column locations into byte offsets, moving forward only.
struct Cursor<'q> {
    text: &'q str,
    byte: usize,
    line: u64,
    column: u64,
}

impl Cursor<'_> {
    /// The byte offset of `to` (or the furthest position reached, should `to` lie behind).
    fn advance(&mut self, to: Location) -> usize {
        while (self.line, self.column) < (to.line, to.column) {
            let Some(c) = self
                .text
                .get(self.byte..)
                .and_then(|rest| rest.chars().next())
            else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

/// The body of a literal delimited by `quote` repeated `n` times, after an optional prefix
/// (`E`, `N`, `X`, `B`, `U&`…). A token without the quote (`0x1F`) is all body.
fn quoted_body(bytes: &[u8], start: usize, end: usize, quote: u8, n: usize) -> (usize, usize) {
    match bytes
        .get(start..end)
        .and_then(|t| t.iter().position(|&b| b == quote))
    {
        Some(at) => {
            let body_start = (start + at + n).min(end);
            (body_start, end.saturating_sub(n).max(body_start))
        }
        None => (start, end),
    }
}

fn classify(
    token: &Token,
    bytes: &[u8],
    original: &[u8],
    dialect: Dialect,
    start: usize,
    end: usize,
) -> Tok {
    let whole = |kind| Tok {
        start,
        end,
        body_start: start,
        body_end: end,
        kind,
    };
    let with_body = |(body_start, body_end): (usize, usize), kind| Tok {
        start,
        end,
        body_start,
        body_end,
        kind,
    };
    let value = Kind::Value { number: false };
    match token {
        Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab) => {
            whole(Kind::Space)
        }
        Token::Whitespace(Whitespace::SingleLineComment { prefix, .. }) => with_body(
            ((start + prefix.len()).min(end), end),
            Kind::Comment { code: false },
        ),
        Token::Whitespace(Whitespace::MultiLineComment(_)) => {
            let text = original.get(start..end).unwrap_or_default();
            let code = text.starts_with(b"/*!")
                || (dialect == Dialect::MySql && text.starts_with(b"/*M!"));
            let body_start = (start + 2).min(end);
            with_body(
                (body_start, end.saturating_sub(2).max(body_start)),
                Kind::Comment { code },
            )
        }
        Token::Word(w) => match w.quote_style {
            None => whole(value),
            Some(_) => {
                let body_start = (start + 1).min(end);
                with_body((body_start, end.saturating_sub(1).max(body_start)), value)
            }
        },
        Token::Number(..) => whole(Kind::Value { number: true }),
        Token::Placeholder(_) => whole(value),
        Token::SingleQuotedString(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_) => {
            with_body(quoted_body(bytes, start, end, b'\'', 1), value)
        }
        Token::DoubleQuotedString(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_) => {
            with_body(quoted_body(bytes, start, end, b'"', 1), value)
        }
        Token::TripleSingleQuotedString(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_) => {
            with_body(quoted_body(bytes, start, end, b'\'', 3), value)
        }
        Token::TripleDoubleQuotedString(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_) => {
            with_body(quoted_body(bytes, start, end, b'"', 3), value)
        }
        Token::DollarQuotedString(d) => {
            let delimiter = 2 + d.tag.as_ref().map_or(0, String::len);
            let body_start = (start + delimiter).min(end);
            with_body(
                (body_start, end.saturating_sub(delimiter).max(body_start)),
                value,
            )
        }
        // Other delimited literals (Oracle's `Q'{…}'`): only the whole token is a value.
        Token::QuoteDelimitedStringLiteral(_) | Token::NationalQuoteDelimitedStringLiteral(_) => {
            with_body((start, start), value)
        }
        Token::Plus | Token::Minus => whole(Kind::Sign),
        Token::SemiColon => whole(Kind::Semicolon),
        Token::Period => whole(Kind::Period),
        _ => whole(Kind::Operator),
    }
}

/// The tokens of `query`, or `None` when it does not tokenize in `dialect` (an unterminated
/// string or comment, a character no token starts with…).
pub(super) fn tokenize(query: &str, dialect: Dialect) -> Option<Vec<Tok>> {
    let text = tokenizer_text(query, dialect);
    let raw = Tokenizer::new(sql_dialect(dialect), &text)
        .with_unescape(false)
        .tokenize_with_location()
        .ok()?;
    let bytes = text.as_bytes();
    let mut cursor = Cursor {
        text: &text,
        byte: 0,
        line: 1,
        column: 1,
    };
    let mut out = Vec::with_capacity(raw.len());
    for t in &raw {
        let start = cursor.advance(t.span.start);
        let end = cursor.advance(t.span.end);
        out.push(classify(
            &t.token,
            bytes,
            query.as_bytes(),
            dialect,
            start,
            end,
        ));
    }
    Some(out)
}

/// True when `query` tokenizes in `dialect`.
pub(super) fn tokenizes(query: &str, dialect: Dialect) -> bool {
    let text = tokenizer_text(query, dialect);
    Tokenizer::new(sql_dialect(dialect), &text)
        .with_unescape(false)
        .tokenize_with_location()
        .is_ok()
}
