//! Request headers: every name goes to `headers_names`; `Cookie` values are split by
//! `cookies`, `User-Agent` goes to `user_agent`, `Referer` to
//! `referer`, and every other value to `headers_values` (named after its
//! header) with its decoded variants. That includes `Host`, `Accept`, `Content-Type`…: all of
//! them reach the application.
//!
//! A header whose lowercased name matches `WHITELIST_HEADERS` is skipped entirely (name and
//! value). The value of a content-negotiation or fetch-metadata header (`Accept`,
//! `Accept-Language`, `Accept-Encoding`, `Accept-Charset`, `Connection`, `Cache-Control`,
//! `Pragma`, `TE`, `Sec-Fetch-*`, `Upgrade-Insecure-Requests`, `DNT`, `Priority`) is not
//! extracted when it is well formed — a comma-separated list of `token[/token]` items with
//! `;name=value` parameters, every token made of letters, digits and `*.+_-` and holding no
//! `--` — because such a value cannot carry anything a detector looks for, and every browser
//! request sends several of them. The same holds for a plain `Host` (`name[:port]`, `[v6]:port`;
//! the `spoofing` check reads the header itself) and a decimal `Content-Length`. A malformed one
//! (`Accept: 1' or '1'='1`, `Host: x'--`) is extracted and inspected like any header. Repeated headers stay separate inputs (not merged with `, ` as pyrasp does), so a
//! payload split across two headers is seen in each. Values are bytes: UTF-8 is borrowed,
//! anything else is read as Latin-1, as pyrasp does.

use super::extract::Sink;
use super::{Location, cookies, referer};
use crate::decode::Transforms;
use crate::pattern::PatternSet;
use crate::request::Headers;
use std::borrow::Cow;

/// Reads header bytes as text: borrowed when UTF-8, otherwise each byte as its Latin-1 char.
pub fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// True when the header named `name` is whitelisted. The name is lowercased on the stack when
/// it is short (header names are), so the check does not allocate.
pub fn is_whitelisted(whitelist: &PatternSet, name: &str) -> bool {
    if whitelist.is_empty() {
        return false;
    }
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return whitelist.is_match(name);
    }
    let mut buf = [0u8; 64];
    match buf.get_mut(..name.len()) {
        Some(dst) => {
            dst.copy_from_slice(name.as_bytes());
            dst.make_ascii_lowercase();
            std::str::from_utf8(dst).is_ok_and(|lower| whitelist.is_match(lower))
        }
        None => whitelist.is_match(&name.to_ascii_lowercase()),
    }
}

/// Extracts the headers into the sink.
pub(crate) fn extract<'a>(sink: &mut Sink<'a, '_>, headers: &Headers<'a>, whitelist: &PatternSet) {
    for h in headers.iter() {
        let name: &'a str = h.name;
        if is_whitelisted(whitelist, name) {
            continue;
        }
        sink.value(
            Location::HeadersNames,
            None,
            Cow::Borrowed(name),
            Transforms::NONE,
            0,
        );
        if (is_negotiation_header(name) && well_formed_list(h.value))
            || (name.eq_ignore_ascii_case("host") && well_formed_host(h.value))
            || (name.eq_ignore_ascii_case("content-length") && well_formed_length(h.value))
        {
            continue;
        }
        let value = latin1(h.value);
        if name.eq_ignore_ascii_case("cookie") {
            cookies::extract(sink, value);
        } else if name.eq_ignore_ascii_case("referer") {
            referer::extract(sink, value);
        } else if name.eq_ignore_ascii_case("user-agent") {
            sink.value(Location::UserAgent, None, value, Transforms::NONE, 0);
        } else {
            sink.value(
                Location::HeadersValues,
                Some(Cow::Borrowed(name)),
                value,
                Transforms::NONE,
                0,
            );
        }
    }
}

/// Headers whose value is a list of tokens with parameters, and is never reflected as text.
fn is_negotiation_header(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "accept",
        "accept-language",
        "accept-encoding",
        "accept-charset",
        "connection",
        "cache-control",
        "pragma",
        "te",
        "upgrade-insecure-requests",
        "dnt",
        "priority",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || name
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("sec-fetch-"))
}

/// Whether `value` is a plain `host[:port]`: letters, digits, `.`, `-`, `_` (or a bracketed
/// IPv6 address of hex digits, `:` and `.`), then an optional numeric port.
fn well_formed_host(value: &[u8]) -> bool {
    let (host, port) = if value.first() == Some(&b'[') {
        let Some(end) = value.iter().position(|&b| b == b']') else {
            return false;
        };
        let inner = &value[1..end];
        if !inner
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        (&value[..=end], &value[end + 1..])
    } else {
        let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
        (&value[..end], &value[end..])
    };
    let host_ok = host.first() == Some(&b'[')
        || (!host.is_empty()
            && host
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            && !host.windows(2).any(|w| w == b"--"));
    let port_ok = port.is_empty()
        || (port.len() <= 6 && port[0] == b':' && port[1..].iter().all(u8::is_ascii_digit));
    host_ok && port_ok
}

