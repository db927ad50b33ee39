//! The SQL sink detector: is a request input changing the token structure of the query the
//! application is about to run?
//!
//! ## Rule
//!
//! An input of at least [`MIN_INPUT_LEN`] bytes that does not occur in the query (exact
//! bytes) is skipped; when no input occurs, the query is not even tokenized. Otherwise the
//! query is tokenized once (with Ironward's own lexer, in the driver's [`Dialect`]) and **every**
//! occurrence of each input is classified by the tokens it touches, whitespace aside:
//!
//! - none (only whitespace), or one token whose *body* holds the occurrence — the content of a
//!   string literal between its quotes, a number, a word, a placeholder, a quoted name's
//!   content, a comment's text — is **safe**: the structure is the one the code wrote;
//! - one value token covered whole (`'abc'`, `42`, `-5`, a keyword or name such as `select`)
//!   is **safe**: a single value or word cannot add a clause, and a word equal to the input is
//!   far more likely the application's own text;
//! - anything else is an **injection**: a quote that closes or opens a literal, a comment
//!   opened or closed (or text in a MySQL executable comment), a lone operator, a `;`, or
//!   several tokens outside any literal.
//!
//! One exception keeps periodic inputs made of quotes (`''`, `''''`) from firing on their own
//! correct escaping: an offending occurrence that overlaps another, safe occurrence of the same
//! input is ambiguous and not reported.
//!
//! When the query does not tokenize (an unterminated string or comment) but does once an
//! occurring input is replaced by a neutral literal of the same length (`aaa…`), that input is
//! what broke it: an injection ([`Reason::Tokenization`]). A query that does not tokenize
//! either way is not reported: the database will reject it.
//!
//! The search is case-sensitive and exact: the application inserted the decoded value as it
//! received it. An input that the application escaped (`O'Brien` written `O''Brien` or
//! `O\'Brien`) no longer occurs as such, or occurs inside a literal's content: safe. Known
//! limit: an input of two or more tokens that equals the application's own SQL text (a search
//! for `t.id` run by a query containing `t.id`) fires; see `docs/sinks.md`.

mod lexer;
#[cfg(test)]
mod tokens;

use super::search::{PairSet, occurs};
use super::{Dialect, MIN_INPUT_LEN, Reason, Sink, SinkFinding, request_values};
use crate::input::Inputs;
use lexer::{Kind, Tok};
use memchr::memmem;
use std::ops::Range;

/// At most this many overlapping occurrences are examined around an offending occurrence
/// before it is reported anyway (a bound on periodic inputs).
const MAX_OVERLAPS: usize = 64;

/// Checks a SQL query about to run against the request's user inputs.
///
/// Returns the first input occurrence that changes the query's token structure, or `None`.
/// Pure and panic-free; see the [module documentation](self) for the rule.
///
/// # Example
/// ```
/// use ironward_core::sink::{Dialect, Reason, sql};
///
/// // A vulnerable application concatenates the user's name into the query.
/// let name = "' OR 1=1 --";
/// let query = format!("SELECT * FROM users WHERE name = '{name}' AND active = 1");
/// let finding = sql::check(&query, Dialect::Sqlite, [name, "other input"]).expect("an injection");
/// assert_eq!(finding.input, name);
/// assert_eq!(finding.input_index, 0);
/// assert_eq!(finding.reason, Reason::Quote);
/// assert_eq!(&query[finding.span.clone()], name);
///
/// // The same input, escaped by an ORM, stays inside the string literal: no finding.
/// let escaped = format!("SELECT * FROM users WHERE name = '{}'", name.replace('\'', "''"));
/// assert!(sql::check(&escaped, Dialect::Sqlite, [name]).is_none());
///
/// // A name with an apostrophe, a SQL-looking search: the data stays data.
/// let query = "SELECT * FROM posts WHERE title = 'select a plan -- O''Brien' LIMIT 10";
/// assert!(sql::check(query, Dialect::Postgres, ["select a plan -- O'Brien", "10"]).is_none());
/// ```
pub fn check<I, S>(query: &str, dialect: Dialect, inputs: I) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    check_with(query, dialect, inputs, LEXER)
}

/// The tokenizer `check` uses: Ironward's lexer, or (in tests) the `sqlparser` oracle.
#[derive(Clone, Copy)]
struct Tokenizer {
    /// The tokens of a query, `None` when it does not tokenize.
    tokenize: fn(&str, Dialect) -> Option<Vec<Tok>>,
    /// True when a query tokenizes.
    tokenizes: fn(&str, Dialect) -> bool,
}

/// Ironward's lexer.
const LEXER: Tokenizer = Tokenizer {
    tokenize: lexer::tokenize,
    tokenizes: lexer::tokenizes,
};

