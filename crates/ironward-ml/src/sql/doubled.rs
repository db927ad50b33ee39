//! The doubled-quote context: a payload written for a string that the application (or the
//! language it was copied from, such as VB or CSV) writes with every quote doubled —
//! `" or ""a""=""a"`, `hi"") or (""a""=""a`.
//!
//! Collapsing each run of one quote character to a single quote gives the text SQL would see
//! once the doubling is undone; that text is analysed in the bare and string contexts, and
//! only a Strong finding counts (a doubled quote is ordinary in CSV cells and wiki markup,
//! `''italic''`, so weak structure there means nothing). It runs only when a doubled quote
//! touches a letter or digit (an empty string, `= ''`, is no doubling). The copy lives on the stack: values
//! longer than [`MAX`] are not re-analysed, which keeps the work bounded and allocation-free.

use crate::{Strength, Structure};

/// The longest value re-analysed with its quotes collapsed.
pub(super) const MAX: usize = 512;

/// The value's strong structure once each run of a quote character is collapsed to one
/// quote, or `None` when it has no doubled quote (or is too long).
pub(super) fn analyze(s: &[u8]) -> Option<Structure> {
    if s.len() > MAX {
        return None;
    }
    // A doubled quote touching a word (`""a""`, `hi""`), not an empty string (`= ''`).
    let word = |i: Option<usize>| {
        i.and_then(|i| s.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    let doubled = memchr::memchr2_iter(b'\'', b'"', s).any(|q| {
        s.get(q + 1) == Some(&s[q]) && (q == 0 || word(q.checked_sub(1)) || word(Some(q + 2)))
    });
    if !doubled {
        return None;
    }
    let mut buf = [0u8; MAX];
    let mut n = 0;
    for (i, &b) in s.iter().enumerate() {
        if matches!(b, b'\'' | b'"') && i > 0 && s[i - 1] == b {
            continue;
        }
        buf[n] = b;
        n += 1;
    }
    let found = super::analyze_contexts(buf.get(..n)?);
    (found.strength == Strength::Strong).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::analyze;
    use crate::Strength;

    #[test]
    fn doubled_quote_payloads_are_strong() {
        for v in [
            "\" or \"\"a\"\"=\"\"a\"",
            "hi\"\" ) or ( \"\"a\"\" = \"\"a\"",
            "hi\"\"\"\") or (\"\"\"\"a\"\"\"\"=\"\"\"\"a\"\"\"",
            "x'' or ''1''=''1",
            "1'' union select null--",
        ] {
            let f = analyze(v.as_bytes()).map(|f| f.strength);
            assert_eq!(f, Some(Strength::Strong), "{v}");
        }
    }

    #[test]
    fn doubled_quotes_in_text_are_not() {
        for v in [
            "''italic'' and '''bold'''",
            "\"He said \"\"hi\"\" and left\"",
            "name,\"O\"\"Brien\",42",
            "It''s fine",
            "\"\"",
            "a = '' or b = ''",
            "plain text",
        ] {
            assert_eq!(analyze(v.as_bytes()), None, "{v}");
        }
        assert_eq!(analyze("\"\" or 1=1".repeat(100).as_bytes()), None);
    }
}
