//! `iw1`: Ironward's request-shape fingerprint.
//!
//! It carries what pyrasp's JA4H-like fingerprint carries — method, HTTP version, cookie and
//! referer presence, header count, primary `Accept-Language`, and hashes of the header names in
//! wire order, of the cookie names and of the cookie pairs — but it is our own design, not
//! FoxIO's JA4H (whose licence is not open source): other separators, a version tag, another
//! hash function, lowercased names, and cookie hashes that do not depend on cookie order.
//!
//! Text form (always 55 ASCII bytes):
//!
//! ```text
//! iw1_ge11cr14enus_5ad3b1e0c2f4_9e07c61b2a33_41d0f88e7c15
//!     │ │ │││ │   │            │            └ cookie name=value pairs (multiset)
//!     │ │ │││ │   │            └ cookie names (multiset)
//!     │ │ │││ │   └ header names, lowercased, in wire order (Cookie and Referer left out)
//!     │ │ │││ └ primary Accept-Language tag: its first 4 letters/digits, lowercased, 0-padded
//!     │ │ ││└ header fields, Cookie and Referer left out, capped at 99
//!     │ │ │└ `r` a Referer header is present, else `n`
//!     │ │ └ `c` a Cookie header is present (even empty), else `n`
//!     │ └ HTTP version: 09, 10, 11, 20, 30; 00 when unknown
//!     └ method: its first two characters lowercased (`ge`, `po`, `pu`, `pa`, `de`, `he`, `op`…)
//! ```
//!
//! Each hash is FNV-1a 64 printed as its first 12 hex digits (the top 48 bits); an empty part
//! is `000000000000`. The header-name hash runs over the names joined by `,`. The cookie
//! hashes are the wrapping sum of the FNV-1a 64 of each cookie name (resp. each `name=value`,
//! both trimmed): a sum does not depend on order, so a browser that reorders its cookies (they
//! are sent by path length then creation time, which changes during a session) keeps its
//! fingerprint, and no sorting buffer is needed. A wildcard `Accept-Language: *` (what
//! scripted clients such as Node's `fetch` send) gives `0000`, like an absent one.
//!
//! The computation is one pass over the headers with no allocation; the text is built in a
//! fixed array.

use crate::request::Request;
use std::fmt;

/// The version tag that starts the text form.
pub(crate) const TAG: &str = "iw1";

/// Length of the text form.
pub(crate) const TEXT_LEN: usize = 55;

/// Length of the text form up to the end of the readable part (`iw1_ge11cr14enus`).
pub(crate) const SUMMARY_LEN: usize = 16;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64, fed byte by byte.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    const fn new() -> Self {
        Fnv(FNV_OFFSET)
    }

    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }

    fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }
}

/// FNV-1a 64 of `bytes`.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.bytes(bytes);
    h.0
}

/// FNV-1a 64 of `name=value`.
fn fnv_pair(name: &[u8], value: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.bytes(name);
    h.byte(b'=');
    h.bytes(value);
    h.0
}

/// The shape of a request: the fingerprint's fields plus what the rules need beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape<'a> {
    /// Method code.
    pub(crate) method: [u8; 2],
    /// Version code (`b"11"`…).
    pub(crate) version: [u8; 2],
    /// A Cookie header is present.
    pub(crate) cookie: bool,
    /// A Referer header is present.
    pub(crate) referer: bool,
    /// Header fields, Cookie and Referer left out (not capped).
    pub(crate) count: usize,
    /// Primary language code, `0000` when absent or `*`.
    pub(crate) lang: [u8; 4],
    /// Hash of the header names in wire order (0 when there is none).
    pub(crate) names: u64,
    /// Hash of the cookie names (0 when there is none).
    pub(crate) cookie_names: u64,
    /// Hash of the cookie pairs (0 when there is none).
    pub(crate) cookie_pairs: u64,
    /// Well-formed cookie pairs (`name=value` with a name).
    pub(crate) cookie_count: usize,
    /// Sec-Fetch-Site, Sec-Fetch-Mode and Sec-Fetch-Dest are all present (fetch metadata,
    /// which browsers add and scripts cannot set from a page).
    pub(crate) fetch_metadata: bool,
    /// The first User-Agent value, when there is one.
    pub(crate) user_agent: Option<&'a [u8]>,
}

/// Which of the headers the computation looks at this header is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    Cookie,
    Referer,
    AcceptLanguage,
    UserAgent,
    FetchSite,
    FetchMode,
    FetchDest,
    Other,
}

