//! `ssrf`: server-side request forgery.
//!
//! An application that fetches a URL taken from the request (webhooks, link previews, image
//! proxies, PDF renderers, importers) can be made to call its own loopback services, the private
//! network behind it, or the cloud metadata endpoint that hands out credentials. This check
//! reads URL and host values and resolves their host the way URL libraries do, without DNS.
//!
//! # What counts
//!
//! Inputs: query, form, JSON, cookie, file-name and path-segment values (and their decoded
//! variants), and the once-decoded request path when it embeds a `scheme://`. Headers, the
//! user agent and the referer are left out: `Host: localhost`, `Referer: http://10.0.0.5/` are
//! what internal clients and health checks send, and the application does not fetch them.
//!
//! A value is judged in one of three ways:
//!
//! 1. **URL values** — the trimmed value starts with `scheme:` followed by `/` or `\` (or with
//!    `http:`/`https:` followed by a host, which WHATWG parsers accept), or with `//`. The value
//!    fires when any URL in it (the value itself and every later `scheme://` in it, such as
//!    `https://r/?url=http://localhost`) has an **internal host** (below), or a **non-HTTP
//!    scheme** an attacker uses to talk to internal services: `gopher`, `dict`, `file`,
//!    `ldap(s|i)`, `tftp`, `netdoc`, `jar:`, `smb`, `telnet`.
//! 2. **Other text** — a URL embedded after other text fires only on a cloud-metadata host or a
//!    non-HTTP scheme above (`see http://localhost:3000` in a comment passes).
//! 3. **Bare hosts** (`host[:port][/path]`, no scheme, no space) fire on an internal host when
//!    the parameter's name suggests a URL or a host (`url`, `uri`, `link`, `src`, `dest`,
//!    `redirect`, `callback`, `webhook`, `host`, `domain`, `target`, `proxy`, `feed`, `image`,
//!    `img`, `next`, `continue`, `forward`, `return`, `goto`, `endpoint`, `fetch`), and in any
//!    field on a cloud-metadata host. A user part (`a@127.1`), a port, a path and a trailing
//!    dot are read as in a URL. A number is a host only when it is written as an address:
//!    four valid parts (`10.0.0.5`, `0x7f.0.0.1`), a hex part or an octal part before the
//!    last (`0x7f.1`, `0177.0.1`), one `0x…` number spelling a whole address (`0x7f000001`),
//!    a bare IPv6 address (`::1`, `::ffff:7f00:1`, expanded); short decimal forms (`127.1`,
//!    `192.168.1`), one long number (`2130706433`, `017700000001`) and eight hex digits
//!    (`7F000001`) only when they name a host (last byte not 0) in 127/8, 169.254/16,
//!    172.16/12 or 192.168/16 or a metadata address — versions and dates (`10.0.1`,
//!    `10.03.2024`), decimals (`0.0014`), small numbers (`2`), Unix times and phone numbers
//!    land elsewhere — and, for the last two, with a zero second or third byte (`127.0.0.1`,
//!    not an id or a bit mask that happens to fall in 127/8). With a port or a user part,
//!    plain decimal short forms count in every internal range but 0/8 (`10.1:8080`). Four
//!    parts WHATWG rejects (`127.0.6533.89`, a browser version) are not wrapped into an
//!    address without a scheme. A one-label name is also a word: `metadata` alone counts
//!    only in a URL-typed field, and in title case (`Localhost`, `Metadata`) it is a label,
//!    while other capitals (`LOCALHOST`) are the case trick. So `127.1`, `::1` and
//!    `http://a@127.1/` fire in a `next` or `webhook` field, `10.0.0.5` in an `ip` field
//!    passes, `10.0.1`, `2`, `12:30`, `0.0014` and `1684301234` in a `url` field pass.
//!
//! The host of a URL is read like WHATWG and curl do, and every reading that differs counts:
//! any number of `/` or `\` after the scheme; the authority ends at `/`, `\`, `?` or `#`
//! (WHATWG) or only at `/` (older parsers), so `http://127.0.0.1#@good.com` and
//! `http://good.com\@127.0.0.1` both fire; the host is after the last `@`, and the user part
//! before the first `@` is read as a host too (`http://localhost@good.com`). The host is
//! percent-decoded, fullwidth and circled letters are mapped to ASCII (circled letters alone
//! fire: no one types them), a trailing dot is dropped.
//!
//! **Internal hosts**: IPv4 in 0/8, 10/8, 100.64/10 (carrier NAT; Alibaba's metadata
//! 100.100.100.200), 127/8, 169.254/16, 172.16/12, 192.0.0/24 (Oracle's metadata
//! 192.0.0.192), 192.168/16, 198.18/15, 255.255.255.255 — parsed like WHATWG (`2130706433`,
//! `0x7f000001`, `0177.0.0.1`, `0x7f.1`, `127.1`), and, for numeric hosts WHATWG rejects,
//! read the lenient way old resolvers do (`0o177.0.0.1`, overflowing parts `425.510.425.510`
//! wrapped modulo 256, `0x41414141a9fea9fe` modulo 2³²); IPv6 `::`, `::1`, `fc00::/7`,
//! `fe80::/10`, `fec0::/10`, and any IPv4 embedded as mapped, compatible, NAT64 or 6to4
//! (`[::ffff:127.0.0.1]`, `[::ffff:7f00:1]`), zone ids ignored; names `localhost` and
//! `*.localhost`, `ip6-localhost`, `ip6-loopback`, `*.internal`, `*.local`, `*.localdomain`,
//! `*.home.arpa`, `*.svc`, metadata names (GCP `metadata.google.internal` and `metadata`, AWS
//! `instance-data`, Packet/Equinix `metadata.packet.net` and `metadata.platformequinix.com`,
//! Tencent…), names that always resolve to loopback (`localtest.me`, `lvh.me`,
//! `vcap.me`, `localho.st`), eight hex digits naming an internal address (`7f000001`),
//! wildcard-DNS names embedding an internal address
//! (`127.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `7f000001.nip.io`, `.xip.io`), and redirect and
//! rebinding services that exist for this attack (`r3dir.me`, `rbndr.us`, `1u.ms`). Public
//! hosts (`example.com`, `8.8.8.8`, documentation ranges) pass.
//!
//! # Cost
//!
//! A value without `:` is only looked at when it could be a bare host (short, no space, and a
//! URL-like parameter name or a metadata-looking start); a value with `:` but no URL start and no
//! `://` is dismissed after one search. Host parsing is a bounded, single forward pass.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::{Location, Shape};
use crate::verdict::Finding;
use std::net::{Ipv4Addr, Ipv6Addr};

