//! The blacklist: IPs blocked until a deadline, bounded in size, shared by all threads.
//!
//! Entries expire lazily (on lookup) and in bulk when a full shard needs room. The map is split
//! into shards, each behind its own mutex, so concurrent requests from different IPs rarely
//! contend and no request ever takes a global lock. When a shard is full, expired entries are
//! purged first; if it is still full, the eighth of its entries closest to expiry are evicted
//! in one linear pass, so memory stays bounded by `BLACKLIST_MAX_SIZE` however many IPs an
//! attacker uses, and the cost of a full shard is amortised over the next `per_shard / 8` new
//! entries instead of being paid (two passes under the lock) on every one.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

const SHARDS: usize = 16;

/// A bounded, expiring, thread-safe set of blacklisted IPs.
#[derive(Debug)]
pub struct Blacklist {
    shards: Vec<Mutex<HashMap<IpAddr, i64>>>,
    per_shard: usize,
    hasher: RandomState,
}

/// One blacklist entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlacklistEntry {
    /// The address.
    pub ip: IpAddr,
    /// When it leaves the blacklist, in milliseconds since the Unix epoch.
    pub expires_ms: i64,
}

impl Blacklist {
    /// A blacklist that holds at most about `max_size` IPs (rounded up to a multiple of the
    /// shard count, at least one per shard).
    pub fn new(max_size: usize) -> Blacklist {
        Blacklist {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: max_size.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, ip: &IpAddr) -> MutexGuard<'_, HashMap<IpAddr, i64>> {
        let i = (self.hasher.hash_one(ip) as usize) % SHARDS;
        // A panic while holding the lock cannot leave the map inconsistent (each operation is
        // a single insert or remove), so a poisoned lock is safe to keep using.
        match self.shards[i].lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Blacklists `ip` until `expires_ms`. An existing entry keeps the later deadline. On a full
    /// shard, expired entries are purged; if it is still full, the eighth of its entries
    /// closest to expiry are evicted in one pass, so that the linear cost of a full shard is
    /// paid once per `per_shard / 8` new entries, not on each (an attacker rotating addresses
    /// cannot make every blacklisting walk the whole shard under its lock).
    pub fn insert(&self, ip: IpAddr, expires_ms: i64, now_ms: i64) {
        let mut shard = self.shard(&ip);
        if let Some(deadline) = shard.get_mut(&ip) {
            *deadline = (*deadline).max(expires_ms);
            return;
        }
        if shard.len() >= self.per_shard {
            shard.retain(|_, deadline| *deadline > now_ms);
            if shard.len() >= self.per_shard {
                evict_soonest(&mut shard, (self.per_shard / EVICT_FRACTION).max(1));
            }
        }
        shard.insert(ip, expires_ms);
    }

    /// True when `ip` is blacklisted at `now_ms`; an expired entry is removed.
    pub fn contains(&self, ip: IpAddr, now_ms: i64) -> bool {
        let mut shard = self.shard(&ip);
        match shard.get(&ip) {
            Some(deadline) if *deadline > now_ms => true,
            Some(_) => {
                shard.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// Removes `ip`; true when it was there.
    pub fn remove(&self, ip: IpAddr) -> bool {
        self.shard(&ip).remove(&ip).is_some()
    }

    /// Number of entries, expired ones included until they are purged.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or_else(|p| p.into_inner().len(), |g| g.len()))
            .sum()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every entry.
    pub fn clear(&self) {
        for s in &self.shards {
            s.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    /// Removes every expired entry.
    pub fn purge_expired(&self, now_ms: i64) {
        for s in &self.shards {
            let mut g = s.lock().unwrap_or_else(|p| p.into_inner());
            g.retain(|_, deadline| *deadline > now_ms);
        }
    }

    /// A snapshot of the live entries, sorted by address.
    pub fn entries(&self, now_ms: i64) -> Vec<BlacklistEntry> {
        let mut out = Vec::new();
        for s in &self.shards {
            let g = s.lock().unwrap_or_else(|p| p.into_inner());
            out.extend(
                g.iter()
                    .filter(|(_, d)| **d > now_ms)
                    .map(|(ip, d)| BlacklistEntry {
                        ip: *ip,
                        expires_ms: *d,
                    }),
            );
        }
        out.sort_by_key(|e| e.ip);
        out
    }
}

/// A full shard sheds this fraction of its entries (those closest to expiry) at once.
const EVICT_FRACTION: usize = 8;

/// Removes about `n` of the entries closest to expiry (at least one when `n` > 0) in linear
/// time: the `n`-th smallest deadline is found with a selection, then one pass removes entries
/// up to it.
fn evict_soonest(shard: &mut HashMap<IpAddr, i64>, n: usize) {
    let mut deadlines: Vec<i64> = shard.values().copied().collect();
    let Some(k) = n.min(deadlines.len()).checked_sub(1) else {
        return;
    };
    let (_, cutoff, _) = deadlines.select_nth_unstable(k);
    let cutoff = *cutoff;
    let mut removed = 0;
    shard.retain(|_, d| {
        if *d <= cutoff && removed < n {
            removed += 1;
            false
        } else {
            true
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::from(n))
    }

    #[test]
    fn a_full_blacklist_sheds_the_soonest_in_batches() {
        let b = Blacklist::new(16 * 64);
        let ip = |i: u32| IpAddr::from(std::net::Ipv6Addr::from(u128::from(i) << 64 | 1));
        for i in 0..100_000u32 {
            b.insert(ip(i), 1_000_000 + i64::from(i), 0);
            assert!(b.len() <= 16 * 64, "over the bound at {i}");
        }
        // The newest entries (latest deadlines) are kept; the oldest were shed.
        assert!(b.contains(ip(99_999), 1));
        assert!(!b.contains(ip(0), 1));
    }

    #[test]
    fn expiry_is_lazy_and_exact() {
        let b = Blacklist::new(100);
        b.insert(ip(1), 1_000, 0);
        assert!(b.contains(ip(1), 999));
        assert!(!b.contains(ip(1), 1_000));
        assert_eq!(b.len(), 0, "expired entry removed on lookup");
    }

    #[test]
    fn later_deadline_wins() {
        let b = Blacklist::new(100);
        b.insert(ip(1), 5_000, 0);
        b.insert(ip(1), 2_000, 0);
        assert!(b.contains(ip(1), 4_000));
    }

    #[test]
    fn size_stays_bounded_under_many_ips() {
        let b = Blacklist::new(64);
        for n in 0..10_000 {
            b.insert(ip(n), 1_000_000 + i64::from(n), 0);
        }
        assert!(b.len() <= 64, "len {}", b.len());
        // The newest entries survive: eviction takes the soonest deadline.
        assert!(b.contains(ip(9_999), 0));
    }

    #[test]
    fn purge_and_entries() {
        let b = Blacklist::new(100);
        b.insert(ip(2), 10, 0);
        b.insert(ip(1), 100, 0);
        assert_eq!(
            b.entries(50).iter().map(|e| e.ip).collect::<Vec<_>>(),
            [ip(1)]
        );
        b.purge_expired(50);
        assert_eq!(b.len(), 1);
        assert!(b.remove(ip(1)));
        assert!(b.is_empty());
    }

    #[test]
    fn concurrent_inserts() {
        let b = std::sync::Arc::new(Blacklist::new(1_000));
        let handles: Vec<_> = (0..4u32)
            .map(|t| {
                let b = b.clone();
                std::thread::spawn(move || {
                    for n in 0..500 {
                        b.insert(ip(t * 1_000 + n), 10_000, 0);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert!(b.len() <= 1_008);
        assert!(b.len() >= 900);
    }
}
