//! The digit scanner: finds phone and card numbers without any regex.
//!
//! Bytes are skipped eight at a time until one is a digit (a SWAR test), so text with few
//! digits costs next to nothing. Around each digit, a *cluster* is read: digit groups joined by
//! one or two separators (space, `-`, `.`, `(`, `)`). Clusters with fewer than 8 digits are
//! dropped at once; the others are tried as a phone number ([`super::phone`]) and as a card
//! number (grouped like a card, a known issuer range, a valid Luhn checksum).
//!
//! Card rules: 13–19 contiguous digits forming a whole digit run (not part of a longer run, of
//! a word, or of a decimal), or the usual groupings (4-4-4-4, 4-4-4-4-3, Amex 4-6-5, Diners
//! 4-6-4) with one consistent separator, space or dash.

use super::luhn;
use super::phone;

/// Most digit groups read in one cluster; a longer cluster is cut (and read on as another).
const MAX_GROUPS: usize = 12;

/// Where a number starts and ends in the scanned bytes.
pub(crate) type Span = (usize, usize);

/// What the digit scanner found: the first phone number and the first card number.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Numbers {
    pub(crate) phone: Option<Span>,
    pub(crate) card: Option<Span>,
}

/// A cluster: digit groups `(start, end)` and what surrounds it.
pub(crate) struct Cluster<'b> {
    pub(crate) body: &'b [u8],
    pub(crate) groups: [(usize, usize); MAX_GROUPS],
    pub(crate) n: usize,
}

