//! Parsing of list values: plain string lists, regex lists (`IGNORE_PATHS`,
//! `BRUTE_AND_FLOOD_PATHS`) and pattern-rule lists (`DECOY_ROUTES`, `EXCEPTIONS`,
//! `WHITELIST_HEADERS`).
//!
//! Regexes are compiled here with the engine's own size limits, so a configuration that loads
//! is one the engine can build: no regex error can surface later, at start-up or at request
//! time. Every bad entry is reported with its index.

use super::error::{expected, quote};
use super::keys::ValueKind;
use super::model::{MatchKind, PatternRule};
use super::suggest::{closest, did_you_mean};
use crate::pattern::{PatternSet, REGEX_SIZE_LIMIT, compile_regex_set};
use serde_json::Value;

const KINDS: &[(&str, MatchKind)] = &[
    ("regex", MatchKind::Regex),
    ("starts", MatchKind::Starts),
    ("contains", MatchKind::Contains),
    ("match", MatchKind::Match),
    ("ends", MatchKind::Ends),
];

/// The entries of a JSON array, or the "expected …" error.
fn array<'a>(v: &'a Value, kind: &ValueKind) -> Result<&'a [Value], Vec<String>> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| vec![expected(&kind.expected(), v)])
}

/// `Ok` when no error was collected.
fn done<T>(out: T, errors: Vec<String>) -> Result<T, Vec<String>> {
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A list of strings, each passed through `map` (which normalises or rejects it).
pub(crate) fn strings(
    v: &Value,
    kind: &ValueKind,
    map: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, Vec<String>> {
    let items = array(v, kind)?;
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item
            .as_str()
            .ok_or_else(|| expected("a string", item))
            .and_then(&map)
        {
            Ok(s) => out.push(s),
            Err(e) => errors.push(format!("entry {i}: {e}")),
        }
    }
    done(out, errors)
}

/// A list of regexes, each compiled within the engine's limits, and the whole list too.
pub(crate) fn regexes(v: &Value, kind: &ValueKind) -> Result<Vec<String>, Vec<String>> {
    let out = strings(v, kind, |s| {
        if s.is_empty() {
            return Err(
                "an empty regex matches everything; write \"^/\" to mean every path".into(),
            );
        }
        check_regex(s).map(|()| s.to_owned())
    })?;
    match compile_regex_set(&out) {
        Ok(_) => Ok(out),
        Err(e) => Err(vec![format!(
            "the regexes together cannot be compiled: {}",
            regex_error(&e)
        )]),
    }
}

/// Compiles one regex with the engine's size limits (the `regex` crate: no backtracking, a
/// match costs time linear in the value's length).
pub(crate) fn check_regex(pattern: &str) -> Result<(), String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(drop)
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => {
                format!("regex {} is too big: {}", quote(pattern), regex_error(&e))
            }
            _ => format!("invalid regex {}: {}", quote(pattern), regex_error(&e)),
        })
}

/// A regex error on one line: the `regex` crate's syntax errors span several lines (the
/// pattern, a caret, the reason); keep the reason.
fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .map_or_else(|| one_line(text), str::to_owned),
        regex::Error::CompiledTooBig(limit) => format!(
            "once compiled it would exceed the size limit of {limit} bytes ({} MiB); simplify \
             it (fewer or smaller counted repetitions such as {{1000}})",
            limit / (1024 * 1024)
        ),
        other => one_line(&other.to_string()),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A list of pattern rules: `"text"` (of kind `default`) or `["text", kind]`.
///
/// For header names (`headers`), literal patterns are lowercased and regexes get `(?i)`, so
/// they compare case-insensitively against lowercased header names.
pub(crate) fn patterns(
    v: &Value,
    kind: &ValueKind,
    default: MatchKind,
    headers: bool,
) -> Result<Vec<PatternRule>, Vec<String>> {
    let items = array(v, kind)?;
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match rule(item, default, headers) {
            Ok(r) => out.push(r),
            Err(e) => errors.push(format!("entry {i}: {e}")),
        }
    }
    if errors.is_empty()
        && let Err(e) = PatternSet::new(&out)
    {
        let msg = format!(
            "the regexes together cannot be compiled: {}",
            regex_error(&e)
        );
        errors.push(msg);
    }
    done(out, errors)
}

