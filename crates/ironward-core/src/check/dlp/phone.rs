//! Phone numbers in international format.
//!
//! A phone number is reported only when it is written the international way:
//! - `+` then the number, the `+` not glued to a word or a digit (`1e+10` is not one); or
//! - the `00` or `011` international call prefixes, written with at least one separator
//!   (`0044 20 7946 0958`): a bare `00…` digit run is indistinguishable from a zero-padded id.
//!
//! After the prefix comes an assigned ITU country code (written in one piece), then enough
//! digits: 8 to 15 in all (E.164); North American (`+1`) and Russian/Kazakh (`+7`) numbers need
//! exactly 10 national digits, and `+1` numbers a valid area code and exchange. The number must
//! end at a group boundary and not run into a word.

use super::digits::{Cluster, Span};

/// Two-digit country codes.
const CC2: &[u16] = &[
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// Three-digit country codes, as inclusive ranges.
const CC3: &[(u16, u16)] = &[
    (211, 213),
    (216, 216),
    (218, 218),
    (220, 258),
    (260, 269),
    (290, 291),
    (297, 299),
    (350, 359),
    (370, 383),
    (385, 387),
    (389, 389),
    (420, 421),
    (423, 423),
    (500, 509),
    (590, 599),
    (670, 670),
    (672, 683),
    (685, 692),
    (850, 850),
    (852, 853),
    (855, 856),
    (880, 880),
    (886, 886),
    (960, 968),
    (970, 977),
    (992, 996),
    (998, 998),
];

/// The length of the country code at the start of `digits`, if one is assigned.
fn country_code_len(digits: &[u8]) -> Option<usize> {
    let value = |n: usize| -> Option<u16> {
        let s = digits.get(..n)?;
        Some(s.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0')))
    };
    let one = value(1)?;
    if one == 1 || one == 7 {
        return Some(1);
    }
    if CC2.contains(&value(2)?) {
        return Some(2);
    }
    let three = value(3)?;
    CC3.iter()
        .any(|(lo, hi)| (*lo..=*hi).contains(&three))
        .then_some(3)
}

/// The first international phone number of a cluster.
pub(crate) fn find(c: &Cluster<'_>) -> Option<Span> {
    let groups = c.groups();
    let first = *groups.first()?;
    let body = c.body;
    // The international prefix: how many leading digits it takes, and where the number starts.
    let (skip, start) = if c.byte_before() == Some(b'+') {
        let plus = first.0 - 1;
        let glued = plus
            .checked_sub(1)
            .and_then(|i| body.get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'.'));
        if glued {
            return None;
        }
        (0, plus)
    } else {
        let head = body.get(first.0..first.1)?;
        let glued = c
            .byte_before()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'));
        if glued || groups.len() < 2 {
            return None;
        }
        if head.starts_with(b"011") {
            (3, first.0)
        } else if head.starts_with(b"00") && !head.starts_with(b"000") {
            (2, first.0)
        } else {
            return None;
        }
    };
    // The digits after the prefix, and the digit count at the end of each group.
    let mut digits = [0u8; 32];
    let mut ends = [0usize; 12];
    let mut n = 0;
    let mut skipped = 0;
    for (gi, g) in groups.iter().enumerate() {
        for d in body.get(g.0..g.1).unwrap_or_default() {
            if skipped < skip {
                skipped += 1;
            } else if let Some(slot) = digits.get_mut(n) {
                *slot = *d;
                n += 1;
            }
        }
        if let Some(e) = ends.get_mut(gi) {
            *e = n;
        }
    }
    let digits = digits.get(..n)?;
    let cc = country_code_len(digits)?;
    // The country code must be written in one piece.
    let first_end = ends.iter().copied().find(|e| *e > 0)?;
    if cc > first_end {
        return None;
    }
    // The longest group prefix that makes a plausible number.
    for gi in (0..groups.len()).rev() {
        let total = ends.get(gi).copied().unwrap_or(0);
        if total <= cc {
            break;
        }
        let national = digits.get(cc..total).unwrap_or_default();
        if !plausible(digits.first().copied(), cc, national) {
            continue;
        }
        let end = groups.get(gi)?.1;
        // The number must not run into a word (`+33612345678abc`).
        if body
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return None;
        }
        return Some((start, end));
    }
    None
}

/// Whether a national number is plausible for its country code.
fn plausible(cc_first: Option<u8>, cc_len: usize, national: &[u8]) -> bool {
    let total = cc_len + national.len();
    if !(8..=15).contains(&total) || national.len() < 6 {
        return false;
    }
    match (cc_len, cc_first) {
        (1, Some(b'1')) => {
            national.len() == 10
                && national.first().is_some_and(|d| *d >= b'2')
                && national.get(3).is_some_and(|d| *d >= b'2')
        }
        (1, _) => national.len() == 10,
        _ => true,
    }
}
