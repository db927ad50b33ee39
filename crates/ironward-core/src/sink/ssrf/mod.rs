//! The SSRF sink detector: does a request input choose the host of an outbound connection
//! that goes to an internal address?
//!
//! ## Rule
//!
//! The check runs where the application is about to connect: `target` is the URL it is about
//! to request (`scheme://user@host:port/path…`) or a bare `host` / `host:port` (what
//! `socket.getaddrinfo` or a DNS resolver is given), and `resolved` the addresses the
//! connection will use (empty when the check runs before resolution). It fires when both hold:
//!
//! 1. **An input controls the host.** An input of at least [`MIN_INPUT_LEN`] bytes occurs in
//!    the target (exact bytes) and that occurrence covers the whole host, or crosses one of
//!    its ends (`evil.com@127.0.0.1`, `127.0.0.1#`, `//127.0.0.1`), or appends labels to it
//!    (`"https://api.example.com" + ".evil.com"`: a suffix of the host starting with `.`); or
//!    the input is itself a URL with an authority (`scheme://…`, `//…`) whose host equals the
//!    target's host, ASCII case and a trailing dot ignored, or names the same address when
//!    the target's host is an address literal and the port is the same (the application
//!    re-serialised the URL: `url` and WHATWG parsers write `http://2130706433/` as
//!    `http://127.0.0.1/`). An occurrence that is
//!    a proper part of the host (one label, one octet: a page number `10` inside the
//!    application's own `10.0.0.5`) is not control: the code chose the rest. An input that
//!    only fills the path, the query or the fragment of a URL to a fixed host is safe.
//! 2. **The destination is internal.** Any resolved address, or the host itself when it is an
//!    address literal in any numeric form (`127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`,
//!    `017700000001`, `[::1]`, `[::ffff:7f00:1]`, IPv4-mapped, -compatible, NAT64 or 6to4
//!    forms of an internal IPv4) is loopback, private (RFC 1918, ULA `fc00::/7`), link-local
//!    (`169.254/16`, `fe80::/10`), unspecified (`0.0.0.0`, `::`, all of `0/8`), carrier NAT
//!    (`100.64/10`), benchmarking (`198.18/15`), `192.0.0/24`, broadcast or site-local
//!    (`fec0::/10`) → [`Reason::InternalAddress`]; a cloud metadata address (`169.254.169.254`,
//!    `fd00:ec2::254`, Alibaba's `100.100.100.200`, Oracle's `192.0.0.192`, AWS's
//!    `169.254.169.123` and `169.254.170.2`) or metadata host name
//!    (`metadata.google.internal`, `metadata.goog`, `metadata`, `instance-data`,
//!    `metadata.azure.com`…, any case, trailing dot) → [`Reason::MetadataService`], which wins
//!    over `InternalAddress`. When `resolved` is empty, a name is judged by itself as the
//!    request-side `ssrf` check judges a URL's host (`localhost`, `*.internal`, `*.local`,
//!    wildcard-DNS names such as `127.0.0.1.nip.io`…); when it is not, the addresses decide.
//!
//! The address classification is the request-side check's (`crate::check::ssrf`), called,
//! not copied. Because the resolved addresses are judged, DNS rebinding is caught: a
//! public-looking host from the request that resolves to `127.0.0.1` fires. An internal
//! address whose host did not come from the request (the application's own internal calls) is
//! safe.
//!
//! ## Reading the target
//!
//! The authority is read the WHATWG way, without the `url` crate (not a dependency of
//! `ironward-core`): leading and trailing spaces and control bytes are dropped; `scheme:`,
//! then, for the special schemes (`http`, `https`, `ws`, `wss`, `ftp`, `file`), any number of
//! `/` or `\`, for others `//`; the authority ends at `/`, `?`, `#`, and `\` for special
//! schemes; the host follows the last `@` of the authority; `[v6]`, else up to `:port`.
//! `//host/…` is scheme-relative. A target without a scheme is a bare host (`host`,
//! `host:port`, `[v6]:port`, or an IPv6 address without brackets: `::1`); so is `name:digits`
//! (`localhost:8080`). A scheme other than these without `//` (`mailto:`, `urn:`) has no host:
//! no finding.