fn rule(item: &Value, default: MatchKind, headers: bool) -> Result<PatternRule, String> {
    let (pattern, kind) = match item {
        Value::String(p) => (p.as_str(), default),
        Value::Array(pair) => match pair.as_slice() {
            [Value::String(p), Value::String(k)] => (p.as_str(), match_kind(k)?),
            _ => return Err(expected("\"text\" or [\"text\", kind]", item)),
        },
        _ => return Err(expected("\"text\" or [\"text\", kind]", item)),
    };
    if pattern.is_empty() && kind != MatchKind::Match {
        return Err("an empty pattern matches everything".to_owned());
    }
    let pattern = match (kind, headers) {
        (MatchKind::Regex, true) if !pattern.starts_with("(?i)") => format!("(?i){pattern}"),
        (MatchKind::Regex, _) => pattern.to_owned(),
        (_, true) => pattern.to_ascii_lowercase(),
        (_, false) => pattern.to_owned(),
    };
    if kind == MatchKind::Regex {
        check_regex(&pattern)?;
    }
    Ok(PatternRule { pattern, kind })
}

fn match_kind(name: &str) -> Result<MatchKind, String> {
    KINDS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            let near = closest(name, KINDS.iter().map(|(k, _)| *k));
            format!(
                "unknown match kind {}, expected regex, starts, contains, match or ends{}",
                quote(name),
                did_you_mean(near)
            )
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const PATS: ValueKind = ValueKind::Patterns(MatchKind::Starts);

    fn r(p: &str, kind: MatchKind) -> PatternRule {
        PatternRule {
            pattern: p.to_owned(),
            kind,
        }
    }

    #[test]
    fn bare_strings_take_the_default_kind() {
        let v = json!(["/admin", ["wp-", "contains"], ["\\.php$", "REGEX"]]);
        let got = patterns(&v, &PATS, MatchKind::Starts, false).unwrap();
        assert_eq!(
            got,
            vec![
                r("/admin", MatchKind::Starts),
                r("wp-", MatchKind::Contains),
                r("\\.php$", MatchKind::Regex)
            ]
        );
    }

    #[test]
    fn header_patterns_compare_without_case() {
        let v = json!(["X-Api-Key", ["^X-Trace", "regex"], ["(?i)^x-b", "regex"]]);
        let got = patterns(&v, &ValueKind::HeaderPatterns, MatchKind::Match, true).unwrap();
        assert_eq!(
            got,
            vec![
                r("x-api-key", MatchKind::Match),
                r("(?i)^X-Trace", MatchKind::Regex),
                r("(?i)^x-b", MatchKind::Regex)
            ]
        );
    }

    #[test]
    fn every_bad_entry_is_reported_with_its_index() {
        let v = json!([
            ["a", "startswith"],
            5,
            ["(", "regex"],
            ["", "contains"],
            ["a"]
        ]);
        let e = patterns(&v, &PATS, MatchKind::Starts, false).unwrap_err();
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e[0].starts_with("entry 0: unknown match kind"), "{}", e[0]);
        assert!(e[1].starts_with("entry 1: expected"), "{}", e[1]);
        assert_eq!(e[2], "entry 2: invalid regex \"(\": unclosed group");
        assert!(e[3].contains("matches everything"));
    }

    #[test]
    fn regexes_compile_within_limits() {
        let k = ValueKind::Regexes;
        assert_eq!(regexes(&json!(["^/a", "^/b$"]), &k).unwrap().len(), 2);
        let e = regexes(&json!(["^/ok", "[z-a]", 3]), &k).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(
            e[0].starts_with("entry 1: invalid regex \"[z-a]\": "),
            "{}",
            e[0]
        );
        let huge = json!([r"\w{1000}\w{1000}\w{1000}"]);
        let e = regexes(&huge, &k).unwrap_err();
        assert!(e[0].contains("size limit"), "{e:?}");
        assert!(regexes(&json!("^/"), &k).is_err());
    }
}
