//! Compiled pattern lists (`DECOY_ROUTES`, `WHITELIST_HEADERS`, `EXCEPTIONS`): each entry is a
//! literal compared by prefix, suffix, containment or equality, or a regex. They are compiled
//! once into one structure so a lookup is a few comparisons plus at most one `RegexSet` scan.

use crate::config::{MatchKind, PatternRule};
use regex::RegexSet;
use std::collections::HashSet;

/// A compiled list of [`PatternRule`]s.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    exact: HashSet<String>,
    starts: Vec<String>,
    ends: Vec<String>,
    contains: Vec<String>,
    regex: Option<RegexSet>,
}

/// Size limit of compiled regex programs, so that a huge pattern cannot exhaust memory.
pub const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Compiles a list of regexes (`IGNORE_PATHS`, `BRUTE_AND_FLOOD_PATHS`) into one set.
pub fn compile_regex_set(patterns: &[String]) -> Result<Option<RegexSet>, regex::Error> {
    if patterns.is_empty() {
        return Ok(None);
    }
    regex::RegexSetBuilder::new(patterns)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(Some)
}

impl PatternSet {
    /// Compiles rules; fails only on an invalid regex.
    pub fn new(rules: &[PatternRule]) -> Result<PatternSet, regex::Error> {
        let mut set = PatternSet::default();
        let mut regexes = Vec::new();
        for r in rules {
            match r.kind {
                MatchKind::Match => {
                    set.exact.insert(r.pattern.clone());
                }
                MatchKind::Starts => set.starts.push(r.pattern.clone()),
                MatchKind::Ends => set.ends.push(r.pattern.clone()),
                MatchKind::Contains => set.contains.push(r.pattern.clone()),
                MatchKind::Regex => regexes.push(r.pattern.clone()),
            }
        }
        set.regex = compile_regex_set(&regexes)?;
        Ok(set)
    }

    /// True when no rule was given.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
            && self.starts.is_empty()
            && self.ends.is_empty()
            && self.contains.is_empty()
            && self.regex.is_none()
    }

    /// True when any rule matches `value`.
    pub fn is_match(&self, value: &str) -> bool {
        self.exact.contains(value)
            || self.starts.iter().any(|p| value.starts_with(p.as_str()))
            || self.ends.iter().any(|p| value.ends_with(p.as_str()))
            || self.contains.iter().any(|p| value.contains(p.as_str()))
            || self.regex.as_ref().is_some_and(|r| r.is_match(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(p: &str, kind: MatchKind) -> PatternRule {
        PatternRule {
            pattern: p.to_owned(),
            kind,
        }
    }

    #[test]
    fn every_kind_matches() {
        let set = PatternSet::new(&[
            r("/admin", MatchKind::Ends),
            r("/.git/", MatchKind::Starts),
            r("wp-", MatchKind::Contains),
            r("exact", MatchKind::Match),
            r(r"^/v\d+/debug", MatchKind::Regex),
        ])
        .unwrap_or_default();
        assert!(set.is_match("/site/admin"));
        assert!(set.is_match("/.git/config"));
        assert!(set.is_match("/blog/wp-login"));
        assert!(set.is_match("exact"));
        assert!(!set.is_match("exactly"));
        assert!(set.is_match("/v2/debug/x"));
        assert!(!set.is_match("/home"));
        assert!(!set.is_empty());
        assert!(PatternSet::default().is_empty());
    }

    #[test]
    fn bad_regex_is_an_error() {
        assert!(PatternSet::new(&[r("(", MatchKind::Regex)]).is_err());
    }
}
