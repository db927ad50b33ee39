//! Base64 and base64url, decoded only when the value plausibly is base64 of text.
//!
//! Applications decode base64 parameters and cookies (state blobs, "remember me" tokens, data
//! URIs), so attackers send `JyBPUiAxPTEgLS0=` for `' OR 1=1 --`. But most values of a request
//! are names, words, ids and hashes that happen to use the base64 alphabet, and decoding them
//! would only waste time and feed garbage to the detectors. A value is decoded only when:
//!
//! - after trimming ASCII whitespace it is at least 8 characters of one alphabet (standard `+/`
//!   or url-safe `-_`, never both), with at most two trailing `=` that, when present, complete
//!   the last quad, and a length that is not 1 modulo 4;
//! - it has at least one upper-case letter (base64 of ASCII text nearly always has one: the first
//!   character of each quad of printable ASCII is one of `I`–`Z`, `a`–`f`), so lower-case words,
//!   numbers, dates and lower-case hex hashes are rejected without decoding;
//! - it is not entirely hex digits (upper-case hashes);
//! - it decodes canonically (no stray trailing bits) to valid UTF-8 that is mostly printable
//!   text: at most 1 control character (other than tab, CR, LF) in 16, and at least half of the
//!   characters printable ASCII. Decoding checks a prefix in a stack buffer first, so rejected
//!   candidates cost no allocation.
//!
//! `data:…;base64,XXXX` URIs are decoded too (the part after `base64,`), with the same text
//! checks but without the word filters.

use base64::Engine;
use base64::alphabet;
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::PAD_INDIFFERENT;

/// Standard alphabet, padding optional, canonical trailing bits required.
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, PAD_INDIFFERENT);
/// Url-safe alphabet, padding optional, canonical trailing bits required.
pub(crate) const URL_SAFE: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, PAD_INDIFFERENT);

/// Shortest candidate, in characters (padding included): 6 decoded bytes.
pub const MIN_CANDIDATE_LEN: usize = 8;

/// Characters decoded into a stack buffer to reject a candidate before allocating.
const PROBE_CHARS: usize = 64;

/// Which base64 alphabet a candidate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    /// `+` and `/`.
    Standard,
    /// `-` and `_`.
    UrlSafe,
}

/// A value that passed the shape checks: the characters to decode and their alphabet.
#[derive(Debug, Clone, Copy)]
struct Candidate<'a> {
    /// The base64 characters, padding included.
    text: &'a str,
    alphabet: Alphabet,
}

/// The `data:` URI prefix, matched case-insensitively.
const DATA_URI_PREFIX: &str = "data:";
/// What separates the media type from the payload in a base64 data URI.
const DATA_URI_BASE64_MARKER: &str = ";base64,";

/// Cheap test, without decoding or allocating: true when `s` has the shape of a base64 candidate
/// or of a base64 `data:` URI. [`decode_candidate`] may still reject it.
pub fn is_candidate(s: &str) -> bool {
    shape(s).is_some()
}

/// The decoded text of `s` when `s` is plausibly base64 (or a base64 `data:` URI) of text.
pub fn decode_candidate(s: &str) -> Option<String> {
    decode_candidate_bounded(s, usize::MAX).map(|(text, _)| text)
}

/// Like [`decode_candidate`], decoding at most about `max_len` bytes: returns the text and
/// whether the input was cut short to respect the bound.
pub fn decode_candidate_bounded(s: &str, max_len: usize) -> Option<(String, bool)> {
    let candidate = shape(s)?;
    decode_text(candidate, max_len)
}

/// The candidate in `s`, if its shape allows one.
fn shape(s: &str) -> Option<Candidate<'_>> {
    let trimmed = s.trim_ascii();
    if let Some(payload) = data_uri_payload(trimmed) {
        return payload_shape(payload, false);
    }
    payload_shape(trimmed, true)
}

