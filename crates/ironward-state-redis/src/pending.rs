//! Blacklist changes Redis did not take (down, slow, failing), kept to be written when it is
//! back.
//!
//! An entry added or removed while a call to Redis fails is applied to this process's list at
//! once and remembered here; when Redis answers again the changes are written there (and so
//! published to every worker and host) **before** the local list is copied back from Redis,
//! so a removal made during an outage is not undone by that copy, and an entry added during
//! it reaches the others. The latest change of an IP wins: an add cancels a pending removal of
//! the same IP and a removal cancels a pending add. Bounded: at most `BLACKLIST_MAX_SIZE`
//! pending adds and as many pending removals; past that, new changes stay in this process.

use crate::background::{connect, now_ms};
use crate::store::Inner;
use redis::RedisResult;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{MutexGuard, TryLockError};

/// The changes waiting for Redis.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// IP → deadline (ms since the epoch).
    adds: HashMap<IpAddr, i64>,
    removals: HashSet<IpAddr>,
}

impl Pending {
    /// Remembers an add (the later deadline wins) and forgets a pending removal of `ip`.
    pub(crate) fn add(&mut self, ip: IpAddr, expires_ms: i64, max: u64) {
        self.removals.remove(&ip);
        if let Some(deadline) = self.adds.get_mut(&ip) {
            *deadline = (*deadline).max(expires_ms);
        } else if (self.adds.len() as u64) < max {
            self.adds.insert(ip, expires_ms);
        }
    }

    /// Remembers a removal and forgets a pending add of `ip`.
    pub(crate) fn remove(&mut self, ip: IpAddr, max: u64) {
        self.adds.remove(&ip);
        if (self.removals.len() as u64) < max {
            self.removals.insert(ip);
        }
    }

    /// Forgets any pending change of `ip` (a removal of it is being written).
    pub(crate) fn forget(&mut self, ip: IpAddr) {
        self.adds.remove(&ip);
        self.removals.remove(&ip);
    }

    /// Forgets a pending removal of `ip` (an add of it reached Redis).
    pub(crate) fn forget_removal(&mut self, ip: IpAddr) {
        self.removals.remove(&ip);
    }

    /// Changes waiting.
    pub(crate) fn len(&self) -> usize {
        self.adds.len() + self.removals.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.adds.is_empty() && self.removals.is_empty()
    }

    /// True when an add of `ip` waits.
    pub(crate) fn adds(&self, ip: IpAddr) -> bool {
        self.adds.contains_key(&ip)
    }

    /// True when a removal of `ip` waits.
    pub(crate) fn removes(&self, ip: IpAddr) -> bool {
        self.removals.contains(&ip)
    }

    fn touches(&self, ip: IpAddr) -> bool {
        self.adds(ip) || self.removes(ip)
    }

    /// Puts back what a failed replay did not write, unless the IP changed again meanwhile
    /// (that later change wins).
    fn restore(&mut self, left: Pending, max: u64) {
        for ip in left.removals {
            if !self.touches(ip) {
                self.remove(ip, max);
            }
        }
        for (ip, deadline) in left.adds {
            if !self.touches(ip) {
                self.add(ip, deadline, max);
            }
        }
    }
}

/// The pending changes, locked (a poisoned lock is safe: each change is one map operation).
pub(crate) fn lock(inner: &Inner) -> MutexGuard<'_, Pending> {
    inner.pending.lock().unwrap_or_else(|p| p.into_inner())
}

/// The replay lock, unless another thread holds it (it replays then).
pub(crate) fn try_replaying(inner: &Inner) -> Option<MutexGuard<'_, ()>> {
    match inner.replaying.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// The replay lock, waiting for it.
pub(crate) fn replaying(inner: &Inner) -> MutexGuard<'_, ()> {
    inner.replaying.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes the pending changes to Redis, each published to every worker: removals, then the
/// adds still live. What is not written stays pending for the next attempt. Called with the
/// replay lock held, so that the subscriber's copy of the list never runs before it.
pub(crate) fn replay(inner: &Inner) -> RedisResult<()> {
    let mut taken = std::mem::take(&mut *lock(inner));
    if taken.is_empty() {
        return Ok(());
    }
    let result = write(inner, &mut taken);
    if result.is_err() {
        lock(inner).restore(taken, inner.settings.blacklist_max);
    }
    result
}

/// Writes `p`, removing from it what was written.
fn write(inner: &Inner, p: &mut Pending) -> RedisResult<()> {
    let mut con = connect(inner, inner.settings.connect_timeout)?;
    let removals: Vec<IpAddr> = p.removals.iter().copied().collect();
    for ip in removals {
        inner.push_removal(&mut con, ip)?;
        p.removals.remove(&ip);
    }
    let now = now_ms();
    p.adds.retain(|_, deadline| *deadline > now);
    let adds: Vec<(IpAddr, i64)> = p.adds.iter().map(|(ip, d)| (*ip, *d)).collect();
    for (ip, deadline) in adds {
        inner.push_entry(&mut con, ip, deadline, now)?;
        p.adds.remove(&ip);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Pending;
    use std::net::IpAddr;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn the_latest_change_of_an_ip_wins_and_both_kinds_are_bounded() {
        let mut p = Pending::default();
        p.add(ip(1), 10, 2);
        p.add(ip(1), 5, 2);
        assert_eq!(p.adds.get(&ip(1)), Some(&10), "the later deadline");
        p.remove(ip(1), 2);
        assert!(p.removes(ip(1)) && !p.adds(ip(1)));
        p.add(ip(1), 7, 2);
        assert!(p.adds(ip(1)) && !p.removes(ip(1)));
        for n in 2..6 {
            p.add(ip(n), 10, 2);
            p.remove(ip(n + 10), 2);
        }
        assert_eq!((p.adds.len(), p.removals.len()), (2, 2), "bounded");
        p.forget_removal(ip(12));
        assert!(!p.removes(ip(12)));
        p.forget(ip(1));
        assert!(!p.adds(ip(1)));
    }

    #[test]
    fn a_failed_replay_puts_back_only_what_did_not_change_meanwhile() {
        let mut left = Pending::default();
        left.remove(ip(1), 10);
        left.remove(ip(2), 10);
        left.add(ip(3), 9, 10);
        let mut now = Pending::default();
        now.add(ip(1), 20, 10);
        now.restore(left, 10);
        assert!(now.adds(ip(1)) && !now.removes(ip(1)), "the later add wins");
        assert!(now.removes(ip(2)) && now.adds(ip(3)));
        assert_eq!(now.len(), 3);
    }
}