use super::{MIN_INPUT_LEN, Reason, Sink, SinkFinding, request_values};
use crate::check::ssrf::{HostClass, destination_class, literal_address, v4_class, v6_class};
use crate::input::Inputs;
use memchr::memmem;
use std::net::IpAddr;
use std::ops::Range;

/// At most this many occurrences of each input near the host are examined, which keeps the
/// check linear in the target's length however often an input repeats.
pub const MAX_OCCURRENCES: usize = 16;

/// Checks an outbound connection the application is about to make against the request's user
/// inputs.
///
/// `target` is the URL (or bare `host` / `host:port`) and `resolved` the addresses the
/// connection will use, possibly empty. Returns a finding when an input controls the host and
/// the destination is internal ([`Reason::InternalAddress`]) or a cloud metadata service
/// ([`Reason::MetadataService`]); `span` is the occurrence of the input in `target` (the host
/// when the input is a URL with the same host written otherwise). Pure and panic-free; see the
/// [module documentation](self).
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, ssrf};
/// use std::net::IpAddr;
///
/// // A webhook URL from the request, pointing at the metadata service.
/// let url = "http://169.254.169.254/latest/meta-data/";
/// let f = ssrf::check(url, &[], ["hello", url]).expect("metadata");
/// assert_eq!((f.input_index, f.reason), (1, Reason::MetadataService));
///
/// // DNS rebinding: a public-looking host from the request resolving to loopback.
/// let lo: IpAddr = "127.0.0.1".parse().unwrap();
/// let f = ssrf::check("http://rebind.example/x", &[lo], ["rebind.example"]);
/// assert_eq!(f.map(|f| f.reason), Some(Reason::InternalAddress));
///
/// // The application's own internal call, the user input only in the query: no finding.
/// let db: IpAddr = "10.0.0.5".parse().unwrap();
/// assert!(ssrf::check("http://search.internal:9200/_search?q=shoes", &[db], ["shoes"]).is_none());
/// ```
pub fn check<I, S>(target: &str, resolved: &[IpAddr], inputs: I) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let host = host_span(target)?;
    let host_text = target.get(host.written.clone()).unwrap_or_default();
    // The address the host names when it is an address literal, for `same_host`.
    let address = literal_address(host_text.strip_suffix('.').unwrap_or(host_text));
    for (index, input) in inputs.into_iter().enumerate() {
        let needle = input.as_ref();
        if needle.len() < MIN_INPUT_LEN {
            continue;
        }
        let span = controlling_occurrence(target, &host.inner, needle).or_else(|| {
            same_host(needle, host_text, address, target).then(|| host.written.clone())
        });
        if let Some(span) = span {
            // The destination does not depend on the input: the first controlling input
            // decides.
            return destination(host_text, resolved).map(|reason| SinkFinding {
                sink: Sink::Ssrf,
                input: needle.to_owned(),
                input_index: index,
                span,
                reason,
            });
        }
    }
    None
}

/// [`check`] with the values of an extracted request ([`request_values`]).
pub fn check_request(
    target: &str,
    resolved: &[IpAddr],
    inputs: &Inputs<'_>,
) -> Option<SinkFinding> {
    check(target, resolved, request_values(inputs))
}

/// Where the host lies in a target.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostSpan {
    /// The host as written, brackets of an IPv6 literal included.
    written: Range<usize>,
    /// The same without the brackets: what an input must cover to control the host.
    inner: Range<usize>,
}

/// Schemes WHATWG treats as special: slashes after `scheme:` are optional, `\` is `/`.
const SPECIAL_SCHEMES: &[&str] = &["http", "https", "ws", "wss", "ftp", "file"];

