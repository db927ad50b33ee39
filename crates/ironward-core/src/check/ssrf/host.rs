//! Host classification for `ssrf`: a bounded, non-backtracking reading of one host the way
//! WHATWG URL parsers (and, for numeric hosts they reject, older resolvers) read it.

use super::{v4_class, v6_class};
use std::net::{Ipv4Addr, Ipv6Addr};

/// What a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HostClass {
    /// Anything else: a public name or address.
    Public,
    /// Loopback, private, link-local or an internal name.
    Internal,
    /// A cloud metadata endpoint.
    Metadata,
    /// Written to hide what it is (circled letters).
    Obfuscated,
}

/// Longest host examined, in bytes.
const MAX_HOST: usize = 256;

/// Names that resolve to loopback.
const LOOPBACK_NAMES: &[&str] = &[
    "localhost",
    "ip6-localhost",
    "ip6-loopback",
    "localtest.me",
    "lvh.me",
    "vcap.me",
    "localho.st",
];

/// Cloud metadata names.
const METADATA_NAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
];

/// Suffixes (after a dot) of names that only resolve inside a private network.
const INTERNAL_SUFFIXES: &[&str] = &[
    "localhost",
    "internal",
    "local",
    "localdomain",
    "home.arpa",
    "svc",
    "lvh.me",
    "localtest.me",
    "vcap.me",
    "localho.st",
];

/// Redirect and DNS-rebinding services built for this attack: any name under them.
const ATTACK_SERVICES: &[&str] = &["r3dir.me", "rbndr.us", "1u.ms"];

/// Wildcard DNS services that resolve a name to the address written in it.
const WILDCARD_DNS: &[&str] = &["nip.io", "xip.io", "sslip.io", "nip.direct", "traefik.me"];

/// Maps the compatibility characters IDNA folds to ASCII: fullwidth forms, circled letters and
/// digits, ideographic full stops. Returns the character and whether it was a circled one.
fn fold(c: char) -> (char, bool) {
    let code = u32::from(c);
    let shifted = |base: u32, to: u8| char::from(to + u8::try_from(code - base).unwrap_or(0));
    match code {
        0x24B6..=0x24CF => (shifted(0x24B6, b'a'), true),
        0x24D0..=0x24E9 => (shifted(0x24D0, b'a'), true),
        0x2460..=0x2468 => (shifted(0x2460, b'1'), true),
        0x24EA => ('0', true),
        0xFF01..=0xFF5E => (
            char::from_u32(code - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase()),
            false,
        ),
        0x3002 | 0xFF61 => ('.', false),
        _ => (c.to_ascii_lowercase(), false),
    }
}

/// The host as a URL parser sees it: percent-decoded, folded to lowercase ASCII where
/// possible, without a trailing dot. Also says whether circled characters were folded.
fn normalise(raw: &str) -> (String, bool) {
    let raw = raw.get(..raw.len().min(MAX_HOST)).unwrap_or(raw);
    let (decoded, _, _) = crate::decode::percent::decode_repeated(raw, 2);
    let mut out = String::with_capacity(decoded.len());
    let mut circled = false;
    for c in decoded.chars() {
        let (f, was_circled) = fold(c);
        circled |= was_circled;
        out.push(f);
    }
    while out.ends_with('.') && out.len() > 1 {
        out.pop();
    }
    (out, circled)
}

/// Classifies a host. `bare` hosts (no scheme) must be written in full to count as addresses:
/// a dotted quad (any radix) or one `0x…` number; a URL's host is read like WHATWG does.
pub(super) fn classify(raw: &str, bare: bool) -> HostClass {
    if raw.is_empty() {
        return HostClass::Public;
    }
    let (host, circled) = normalise(raw);
    let class = classify_normal(&host, bare);
    if class == HostClass::Public && circled {
        HostClass::Obfuscated
    } else {
        class
    }
}

fn classify_normal(host: &str, bare: bool) -> HostClass {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        let inner = inner.split('%').next().unwrap_or(inner);
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => v6_class(ip),
            Err(_) => HostClass::Public,
        };
    }
    match parse_ipv4(host) {
        Ipv4::Address(ip) => {
            let parts = host.split('.').filter(|p| !p.is_empty()).count();
            // One `0x…` number counts when it spells a whole address (`0x7f000001`, not `0x1F`).
            let full = parts == 4 || (parts == 1 && host.starts_with("0x") && host.len() >= 9);
            return if bare && !full {
                HostClass::Public
            } else {
                v4_class(ip)
            };
        }
        Ipv4::Invalid(lenient) => {
            return match lenient {
                Some(ip) if !bare => v4_class(ip),
                _ => HostClass::Public,
            };
        }
        Ipv4::Name => {}
    }
    classify_name(host)
}