fn check_with<I, S>(query: &str, dialect: Dialect, inputs: I, lex: Tokenizer) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let q = query.as_bytes();
    let mut present: Option<PairSet> = None;
    let mut hits: Vec<(usize, S)> = Vec::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let needle = input.as_ref().as_bytes();
        if needle.len() < MIN_INPUT_LEN || needle.len() > q.len() {
            continue;
        }
        // An input holding a pair of bytes the query lacks cannot occur in it.
        if !present
            .get_or_insert_with(|| PairSet::of(q))
            .may_hold(needle)
        {
            continue;
        }
        if hits.iter().any(|(_, h)| h.as_ref().as_bytes() == needle) {
            continue;
        }
        if occurs(q, needle, commonness) {
            hits.push((index, input));
        }
    }
    if hits.is_empty() {
        return None;
    }
    match (lex.tokenize)(query, dialect) {
        Some(toks) => hits.iter().find_map(|(index, input)| {
            let input = input.as_ref();
            offending_occurrence(q, &toks, input, dialect)
                .map(|(span, reason)| finding(*index, input, span, reason))
        }),
        None => unparsable(query, dialect, &hits, lex),
    }
}

/// How common a byte is in SQL queries and request values (lower: rarer). Letters, digits,
/// spaces and SQL punctuation are common; anything else is rare.
fn commonness(b: u8) -> u8 {
    match b {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 9,
        b'h' | b'l' | b'd' | b'c' | b'u' | b'm' | b'E' | b'T' | b'S' | b'R' => 8,
        b'A'..=b'Z' | b'a'..=b'z' | b'_' | b',' | b'.' | b'=' | b'\'' | b'(' | b')' => 7,
        b'0'..=b'9' | b'"' | b'*' | b'-' | b'/' => 6,
        _ => 1,
    }
}

/// [`check`] with the values of an extracted request ([`request_values`]).
pub fn check_request(query: &str, dialect: Dialect, inputs: &Inputs<'_>) -> Option<SinkFinding> {
    check(query, dialect, request_values(inputs))
}

fn finding(input_index: usize, input: &str, span: Range<usize>, reason: Reason) -> SinkFinding {
    SinkFinding {
        sink: Sink::Sql,
        input: input.to_owned(),
        input_index,
        span,
        reason,
    }
}

/// The first occurrence of `input` that changes the structure, with the reason.
fn offending_occurrence(
    q: &[u8],
    toks: &[Tok],
    input: &str,
    dialect: Dialect,
) -> Option<(Range<usize>, Reason)> {
    let finder = memmem::Finder::new(input.as_bytes());
    let m = input.len();
    for at in finder.find_iter(q) {
        if let Some(reason) = occurrence_reason(toks, at, at + m)
            && !overlaps_safe_occurrence(q, toks, &finder, at..at + m)
            && !escaped_forms(input, dialect).iter().any(|esc| {
                overlaps_safe_occurrence(q, toks, &memmem::Finder::new(esc.as_bytes()), at..at + m)
            })
        {
            return Some((at..at + m, reason));
        }
    }
    None
}

/// The forms drivers give `input` inside a string literal, when they differ from it: quotes
/// doubled, and for MySQL backslash escapes.
fn escaped_forms(input: &str, dialect: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    if input.contains('\'') {
        out.push(input.replace('\'', "''"));
    }
    if dialect == Dialect::MySql && input.contains(['\'', '"', '\\']) {
        out.push(
            input
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('"', "\\\""),
        );
    }
    out
}

/// True when a safe occurrence of the needle (the input, or an escaped form of it) overlaps
/// the offending occurrence `at` of the input, other than itself: the offending match is then
/// an artefact of quotes around or inside the value (`''` escaped as ``), not an
/// insertion.
fn overlaps_safe_occurrence(
    q: &[u8],
    toks: &[Tok],
    finder: &memmem::Finder<'_>,
    at: Range<usize>,
) -> bool {
    let n = finder.needle().len();
    if n == 0 {
        return false;
    }
    let lo = at.start.saturating_sub(n - 1);
    let hi = (at.end + n - 1).min(q.len());
    let Some(window) = q.get(lo..hi) else {
        return false;
    };
    let mut from = 0;
    for _ in 0..MAX_OVERLAPS {
        let Some(k) = window.get(from..).and_then(|w| finder.find(w)) else {
            return false;
        };
        let other = lo + from + k;
        if (other, other + n) != (at.start, at.end)
            && occurrence_reason(toks, other, other + n).is_none()
        {
            return true;
        }
        from += k + 1;
    }
    false
}