/// The host of a URL or bare `host[:port]`, read as described in the module doc; `None` when
/// there is none (an empty host, a scheme without an authority).
fn host_span(target: &str) -> Option<HostSpan> {
    let b = target.as_bytes();
    let start = b.iter().position(|&c| c > b' ')?;
    let end = b.iter().rposition(|&c| c > b' ').map_or(start, |e| e + 1);
    let at = |i: usize| b.get(i).copied();
    // `scheme:`, `//`, or a bare host.
    let (auth_start, backslash, bare) = match scheme_end(b, start, end) {
        Some(colon) => {
            let scheme = target.get(start..colon).unwrap_or_default();
            let after = colon + 1;
            if SPECIAL_SCHEMES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(scheme))
            {
                let mut i = after;
                while i < end && matches!(at(i), Some(b'/' | b'\\')) {
                    i += 1;
                }
                (i, true, false)
            } else if at(after) == Some(b'/') && at(after + 1) == Some(b'/') {
                (after + 2, false, false)
            } else if bare_after_colon(b.get(after..end).unwrap_or_default()) {
                // `localhost:8080`, `fe80::1`: a host, not a scheme.
                (start, true, true)
            } else {
                return None;
            }
        }
        None if matches!(at(start), Some(b'/' | b'\\'))
            && matches!(at(start + 1), Some(b'/' | b'\\')) =>
        {
            let mut i = start;
            while i < end && matches!(at(i), Some(b'/' | b'\\')) {
                i += 1;
            }
            (i, true, false)
        }
        None => (start, true, true),
    };
    let auth_end = (auth_start..end)
        .find(|&i| match at(i) {
            Some(b'/' | b'?' | b'#') => true,
            Some(b'\\') => backslash,
            _ => false,
        })
        .unwrap_or(end);
    let authority = b.get(auth_start..auth_end).unwrap_or_default();
    let host_start = auth_start + memchr::memrchr(b'@', authority).map_or(0, |p| p + 1);
    let rest = b.get(host_start..auth_end).unwrap_or_default();
    let span = if rest.first() == Some(&b'[') {
        match memchr::memchr(b']', rest) {
            Some(close) => HostSpan {
                written: host_start..host_start + close + 1,
                inner: host_start + 1..host_start + close,
            },
            None => HostSpan {
                written: host_start..auth_end,
                inner: host_start + 1..auth_end,
            },
        }
    } else if bare && memchr::memchr_iter(b':', rest).nth(1).is_some() {
        // Two colons or more without brackets: an IPv6 address, which has no port.
        HostSpan {
            written: host_start..auth_end,
            inner: host_start..auth_end,
        }
    } else {
        let host_end = host_start + memchr::memchr(b':', rest).unwrap_or(rest.len());
        HostSpan {
            written: host_start..host_end,
            inner: host_start..host_end,
        }
    };
    (!span.inner.is_empty()).then_some(span)
}

/// The `:` ending a scheme that starts at `start` (`[A-Za-z][A-Za-z0-9+.-]*:`), if any.
fn scheme_end(b: &[u8], start: usize, end: usize) -> Option<usize> {
    if !b.get(start)?.is_ascii_alphabetic() {
        return None;
    }
    (start + 1..end)
        .take_while(|&i| {
            b.get(i).is_some_and(|&c| {
                c == b':' || c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
            })
        })
        .find(|&i| b.get(i) == Some(&b':'))
}

