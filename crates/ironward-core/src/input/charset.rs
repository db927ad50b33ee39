//! Text in a declared charset: the `charset` of a body or of a multipart part, and the encoding
//! Python's `json.loads` detects in a JSON body, decoded the way the application will decode
//! it.
//!
//! Frameworks decode bytes with the charset the client declares: Django decodes form bodies
//! (and even the query string) with the request's `charset`, aiohttp decodes text parts and
//! `request.json()` with theirs, and `json.loads(bytes)` detects UTF-16 and UTF-32 by itself. A
//! payload sent as `charset=utf-7` or UTF-16 is invisible to an engine that reads the bytes as
//! UTF-8 — so the engine decodes them too. The charsets are those of the WHATWG Encoding
//! Standard (through `encoding_rs`: the legacy single- and multi-byte charsets, UTF-16), plus
//! the ones Python knows and browsers do not: UTF-7, UTF-32, and Latin-1 read as Latin-1 (not
//! as windows-1252). A charset none of these covers (EBCDIC code pages, `unicode_escape`…) is
//! [`Charset::Unknown`]: the caller cannot see what the application will see and reports it.
//!
//! Decoding is lossy (invalid sequences become U+FFFD), linear in the input and allocates the
//! decoded text only when it differs from the UTF-8 reading.

use encoding_rs::Encoding;
use std::borrow::Cow;

/// A charset the engine can decode, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 or US-ASCII: the bytes are read as they are.
    Utf8,
    /// ISO-8859-1: one byte, one code point.
    Latin1,
    /// UTF-7 (RFC 2152).
    Utf7,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
    /// UTF-32 with a byte-order mark (little-endian without one, as Python reads it).
    Utf32Bom,
    /// A WHATWG encoding (UTF-16, legacy charsets).
    Whatwg(&'static Encoding),
    /// A charset the engine cannot decode.
    Unknown,
}

impl Charset {
    /// The charset named by a `charset` parameter (any case; `-`, `_` and spaces ignored where
    /// Python ignores them).
    pub fn lookup(label: &str) -> Charset {
        let label = label.trim().trim_matches('"');
        let mut key = [0u8; 24];
        let mut n = 0;
        for b in label.bytes() {
            if matches!(b, b'-' | b'_' | b' ') {
                continue;
            }
            let Some(slot) = key.get_mut(n) else {
                return Charset::Unknown;
            };
            *slot = b.to_ascii_lowercase();
            n += 1;
        }
        let key = key.get(..n).unwrap_or_default();
        match key {
            b"utf8" | b"u8" | b"utf" | b"utf8sig" | b"cp65001" | b"ascii" | b"usascii" | b"646"
            | b"us" => return Charset::Utf8,
            b"latin1" | b"latin" | b"l1" | b"iso88591" | b"iso885911987" | b"8859" | b"cp819"
            | b"iso8859" => return Charset::Latin1,
            b"utf7" | b"u7" | b"unicode11utf7" => return Charset::Utf7,
            b"utf32" | b"u32" => return Charset::Utf32Bom,
            b"utf32le" => return Charset::Utf32Le,
            b"utf32be" => return Charset::Utf32Be,
            b"utf16" | b"u16" => return Charset::Whatwg(encoding_rs::UTF_16LE),
            b"utf16le" => return Charset::Whatwg(encoding_rs::UTF_16LE),
            b"utf16be" => return Charset::Whatwg(encoding_rs::UTF_16BE),
            _ => {}
        }
        let found = Encoding::for_label(label.as_bytes()).or_else(|| {
            let dashed: String = label
                .chars()
                .map(|c| if c == '_' { '-' } else { c })
                .collect();
            Encoding::for_label(dashed.as_bytes())
        });
        match found {
            Some(e) if e == encoding_rs::REPLACEMENT => Charset::Unknown,
            Some(e) if e == encoding_rs::UTF_8 => Charset::Utf8,
            Some(e) => Charset::Whatwg(e),
            None => Charset::Unknown,
        }
    }

    /// True when the bytes are read as UTF-8 (nothing to decode).
    pub fn is_utf8(self) -> bool {
        self == Charset::Utf8
    }

