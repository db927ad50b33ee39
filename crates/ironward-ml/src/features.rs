//! Feature extraction for the linear models: normalisation, then hashed character n-grams
//! and hashed word unigrams and bigrams. **Frozen** (version [`FEATURES_V1`]): the committed
//! weights depend on every detail here, so any change needs a new version and retrained models,
//! and the golden tests at the bottom fail loudly on an accidental change.
//!
//! # Normalisation
//! ASCII letters are lowercased, every run of ASCII digits becomes one `0`, every run of ASCII
//! whitespace becomes one space, other bytes (including UTF-8 sequences) stay as they are. The
//! text is framed by `\x02` and `\x03` so that n-grams see where the value starts and ends
//! (a quote at the very start matters for SQL).
//!
//! # Features
//! - every character (byte) n-gram of length 2 to 4 of the framed text;
//! - every word (a run of `[a-z0-9_]`) and every other non-space byte as a token, hashed as a
//!   unigram and as a bigram with the next token (`union select`, `' or`, `= 0`).
//!
//! An n-gram (at most 4 bytes) is its own 32-bit key, multiplied by an odd constant chosen by
//! its length; the top `bits` bits of the product pick one of `2^bits` buckets. A token is
//! hashed with FNV-1a 64 from its own basis and finished with a multiply by 2^64/φ; a bigram
//! mixes its two tokens' hashes. Buckets carry no sign: with 2^16 buckets and a few hundred
//! features per value, collisions are rare enough, and the sum stays one load and one add per
//! feature. Values are not counted individually:
//! the model divides the sum of weights by the square root of the number of features, which
//! makes long values neither more nor less suspicious for being long.

/// Version of the feature extraction described above.
pub const FEATURES_V1: u8 = 1;

/// Longest n-gram.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Basis for token features (FNV-1a of "tok"), so a token and the same bytes as an n-gram
/// land in different buckets.
const TOKEN_BASIS: u64 = 0x7fa3_58c4_d9e5_a3b1;
/// Framing bytes.
const START: u8 = 0x02;
const END: u8 = 0x03;

/// The normalised, framed bytes of `value` (see the module docs).
pub fn normalized(value: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut prev = 0u8;
    let body = value.iter().filter_map(move |&b| {
        let c = match b {
            b'A'..=b'Z' => b | 0x20,
            b'0'..=b'9' => b'0',
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => b' ',
            _ => b,
        };
        if (c == b'0' || c == b' ') && c == prev {
            return None;
        }
        prev = c;
        Some(c)
    });
    std::iter::once(START)
        .chain(body)
        .chain(std::iter::once(END))
}

/// Appends the normalised, framed form of `value` (at most `max` input bytes) to `out`.
pub fn normalize_into(value: &[u8], max: usize, out: &mut Vec<u8>) {
    out.extend(normalized(&value[..value.len().min(max)]));
}

/// Multipliers of the n-gram hashes, one per length 2, 3 and 4 (odd 32-bit constants taken
/// from the digits of φ, π and e), so that `"ab"` and `"\0ab"` land apart.
const NGRAM_MUL: [u32; 3] = [0x9e37_79b9, 0x243f_6a89, 0xb7e1_5163];
/// The multiplier finishing token hashes (2^64 / φ, odd).
const TOKEN_MUL: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn is_word(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b >= 0x80
}

/// Calls `emit` with the bucket of every feature of the normalised text `norm` (from
/// [`normalize_into`]), for `2^bits` buckets (`bits` is clamped to 8..=24).
#[inline]
pub fn for_each_feature(norm: &[u8], bits: u8, mut emit: impl FnMut(u32)) {
    let bits = u32::from(bits.clamp(8, 24));
    let shift = 32 - bits;
    // Character n-grams of 2 to 4 bytes, by the position they end at: an n-gram fits in a u32,
    // so its hash is its bytes times its length's multiplier; the top bits pick the bucket.
    let mut window: u32 = 0;
    for (i, &b) in norm.iter().enumerate() {
        window = (window << 8) | u32::from(b);
        if i >= 3 {
            emit(((window & 0xffff).wrapping_mul(NGRAM_MUL[0])) >> shift);
            emit(((window & 0x00ff_ffff).wrapping_mul(NGRAM_MUL[1])) >> shift);
            emit(window.wrapping_mul(NGRAM_MUL[2]) >> shift);
        } else if i >= 1 {
            emit(((window & 0xffff).wrapping_mul(NGRAM_MUL[0])) >> shift);
            if i == 2 {
                emit(((window & 0x00ff_ffff).wrapping_mul(NGRAM_MUL[1])) >> shift);
            }
        }
    }
    // Word tokens: unigrams and bigrams, hashed with FNV-1a and finished with one multiply.
    let token_shift = 64 - bits;
    let mut prev: Option<u64> = None;
    let mut i = 0;
    while i < norm.len() {
        let b = norm[i];
        if b == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        if is_word(b) {
            while i < norm.len() && is_word(norm[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
        let mut h = TOKEN_BASIS;
        for &c in &norm[start..i] {
            h ^= u64::from(c);
            h = h.wrapping_mul(FNV_PRIME);
        }
        emit((h.wrapping_mul(TOKEN_MUL) >> token_shift) as u32);
        if let Some(p) = prev {
            // A bigram: mix the previous token's hash into this one's, order-sensitive.
            let bi = (p.rotate_left(17) ^ h).wrapping_mul(TOKEN_MUL);
            emit((bi >> token_shift) as u32);
        }
        prev = Some(h);
    }
}

/// How many features [`for_each_feature`] emits for `norm` (without hashing them).
pub fn feature_count(norm: &[u8]) -> usize {
    let mut n = 0;
    for_each_feature(norm, 8, |_| n += 1);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let mut out = Vec::new();
        normalize_into(s.as_bytes(), usize::MAX, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            norm("SELECT  *\tFROM t WHERE id=12345"),
            "\x02select * from t where id=0\x03"
        );
        assert_eq!(norm("Zoë 1.25"), "\x02zoë 0.0\x03");
        let mut out = Vec::new();
        normalize_into(b"abcdef", 3, &mut out);
        assert_eq!(out, b"\x02abc\x03");
    }

    #[test]
    fn counts() {
        let n = norm("ab c");
        // 6 framed bytes: 5 + 4 + 3 n-grams; tokens \x02, ab, c, \x03: 4 unigrams + 3 bigrams.
        assert_eq!(feature_count(n.as_bytes()), 12 + 7);
    }

    #[test]
    fn hashing_is_frozen() {
        // Golden values: a change here invalidates every committed model.
        let mut got = Vec::new();
        for_each_feature(&norm("' or 1=1--").into_bytes(), 16, |f| got.push(f));
        let sum: u64 = got.iter().map(|&f| u64::from(f)).sum();
        assert_eq!((got.len(), sum, &got[..4]), GOLDEN);
    }

    const GOLDEN: (usize, u64, &[u32]) = (47, 1_572_133, &[35174, 14970, 1594, 35140]);
}
