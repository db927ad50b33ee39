//! What the single-server, cluster and Sentinel tests share: the test Redis's URL from the
//! environment, a configuration running only `flood`, a store that records its notices,
//! engines on stores, one request, a load, and the scenarios several suites run on their
//! deployments (the flood limit shared exactly, a blacklist entry and its removal crossing
//! engines, a master killed and replaced by its replica under load).

use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::state::{Counter, StateMode, StateStore};
use ironward_core::{Config, Engine, Request};
use ironward_state_redis::{Notice, RedisState};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The URL in `var`, or `None` (with a message naming `script`, which starts it) when it is
/// not set. CI must run these tests: there a missing variable fails.
pub(crate) fn test_url(var: &str, script: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must run the Redis tests: scripts/test.sh starts {script}"
            );
            eprintln!("SKIPPED: {var} is not set (eval \"$(bash {script} start)\")");
            None
        }
    }
}

/// A configuration running only `flood`, on `url`, under a prefix of its own.
pub(crate) fn config(url: &str, name: &str) -> Config {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    c.security_checks.set(CheckId::Flood, Level::Block);
    c.shared_state_url = url.to_owned();
    c.shared_state_prefix = format!("ironward-test:{}:{name}", std::process::id());
    // Generous for a loaded 2-core CI machine; the benches measure the real cost.
    c.shared_state_timeout_ms = 200;
    c
}

/// A store reporting into a list, once it reaches its server.
pub(crate) fn store(c: &Config) -> (Arc<RedisState>, Arc<Mutex<Vec<Notice>>>) {
    let (s, notices) = store_unconnected(c);
    assert!(
        s.wait_connected(Duration::from_secs(10)),
        "Redis did not answer"
    );
    (s, notices)
}

/// A store reporting into a list, at once (it connects in the background, if it can).
pub(crate) fn store_unconnected(c: &Config) -> (Arc<RedisState>, Arc<Mutex<Vec<Notice>>>) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&notices);
    let s = RedisState::start_with(
        c,
        Arc::new(move |n: &Notice| sink.lock().unwrap().push(n.clone())),
    )
    .unwrap();
    (Arc::new(s), notices)
}

/// Waits up to 5 s for `store` to report something; the notices.
pub(crate) fn first_notice(notices: &Mutex<Vec<Notice>>) -> Vec<Notice> {
    let start = Instant::now();
    while notices.lock().unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(5), "no notice");
        std::thread::sleep(Duration::from_millis(10));
    }
    notices.lock().unwrap().clone()
}

/// An engine keeping its state in `state`.
pub(crate) fn engine(c: &Config, state: &Arc<RedisState>) -> Engine {
    Engine::builder(c.clone())
        .state(Arc::clone(state) as Arc<dyn StateStore>)
        .build()
        .unwrap()
}

/// `GET /api` from `from`: true when it is let through.
pub(crate) fn get(e: &Engine, from: IpAddr) -> bool {
    !e.inspect_request(&Request::new("GET", "/api").with_peer(from))
        .action
        .is_block()
}

/// Two stores on `c` (connected) and an engine on each, standing for two workers or hosts.
pub(crate) fn two_engines(c: &Config) -> (Arc<RedisState>, Arc<RedisState>, Engine, Engine) {
    let (sa, _) = store(c);
    let (sb, _) = store(c);
    let (a, b) = (engine(c, &sa), engine(c, &sb));
    (sa, sb, a, b)
}