    /// True when ASCII bytes mean the same characters in this charset, so that ASCII-only
    /// input (a percent-encoded form, a query string) reads the same as UTF-8.
    pub fn is_ascii_compatible(self) -> bool {
        match self {
            Charset::Utf8 | Charset::Latin1 => true,
            Charset::Whatwg(e) => e.is_ascii_compatible() && e != encoding_rs::ISO_2022_JP,
            Charset::Utf7
            | Charset::Utf32Le
            | Charset::Utf32Be
            | Charset::Utf32Bom
            | Charset::Unknown => false,
        }
    }
}

/// Decodes `bytes` in `charset`; `None` for [`Charset::Unknown`]. Borrows when the text reads
/// the same as UTF-8.
pub fn decode(bytes: &[u8], charset: Charset) -> Option<Cow<'_, str>> {
    Some(match charset {
        Charset::Utf8 => {
            let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8_lossy(b)
        }
        Charset::Latin1 => match std::str::from_utf8(bytes) {
            Ok(s) if s.is_ascii() => Cow::Borrowed(s),
            _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        },
        Charset::Utf7 => utf7(bytes),
        Charset::Utf32Le => Cow::Owned(utf32(bytes, false)),
        Charset::Utf32Be => Cow::Owned(utf32(bytes, true)),
        Charset::Utf32Bom => Cow::Owned(match bytes {
            [0, 0, 0xFE, 0xFF, rest @ ..] => utf32(rest, true),
            [0xFF, 0xFE, 0, 0, rest @ ..] => utf32(rest, false),
            _ => utf32(bytes, false),
        }),
        // Python's `utf-16` follows a byte-order mark; so does `Encoding::decode`.
        Charset::Whatwg(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
            e.decode(bytes).0
        }
        Charset::Whatwg(e) => e.decode_without_bom_handling(bytes).0,
        Charset::Unknown => return None,
    })
}

/// The encoding Python's `json.loads(bytes)` picks for a JSON document (`json.detect_encoding`:
/// a byte-order mark, else the pattern of zero bytes at the start).
pub fn json_encoding(b: &[u8]) -> Charset {
    match b {
        [0, 0, 0xFE, 0xFF, ..] => Charset::Utf32Be,
        [0xFF, 0xFE, 0, 0, ..] => Charset::Utf32Le,
        [0xFE, 0xFF, ..] => Charset::Whatwg(encoding_rs::UTF_16BE),
        [0xFF, 0xFE, ..] => Charset::Whatwg(encoding_rs::UTF_16LE),
        [0, b1, _, _, ..] => {
            if *b1 != 0 {
                Charset::Whatwg(encoding_rs::UTF_16BE)
            } else {
                Charset::Utf32Be
            }
        }
        [_, 0, b2, b3, ..] => {
            if *b2 != 0 || *b3 != 0 {
                Charset::Whatwg(encoding_rs::UTF_16LE)
            } else {
                Charset::Utf32Le
            }
        }
        [0, _] => Charset::Whatwg(encoding_rs::UTF_16BE),
        [_, 0] => Charset::Whatwg(encoding_rs::UTF_16LE),
        _ => Charset::Utf8,
    }
}

/// UTF-32 of either byte order, lossy; a trailing partial unit is a U+FFFD.
fn utf32(bytes: &[u8], big: bool) -> String {
    let mut out = String::with_capacity(bytes.len() / 4);
    let mut units = bytes.chunks_exact(4);
    for u in units.by_ref() {
        let a = [u[0], u[1], u[2], u[3]];
        let v = if big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        };
        out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
    }
    if !units.remainder().is_empty() {
        out.push('\u{FFFD}');
    }
    out
}

