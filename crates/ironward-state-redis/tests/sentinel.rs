//! Two engines sharing a master found through three real Redis Sentinels
//! (`scripts/redis-sentinel.sh`), and a failover under load.

use crate::support::{
    blacklist_crosses_within_100_ms, config, engine, flood_limit_is_shared_exactly, get, store,
    test_url,
};
use ironward_core::state::{Counter, StateMode, StateStore};
use ironward_state_redis::Notice;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn sentinel_url(var: &str) -> Option<String> {
    test_url(var, "scripts/redis-sentinel.sh")
}

fn ip(n: u8) -> IpAddr {
    IpAddr::from([198, 51, 100, n])
}

#[test]
fn sentinel_the_flood_limit_is_shared_exactly() {
    let Some(url) = sentinel_url("IRONWARD_TEST_REDIS_SENTINEL_URL") else {
        return;
    };
    flood_limit_is_shared_exactly(&url, ip(1), &[]);
}

#[test]
fn sentinel_a_blacklist_entry_reaches_the_other_engine_within_100_ms() {
    let Some(url) = sentinel_url("IRONWARD_TEST_REDIS_SENTINEL_URL") else {
        return;
    };
    // Engine B may subscribe through another node than A: the channel reaches every one.
    blacklist_crosses_within_100_ms(&url, ip(30));
}

#[test]
fn sentinel_a_killed_master_fails_over_without_a_failed_request_reported_once() {
    let Some(url) = sentinel_url("IRONWARD_TEST_REDIS_SENTINEL_DOOMED_URL") else {
        return;
    };
    let pid = std::env::var("IRONWARD_TEST_REDIS_SENTINEL_DOOMED_PID").unwrap();
    let mut c = config(&url, "failover");
    (c.flood_ratio, c.flood_delay) = (1_000_000, 60);
    c.shared_state_timeout_ms = 20;
    c.shared_state_retry_max_ms = 200;
    let (s, notices) = store(&c);
    let e = engine(&c, &s);
    for n in 0..50 {
        assert!(get(&e, ip(n)));
    }
    assert_eq!((s.mode(), s.stats().local), (StateMode::Shared, 0));

    // Load from two threads while the master is killed and the Sentinels promote the replica.
    let stop = AtomicBool::new(false);
    let (served, slowest_us) = (AtomicU64::new(0), AtomicU64::new(0));
    let came_back = std::thread::scope(|sc| {
        for t in 0..2u8 {
            let (e, stop, served, slowest_us) = (&e, &stop, &served, &slowest_us);
            sc.spawn(move || {
                let mut i = 0u8;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    assert!(get(e, ip(100 + t * 50 + i % 50)), "a request failed");
                    let us = u64::try_from(started.elapsed().as_micros()).unwrap();
                    slowest_us.fetch_max(us, Ordering::Relaxed);
                    served.fetch_add(1, Ordering::Relaxed);
                    i = i.wrapping_add(1);
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        std::thread::sleep(Duration::from_millis(200));
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap();
        assert!(killed.success(), "kill -KILL {pid}");
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
        stop.store(true, Ordering::Relaxed);
        start.elapsed()
    });
    assert_eq!(
        s.mode(),
        StateMode::Shared,
        "no failover after {came_back:?}"
    );
    let slowest = Duration::from_micros(slowest_us.load(Ordering::Relaxed));
    eprintln!(
        "failover: back on the promoted replica after {came_back:?}, {} requests served, slowest {slowest:?}",
        served.load(Ordering::Relaxed)
    );
    // Within the budget (20 ms) plus a loaded machine's slack, during the whole failover.
    assert!(slowest <= Duration::from_millis(150), "{slowest:?}");
    let n = notices.lock().unwrap().clone();
    let count = |up: bool| {
        n.iter()
            .filter(|x| matches!(x, Notice::Up { .. }) == up)
            .count()
    };
    assert_eq!((count(false), count(true)), (1, 1), "{n:?}");

    // Counting resumes on the promoted replica, shared with a store that connects now.
    let before = s.stats().shared;
    let now = e.now_ms();
    let first = s.hit(Counter::Flood, ip(250), now);
    let (s2, _) = store(&c);
    assert_eq!(s2.hit(Counter::Flood, ip(250), now), first + 1);
    assert!(s.stats().shared > before, "{:?}", s.stats());
    e.reset_state();
}
