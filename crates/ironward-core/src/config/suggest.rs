//! "Did you mean …?" suggestions for misspelt keys, check names and template names.
//!
//! pyrasp silently accepts unknown keys, so a typo such as `BLOCK_STATUS_COED` quietly leaves
//! the default in force. Ironward rejects unknown names and points at the closest known one,
//! measured by edit distance ignoring case (so `block_status_code` suggests
//! `BLOCK_STATUS_CODE`).

/// Longer inputs get no suggestion: they are not typos, and the distance costs grow.
const MAX_INPUT_CHARS: usize = 80;

/// The Levenshtein distance between `a` and `b`, ignoring case.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let replace = prev
                .get(j)
                .map_or(usize::MAX, |p| p + usize::from(ca != cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |p| p + 1);
            let insert = row.last().map_or(usize::MAX, |p| p + 1);
            row.push(replace.min(delete).min(insert));
        }
        prev = row;
    }
    prev.last().copied().unwrap_or(0)
}

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = input.chars().count();
    if len == 0 || len > MAX_INPUT_CHARS {
        return None;
    }
    let limit = (len / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = distance(input, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `; did you mean "X"?` for a suggestion, or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("block_status_code", "BLOCK_STATUS_CODE", 0),
            ("FLOOD_RATE", "FLOOD_RATIO", 2),
        ] {
            assert_eq!(distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn closest_picks_the_nearest_plausible_name() {
        let names = ["BLOCK_STATUS_CODE", "BLACKLIST_STATUS_CODE", "FLOOD_RATIO"];
        assert_eq!(
            closest("block_status_code", names),
            Some("BLOCK_STATUS_CODE")
        );
        assert_eq!(
            closest("BLOCK_STATUS_COED", names),
            Some("BLOCK_STATUS_CODE")
        );
        assert_eq!(closest("FLOOD_RATE", names), Some("FLOOD_RATIO"));
        assert_eq!(closest("COMPLETELY_DIFFERENT", names), None);
        assert_eq!(closest("", names), None);
        assert_eq!(closest(&"x".repeat(500), names), None);
        assert_eq!(did_you_mean(Some("a")), "; did you mean \"a\"?");
        assert_eq!(did_you_mean(None), "");
    }
}
