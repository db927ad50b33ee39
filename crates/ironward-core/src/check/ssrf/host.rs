//! Host classification for `ssrf`: a bounded, non-backtracking reading of one host the way
//! WHATWG URL parsers (and, for numeric hosts they reject, older resolvers) read it.

use super::{v4_class, v6_class};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostClass {
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
    "metadata.packet.net",
    "metadata.platformequinix.com",
    "metadata.azure.com",
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

/// How a host was written, and so how a number in it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The host of a URL (`scheme://host`): read like WHATWG does.
    Url,
    /// A value with no scheme (`127.1`, `2130706433`): a number must be written as an
    /// address to be one (see [`bare_v4`]).
    Bare,
    /// A value with no scheme but a port or a user part (`127.0.1:8080`, `a@10.1`): written
    /// as a host, so short forms count in every internal range.
    BareHost,
}

/// Classifies a host read the way `reading` says.
pub(super) fn classify(raw: &str, reading: Reading) -> HostClass {
    if raw.is_empty() {
        return HostClass::Public;
    }
    let (host, circled) = normalise(raw);
    let class = classify_normal(&host, reading);
    if class == HostClass::Public && circled {
        HostClass::Obfuscated
    } else {
        class
    }
}

/// The address a host written as an address literal names: IPv6 with or without brackets,
/// IPv4 in any numeric form WHATWG accepts (`127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`).
/// `None` for a name, or a number WHATWG rejects. The SSRF sink compares a user URL's host
/// with the host a URL parser re-serialised it to (`http://2130706433/` → `127.0.0.1`).
pub(crate) fn literal_address(raw: &str) -> Option<IpAddr> {
    let (host, _) = normalise(raw);
    let v6 = |inner: &str| {
        let inner = inner.split('%').next().unwrap_or(inner);
        inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    };
    if let Some(inner) = host.strip_prefix('[') {
        return v6(inner.strip_suffix(']').unwrap_or(inner));
    }
    if host.contains(':') {
        return v6(&host);
    }
    match parse_ipv4(&host) {
        Ipv4::Address(ip) => Some(IpAddr::V4(ip)),
        Ipv4::Invalid(_) | Ipv4::Name => None,
    }
}

/// Classifies the host of an outbound connection (the SSRF sink, `crate::sink::ssrf`), and
/// says whether it is an address literal: IPv4 in any numeric form WHATWG reads (`127.1`,
/// `2130706433`, `0x7f.1`, `0177.0.0.1`) or, for forms it rejects, the lenient reading of old
/// resolvers (`425.510.425.510`), or IPv6 with or without brackets (`[::1]`, `::1`). For a
/// name, the class is the one [`classify`] gives a URL's host (metadata names, `localhost`,
/// `*.internal`, wildcard-DNS names…); circled letters are not singled out.
pub(crate) fn destination_class(raw: &str) -> (HostClass, bool) {
    if raw.is_empty() {
        return (HostClass::Public, false);
    }
    let (host, _) = normalise(raw);
    let v6 = |inner: &str| {
        let inner = inner.split('%').next().unwrap_or(inner);
        inner
            .parse::<Ipv6Addr>()
            .map_or(HostClass::Public, v6_class)
    };
    if let Some(inner) = host.strip_prefix('[') {
        return (v6(inner.strip_suffix(']').unwrap_or(inner)), true);
    }
    if host.contains(':') {
        return (v6(&host), true);
    }
    match parse_ipv4(&host) {
        Ipv4::Address(ip) | Ipv4::Invalid(Some(ip)) => (v4_class(ip), true),
        Ipv4::Invalid(None) => (HostClass::Public, false),
        Ipv4::Name => (classify_normal(&host, Reading::Url), false),
    }
}