impl Cluster<'_> {
    /// The groups read.
    pub(crate) fn groups(&self) -> &[(usize, usize)] {
        self.groups.get(..self.n).unwrap_or_default()
    }

    /// The separator bytes before group `i` (empty for the first group).
    pub(crate) fn sep_before(&self, i: usize) -> &[u8] {
        match (
            i.checked_sub(1).and_then(|j| self.groups.get(j)),
            self.groups.get(i),
        ) {
            (Some(prev), Some(cur)) => self.body.get(prev.1..cur.0).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The byte before the cluster, if any.
    pub(crate) fn byte_before(&self) -> Option<u8> {
        let start = self.groups.first()?.0;
        start.checked_sub(1).and_then(|i| self.body.get(i).copied())
    }

    /// The byte after the cluster, if any.
    fn byte_after(&self) -> Option<u8> {
        let end = self.groups.get(self.n.checked_sub(1)?)?.1;
        self.body.get(end).copied()
    }
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

fn is_wordish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The index of the first ASCII digit at or after `i`.
fn next_digit(body: &[u8], mut i: usize) -> Option<usize> {
    while let Some(word) = body.get(i..).and_then(|s| s.first_chunk::<8>()) {
        let y = u64::from_le_bytes(*word) ^ (0x30 * LO);
        // Nonzero iff some byte of `y` is below 10, i.e. some byte of the word is a digit; the
        // lowest flagged byte is the first such byte.
        let m = y.wrapping_sub(10 * LO) & !y & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    body.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| p + i)
}

/// Reads the cluster starting at the digit at `start`.
fn read_cluster(body: &[u8], start: usize) -> Cluster<'_> {
    let mut c = Cluster {
        body,
        groups: [(0, 0); MAX_GROUPS],
        n: 0,
    };
    let digit_at = |i: usize| body.get(i).is_some_and(u8::is_ascii_digit);
    let mut p = start;
    while c.n < MAX_GROUPS {
        let gs = p;
        while digit_at(p) {
            p += 1;
        }
        if let Some(g) = c.groups.get_mut(c.n) {
            *g = (gs, p);
        }
        c.n += 1;
        let mut q = p;
        while q - p < 2 && body.get(q).is_some_and(|b| is_sep(*b)) {
            q += 1;
        }
        if q == p || !digit_at(q) {
            break;
        }
        p = q;
    }
    c
}

/// Scans for phone numbers (when `phones`) and card numbers (when `cards`).
///
/// With `open_start`, the bytes start in the middle of a stream: a number at the very start
/// was already judged with the bytes before it. With `open_end`, more bytes may follow: a
/// number touching the end is left for the next call, when its end is known.
pub(crate) fn scan(
    body: &[u8],
    phones: bool,
    cards: bool,
    open_start: bool,
    open_end: bool,
) -> Numbers {
    let mut found = Numbers::default();
    let mut i = 0;
    while let Some(d) = next_digit(body, i) {
        if let Some(resume) = quick_skip(body, d) {
            i = resume;
            continue;
        }
        let c = read_cluster(body, d);
        let end = c.groups().last().map_or(d + 1, |g| g.1);
        i = end.max(d + 1);
        let digits: usize = c.groups().iter().map(|g| g.1 - g.0).sum();
        if digits < 8 || (open_end && end >= body.len()) || (open_start && d <= 1) {
            continue;
        }
        if phones && found.phone.is_none() {
            found.phone = phone::find(&c);
            if found.phone.is_some() {
                return found; // Phones are checked first: nothing else matters.
            }
        }
        if cards && found.card.is_none() {
            found.card = find_card(&c);
            if found.card.is_some() && !phones {
                return found;
            }
        }
    }
    found
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` within `lo..=hi` (both below 0x80), exactly.
const fn in_range(x: u64, lo: u64, hi: u64) -> u64 {
    let v = (x & !HI) | HI;
    let ge_lo = v.wrapping_sub(lo * LO);
    let gt_hi = v.wrapping_sub((hi + 1) * LO);
    ge_lo & !gt_hi & !x & HI
}

/// The end of the word (letters, digits, `_`) at `i`, eight bytes at a time.
fn skip_word(body: &[u8], mut i: usize) -> usize {
    while let Some(word) = body.get(i..).and_then(|s| s.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*word);
        let wordish = in_range(x, 0x30, 0x39)
            | in_range(x | (0x20 * LO), 0x61, 0x7a)
            | in_range(x, 0x5f, 0x5f);
        let other = !wordish & HI;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = body.get(i..).unwrap_or_default();
    i + rest
        .iter()
        .position(|b| !is_wordish(*b))
        .unwrap_or(rest.len())
}

/// Where to resume when the digit run at `d` cannot be part of a number: glued to a word
/// (hex ids, `v2`, `x86_64`: the whole word is skipped), or a short run with no separator
/// after it. None when the cluster must be read.
fn quick_skip(body: &[u8], d: usize) -> Option<usize> {
    let alpha = |b: &u8| b.is_ascii_alphabetic() || *b == b'_';
    if d.checked_sub(1)
        .and_then(|i| body.get(i))
        .is_some_and(alpha)
    {
        return Some(skip_word(body, d));
    }
    let rest = body.get(d..).unwrap_or_default();
    let run = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    match rest.get(run) {
        Some(b) if alpha(b) => Some(skip_word(body, d + run)),
        // A lone run: only a contiguous card or a `+` phone number can be one.
        Some(b) if !is_sep(*b) => lone_run(body, d, run),
        None => lone_run(body, d, run),
        _ => None,
    }
}

/// Where to resume after a digit run with no separator after it, unless it can be a number.
fn lone_run(body: &[u8], d: usize, run: usize) -> Option<usize> {
    let plus = d.checked_sub(1).and_then(|i| body.get(i)) == Some(&b'+');
    let possible = (plus && run >= 8) || (13..=19).contains(&run);
    (!possible).then_some(d + run)
}

/// The card groupings, as group lengths.
const GROUPINGS: [&[usize]; 4] = [&[4, 4, 4, 4, 3], &[4, 4, 4, 4], &[4, 6, 5], &[4, 6, 4]];

/// The first card number in a cluster.
fn find_card(c: &Cluster<'_>) -> Option<Span> {
    let groups = c.groups();
    let before = c.byte_before();
    // A decimal fraction (`0.4111…`) or a word (`ID4111…`) is not a card.
    let left_ok = match before {
        None => true,
        Some(b'.' | b',') => c
            .groups
            .first()
            .is_some_and(|g| g.0 < 2 || !c.body.get(g.0 - 2).is_some_and(u8::is_ascii_digit)),
        Some(b) => !is_wordish(b),
    };
    let right_ok = !c.byte_after().is_some_and(is_wordish);
    let mut buf = [0u8; 19];
    for (i, g) in groups.iter().enumerate() {
        let last = i + 1 == groups.len();
        let start_ok = if i == 0 {
            left_ok
        } else {
            c.sep_before(i) == b" "
        };
        // Contiguous digits.
        let len = g.1 - g.0;
        let end_ok = if last {
            right_ok
        } else {
            c.sep_before(i + 1) == b" "
        };
        if (13..=19).contains(&len)
            && start_ok
            && end_ok
            && c.body.get(g.0..g.1).is_some_and(luhn::is_card)
        {
            return Some(*g);
        }
        // Grouped digits.
        let start_ok = i > 0 || left_ok;
        for shape in GROUPINGS {
            let Some(run) = groups.get(i..i + shape.len()) else {
                continue;
            };
            let sep = c.sep_before(i + 1);
            if !start_ok || !(sep == b" " || sep == b"-") {
                continue;
            }
            let fits = run
                .iter()
                .zip(shape.iter())
                .enumerate()
                .all(|(k, (g, want))| g.1 - g.0 == *want && (k == 0 || c.sep_before(i + k) == sep));
            let ends_cluster = i + shape.len() == groups.len();
            if !fits || (ends_cluster && !right_ok) {
                continue;
            }
            let mut n = 0;
            for g in run {
                for d in c.body.get(g.0..g.1).unwrap_or_default() {
                    if let Some(slot) = buf.get_mut(n) {
                        *slot = *d;
                        n += 1;
                    }
                }
            }
            if luhn::is_card(buf.get(..n).unwrap_or_default()) {
                let end = run.last().map_or(g.1, |l| l.1);
                return Some((g.0, end));
            }
        }
    }
    None
}

/// [`skip_word`], for the tests.
#[cfg(test)]
pub(crate) fn skip_word_for_tests(body: &[u8], i: usize) -> usize {
    skip_word(body, i)
}
