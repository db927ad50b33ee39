//! `path_traversal`: path traversal and local file inclusion (LFI).
//!
//! An application that builds a file path from a request value reads whatever file the value
//! names: `../../etc/passwd`, `C:\Windows\win.ini`, `php://filter/…`. This check looks at every
//! scored input (the decoded variants included: repeated percent-decoding, overlong UTF-8,
//! `%uXXXX`, HTML references, backslash escapes, base64) and at the once-decoded request path.
//!
//! # What counts
//!
//! A value is first **normalised**: ASCII lowercased; `\`, `0x2f`, `0x5c` and Unicode slash
//! look-alikes (`∕ ∖ ⁄ ／ ＼`…) become `/`; `0x2e` and dot look-alikes (`．`, `․`) become `.`;
//! "junk" that broken decoders turn into separators (U+FFFD, private-use characters, control
//! characters, a `%` with up to two letters or digits that did not decode) becomes `/`, except
//! that control characters between two dots are dropped (`.%00.` is `..`) and so is a U+FFFD
//! before a dot or a slash (`%c0%2e`, an invalid form of `.` that lenient decoders accept);
//! runs of separators collapse to one (but `scheme://` keeps its two). It is then cut into
//! segments at `/`. A **climb** is a segment of two or more dots, optionally followed by `;…`
//! (Tomcat's `..;/`); `....//` (filter-stripping bypass) is therefore a climb too. The value is
//! a traversal when any of these holds:
//!
//! 1. **chain**: two climbs in a row (only empty or `.` segments between them): `../../`,
//!    `..\..\`, `....//....//`, `..;/..;/`. Not applied to values that start with a URL scheme;
//! 2. **escape**: a climb followed by a separator takes the value above its own start
//!    (`../x`, `a/../../x`; for a URL, above the root of its path: `https://h/../x`, while
//!    `https://h/a/../b` passes). An ellipsis alone (`.../HTML/BODY/DIV`, the abbreviated DOM
//!    or file paths analytics send) does not escape: no file system of today reads `...` as
//!    a climb (two in a row still chain, and a sensitive name after one still fires);
//! 3. **sensitive file**: a well-known sensitive path, anywhere, when it starts at the value's
//!    start or after a non-word character (`/etc/passwd`, `/etc/shadow`, `/proc/self/…`,
//!    `/var/log/…`, `/root/…`, `~/.ssh/id_rsa`, `boot.ini`, `win.ini`, `windows/system32`…);
//! 4. **server file**: a server-configuration or log name (`httpd.conf`, `php.ini`,
//!    `wp-config.php`, `access.log`, `xampp/`, `inetpub/`, `windows/`…) in a value that also
//!    holds a climb or that is itself an absolute path (`/…`, `C:\…`, `~/…`; not the request path,
//!    which is always absolute);
//! 5. **wrapper**: `file:/`, `php://`, `zip://`, `phar://`, `expect://`, `data://`, `glob://`,
//!    `compress.zlib://`, `jar:file:`, `netdoc:`, or a PHP filter name (`convert.iconv.`,
//!    `convert.base64-`), at the start or after a non-word character; `data://` only as PHP
//!    reads it, with a comma after an empty or media-type header (`data://text/plain;base64,…`,
//!    `data://,<?php …`), not as the prefix of an opaque id (`data://undefined:undefined`);
//! 6. **null byte**: a NUL that ends a plain file name with an extension or after a separator,
//!    or that comes before an extension (`x.php%00.jpg`, `/etc/passwd%00`); a NUL inside a
//!    random token with punctuation (`…#<Pzj7uz%00…`, sensor data whose `%00` decoded) or in
//!    binary data is none;
//! 7. **UNC**: the value starts with `\\server\share` (or `\\?\`, `\\.\`).
//!
//! Binary data (more than 16 control bytes and more than one byte in 32: a compressed or
//! encrypted blob sent as text) is no path: only the text in front of its first control byte
//! is judged, as a C string would be cut there.
//!
//! Ordinary values pass: `docs/guide/intro.md`, `./lib`, `a/../b`, `1..10`, `1.2..1.4`,
//! `Wait.. what`, `...`, `https://example.com/a/../b`, `C:\Users\me\Documents\report.docx`,
//! `/usr/local/bin`, `<a href="../x.html">` (one climb inside a longer token).
//!
//! # Cost
//!
//! One byte scan decides the path: a value with no `..`, `\`, `%`, `0x`, control character or
//! Unicode look-alike lead byte is only searched (without allocating) for sensitive names and
//! wrappers by one Aho-Corasick automaton; other values are normalised into one buffer first.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::Shape as ValueShape;
use crate::verdict::Finding;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

mod tables;
#[cfg(test)]
mod tests;

use tables::{Kind, PATTERNS};

