//! Content sniffing for the `upload` check: does a file's head match its extension, and is it
//! a script or an executable whatever its extension?
//!
//! Two tests over [`FileMeta::head`](crate::input::FileMeta) (the first 512 bytes):
//!
//! - **dangerous content**, for every file: a head that starts (after an optional UTF-8 BOM
//!   and whitespace) with a server-side script opener (`<?php`, `<?=`, `<%`), a shebang
//!   (`#!`), or an executable's magic (`MZ` — PE/DOS, `\x7fELF`, Mach-O, `\xCA\xFE\xBA\xBE`);
//!   or that holds, anywhere, `<?php` or `<script` (polyglots: PHP in a JPEG comment), or an
//!   `<svg` together with an event handler (`on…=`) or a `javascript:` URL;
//! - **magic mismatch**, for extensions of the table below only: the head must carry the
//!   format's signature. Extensions missing from the table (allowed by the operator, unknown
//!   here) get the dangerous-content test only. An empty file is not sniffed.
//!
//! Only 512 bytes are seen: a script placed later in an SVG or HTML file is not found.

use memchr::memmem;

/// How a format is recognised from its first bytes.
#[derive(Debug, Clone, Copy)]
enum Magic {
    /// The head starts with one of these.
    Starts(&'static [&'static [u8]]),
    /// `RIFF`, four size bytes, then this form type (`WEBP`, `WAVE`, `AVI `).
    Riff(&'static [u8]),
    /// An ISO base media file: `ftyp` at offset 4 (MP4, MOV, HEIC, AVIF, M4A).
    Ftyp,
    /// `%PDF-` somewhere in the head (readers accept leading junk).
    Pdf,
    /// An SVG document: `<svg` somewhere in the head.
    Svg,
}