fn known(name: &str) -> Known {
    let is = |k: &str| name.eq_ignore_ascii_case(k);
    match name.len() {
        6 if is("cookie") => Known::Cookie,
        7 if is("referer") => Known::Referer,
        10 if is("user-agent") => Known::UserAgent,
        14 if is("sec-fetch-site") => Known::FetchSite,
        14 if is("sec-fetch-mode") => Known::FetchMode,
        14 if is("sec-fetch-dest") => Known::FetchDest,
        15 if is("accept-language") => Known::AcceptLanguage,
        _ => Known::Other,
    }
}

/// `GET` → `ge`; characters that are not ASCII letters or digits become `x`; a short method is
/// padded with `0`.
fn method_code(method: &str) -> [u8; 2] {
    let mut out = [b'0'; 2];
    for (o, b) in out.iter_mut().zip(method.bytes()) {
        *o = if b.is_ascii_alphanumeric() {
            b.to_ascii_lowercase()
        } else {
            b'x'
        };
    }
    out
}

/// `1.1`, `HTTP/1.1` → `11`; `2`, `2.0`, `HTTP/2` → `20`; unknown → `00`.
fn version_code(version: &str) -> [u8; 2] {
    let v = version.trim();
    let v = match v.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("http/") => &v[5..],
        _ => v,
    };
    match v {
        "0.9" => *b"09",
        "1.0" | "1" => *b"10",
        "1.1" => *b"11",
        "2" | "2.0" => *b"20",
        "3" | "3.0" => *b"30",
        _ => *b"00",
    }
}

/// The primary tag of an `Accept-Language` value: its first 4 ASCII letters or digits,
/// lowercased, padded with `0` (`en-US,en;q=0.9` → `enus`, `fr` → `fr00`, `*` → `0000`).
fn lang_code(value: &[u8]) -> [u8; 4] {
    let first = value
        .split(|&b| b == b',' || b == b';')
        .next()
        .unwrap_or(&[]);
    let mut out = [b'0'; 4];
    for (o, b) in out
        .iter_mut()
        .zip(first.iter().filter(|b| b.is_ascii_alphanumeric()))
    {
        *o = b.to_ascii_lowercase();
    }
    out
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

impl<'a> Shape<'a> {
    /// The shape of `request`, in one pass over its headers.
    pub(crate) fn of(request: &Request<'a>) -> Shape<'a> {
        let mut shape = Shape {
            method: method_code(request.method),
            version: version_code(request.version),
            cookie: false,
            referer: false,
            count: 0,
            lang: [b'0'; 4],
            names: 0,
            cookie_names: 0,
            cookie_pairs: 0,
            cookie_count: 0,
            fetch_metadata: false,
            user_agent: None,
        };
        let mut names = Fnv::new();
        let mut lang_seen = false;
        let (mut site, mut mode, mut dest) = (false, false, false);
        for h in request.headers.iter() {
            match known(h.name) {
                Known::Cookie => {
                    shape.cookie = true;
                    shape.add_cookies(h.value);
                    continue;
                }
                Known::Referer => {
                    shape.referer = true;
                    continue;
                }
                Known::AcceptLanguage if !lang_seen => {
                    lang_seen = true;
                    shape.lang = lang_code(h.value);
                }
                Known::UserAgent if shape.user_agent.is_none() => {
                    shape.user_agent = Some(h.value);
                }
                Known::FetchSite => site = true,
                Known::FetchMode => mode = true,
                Known::FetchDest => dest = true,
                _ => {}
            }
            if shape.count > 0 {
                names.byte(b',');
            }
            for b in h.name.bytes() {
                names.byte(b.to_ascii_lowercase());
            }
            shape.count += 1;
        }
        if shape.count > 0 {
            shape.names = names.0;
        }
        shape.fetch_metadata = site && mode && dest;
        shape
    }

    /// Adds the pairs of one Cookie header value: `;`-separated, each trimmed; empty segments
    /// (a trailing `;`) are skipped; a segment without `=` or with an empty name is not a pair.
    fn add_cookies(&mut self, value: &[u8]) {
        for segment in value.split(|&b| b == b';') {
            let segment = trim(segment);
            let Some(eq) = segment.iter().position(|&b| b == b'=') else {
                continue;
            };
            let name = trim(&segment[..eq]);
            if name.is_empty() {
                continue;
            }
            let value = trim(&segment[eq + 1..]);
            self.cookie_names = self.cookie_names.wrapping_add(fnv(name));
            self.cookie_pairs = self.cookie_pairs.wrapping_add(fnv_pair(name, value));
            self.cookie_count += 1;
        }
    }

    /// The version as a number of tenths (`11` for 1.1), 0 when unknown.
    pub(crate) fn version_tenths(&self) -> u8 {
        (self.version[0] - b'0') * 10 + (self.version[1] - b'0')
    }

    /// True when the primary language is absent or `*`.
    pub(crate) fn no_language(&self) -> bool {
        self.lang == [b'0'; 4]
    }

    /// The text form.
    pub(crate) fn text(&self) -> FingerprintText {
        let mut t = [b'0'; TEXT_LEN];
        t[..4].copy_from_slice(b"iw1_");
        t[4..6].copy_from_slice(&self.method);
        t[6..8].copy_from_slice(&self.version);
        t[8] = if self.cookie { b'c' } else { b'n' };
        t[9] = if self.referer { b'r' } else { b'n' };
        let n = self.count.min(99) as u8;
        t[10] = b'0' + n / 10;
        t[11] = b'0' + n % 10;
        t[12..16].copy_from_slice(&self.lang);
        for (i, h) in [self.names, self.cookie_names, self.cookie_pairs]
            .into_iter()
            .enumerate()
        {
            let start = SUMMARY_LEN + i * 13;
            t[start] = b'_';
            hex48(h, &mut t[start + 1..start + 13]);
        }
        FingerprintText(t)
    }
}

/// The top 48 bits of `h` as 12 lowercase hex digits.
fn hex48(h: u64, out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, o) in out.iter_mut().enumerate() {
        *o = HEX[((h >> (60 - 4 * i)) & 0xf) as usize];
    }
}

/// The text form of a fingerprint, held in a fixed array (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FingerprintText([u8; TEXT_LEN]);

impl FingerprintText {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written (codes, digits, hex).
        std::str::from_utf8(&self.0).unwrap_or(TAG)
    }

    /// The readable part (`iw1_ge11cr14enus`), without the hashes.
    pub fn summary(&self) -> &str {
        &self.as_str()[..SUMMARY_LEN]
    }
}

