//! Two engines (standing for two workers or hosts) sharing one real Redis.

use crate::support::{self, engine, get, store, test_url, two_engines};
use ironward_core::check::CheckId;
use ironward_core::clock::ManualClock;
use ironward_core::config::Level;
use ironward_core::request::Response;
use ironward_core::state::{Counter, LocalState, StateMode, StateStore};
use ironward_core::{Config, Engine, Request};
use ironward_state_redis::{Notice, RedisState};
use proptest::prelude::*;
use std::net::{IpAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The test Redis, or `None` (with a message) when it is not set up.
fn redis_url() -> Option<String> {
    test_url("IRONWARD_TEST_REDIS_URL", "scripts/redis.sh")
}

/// A configuration running only `flood` and `brute`, on `url`, under a prefix of its own.
fn config(url: &str, name: &str) -> Config {
    let mut c = support::config(url, name);
    c.security_checks.set(CheckId::Brute, Level::Block);
    c
}

pub(crate) fn ip(n: u8) -> IpAddr {
    IpAddr::from([198, 51, 100, n])
}

#[test]
fn the_flood_limit_is_shared_exactly() {
    let Some(url) = redis_url() else { return };
    support::flood_limit_is_shared_exactly(&url, ip(1), &[ip(2)]);
}

#[test]
fn a_blacklist_entry_reaches_the_other_engine_within_100_ms() {
    let Some(url) = redis_url() else { return };
    support::blacklist_crosses_within_100_ms(&url, ip(3));
}

#[test]
fn brute_force_is_shared() {
    let Some(url) = redis_url() else { return };
    let mut c = config(&url, "brute");
    c.security_checks.set(CheckId::Flood, Level::Off);
    (c.error_flood_ratio, c.error_flood_delay) = (10, 60);
    let (_, _, a, b) = two_engines(&c);
    let flagged: Vec<bool> = (0..12)
        .map(|n| {
            let e = if n % 2 == 0 { &a } else { &b };
            let req = Request::new("GET", "/login").with_peer(ip(4));
            let inbound = e.inspect_request(&req);
            e.inspect_response(&req, &inbound, &Response::new(401))
                .action
                .is_block()
        })
        .collect();
    assert_eq!(flagged.iter().position(|f| *f), Some(10), "the 11th error");
    a.reset_state();
}

#[test]
fn windows_and_deadlines_expire() {
    let Some(url) = redis_url() else { return };
    let mut c = config(&url, "expiry");
    (c.flood_ratio, c.flood_delay) = (5, 10);
    let (sa, _) = store(&c);
    let (sb, _) = store(&c);
    let t0 = 1_900_000_000_000;
    let clock = Arc::new(ManualClock::new(t0));
    let build = |s: &Arc<RedisState>| {
        Engine::builder(c.clone())
            .clock(clock.clone())
            .state(Arc::clone(s) as Arc<dyn StateStore>)
            .build()
            .unwrap()
    };
    let (a, b) = (build(&sa), build(&sb));
    assert_eq!((0..8).filter(|_| get(&a, ip(5))).count(), 5);
    assert!(!get(&b, ip(5)));
    // One window and one eighth later, the count starts again.
    clock.advance(10_000 + 1_250);
    assert_eq!(
        (0..8)
            .filter(|n| get(if n % 2 == 0 { &a } else { &b }, ip(5)))
            .count(),
        5
    );
    // A blacklist deadline is honoured by both engines.
    a.blacklist_insert(ip(6), t0 + 20_000);
    let start = Instant::now();
    while !b.blacklist().contains(ip(6), b.now_ms()) {
        assert!(start.elapsed() < Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(1));
    }
    clock.set(t0 + 20_000);
    assert!(get(&a, ip(6)) && get(&b, ip(6)), "expired everywhere");
    a.reset_state();
}

/// A Redis server of this test's own, on a free loopback port.
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) port: u16,
    dir: std::path::PathBuf,
}

impl Server {
    pub(crate) fn start(port: Option<u16>) -> Option<Server> {
        Server::start_with(port, false)
    }