fn classify_normal(host: &str, reading: Reading) -> HostClass {
    let bare = reading != Reading::Url;
    let v6 = |inner: &str| {
        let inner = inner.split('%').next().unwrap_or(inner);
        match inner.parse::<Ipv6Addr>() {
            Ok(ip) => v6_class(ip),
            Err(_) => HostClass::Public,
        }
    };
    if let Some(inner) = host.strip_prefix('[') {
        return v6(inner.strip_suffix(']').unwrap_or(inner));
    }
    // A bare IPv6 address (`::1`, `::ffff:7f00:1`): only a value holding two colons or more
    // gets here (`host:port` was split before), and only an exact address counts.
    if bare && host.contains(':') {
        return v6(host);
    }
    match parse_ipv4(host) {
        Ipv4::Address(ip) if bare => return bare_v4(host, ip, true, reading),
        Ipv4::Address(ip) => return v4_class(ip),
        Ipv4::Invalid(Some(ip)) if bare => return bare_v4(host, ip, false, reading),
        Ipv4::Invalid(Some(ip)) => return v4_class(ip),
        Ipv4::Invalid(None) => return HostClass::Public,
        Ipv4::Name => {}
    }
    if let Some(class) = hex_name(host, reading) {
        return class;
    }
    classify_name(host)
}

/// A number written without a scheme is an address only when it is written the way
/// addresses are and nothing else is:
///
/// - four valid parts (`10.0.0.5`, `0x7f.0.0.1`): any internal address; four parts WHATWG
///   rejects are versions (`127.0.6533.89`), never wrapped into an address here;
/// - a part written in hex, or a part before the last in octal (`0x7f.1`, `0177.0.1`): no
///   version, date or decimal is (`0.0014` has its zeros last);
/// - one `0x…` number spelling a whole address (`0x7f000001`, not `0x1F`);
/// - two or three decimal parts (`127.1`, `192.168.1`): a host address of a strongly internal
///   range ([`host_address`]): versions (`10.0.1`), dates (`10.03.2024`) and decimals
///   (`0.197`) land in 0/8 and 10/8, `127.0` is a network;
/// - one decimal or octal number of eight digits or more (`2130706433`, `017700000001`):
///   the same, with a zero byte in the middle ([`host_number`]): small numbers land in 0/8,
///   Unix times in 100.64/10, and a phone number, an id or a bit mask in 127/8 is not
///   `127.0.0.1`.
///
/// With a port or a user part ([`Reading::BareHost`]) the last two count in every internal
/// range but 0/8 when written plainly (`10.1:8080`, `a@167772161`, not `10.013:1`); one short
/// number (`12:30`) is still not a host.
fn bare_v4(host: &str, ip: Ipv4Addr, valid: bool, reading: Reading) -> HostClass {
    if !valid {
        return HostClass::Public;
    }
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = trimmed.split('.').take(5).collect();
    let hex = parts.iter().any(|p| p.starts_with("0x"));
    let octal = parts
        .split_last()
        .is_some_and(|(_, init)| init.iter().any(|p| p.starts_with('0') && p.len() >= 4));
    let plain = parts
        .iter()
        .all(|p| *p == "0" || (!p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit())));
    let as_host = reading == Reading::BareHost && plain && ip.octets()[0] != 0;
    match parts.as_slice() {
        [_, _, _, _] => v4_class(ip),
        [one] if one.starts_with("0x") => {
            if one.len() >= 9 {
                v4_class(ip)
            } else {
                HostClass::Public
            }
        }
        [one] if one.len() >= 8 && as_host => v4_class(ip),
        [one] if one.len() >= 8 => host_number(ip),
        [_] => HostClass::Public,
        _ if hex || octal || as_host => v4_class(ip),
        _ => host_address(ip),
    }
}

/// The class of `ip` when it is a host address (last byte not 0) internal outside 0/8, 10/8,
/// 100.64/10 and 192.0.0/24 (where numbers, versions, dates, amounts and Unix times that are
/// not addresses fall: `2`, `10.0.1`, `192.16`, `1684000000`), or a metadata address.
fn host_address(ip: Ipv4Addr) -> HostClass {
    let [a, b, c, d] = ip.octets();
    let weak = a == 0
        || a == 10
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || d == 0;
    match v4_class(ip) {
        HostClass::Metadata => HostClass::Metadata,
        HostClass::Internal if !weak => HostClass::Internal,
        _ => HostClass::Public,
    }
}

/// [`host_address`] with a zero second or third byte (`127.0.0.1`, `192.168.0.1`), or a
/// metadata address: what a number an attacker computed from an address looks like, and a
/// random number rarely does (about once in twenty thousand).
fn host_number(ip: Ipv4Addr) -> HostClass {
    let [_, b, c, _] = ip.octets();
    match host_address(ip) {
        HostClass::Internal if b != 0 && c != 0 => HostClass::Public,
        class => class,
    }
}

