//! Backslash escapes as JavaScript, JSON, C and Python write them.
//!
//! Payloads reach JavaScript string contexts and templating layers escaped so that filters miss
//! them (`\u003cimg src=x onerror=alert(1)\u003e`, `\x3cscript\x3e`, `\'` inside an
//! already-quoted JSON string). This decoder handles:
//!
//! - `\uXXXX` (surrogate pairs combined, a lone surrogate becomes U+FFFD) and `\u{X…}`;
//! - `\xXX`: consecutive `\x` bytes that form valid UTF-8 decode as UTF-8, otherwise each byte
//!   is read as Latin-1;
//! - octal `\NNN` with exactly three digits (`\074`, at most `\377`), and `\0` not followed by a
//!   digit (NUL);
//! - `\n \t \r \b \f \v \\ \' \" \/`.
//!
//! Any other escape is kept verbatim with its backslash (so `C:\Users` is unchanged), and a value
//! without `\` is returned borrowed, without allocating.

use super::rewrite::rewrite;
use std::borrow::Cow;

/// Decodes the backslash escapes in `s`. Borrows when there is nothing to decode.
pub fn unescape(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    // A backslash that starts no escape is kept, and the scan goes on from the next character,
    // so that `\q\n` still decodes the `\n`.
    rewrite(
        s,
        b'\\',
        |at| escape_at(bytes, at),
        |buffer, decoded| match decoded {
            Decoded::Char(c) => buffer.push(c),
            Decoded::Bytes(raw) => push_raw_bytes(buffer, &raw),
        },
    )
}

enum Decoded {
    Char(char),
    /// A run of `\xXX` bytes.
    Bytes(Vec<u8>),
}

/// Raw bytes from `\x` escapes: as UTF-8 when they are valid UTF-8, else one Latin-1 character
/// per byte.
fn push_raw_bytes(out: &mut String, raw: &[u8]) {
    match std::str::from_utf8(raw) {
        Ok(text) => out.push_str(text),
        Err(_) => out.extend(raw.iter().map(|b| char::from(*b))),
    }
}

fn hex_digits_value(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, digit| {
        let digit = char::from(*digit).to_digit(16)?;
        Some(value << 4 | digit)
    })
}

/// The `\uXXXX` code unit at `bytes[at..]` (which starts with `\`).
fn u4_at(bytes: &[u8], at: usize) -> Option<u16> {
    if bytes.get(at + 1) != Some(&b'u') {
        return None;
    }
    let value = hex_digits_value(bytes.get(at + 2..at + 6)?)?;
    u16::try_from(value).ok()
}

/// The `\xXX` byte at `bytes[at..]` (which starts with `\`).
fn x2_at(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at + 1) != Some(&b'x') {
        return None;
    }
    u8::try_from(hex_digits_value(bytes.get(at + 2..at + 4)?)?).ok()
}

/// The escape starting at `bytes[at]` (a `\`): what it decodes to and how many bytes it used.
fn escape_at(bytes: &[u8], at: usize) -> Option<(Decoded, usize)> {
    let simple = |c: char| Some((Decoded::Char(c), 2));
    match *bytes.get(at + 1)? {
        b'n' => simple('\n'),
        b't' => simple('\t'),
        b'r' => simple('\r'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'v' => simple('\u{b}'),
        b'\\' => simple('\\'),
        b'\'' => simple('\''),
        b'"' => simple('"'),
        b'/' => simple('/'),
        b'u' if bytes.get(at + 2) == Some(&b'{') => braced_unicode(bytes, at),
        b'u' => {
            let unit = u4_at(bytes, at)?;
            if (0xD800..0xDC00).contains(&unit)
                && let Some(low) = u4_at(bytes, at + 6).filter(|low| (0xDC00..0xE000).contains(low))
            {
                let c = char::decode_utf16([unit, low]).next().and_then(Result::ok);
                return Some((Decoded::Char(c.unwrap_or(char::REPLACEMENT_CHARACTER)), 12));
            }
            let c = char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER);
            Some((Decoded::Char(c), 6))
        }
        b'x' => {
            let mut raw = Vec::new();
            let mut used = 0;
            while let Some(byte) = x2_at(bytes, at + used) {
                raw.push(byte);
                used += 4;
            }
            if raw.is_empty() {
                return None;
            }
            Some((Decoded::Bytes(raw), used))
        }
        b'0'..=b'7' => octal(bytes, at),
        _ => None,
    }
}

