//! Parsing of IP lists (`WHITELIST`, `TRUSTED_PROXIES`): each entry an IP address or a CIDR
//! block, IPv4 or IPv6.
//!
//! pyrasp's `WHITELIST` compared the client address as text against string prefixes, so
//! `"10.1"` also let in `10.10.x.x` and `10.100.x.x`. Ironward matches networks: a bare IP
//! becomes a /32 (or /128), and a text prefix is rejected with the CIDR block it most likely
//! meant (`"10.1"` → `"10.1.0.0/16"`), so nobody gets a wider whitelist than they asked for.

use super::error::{expected, quote};
use super::keys::ValueKind;
use ipnet::IpNet;
use serde_json::Value;
use std::net::{IpAddr, Ipv6Addr};

/// A list of networks. Blocks written with host bits set are narrowed to their network, with a
/// note.
pub(crate) fn nets(
    v: &Value,
    kind: &ValueKind,
    notes: &mut Vec<String>,
) -> Result<Vec<IpNet>, Vec<String>> {
    let Some(items) = v.as_array() else {
        return Err(vec![expected(&kind.expected(), v)]);
    };
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let parsed = item
            .as_str()
            .ok_or_else(|| expected("an IP address or CIDR block (a string)", item))
            .and_then(|s| net(s, notes));
        match parsed {
            Ok(n) => out.push(n),
            Err(e) => errors.push(format!("entry {i}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One IP address or CIDR block.
pub(crate) fn net(text: &str, notes: &mut Vec<String>) -> Result<IpNet, String> {
    let s = text.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    if let Ok(n) = s.parse::<IpNet>() {
        let t = n.trunc();
        if t != n {
            notes.push(format!("{} has host bits set; using {t}", quote(s)));
        }
        return Ok(t);
    }
    Err(match prefix_to_cidr(s) {
        Some(cidr) => format!(
            "{} is not an IP address or CIDR block (pyrasp matched address prefixes as text; \
             Ironward matches networks); did you mean \"{cidr}\"?",
            quote(s)
        ),
        None => format!("{} is not an IP address or CIDR block", quote(s)),
    })
}

/// The CIDR block a pyrasp-style text prefix most likely meant: `"10.1"` or `"10.1."` →
/// `10.1.0.0/16`, `"2001:db8:"` → `2001:db8::/32`.
fn prefix_to_cidr(s: &str) -> Option<String> {
    if s.ends_with(':') {
        return v6_prefix(s);
    }
    let body = s.strip_suffix('.').unwrap_or(s);
    let octets: Vec<u8> = body
        .split('.')
        .map(|p| {
            if p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    if !(1..=3).contains(&octets.len()) {
        return None;
    }
    let mut full = [0u8; 4];
    for (slot, o) in full.iter_mut().zip(&octets) {
        *slot = *o;
    }
    let [a, b, c, d] = full;
    Some(format!("{a}.{b}.{c}.{d}/{}", octets.len() * 8))
}

fn v6_prefix(s: &str) -> Option<String> {
    let body = s.trim_end_matches(':');
    if body.is_empty() || body.contains("::") {
        return None;
    }
    let groups = body.split(':').count();
    if groups >= 8 {
        return None;
    }
    let ip: Ipv6Addr = format!("{body}::").parse().ok()?;
    Some(format!("{ip}/{}", groups * 16))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_and_blocks() {
        let mut notes = Vec::new();
        for (text, want) in [
            ("10.0.0.1", "10.0.0.1/32"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            (" 192.168.1.0/24 ", "192.168.1.0/24"),
            ("::1", "::1/128"),
            ("2001:db8::/32", "2001:db8::/32"),
        ] {
            assert_eq!(net(text, &mut notes).unwrap().to_string(), want);
        }
        assert!(notes.is_empty());
        assert_eq!(
            net("10.1.2.3/16", &mut notes).unwrap().to_string(),
            "10.1.0.0/16"
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn text_prefixes_get_a_cidr_suggestion() {
        for (text, want) in [
            ("10.1", Some("10.1.0.0/16")),
            ("10.1.", Some("10.1.0.0/16")),
            ("192.168.7", Some("192.168.7.0/24")),
            ("10", Some("10.0.0.0/8")),
            ("2001:db8:", Some("2001:db8::/32")),
            ("10.300", None),
            ("localhost", None),
            ("", None),
        ] {
            assert_eq!(prefix_to_cidr(text).as_deref(), want, "{text}");
        }
        let e = net("10.1", &mut Vec::new()).unwrap_err();
        assert!(e.ends_with("did you mean \"10.1.0.0/16\"?"), "{e}");
    }

    #[test]
    fn lists_report_each_bad_entry() {
        let e = nets(
            &json!(["10.0.0.1", 7, "nope"]),
            &ValueKind::Nets,
            &mut Vec::new(),
        );
        let e = e.unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e[0].starts_with("entry 1: expected"));
        assert!(e[1].starts_with("entry 2: \"nope\" is not"));
        assert!(nets(&json!("10.0.0.1"), &ValueKind::Nets, &mut Vec::new()).is_err());
    }
}