/// The part of a `data:…;base64,` URI after the marker.
fn data_uri_payload(s: &str) -> Option<&str> {
    let prefix = s.get(..DATA_URI_PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(DATA_URI_PREFIX) {
        return None;
    }
    let rest = s.get(DATA_URI_PREFIX.len()..)?;
    // The media type is short; do not scan a long value for the marker.
    let head = rest.get(..rest.len().min(256)).unwrap_or(rest);
    let marker = memchr::memmem::find(head.as_bytes(), DATA_URI_BASE64_MARKER.as_bytes())?;
    rest.get(marker + DATA_URI_BASE64_MARKER.len()..)
}

/// Byte classes for the one-pass alphabet scan of [`payload_shape`].
mod class {
    /// `A`–`F`.
    pub(super) const UPPER_HEX: u8 = 1;
    /// `G`–`Z`.
    pub(super) const UPPER_OTHER: u8 = 1 << 1;
    /// `0`–`9`, `a`–`f`.
    pub(super) const LOWER_HEX_OR_DIGIT: u8 = 1 << 2;
    /// `g`–`z`.
    pub(super) const LOWER_OTHER: u8 = 1 << 3;
    /// `+` and `/`.
    pub(super) const STANDARD_SYMBOL: u8 = 1 << 4;
    /// `-` and `_`.
    pub(super) const URL_SAFE_SYMBOL: u8 = 1 << 5;
    /// Anything else.
    pub(super) const INVALID: u8 = 1 << 6;

    /// The class of each byte.
    pub(super) const TABLE: [u8; 256] = {
        let mut table = [INVALID; 256];
        let mut byte = 0;
        while byte < 256 {
            table[byte] = match byte as u8 {
                b'A'..=b'F' => UPPER_HEX,
                b'G'..=b'Z' => UPPER_OTHER,
                b'0'..=b'9' | b'a'..=b'f' => LOWER_HEX_OR_DIGIT,
                b'g'..=b'z' => LOWER_OTHER,
                b'+' | b'/' => STANDARD_SYMBOL,
                b'-' | b'_' => URL_SAFE_SYMBOL,
                _ => INVALID,
            };
            byte += 1;
        }
        table
    };
}

/// The union of the classes of `bytes`, stopping early at an invalid byte.
fn byte_classes(bytes: &[u8]) -> u8 {
    let mut seen = 0u8;
    for chunk in bytes.chunks(16) {
        for &byte in chunk {
            seen |= class::TABLE[usize::from(byte)];
        }
        if seen & class::INVALID != 0 {
            break;
        }
    }
    seen
}

/// Checks alphabet, length and padding of `text`; `word_filters` also rejects text without an
/// upper-case letter and all-hex text.
fn payload_shape(text: &str, word_filters: bool) -> Option<Candidate<'_>> {
    let bytes = text.as_bytes();
    if bytes.len() < MIN_CANDIDATE_LEN {
        return None;
    }
    let padding = bytes
        .iter()
        .rev()
        .take(3)
        .take_while(|b| **b == b'=')
        .count();
    let body_len = bytes.len() - padding;
    if padding > 2 || body_len % 4 == 1 || (padding > 0 && !bytes.len().is_multiple_of(4)) {
        return None;
    }
    let seen = byte_classes(bytes.get(..body_len)?);
    let standard = seen & class::STANDARD_SYMBOL != 0;
    let url_safe = seen & class::URL_SAFE_SYMBOL != 0;
    if seen & class::INVALID != 0 || (standard && url_safe) {
        return None;
    }
    if word_filters {
        let upper = seen & (class::UPPER_HEX | class::UPPER_OTHER) != 0;
        let all_hex = seen & !(class::UPPER_HEX | class::LOWER_HEX_OR_DIGIT) == 0;
        if !upper || all_hex {
            return None;
        }
    }
    let alphabet = if url_safe {
        Alphabet::UrlSafe
    } else {
        Alphabet::Standard
    };
    Some(Candidate { text, alphabet })
}

fn engine(alphabet: Alphabet) -> &'static GeneralPurpose {
    match alphabet {
        Alphabet::Standard => &STANDARD,
        Alphabet::UrlSafe => &URL_SAFE,
    }
}

/// The longest prefix of `bytes` that is valid UTF-8, when only a character cut at the end
/// (if any) keeps all of `bytes` from being valid.
fn utf8_prefix(bytes: &[u8]) -> Option<&str> {
    match std::str::from_utf8(bytes) {
        Ok(valid) => Some(valid),
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(bytes.get(..error.valid_up_to())?).ok()
        }
        Err(_) => None,
    }
}

/// Decodes a candidate whose shape passed, when the result is plausible text.
fn decode_text(candidate: Candidate<'_>, max_len: usize) -> Option<(String, bool)> {
    let engine = engine(candidate.alphabet);
    let text = candidate.text;
    // Decode whole quads only when the bound cuts the input.
    let max_chars = (max_len / 3).saturating_add(1).saturating_mul(4);
    let (input, truncated) = if text.len() > max_chars {
        (text.get(..max_chars)?, true)
    } else {
        (text, false)
    };

    // Probe (at most) a prefix on the stack first: most rejected candidates stop here, and a
    // short candidate is decoded whole without a second pass.
    let mut probe = [0u8; PROBE_CHARS / 4 * 3];
    let probe_input = input.get(..PROBE_CHARS).unwrap_or(input);
    let used = engine.decode_slice(probe_input, &mut probe).ok()?;
    let head = probe.get(..used)?;
    if probe_input.len() == input.len() {
        let decoded = if truncated {
            utf8_prefix(head)?
        } else {
            std::str::from_utf8(head).ok()?
        };
        return is_mostly_text(decoded).then(|| (decoded.to_owned(), truncated));
    }
    if !is_mostly_text(utf8_prefix(head)?) {
        return None;
    }

    let bytes = engine.decode(input).ok()?;
    let decoded = if truncated {
        utf8_prefix(&bytes)?.to_owned()
    } else {
        String::from_utf8(bytes).ok()?
    };
    is_mostly_text(&decoded).then_some((decoded, truncated))
}

