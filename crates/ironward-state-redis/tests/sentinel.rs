//! Two engines sharing a master found through three real Redis Sentinels
//! (`scripts/redis-sentinel.sh`), and a failover under load.

use crate::support::{
    blacklist_crosses_within_100_ms, fails_over_under_load, flood_limit_is_shared_exactly, test_url,
};
use std::net::IpAddr;

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
    fails_over_under_load(&url, &pid, ip, "Sentinel");
}
