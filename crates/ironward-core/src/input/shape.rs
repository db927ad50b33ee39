//! The byte classes a value holds, computed once per input during extraction.
//!
//! Most request values are words, numbers and ids (`sport`, `42`, `price_asc`). Every
//! detector used to find that out for itself, scanning each value for its own trigger bytes;
//! with eight detectors that was eight scans of every value. [`Shape`] is a 64-bit set with one
//! bit per ASCII punctuation byte and one per class of the other bytes (lower-case and
//! upper-case letters, digits, space, line breaks, other control bytes, non-ASCII). Extraction
//! computes it once for each value (one table lookup per byte), and a detector asks in one
//! instruction whether the value holds any byte that could make it fire ([`Shape::any`]) or
//! only bytes that cannot ([`Shape::within`]).
//!
//! A gate built on a shape must be exact in one direction: it may send a value the detector
//! then finds clean to the detector, never skip a value the detector would flag. Each gate's
//! test checks that on the labelled datasets and on generated values.

use std::fmt;

/// The ASCII punctuation bytes, in order: byte `PUNCTUATION[i]` sets bit `i`.
const PUNCTUATION: &[u8; 32] = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// The byte classes of one value: one bit per ASCII punctuation byte and one per class of the
/// other bytes (letters, digits, space, line breaks, control bytes, non-ASCII); see [`Shape::of`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Shape(u64);

impl Shape {
    /// No byte at all (the empty value).
    pub const EMPTY: Shape = Shape(0);
    /// `a`–`z`.
    pub const LOWER: Shape = Shape(1 << 32);
    /// `A`–`Z`.
    pub const UPPER: Shape = Shape(1 << 33);
    /// `0`–`9`.
    pub const DIGIT: Shape = Shape(1 << 34);
    /// The space (U+0020).
    pub const SPACE: Shape = Shape(1 << 35);
    /// A line break: `\n` or `\r`.
    pub const LINE: Shape = Shape(1 << 36);
    /// Any other control byte: `\0`–`\x1f` but `\n` and `\r` (so tab too), and `\x7f`.
    pub const CONTROL: Shape = Shape(1 << 37);
    /// A byte of a non-ASCII character (`\x80`–`\xff`).
    pub const NON_ASCII: Shape = Shape(1 << 38);
    /// ASCII letters.
    pub const ALPHA: Shape = Shape(Self::LOWER.0 | Self::UPPER.0);
    /// ASCII letters and digits.
    pub const ALNUM: Shape = Shape(Self::ALPHA.0 | Self::DIGIT.0);
    /// What an identifier is made of: ASCII letters, digits and `_`.
    pub const WORD: Shape = Self::ALNUM.union(Self::of_bytes(b"_"));

    /// The shape of a set of bytes, usable in constants: `Shape::of_bytes(b"<>\"'")`.
    pub const fn of_bytes(bytes: &[u8]) -> Shape {
        let mut bits = 0u64;
        let mut i = 0;
        while i < bytes.len() {
            bits |= TABLE[bytes[i] as usize];
            i += 1;
        }
        Shape(bits)
    }

    /// The shape of `value`: one table lookup per byte.
    pub fn of(value: &str) -> Shape {
        let bytes = value.as_bytes();
        // Four accumulators keep the loop from waiting on one chain of ORs.
        let mut acc = [0u64; 4];
        let mut chunks = bytes.chunks_exact(4);
        for c in chunks.by_ref() {
            for (a, &b) in acc.iter_mut().zip(c) {
                *a |= TABLE[usize::from(b)];
            }
        }
        for (a, &b) in acc.iter_mut().zip(chunks.remainder()) {
            *a |= TABLE[usize::from(b)];
        }
        Shape(acc[0] | acc[1] | acc[2] | acc[3])
    }

    /// Both sets of classes.
    pub const fn union(self, other: Shape) -> Shape {
        Shape(self.0 | other.0)
    }

    /// True when the value holds a byte of a class in `classes`.
    pub const fn any(self, classes: Shape) -> bool {
        self.0 & classes.0 != 0
    }

    /// True when every byte of the value is of a class in `allowed` (also for the empty value).
    pub const fn within(self, allowed: Shape) -> bool {
        self.0 & !allowed.0 == 0
    }

    /// The raw bits (for tests and debugging output).
    pub const fn bits(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, &b) in PUNCTUATION.iter().enumerate() {
            if self.0 & (1 << i) != 0 {
                out.push(char::from(b));
            }
        }
        for (class, name) in [
            (Shape::LOWER, " a-z"),
            (Shape::UPPER, " A-Z"),
            (Shape::DIGIT, " 0-9"),
            (Shape::SPACE, " space"),
            (Shape::LINE, " line"),
            (Shape::CONTROL, " control"),
            (Shape::NON_ASCII, " non-ascii"),
        ] {
            if self.any(class) {
                out.push_str(name);
            }
        }
        write!(f, "Shape({})", out.trim_start())
    }
}

/// The class bit of every byte.
const TABLE: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = match b as u8 {
            b'a'..=b'z' => Shape::LOWER.0,
            b'A'..=b'Z' => Shape::UPPER.0,
            b'0'..=b'9' => Shape::DIGIT.0,
            b' ' => Shape::SPACE.0,
            b'\n' | b'\r' => Shape::LINE.0,
            0..=0x1f | 0x7f => Shape::CONTROL.0,
            0x80..=0xff => Shape::NON_ASCII.0,
            _ => 0,
        };
        b += 1;
    }
    let mut i = 0;
    while i < PUNCTUATION.len() {
        t[PUNCTUATION[i] as usize] = 1 << i;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_byte_has_exactly_one_class() {
        for b in 0..=255u8 {
            assert_eq!(TABLE[usize::from(b)].count_ones(), 1, "byte {b:#x}");
        }
    }

    #[test]
    fn classes() {
        assert_eq!(Shape::of(""), Shape::EMPTY);
        assert!(Shape::of("price_asc").within(Shape::WORD));
        assert!(!Shape::of("price-asc").within(Shape::WORD));
        assert!(Shape::of("a<b").any(Shape::of_bytes(b"<")));
        assert!(Shape::of("a\tb").any(Shape::CONTROL));
        assert!(Shape::of("a\r\nb").any(Shape::LINE));
        assert!(!Shape::of("a\r\nb").any(Shape::CONTROL));
        assert!(Shape::of("café").any(Shape::NON_ASCII));
        assert_eq!(Shape::of("Ab1 "), Shape::of_bytes(b"bA9 "));
        assert_eq!(format!("{:?}", Shape::of("a<1")), "Shape(< a-z 0-9)");
    }

    proptest! {
        /// The shape is the union of its bytes' classes, whatever the length.
        #[test]
        fn shape_is_the_union_of_the_bytes(s in ".{0,40}") {
            let expected = Shape::of_bytes(s.as_bytes());
            prop_assert_eq!(Shape::of(&s), expected);
            for b in s.bytes() {
                prop_assert!(Shape::of(&s).any(Shape::of_bytes(&[b])));
            }
        }
    }
}
