//! State kept across requests: the `flood` and `brute` counters and the blacklist, behind one
//! small trait so that it can live in this process (the default) or be shared by every worker
//! and host of an application (a store such as `ironward-state-redis`, plugged in with
//! [`EngineBuilder::state`](crate::engine::EngineBuilder::state)).
//!
//! The core stays pure: it defines the trait and the in-process store ([`LocalState`]), and
//! does no I/O. A shared store must keep the same semantics (the sliding window of
//! [`Window`], later-deadline-wins blacklist entries) and must answer every call without
//! waiting on the network longer than its latency budget: when it cannot, it answers from its
//! own in-process state for that call (fail open) and reports the outage itself.

mod local;
mod rate;

pub use local::LocalState;
pub use rate::{SLOTS, Window};

use crate::ip::{Blacklist, BlacklistEntry};
use std::net::IpAddr;

/// The URL schemes `SHARED_STATE_URL` accepts: Redis over TCP, over TLS, over a Unix socket,
/// and a master found through Redis Sentinel (over TCP or TLS).
pub const URL_SCHEMES: [&str; 6] = [
    "redis",
    "rediss",
    "redis+unix",
    "unix",
    "redis+sentinel",
    "rediss+sentinel",
];

/// What is wrong with a `SHARED_STATE_URL`, or `None` when it is usable (or empty: in-process
/// state). The message never repeats the URL past its scheme (it may hold a password).
pub fn url_error(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let expected = "expected \"\" (in-process state) or a redis://, rediss://, redis+unix://, unix://, redis+sentinel:// or rediss+sentinel:// URL";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(format!("{expected}, got a value without \"://\""));
    };
    let scheme_ok = URL_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme));
    if !scheme_ok {
        let shown: String = scheme.chars().take(20).collect();
        return Some(format!("{expected}, got the scheme {shown:?}"));
    }
    if rest.is_empty() {
        return Some(format!("{expected}, got no address after {scheme}://"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "{expected}, got spaces or control characters in it"
        ));
    }
    None
}

/// The prefix of every shared key of an application: `SHARED_STATE_PREFIX`, or
/// `ironward:<APP_NAME>` when it is empty. Applications sharing one Redis need different
/// prefixes; workers and hosts of one application share one.
pub fn key_prefix(config: &crate::Config) -> String {
    if config.shared_state_prefix.is_empty() {
        format!("ironward:{}", config.app_name)
    } else {
        config.shared_state_prefix.clone()
    }
}

/// Which counter an event is recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Requests on `BRUTE_AND_FLOOD_PATHS`, over `FLOOD_DELAY` (the `flood` check).
    Flood,
    /// Error responses and inbound route/host/header hits, over `ERROR_FLOOD_DELAY` (the
    /// `brute` check).
    Brute,
}

impl Counter {
    /// Both counters.
    pub const ALL: [Counter; 2] = [Counter::Flood, Counter::Brute];

    /// A short, stable name (used in shared keys and messages).
    pub fn name(self) -> &'static str {
        match self {
            Counter::Flood => "flood",
            Counter::Brute => "brute",
        }
    }

    /// The window this counter counts over in a configuration.
    pub fn window(self, config: &crate::Config) -> Window {
        match self {
            Counter::Flood => Window::from_seconds(config.flood_delay),
            Counter::Brute => Window::from_seconds(config.error_flood_delay),
        }
    }
}

/// Where the state lives, as a store reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateMode {
    /// In this process only (the default).
    Local,
    /// In a shared store, reachable.
    Shared,
    /// A shared store is configured but unreachable (or too slow): this process counts on
    /// its own until it is back.
    Fallback,
}

/// The state of an engine: per-IP counters over sliding windows, and the blacklist.
///
/// Every method is called on the request path and must return within the store's latency
/// budget; none may panic or fail: a store that cannot reach its backend answers from
/// in-process state.
pub trait StateStore: Send + Sync + std::fmt::Debug {
    /// Records one event of `counter` for `ip` at `now_ms` and returns how many the window
    /// holds, this one included.
    fn hit(&self, counter: Counter, ip: IpAddr, now_ms: i64) -> u64;

    /// The blacklist as this process sees it: reads never wait (a shared store keeps it as a
    /// local cache, refreshed from the backend).
    fn blacklist(&self) -> &Blacklist;

    /// Blacklists `ip` until `expires_ms` (an existing entry keeps the later deadline).
    fn blacklist_insert(&self, ip: IpAddr, expires_ms: i64, now_ms: i64) {
        self.blacklist().insert(ip, expires_ms, now_ms);
    }

    /// Removes `ip` from the blacklist; true when this process had it.
    fn blacklist_remove(&self, ip: IpAddr) -> bool {
        self.blacklist().remove(ip)
    }

    /// The live blacklist entries, sorted by address.
    fn blacklist_entries(&self, now_ms: i64) -> Vec<BlacklistEntry> {
        self.blacklist().entries(now_ms)
    }

    /// Forgets every counter and blacklist entry.
    fn clear(&self);

    /// Where the state lives right now.
    fn mode(&self) -> StateMode {
        StateMode::Local
    }

    /// How many outages of its shared backend this store has seen since it started (each
    /// reported once); 0 for an in-process store. Exposed as a metric.
    fn outages(&self) -> u64 {
        0
    }

    /// How many counter updates were answered in this process because the shared backend was
    /// down, slow or failing (fail open); 0 for an in-process store. Exposed as a metric.
    fn local_fallbacks(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_without_echoing_secrets() {
        for ok in [
            "",
            "redis://127.0.0.1:6379/0",
            "rediss://:secret@cache.example:6380",
            "REDIS://localhost",
            "unix:///run/redis.sock",
            "redis+unix:///run/redis.sock?db=2",
            "redis+sentinel://s1:26379,s2/mymaster/0",
            "rediss+sentinel://:secret@s1,s2/mymaster",
        ] {
            assert_eq!(url_error(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("localhost:6379", "without"),
            ("http://:hunter2@x", "\"http\""),
            ("redis://", "no address"),
            ("redis://:hunter2@x y", "spaces"),
        ] {
            let m = url_error(bad).unwrap_or_default();
            assert!(m.contains(says), "{bad}: {m}");
            assert!(!m.contains("hunter2"), "{m}");
        }
    }

    #[test]
    fn the_prefix_defaults_to_the_app_name() {
        let mut c = crate::Config::default();
        c.app_name = "shop".into();
        assert_eq!(key_prefix(&c), "ironward:shop");
        c.shared_state_prefix = "eu1:shop".into();
        assert_eq!(key_prefix(&c), "eu1:shop");
        assert_eq!(Counter::Flood.name(), "flood");
        assert_eq!(
            Counter::Brute.window(&c),
            Window::from_seconds(c.error_flood_delay)
        );
    }
}
