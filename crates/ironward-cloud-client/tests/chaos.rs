//! The server goes away: killed mid-beacon and restarted on the same port, or down when an
//! agent starts (the cache file then carries the last configuration received).

use crate::support::{Agent, TestServer, wait_until};
use ironward_cloud_client::ConfigSource;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::verdict::Action;
use std::time::Duration;

/// Killed while agents beacon every second, and restarted on the same port with the same
/// database: the agents keep serving with their last configuration, say so once, reconnect,
/// say so, and pick up a change made while they were cut off.
#[test]
fn a_server_killed_and_restarted_mid_beacon() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir.path());
    let (k1, k2) = (server.key("shop"), server.key("shop"));
    server.set("shop", &["BEACON_DELAY=1", "SECURITY_CHECKS.decoy=0"]);
    let agents = [
        Agent::start(&server.connect_url(), &k1, None),
        Agent::start(&server.connect_url(), &k2, None),
    ];
    for a in &agents {
        wait_until(5, "the connect", || a.level(CheckId::Decoy) == Level::Off);
        wait_until(5, "a beacon", || a.client().status().beacons >= 1);
    }
    let generation: Vec<u64> = agents.iter().map(|a| a.shared.generation()).collect();
    server.kill();
    for a in &agents {
        wait_until(5, "the outage noticed", || !a.client().status().connected);
    }
    // Serving on, with the last configuration received.
    std::thread::sleep(Duration::from_millis(1500));
    for (a, g) in agents.iter().zip(&generation) {
        assert_eq!(a.get("/.env", "192.0.2.30").action, Action::Allow);
        assert_eq!(a.shared.generation(), *g);
        let n = a.notices();
        assert_eq!(n.len(), 1, "one notice for the outage: {n:?}");
        assert!(n[0].contains("last configuration received"), "{n:?}");
    }
    server.restart();
    server.set("shop", &["FLOOD_RATIO=321"]);
    for a in &agents {
        wait_until(8, "the change after the restart", || {
            a.shared.load().config().flood_ratio == 321
        });
        assert_eq!(a.level(CheckId::Decoy), Level::Off, "the layer is merged");
        let n = a.notices();
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(n[1].contains("reachable again"), "{n:?}");
    }
}

/// With `CLOUD_CACHE_PATH`, the last configuration received is on disk: an agent that starts
/// while the server is down runs on it from its first request, and the server takes over
/// when it is back.
#[test]
fn the_cache_carries_the_configuration_through_an_outage() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("remote-config.json");
    let mut server = TestServer::start(&dir.path().join("db"));
    let key = server.key("shop");
    server.set("shop", &["BEACON_DELAY=1", "SECURITY_CHECKS.decoy=0"]);
    let first = Agent::start(&server.connect_url(), &key, Some(&cache));
    wait_until(5, "the connect and the cache", || {
        first.level(CheckId::Decoy) == Level::Off && cache.exists()
    });
    drop(first);
    let url = server.connect_url();
    server.kill();

    let second = Agent::start(&url, &key, Some(&cache));
    // Applied in `start`, before any request: no wait.
    assert_eq!(second.level(CheckId::Decoy), Level::Off);
    assert_eq!(second.client().status().source, ConfigSource::Cache);
    wait_until(5, "the outage noticed", || {
        second.client().status().failures >= 1
    });
    let n = second.notices();
    assert!(n[0].contains("cached configuration"), "{n:?}");

    server.restart();
    server.set("shop", &["FLOOD_RATIO=99"]);
    wait_until(8, "the server's configuration", || {
        second.shared.load().config().flood_ratio == 99
            && second.client().status().source == ConfigSource::Cloud
    });
    // A corrupt cache is reported and ignored: the agent starts on its local configuration.
    drop(second);
    std::fs::write(&cache, "{oops").unwrap();
    server.kill();
    let third = Agent::start(&url, &key, Some(&cache));
    assert_eq!(third.level(CheckId::Decoy), Level::BlockBlacklist);
    assert!(third.notices()[0].contains("ignoring the cached remote configuration"));
}