#[cfg(test)]
mod generated;
mod host;
#[cfg(test)]
mod tests;

pub(crate) use host::{HostClass, destination_class, literal_address};
use host::{Reading, classify};

/// The `ssrf` check.
#[derive(Debug)]
pub(crate) struct Ssrf;

impl Ssrf {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(Ssrf)
    }
}

/// Most URLs examined in one value.
const MAX_URLS: usize = 16;
/// Longest authority examined, in bytes.
const MAX_AUTHORITY: usize = 512;

/// Parameter-name fragments that say "this is a URL or a host".
const URL_NAMES: &[&str] = &[
    "url", "uri", "link", "src", "dest", "redirect", "callback", "webhook", "host", "domain",
    "target", "proxy", "feed", "image", "img", "next", "continue", "forward", "return", "goto",
    "endpoint", "fetch",
];

/// Schemes that reach internal services other than HTTP ones.
const DANGEROUS_SCHEMES: &[&str] = &[
    "gopher", "dict", "file", "ldap", "ldaps", "ldapi", "tftp", "netdoc", "jar", "smb", "telnet",
];

/// Schemes WHATWG parsers treat as special (`\` is a slash, slashes are optional).
const SPECIAL_SCHEMES: &[&str] = &["http", "https", "ws", "wss", "ftp"];