/// Waits up to 100 ms for `cond`, calling it every millisecond.
pub(crate) fn within_100_ms(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_millis(100),
            "{what}: not after 100 ms"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Two engines on `url`, `FLOOD_RATIO` 50: of 200 requests from `client` over both engines
/// and four threads exactly 50 pass, all counted in Redis; each of `others` still has its own
/// count; `reset_state` on A clears the count (on every master of a cluster) for B too.
pub(crate) fn flood_limit_is_shared_exactly(url: &str, client: IpAddr, others: &[IpAddr]) {
    let mut c = config(url, "flood");
    (c.flood_ratio, c.flood_delay) = (50, 60);
    let (sa, sb, a, b) = two_engines(&c);
    let passed: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let e = if t % 2 == 0 { &a } else { &b };
                s.spawn(move || (0..50).filter(|_| get(e, client)).count())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(passed, 50, "{:?} {:?}", sa.stats(), sb.stats());
    assert_eq!(
        sa.stats().local + sb.stats().local,
        0,
        "all counted in Redis"
    );
    for &other in others {
        assert!(
            get(&a, other) && get(&b, other),
            "{other} has its own count"
        );
    }
    a.reset_state();
    assert!(get(&b, client), "cleared");
}

/// Two engines on `url`: a level-2 flood on A blacklists `client`, B refuses it (as
/// blacklisted) within 100 ms (pub/sub), a store started later copies it, and a removal on B
/// reaches A and that store within 100 ms.
pub(crate) fn blacklist_crosses_within_100_ms(url: &str, client: IpAddr) {
    let mut c = config(url, "blacklist");
    c.security_checks.set(CheckId::Flood, Level::BlockBlacklist);
    (c.flood_ratio, c.flood_delay) = (3, 60);
    let (sa, sb, a, b) = two_engines(&c);
    assert!(get(&b, client));
    assert!((0..4).map(|_| get(&a, client)).any(|ok| !ok));
    // Watched in B's list, not with requests: a request on B would count in the shared flood
    // window, and B would then blacklist the client itself, whether the message came or not.
    within_100_ms("blacklisting", || {
        sb.blacklist().contains(client, b.now_ms())
    });
    assert!(!get(&b, client));
    let v = b.inspect_request(&Request::new("GET", "/").with_peer(client));
    assert_eq!(v.findings[0].check, CheckId::Blacklist);
    assert!(sb.stats().received >= 1, "{:?}", sb.stats());
    let (sc, _) = store(&c);
    assert!(sc.blacklist().contains(client, a.now_ms()), "full copy");
    assert!(b.blacklist_remove(client));
    within_100_ms("removal", || {
        !sa.blacklist().contains(client, a.now_ms()) && !sc.blacklist().contains(client, a.now_ms())
    });
    a.reset_state();
}

/// Sends `sig` (`-STOP`, `-CONT`, `-KILL`) to the process `pid`.
pub(crate) fn signal(pid: &str, sig: &str) {
    let done = std::process::Command::new("kill")
        .args([sig, pid])
        .status()
        .unwrap();
    assert!(done.success(), "kill {sig} {pid}");
}

/// Sets its flag when dropped, even by a panic.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `during` while `threads` threads each send a request to `e` every millisecond (thread
/// `t`'s `i`-th from `client(t, i)`); a refused request fails the test. The load stops when
/// `during` returns or panics. Returns what `during` returned, the requests served and the
/// slowest.
pub(crate) fn under_load<T>(
    e: &Engine,
    threads: u8,
    client: impl Fn(u8, u8) -> IpAddr + Sync,
    during: impl FnOnce() -> T,
) -> (T, u64, Duration) {
    let stop = AtomicBool::new(false);
    let (served, slowest_us) = (AtomicU64::new(0), AtomicU64::new(0));
    let out = std::thread::scope(|sc| {
        for t in 0..threads {
            let (stop, served, slowest_us, client) = (&stop, &served, &slowest_us, &client);
            sc.spawn(move || {
                let mut i = 0u8;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    assert!(get(e, client(t, i)), "a request failed");
                    let us = u64::try_from(started.elapsed().as_micros()).unwrap();
                    slowest_us.fetch_max(us, Ordering::Relaxed);
                    served.fetch_add(1, Ordering::Relaxed);
                    i = i.wrapping_add(1);
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let _stop = SetOnDrop(&stop);
        during()
    });
    let slowest = Duration::from_micros(slowest_us.load(Ordering::Relaxed));
    (out, served.load(Ordering::Relaxed), slowest)
}

/// A store on `url` (a 20 ms budget) under a 2-thread load while the master `pid` is killed
/// (`SIGKILL`) and its replica promoted: no request fails, the slowest stays within the budget
/// plus a loaded machine's slack, the store falls back, is back on the promoted replica within
/// 30 s, says so with one outage notice and one "back" notice, and then counts in Redis,
/// shared with a store that connects afterwards. Clients are `client(0..=250)`.
///
/// `flaps`: a Redis Cluster's nodes do not learn of the promotion at the same moment, so while
/// it settles one node serves a key while another still answers `CLUSTERDOWN`: the store may
/// then report a few short outages, each with its end (each a fallback to local counting, no
/// failed request). Sentinel switches the whole address at once: exactly one of each.
pub(crate) fn fails_over_under_load(
    url: &str,
    pid: &str,
    client: fn(u8) -> IpAddr,
    what: &str,
    flaps: bool,
) {
    let mut c = config(url, "failover");
    (c.flood_ratio, c.flood_delay) = (1_000_000, 60);
    c.shared_state_timeout_ms = 20;
    c.shared_state_retry_max_ms = 200;
    let (s, notices) = store(&c);
    let e = engine(&c, &s);
    for n in 0..50 {
        assert!(get(&e, client(n)));
    }
    assert_eq!((s.mode(), s.stats().local), (StateMode::Shared, 0));

    let load_client = |t: u8, i: u8| client(100 + t * 50 + i % 50);
    let (came_back, served, slowest) = under_load(&e, 2, load_client, || {
        std::thread::sleep(Duration::from_millis(200));
        signal(pid, "-KILL");
        let start = Instant::now();
        while s.mode() == StateMode::Shared && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(s.mode(), StateMode::Fallback, "never noticed the outage");
        while s.mode() != StateMode::Shared && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Keep the load on a little after the store is back.
        std::thread::sleep(Duration::from_millis(300));
        start.elapsed()
    });
    assert_eq!(
        s.mode(),
        StateMode::Shared,
        "no failover after {came_back:?}"
    );
    eprintln!(
        "{what} failover: back on the promoted replica after {came_back:?}, {served} requests served, slowest {slowest:?}"
    );
    // Within the budget (20 ms) plus a loaded machine's slack, during the whole failover.
    assert!(slowest <= Duration::from_millis(150), "{slowest:?}");
    let n = notices.lock().unwrap().clone();
    let count = |up: bool| {
        n.iter()
            .filter(|x| matches!(x, Notice::Up { .. }) == up)
            .count()
    };
    if flaps {
        assert!(count(false) >= 1, "{n:?}");
        assert_eq!(count(false), count(true), "{n:?}");
        assert!(matches!(n.last(), Some(Notice::Up { .. })), "{n:?}");
    } else {
        assert_eq!((count(false), count(true)), (1, 1), "{n:?}");
    }

    // Counting resumes on the promoted replica, shared with a store that connects now.
    let before = s.stats().shared;
    let now = e.now_ms();
    let first = s.hit(Counter::Flood, client(250), now);
    let (s2, _) = store(&c);
    assert_eq!(s2.hit(Counter::Flood, client(250), now), first + 1);
    assert!(s.stats().shared > before, "{:?}", s.stats());
    e.reset_state();
}
