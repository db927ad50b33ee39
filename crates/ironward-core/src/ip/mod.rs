//! The IP policy: who the client is, who is whitelisted, who is blacklisted.
//!
//! pyrasp compares IPs as strings (`"10.1"` also matches `10.100.0.7`) and believes
//! `X-Forwarded-For` from anyone, so an attacker rotates that header to dodge its blacklist and
//! flood counters. Here IPs are parsed, lists are CIDR sets, and forwarding headers are read only
//! when the TCP peer is a configured trusted proxy.

mod blacklist;
mod client;
mod set;

pub use blacklist::{Blacklist, BlacklistEntry};
pub use client::client_ip;
pub use set::{IpSet, canonical};
