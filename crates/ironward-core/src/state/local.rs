//! The in-process state store: two sliding-window tables (see [`rate`](super::rate) for the
//! algorithm, its accuracy and its memory bound) and the sharded [`Blacklist`]. It is the
//! engine's default store, and the fallback of shared stores.

use super::rate::{RateTable, table_size};
use super::{Counter, StateStore, Window};
use crate::config::Config;
use crate::ip::Blacklist;
use std::net::IpAddr;

/// Counters and blacklist in this process, bounded by `RATE_TABLE_MAX_SIZE` and
/// `BLACKLIST_MAX_SIZE`.
#[derive(Debug)]
pub struct LocalState {
    flood: RateTable,
    brute: RateTable,
    blacklist: Blacklist,
}

impl LocalState {
    /// The store a configuration asks for: windows of `FLOOD_DELAY` and `ERROR_FLOOD_DELAY`.
    pub fn new(config: &Config) -> LocalState {
        let size = table_size(config);
        let table = |c: Counter| RateTable::new(c.window(config).window_ms, size);
        LocalState {
            flood: table(Counter::Flood),
            brute: table(Counter::Brute),
            blacklist: Blacklist::new(
                usize::try_from(config.blacklist_max_size).unwrap_or(usize::MAX),
            ),
        }
    }

    fn table(&self, counter: Counter) -> &RateTable {
        match counter {
            Counter::Flood => &self.flood,
            Counter::Brute => &self.brute,
        }
    }

    /// The window of a counter.
    pub fn window(&self, counter: Counter) -> Window {
        self.table(counter).window()
    }
}

impl StateStore for LocalState {
    fn hit(&self, counter: Counter, ip: IpAddr, now_ms: i64) -> u64 {
        self.table(counter).hit(ip, now_ms)
    }

    fn blacklist(&self) -> &Blacklist {
        &self.blacklist
    }

    fn clear(&self) {
        self.flood.clear();
        self.brute.clear();
        self.blacklist.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_separate_and_clear_forgets() {
        let mut c = Config::default();
        (c.flood_delay, c.error_flood_delay) = (60, 10);
        let s = LocalState::new(&c);
        let ip = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(s.window(Counter::Flood), Window::new(60_000));
        assert_eq!(s.window(Counter::Brute).slot_ms, 1_250);
        assert_eq!(s.hit(Counter::Flood, ip, 0), 1);
        assert_eq!(s.hit(Counter::Flood, ip, 0), 2);
        assert_eq!(s.hit(Counter::Brute, ip, 0), 1);
        s.blacklist_insert(ip, 100, 0);
        assert!(s.blacklist().contains(ip, 50));
        assert_eq!(s.blacklist_entries(50).len(), 1);
        s.clear();
        assert_eq!(s.hit(Counter::Flood, ip, 0), 1);
        assert!(!s.blacklist().contains(ip, 50));
        assert!(!s.blacklist_remove(ip));
        assert_eq!(s.mode(), super::super::StateMode::Local);
    }
}