/// The `path_traversal` check.
#[derive(Debug)]
pub(crate) struct PathTraversal {
    /// Every name of [`PATTERNS`], ASCII case-insensitive. Building it from the fixed table
    /// cannot fail (a test makes sure); were it to, the names would simply not be searched.
    names: Option<AhoCorasick>,
}

impl PathTraversal {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        let names = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(PATTERNS.iter().map(|(p, _)| *p))
            .ok();
        Ok(PathTraversal { names })
    }

    /// True when `value` is a traversal or an inclusion by the rules of the module doc.
    /// `request_path` is set for the request path (always absolute, so rule 4 needs a climb).
    pub(crate) fn is_attack(&self, value: &str, request_path: bool) -> bool {
        if needs_normalising(value.as_bytes()) {
            // (Binary data has control bytes, so it always needs normalising: text without
            // them never pays for this test.)
            if is_binary(value.as_bytes()) {
                // Binary data (a compressed or encrypted blob sent as text): its control bytes
                // and stray dots are no path. A path smuggled in front of it, cut by a NUL or
                // a control byte as C strings are, is judged as text.
                let head = value
                    .find(|c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    .and_then(|at| value.get(..at))
                    .unwrap_or("");
                return !head.is_empty() && self.is_attack(head, request_path);
            }
            let normal = normalise(value);
            let shape = climbs(&normal);
            let absolute = !request_path && is_absolute(&normal);
            self.names_fire(&normal, shape.any || absolute)
                || shape.chain
                || shape.escape
                || null_byte(value)
                || unc(value)
        } else {
            let absolute = !request_path && is_absolute(value);
            self.names_fire(value, absolute)
        }
    }

    /// Searches the sensitive names and wrappers; server-file names count only when
    /// `server_files` (a climb or an absolute path was seen).
    fn names_fire(&self, text: &str, server_files: bool) -> bool {
        let bytes = text.as_bytes();
        if memchr::memchr3(b'/', b'.', b':', bytes).is_none() {
            return false;
        }
        let Some(names) = &self.names else {
            return false;
        };
        // Most texts hold no name at all: the searcher's prefiltered test says so faster than
        // an overlapping walk.
        if !names.is_match(text) {
            return false;
        }
        names.find_overlapping_iter(text).any(|m| {
            let Some((name, kind)) = PATTERNS.get(m.pattern().as_usize()) else {
                return false;
            };
            let before_ok = m.start() == 0
                || bytes
                    .get(m.start() - 1)
                    .is_some_and(|&b| !is_word(b) || matches!(b, b'/' | b':'));
            let after_ok = || match bytes.get(m.end()) {
                None => true,
                Some(&b) => !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            };
            match kind {
                Kind::Sensitive => before_ok && after_ok(),
                Kind::Wrapper if *name == "data://" => {
                    before_ok && data_wrapper(bytes.get(m.end()..).unwrap_or_default())
                }
                Kind::SensitiveDir | Kind::Wrapper => before_ok,
                // A file name (`.env`, `php.ini`) must end there too; `.envoy` is not `.env`.
                Kind::Server => {
                    server_files
                        && before_ok
                        && (!name.contains('.') || name.ends_with('/') || after_ok())
                }
            }
        })
    }
}

/// Whether the text after `data://` is what PHP's `data:` wrapper (RFC 2397) reads: a comma
/// must come, and what precedes it is empty or a media type (`text/plain`, `;base64`).
/// `data://undefined:undefinedundefined` and other ids with a scheme-like prefix open
/// nothing.
fn data_wrapper(after: &[u8]) -> bool {
    let Some(comma) = memchr::memchr(b',', after) else {
        return false;
    };
    let meta = &after[..comma];
    meta.is_empty()
        || (meta.iter().any(|&b| b == b'/' || b == b';')
            && meta
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"/;=+-._".contains(&b)))
}

/// Bytes that make up words and file names: a sensitive name glued after one is not a path.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$' | b'~')
}

/// True for binary data rather than text: more than 16 control bytes (tab, CR and LF aside),
/// and more than one byte in 32. Traversals carry a few NULs at most (`x.php%00.jpg`).
fn is_binary(bytes: &[u8]) -> bool {
    if bytes.len() < 64 {
        return false;
    }
    let control = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
        .count();
    control > 16 && control * 32 > bytes.len()
}

/// Bytes without which a value holds no path, no climb and nothing to normalise into one (see
/// [`needs_normalising`] and [`PathTraversal::names_fire`]).
const PATH_BYTES: ValueShape = ValueShape::of_bytes(b"/.:\\%")
    .union(ValueShape::CONTROL)
    .union(ValueShape::LINE)
    .union(ValueShape::NON_ASCII);

