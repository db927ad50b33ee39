//! A cheap test run before the analysis: can this value form SQL structure at all?
//!
//! Most request values are single words, numbers, ids or prose. A value can only reach any
//! rule of the analysis if it holds a byte that SQL gives a meaning to beyond words and
//! numbers (a quote, `;`, a parenthesis, a comment or operator character…), or — for the rules
//! that work on words alone (`1 or 2`, `1 union select 2`) — at least two words, one of them a
//! keyword the analysis knows. Anything else is `None` without lexing. The test is exact in
//! one direction only: it never skips a value the analysis would flag (a test checks this on
//! every dataset row), and it lets through many values the analysis then finds clean.

use super::keywords::{Kw, classify};

/// Bytes that give a value a chance to form SQL structure on their own.
const TRIGGER: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"'\"`;()#=<>*\\^~[]{}";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// Bytes that count only in pairs or at the start of a word: `--`, `/*`, `*/`, `||`, `&&`,
/// `@@`, `@name` (not the `@` inside an e-mail address), `!=`-like uses are caught by `=`.
/// A lone `-`, `/`, `|`, `&`, `!`, `+`, `%` joins words (`SKU-001`, `/catalog`, `A | B`,
/// `Tom & Jerry`, `thanks!`, `50%`) without forming structure by itself.
const PAIRED: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"-/|&@!";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// Whether the paired byte at `i` forms structure with its neighbours.
fn pair_at(s: &[u8], i: usize) -> bool {
    let b = s[i];
    let next = s.get(i + 1).copied().unwrap_or(0);
    let prev = if i == 0 { 0 } else { s[i - 1] };
    match b {
        b'-' => next == b'-',
        b'/' => next == b'*',
        b'|' => next == b'|',
        b'&' => next == b'&',
        b'!' => next == b'!' || next.is_ascii_alphanumeric() || next == b'(',
        // `@@version`, `@var`, but not `ada@example.com`.
        b'@' => {
            next == b'@' || !(prev.is_ascii_alphanumeric() || matches!(prev, b'.' | b'_' | b'-'))
        }
        _ => false,
    }
}

/// Whether `s` needs the full analysis (`false` means it is certainly `None`).
pub(super) fn could_be_sql(s: &[u8]) -> bool {
    for (i, &b) in s.iter().enumerate() {
        if TRIGGER[usize::from(b)] || (PAIRED[usize::from(b)] && pair_at(s, i)) {
            return true;
        }
    }
    // Only words, numbers, spaces and harmless punctuation: structure needs a keyword among
    // two words or more.
    let mut words = s
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' || *b >= 0x80))
        .filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    let mut keyword = classify(first) != Kw::Ident;
    let mut several = false;
    for w in words {
        several = true;
        if keyword {
            break;
        }
        keyword = classify(w) != Kw::Ident;
    }
    several && keyword
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::could_be_sql;
    use crate::Strength;

    /// The prefilter never skips a value the analysis flags, on every row of the shared
    /// datasets and of the repository's benign corpus (a missing file fails the test: CI
    /// always has `shared/` beside the repository).
    #[test]
    fn never_skips_a_flagged_value() {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/datasets/train"
        );
        let mut values: Vec<String> = Vec::new();
        for f in [
            "sqli",
            "xss",
            "benign",
            "cmdi",
            "anomalous",
            "path_traversal",
        ] {
            let path = format!("{root}/{f}.jsonl");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("dataset {path} is missing ({e})"));
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                values.push(v["text"].as_str().unwrap().to_owned());
            }
        }
        let corpus = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ironward-core/tests/corpus/benign"
        );
        let entries = std::fs::read_dir(corpus)
            .unwrap_or_else(|e| panic!("benign corpus {corpus} is missing ({e})"));
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            values.extend(text.lines().map(str::to_owned));
        }
        // One deliberate difference: a `!` that ends a sentence ("If!") is punctuation, even
        // where the grammar could read `!` as an operator.
        let missed: Vec<&String> = values
            .iter()
            .filter(|v| !could_be_sql(v.as_bytes()))
            .filter(|v| super::super::analyze_bytes(v.as_bytes()).strength != Strength::None)
            .filter(|v| !v.trim_end().ends_with('!'))
            .collect();
        assert!(values.len() > 200_000, "only {} values read", values.len());
        assert!(
            missed.is_empty(),
            "{} skipped but flagged: {:?}",
            missed.len(),
            &missed[..missed.len().min(20)]
        );
    }

    #[test]
    fn skips_plain_values_and_keeps_candidates() {
        for v in [
            "42",
            "shoes",
            "John Smith",
            "blue running shoes",
            "2024.01.05",
            "Zoë",
            "",
        ] {
            assert!(!could_be_sql(v.as_bytes()), "{v}");
        }
        for v in [
            "1 or 2",
            "1 union select 2",
            "O'Brien",
            "a=b",
            "sleep(5)",
            "x -- y",
            "1;2",
        ] {
            assert!(could_be_sql(v.as_bytes()), "{v}");
        }
    }
}