/// True when what follows `name:` makes it a bare host rather than a scheme: a port
/// (`localhost:8080`, `localhost:`) or the rest of an IPv6 address (`fe80::1`).
fn bare_after_colon(after: &[u8]) -> bool {
    let authority = after
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .map_or(after, |e| after.get(..e).unwrap_or_default());
    authority.iter().all(u8::is_ascii_digit)
        || (authority.contains(&b':')
            && authority
                .iter()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.')))
}

/// Candidates (hits of the input's first byte) verified one by one before handing over to
/// `memmem`, which keeps the search linear.
const MAX_CANDIDATES: usize = 32;

/// The first occurrence of `input` in `target` that controls the host at `host` (see the
/// module doc), searched only where an occurrence can overlap the host: a `memchr` scan for
/// the input's first byte with each hit verified in place (no searcher is built for the
/// common short window), then `memmem`.
fn controlling_occurrence(target: &str, host: &Range<usize>, input: &str) -> Option<Range<usize>> {
    let b = target.as_bytes();
    let needle = input.as_bytes();
    let n = needle.len();
    let from = (host.start + 1).saturating_sub(n);
    let to = (host.end + n - 1).min(b.len());
    let window = b.get(from..to)?;
    let &first = needle.first()?;
    if window.len() < n {
        return None;
    }
    let mut seen = 0;
    let mut rest = None;
    for (candidates, at) in memchr::memchr_iter(first, window).enumerate() {
        if candidates == MAX_CANDIDATES {
            rest = Some(at);
            break;
        }
        if window.get(at..at + n) == Some(needle) {
            let occurrence = from + at..from + at + n;
            if controls(b, &occurrence, host) {
                return Some(occurrence);
            }
            seen += 1;
            if seen == MAX_OCCURRENCES {
                return None;
            }
        }
    }
    let mut pos = rest?;
    let finder = memmem::Finder::new(needle);
    for _ in seen..MAX_OCCURRENCES {
        let found = from + pos + finder.find(window.get(pos..)?)?;
        let occurrence = found..found + n;
        if controls(b, &occurrence, host) {
            return Some(occurrence);
        }
        pos = found - from + 1;
    }
    None
}

/// True when the occurrence `o` controls the host `h`: it covers the whole host, crosses one
/// of its ends, or appends labels to it (a suffix starting with `.`).
fn controls(b: &[u8], o: &Range<usize>, h: &Range<usize>) -> bool {
    if o.start >= h.end || o.end <= h.start {
        return false;
    }
    if o.start < h.start || o.end > h.end || (o.start == h.start && o.end == h.end) {
        return true;
    }
    o.end == h.end && b.get(o.start) == Some(&b'.')
}

/// True when `input`, a URL with an authority (`scheme://…` or `//…`), has the host `host`
/// (ASCII case and a trailing dot ignored), or, when `host` (of `target`) is an address
/// literal naming `address`, a host naming it in another form on the same port (a URL parser
/// re-serialised `http://2130706433/`, `http://0x7f.1/` or `http://[0:0::1]/` as
/// `http://127.0.0.1/`, `http://[::1]/`).
fn same_host(input: &str, host: &str, address: Option<IpAddr>, target: &str) -> bool {
    let want = host.strip_suffix('.').unwrap_or(host);
    let b = input.as_bytes();
    // Only a URL with an authority (`scheme://…`, `//…`) is read; cheap rejections first:
    // no `//`, or, for a name, too short or the host's first byte (in either case) absent.
    let first = want.as_bytes().first().copied().unwrap_or(0);
    if !memchr::memchr_iter(b'/', b).any(|i| b.get(i + 1) == Some(&b'/'))
        || (address.is_none()
            && (input.len() < want.len()
                || memchr::memchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), b)
                    .is_none()))
    {
        return false;
    }
    let Some(span) = host_span(input) else {
        return false;
    };
    let got = input.get(span.written.clone()).unwrap_or_default();
    let got = got.strip_suffix('.').unwrap_or(got);
    got.eq_ignore_ascii_case(want)
        || (address.is_some()
            && literal_address(got) == address
            && same_port(input, span.written.end, target))
}

/// True unless both URLs say which port they connect to and the ports differ (a parser keeps
/// the port, and drops only the scheme's default: `http://127.1:80/` is `http://127.0.0.1/`).
/// `input_host_end` is where the input's host ends.
fn same_port(input: &str, input_host_end: usize, target: &str) -> bool {
    let target_host_end = host_span(target).map_or(0, |h| h.written.end);
    match (
        effective_port(input, input_host_end),
        effective_port(target, target_host_end),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The port of a URL whose host ends at `host_end`: the one written after the host, else the
/// scheme's default; `None` when neither is known.
fn effective_port(url: &str, host_end: usize) -> Option<u16> {
    let rest = url.get(host_end..).unwrap_or_default();
    if let Some(digits) = rest.strip_prefix(':') {
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if end > 0 {
            return digits.get(..end)?.parse().ok();
        }
    }
    let scheme = url.trim_start().split(':').next().unwrap_or_default();
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// Why connecting to `host` at `resolved` reaches an internal destination, if it does.
fn destination(host: &str, resolved: &[IpAddr]) -> Option<Reason> {
    let (class, literal) = destination_class(host);
    let mut reason = match class {
        HostClass::Metadata => return Some(Reason::MetadataService),
        HostClass::Internal if literal || resolved.is_empty() => Some(Reason::InternalAddress),
        _ => None,
    };
    for ip in resolved {
        match address_class(*ip) {
            HostClass::Metadata => return Some(Reason::MetadataService),
            HostClass::Internal => reason = Some(Reason::InternalAddress),
            HostClass::Public | HostClass::Obfuscated => {}
        }
    }
    reason
}

fn address_class(ip: IpAddr) -> HostClass {
    match ip {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => v6_class(v6),
    }
}

#[cfg(test)]
mod tests;