    /// With `durable`, every write goes to an append-only file first (`appendfsync always`),
    /// so a server killed and restarted on the same port comes back with its data.
    pub(crate) fn start_with(port: Option<u16>, durable: bool) -> Option<Server> {
        let bin =
            std::env::var("IRONWARD_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let port = port.unwrap_or_else(|| {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        });
        let dir =
            std::env::temp_dir().join(format!("ironward-redis-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let child = Command::new(bin)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                if durable { "yes" } else { "no" },
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let s = Server {
            child: Some(child),
            port,
            dir,
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(5) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(s)
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn signal(&self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .args([sig, &c.id().to_string()])
                .status();
        }
    }

    pub(crate) fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.signal("-CONT");
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis of the test's own (see [`Server::start_with`]) and a configuration on it with a
/// 20 ms budget and a 100 ms back-off; `None` when the test Redis is not set up.
pub(crate) fn own_redis(name: &str, durable: bool) -> Option<(Server, Config)> {
    redis_url()?;
    let server = Server::start_with(None, durable)
        .expect("cannot start redis-server (IRONWARD_TEST_REDIS_SERVER)");
    let mut c = config(&server.url(), name);
    c.shared_state_timeout_ms = 20;
    c.shared_state_retry_max_ms = 100;
    Some((server, c))
}

#[test]
fn redis_stopped_slow_or_killed_never_fails_a_request() {
    if redis_url().is_none() {
        return;
    }
    let Some(mut server) = Server::start(None) else {
        panic!("cannot start redis-server (IRONWARD_TEST_REDIS_SERVER)");
    };
    let mut c = config(&server.url(), "outage");
    (c.flood_ratio, c.flood_delay) = (1_000_000, 60);
    c.shared_state_timeout_ms = 20;
    c.shared_state_retry_max_ms = 200;
    let (s, notices) = store(&c);
    let e = engine(&c, &s);
    let budget = Duration::from_millis(20);
    // Slowest request while Redis answers, hangs (SIGSTOP), then is gone (SIGKILL).
    let run = |n: usize| {
        (0..n)
            .map(|_| {
                let t = Instant::now();
                assert!(get(&e, ip(7)), "a request failed");
                t.elapsed()
            })
            .max()
            .unwrap_or_default()
    };
    run(50);
    assert_eq!(s.mode(), StateMode::Shared);
    server.signal("-STOP");
    let hung = run(200);
    assert_eq!(s.mode(), StateMode::Fallback, "{:?}", s.stats());
    server.signal("-CONT");
    let start = Instant::now();
    while s.mode() != StateMode::Shared {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not back after SIGCONT"
        );
        run(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    let port = server.port;
    server.kill();
    let killed = run(500);
    assert_eq!(s.mode(), StateMode::Fallback);
    // Each request waited at most the budget for each call (plus scheduling on a busy box).
    let slack = Duration::from_millis(80);
    assert!(hung <= 2 * budget + slack, "{hung:?}");
    assert!(killed <= 2 * budget + slack, "{killed:?}");
    // Restarted: the state is shared again, and each outage was reported once, then its end.
    let _server = Server::start(Some(port)).expect("restart");
    let start = Instant::now();
    while s.mode() != StateMode::Shared {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not back after restart"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let before = s.stats().shared;
    run(10);
    assert!(s.stats().shared >= before + 10);
    let n = notices.lock().unwrap().clone();
    let downs = n
        .iter()
        .filter(|x| matches!(x, Notice::Down { .. }))
        .count();
    let ups = n.iter().filter(|x| matches!(x, Notice::Up { .. })).count();
    assert_eq!((downs, ups), (2, 2), "{n:?}");
    eprintln!("slowest request: {hung:?} (Redis stopped), {killed:?} (Redis killed)");
}

#[test]
fn an_entry_blacklisted_while_redis_was_down_reaches_every_engine_once_it_is_back() {
    let Some((mut server, c)) = own_redis("pending", false) else {
        return;
    };
    let (_, _, a, b) = two_engines(&c);
    let port = server.port;
    server.kill();
    let deadline = a.now_ms() + 600_000;
    // Blacklisted on A while Redis is gone: A blocks it at once, B cannot know yet.
    a.blacklist_insert(ip(12), deadline);
    a.blacklist_insert(ip(13), deadline);
    assert!(a.blacklist_remove(ip(13)), "removed before Redis came back");
    assert!(!get(&a, ip(12)));
    assert!(get(&b, ip(12)));
    let _server = Server::start(Some(port)).expect("restart");
    let start = Instant::now();
    while !b.blacklist().contains(ip(12), b.now_ms()) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the entry made during the outage never reached B"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // An engine started now copies it from Redis; the entry removed meanwhile stays removed.
    let (sc, _) = store(&c);
    assert!(sc.blacklist().contains(ip(12), a.now_ms()));
    assert!(!sc.blacklist().contains(ip(13), a.now_ms()));
    assert!(!b.blacklist().contains(ip(13), a.now_ms()));
    assert!(!get(&b, ip(12)), "B blocks it");
}

/// Waits up to 5 s for `cond`, calling it every 10 ms.
pub(crate) fn wait_for(what: &str, cond: impl FnMut() -> bool) -> Duration {
    wait_within(Duration::from_secs(5), what, cond)
}

/// Waits up to `limit` for `cond`, calling it every millisecond; how long it took.
fn wait_within(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "{what} (after {limit:?})");
        std::thread::sleep(Duration::from_millis(1));
    }
    start.elapsed()
}

#[test]
fn a_removal_made_while_redis_was_down_is_replayed_and_reaches_every_engine() {
    let Some((mut server, c)) = own_redis("removal", true) else {
        return;
    };
    let (sa, sb, a, b) = two_engines(&c);
    let deadline = a.now_ms() + 600_000;
    let listed = |e: &Engine, n: u8| e.blacklist().contains(ip(n), e.now_ms());
    let ms100 = Duration::from_millis(100);
    for n in [14, 15, 16] {
        a.blacklist_insert(ip(n), deadline);
    }
    wait_for("B never saw the entries", || {
        [14, 15, 16].iter().all(|&n| listed(&b, n))
    });
    // Held by B's cache only (as if Redis had dropped it while B was away): Redis keeps its
    // data over the restart, so B mirrors it and drops this one rather than re-seeding it.
    sb.blacklist().insert(ip(18), deadline, a.now_ms());

    // Killed, and restarted with its data (the append-only file): A's removal made meanwhile
    // is written before A copies the list back, and reaches B.
    let port = server.port;
    server.kill();
    wait_for("A never noticed", || {
        get(&a, ip(40));
        sa.mode() == StateMode::Fallback
    });
    assert!(a.blacklist_remove(ip(14)));
    assert!(!listed(&a, 14));
    assert_eq!(sa.stats().pending, 1, "{:?}", sa.stats());
    let restarted = Server::start_with(Some(port), true).expect("restart");
    wait_for("A never wrote its removal", || sa.stats().pending == 0);
    let took = wait_within(ms100, "B did not drop the entry removed on A", || {
        !listed(&b, 14)
    });
    wait_for("A not back", || sa.mode() == StateMode::Shared);
    assert!(
        !listed(&a, 14) && listed(&a, 15) && listed(&b, 15),
        "only the removed entry is gone"
    );
    wait_for("B kept an entry Redis did not list", || !listed(&b, 18));
    assert_eq!(sa.stats().pending, 0, "{:?}", sa.stats());
    let (sc, _) = store(&c);
    assert!(
        !sc.blacklist().contains(ip(14), a.now_ms()),
        "gone from Redis"
    );

    // Stopped (SIGSTOP: the subscriptions survive): the removal is written as soon as the store
    // is back. A removal then an add of the same IP: the add wins, and the reverse.
    let server = restarted;
    server.signal("-STOP");
    wait_for("A never noticed the stop", || {
        get(&a, ip(40));
        sa.mode() == StateMode::Fallback
    });
    assert!(a.blacklist_remove(ip(15)));
    a.blacklist_insert(ip(17), deadline);
    assert!(a.blacklist_remove(ip(17)));
    assert!(a.blacklist_remove(ip(16)));
    a.blacklist_insert(ip(16), deadline);
    assert_eq!(sa.stats().pending, 3, "{:?}", sa.stats());
    server.signal("-CONT");
    wait_for("A never wrote its changes", || sa.stats().pending == 0);
    let replayed = wait_within(ms100, "B did not drop the entry removed on A", || {
        !listed(&b, 15)
    });
    assert!(!listed(&a, 15));
    // Redis holds the latest change of each IP (a store started now copies it).
    let (sd, _) = store(&c);
    let copied = |n: u8| sd.blacklist().contains(ip(n), a.now_ms());
    assert!(copied(16) && !copied(15) && !copied(17), "{:?}", sa.stats());
    assert!(listed(&a, 16) && listed(&b, 16), "the later add won");
    assert!(!listed(&a, 17) && !listed(&b, 17), "the later removal won");
    eprintln!(
        "removal during the outage dropped by B {took:?} (killed, restarted), {replayed:?} (stopped, resumed) after A wrote it"
    );
}

#[test]
fn an_unreachable_redis_is_reported_once_and_counts_locally() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = config(&format!("redis://127.0.0.1:{port}/0"), "unreachable");
    c.shared_state_retry_max_ms = 100;
    (c.flood_ratio, c.flood_delay) = (3, 60);
    let (s, notices) = support::store_unconnected(&c);
    let e = engine(&c, &s);
    assert_eq!(
        (0..5).filter(|_| get(&e, ip(8))).count(),
        3,
        "local counting"
    );
    std::thread::sleep(Duration::from_millis(600));
    let n = notices.lock().unwrap().clone();
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].to_string().contains(&format!("127.0.0.1:{port}")));
    assert_eq!(s.mode(), StateMode::Fallback);
    // And in the metrics: down, one outage, the five updates answered here.
    let text = e.metrics_text();
    assert!(text.contains("ironward_shared_state_up 0\n"), "{text}");
    assert!(
        text.contains("ironward_shared_state_outages_total 1\n"),
        "{text}"
    );
    assert!(
        text.contains("ironward_shared_state_local_updates_total 5\n"),
        "{text}"
    );
    assert!(RedisState::start(&Config::default()).is_err(), "no URL");
    let mut bad = Config::default();
    bad.shared_state_url = "http://x".into();
    assert!(ironward_state_redis::build_engine(bad).is_err());
    assert!(
        ironward_state_redis::build_engine(Config::default()).is_ok(),
        "in-process"
    );
}

#[test]
fn tls_and_unix_urls_are_accepted_and_a_failed_handshake_is_reported() {
    let Some(url) = redis_url() else { return };
    // The test Redis speaks plain TCP: a TLS handshake with it fails, and is reported.
    let tls = url.replacen("redis://", "rediss://", 1);
    let mut c = config(&tls, "tls");
    c.shared_state_retry_max_ms = 100;
    let (s, notices) = support::store_unconnected(&c);
    support::first_notice(&notices);
    assert_eq!(s.hit(Counter::Flood, ip(10), 0), 1, "counted locally");
    assert_eq!(s.mode(), StateMode::Fallback);
    let mut c = config("redis+unix:///nonexistent/redis.sock", "unix");
    c.shared_state_retry_max_ms = 100;
    assert!(RedisState::start(&c).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// The script counts exactly as the in-process table does, whatever the timing (clocks
    /// going back included).
    #[test]
    fn the_script_counts_as_the_local_table(
        window_s in 1u64..120,
        steps in prop::collection::vec(-2_000i64..40_000, 1..80),
    ) {
        let Some(url) = redis_url() else { return Ok(()) };
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut c = config(&url, &format!("prop-{case}"));
        c.flood_delay = window_s;
        let s = RedisState::start(&c).unwrap();
        prop_assert!(s.wait_connected(Duration::from_secs(10)));
        let local = LocalState::new(&c);
        let ip = ip(9);
        let mut now: i64 = 1_900_000_000_000;
        for d in steps {
            // Several events at one instant now and then.
            now += if d < 0 { d } else { d % (window_s as i64 * 500).max(1) };
            let shared = s.hit(Counter::Flood, ip, now);
            prop_assert_eq!(shared, local.hit(Counter::Flood, ip, now), "{:?}", s.stats());
        }
        prop_assert_eq!(s.stats().local, 0);
        s.clear();
    }
}