/// True when [`PathTraversal::is_attack`] certainly says no for `value`, of this shape: no path
/// byte, and no `0x` that normalising could turn into one.
pub(super) fn skips(shape: ValueShape, value: &str) -> bool {
    if shape.any(PATH_BYTES) {
        return false;
    }
    // `0x` needs a digit and an `x`.
    !shape.any(ValueShape::DIGIT) || memchr::memchr2(b'x', b'X', value.as_bytes()).is_none()
}

/// True when the value may hold a climb or an encoded separator: `..`, `\`, `%`, `0x`, a control
/// character, or a lead byte of the Unicode look-alikes (U+2024…, U+E000…, U+FF0E…).
fn needs_normalising(bytes: &[u8]) -> bool {
    let mut previous = 0u8;
    for &b in bytes {
        match b {
            b'\\' | b'%' | 0..=0x1f | 0x7f | 0xe2 | 0xee | 0xef => return true,
            b'.' if previous == b'.' => return true,
            b'x' | b'X' if previous == b'0' => return true,
            _ => {}
        }
        previous = b;
    }
    false
}

/// What [`normalise`] turns a character into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Dot,
    Slash,
    Control,
    Junk,
    Other(char),
}

fn class(c: char) -> Class {
    match c {
        '.' | '\u{FF0E}' | '\u{2024}' | '\u{FE52}' => Class::Dot,
        '/' | '\\' | '\u{2215}' | '\u{2216}' | '\u{2044}' | '\u{FF0F}' | '\u{FF3C}'
        | '\u{29F5}' | '\u{29F8}' | '\u{29F9}' | '\u{2571}' | '\u{2572}' => Class::Slash,
        '\0'..='\u{1f}' | '\u{7f}' => Class::Control,
        '\u{FFFD}' | '\u{E000}'..='\u{F8FF}' => Class::Junk,
        c => Class::Other(c.to_ascii_lowercase()),
    }
}

/// Appends a separator, collapsing runs (`etc%c1%1cpasswd` decodes to two junk characters)
/// but keeping a leading `//` and the `//` of `scheme://`.
fn push_slash(out: &mut String) {
    let bytes = out.as_bytes();
    let collapse = bytes.len() >= 2
        && bytes.last() == Some(&b'/')
        && bytes.get(bytes.len() - 2) != Some(&b':');
    if !collapse {
        out.push('/');
    }
}

/// The normalised form of `value` (see the module doc).
fn normalise(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let bytes = value.as_bytes();
    let mut chars = value.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        // `0x2e`, `0x2f`, `0x5c` written out as text.
        if c == '0'
            && let Some(hex) = bytes.get(at + 1..at + 4)
            && (hex[0] | 0x20) == b'x'
        {
            let mapped = match [hex[1], hex[2] | 0x20] {
                [b'2', b'e'] => Some('.'),
                [b'2', b'f'] | [b'5', b'c'] => Some('/'),
                _ => None,
            };
            if let Some(mapped) = mapped {
                if mapped == '/' {
                    push_slash(&mut out);
                } else {
                    out.push(mapped);
                }
                for _ in 0..3 {
                    chars.next();
                }
                continue;
            }
        }
        match class(c) {
            Class::Dot => out.push('.'),
            // `%c0%2e` is an invalid two-byte form of `.` that lenient decoders accept: the
            // U+FFFD it decodes to is dropped before a dot or a separator.
            Class::Junk
                if c == '\u{FFFD}'
                    && chars
                        .peek()
                        .is_some_and(|&(_, n)| matches!(class(n), Class::Dot | Class::Slash)) => {}
            Class::Slash | Class::Junk => push_slash(&mut out),
            Class::Control => {
                let next_is_dot = chars
                    .peek()
                    .is_some_and(|&(_, n)| matches!(class(n), Class::Dot | Class::Control));
                if !(out.ends_with('.') && next_is_dot) {
                    push_slash(&mut out);
                }
            }
            Class::Other('%') => {
                // A `%` that did not decode, with up to two letters or digits after it.
                for _ in 0..2 {
                    if chars
                        .peek()
                        .is_some_and(|&(_, n)| n.is_ascii_alphanumeric())
                    {
                        chars.next();
                    }
                }
                push_slash(&mut out);
            }
            Class::Other(c) => out.push(c),
        }
    }
    out
}

/// The climbs of a normalised value.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    /// At least one climb.
    any: bool,
    /// Two climbs in a row (rule 1).
    chain: bool,
    /// A climb followed by a separator goes above the start (rule 2).
    escape: bool,
}

/// True for a segment of two or more dots, optionally followed by `;…`.
fn is_climb(segment: &str) -> bool {
    let dots = segment.bytes().take_while(|&b| b == b'.').count();
    dots >= 2 && segment.as_bytes().get(dots).is_none_or(|&b| b == b';')
}