/// True when a parameter name suggests a URL or a host.
fn urlish_name(name: &str) -> bool {
    let name = name.as_bytes();
    (0..name.len()).any(|i| {
        // Only the fragments that start with this byte are compared (most bytes start none).
        let mut starting = URL_NAME_STARTS[usize::from(name[i])];
        let rest = &name[i..];
        while starting != 0 {
            let index = starting.trailing_zeros() as usize;
            starting &= starting - 1;
            let frag = URL_NAMES.get(index).map_or(&b""[..], |f| f.as_bytes());
            if rest
                .get(..frag.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(frag))
            {
                return true;
            }
        }
        false
    })
}

/// For each byte, the fragments of [`URL_NAMES`] starting with it, in either case (bit `i` for
/// fragment `i`).
const URL_NAME_STARTS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < URL_NAMES.len() {
        let first = URL_NAMES[i].as_bytes()[0];
        t[first.to_ascii_lowercase() as usize] |= 1 << i;
        t[first.to_ascii_uppercase() as usize] |= 1 << i;
        i += 1;
    }
    t
};
const _: () = assert!(URL_NAMES.len() <= 32, "URL_NAME_STARTS holds 32 fragments");

/// How strictly the URLs of a value are judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The value is a URL: internal hosts fire.
    Url,
    /// The URL is embedded in other text: only metadata hosts and dangerous schemes fire.
    Embedded,
}

/// The scheme ending at byte `colon` of `value` (the `:`), lowercase-comparable, if any:
/// `[A-Za-z][A-Za-z0-9+.-]*`, at least two characters (`C:\` is a drive, not a scheme).
fn scheme_before(value: &str, colon: usize) -> Option<(usize, &str)> {
    let bytes = value.as_bytes();
    let mut start = colon;
    while start > 0
        && bytes
            .get(start - 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && colon - start < 32
    {
        start -= 1;
    }
    // The scheme starts at its first letter.
    while start < colon && !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
        start += 1;
    }
    let scheme = value.get(start..colon)?;
    (scheme.len() >= 2).then_some((start, scheme))
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// True when the value starts as a URL (rule 1): returns where its authority starts and
/// whether it has a dangerous scheme.
fn url_start(value: &str) -> Option<(usize, bool)> {
    if value.starts_with("//") || value.starts_with("\\\\") {
        return Some((0, false));
    }
    let colon = value.bytes().take(33).position(|b| b == b':')?;
    let (start, scheme) = scheme_before(value, colon)?;
    if start != 0 {
        return None;
    }
    let next = *value.as_bytes().get(colon + 1)?;
    let dangerous = is_one_of(scheme, DANGEROUS_SCHEMES);
    let slashed = next == b'/' || next == b'\\';
    let special = is_one_of(scheme, SPECIAL_SCHEMES);
    ((slashed || special || dangerous) && !next.is_ascii_whitespace())
        .then_some((colon + 1, dangerous))
}

/// The candidate hosts of the authority that starts at `rest` (after `scheme:`).
fn for_each_host(rest: &str, f: &mut dyn FnMut(&str) -> bool) -> bool {
    let rest = rest.trim_start_matches(['/', '\\']);
    let rest = rest.get(..rest.len().min(MAX_AUTHORITY)).unwrap_or(rest);
    let end_at = |stops: &[u8]| {
        rest.bytes()
            .position(|b| stops.contains(&b) || b.is_ascii_whitespace())
            .unwrap_or(rest.len())
    };
    let whatwg = rest.get(..end_at(b"/\\?#")).unwrap_or_default();
    let naive = rest.get(..end_at(b"/")).unwrap_or_default();
    for (index, authority) in [whatwg, naive].into_iter().enumerate() {
        if index == 1 && authority == whatwg {
            break;
        }
        let after_at = authority.rsplit('@').next().unwrap_or(authority);
        if f(host_of(after_at)) {
            return true;
        }
        if let Some((user, _)) = authority.split_once('@') {
            let user = user.split(':').next().unwrap_or(user);
            if !user.is_empty() && f(host_of(user)) {
                return true;
            }
        }
    }
    false
}

/// `host[:port]` → `host`; `[v6]:port` → `[v6]`.
fn host_of(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => host_port.get(..=end).unwrap_or(host_port),
            None => host_port,
        };
    }
    host_port.split(':').next().unwrap_or(host_port)
}

