//! [`RedisState`]: the store, its request-path operations and its health.
//!
//! The request path takes a connection from a small pool (a mutex held for a pop, never
//! across a network call; when all are in use it waits for one within the budget), runs one
//! script with the socket timeouts set to the budget, and puts the connection back.
//! No connection within the budget, an error or a timeout: that call is answered from the
//! local state. Three failed calls in a row (or one the connection cannot survive) mark the store
//! down: every call then goes local, without touching the network, until the background
//! connector's probe succeeds again.

use crate::background;
use crate::notice::{Notice, Notify, redact};
use crate::pending::{self, Pending};
use crate::script::{Keys, Scripts, hit_args};
use crate::target::{Con, Target};
use crate::{Error, notice};
use ironward_core::Config;
use ironward_core::ip::{Blacklist, BlacklistEntry};
use ironward_core::state::{
    Counter, LocalState, StateMode, StateStore, Window, key_prefix, url_error,
};
use redis::{ConnectionLike, RedisError};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Failed calls in a row that mark the store down.
const FAILURES_DOWN: u32 = 3;

/// The settings of a store, from the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) target: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_size: usize,
    pub(crate) retry_max: Duration,
    pub(crate) blacklist_max: u64,
}

/// Counters of what the store did, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Counter updates answered by Redis.
    pub shared: u64,
    /// Counter updates answered locally (store down, no connection within the budget, error or
    /// timeout).
    pub local: u64,
    /// Calls that failed (errors and timeouts).
    pub errors: u64,
    /// Connections opened.
    pub connects: u64,
    /// Blacklist changes received from other workers and hosts.
    pub received: u64,
    /// Blacklist changes (adds and removals) made while Redis did not take them, waiting to
    /// be written when it is back.
    pub pending: u64,
    /// True while Redis is in use.
    pub up: bool,
}

