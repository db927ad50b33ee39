//! Which address is the client's.
//!
//! The TCP peer is the client unless it is a trusted proxy (`TRUSTED_PROXIES`). Then the
//! forwarding chain is read — the standard `Forwarded` header (RFC 7239) when present, else
//! `X-Forwarded-For` — from right to left, skipping trusted proxies; the first address that is
//! not a trusted proxy is the client. Reading from the right matters: everything left of the
//! last trusted hop was written by the client and can be forged. An element that does not parse
//! (`unknown`, an obfuscated `_node`, garbage) stops the walk at the last trusted hop.

use super::IpSet;
use super::set::canonical;
use crate::request::Headers;
use std::net::IpAddr;

/// The client address of a request.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &Headers<'_>,
    trusted: &IpSet,
    trust_headers: bool,
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    if !trust_headers || trusted.is_empty() || !trusted.contains(peer) {
        return Some(peer);
    }
    let mut hops: Vec<Option<IpAddr>> = Vec::new();
    let forwarded: Vec<&[u8]> = headers.get_all("forwarded").collect();
    if forwarded.is_empty() {
        for value in headers.get_all("x-forwarded-for") {
            let text = String::from_utf8_lossy(value);
            hops.extend(text.split(',').map(|e| parse_node(e.trim())));
        }
    } else {
        for value in forwarded {
            let text = String::from_utf8_lossy(value);
            for element in text.split(',') {
                let node = element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then(|| v.trim())
                });
                if let Some(node) = node {
                    hops.push(parse_node(node.trim_matches('"')));
                }
            }
        }
    }
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) if trusted.contains(ip) => client = ip,
            Some(ip) => return Some(ip),
            None => return Some(client),
        }
    }
    Some(client)
}

/// Parses one node of a forwarding chain: `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:80`,
/// `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (addr, _) = rest.split_once(']')?;
        return addr.parse::<IpAddr>().ok().map(canonical);
    }
    let (addr, port) = node.rsplit_once(':')?;
    if port.bytes().all(|b| b.is_ascii_digit()) {
        return addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4);
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted() -> IpSet {
        IpSet::new(&[
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8:1::/48".parse().unwrap(),
        ])
    }

    fn run(peer: &str, headers: &[(&str, &str)]) -> IpAddr {
        let h: Headers<'_> = headers.iter().copied().collect();
        client_ip(Some(ip(peer)), &h, &trusted(), true).unwrap()
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        assert_eq!(
            run("203.0.113.9", &[("X-Forwarded-For", "1.2.3.4")]),
            ip("203.0.113.9")
        );
        assert_eq!(
            run("203.0.113.9", &[("Forwarded", "for=1.2.3.4")]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_peer_rightmost_untrusted_wins() {
        // The client forged 6.6.6.6; the real client is what our proxies saw.
        let h = [("X-Forwarded-For", "6.6.6.6, 198.51.100.4, 10.0.0.2")];
        assert_eq!(run("10.0.0.1", &h), ip("198.51.100.4"));
        let split = [
            ("X-Forwarded-For", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.4"),
        ];
        assert_eq!(run("10.0.0.1", &split), ip("198.51.100.4"));
    }

    #[test]
    fn forwarded_header_is_preferred() {
        let h = [
            ("X-Forwarded-For", "7.7.7.7"),
            (
                "Forwarded",
                "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.3",
            ),
        ];
        assert_eq!(run("10.0.0.1", &h), ip("2001:db8:cafe::17"));
    }

    #[test]
    fn ports_and_garbage() {
        assert_eq!(
            run("10.0.0.1", &[("X-Forwarded-For", "198.51.100.4:5555")]),
            ip("198.51.100.4")
        );
        assert_eq!(
            run("10.0.0.1", &[("X-Forwarded-For", "nonsense, 10.0.0.7")]),
            ip("10.0.0.7")
        );
        assert_eq!(
            run("10.0.0.1", &[("Forwarded", "for=unknown")]),
            ip("10.0.0.1")
        );
        assert_eq!(run("10.0.0.1", &[]), ip("10.0.0.1"));
    }

    #[test]
    fn switched_off_or_no_proxies() {
        let h: Headers<'_> = [("X-Forwarded-For", "1.2.3.4")].into_iter().collect();
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &trusted(), false),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &IpSet::default(), true),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(client_ip(None, &h, &trusted(), true), None);
    }

    #[test]
    fn mapped_peer_is_canonical() {
        assert_eq!(run("::ffff:203.0.113.9", &[]), ip("203.0.113.9"));
    }
}