fn is_under(host: &str, suffix: &str) -> bool {
    host.strip_suffix(suffix)
        .is_some_and(|head| head.is_empty() || head.ends_with('.'))
}

fn classify_name(host: &str) -> HostClass {
    if METADATA_NAMES.contains(&host) {
        return HostClass::Metadata;
    }
    if LOOPBACK_NAMES.contains(&host)
        || INTERNAL_SUFFIXES
            .iter()
            .any(|s| host.len() > s.len() + 1 && is_under(host, s))
        || ATTACK_SERVICES.iter().any(|s| is_under(host, s))
    {
        return HostClass::Internal;
    }
    for service in WILDCARD_DNS {
        if let Some(head) = host.strip_suffix(service)
            && let Some(head) = head.strip_suffix('.')
        {
            return wildcard_class(head);
        }
    }
    HostClass::Public
}

/// The address a wildcard-DNS name embeds (`a.10.0.0.1`, `10-0-0-1`, `0a000001`), judged.
fn wildcard_class(head: &str) -> HostClass {
    let labels: Vec<&str> = head.split('.').take(64).collect();
    if labels.len() >= 4 {
        let tail = labels.get(labels.len() - 4..).unwrap_or_default().join(".");
        if let Ok(ip) = tail.parse::<Ipv4Addr>() {
            return v4_class(ip);
        }
    }
    for label in labels.iter().rev() {
        if let Ok(ip) = label.replace('-', ".").parse::<Ipv4Addr>() {
            return v4_class(ip);
        }
        if label.len() == 8
            && let Ok(n) = u32::from_str_radix(label, 16)
        {
            return v4_class(Ipv4Addr::from(n));
        }
    }
    HostClass::Public
}

/// A host read as IPv4.
#[derive(Debug, PartialEq, Eq)]
enum Ipv4 {
    /// Not a number: a name.
    Name,
    /// A valid WHATWG IPv4 address.
    Address(Ipv4Addr),
    /// Ends in a number but WHATWG rejects it; the lenient reading, if there is one.
    Invalid(Option<Ipv4Addr>),
}

/// One part of a numeric host: `0x` hex, `0` octal, else decimal; the lenient reading also
/// takes `0o` octal and wraps instead of failing. Returns (strict, lenient) values.
fn parse_part(part: &str) -> (Option<u64>, Option<u64>) {
    let lower = part.as_bytes();
    let (digits, radix, strict_ok) = match lower {
        [b'0', b'x', rest @ ..] => (rest, 16, true),
        [b'0', b'o', rest @ ..] => (rest, 8, false),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8, true),
        _ => (lower, 10, true),
    };
    if digits.len() > 64 {
        return (None, None);
    }
    let mut value: u64 = 0;
    let mut exact = true;
    for &d in digits {
        let Some(v) = char::from(d).to_digit(radix) else {
            return (None, None);
        };
        let (m, o1) = value.overflowing_mul(u64::from(radix));
        let (a, o2) = m.overflowing_add(u64::from(v));
        exact &= !(o1 || o2);
        value = a;
    }
    (
        (strict_ok && exact && !(radix == 10 && digits.is_empty())).then_some(value),
        Some(value),
    )
}

/// True when a label is a number in any radix (WHATWG's "ends in a number" test, plus `0o`).
fn is_numeric(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && (b.iter().all(u8::is_ascii_digit)
            || matches!(b, [b'0', b'x', rest @ ..] if rest.iter().all(u8::is_ascii_hexdigit))
            || matches!(b, [b'0', b'o', rest @ ..] if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit)))
}

