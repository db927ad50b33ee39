//! The two background threads of a store, and its administrative calls.
//!
//! - The **connector** keeps the pool full: it opens connections (with
//!   `SHARED_STATE_CONNECT_TIMEOUT_MS`), loads the scripts, and proves each with a write
//!   within the budget before pooling it; after a failure it waits 50 ms, then twice as long
//!   each time, up to `SHARED_STATE_RETRY_MAX_MS`. Its first success after an outage marks the
//!   store up again. With the pool full and the store up, it writes the blacklist changes
//!   Redis did not take meanwhile ([`crate::pending`]).
//! - The **subscriber** keeps the local blacklist fresh: it subscribes to the application's
//!   channel, writes this process's pending blacklist changes, re-seeds a Redis that lost its
//!   data with the local entries ([`crate::epoch`]), then makes the local list a copy
//!   of the shared one (so nothing published in between is lost, and an entry removed during
//!   the outage is not brought back), then applies each published change as it arrives (well
//!   under a millisecond on a local network). When its connection breaks it reconnects with the
//!   same back-off and copies the whole list again. So a local copy is stale by at most the
//!   publication delay while connected, and by at most the outage plus one back-off step (≤
//!   `SHARED_STATE_RETRY_MAX_MS`) otherwise.
//!
//! Both stop within a quarter of a second once the store is dropped.

use crate::script::Message;
use crate::store::Inner;
use crate::target::{self, Con};
use crate::{epoch, pending};
use ironward_core::state::StateStore;
use redis::{Connection, RedisResult};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The first pause after a failure.
const MIN_BACKOFF: Duration = Duration::from_millis(50);
/// How often a waiting thread looks at the stop flag.
const TICK: Duration = Duration::from_millis(250);
/// Probe attempts (each within the budget) before a new connection counts as failed.
const PROBES: usize = 3;

/// Starts the connector and the subscriber of a store.
pub(crate) fn spawn(inner: &Arc<Inner>) {
    inner.synced.store(false, Ordering::Release);
    for (name, run) in [
        ("ironward-state-connect", connector as fn(&Inner)),
        ("ironward-state-sync", subscriber as fn(&Inner)),
    ] {
        let i = Arc::clone(inner);
        // A thread that cannot start leaves the store down: every call answers locally.
        let _ = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || run(&i));
    }
}

/// The time of this machine's clock, in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Sleeps `d`, waking early when the store stops.
fn pause(inner: &Inner, d: Duration) {
    let end = std::time::Instant::now() + d;
    while !inner.stopped() {
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(TICK));
    }
}

fn next(backoff: Duration, max: Duration) -> Duration {
    backoff.saturating_mul(2).min(max)
}

/// A connection with both socket timeouts set to `timeout`.
pub(crate) fn connect(inner: &Inner, timeout: Duration) -> RedisResult<Con> {
    let con = inner.target.connect(inner.settings.connect_timeout)?;
    con.set_timeouts(timeout)?;
    Ok(con)
}

/// A pooled connection: scripts loaded, a write proven within the budget.
fn open(inner: &Inner) -> RedisResult<Con> {
    let mut con = connect(inner, inner.settings.connect_timeout)?;
    inner.scripts.load(&mut con)?;
    con.set_timeouts(inner.settings.timeout)?;
    let mut last = Ok(0);
    for _ in 0..PROBES {
        last = inner
            .scripts
            .hit
            .key(inner.keys.probe())
            .arg(now_ms())
            .arg(1_000)
            .arg(125)
            .invoke::<u64>(&mut con);
        if last.is_ok() {
            break;
        }
    }
    last.map(|_| con)
}