/// True when any candidate host of the authority at `rest` fires in `mode`.
fn authority_fires(rest: &str, mode: Mode) -> bool {
    for_each_host(rest, &mut |host| match classify(host, Reading::Url) {
        HostClass::Metadata => true,
        HostClass::Internal | HostClass::Obfuscated => mode == Mode::Url,
        HostClass::Public => false,
    })
}

/// Rules 1 and 2 for every `scheme://` in `value` at or after byte `from`.
fn embedded_urls_fire(value: &str, from: usize, mode: Mode) -> bool {
    let bytes = value.as_bytes();
    memchr::memmem::find_iter(bytes, b"://")
        .filter(|&at| at >= from)
        .take(MAX_URLS)
        .any(|at| {
            let Some((start, scheme)) = scheme_before(value, at) else {
                return false;
            };
            let jar = start >= 4
                && bytes
                    .get(start - 4..start)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"jar:"));
            if jar || is_one_of(scheme, DANGEROUS_SCHEMES) {
                return true;
            }
            authority_fires(value.get(at + 1..).unwrap_or_default(), mode)
        })
}

/// Rule 3: the host of a bare `host[:port][/…]` value and its class; `None` when the value
/// cannot be a bare host (empty, longer than 300 bytes, or holding a space).
fn bare_host(value: &str) -> Option<(HostClass, &str)> {
    if value.is_empty() || value.len() > 300 || value.bytes().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let end = value
        .bytes()
        .position(|b| matches!(b, b'/' | b'\\' | b'?' | b'#'))
        .unwrap_or(value.len());
    let authority = value.get(..end).unwrap_or(value);
    let after_at = authority.rsplit('@').next().unwrap_or(authority);
    // Two colons or more without brackets: a bare IPv6 address (`::1`), which has no port.
    let host = if !after_at.starts_with('[') && after_at.bytes().filter(|&b| b == b':').count() >= 2
    {
        after_at
    } else {
        host_of(after_at)
    };
    // A port or a user part says the value is written as a host.
    let port = after_at
        .get(host.len()..)
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let reading = if port || authority.len() > after_at.len() {
        Reading::BareHost
    } else {
        Reading::Bare
    };
    Some((classify(host, reading), host))
}

/// True when a bare value could start a metadata host (`169.254.…`, `100.100.…`, `192.0.0.…`,
/// `[fd00:ec2…`, `metadata…`, `instance-data…`): the cheap gate of rule 3 for other fields.
fn may_be_metadata(value: &str) -> bool {
    let starts = |prefix: &str| {
        value
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    [
        "169.254.",
        "100.100.",
        "192.0.0.",
        "[fd00:ec2",
        "metadata",
        "instance-data",
    ]
    .into_iter()
    .any(starts)
}

impl Ssrf {
    /// True when `value`, the value of a parameter named `name`, is an SSRF attempt by the rules
    /// of the module doc.
    #[cfg(test)]
    pub(crate) fn is_attack(&self, value: &str, name: Option<&str>) -> bool {
        self.is_attack_shaped(value, Shape::of(value), name)
    }

    /// [`Ssrf::is_attack`] for a value whose [`Shape`] is known: a value without `:`, `/` or
    /// `\` starts no URL and embeds none, so only the bare-host rule is left to ask.
    pub(super) fn is_attack_shaped(&self, value: &str, shape: Shape, name: Option<&str>) -> bool {
        let value = value.trim();
        if shape.any(URL_BYTES) {
            if let Some((authority, dangerous)) = url_start(value) {
                if dangerous || starts_with_jar(value) {
                    return true;
                }
                return authority_fires(value.get(authority..).unwrap_or_default(), Mode::Url)
                    || embedded_urls_fire(value, authority, Mode::Url);
            }
            if memchr::memmem::find(value.as_bytes(), b"://").is_some() {
                return embedded_urls_fire(value, 0, Mode::Embedded);
            }
        }
        // Rule 3, cheapest test first: a bare host has no space; then the field must be
        // URL-like or the value look like a metadata host; only then is the host classified.
        if value.is_empty() || value.len() > 300 || value.bytes().any(|b| b.is_ascii_whitespace()) {
            return false;
        }
        let urlish = name.is_some_and(urlish_name);
        if !urlish && !may_be_metadata(value) {
            return false;
        }
        let Some((class, host)) = bare_host(value) else {
            return false;
        };
        // A one-label name (`localhost`, `metadata`) is also a word: in an ordinary field it
        // is one, and written in title case (`Metadata`, `Localhost`) it is a label anywhere.
        // Capitals elsewhere (`LOCALHOST`, `lOcAlHoSt`) are the case trick.
        let word = host.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-');
        let title = host.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && host
                .split('-')
                .all(|part| !part.bytes().skip(1).any(|b| b.is_ascii_uppercase()));
        match class {
            HostClass::Public => false,
            _ if word && title => false,
            HostClass::Internal | HostClass::Obfuscated => urlish,
            HostClass::Metadata if word => urlish,
            HostClass::Metadata => true,
        }
    }
}

/// The bytes a URL (`scheme:`, `//host`, `\\\\host`) cannot be written without.
const URL_BYTES: Shape = Shape::of_bytes(b":/\\");

fn starts_with_jar(value: &str) -> bool {
    value
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("jar:"))
}

