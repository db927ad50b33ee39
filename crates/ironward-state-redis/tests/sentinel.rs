//! Two engines sharing a master found through three real Redis Sentinels
//! (`scripts/redis-sentinel.sh`), a failover under load, and a master and its Sentinel
//! reached over TLS.

use crate::support::{
    blacklist_crosses_within_100_ms, config, fails_over_under_load, first_notice,
    flood_limit_is_shared_exactly, store_unconnected, test_url,
};
use ironward_core::state::{StateMode, StateStore};
use ironward_state_redis::Notice;
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
    fails_over_under_load(&url, &pid, ip, "Sentinel", false);
}

/// The name of [`sentinel_over_tls_shares_the_flood_limit_and_the_blacklist`] for the child
/// run.
const TLS_TEST: &str = "sentinel::sentinel_over_tls_shares_the_flood_limit_and_the_blacklist";

#[test]
fn sentinel_over_tls_shares_the_flood_limit_and_the_blacklist() {
    let Some(url) = sentinel_url("IRONWARD_TEST_REDIS_SENTINEL_TLS_URL") else {
        return;
    };
    let ca = std::env::var("IRONWARD_TEST_REDIS_SENTINEL_TLS_CA").unwrap();
    if std::env::var("SSL_CERT_FILE").ok().as_deref() == Some(ca.as_str()) {
        // The child run: the test CA is the trusted root.
        flood_limit_is_shared_exactly(&url, ip(1), &[]);
        blacklist_crosses_within_100_ms(&url, ip(30));
        return;
    }
    // Without the test CA among the trusted roots, the certificates are refused: reported, and
    // counted locally.
    let mut c = config(&url, "tls-untrusted");
    c.shared_state_retry_max_ms = 100;
    let (s, notices) = store_unconnected(&c);
    let n = first_notice(&notices);
    assert!(
        matches!(n[0], Notice::Down { .. }) && n[0].to_string().contains("certificate"),
        "{n:?}"
    );
    assert_eq!(s.mode(), StateMode::Fallback);
    // The roots come from SSL_CERT_FILE (rustls-native-certs), read per process: the scenario
    // runs in a child of this test binary that trusts the test CA.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TLS_TEST, "--nocapture"])
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
