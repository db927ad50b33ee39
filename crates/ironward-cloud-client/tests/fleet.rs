//! Two agents of one application: configuration changes and blacklist sharing.

use crate::support::{Agent, TestServer, wait_until};
use ironward_cloud_client::ConfigSource;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::verdict::Action;

/// A change made on the server (`config set`) reaches both agents on their next beacon and
/// their engines apply it; the running engine is swapped, not rebuilt per request.
#[test]
fn a_configuration_change_reaches_every_agent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let (k1, k2) = (server.key("shop"), server.key("shop"));
    server.set("shop", &["BEACON_DELAY=1", "FLOOD_RATIO=500"]);
    let agents = [
        Agent::start(&server.connect_url(), &k1, None),
        Agent::start(&server.connect_url(), &k2, None),
    ];
    for a in &agents {
        wait_until(5, "the connect", || a.client().status().connects == 1);
        assert_eq!(
            a.shared.load().config().flood_ratio,
            500,
            "applied at connect"
        );
        assert_eq!(a.client().status().source, ConfigSource::Cloud);
        assert_eq!(a.level(CheckId::Decoy), Level::BlockBlacklist);
        assert!(a.get("/.env", "192.0.2.10").is_blocked());
    }
    server.set("shop", &["SECURITY_CHECKS.decoy=0"]);
    for a in &agents {
        wait_until(5, "the change on the next beacon", || {
            a.level(CheckId::Decoy) == Level::Off && a.client().status().beacons >= 1
        });
        assert_eq!(a.get("/.env", "192.0.2.11").action, Action::Allow);
        // The rest of the remote layer is still in force (merged, not replaced).
        assert_eq!(a.shared.load().config().flood_ratio, 500);
        assert!(a.notices().is_empty(), "{:?}", a.notices());
    }
}

/// "Blacklisted once, blacklisted everywhere": an IP that agent A blacklists after a level-2
/// finding is blocked by agent B within a few beacons; an innocent IP is not.
#[test]
fn blacklisted_once_blacklisted_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let (ka, kb) = (server.key("shop"), server.key("shop"));
    server.set("shop", &["BEACON_DELAY=1"]);
    let a = Agent::start(&server.connect_url(), &ka, None);
    let b = Agent::start(&server.connect_url(), &kb, None);
    for x in [&a, &b] {
        wait_until(5, "the connect", || x.client().status().connects == 1);
    }
    let attacker = "203.0.113.77";
    assert_eq!(b.get("/", attacker).action, Action::Allow);
    let v = a.get("/.env", attacker);
    assert_eq!(v.action, Action::BlockAndBlacklist);
    wait_until(6, "B to learn the entry", || {
        b.get("/", attacker).is_blocked()
    });
    assert_eq!(b.get("/", "198.51.100.20").action, Action::Allow);
    // B does not send it back, A does not send it twice: the server holds it once.
    let entries = b.hooks_blacklist();
    assert!(entries.iter().any(|e| e.ip == attacker), "{entries:?}");
}

/// A key the server does not know: the application runs on its local configuration, the
/// agent says so once however many times it retries.
#[test]
fn a_wrong_key_runs_locally_and_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let a = Agent::start(&server.connect_url(), "iwk_not-a-key", None);
    wait_until(5, "several refused connects", || {
        a.client().status().failures >= 3
    });
    let notices = a.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("refused the agent key (403)"),
        "{notices:?}"
    );
    assert!(notices[0].contains("local configuration"), "{notices:?}");
    assert_eq!(a.shared.generation(), 0, "the local engine stays");
    let status = a.client().status();
    assert!(!status.connected && status.source == ConfigSource::Local);
}

impl Agent {
    fn hooks_blacklist(&self) -> Vec<ironward_cloud_client::BlacklistEntry> {
        use ironward_cloud_client::CloudHooks;
        self.hooks.blacklist()
    }
}
