//! HTML character references (`&lt;`, `&#60;`, `&#x3C;`…), decoded the way a browser would.
//!
//! Cross-site scripting payloads are often entity-encoded so that a filter looking for `<` or
//! `javascript:` misses them, while the browser decodes them inside attributes
//! (`<a href="javascript&colon;alert(1)">`). This decoder handles:
//!
//! - every HTML5 named reference ending in `;` (the WHATWG table shipped by `html-escape`), and
//!   `&lt` `&gt` `&amp` `&quot` (and their upper-case forms) without `;` when the next character
//!   is not alphanumeric or `=`, as browsers do in attributes;
//! - decimal and hex numeric references with or without the trailing `;`, with any number of
//!   leading zeros; zero, surrogates and values beyond U+10FFFF become U+FFFD.
//!
//! Anything else (`AT&T`, `&unknown;`, `&#;`) is kept verbatim. A value without `&` is returned
//! borrowed, without allocating.

use super::rewrite::rewrite;
use std::borrow::Cow;

/// The longest HTML5 entity name (`CounterClockwiseContourIntegral`) is 31 characters.
const LONGEST_ENTITY_NAME: usize = 32;

/// Legacy references browsers also accept without the trailing `;`, limited to the ones that
/// matter for injection.
const SEMICOLONLESS: [(&str, char); 8] = [
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("quot", '"'),
    ("LT", '<'),
    ("GT", '>'),
    ("AMP", '&'),
    ("QUOT", '"'),
];

/// Decodes the character references in `s`. Borrows when there is nothing to decode.
pub fn unescape(s: &str) -> Cow<'_, str> {
    rewrite(
        s,
        b'&',
        |at| reference_at(s, at),
        |buffer, decoded| match decoded {
            Decoded::Char(c) => buffer.push(c),
            Decoded::Str(text) => buffer.push_str(text),
        },
    )
}

enum Decoded {
    Char(char),
    Str(&'static str),
}

/// The reference starting at `s[at]` (an `&`): what it decodes to and how many bytes it used.
fn reference_at(s: &str, at: usize) -> Option<(Decoded, usize)> {
    let rest = s.as_bytes().get(at + 1..)?;
    match rest.first()? {
        b'#' => numeric_reference(rest.get(1..)?).map(|(c, used)| (Decoded::Char(c), used + 2)),
        _ => named_reference(rest).map(|(decoded, used)| (decoded, used + 1)),
    }
}

/// `rest` follows `&#`: the character and the bytes used (digits, `x`, optional `;`).
fn numeric_reference(rest: &[u8]) -> Option<(char, usize)> {
    let (radix, prefix_len) = match rest.first()? {
        b'x' | b'X' => (16, 1),
        _ => (10, 0),
    };
    let digits = rest.get(prefix_len..)?;
    let digit_count = digits
        .iter()
        .take_while(|b| char::from(**b).is_digit(radix))
        .count();
    if digit_count == 0 {
        return None;
    }
    let mut value: u32 = 0;
    for &digit in digits.get(..digit_count)? {
        let digit_value = char::from(digit).to_digit(radix)?;
        // Saturate: anything past U+10FFFF is replaced anyway.
        value = value
            .saturating_mul(radix)
            .saturating_add(digit_value)
            .min(0x11_0000);
    }
    let mut used = prefix_len + digit_count;
    if digits.get(digit_count) == Some(&b';') {
        used += 1;
    }
    let decoded = match value {
        0 => char::REPLACEMENT_CHARACTER,
        _ => char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER),
    };
    Some((decoded, used))
}

/// `rest` follows `&`: a named reference and the bytes used (name and `;`).
fn named_reference(rest: &[u8]) -> Option<(Decoded, usize)> {
    let name_len = rest
        .iter()
        .take(LONGEST_ENTITY_NAME + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 || name_len > LONGEST_ENTITY_NAME {
        return None;
    }
    let name = rest.get(..name_len)?;
    let next = rest.get(name_len).copied();
    if next == Some(b';') {
        let index = html_escape::NAMED_ENTITIES
            .binary_search_by(|(entry, _)| (*entry).cmp(name))
            .ok()?;
        let (_, text) = html_escape::NAMED_ENTITIES.get(index)?;
        return Some((Decoded::Str(text), name_len + 1));
    }
    if next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'=') {
        return None;
    }
    SEMICOLONLESS
        .iter()
        .find(|(legacy, _)| legacy.as_bytes() == name)
        .map(|(_, c)| (Decoded::Char(*c), name_len))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_references() {
        let cases: &[(&str, &str)] = &[
            ("&lt;script&gt;", "<script>"),
            ("&#x3c;svg/onload=alert(1)&#62;", "<svg/onload=alert(1)>"),
            ("&#60", "<"),
            ("&#60x", "<x"),
            ("&#x3C;", "<"),
            ("&#X3c", "<"),
            ("&#0000060;", "<"),
            ("&#x00000003c;", "<"),
            ("javascript&colon;alert&lpar;1&rpar;", "javascript:alert(1)"),
            ("&Tab;&NewLine;", "\t\n"),
            ("&amp;lt;", "&lt;"),
            ("&quot;&apos;", "\"'"),
            ("&lt &gt", "< >"),
            ("&LT;", "<"),
            ("&#0;", "\u{FFFD}"),
            ("&#xD800;", "\u{FFFD}"),
            ("&#x110000;", "\u{FFFD}"),
            ("&#99999999999999999999;", "\u{FFFD}"),
            ("&#128512;", "\u{1F600}"),
            ("&CounterClockwiseContourIntegral;", "\u{2233}"),
            ("&nGt;", "\u{226B}\u{20D2}"),
            ("é&lt;é", "é<é"),
            ("&&lt;", "&<"),
        ];
        for (input, expected) in cases {
            assert_eq!(unescape(input), *expected, "unescape({input:?})");
        }
    }

    #[test]
    fn keeps_what_is_not_a_reference() {
        for input in [
            "AT&T",
            "Q&A",
            "a & b",
            "&unknown;",
            "&#;",
            "&#x;",
            "&#xg;",
            "&",
            "&ltx",
            "&lt=",
            "&amplifier",
            "&;",
            "no ampersand",
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
        fn never_panics_on_reference_soup(text in "[&#xX;0-9a-fA-Flgtmp\u{e9}]{0,40}") {
            let _ = unescape(&text);
        }

        #[test]
        fn encoded_text_round_trips(text in any::<String>()) {
            let encoded = html_escape::encode_text(&text);
            prop_assert_eq!(unescape(&encoded), text.as_str());
        }
    }
}
