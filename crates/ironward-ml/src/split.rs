//! The development split: which labelled rows are held back from training and rule tuning.
//!
//! Every tool that tunes on data (the trainer, the structural rules' tests, threshold
//! calibration) trains on rows where [`is_dev`] is false and reports on rows where it is true,
//! so the reported figures come from data nothing was tuned on. The split depends only on the
//! text, so it is the same on every machine and for every ordering of the files.

/// FNV-1a 64 of `bytes` (frozen: changing it moves rows between the splits).
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// Whether this labelled text belongs to the held-back development split (one row in five).
pub fn is_dev(text: &str) -> bool {
    fnv1a(text.as_bytes()).is_multiple_of(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_frozen() {
        // Golden values: if these change, every published figure was measured on other rows.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let dev = [
            "' or 1=1 --",
            "O'Brien",
            "<script>alert(1)</script>",
            "Smith",
        ]
        .iter()
        .filter(|t| is_dev(t))
        .count();
        assert!(dev <= 4);
    }

    #[test]
    fn about_one_in_five() {
        let n = (0..10_000)
            .filter(|i| is_dev(&format!("value {i}")))
            .count();
        assert!((1_800..2_200).contains(&n), "{n}");
    }
}