impl fmt::Display for FingerprintText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for FingerprintText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `iw1` fingerprint of a request (see the module documentation for its format).
pub fn fingerprint(request: &Request<'_>) -> FingerprintText {
    Shape::of(request).text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Headers;

    #[test]
    fn codes() {
        assert_eq!(&method_code("GET"), b"ge");
        assert_eq!(&method_code("PATCH"), b"pa");
        assert_eq!(&method_code("M-SEARCH"), b"mx");
        assert_eq!(&method_code("X"), b"x0");
        assert_eq!(&method_code(""), b"00");
        for (v, c) in [
            ("1.1", b"11"),
            ("HTTP/1.0", b"10"),
            ("http/2", b"20"),
            ("2.0", b"20"),
            ("3", b"30"),
            ("0.9", b"09"),
            ("", b"00"),
            ("h2", b"00"),
        ] {
            assert_eq!(&version_code(v), c, "{v}");
        }
        for (v, c) in [
            (&b"en-US,en;q=0.9"[..], b"enus"),
            (b"fr", b"fr00"),
            (b"*", b"0000"),
            (b"zh-Hant-TW;q=1", b"zhha"),
            (b" de-CH , de", b"dech"),
            (b"", b"0000"),
        ] {
            assert_eq!(&lang_code(v), c);
        }
    }

    #[test]
    fn cookie_hashes_ignore_order_and_spacing() {
        let a: Headers<'_> = [("Cookie", "a=1; b=2;c=3")].into_iter().collect();
        let b: Headers<'_> = [("cookie", " c=3 ;a=1"), ("Cookie", "b=2;")]
            .into_iter()
            .collect();
        let sa = Shape::of(&Request::new("GET", "/").with_headers(a));
        let sb = Shape::of(&Request::new("GET", "/").with_headers(b));
        assert_eq!(sa.cookie_count, 3);
        assert_eq!(
            (sa.cookie_names, sa.cookie_pairs),
            (sb.cookie_names, sb.cookie_pairs)
        );
        // A different value changes the pairs, not the names.
        let c: Headers<'_> = [("Cookie", "a=1; b=2; c=4")].into_iter().collect();
        let sc = Shape::of(&Request::new("GET", "/").with_headers(c));
        assert_eq!(sa.cookie_names, sc.cookie_names);
        assert_ne!(sa.cookie_pairs, sc.cookie_pairs);
    }

    #[test]
    fn header_hash_follows_wire_order_not_case() {
        let a: Headers<'_> = [("Host", "x"), ("User-Agent", "u"), ("Accept", "*/*")]
            .into_iter()
            .collect();
        let b: Headers<'_> = [("host", "y"), ("user-agent", "v"), ("ACCEPT", "a")]
            .into_iter()
            .collect();
        let c: Headers<'_> = [("Host", "x"), ("Accept", "*/*"), ("User-Agent", "u")]
            .into_iter()
            .collect();
        let s = |h| Shape::of(&Request::new("GET", "/").with_headers(h)).names;
        assert_eq!(s(a.clone()), s(b));
        assert_ne!(s(a), s(c));
    }

    #[test]
    fn reference_values_of_the_hash() {
        // FNV-1a 64 test vectors.
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