/// Reads a (lowercase) host as WHATWG's IPv4 parser does, with a lenient fallback.
fn parse_ipv4(host: &str) -> Ipv4 {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = trimmed.split('.').take(6).collect();
    let Some(last) = parts.last() else {
        return Ipv4::Name;
    };
    if !is_numeric(last) {
        return Ipv4::Name;
    }
    if parts.len() > 4 || trimmed.split('.').count() > 4 {
        return Ipv4::Invalid(None);
    }
    let n = parts.len();
    let mut strict: Option<u64> = Some(0);
    let mut lenient: Option<u64> = Some(0);
    for (i, part) in parts.iter().enumerate() {
        let (s, l) = parse_part(part);
        let is_last = i + 1 == n;
        let width = if is_last { 8 * (5 - n as u32) } else { 8 };
        let limit = 1u64 << width;
        let shift = if is_last { 0 } else { 8 * (3 - i as u32) };
        strict = match (strict, s) {
            (Some(acc), Some(v)) if v < limit => Some(acc | (v << shift)),
            _ => None,
        };
        lenient = match (lenient, l) {
            (Some(acc), Some(v)) => Some(acc | ((v % limit) << shift)),
            _ => None,
        };
    }
    let to_ip = |v: u64| Ipv4Addr::from(u32::try_from(v & 0xffff_ffff).unwrap_or(0));
    match strict {
        Some(v) => Ipv4::Address(to_ip(v)),
        None => Ipv4::Invalid(lenient.map(to_ip)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_read_like_whatwg() {
        let ip = |s: &str| match parse_ipv4(s) {
            Ipv4::Address(ip) => Some(ip.to_string()),
            _ => None,
        };
        assert_eq!(ip("2130706433").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("0x7f000001").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("0177.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("127.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("0").as_deref(), Some("0.0.0.0"));
        assert_eq!(
            ip("0xa9.0xfe.0xa9.0xfe").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(
            ip("0251.00376.000251.0000376").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(ip("8.8.8.8").as_deref(), Some("8.8.8.8"));
        assert_eq!(ip("1.2.3.4."), Some("1.2.3.4".to_owned()));
        assert_eq!(parse_ipv4("example.com"), Ipv4::Name);
        assert_eq!(parse_ipv4("1.2.3.com"), Ipv4::Name);
        assert_eq!(parse_ipv4("0x"), Ipv4::Address(Ipv4Addr::UNSPECIFIED));
        assert_eq!(parse_ipv4("09.1.1.1"), Ipv4::Invalid(None));
    }

    #[test]
    fn rejected_numbers_get_a_lenient_reading() {
        let lenient = |s: &str| match parse_ipv4(s) {
            Ipv4::Invalid(Some(ip)) => Some(ip.to_string()),
            _ => None,
        };
        assert_eq!(
            lenient("425.510.425.510").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(lenient("7147006462").as_deref(), Some("169.254.169.254"));
        assert_eq!(
            lenient("0x41414141a9fea9fe").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(lenient("0o177.0.0.1").as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn names_are_classified() {
        let c = |h: &str| classify(h, false);
        assert_eq!(c("localhost"), HostClass::Internal);
        assert_eq!(c("LOCALHOST."), HostClass::Internal);
        assert_eq!(c("api.localhost"), HostClass::Internal);
        assert_eq!(c("metadata.google.internal"), HostClass::Metadata);
        assert_eq!(c("db.internal"), HostClass::Internal);
        assert_eq!(c("127.0.0.1.nip.io"), HostClass::Internal);
        assert_eq!(c("app.10-0-0-1.sslip.io"), HostClass::Internal);
        assert_eq!(c("7f000001.nip.io"), HostClass::Internal);
        assert_eq!(c("8.8.8.8.nip.io"), HostClass::Public);
        assert_eq!(c("x.lvh.me"), HostClass::Internal);
        assert_eq!(c("ⓔⓧⓐⓜⓟⓛⓔ.ⓒⓞⓜ"), HostClass::Obfuscated);
        assert_eq!(c("１２７.０.０.１"), HostClass::Internal);
        assert_eq!(c("%31%32%37.0.0.1"), HostClass::Internal);
        assert_eq!(c("example.com"), HostClass::Public);
        assert_eq!(c("notlocalhost.com"), HostClass::Public);
        assert_eq!(c("internal.example.com"), HostClass::Public);
        assert_eq!(c("local"), HostClass::Public);
        assert_eq!(c("[::1]"), HostClass::Internal);
        assert_eq!(c("[fe80::1%25eth0]"), HostClass::Internal);
        assert_eq!(c("[::ffff:7f00:1]"), HostClass::Internal);
        assert_eq!(c("[2001:4860:4860::8888]"), HostClass::Public);
        assert_eq!(c("[fd00:ec2::254]"), HostClass::Metadata);
        assert_eq!(classify("127.1", true), HostClass::Public);
        assert_eq!(classify("127.0.0.1", true), HostClass::Internal);
        assert_eq!(classify("0x1F", true), HostClass::Public);
        assert_eq!(classify("0x7f000001", true), HostClass::Internal);
    }
}