/// Keeps the pool full; marks the store up and down.
fn connector(inner: &Inner) {
    let mut backoff = MIN_BACKOFF;
    while !inner.stopped() {
        if inner.live.load(Ordering::Acquire) < inner.settings.pool_size {
            match open(inner) {
                Ok(con) => {
                    inner.live.fetch_add(1, Ordering::AcqRel);
                    inner.connects.fetch_add(1, Ordering::Relaxed);
                    inner
                        .pool
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(con);
                    inner.returned.notify_one();
                    inner.came_up();
                    backoff = MIN_BACKOFF;
                }
                Err(e) => {
                    inner.went_down(&e);
                    pause(inner, backoff);
                    backoff = next(backoff, inner.settings.retry_max);
                }
            }
            continue;
        }
        // Changes Redis did not take while the subscription lasted (a hung or failing Redis):
        // written once it answers again.
        if inner.up.load(Ordering::Acquire)
            && !pending::lock(inner).is_empty()
            && let Some(_replay) = pending::try_replaying(inner)
        {
            let _ = pending::replay(inner);
        }
        let (lock, cv) = &inner.wake;
        let mut woken = lock.lock().unwrap_or_else(|p| p.into_inner());
        if !*woken {
            woken = cv
                .wait_timeout(woken, TICK)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        *woken = false;
    }
}

/// Keeps the local blacklist fresh from the channel.
fn subscriber(inner: &Inner) {
    let mut backoff = MIN_BACKOFF;
    while !inner.stopped() {
        if subscription(inner, &mut backoff).is_err() {
            inner.synced.store(false, Ordering::Release);
            pause(inner, backoff);
            backoff = next(backoff, inner.settings.retry_max);
        }
    }
}

/// One subscription, until it breaks (an error) or the store stops (`Ok`).
fn subscription(inner: &Inner, backoff: &mut Duration) -> RedisResult<()> {
    let mut con: Connection = inner.target.subscriber(inner.settings.connect_timeout)?;
    con.set_read_timeout(Some(inner.settings.connect_timeout))?;
    con.set_write_timeout(Some(inner.settings.connect_timeout))?;
    let mut ps = con.as_pubsub();
    ps.subscribe(&inner.keys.channel)?;
    ps.set_read_timeout(Some(TICK))?;
    {
        // The changes made here while Redis did not take them are written first, so that the
        // copy neither brings back an entry removed meanwhile nor misses one added; a Redis
        // that lost its data is re-seeded with this process's entries before the copy.
        let _replay = pending::replaying(inner);
        pending::replay(inner)?;
        let mut con = connect(inner, inner.settings.connect_timeout)?;
        epoch::check(inner, &mut con)?;
        full_copy(inner, &mut con)?;
    }
    inner.synced.store(true, Ordering::Release);
    *backoff = MIN_BACKOFF;
    loop {
        if inner.stopped() {
            return Ok(());
        }
        match ps.get_message() {
            Ok(msg) => {
                if let Ok(text) = msg.get_payload::<String>() {
                    apply(inner, &text);
                }
            }
            Err(e) if e.is_timeout() => {}
            Err(e) => return Err(e),
        }
    }
}

/// Applies one published change to the local blacklist.
fn apply(inner: &Inner, text: &str) {
    let Some(msg) = Message::parse(text) else {
        return;
    };
    inner.received.fetch_add(1, Ordering::Relaxed);
    let bl = inner.local.blacklist();
    match msg {
        Message::Add(ip, deadline) => bl.insert(ip, deadline, now_ms()),
        Message::Remove(ip) => {
            bl.remove(ip);
        }
        Message::Clear => bl.clear(),
    }
}

/// Makes the local blacklist Redis's: copies every live entry of the shared one and drops the
/// local entries it no longer lists (removed or expired while the subscription was broken),
/// except the changes of this process still waiting for Redis.
fn full_copy(inner: &Inner, con: &mut Con) -> RedisResult<()> {
    let now = now_ms();
    let entries: Vec<(String, f64)> = redis::cmd("ZRANGEBYSCORE")
        .arg(&inner.keys.blacklist)
        .arg(format!("({now}"))
        .arg("+inf")
        .arg("WITHSCORES")
        .query(con)?;
    let bl = inner.local.blacklist();
    let pending = pending::lock(inner);
    let mut listed = HashSet::with_capacity(entries.len());
    for (ip, deadline) in entries {
        let Ok(ip) = ip.parse::<IpAddr>() else {
            continue;
        };
        listed.insert(ip);
        if !pending.removes(ip) {
            // Scores are whole milliseconds written by the scripts.
            #[allow(clippy::cast_possible_truncation)]
            bl.insert(ip, deadline as i64, now);
        }
    }
    for e in bl.entries(now) {
        if !listed.contains(&e.ip) && !pending.adds(e.ip) {
            bl.remove(e.ip);
        }
    }
    Ok(())
}

/// Deletes the application's shared state: its blacklist (published) and its counters.
pub(crate) fn clear_shared(inner: &Inner) -> RedisResult<()> {
    let mut con = connect(inner, inner.settings.connect_timeout)?;
    redis::cmd("DEL")
        .arg(&inner.keys.blacklist)
        .query::<i64>(&mut con)?;
    redis::cmd("PUBLISH")
        .arg(&inner.keys.channel)
        .arg("*")
        .query::<i64>(&mut con)?;
    // A cluster's counters are spread over its masters: scan each one.
    let nodes = if inner.target.is_cluster() {
        target::masters(&mut con)?
    } else {
        vec![(String::new(), 0)]
    };
    for (host, port) in nodes {
        for counter in ironward_core::state::Counter::ALL {
            scan_delete(&mut con, &inner.keys.counter_pattern(counter), &host, port)?;
        }
    }
    Ok(())
}

/// Deletes the keys matching `pattern` on one node (the server, or a cluster's master).
fn scan_delete(con: &mut Con, pattern: &str, host: &str, port: u16) -> RedisResult<()> {
    let mut cursor = 0u64;
    // Bounded: at most 10,000 SCAN steps of 1,000 keys.
    for _ in 0..10_000 {
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1_000);
        let (next, keys): (u64, Vec<String>) =
            redis::FromRedisValue::from_redis_value(con.on_node(&scan, host, port)?)?;
        match con {
            Con::Single(_) if !keys.is_empty() => {
                redis::cmd("DEL").arg(&keys).query::<i64>(con)?;
            }
            // Keys of different slots cannot go in one DEL on a cluster.
            _ => {
                for key in &keys {
                    redis::cmd("DEL").arg(key).query::<i64>(con)?;
                }
            }
        }
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    Ok(())
}