/// True for text: at most one control character (besides tab, CR, LF) in 16, and at least half
/// of the characters printable ASCII or ASCII whitespace.
fn is_mostly_text(text: &str) -> bool {
    let (mut total, mut controls, mut ascii_printable) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c.is_ascii_graphic() || matches!(c, ' ' | '\t' | '\n' | '\r') {
            ascii_printable += 1;
        } else if c.is_control() || c == char::REPLACEMENT_CHARACTER {
            controls += 1;
        }
    }
    total > 0 && controls * 16 <= total && ascii_printable * 2 >= total
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::engine::general_purpose;
    use proptest::prelude::*;

    #[test]
    fn decodes_plausible_candidates() {
        let std_encoded = |s: &str| general_purpose::STANDARD.encode(s);
        let url_encoded = |s: &str| general_purpose::URL_SAFE_NO_PAD.encode(s);
        let payloads = [
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../../../etc/passwd",
            "; cat /etc/passwd",
            "http://169.254.169.254/latest/meta-data/",
            "{\"user\":\"admin' --\"}",
            "<svg/onload=alert(1)>??>",
            "a\tb\nc\r\nline two with some words",
        ];
        for payload in payloads {
            for encoded in [std_encoded(payload), url_encoded(payload)] {
                assert_eq!(
                    decode_candidate(&encoded).as_deref(),
                    Some(payload),
                    "{encoded}"
                );
                assert!(is_candidate(&encoded));
            }
        }
        // Padding is optional, whitespace around is trimmed.
        assert_eq!(
            decode_candidate(" JyBPUiAxPTEgLS0 ").as_deref(),
            Some("' OR 1=1 --")
        );
    }

    #[test]
    fn decodes_data_uris() {
        let uri = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==";
        assert_eq!(
            decode_candidate(uri).as_deref(),
            Some("<script>alert(1)</script>")
        );
        let upper = "DATA:text/html;charset=utf-8;base64,PHN2Zz4=";
        assert_eq!(decode_candidate(upper).as_deref(), Some("<svg>"));
        // Binary data (a PNG header) is not text.
        assert_eq!(
            decode_candidate("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA"),
            None
        );
        assert_eq!(decode_candidate("data:text/plain,hello"), None);
    }

    #[test]
    fn rejects_benign_values() {
        for value in [
            "hello world",
            "password",
            "Password",
            "Administrator",
            "test1234",
            "John Smith",
            "JohnSmith",
            "HelloWorld",
            "getUserById",
            "550e8400-e29b-41d4-a716-446655440000",
            "d41d8cd98f00b204e9800998ecf8427e",
            "D41D8CD98F00B204E9800998ECF8427E",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "2024-01-01",
            "1234567890123456",
            "user@example.com",
            "short",
            "aGVsbG8",
            "abc+def_ghiJ",
            "ABCDEFGHIJKL=",
            "ABCDEFGHIJ===",
            "AAAAAAAAAAAA",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        ] {
            assert_eq!(decode_candidate(value), None, "{value}");
        }
    }

    #[test]
    fn random_tokens_are_rejected_without_allocating_much() {
        // A 43-character random session token (32 random bytes, url-safe).
        assert_eq!(
            decode_candidate("q3RkT8m2xWbH0e_VfPz9yL4nJc1aGs7uKd6oIhEtB5Y"),
            None
        );
    }

    #[test]
    fn bounded_decoding_cuts_at_whole_quads() {
        let encoded = general_purpose::STANDARD.encode("<script>alert(1)</script>".repeat(10));
        let (text, truncated) = decode_candidate_bounded(&encoded, 20).unwrap();
        assert!(truncated);
        assert_eq!(text, "<script>alert(1)</scr");
        let (text, truncated) = decode_candidate_bounded(&encoded, 1000).unwrap();
        assert!(!truncated);
        assert_eq!(text.len(), 250);
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>(), max_len in 0usize..64) {
            let _ = decode_candidate(&text);
            let _ = decode_candidate_bounded(&text, max_len);
        }

        #[test]
        fn never_panics_on_base64_soup(text in "[A-Za-z0-9+/_=-]{0,90}", max_len in 0usize..64) {
            if let Some((decoded, _)) = decode_candidate_bounded(&text, max_len) {
                prop_assert!(decoded.len() <= max_len + 3);
            }
        }

        #[test]
        fn printable_ascii_with_upper_case_round_trips(text in "[A-Z][ -~]{5,80}") {
            let encoded = general_purpose::STANDARD.encode(&text);
            // Encodings without an upper-case letter are knowingly skipped.
            if encoded.bytes().any(|b| b.is_ascii_uppercase()) {
                prop_assert_eq!(decode_candidate(&encoded), Some(text.clone()));
            }
            let url = general_purpose::URL_SAFE_NO_PAD.encode(&text);
            if url.bytes().any(|b| b.is_ascii_uppercase()) {
                prop_assert_eq!(decode_candidate(&url), Some(text));
            }
        }
    }
}
