//! Telling a Redis that lost its data from a blacklist whose entries were removed.
//!
//! When the subscription is made again, the local blacklist becomes a copy of Redis's (so an
//! entry removed during an outage is dropped everywhere). A Redis restarted **without
//! persistence** comes back empty, though, and that copy would then drop every entry of every
//! process. So the application's key space holds a marker, `<prefix>:epoch` (in the blacklist's
//! hash slot, see [`Keys::epoch`](crate::script::Keys)): a random value written with `SET NX`
//! and no expiry, so it lives exactly as long as Redis's data. Each process remembers the
//! value it last saw. Before it copies the list back it reads the marker:
//!
//! - the value it remembers (or, on its first connection, any value): Redis kept its data, the
//!   copy mirrors it as before;
//! - absent (a fresh or wiped Redis), or another value (wiped, and another process has already
//!   set a new marker): this process **re-seeds** Redis with its local unexpired entries, each
//!   with the blacklist script (atomic per entry, the later deadline wins, published to every
//!   process), then sets the marker (`SET NX`: the first process to get there sets it) and
//!   remembers its value. Only then does it copy the list.
//!
//! Two processes reconnecting together both re-seed: each writes its entries before it looks
//! at the marker again, and one that finds a marker it does not know re-seeds too, so the
//! result is the union of their lists, never one process's list wiping the other's.

use crate::background::now_ms;
use crate::store::Inner;
use crate::target::Con;
use ironward_core::state::StateStore;
use redis::RedisResult;
use std::hash::{BuildHasher, Hasher};

/// Reads the marker; re-seeds Redis and sets the marker when it is absent or unknown here.
/// Called by the subscriber, after the pending changes are written and before the copy.
pub(crate) fn check(inner: &Inner, con: &mut Con) -> RedisResult<()> {
    let found: Option<String> = redis::cmd("GET").arg(&inner.keys.epoch).query(con)?;
    let mut known = inner.epoch.lock().unwrap_or_else(|p| p.into_inner());
    match (&found, known.as_deref()) {
        (Some(v), Some(k)) if v == k => return Ok(()),
        (Some(_), None) => {
            // A first connection: Redis is the store of record (this process has nothing of
            // its own but its pending adds, already written).
            *known = found;
            return Ok(());
        }
        _ => {}
    }
    reseed(inner, con)?;
    // Not set when another process got there first: its value is the one to remember.
    redis::cmd("SET")
        .arg(&inner.keys.epoch)
        .arg(fresh())
        .arg("NX")
        .query::<()>(con)?;
    *known = redis::cmd("GET").arg(&inner.keys.epoch).query(con)?;
    Ok(())
}

/// Writes every unexpired local entry to Redis (the later deadline wins), each published.
fn reseed(inner: &Inner, con: &mut Con) -> RedisResult<()> {
    let now = now_ms();
    for e in inner.local.blacklist().entries(now) {
        inner.push_entry(con, e.ip, e.expires_ms, now)?;
    }
    Ok(())
}

/// A new marker value: 128 random bits (the standard library's per-process random hash keys,
/// mixed with the time and the process id), in hex.
fn fresh() -> String {
    let mut out = String::with_capacity(32);
    for salt in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_i64(now_ms());
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fresh;

    #[test]
    fn markers_are_distinct_128_bit_hex() {
        let (a, b) = (fresh(), fresh());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