/// True for the locations this check reads (see the module doc).
fn inspected(location: Location) -> bool {
    !matches!(
        location,
        Location::HeadersNames | Location::HeadersValues | Location::UserAgent | Location::Referer
    )
}

impl Check for Ssrf {
    fn id(&self) -> CheckId {
        CheckId::Ssrf
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if memchr::memmem::find(ctx.path.as_bytes(), b"://").is_some()
            && embedded_urls_fire(ctx.path, 0, Mode::Url)
        {
            findings.push(Finding::new(CheckId::Ssrf, "path", ctx.path).with_engine("rule"));
            return;
        }
        for input in ctx.inputs().scored() {
            if inspected(input.location)
                && self.is_attack_shaped(&input.value, input.shape, input.name.as_deref())
            {
                findings.push(
                    Finding::new(CheckId::Ssrf, input.location.as_str(), &input.value)
                        .with_engine("rule"),
                );
                return;
            }
        }
    }
}

/// True for IPv4 addresses an attacker should not reach from the server, and whether the
/// address is a cloud metadata endpoint.
pub(crate) fn v4_class(ip: Ipv4Addr) -> HostClass {
    let [a, b, c, d] = ip.octets();
    let metadata = matches!(
        [a, b, c, d],
        [169, 254, 169, 254]
            | [169, 254, 169, 123]
            | [169, 254, 170, 2]
            | [100, 100, 100, 200]
            | [192, 0, 0, 192]
    );
    let internal = a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || ip == Ipv4Addr::BROADCAST;
    if metadata {
        HostClass::Metadata
    } else if internal {
        HostClass::Internal
    } else {
        HostClass::Public
    }
}

/// The same for IPv6, with embedded IPv4 addresses judged as IPv4.
pub(crate) fn v6_class(ip: Ipv6Addr) -> HostClass {
    let s = ip.segments();
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return HostClass::Metadata;
    }
    if ip.is_unspecified() || ip.is_loopback() {
        return HostClass::Internal;
    }
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        v4_class(Ipv4Addr::new(a, b, c, d))
    };
    match s {
        // Mapped, compatible and NAT64 (64:ff9b::/96).
        [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0, 0, 0, 0, 0, 0, hi, lo]
        | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => embedded(hi, lo),
        // 6to4.
        [0x2002, hi, lo, ..] => embedded(hi, lo),
        [first, ..] if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 => HostClass::Internal,
        [first, ..] if first & 0xffc0 == 0xfec0 => HostClass::Internal,
        _ => HostClass::Public,
    }
}