/// The length of a leading `scheme://`, if the value starts with one.
fn url_prefix(value: &str) -> Option<usize> {
    let colon = value.find("://")?;
    let scheme = value.get(..colon)?;
    let mut bytes = scheme.bytes();
    let ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    ok.then_some(colon + 3)
}

fn climbs(normal: &str) -> Shape {
    let mut shape = Shape::default();
    // For a URL, depth counts from the root of its path (after the authority).
    let (body, is_url) = match url_prefix(normal) {
        Some(skip) => {
            let rest = normal.get(skip..).unwrap_or_default();
            (
                rest.find('/').and_then(|p| rest.get(p..)).unwrap_or(""),
                true,
            )
        }
        None => (normal, false),
    };
    let mut depth: i64 = 0;
    let mut last_was_climb = false;
    let mut segments = body.split('/').peekable();
    while let Some(segment) = segments.next() {
        let followed = segments.peek().is_some();
        if is_climb(segment) {
            shape.any = true;
            if last_was_climb && !is_url {
                shape.chain = true;
            }
            depth -= 1;
            // An ellipsis (`.../HTML/BODY/DIV`, `…/docs/x` abbreviating a long path) is no
            // climb in any file system of today: alone it does not escape (twice in a row it
            // still chains, and a sensitive name after it still fires).
            if depth < 0 && followed && segment != "..." {
                shape.escape = true;
            }
            last_was_climb = true;
        } else if !(segment.is_empty() || segment == ".") {
            depth += 1;
            last_was_climb = false;
        }
    }
    shape
}

/// True when a normalised value is itself an absolute path: `/x` (not `//`), `c:/`, `~/`.
fn is_absolute(normal: &str) -> bool {
    match normal.as_bytes() {
        [b'/', b, ..] => *b != b'/',
        [d, b':', b'/' | b'\\', ..] => d.is_ascii_alphabetic(),
        [b'~', b'/' | b'\\', ..] => true,
        _ => false,
    }
}

/// Rule 6: a NUL right after a file name with an extension or a path, or right before an
/// extension.
fn null_byte(value: &str) -> bool {
    let bytes = value.as_bytes();
    memchr::memchr_iter(0, bytes).any(|at| {
        let before = bytes.get(..at).unwrap_or_default();
        // The path component the NUL ends: from the last separator (or the start, a space,
        // `=`, `:`, another NUL). It must be a plain file name: in a random token (sensor
        // data, a session blob) whose `%00` decoded to a NUL, punctuation surrounds it.
        let start = before
            .iter()
            .rposition(|&b| matches!(b, b'/' | b'\\' | b' ' | b'=' | b':' | 0))
            .map_or(0, |p| p + 1);
        let component = before.get(start..).unwrap_or_default();
        let plain = !component.is_empty()
            && component.len() <= 64
            && component.iter().all(|&b| is_name_byte(b) || b >= 0x80);
        let separator_before = start > 0 && matches!(before.get(start - 1), Some(b'/' | b'\\'));
        let after = bytes.get(at + 1..).unwrap_or_default();
        let after = after.strip_prefix(b"\0").unwrap_or(after);
        let extension_after =
            after.first() == Some(&b'.') && after.get(1).is_some_and(|b| b.is_ascii_alphanumeric());
        before.ends_with(b"/")
            || (plain && (separator_before || has_extension(component) || extension_after))
    })
}

/// Whether a file name ends with an extension: a dot, then 1 to 10 letters or digits.
fn has_extension(name: &[u8]) -> bool {
    name.iter().rposition(|&b| b == b'.').is_some_and(|dot| {
        let ext = &name[dot + 1..];
        (1..=10).contains(&ext.len()) && ext.iter().all(u8::is_ascii_alphanumeric)
    })
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Rule 7: `\\server\share`, `\\?\…`, `\\.\…` at the start.
fn unc(value: &str) -> bool {
    let Some(rest) = value.trim_start().strip_prefix("\\\\") else {
        return false;
    };
    if rest.starts_with("?\\") || rest.starts_with(".\\") {
        return true;
    }
    let host_len = rest
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'$'))
        .count();
    host_len >= 2
        && rest.as_bytes().get(host_len) == Some(&b'\\')
        && rest
            .as_bytes()
            .get(host_len + 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'$')
}

impl Check for PathTraversal {
    fn id(&self) -> CheckId {
        CheckId::PathTraversal
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if self.is_attack(ctx.path, true) {
            findings
                .push(Finding::new(CheckId::PathTraversal, "path", ctx.path).with_engine("rule"));
            return;
        }
        for input in ctx.inputs().scored() {
            if skips(input.shape, &input.value) {
                continue;
            }
            if self.is_attack(&input.value, false) {
                findings.push(
                    Finding::new(
                        CheckId::PathTraversal,
                        input.location.as_str(),
                        &input.value,
                    )
                    .with_engine("rule"),
                );
                return;
            }
        }
    }
}
