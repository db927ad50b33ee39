//! Byte helpers shared by the HTML/JS scanners: character classes and case-insensitive
//! matching on byte slices, so no scanner allocates or lowercases a copy of the value.

/// Whitespace or another C0 control character (browsers skip or tolerate them in many places).
#[inline]
pub(super) fn is_ws_ctrl(b: u8) -> bool {
    b <= b' ' || b == 0x7f
}

/// A quote that can delimit an HTML attribute value or a JavaScript string.
#[inline]
pub(super) fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// A byte of a JavaScript identifier (ASCII letters, digits, `_`, `$`).
#[inline]
pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether `hay` equals `pat` ignoring ASCII case (`pat` must be lowercase).
#[inline]
pub(super) fn eq_ci(hay: &[u8], pat: &[u8]) -> bool {
    hay.len() == pat.len()
        && hay
            .iter()
            .zip(pat)
            .all(|(h, p)| h.to_ascii_lowercase() == *p)
}

/// Whether `hay[at..]` starts with `pat` ignoring ASCII case (`pat` must be lowercase).
#[inline]
pub(super) fn starts_ci(hay: &[u8], at: usize, pat: &[u8]) -> bool {
    hay.get(at..at + pat.len()).is_some_and(|h| eq_ci(h, pat))
}

/// Whether `hay` contains `pat` ignoring ASCII case (`pat` lowercase and non-empty).
/// Linear in practice: it is only called on short, bounded windows.
pub(super) fn contains_ci(hay: &[u8], pat: &[u8]) -> bool {
    let Some((&first, _)) = pat.split_first() else {
        return true;
    };
    if hay.len() < pat.len() {
        return false;
    }
    (0..=hay.len() - pat.len())
        .any(|i| hay[i].to_ascii_lowercase() == first && eq_ci(&hay[i..i + pat.len()], pat))
}

/// Index of the first byte at or after `from` that is not whitespace/control, or `end`.
#[inline]
pub(super) fn skip_ws_ctrl(b: &[u8], from: usize, end: usize) -> usize {
    let mut p = from;
    while p < end && is_ws_ctrl(b[p]) {
        p += 1;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_matching() {
        assert!(eq_ci(b"ScRiPt", b"script"));
        assert!(!eq_ci(b"scrip", b"script"));
        assert!(starts_ci(b"<SCRIPT>", 1, b"script"));
        assert!(!starts_ci(b"<SCR", 1, b"script"));
        assert!(contains_ci(b"width:EXPRESSION(", b"expression("));
        assert!(!contains_ci(b"expr", b"expression"));
        assert!(contains_ci(b"abc", b""));
    }

    #[test]
    fn classes() {
        assert!(is_ws_ctrl(0) && is_ws_ctrl(b' ') && !is_ws_ctrl(b'a'));
        assert!(is_quote(b'`') && !is_quote(b'a'));
        assert!(is_ident(b'$') && !is_ident(b'('));
        assert_eq!(skip_ws_ctrl(b"  \x01x", 0, 4), 3);
    }
}
