//! Sign-in rate limiting, in memory: failed attempts are counted per client IP and per user name
//! in a fixed window; past the limit, attempts are refused (429) without checking the password
//! until the window ends. Tables are bounded: past [`MAX_ENTRIES`] keys, expired ones are
//! dropped, and if none is, new keys share one overflow bucket (limited, never unbounded).

use std::collections::HashMap;
use std::sync::Mutex;

/// Most keys kept per table.
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_ip: 10,
            per_user: 5,
            window: 15 * 60,
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

    fn fail(&mut self, key: &str, now: i64, window: i64) {
        if !self.0.contains_key(key) && self.0.len() >= MAX_ENTRIES {
            self.0.retain(|_, &mut (start, _)| now < start + window);
        }
        let key = if self.0.contains_key(key) || self.0.len() < MAX_ENTRIES {
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
}

impl SignInLimiter {
    /// A limiter with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            tables: Mutex::default(),
        }
    }

    /// `Err(seconds to wait)` when the IP or the user is over its limit.
    pub fn check(&self, ip: &str, user: &str, now: i64) -> Result<(), i64> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let w = self.limits.window;
        if tables.0.count(ip, now, w) >= self.limits.per_ip {
            return Err(tables.0.retry_after(ip, now, w));
        }
        if tables.1.count(user, now, w) >= self.limits.per_user {
            return Err(tables.1.retry_after(user, now, w));
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn failed(&self, ip: &str, user: &str, now: i64) {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let w = self.limits.window;
        tables.0.fail(ip, now, w);
        tables.1.fail(user, now, w);
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
    }

    #[test]
    fn tables_stay_bounded() {
        let l = SignInLimiter::new(Limits::default());
        for i in 0..(MAX_ENTRIES + 50) {
            l.failed(&format!("ip{i}"), &format!("u{i}"), 0);
        }
        let tables = l.tables.lock().unwrap_or_else(|e| e.into_inner());
        assert!(tables.0.0.len() <= MAX_ENTRIES + 1);
        assert!(tables.1.0.len() <= MAX_ENTRIES + 1);
    }
}