/// The value of a modified-base64 digit of UTF-7, if `b` is one.
fn b64(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// UTF-7 (RFC 2152) as Python decodes it, lossy: `+…-` runs are modified base64 of UTF-16,
/// `+-` is `+`, everything else is ASCII (other bytes become U+FFFD).
fn utf7(bytes: &[u8]) -> Cow<'_, str> {
    if !bytes.iter().any(|&b| b == b'+' || b >= 0x80) {
        return String::from_utf8_lossy(bytes);
    }
    let mut out = String::with_capacity(bytes.len());
    let mut units: Vec<u16> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b != b'+' {
            out.push(if b < 0x80 { char::from(b) } else { '\u{FFFD}' });
            continue;
        }
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        let (mut acc, mut bits) = (0u32, 0u32);
        units.clear();
        while let Some(v) = bytes.get(i).and_then(|&c| b64(c)) {
            i += 1;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 16 {
                bits -= 16;
                units.push(u16::try_from((acc >> bits) & 0xFFFF).unwrap_or(0xFFFD));
                acc &= (1 << bits) - 1;
            }
        }
        out.extend(char::decode_utf16(units.iter().copied()).map(|r| r.unwrap_or('\u{FFFD}')));
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for (label, want) in [
            ("utf-8", Charset::Utf8),
            ("UTF8", Charset::Utf8),
            ("us-ascii", Charset::Utf8),
            ("ISO-8859-1", Charset::Latin1),
            ("latin_1", Charset::Latin1),
            ("utf-7", Charset::Utf7),
            ("UTF_7", Charset::Utf7),
            ("utf-32", Charset::Utf32Bom),
            ("utf-32-be", Charset::Utf32Be),
            ("utf-16", Charset::Whatwg(encoding_rs::UTF_16LE)),
            ("utf-16-le", Charset::Whatwg(encoding_rs::UTF_16LE)),
            ("utf_16_be", Charset::Whatwg(encoding_rs::UTF_16BE)),
            ("shift_jis", Charset::Whatwg(encoding_rs::SHIFT_JIS)),
            ("windows-1251", Charset::Whatwg(encoding_rs::WINDOWS_1251)),
            ("cp037", Charset::Unknown),
            ("unicode_escape", Charset::Unknown),
            ("iso-2022-kr", Charset::Unknown),
            ("a-very-long-label-that-is-not-a-charset", Charset::Unknown),
            ("", Charset::Unknown),
        ] {
            assert_eq!(Charset::lookup(label), want, "{label}");
        }
    }

    #[test]
    fn decodes_like_python() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"1+ACc- UNION SELECT", "utf-7", "1' UNION SELECT"),
            (b"+ADw-script+AD4-", "utf-7", "<script>"),
            (b"a+-b", "utf-7", "a+b"),
            (b"+2D3eAA-", "utf-7", "\u{1F600}"),
            (b"'\x00<\x00", "utf-16-le", "'<"),
            (b"\xFF\xFE'\x00", "utf-16", "'"),
            (b"\x00'", "utf-16-be", "'"),
            (b"'\x00\x00\x00", "utf-32-le", "'"),
            (b"\xE9t\xE9", "latin-1", "été"),
            (b"\xEF\xBB\xBFok", "utf-8", "ok"),
        ];
        for (bytes, label, want) in cases {
            let got = decode(bytes, Charset::lookup(label)).unwrap();
            assert_eq!(got, *want, "{label} {bytes:?}");
        }
        assert!(decode(b"x", Charset::Unknown).is_none());
        assert!(matches!(
            decode(b"plain", Charset::Utf7),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn json_detection() {
        let cases: &[(&[u8], Charset)] = &[
            (b"{\"a\":1}", Charset::Utf8),
            (b"{\x00\"\x00", Charset::Whatwg(encoding_rs::UTF_16LE)),
            (b"\x00{\x00\"", Charset::Whatwg(encoding_rs::UTF_16BE)),
            (b"{\x00\x00\x00", Charset::Utf32Le),
            (b"\x00\x00\x00{", Charset::Utf32Be),
            (b"\xFF\xFE{\x00", Charset::Whatwg(encoding_rs::UTF_16LE)),
            (b"\xEF\xBB\xBF{}", Charset::Utf8),
            (b"{}", Charset::Utf8),
        ];
        for (bytes, want) in cases {
            assert_eq!(json_encoding(bytes), *want, "{bytes:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for label in ["utf-7", "utf-32", "utf-32-be", "utf-16", "latin-1", "gbk"] {
            for bytes in [
                &b"+"[..],
                b"+\xff-",
                b"\x00\x00\x00",
                b"+AAAAAAAAAAAAAAA",
                b"\xd8\x00",
            ] {
                let _ = decode(bytes, Charset::lookup(label));
            }
        }
    }
}