const ZIP: Magic = Magic::Starts(&[b"PK\x03\x04", b"PK\x05\x06"]);
const JPEG: Magic = Magic::Starts(&[b"\xFF\xD8\xFF"]);
const TIFF: Magic = Magic::Starts(&[b"II*\x00", b"MM\x00*"]);
const OLE: Magic = Magic::Starts(&[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"]);
const MP3: Magic = Magic::Starts(&[b"ID3", b"\xFF\xFB", b"\xFF\xF3", b"\xFF\xF2"]);

/// Extension → signature. Lowercase extensions.
const TABLE: &[(&str, Magic)] = &[
    ("jpg", JPEG),
    ("jpeg", JPEG),
    ("jpe", JPEG),
    ("jfif", JPEG),
    ("png", Magic::Starts(&[b"\x89PNG\r\n\x1a\n"])),
    ("gif", Magic::Starts(&[b"GIF87a", b"GIF89a"])),
    ("bmp", Magic::Starts(&[b"BM"])),
    ("ico", Magic::Starts(&[b"\x00\x00\x01\x00"])),
    ("tif", TIFF),
    ("tiff", TIFF),
    ("webp", Magic::Riff(b"WEBP")),
    ("wav", Magic::Riff(b"WAVE")),
    ("avi", Magic::Riff(b"AVI ")),
    ("heic", Magic::Ftyp),
    ("avif", Magic::Ftyp),
    ("mp4", Magic::Ftyp),
    ("m4a", Magic::Ftyp),
    ("mov", Magic::Ftyp),
    ("mp3", MP3),
    ("ogg", Magic::Starts(&[b"OggS"])),
    ("flac", Magic::Starts(&[b"fLaC"])),
    ("webm", Magic::Starts(&[b"\x1A\x45\xDF\xA3"])),
    ("mkv", Magic::Starts(&[b"\x1A\x45\xDF\xA3"])),
    ("pdf", Magic::Pdf),
    ("svg", Magic::Svg),
    ("zip", ZIP),
    ("docx", ZIP),
    ("xlsx", ZIP),
    ("pptx", ZIP),
    ("odt", ZIP),
    ("ods", ZIP),
    ("odp", ZIP),
    ("epub", ZIP),
    ("doc", OLE),
    ("xls", OLE),
    ("ppt", OLE),
    ("gz", Magic::Starts(&[b"\x1F\x8B"])),
    ("tgz", Magic::Starts(&[b"\x1F\x8B"])),
    ("7z", Magic::Starts(&[b"7z\xBC\xAF\x27\x1C"])),
    ("rar", Magic::Starts(&[b"Rar!\x1A\x07"])),
];

/// Leading bytes of scripts and executables.
const DANGEROUS_START: &[&[u8]] = &[
    b"<?php",
    b"<?=",
    b"<%",
    b"#!",
    b"MZ",
    b"\x7FELF",
    b"\xFE\xED\xFA\xCE",
    b"\xFE\xED\xFA\xCF",
    b"\xCE\xFA\xED\xFE",
    b"\xCF\xFA\xED\xFE",
    b"\xCA\xFE\xBA\xBE",
];

/// True when `head` does not match the signature of `ext` (an extension of the table).
pub(super) fn mismatch(ext: &str, head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let Some((_, magic)) = TABLE.iter().find(|(e, _)| *e == ext) else {
        return false;
    };
    !match *magic {
        Magic::Starts(sigs) => sigs.iter().any(|s| head.starts_with(s)),
        Magic::Riff(form) => head.starts_with(b"RIFF") && head.get(8..12) == Some(form),
        Magic::Ftyp => head.get(4..8) == Some(b"ftyp"),
        Magic::Pdf => memmem::find(head, b"%PDF-").is_some(),
        Magic::Svg => find_ci(head, b"<svg").is_some(),
    }
}

/// True when `head` is a script or an executable, whatever the file is called.
pub(super) fn dangerous(head: &[u8]) -> bool {
    let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = start.trim_ascii_start();
    if DANGEROUS_START.iter().any(|s| {
        start.len() >= s.len()
            && start
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
    }) {
        return true;
    }
    if find_ci(head, b"<?php").is_some() || find_ci(head, b"<script").is_some() {
        return true;
    }
    find_ci(head, b"<svg").is_some_and(|at| {
        let rest = head.get(at..).unwrap_or_default();
        find_ci(rest, b"javascript:").is_some() || has_event_handler(rest)
    })
}

/// The position of `needle` (ASCII, lowercase) in `hay`, compared ASCII case-insensitively.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(rel) = memchr::memchr2(first, first.to_ascii_uppercase(), hay.get(from..)?) {
        let at = from + rel;
        if hay
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// True when `s` holds an attribute like ` onload=` (a word starting `on`, letters, `=`).
fn has_event_handler(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(rel) = find_ci(s.get(i..).unwrap_or_default(), b"on") {
        let at = i + rel;
        let word_start = at == 0 || s.get(at - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        let mut j = at + 2;
        while s.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        while s.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if word_start && j > at + 3 && s.get(j) == Some(&b'=') {
            return true;
        }
        i = at + 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
        let cases: &[(&str, &[u8], bool)] = &[
            ("png", png, false),
            ("jpg", jpeg, false),
            ("jpeg", jpeg, false),
            ("jpg", png, true),
            ("gif", b"GIF89a\x01\0", false),
            ("gif", b"GIF90a", true),
            ("pdf", b"%PDF-1.7\n", false),
            ("pdf", b"\r\n%PDF-1.4", false),
            ("pdf", b"hello", true),
            ("webp", b"RIFF\x10\0\0\0WEBPVP8 ", false),
            ("webp", b"RIFF\x10\0\0\0WAVE", true),
            ("docx", b"PK\x03\x04\x14\0", false),
            ("mp4", b"\0\0\0\x18ftypmp42", false),
            ("svg", b"<?xml version=\"1.0\"?><svg xmlns=\"x\">", false),
            ("png", b"", false),
            ("txt", b"anything", false),
        ];
        for (ext, head, want) in cases {
            assert_eq!(mismatch(ext, head), *want, "{ext} {head:?}");
        }
    }

    #[test]
    fn scripts_and_executables() {
        let cases: &[(&[u8], bool)] = &[
            (b"<?php system($_GET[1]);", true),
            (b"\xEF\xBB\xBF  <?PHP echo 1;", true),
            (b"<?= $x ?>", true),
            (b"<% Response.Write(1) %>", true),
            (b"#!/bin/sh\nid", true),
            (b"MZ\x90\0\x03\0", true),
            (b"\x7FELF\x02\x01", true),
            (b"\xFF\xD8\xFF\xFE\0\x10<?php eval($_POST[0]);", true),
            (b"<html><SCRIPT>alert(1)</SCRIPT>", true),
            (b"<svg xmlns='x' onload = alert(1)>", true),
            (b"<svg><a href='javascript:alert(1)'>", true),
            (
                b"<svg xmlns='http://www.w3.org/2000/svg' width='10'>",
                false,
            ),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", false),
            (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3", false),
            (b"name,amount\nMZ,3\n", false),
            (b"", false),
        ];
        for (head, want) in cases {
            assert_eq!(dangerous(head), *want, "{head:?}");
        }
    }
}