/// Eight hex digits without `0x` (`7f000001`, `a9fea9fe`), as wildcard-DNS services and
/// lenient resolvers read them. At least one digit must be a letter (`00000001` is a
/// counter). As a URL's host (a one-label name no public site has), or with a port or a
/// user part, any internal address counts; alone, it is judged like one long number
/// ([`host_number`]).
fn hex_name(host: &str, reading: Reading) -> Option<HostClass> {
    let b = host.as_bytes();
    if b.len() != 8
        || !b.iter().all(u8::is_ascii_hexdigit)
        || !b.iter().any(u8::is_ascii_alphabetic)
    {
        return None;
    }
    let ip = Ipv4Addr::from(u32::from_str_radix(host, 16).ok()?);
    let class = if reading != Reading::Bare {
        v4_class(ip)
    } else {
        host_number(ip)
    };
    (class != HostClass::Public).then_some(class)
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
        let c = |h: &str| classify(h, Reading::Url);
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
    }

    /// Numbers without a scheme: addresses when written as addresses, else numbers.
    #[test]
    fn bare_numbers_are_hosts_when_written_as_hosts() {
        use HostClass::{Internal, Metadata, Public};
        for (host, reading, class) in [
            ("127.0.0.1", Reading::Bare, Internal),
            ("10.0.0.5", Reading::Bare, Internal),
            ("127.1", Reading::Bare, Internal),
            ("127.0.1", Reading::Bare, Internal),
            ("192.168.1", Reading::Bare, Internal),
            ("0x7f.1", Reading::Bare, Internal),
            ("0177.0.0.1", Reading::Bare, Internal),
            ("0177.1", Reading::Bare, Internal),
            ("0177.0.1", Reading::Bare, Internal),
            ("0x7f000001", Reading::Bare, Internal),
            ("2130706433", Reading::Bare, Internal),
            ("017700000001", Reading::Bare, Internal),
            ("2852039166", Reading::Bare, Metadata),
            ("7F000001", Reading::Bare, Internal),
            ("a9fea9fe", Reading::Bare, Metadata),
            ("::1", Reading::Bare, Internal),
            ("::ffff:7f00:1", Reading::Bare, Internal),
            ("0:0:0:0:0:ffff:a9fe:a9fe", Reading::Bare, Metadata),
            (
                "0000:0000:0000:0000:0000:0000:0000:0001",
                Reading::Bare,
                Internal,
            ),
            ("fe80::1%25eth0", Reading::Bare, Internal),
            ("10.1", Reading::BareHost, Internal),
            ("167772161", Reading::BareHost, Internal),
            ("127.1.", Reading::Bare, Internal),
            // Numbers, versions, dates, times, ids, phone numbers, tokens.
            ("0x1F", Reading::Bare, Public),
            ("2", Reading::Bare, Public),
            ("12", Reading::BareHost, Public),
            ("10.0.1", Reading::Bare, Public),
            ("10.15", Reading::Bare, Public),
            ("10.03.2024", Reading::Bare, Public),
            ("01.02.2024", Reading::Bare, Public),
            ("2024.10.01", Reading::Bare, Public),
            ("1.2.3", Reading::Bare, Public),
            ("1684301234", Reading::Bare, Public),
            ("167772161", Reading::Bare, Public),
            ("2135551234", Reading::Bare, Public),
            ("7147006462", Reading::Bare, Public),
            ("00000001", Reading::Bare, Public),
            ("deadbeef", Reading::Bare, Public),
            ("0.0014", Reading::Bare, Public),
            ("0.000324", Reading::Bare, Public),
            ("0.197", Reading::BareHost, Public),
            ("10.013", Reading::BareHost, Public),
            ("127.0", Reading::Bare, Public),
            ("127.0.6533.89", Reading::Bare, Public),
            ("425.510.425.510", Reading::Bare, Public),
            ("2139223552", Reading::Bare, Public),
            ("7f3a9b2c", Reading::Bare, Public),
            ("12:30:45", Reading::Bare, Public),
            ("2001:db8::1", Reading::Bare, Public),
        ] {
            assert_eq!(classify(host, reading), class, "{host} read {reading:?}");
        }
    }
}
