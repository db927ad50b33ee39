//! Two engines sharing one real 3-master Redis Cluster (`scripts/redis-cluster.sh`), a master
//! hung then killed in a cluster without replicas, and a failover to a replica under load.

use crate::support::{
    blacklist_crosses_within_100_ms, config, engine, fails_over_under_load,
    flood_limit_is_shared_exactly, get, signal, store, test_url,
};
use ironward_core::state::{StateMode, StateStore};
use ironward_state_redis::Notice;
use std::net::IpAddr;
use std::time::{Duration, Instant};

fn cluster_url(var: &str) -> Option<String> {
    test_url(var, "scripts/redis-cluster.sh")
}

fn ip(n: u8) -> IpAddr {
    IpAddr::from([203, 0, 113, n])
}

#[test]
fn cluster_the_flood_limit_is_shared_exactly() {
    let Some(url) = cluster_url("IRONWARD_TEST_REDIS_CLUSTER_URL") else {
        return;
    };
    // Clients whose counters live on other masters have their own counts; clearing scans
    // every master.
    let others: Vec<IpAddr> = (2..20).map(ip).collect();
    flood_limit_is_shared_exactly(&url, ip(1), &others);
}

#[test]
fn cluster_a_blacklist_entry_reaches_the_other_engine_within_100_ms() {
    let Some(url) = cluster_url("IRONWARD_TEST_REDIS_CLUSTER_URL") else {
        return;
    };
    // Engine B may subscribe through another node than A: the channel reaches every one.
    blacklist_crosses_within_100_ms(&url, ip(30));
}

#[test]
fn cluster_a_killed_node_fails_open_within_budget_reported_once() {
    let Some(url) = cluster_url("IRONWARD_TEST_REDIS_CLUSTER_DOOMED_URL") else {
        return;
    };
    let pid = std::env::var("IRONWARD_TEST_REDIS_CLUSTER_DOOMED_PID").unwrap();
    let mut c = config(&url, "outage");
    (c.flood_ratio, c.flood_delay) = (1_000_000, 60);
    c.shared_state_timeout_ms = 20;
    c.shared_state_retry_max_ms = 200;
    let (s, notices) = store(&c);
    let e = engine(&c, &s);
    // Many clients, so that some counters live on the node that dies.
    let run = |n: usize| {
        (0..n)
            .map(|i| {
                let t = Instant::now();
                assert!(
                    get(&e, ip(u8::try_from(i % 50).unwrap())),
                    "a request failed"
                );
                t.elapsed()
            })
            .max()
            .unwrap_or_default()
    };
    let signal = |sig: &str| signal(&pid, sig);
    run(100);
    assert_eq!(s.mode(), StateMode::Shared);
    assert_eq!(s.stats().local, 0);
    // One master hangs (SIGSTOP): the calls routed to it wait at most the budget.
    signal("-STOP");
    let hung = run(60);
    signal("-CONT");
    let start = Instant::now();
    while s.mode() != StateMode::Shared {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not back after SIGCONT"
        );
        run(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    let downs_before = notices
        .lock()
        .unwrap()
        .iter()
        .filter(|x| matches!(x, Notice::Down { .. }))
        .count();
    signal("-KILL");
    std::thread::sleep(Duration::from_millis(50));
    let slowest = run(500);
    assert_eq!(s.mode(), StateMode::Fallback, "{:?}", s.stats());
    assert!(s.stats().local > 0);
    let budget = Duration::from_millis(20);
    let slack = Duration::from_millis(80);
    assert!(slowest <= 2 * budget + slack, "{slowest:?}");
    assert!(hung <= 2 * budget + slack, "{hung:?}");
    // The background connector keeps failing (a third of the slots has no master): still one
    // notice for the whole outage.
    std::thread::sleep(Duration::from_millis(600));
    run(50);
    let n = notices.lock().unwrap().clone();
    let downs = n
        .iter()
        .filter(|x| matches!(x, Notice::Down { .. }))
        .count();
    assert_eq!(downs, downs_before + 1, "{n:?}");
    eprintln!("slowest request: {hung:?} (a cluster node stopped), {slowest:?} (killed)");
}

#[test]
fn cluster_a_killed_master_fails_over_to_its_replica_without_a_failed_request_reported_once() {
    let Some(url) = cluster_url("IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_URL") else {
        return;
    };
    let pid = std::env::var("IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_PID").unwrap();
    fails_over_under_load(&url, &pid, ip, "cluster", true);
}
