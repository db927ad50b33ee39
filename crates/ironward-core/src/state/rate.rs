//! A bounded, thread-safe table of per-IP event counts over a sliding window: the in-process
//! counters of the `flood` and `brute` checks ([`LocalState`](super::LocalState)), and the
//! window geometry ([`Window`]) a shared store follows so that it counts the same way.
//!
//! ## Algorithm: a sliding-window counter with eight sub-windows
//! Each IP has a ring of [`SLOTS`]` + 1` counters, one per eighth of the window. The count
//! over `(now - window, now]` is the sum of the slots wholly inside it plus the oldest,
//! partly covered slot scaled by the part of it still inside (its events assumed evenly
//! spread; rounded down). So the count is exact for the seven newest eighths and estimated
//! only for the oldest: **more than the ratio in any 7/8 of the window is always counted
//! over the ratio, and nothing is counted over it unless more than the ratio fell within
//! 9/8 of the window.** A hit costs O(1): one keyed hash, one shard lock, at most nine
//! counters.
//!
//! Why not the alternatives: the classic two-bucket counter (this scheme with one slot)
//! scales the whole previous window by one factor, so its error is as large as the ratio:
//! with 50 per 60 s, 25 requests just before a bucket boundary and 26 within 2.5 s after it
//! pass, while 40 requests followed by 40 more 70 s later count as 73 and are blocked;
//! GCRA (a leaky bucket, as in the `governor` crate) limits a *rate* with a burst
//! allowance, so a burst of the ratio followed by a steady trickle passes nearly twice the
//! ratio per window, and it cannot tell how many requests it saw; a log of timestamps is
//! exact but costs memory per request.
//!
//! ## Memory and threads
//! A table holds at most `max_ips` IPs however many arrive, about 100 bytes each (about
//! 10 MB at the default `RATE_TABLE_MAX_SIZE` of 100,000). Like the blacklist it is split
//! into up to 16 shards, each a `HashMap` behind its own mutex, so no hit takes a global
//! lock; the capacity is split exactly, so the shards together never exceed it. A new IP
//! that finds its shard full evicts every expired entry and the least recently seen
//! sixteenth of the shard (recency is a per-shard sequence number, so there are no ties),
//! in one pass: an attacker cycling through addresses costs amortised O(1) per hit, not a
//! scan each. An IP that is flooding is by definition recently seen: evicting it takes more
//! fresh addresses in its shard than the shard holds between two of its hits.
//!
//! Time is the caller's (the engine clock's `now_ms`), never the system's; a clock going
//! back is treated, per IP, as standing still.

use crate::config::Config;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

/// Sub-windows per window.
pub const SLOTS: i64 = 8;
/// Counters kept per IP: the sub-windows plus the one the window's start falls in.
const RING: usize = SLOTS as usize + 1;
/// Most shards of a table (fewer when it holds fewer IPs).
const SHARDS: usize = 16;

/// One IP's counters.
#[derive(Debug, Clone, Copy)]
struct Counter {
    /// Events per slot: slot `s` (the time divided by the slot width) is at `s mod RING`.
    /// Only the last `RING` slots up to the one of `last_ms` are meaningful.
    slots: [u32; RING],
    /// When the IP was last seen.
    last_ms: i64,
    /// The shard's sequence number at that moment (for least-recently-seen eviction).
    seen: u64,
}

/// A map key: the IP with its keyed hash, computed once per hit (it picks the shard and is
/// the map's hash, so an IP is hashed once, with the table's random keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    hash: u64,
    ip: IpAddr,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A hasher that passes on the precomputed hash of a [`Key`].
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `Key` is hashed with it, through `write_u64`; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The IPs of one shard.
#[derive(Debug, Default)]
struct Ips {
    map: HashMap<Key, Counter, BuildHasherDefault<KeyHasher>>,
    tick: u64,
}

/// One shard: at most `capacity` IPs.
#[derive(Debug)]
struct Shard {
    ips: Mutex<Ips>,
    capacity: usize,
}

/// A bounded, thread-safe table of per-IP event counts over a sliding window.
#[derive(Debug)]
pub(crate) struct RateTable {
    shards: Box<[Shard]>,
    window_ms: i64,
    slot_ms: i64,
    hasher: RandomState,
}

/// The geometry of a sliding window: its length and the width of its [`SLOTS`] sub-windows.
/// A shared store ([`StateStore`](super::StateStore)) counts with the same geometry and the
/// same estimate ([`Window::estimate`]) so that its counts are those of the in-process table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The window's length in milliseconds (at least [`SLOTS`]).
    pub window_ms: i64,
    /// The width of one sub-window: the window divided by [`SLOTS`], rounded up.
    pub slot_ms: i64,
}

impl Window {
    /// A window of `window_ms` milliseconds, clamped to `SLOTS..=i64::MAX / 4`.
    pub fn new(window_ms: i64) -> Window {
        let window_ms = window_ms.clamp(SLOTS, i64::MAX / 4);
        Window {
            window_ms,
            slot_ms: (window_ms + SLOTS - 1) / SLOTS,
        }
    }

