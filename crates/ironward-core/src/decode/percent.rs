//! Percent-decoding (`%XX`, IIS-style `%uXXXX`), one round or repeated.
//!
//! Attackers hide payloads behind one more layer of percent-encoding than the application's
//! front end removes (`%252e%252e%252f` → `%2e%2e%2f` → `../`), behind IIS's `%u` notation
//! (`%u003c`), and behind overlong UTF-8 (`%c0%af` for `/`) that some decoders still map to
//! ASCII. These functions undo all of that so the detectors see the payload in clear:
//!
//! - malformed sequences (`50% off`, `%zz`, a trailing `%`) are kept verbatim;
//! - `%00` decodes to U+0000, which is kept for the detectors;
//! - overlong UTF-8 encodings of ASCII characters decode to that character; any other invalid
//!   UTF-8 becomes U+FFFD;
//! - a value with nothing to decode is returned borrowed, without allocating.

use std::borrow::Cow;

/// The value of an ASCII hex digit.
fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The byte encoded by the two hex digits at `bytes[at..at + 2]`.
fn hex_byte_at(bytes: &[u8], at: usize) -> Option<u8> {
    let high = hex_value(*bytes.get(at)?)?;
    let low = hex_value(*bytes.get(at + 1)?)?;
    Some(high << 4 | low)
}

/// The 16-bit unit encoded by the four hex digits at `bytes[at..at + 4]`.
fn hex_unit_at(bytes: &[u8], at: usize) -> Option<u16> {
    let high = u16::from(hex_byte_at(bytes, at)?);
    let low = u16::from(hex_byte_at(bytes, at + 2)?);
    Some(high << 8 | low)
}

/// The `%uXXXX` sequence at `bytes[at..]` (which starts with `%`), if there is one.
fn percent_u_unit_at(bytes: &[u8], at: usize) -> Option<u16> {
    match bytes.get(at + 1) {
        Some(b'u' | b'U') => hex_unit_at(bytes, at + 2),
        _ => None,
    }
}

/// True when `s` holds at least one sequence that [`decode`] would change.
pub fn has_escape(s: &str) -> bool {
    first_escape(s.as_bytes()).is_some()
}

/// The position of the first `%` that starts a `%XX` or `%uXXXX` sequence.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'%', bytes)
        .find(|&at| hex_byte_at(bytes, at + 1).is_some() || percent_u_unit_at(bytes, at).is_some())
}

/// One round of percent-decoding; `+` is left alone. Borrows when nothing was decoded.
pub fn decode(s: &str) -> Cow<'_, str> {
    decode_with(s, false)
}

/// One round of form-style decoding: percent-decoding plus `+` → space.
pub fn decode_plus(s: &str) -> Cow<'_, str> {
    decode_with(s, true)
}

/// Decodes repeatedly while the value changes, at most `max_rounds` times.
///
/// Returns the decoded value, the number of rounds that changed it, and whether it would still
/// have changed with one more round (the cap was hit).
pub fn decode_repeated(s: &str, max_rounds: usize) -> (Cow<'_, str>, usize, bool) {
    let mut current = Cow::Borrowed(s);
    let mut rounds = 0;
    while rounds < max_rounds {
        match decode(&current) {
            Cow::Borrowed(_) => return (current, rounds, false),
            Cow::Owned(next) => current = Cow::Owned(next),
        }
        rounds += 1;
    }
    let capped = has_escape(&current);
    (current, rounds, capped)
}

fn decode_with(s: &str, plus_is_space: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    // Allocate only once there is something to decode ("50% off" has nothing).
    let first_plus = if plus_is_space {
        memchr::memchr(b'+', bytes)
    } else {
        None
    };
    let first_escape = first_escape(
        bytes
            .get(..first_plus.unwrap_or(bytes.len()))
            .unwrap_or_default(),
    );
    let Some(first) = first_escape.or(first_plus) else {
        return Cow::Borrowed(s);
    };

    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    out.extend_from_slice(bytes.get(..first).unwrap_or_default());
    let mut changed = false;
    let mut at = first;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'+' if plus_is_space => {
                out.push(b' ');
                changed = true;
                at += 1;
            }
            b'%' => {
                if let Some(decoded) = hex_byte_at(bytes, at + 1) {
                    out.push(decoded);
                    changed = true;
                    at += 3;
                } else if let Some(unit) = percent_u_unit_at(bytes, at) {
                    at += 6;
                    let low = if (0xD800..0xDC00).contains(&unit) {
                        percent_u_unit_at(bytes, at).filter(|low| (0xDC00..0xE000).contains(low))
                    } else {
                        None
                    };
                    let decoded = match low {
                        Some(low) => {
                            at += 6;
                            char::decode_utf16([unit, low]).next().and_then(Result::ok)
                        }
                        None => char::from_u32(u32::from(unit)),
                    };
                    let decoded = decoded.unwrap_or(char::REPLACEMENT_CHARACTER);
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(decoded.encode_utf8(&mut buffer).as_bytes());
                    changed = true;
                } else {
                    out.push(b'%');
                    at += 1;
                }
            }
            _ => {
                // Copy the run up to the next byte of interest in one go.
                let rest = bytes.get(at..).unwrap_or_default();
                let run = if plus_is_space {
                    memchr::memchr2(b'%', b'+', rest)
                } else {
                    memchr::memchr(b'%', rest)
                }
                .unwrap_or(rest.len());
                out.extend_from_slice(rest.get(..run).unwrap_or_default());
                at += run;
            }
        }
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    Cow::Owned(bytes_to_string(out))
}