/// Why the occurrence `s..e` changes the structure, or `None` when it does not.
fn occurrence_reason(toks: &[Tok], s: usize, e: usize) -> Option<Reason> {
    let first = toks.partition_point(|t| t.end <= s);
    // The non-whitespace tokens touched, as units: a sign glued to a number (`-5`) and a
    // dotted name (`users.name`) count as one value.
    let mut units = 0usize;
    let mut single: Option<Tok> = None;
    let mut pending_dot: Option<Tok> = None;
    let (mut quote, mut comment, mut stacked) = (false, false, false);
    let touched = toks.get(first..).unwrap_or_default();
    for t in touched.iter().take_while(|t| t.start < e) {
        let (cs, ce) = (s.max(t.start), e.min(t.end));
        let in_body = t.body_start <= cs && ce <= t.body_end;
        let glued = |prev: Option<Tok>| prev.is_some_and(|p| p.end == t.start);
        if t.kind == Kind::Space {
            continue;
        }
        if let Some(dot) = pending_dot.take() {
            let plain_word = t.kind == (Kind::Value { number: false })
                && (t.body_start, t.body_end) == (t.start, t.end);
            if plain_word && glued(Some(dot)) {
                single = single.map(|u| Tok {
                    end: t.end,
                    body_end: t.end,
                    ..u
                });
                continue;
            }
            units += 1; // the dot is a unit of its own
        }
        match t.kind {
            Kind::Space => continue,
            Kind::Value { number } => {
                if !in_body && (cs, ce) != (t.start, t.end) {
                    quote = true;
                }
                if number
                    && units == 1
                    && single.is_some_and(|u| u.kind == Kind::Sign)
                    && glued(single)
                {
                    single = single.map(|u| Tok {
                        kind: t.kind,
                        end: t.end,
                        body_end: t.end,
                        ..u
                    });
                    continue;
                }
            }
            Kind::Period => {
                if units == 1
                    && single.is_some_and(|u| {
                        u.kind == (Kind::Value { number: false }) && u.body_end == u.end
                    })
                    && glued(single)
                {
                    pending_dot = Some(*t);
                    continue;
                }
            }
            Kind::Comment { code } => comment |= code || !in_body,
            Kind::Semicolon => stacked = true,
            Kind::Sign | Kind::Operator => {}
        }
        units += 1;
        single = Some(*t);
    }
    if pending_dot.is_some() {
        units += 1;
    }
    match (units, single) {
        (0, _) | (_, None) => None,
        (1, Some(t)) => {
            let (cs, ce) = (s.max(t.start), e.min(t.end));
            let in_body = t.body_start <= cs && ce <= t.body_end;
            match t.kind {
                Kind::Space => None,
                Kind::Value { .. } if in_body || (cs, ce) == (t.start, t.end) => None,
                Kind::Value { .. } => Some(Reason::Quote),
                Kind::Comment { code } if in_body && !code => None,
                Kind::Comment { .. } => Some(Reason::Comment),
                Kind::Semicolon => Some(Reason::Stacked),
                Kind::Sign | Kind::Operator | Kind::Period => Some(Reason::Operator),
            }
        }
        _ if quote => Some(Reason::Quote),
        _ if comment => Some(Reason::Comment),
        _ if stacked => Some(Reason::Stacked),
        _ => Some(Reason::Tokens),
    }
}

/// The query does not tokenize: is an input what breaks it?
fn unparsable<S: AsRef<str>>(
    query: &str,
    dialect: Dialect,
    hits: &[(usize, S)],
    lex: Tokenizer,
) -> Option<SinkFinding> {
    let first_span = |input: &str| {
        let at = memmem::find(query.as_bytes(), input.as_bytes()).unwrap_or(0);
        at..at + input.len()
    };
    for (index, input) in hits {
        let input = input.as_ref();
        if (lex.tokenizes)(&neutralized(query, input), dialect) {
            return Some(finding(
                *index,
                input,
                first_span(input),
                Reason::Tokenization,
            ));
        }
    }
    // Two inputs together (a quote left open by one, closed by the other).
    if hits.len() > 1 {
        let mut all = query.to_owned();
        for (_, input) in hits {
            all = neutralized(&all, input.as_ref());
        }
        if (lex.tokenizes)(&all, dialect)
            && let Some((index, input)) = hits.first()
        {
            let input = input.as_ref();
            return Some(finding(
                *index,
                input,
                first_span(input),
                Reason::Tokenization,
            ));
        }
    }
    None
}

/// `query` with every occurrence of `input` replaced by as many `a` as it has bytes.
fn neutralized(query: &str, input: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for at in memmem::find_iter(query.as_bytes(), input.as_bytes()) {
        // Occurrences of a valid UTF-8 needle start and end on character boundaries.
        out.push_str(query.get(last..at).unwrap_or_default());
        out.extend(std::iter::repeat_n('a', input.len()));
        last = at + input.len();
    }
    out.push_str(query.get(last..).unwrap_or_default());
    out
}

#[cfg(test)]
mod diff_tests;
#[cfg(test)]
mod tests;