/// What the request path and the background threads share.
pub(crate) struct Inner {
    pub(crate) settings: Settings,
    pub(crate) target: Target,
    pub(crate) local: LocalState,
    pub(crate) windows: [Window; 2],
    pub(crate) keys: Keys,
    pub(crate) scripts: Scripts,
    pub(crate) pool: Mutex<Vec<Con>>,
    /// Signalled when a connection is pooled.
    pub(crate) returned: Condvar,
    /// Connections open (pooled or in use).
    pub(crate) live: AtomicUsize,
    pub(crate) up: AtomicBool,
    /// True once the blacklist subscription has made its full copy (and while it lasts).
    pub(crate) synced: AtomicBool,
    failures: AtomicU32,
    /// True between a `Down` notice and the next `Up` one.
    down_reported: AtomicBool,
    /// Outages seen (each reported once).
    pub(crate) outages: AtomicU64,
    /// Blacklist changes this process made while Redis did not take them (down, slow,
    /// failing): written to Redis, and so published to every worker, when it is back.
    pub(crate) pending: Mutex<Pending>,
    /// Held while the pending changes are written and, in the subscriber, until the list is
    /// copied back from Redis: the copy never runs before the replay.
    pub(crate) replaying: Mutex<()>,
    /// The value of Redis's data marker this process last saw ([`crate::epoch`]).
    pub(crate) epoch: Mutex<Option<String>>,
    /// Wakes the connector (a connection was lost, the pool is short, or stop).
    pub(crate) wake: (Mutex<bool>, Condvar),
    pub(crate) stop: AtomicBool,
    pub(crate) notify: Notify,
    shared: AtomicU64,
    local_hits: AtomicU64,
    errors: AtomicU64,
    pub(crate) connects: AtomicU64,
    pub(crate) received: AtomicU64,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("target", &self.settings.target)
            .field("up", &self.up.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The flood and brute-force counters and the blacklist of an application, on Redis, with
/// this process's [`LocalState`] as the blacklist's cache and as the fallback.
#[derive(Debug)]
pub struct RedisState {
    inner: Arc<Inner>,
    /// The process that started the background threads: a forked child (a pre-forking server
    /// that built the engine before forking) starts its own on first use.
    pid: AtomicU32,
}

impl RedisState {
    /// Starts a store for `config` (`SHARED_STATE_*`), reporting on standard error.
    pub fn start(config: &Config) -> Result<RedisState, Error> {
        RedisState::start_with(config, notice::stderr())
    }

    /// Starts a store that reports to `notify`. Returns at once: the connections are made in
    /// the background, and calls are answered locally until they are.
    pub fn start_with(config: &Config, notify: Notify) -> Result<RedisState, Error> {
        if let Some(message) = url_error(&config.shared_state_url) {
            return Err(Error::Url(message));
        }
        if config.shared_state_url.is_empty() {
            return Err(Error::Url("empty: nothing to connect to".into()));
        }
        let ms = Duration::from_millis;
        let settings = Settings {
            target: redact(&config.shared_state_url),
            timeout: ms(config.shared_state_timeout_ms.max(1)),
            connect_timeout: ms(config.shared_state_connect_timeout_ms.max(1)),
            pool_size: usize::try_from(config.shared_state_pool_size)
                .unwrap_or(usize::MAX)
                .clamp(1, 256),
            retry_max: ms(config.shared_state_retry_max_ms.max(1)),
            blacklist_max: config.blacklist_max_size.max(1),
        };
        let target = Target::open(
            &config.shared_state_url,
            settings.timeout,
            settings.connect_timeout,
        )
        .map_err(Error::Url)?;
        let inner = Arc::new(Inner {
            settings,
            target,
            local: LocalState::new(config),
            windows: [Counter::Flood.window(config), Counter::Brute.window(config)],
            keys: Keys::new(&key_prefix(config)),
            scripts: Scripts::new(),
            pool: Mutex::new(Vec::new()),
            returned: Condvar::new(),
            live: AtomicUsize::new(0),
            up: AtomicBool::new(false),
            synced: AtomicBool::new(false),
            failures: AtomicU32::new(0),
            down_reported: AtomicBool::new(false),
            outages: AtomicU64::new(0),
            pending: Mutex::new(Pending::default()),
            replaying: Mutex::new(()),
            epoch: Mutex::new(None),
            wake: (Mutex::new(false), Condvar::new()),
            stop: AtomicBool::new(false),
            notify,
            shared: AtomicU64::new(0),
            local_hits: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            connects: AtomicU64::new(0),
            received: AtomicU64::new(0),
        });
        background::spawn(&inner);
        Ok(RedisState {
            inner,
            pid: AtomicU32::new(std::process::id()),
        })
    }

    /// What the store did so far.
    pub fn stats(&self) -> Stats {
        let i = &self.inner;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            shared: get(&i.shared),
            local: get(&i.local_hits),
            errors: get(&i.errors),
            connects: get(&i.connects),
            received: get(&i.received),
            pending: pending::lock(i).len() as u64,
            up: i.up.load(Ordering::Relaxed),
        }
    }

    /// Waits up to `timeout` for the store to be connected; true when it is (for tests and
    /// start-up scripts; the request path never waits).
    pub fn wait_connected(&self, timeout: Duration) -> bool {
        let end = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < end {
            if self.inner.up.load(Ordering::Acquire) && self.inner.synced() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// In a process forked after the store started, the background threads did not follow:
    /// drop the parent's connections and start them here.
    fn after_fork(&self) {
        let pid = std::process::id();
        let old = self.pid.load(Ordering::Relaxed);
        if old == pid
            || self
                .pid
                .compare_exchange(old, pid, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let i = &self.inner;
        i.up.store(false, Ordering::Release);
        let mut pool = i.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.clear();
        i.live.store(0, Ordering::Release);
        drop(pool);
        background::spawn(i);
    }

    fn window(&self, counter: Counter) -> Window {
        match counter {
            Counter::Flood => self.inner.windows[0],
            Counter::Brute => self.inner.windows[1],
        }
    }
}

impl Drop for RedisState {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::Release);
        self.inner.nudge();
    }
}

impl Inner {
    /// Wakes the connector.
    pub(crate) fn nudge(&self) {
        let (lock, cv) = &self.wake;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// True once the blacklist subscription has made its full copy.
    pub(crate) fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Runs `f` on a pooled connection within the budget; `None` when the store is down, no
    /// connection is free, or the call fails (then the caller answers locally).
    fn call<T>(&self, f: impl FnOnce(&Inner, &mut Con) -> redis::RedisResult<T>) -> Option<T> {
        if !self.up.load(Ordering::Acquire) {
            return None;
        }
        let mut con = {
            // Held for a push or a pop only, never across a network call. With every
            // connection in use, wait (within the budget) for one to come back.
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            if pool.is_empty() {
                if self.live.load(Ordering::Acquire) < self.settings.pool_size {
                    self.nudge();
                }
                pool = self
                    .returned
                    .wait_timeout_while(pool, self.settings.timeout, |p| {
                        p.is_empty() && self.up.load(Ordering::Acquire)
                    })
                    .map_or_else(|p| p.into_inner().0, |(g, _)| g);
            }
            pool.pop()?
        };
        match f(self, &mut con) {
            Ok(v) => {
                self.failures.store(0, Ordering::Relaxed);
                self.put_back(con);
                Some(v)
            }
            Err(e) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                let n = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
                // A timed-out connection skips the late reply by itself: keep it. Any other
                // failure (refused, reset, OOM, auth) may be the server's state: drop it.
                let survivable = e.is_timeout() && con.is_open();
                if survivable {
                    self.put_back(con);
                } else {
                    self.lost(con);
                }
                if n >= FAILURES_DOWN || !survivable {
                    self.went_down(&e);
                }
                None
            }
        }
    }

    fn put_back(&self, con: Con) {
        if !self.up.load(Ordering::Acquire) {
            self.lost(con);
            return;
        }
        self.pool
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(con);
        self.returned.notify_one();
    }

    /// Forgets a connection (closing it) and asks for a new one.
    pub(crate) fn lost(&self, con: Con) {
        drop(con);
        let _ = self
            .live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        self.nudge();
    }

    /// Writes one blacklist entry to Redis and publishes it (the later deadline wins).
    pub(crate) fn push_entry(
        &self,
        con: &mut Con,
        ip: IpAddr,
        expires_ms: i64,
        now_ms: i64,
    ) -> redis::RedisResult<i64> {
        self.scripts
            .blacklist_add
            .key(&self.keys.blacklist)
            .arg(ip.to_string())
            .arg(expires_ms)
            .arg(now_ms)
            .arg(self.settings.blacklist_max)
            .arg(&self.keys.channel)
            .invoke::<i64>(con)
    }

    /// Removes one blacklist entry from Redis and publishes the removal.
    pub(crate) fn push_removal(&self, con: &mut Con, ip: IpAddr) -> redis::RedisResult<i64> {
        self.scripts
            .blacklist_remove
            .key(&self.keys.blacklist)
            .arg(ip.to_string())
            .arg(&self.keys.channel)
            .invoke::<i64>(con)
    }

    /// Marks the store down (once per outage reported) and drops the pooled connections.
    pub(crate) fn went_down(&self, e: &RedisError) {
        self.up.store(false, Ordering::Release);
        let drained: Vec<Con> = {
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            pool.drain(..).collect()
        };
        for con in drained {
            self.lost(con);
        }
        self.returned.notify_all();
        if !self.down_reported.swap(true, Ordering::AcqRel) {
            self.outages.fetch_add(1, Ordering::Relaxed);
            (self.notify)(&Notice::Down {
                target: self.settings.target.clone(),
                reason: describe(e),
            });
        }
        self.nudge();
    }

    /// Marks the store up again (reported when its going down was).
    pub(crate) fn came_up(&self) {
        self.failures.store(0, Ordering::Release);
        if !self.up.swap(true, Ordering::AcqRel) && self.down_reported.swap(false, Ordering::AcqRel)
        {
            (self.notify)(&Notice::Up {
                target: self.settings.target.clone(),
            });
        }
    }
}

/// A short description of an error, without the URL.
pub(crate) fn describe(e: &RedisError) -> String {
    if e.is_timeout() {
        return "no answer within the budget".into();
    }
    let text: String = e.to_string().chars().take(200).collect();
    text
}

impl StateStore for RedisState {
    fn hit(&self, counter: Counter, ip: IpAddr, now_ms: i64) -> u64 {
        self.after_fork();
        let i = &self.inner;
        // Always counted locally too, so that a fallback starts from this process's recent
        // history rather than from zero.
        let local = i.local.hit(counter, ip, now_ms);
        let window = self.window(counter);
        let shared = i.call(|i, con| {
            let [now, window_ms, slot_ms] = hit_args(window, now_ms);
            i.scripts
                .hit
                .key(i.keys.counter(counter, ip))
                .arg(now)
                .arg(window_ms)
                .arg(slot_ms)
                .invoke::<u64>(con)
        });
        match shared {
            Some(n) => {
                i.shared.fetch_add(1, Ordering::Relaxed);
                n
            }
            None => {
                i.local_hits.fetch_add(1, Ordering::Relaxed);
                local
            }
        }
    }

    fn blacklist(&self) -> &Blacklist {
        self.inner.local.blacklist()
    }

    fn blacklist_insert(&self, ip: IpAddr, expires_ms: i64, now_ms: i64) {
        self.after_fork();
        let i = &self.inner;
        i.local.blacklist_insert(ip, expires_ms, now_ms);
        let written = i
            .call(|i, con| i.push_entry(con, ip, expires_ms, now_ms))
            .is_some();
        let mut pending = pending::lock(i);
        if written {
            pending.forget_removal(ip);
        } else {
            pending.add(ip, expires_ms, i.settings.blacklist_max);
        }
    }

    fn blacklist_remove(&self, ip: IpAddr) -> bool {
        self.after_fork();
        let i = &self.inner;
        let here = i.local.blacklist_remove(ip);
        pending::lock(i).forget(ip);
        if i.call(|i, con| i.push_removal(con, ip)).is_none() {
            pending::lock(i).remove(ip, i.settings.blacklist_max);
        }
        here
    }

    fn blacklist_entries(&self, now_ms: i64) -> Vec<BlacklistEntry> {
        self.inner.local.blacklist_entries(now_ms)
    }

    fn clear(&self) {
        self.inner.local.clear();
        *pending::lock(&self.inner) = Pending::default();
        // An administrative call (tests, the scan command), not on the request path: it may
        // take up to the connection timeout, and is skipped when Redis is down.
        if self.inner.up.load(Ordering::Acquire)
            && let Err(e) = background::clear_shared(&self.inner)
        {
            self.inner.errors.fetch_add(1, Ordering::Relaxed);
            self.inner.went_down(&e);
        }
    }

    fn outages(&self) -> u64 {
        self.inner.outages.load(Ordering::Relaxed)
    }

    fn local_fallbacks(&self) -> u64 {
        self.inner.local_hits.load(Ordering::Relaxed)
    }

    fn mode(&self) -> StateMode {
        if self.inner.up.load(Ordering::Acquire) {
            StateMode::Shared
        } else {
            StateMode::Fallback
        }
    }
}
