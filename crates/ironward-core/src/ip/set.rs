//! A set of IP networks (`WHITELIST`, `TRUSTED_PROXIES`).
//!
//! These lists are short (a few to a few hundred entries), so a linear scan over the networks
//! of the right family beats a trie on both speed and simplicity. IPv4-mapped IPv6 addresses
//! (`::ffff:10.0.0.1`, as dual-stack sockets report IPv4 peers) are compared as IPv4.

use ipnet::IpNet;
use std::net::IpAddr;

/// A set of IPv4 and IPv6 networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpSet {
    v4: Vec<ipnet::Ipv4Net>,
    v6: Vec<ipnet::Ipv6Net>,
}

/// The canonical form of an address: IPv4-mapped IPv6 becomes IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

impl IpSet {
    /// A set of the given networks.
    pub fn new(nets: &[IpNet]) -> IpSet {
        let mut set = IpSet::default();
        for net in nets {
            match net.trunc() {
                IpNet::V4(n) => set.v4.push(n),
                IpNet::V6(n) => set.v6.push(n),
            }
        }
        set
    }

    /// True when the set holds no network.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// True when `ip` is in one of the networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match canonical(ip) {
            IpAddr::V4(a) => self.v4.iter().any(|n| n.contains(&a)),
            IpAddr::V6(a) => self.v6.iter().any(|n| n.contains(&a)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn set(nets: &[&str]) -> IpSet {
        IpSet::new(&nets.iter().map(|n| n.parse().unwrap()).collect::<Vec<_>>())
    }

    #[test]
    fn cidr_not_prefix() {
        let s = set(&["10.1.0.0/16", "192.0.2.7/32", "2001:db8::/32"]);
        let yes = ["10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.1.9.9"];
        let no = ["10.10.0.1", "10.100.0.7", "192.0.2.8", "2001:db9::1"];
        for ip in yes {
            assert!(s.contains(ip.parse().unwrap()), "{ip}");
        }
        for ip in no {
            assert!(!s.contains(ip.parse().unwrap()), "{ip}");
        }
        assert!(IpSet::default().is_empty());
    }

    #[test]
    fn host_bits_are_ignored() {
        let s = set(&["10.1.2.3/16"]);
        assert!(s.contains("10.1.200.1".parse().unwrap()));
    }
}
