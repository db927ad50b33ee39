//! The byte search the SQL and shell detectors share: is an input in the operation at all?
//!
//! Most inputs of a request do not occur in a given query or command, and the detectors must
//! say so in a few nanoseconds each. Two steps, neither allocating:
//! 1. a [`PairSet`] of the operation's adjacent byte pairs rejects nearly every absent input
//!    on its first pairs;
//! 2. [`occurs`] scans for the input's rarest byte (by the detector's own table of how common
//!    bytes are) and verifies each hit in place, handing over to `memmem` past
//!    [`MAX_CANDIDATES`] hits so that the search stays linear.

use memchr::memmem;

/// The pairs of adjacent bytes present in an operation, folded into 4096 bits (the low 6 bits
/// of each byte: 512 bytes, built once per call without allocating). An input holding a pair
/// the operation lacks cannot occur in it; on short operations few pairs collide, so nearly
/// every absent input is rejected without a search.
pub(crate) struct PairSet([u64; 64]);

impl PairSet {
    /// The pair set of `text`.
    pub(crate) fn of(text: &[u8]) -> Self {
        let mut set = [0u64; 64];
        if let Some((&first, rest)) = text.split_first() {
            let mut prev = first;
            for &b in rest {
                set[usize::from(prev & 63)] |= 1 << (b & 63);
                prev = b;
            }
        }
        Self(set)
    }

    /// True when every adjacent pair of `needle` may be in the operation (false: it certainly
    /// does not occur).
    pub(crate) fn may_hold(&self, needle: &[u8]) -> bool {
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        let mut prev = first;
        for &b in rest {
            if self.0[usize::from(prev & 63)] & (1 << (b & 63)) == 0 {
                return false;
            }
            prev = b;
        }
        true
    }
}

/// Candidates verified one by one before handing over to `memmem` (linear in the worst case).
pub(crate) const MAX_CANDIDATES: usize = 16;

/// True when `needle` occurs in `text`. Faster than `memmem::find` on the short operations of
/// the common case, which would build a searcher per input: one `memchr` scan for the needle's
/// rarest byte among its first 16 (`commonness`: lower is rarer), each hit verified in place.
pub(crate) fn occurs(text: &[u8], needle: &[u8], commonness: impl Fn(u8) -> u8) -> bool {
    let Some((offset, &rare)) = needle
        .iter()
        .take(16)
        .enumerate()
        .min_by_key(|&(_, &b)| commonness(b))
    else {
        return true;
    };
    for (n, at) in memchr::memchr_iter(rare, text).enumerate() {
        if n == MAX_CANDIDATES {
            return memmem::find(text, needle).is_some();
        }
        if at >= offset
            && text
                .get(at - offset..)
                .is_some_and(|rest| rest.starts_with(needle))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flat(_: u8) -> u8 {
        1
    }

    proptest! {
        /// Neither step ever rejects an input that occurs, and `occurs` agrees with `memmem`.
        #[test]
        fn agrees_with_memmem(text in proptest::collection::vec(any::<u8>(), 0..300),
                              needle in proptest::collection::vec(any::<u8>(), 0..12),
                              cut in any::<(usize, usize)>()) {
            let expected = memmem::find(&text, &needle).is_some();
            prop_assert_eq!(occurs(&text, &needle, flat), expected);
            let set = PairSet::of(&text);
            if expected {
                prop_assert!(set.may_hold(&needle));
            }
            if !text.is_empty() {
                let a = cut.0 % text.len();
                let b = (a + cut.1 % 12).min(text.len());
                let inside = &text[a..b];
                prop_assert!(set.may_hold(inside));
                prop_assert!(occurs(&text, inside, flat));
            }
        }
    }

    #[test]
    fn many_candidates_hand_over_to_memmem() {
        let text = b"a".repeat(1000);
        assert!(!occurs(&text, b"ab", |b| if b == b'a' { 0 } else { 9 }));
        assert!(occurs(b"xxaab", b"ab", flat));
    }
}