/// Whether `value` is a decimal length.
fn well_formed_length(value: &[u8]) -> bool {
    !value.is_empty() && value.len() <= 20 && value.iter().all(u8::is_ascii_digit)
}

/// A token of a negotiation header: letters, digits, `*.+_-`, no `--`.
fn is_token(t: &[u8]) -> bool {
    !t.is_empty()
        && t.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'.' | b'+' | b'_' | b'-'))
        && !t.windows(2).any(|w| w == b"--")
}

/// Whether `value` is a comma-separated list of `token[/token]` or `token=token` items, each with optional
/// `;token=token` parameters (spaces allowed around separators only).
fn well_formed_list(value: &[u8]) -> bool {
    value.split(|&b| b == b',').all(|item| {
        let mut parts = item.split(|&b| b == b';');
        let head = parts.next().unwrap_or_default().trim_ascii();
        let mut halves = head.splitn(2, |&b| b == b'/' || b == b'=');
        let head_ok = halves.all(is_token);
        head_ok
            && parts.all(|p| {
                let mut kv = p.trim_ascii().splitn(2, |&b| b == b'=');
                let k = kv.next().unwrap_or_default();
                let v = kv.next().unwrap_or_default();
                is_token(k) && is_token(v)
            })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn negotiation_headers_are_skipped_only_when_well_formed() {
        use super::{is_negotiation_header, well_formed_list};
        for v in [
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "en-US,en;q=0.5",
            "gzip, deflate, br, zstd",
            "keep-alive",
            "no-cache",
            "max-age=0",
            "u=0, i",
            "1",
        ] {
            assert!(well_formed_list(v.as_bytes()), "{v}");
        }
        for v in [
            "1' or '1'='1",
            "1 or 1=1-- -",
            "text/html;q=0.9 union select 1",
            "$(id)",
            "<script>",
            "../../etc/passwd",
            "a--b",
            "",
            "text/html;q",
        ] {
            assert!(!well_formed_list(v.as_bytes()), "{v}");
        }
        use super::{well_formed_host, well_formed_length};
        for v in [
            "shop.example.com",
            "127.0.0.1:8080",
            "[::1]:443",
            "localhost",
            "a_b.local",
        ] {
            assert!(well_formed_host(v.as_bytes()), "{v}");
        }
        for v in [
            "",
            "x'--",
            "evil.com/../",
            "a b",
            "<script>",
            "h:80x",
            "[::1",
            "[x]",
            "a--b",
        ] {
            assert!(!well_formed_host(v.as_bytes()), "{v}");
        }
        assert!(well_formed_length(b"1024"));
        assert!(!well_formed_length(b"1 or 1=1"));
        assert!(is_negotiation_header("Accept-Language"));
        assert!(is_negotiation_header("Sec-Fetch-Mode"));
        assert!(!is_negotiation_header("User-Agent"));
        assert!(!is_negotiation_header("X-Forwarded-For"));
    }

    use super::*;
    use crate::config::{MatchKind, PatternRule};

    #[test]
    fn latin1_fallback() {
        let cases: &[(&[u8], &str, bool)] = &[
            (b"plain", "plain", true),
            ("café".as_bytes(), "café", true),
            (b"caf\xe9", "café", false),
            (b"\xff\x00", "\u{ff}\0", false),
        ];
        for (bytes, want, borrowed) in cases {
            let got = latin1(bytes);
            assert_eq!(got, *want);
            assert_eq!(matches!(got, Cow::Borrowed(_)), *borrowed);
        }
    }

    #[test]
    fn whitelist_is_case_insensitive() {
        let set = PatternSet::new(&[
            PatternRule {
                pattern: "x-token".into(),
                kind: MatchKind::Match,
            },
            PatternRule {
                pattern: "x-long-".into(),
                kind: MatchKind::Starts,
            },
        ])
        .unwrap();
        let long = format!("X-Long-{}", "A".repeat(100));
        for (name, want) in [
            ("x-token", true),
            ("X-Token", true),
            ("X-Tokens", false),
            (long.as_str(), true),
        ] {
            assert_eq!(is_whitelisted(&set, name), want, "{name}");
        }
        assert!(!is_whitelisted(&PatternSet::default(), "x-token"));
    }
}