/// Turns decoded bytes into text: valid UTF-8 as is, overlong encodings of ASCII as that ASCII
/// character, anything else invalid as U+FFFD.
fn bytes_to_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => repair_utf8(&error.into_bytes()),
    }
}

fn repair_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let skip = match overlong_ascii(rest) {
                    Some((ascii, used)) => {
                        out.push(char::from(ascii));
                        used
                    }
                    None => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        error.error_len().unwrap_or(rest.len()).max(1)
                    }
                };
                bytes = rest.get(skip..).unwrap_or_default();
            }
        }
    }
}

/// An overlong (2, 3 or 4 byte) UTF-8 encoding of an ASCII character at the start of `bytes`:
/// the character and the number of bytes it used.
fn overlong_ascii(bytes: &[u8]) -> Option<(u8, usize)> {
    let is_continuation = |b: &u8| b & 0xC0 == 0x80;
    let payload = |b: u8| u32::from(b & 0x3F);
    let (value, used) = match *bytes {
        [lead @ (0xC0 | 0xC1), b1, ..] if is_continuation(&b1) => {
            (u32::from(lead & 0x1F) << 6 | payload(b1), 2)
        }
        [0xE0, b1, b2, ..] if is_continuation(&b1) && is_continuation(&b2) => {
            (payload(b1) << 6 | payload(b2), 3)
        }
        [0xF0, b1, b2, b3, ..]
            if is_continuation(&b1) && is_continuation(&b2) && is_continuation(&b3) =>
        {
            (payload(b1) << 12 | payload(b2) << 6 | payload(b3), 4)
        }
        _ => return None,
    };
    let ascii = u8::try_from(value).ok().filter(u8::is_ascii)?;
    Some((ascii, used))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn single_round() {
        let cases: &[(&str, &str)] = &[
            ("%27", "'"),
            ("%2527", "%27"),
            ("a%20b+c", "a b+c"),
            ("%3Cscript%3E", "<script>"),
            ("%3cscript%3e", "<script>"),
            ("%c0%ae%c0%ae%c0%af", "../"),
            ("%e0%80%af", "/"),
            ("%f0%80%80%af", "/"),
            ("%u003cscript%u003e", "<script>"),
            ("%U0027", "'"),
            ("%uD83D%uDE00", "\u{1F600}"),
            ("%uD83Dx", "\u{FFFD}x"),
            ("%uDE00", "\u{FFFD}"),
            ("%00", "\0"),
            ("%ff", "\u{FFFD}"),
            ("%c3%a9", "é"),
            ("%c3", "\u{FFFD}"),
            ("%e0%80", "\u{FFFD}\u{FFFD}"),
            ("%c1%81", "A"),
            ("%zz%2", "%zz%2"),
            ("100%", "100%"),
            ("%%41", "%A"),
            ("%u12", "%u12"),
            ("é%41é", "éAé"),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(input), *expected, "decode({input:?})");
        }
    }

    #[test]
    fn nothing_to_decode_borrows() {
        for input in ["hello world", "50% off", "%", "%g0", "a+b", ""] {
            assert!(matches!(decode(input), Cow::Borrowed(_)), "{input:?}");
        }
        assert!(!has_escape("50% off"));
        assert!(has_escape("5%20"));
        assert!(has_escape("%u0041"));
    }

    #[test]
    fn plus_is_space_in_form_mode_only() {
        assert_eq!(decode_plus("a+b%2Bc"), "a b+c");
        assert_eq!(decode("a+b%2Bc"), "a+b+c");
        assert!(matches!(decode_plus("ab"), Cow::Borrowed(_)));
    }

    #[test]
    fn repeated() {
        assert_eq!(
            decode_repeated("%252e%252e%252f", 3),
            (Cow::Borrowed("../"), 2, false)
        );
        assert_eq!(decode_repeated("%2527", 3), (Cow::Borrowed("'"), 2, false));
        let (value, rounds, capped) = decode_repeated("%25252527", 2);
        assert_eq!((value.as_ref(), rounds, capped), ("%2527", 2, true));
        let (value, rounds, capped) = decode_repeated("%252527", 3);
        assert_eq!((value.as_ref(), rounds, capped), ("'", 3, false));
        assert_eq!(
            decode_repeated("plain", 3),
            (Cow::Borrowed("plain"), 0, false)
        );
        assert_eq!(decode_repeated("%41", 0), (Cow::Borrowed("%41"), 0, true));
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(text in any::<String>()) {
            let encoded =
                percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            prop_assert_eq!(decode(&encoded), text.as_str());
        }

        #[test]
        fn never_panics(text in any::<String>(), rounds in 0usize..5) {
            let _ = decode(&text);
            let _ = decode_plus(&text);
            let (_, used, _) = decode_repeated(&text, rounds);
            prop_assert!(used <= rounds);
        }

        #[test]
        fn never_panics_on_percent_soup(text in "[%uU0-9a-fA-F+cCeE]{0,40}") {
            let _ = decode(&text);
            let _ = decode_plus(&text);
        }
    }
}
