//! `spoofing`: the `Host` header must name one of `HOSTS` (with or without its port). A
//! request for another host is a host-header attack (cache poisoning, password-reset link
//! poisoning) or a scanner hitting the IP directly. Skipped when `HOSTS` is empty.
//!
//! Host names compare case-insensitively (DNS names are); a missing `Host` header counts as a
//! mismatch.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::verdict::Finding;

/// The host-spoofing check.
#[derive(Debug)]
pub(crate) struct Spoofing {
    hosts: Vec<String>,
}

impl Spoofing {
    pub(crate) fn new(config: &Config) -> Self {
        Spoofing {
            hosts: config
                .hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }

    fn allowed(&self, host: &str) -> bool {
        let known = |h: &str| self.hosts.iter().any(|k| k.eq_ignore_ascii_case(h));
        known(host) || strip_port(host).is_some_and(known)
    }
}

/// `example.com:8080` → `example.com`; `[::1]:80` → `[::1]`; `None` without a port.
fn strip_port(host: &str) -> Option<&str> {
    let (name, port) = host.rsplit_once(':')?;
    let bracketed_v6 = name.starts_with('[') && name.ends_with(']');
    let plain = !name.contains(':');
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && (plain || bracketed_v6))
        .then_some(name)
}

impl Check for Spoofing {
    fn id(&self) -> CheckId {
        CheckId::Spoofing
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if self.hosts.is_empty() {
            return;
        }
        let host = ctx.request.headers.get("host").map(String::from_utf8_lossy);
        match host {
            Some(h) if self.allowed(h.trim()) => {}
            Some(h) => findings.push(Finding::new(CheckId::Spoofing, "host", &h)),
            None => findings.push(Finding::new(CheckId::Spoofing, "host", "")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_stripped_only_when_they_are_ports() {
        assert_eq!(strip_port("example.com:8080"), Some("example.com"));
        assert_eq!(strip_port("[::1]:80"), Some("[::1]"));
        assert_eq!(strip_port("example.com"), None);
        assert_eq!(strip_port("::1"), None);
        assert_eq!(strip_port("example.com:"), None);
        assert_eq!(strip_port("example.com:ab"), None);
    }

    #[test]
    fn hosts_match_with_and_without_port() {
        let mut c = Config::default();
        c.hosts = vec!["Shop.Example.com".into(), "localhost:8080".into()];
        let s = Spoofing::new(&c);
        assert!(s.allowed("shop.example.com"));
        assert!(s.allowed("shop.example.com:443"));
        assert!(s.allowed("localhost:8080"));
        assert!(!s.allowed("localhost:9090"));
        assert!(!s.allowed("evil.example.net"));
    }
}
