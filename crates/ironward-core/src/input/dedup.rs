//! The index that finds a `(location, value)` already extracted, once a request has too many
//! inputs for a linear scan.
//!
//! It is a small open-addressing table of item indices, keyed by a fast hash seeded at random
//! for each request: an attacker cannot aim values at one slot without knowing the seed, and
//! even if they could, the table holds at most `max_inputs` entries and every hit is confirmed
//! by comparing the values, so a collision costs probes, never a wrong answer. It is several
//! times cheaper than `std`'s SipHash `HashMap` on the short values requests are made of.

use super::{Input, Location};
use std::hash::{BuildHasher, RandomState};

/// The table: each slot is 0 (empty) or `hash_high32 << 32 | (item index + 1)`.
#[derive(Debug, Clone)]
pub(crate) struct DedupIndex {
    slots: Vec<u64>,
    len: usize,
    seed: [u64; 2],
}

/// Multiplies and folds the 128-bit product: the mixing step of the hash.
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a).wrapping_mul(u128::from(b));
    (p as u64) ^ ((p >> 64) as u64)
}

impl DedupIndex {
    /// An index over `items`.
    pub(crate) fn new(items: &[Input<'_>]) -> Self {
        let keys = RandomState::new();
        let seed = [
            keys.hash_one(0x9e37_79b9_u32),
            keys.hash_one(0x85eb_ca6b_u32) | 1,
        ];
        let mut index = DedupIndex {
            slots: Vec::new(),
            len: 0,
            seed,
        };
        index.rebuild(items, (items.len() * 4).next_power_of_two().max(256));
        index
    }

    /// The hash of `(location, value)`.
    pub(crate) fn hash(&self, location: Location, value: &str) -> u64 {
        let [s0, s1] = self.seed;
        let mut h = fold(s0 ^ location as u64, s1);
        let mut chunks = value.as_bytes().chunks_exact(8);
        for c in chunks.by_ref() {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = fold(h ^ u64::from_le_bytes(w), s1);
        }
        // The last, partial word: the final 8 bytes (overlapping the previous word) when the
        // value is that long, else the bytes themselves; no `memcpy` call for a few bytes.
        let bytes = value.as_bytes();
        let last = if chunks.remainder().is_empty() {
            0
        } else if let Some(tail) = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(tail);
            u64::from_le_bytes(w)
        } else {
            bytes
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | (u64::from(b) << (8 * i)))
        };
        h = fold(h ^ last, s1 ^ value.len() as u64);
        fold(h, s0)
    }

    /// True when an item equal to `(location, value)` (whose hash is `h`) is indexed.
    pub(crate) fn find(
        &self,
        items: &[Input<'_>],
        h: u64,
        location: Location,
        value: &str,
    ) -> bool {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = h >> 32;
        let mut i = (h as usize) & mask;
        loop {
            let slot = self.slots.get(i).copied().unwrap_or(0);
            if slot == 0 {
                return false;
            }
            if slot >> 32 == tag {
                let idx = ((slot & 0xffff_ffff) as usize).wrapping_sub(1);
                if items
                    .get(idx)
                    .is_some_and(|it| it.location == location && *it.value == *value)
                {
                    return true;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Records that `items[idx]`, just pushed, has hash `h`; when the table gets half full it
    /// is rebuilt twice as large from `items` (which include it).
    pub(crate) fn insert(&mut self, items: &[Input<'_>], h: u64, idx: usize) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.rebuild(items, self.slots.len() * 2);
        } else {
            self.put(h, idx);
        }
    }

    fn put(&mut self, h: u64, idx: usize) {
        let Ok(idx) = u32::try_from(idx) else { return };
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = (h as usize) & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if *slot == 0 {
                *slot = (h >> 32) << 32 | (u64::from(idx) + 1);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn rebuild(&mut self, items: &[Input<'_>], capacity: usize) {
        self.slots = vec![0; capacity];
        self.len = 0;
        for (idx, it) in items.iter().enumerate() {
            let h = self.hash(it.location, &it.value);
            self.put(h, idx);
        }
    }
}
