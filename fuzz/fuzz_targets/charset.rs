//! Fuzzes the charset layer: `Charset::lookup` on the first line (a `charset` label),
//! `charset::decode` of the rest in that charset and in the one `charset::json_encoding`
//! detects, and `decode` in every charset the engine knows a label of.
//!
//! Asserts: no panic; `lookup` is ASCII case-insensitive; `decode` is `None` only for
//! `Charset::Unknown`; the decoded text is at most 4 bytes per input byte (+4, linear);
//! ASCII-only input reads the same in every ASCII-compatible charset; `json_encoding` always
//! names a charset that decodes.
#![no_main]

use ironward_core::input::charset::{self, Charset};
use ironward_fuzz::first_line;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// One label of each charset family the engine reads differently.
const LABELS: [&str; 14] = [
    "utf-8",
    "latin-1",
    "utf-7",
    "utf-16",
    "utf-16be",
    "utf-32",
    "utf-32le",
    "utf-32be",
    "windows-1252",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gb18030",
    "big5",
];

static KNOWN: LazyLock<Vec<Charset>> =
    LazyLock::new(|| LABELS.iter().map(|l| Charset::lookup(l)).collect());

fn decode_ok(bytes: &[u8], cs: Charset) {
    let out = charset::decode(bytes, cs);
    if cs == Charset::Unknown {
        assert!(out.is_none());
        return;
    }
    let text = out.expect("a known charset decodes");
    assert!(
        text.len() <= bytes.len() * 4 + 4,
        "{cs:?}: {} bytes decoded from {}",
        text.len(),
        bytes.len()
    );
    if bytes.is_ascii() && cs.is_ascii_compatible() {
        let plain = std::str::from_utf8(bytes).unwrap_or_default();
        assert_eq!(&*text, plain, "{cs:?} changed ASCII text");
    }
}

fuzz_target!(|data: &[u8]| {
    let (label, bytes) = first_line(data);
    let cs = Charset::lookup(&label);
    assert_eq!(
        cs,
        Charset::lookup(&label.to_ascii_uppercase()),
        "case matters"
    );
    assert_eq!(
        cs,
        Charset::lookup(&label.to_ascii_lowercase()),
        "case matters"
    );
    let _ = (cs.is_utf8(), cs.is_ascii_compatible());
    decode_ok(bytes, cs);

    let detected = charset::json_encoding(bytes);
    assert_ne!(detected, Charset::Unknown);
    decode_ok(bytes, detected);

    for known in KNOWN.iter() {
        decode_ok(bytes, *known);
        decode_ok(data, *known);
    }
});