/// `\u{X…}` with one to six hex digits.
fn braced_unicode(bytes: &[u8], at: usize) -> Option<(Decoded, usize)> {
    let digits_start = at + 3;
    let rest = bytes.get(digits_start..)?;
    let digit_count = rest
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if digit_count == 0 || digit_count > 6 || rest.get(digit_count) != Some(&b'}') {
        return None;
    }
    let value = hex_digits_value(rest.get(..digit_count)?)?;
    let c = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
    Some((Decoded::Char(c), 3 + digit_count + 1))
}

/// `\NNN` (three octal digits, at most `\377`) or `\0` not followed by a digit.
fn octal(bytes: &[u8], at: usize) -> Option<(Decoded, usize)> {
    let digits = bytes.get(at + 1..).unwrap_or_default();
    let is_octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    if is_octal(digits.first()) && is_octal(digits.get(1)) && is_octal(digits.get(2)) {
        let value = digits
            .iter()
            .take(3)
            .fold(0u32, |value, digit| value << 3 | u32::from(digit - b'0'));
        if let Ok(byte) = u8::try_from(value) {
            return Some((Decoded::Char(char::from(byte)), 4));
        }
        return None;
    }
    if digits.first() == Some(&b'0') && !digits.get(1).is_some_and(u8::is_ascii_digit) {
        return Some((Decoded::Char('\0'), 2));
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_escapes() {
        let cases: &[(&str, &str)] = &[
            (
                r"\u003cimg src=x onerror=alert(1)\u003e",
                "<img src=x onerror=alert(1)>",
            ),
            (r"\x3c", "<"),
            (r"\x3Cscript\x3E", "<script>"),
            (r"\xc3\xa9", "é"),
            (r"\xe9", "é"),
            (r"\xff\x41", "\u{ff}A"),
            (r"\u{3c}", "<"),
            (r"\u{1F600}", "\u{1F600}"),
            (r"\u{110000}", "\u{FFFD}"),
            (r"\ud83d\ude00", "\u{1F600}"),
            (r"\ud83d", "\u{FFFD}"),
            (r"\ude00\ud83d", "\u{FFFD}\u{FFFD}"),
            (r"\074script\076", "<script>"),
            (r"\047", "'"),
            (r"\0", "\0"),
            (r"a\0b", "a\0b"),
            (r"\n\t\r\b\f\v", "\n\t\r\u{8}\u{c}\u{b}"),
            (r"\\\'\/\x22", "\\'/\""),
            (r#"\""#, "\""),
            (r"\q\n", "\\q\n"),
            (r"\\u0041", r"\u0041"),
            (r"C:\temp", "C:\temp"),
            ("é\\u00e9é", "ééé"),
        ];
        for (input, expected) in cases {
            assert_eq!(unescape(input), *expected, "unescape({input:?})");
        }
    }

    #[test]
    fn keeps_unknown_escapes() {
        for input in [
            r"C:\Users",
            r"\q",
            r"\",
            r"a\",
            r"\u12",
            r"\u{}",
            r"\u{1234567}",
            r"\u{12",
            r"\xg1",
            r"\x4",
            r"\08",
            r"\12",
            r"\400",
            r"\é",
            "no backslash",
        ] {
            assert!(matches!(unescape(input), Cow::Borrowed(_)), "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = unescape(&text);
        }

        #[test]
        fn never_panics_on_escape_soup(text in r"[\\ux{}0-9a-fA-FdD\u{e9}]{0,40}") {
            let _ = unescape(&text);
        }

        #[test]
        fn json_escaped_text_round_trips(text in any::<String>()) {
            let encoded = serde_json::to_string(&text).unwrap();
            let inner = &encoded[1..encoded.len() - 1];
            prop_assert_eq!(unescape(inner), text.as_str());
        }
    }
}
