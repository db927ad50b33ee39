//! Sign-in rate limiting, in memory: failed attempts are counted per client IP and per user name
//! in a fixed window; past the limit, attempts are refused (429) without checking the password
//! until the window ends. Tables are bounded: past [`Limits::max_entries`] keys, expired ones
//! are dropped, and if none is, new keys share one overflow bucket (limited, never unbounded).
//!
//! The counts live in this process only: a restart forgets them, and several server processes
//! over one PostgreSQL database each count on their own (`docs/management.md`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default most keys kept per table (`--sign-in-max-tracked`).
pub const MAX_ENTRIES: usize = 10_000;

/// The limits of [`SignInLimiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed attempts allowed per IP per window.
    pub per_ip: u32,
    /// Failed attempts allowed per user name per window (from any IP).
    pub per_user: u32,
    /// The window, in seconds.
    pub window: i64,
    /// Most IPs (and most user names) tracked; past it, expired keys are dropped, then new ones
    /// share one overflow bucket.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_ip: 10,
            per_user: 5,
            window: 15 * 60,
            max_entries: MAX_ENTRIES,
        }
    }
}

#[derive(Debug, Default)]
struct Table(HashMap<String, (i64, u32)>);

const OVERFLOW: &str = "\u{0}overflow";

impl Table {
    /// Failures of `key` in its current window.
    fn count(&self, key: &str, now: i64, window: i64) -> u32 {
        let key = if self.0.contains_key(key) {
            key
        } else {
            OVERFLOW
        };
        match self.0.get(key) {
            Some(&(start, n)) if now < start + window => n,
            _ => 0,
        }
    }

    /// Seconds until `key`'s window ends.
    fn retry_after(&self, key: &str, now: i64, window: i64) -> i64 {
        let found = self.0.get(key).or_else(|| self.0.get(OVERFLOW));
        found.map_or(0, |&(start, _)| (start + window - now).max(1))
    }

    fn fail(&mut self, key: &str, now: i64, window: i64, max: usize) {
        if !self.0.contains_key(key) && self.0.len() >= max {
            self.0.retain(|_, &mut (start, _)| now < start + window);
        }
        let key = if self.0.contains_key(key) || self.0.len() < max {
            key
        } else {
            OVERFLOW
        };
        let entry = self.0.entry(key.to_owned()).or_insert((now, 0));
        if now >= entry.0 + window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    fn clear(&mut self, key: &str) {
        self.0.remove(key);
    }
}

/// Counts failed sign-ins per IP and per user.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    limits: Limits,
    tables: Mutex<(Table, Table)>,
    /// Failed attempts recorded since start (for the metrics).
    failures: AtomicU64,
    /// Attempts refused by the limit since start (for the metrics).
    refusals: AtomicU64,
}

impl SignInLimiter {
    /// A limiter with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// `Err(seconds to wait)` when the IP or the user is over its limit.
    pub fn check(&self, ip: &str, user: &str, now: i64) -> Result<(), i64> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let w = self.limits.window;
        let over = if tables.0.count(ip, now, w) >= self.limits.per_ip {
            Some(tables.0.retry_after(ip, now, w))
        } else if tables.1.count(user, now, w) >= self.limits.per_user {
            Some(tables.1.retry_after(user, now, w))
        } else {
            None
        };
        match over {
            Some(seconds) => {
                self.refusals.fetch_add(1, Ordering::Relaxed);
                Err(seconds)
            }
            None => Ok(()),
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, ip: &str, user: &str, now: i64) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let (w, max) = (self.limits.window, self.limits.max_entries.max(1));
        tables.0.fail(ip, now, w, max);
        tables.1.fail(user, now, w, max);
    }

    /// Failed attempts recorded since the limiter was made.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Attempts refused by the limit since the limiter was made.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }

    /// Records a success: the user's count starts again (the IP's does not, so that one valid
    /// account does not let an IP guess others' passwords without limit).
    pub fn succeeded(&self, user: &str) {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        tables.1.clear(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_ip_and_per_user_then_reset_after_the_window() {
        let l = SignInLimiter::new(Limits {
            per_ip: 3,
            per_user: 2,
            window: 60,
            ..Limits::default()
        });
        l.failed("1.1.1.1", "admin", 0);
        assert!(l.check("1.1.1.1", "admin", 1).is_ok());
        l.failed("2.2.2.2", "admin", 1);
        // The user is locked from every IP.
        assert_eq!(l.check("3.3.3.3", "admin", 2), Err(58));
        assert!(l.check("3.3.3.3", "other", 2).is_ok());
        l.failed("1.1.1.1", "x", 2);
        l.failed("1.1.1.1", "y", 2);
        assert!(l.check("1.1.1.1", "z", 3).is_err(), "IP over its limit");
        assert!(l.check("1.1.1.1", "z", 63).is_ok(), "window over");
        assert!(l.check("9.9.9.9", "admin", 61).is_ok());
        assert_eq!((l.failures(), l.refusals()), (4, 2));
    }

    #[test]
    fn tables_stay_bounded() {
        for max in [MAX_ENTRIES, 100] {
            let l = SignInLimiter::new(Limits {
                max_entries: max,
                ..Limits::default()
            });
            for i in 0..(max + 50) {
                l.failed(&format!("ip{i}"), &format!("u{i}"), 0);
            }
            let tables = l.tables.lock().unwrap_or_else(|e| e.into_inner());
            assert!(tables.0.0.len() <= max + 1);
            assert!(tables.1.0.len() <= max + 1);
        }
    }
}