    /// A window of `seconds` (a `FLOOD_DELAY` or `ERROR_FLOOD_DELAY`).
    pub fn from_seconds(seconds: u64) -> Window {
        Window::new(seconds_to_ms(seconds))
    }

    /// The sub-window (slot number) `ms` falls in.
    pub fn slot(&self, ms: i64) -> i64 {
        ms.div_euclid(self.slot_ms)
    }

    /// The count over `(now_ms - window, now_ms]` from the counts per slot (`count(slot)`):
    /// the slots wholly inside plus the oldest, partly covered one scaled by the part of it
    /// still inside (rounded down).
    pub fn estimate(&self, now_ms: i64, count: impl Fn(i64) -> u64) -> u64 {
        let cur = self.slot(now_ms);
        // The window `(now - window, now]` spans the slots `first..=cur`, at most `SLOTS + 1`.
        let start = now_ms.saturating_sub(self.window_ms);
        let first = self.slot(start);
        let whole: u64 = (first..cur).map(|s| count(s + 1)).sum();
        // The milliseconds of the oldest slot inside the window: `start + 1` to its end.
        let inside = self.slot_ms - 1 - start.rem_euclid(self.slot_ms);
        let oldest = count(first);
        let (inside, slot_ms) = (
            u64::try_from(inside).unwrap_or(0),
            u64::try_from(self.slot_ms).unwrap_or(1).max(1),
        );
        // In 64 bits when it fits (always, for windows under 49 days); 128 bits otherwise.
        let part = match oldest.checked_mul(inside) {
            Some(p) => p / slot_ms,
            None => {
                let p = u128::from(oldest) * u128::from(inside) / u128::from(slot_ms);
                u64::try_from(p).unwrap_or(u64::MAX)
            }
        };
        whole.saturating_add(part)
    }
}

/// Milliseconds in `seconds`, saturating.
pub(crate) fn seconds_to_ms(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// The table size `RATE_TABLE_MAX_SIZE` asks for.
pub(crate) fn table_size(config: &Config) -> usize {
    usize::try_from(config.rate_table_max_size).unwrap_or(usize::MAX)
}

fn ring_index(slot: i64) -> usize {
    // `rem_euclid` by a positive modulus is in `0..RING`.
    usize::try_from(slot.rem_euclid(RING as i64)).unwrap_or(0)
}

impl RateTable {
    /// A table counting over `window_ms` (at least [`SLOTS`] ms) that tracks at most
    /// `max_ips` IPs (at least one).
    pub(crate) fn new(window_ms: i64, max_ips: usize) -> RateTable {
        let Window { window_ms, slot_ms } = Window::new(window_ms);
        let max_ips = max_ips.max(1);
        let n = max_ips.min(SHARDS);
        let shards = (0..n)
            .map(|i| Shard {
                ips: Mutex::new(Ips::default()),
                capacity: max_ips / n + usize::from(i < max_ips % n),
            })
            .collect();
        RateTable {
            shards,
            window_ms,
            slot_ms,
            hasher: RandomState::new(),
        }
    }

    fn slot(&self, ms: i64) -> i64 {
        ms.div_euclid(self.slot_ms)
    }

    /// The table's window.
    pub(crate) fn window(&self) -> Window {
        Window {
            window_ms: self.window_ms,
            slot_ms: self.slot_ms,
        }
    }

    fn lock(shard: &Shard) -> MutexGuard<'_, Ips> {
        // Each operation leaves the map consistent, so a poisoned lock is safe to reuse.
        shard.ips.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one event for `ip` at `now_ms` and returns how many the window holds, this
    /// one included.
    pub(crate) fn hit(&self, ip: IpAddr, now_ms: i64) -> u64 {
        let hash = self.hasher.hash_one(ip);
        // The shard from the high bits; the map uses the low ones for its buckets.
        let i = (hash >> 32) % self.shards.len() as u64;
        let shard = &self.shards[usize::try_from(i).unwrap_or(0)];
        let key = Key { hash, ip };
        let mut ips = Self::lock(shard);
        ips.tick = ips.tick.wrapping_add(1);
        let seen = ips.tick;
        if let Some(c) = ips.map.get_mut(&key) {
            c.seen = seen;
            return self.record(c, now_ms);
        }
        if ips.map.len() >= shard.capacity {
            self.make_room(&mut ips.map, shard.capacity, now_ms);
        }
        let mut c = Counter {
            slots: [0; RING],
            last_ms: now_ms,
            seen,
        };
        let n = self.record(&mut c, now_ms);
        ips.map.insert(key, c);
        n
    }

    fn record(&self, c: &mut Counter, now_ms: i64) -> u64 {
        let now = now_ms.max(c.last_ms);
        let (head, cur) = (self.slot(c.last_ms), self.slot(now));
        if cur.saturating_sub(head) >= RING as i64 {
            c.slots = [0; RING];
        } else {
            // `head + d <= cur`: no overflow even at the end of time.
            for d in 1..=cur - head {
                c.slots[ring_index(head + d)] = 0;
            }
        }
        let i = ring_index(cur);
        c.slots[i] = c.slots[i].saturating_add(1);
        c.last_ms = now;
        let slots = &c.slots;
        self.window()
            .estimate(now, |s| u64::from(slots[ring_index(s)]))
    }

    /// Frees room in a full shard: drops every expired entry and the least recently seen
    /// sixteenth, in one pass.
    fn make_room(
        &self,
        map: &mut HashMap<Key, Counter, BuildHasherDefault<KeyHasher>>,
        capacity: usize,
        now_ms: i64,
    ) {
        let batch = capacity.div_ceil(16).clamp(1, map.len().max(1));
        let mut seen: Vec<u64> = map.values().map(|c| c.seen).collect();
        let (_, oldest, _) = seen.select_nth_unstable(batch - 1);
        let oldest = *oldest;
        // An entry last seen before the slot of the window's start counts nothing now.
        let first = self.slot(now_ms.saturating_sub(self.window_ms));
        map.retain(|_, c| c.seen > oldest && self.slot(c.last_ms) >= first);
    }

    /// How many IPs are tracked.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| Self::lock(s).map.len()).sum()
    }

    /// Forgets every IP.
    pub(crate) fn clear(&self) {
        for s in &self.shards {
            Self::lock(s).map.clear();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::from(n))
    }

    #[test]
    fn where_two_buckets_fail_the_eighths_count_right() {
        // 25 just before a minute boundary and 26 within 2.5 s after: 51 in the window.
        let hits = |t: &RateTable, n, at| (0..n).fold(0, |_, _| t.hit(ip(1), at));
        let t = RateTable::new(60_000, 10);
        assert_eq!(hits(&t, 25, T0 + 59_900), 25);
        assert_eq!(hits(&t, 26, T0 + 62_400), 51);
        // 40, then 40 more 70 s later: 40 in the window, not 73.
        let t = RateTable::new(60_000, 10);
        assert_eq!(hits(&t, 40, T0 + 1_000), 40);
        assert_eq!(hits(&t, 40, T0 + 70_000), 40);
    }

    #[test]
    fn estimates_stay_within_their_bounds() {
        // Count over `(now - window, now]` is exact to within one slot either side.
        let (window, slot) = (60_000, 7_500);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            i64::try_from(seed % n).unwrap()
        };
        for _ in 0..50 {
            let t = RateTable::new(window, 10);
            let (mut now, mut times) = (rand(1_000_000) - 500_000, Vec::new());
            for _ in 0..300 {
                now += [0, rand(100), rand(5_000), rand(40_000)][usize::try_from(rand(4)).unwrap()];
                times.push(now);
                let est = t.hit(ip(7), now);
                let lo = times.iter().filter(|x| **x >= now - window + slot).count();
                let hi = times.iter().filter(|x| **x > now - window - slot).count();
                assert!(
                    (lo as u64..=hi as u64).contains(&est),
                    "{lo} <= {est} <= {hi}"
                );
            }
        }
    }

    #[test]
    fn the_table_stays_bounded_and_keeps_busy_ips() {
        let t = RateTable::new(3_600_000, 1_000);
        let mut hot = 0;
        for n in 0..100_000u32 {
            let other = if n % 2 == 0 {
                ip(n + 10)
            } else {
                IpAddr::V6(std::net::Ipv6Addr::from(u128::from(n) << 64))
            };
            t.hit(other, T0 + i64::from(n));
            if n % 50 == 0 {
                hot += 1;
                assert_eq!(
                    t.hit(ip(1), T0 + i64::from(n)),
                    hot,
                    "the busy IP is never evicted"
                );
            }
            if n % 1_000 == 0 {
                assert!(t.len() <= 1_000, "{}", t.len());
            }
        }
        assert!(t.len() <= 1_000 && t.len() >= 900, "{}", t.len());
        let tiny = RateTable::new(60_000, 3);
        for n in 0..100 {
            tiny.hit(ip(n), i64::from(n));
        }
        assert!(tiny.len() <= 3);
        // Expired entries go first; a forgotten IP starts again from one.
        let one = RateTable::new(60_000, 1);
        one.hit(ip(1), 0);
        one.hit(ip(2), 1);
        assert_eq!((one.len(), one.hit(ip(1), 2)), (1, 1));
    }

    #[test]
    fn concurrent_hits_are_all_counted() {
        let t = RateTable::new(60_000, 1_000);
        std::thread::scope(|s| {
            for th in 0..4u32 {
                let t = &t;
                s.spawn(move || {
                    for n in 0..10_000u32 {
                        t.hit(ip(1), T0);
                        t.hit(ip(1_000_000 * (th + 1) + n), T0);
                    }
                });
            }
        });
        assert_eq!(t.hit(ip(1), T0), 40_001);
        assert!(t.len() <= 1_000);
    }

    #[test]
    fn odd_clocks_and_configurations_do_not_panic() {
        let t = RateTable::new(0, 0);
        for now in [i64::MAX, i64::MIN, 0, -1, i64::MAX - 1] {
            t.hit(ip(1), now);
            t.hit(ip(2), now);
        }
        // A clock going back counts as standing still.
        let t = RateTable::new(60_000, 10);
        t.hit(ip(1), 10_000);
        assert_eq!(t.hit(ip(1), 0), 2);
    }
}
