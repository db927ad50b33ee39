//! Four worker processes sharing one agent key (gunicorn `-w 4`): each client sends its own
//! random instance id, the server tracks deliveries per instance, and every worker gets every
//! configuration change and blacklist entry (tracked per key, only the first worker to beacon
//! got them).

use crate::support::{Agent, TestServer, wait_until};
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::verdict::Action;
use ironward_server::Store;

#[test]
fn four_workers_sharing_a_key_each_get_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let key = server.key("shop");
    server.set("shop", &["BEACON_DELAY=1"]);
    let workers: Vec<Agent> = (0..4)
        .map(|_| Agent::start(&server.connect_url(), &key, None))
        .collect();
    for w in &workers {
        wait_until(5, "the connect", || w.client().status().connects == 1);
        assert_eq!(w.level(CheckId::Decoy), Level::BlockBlacklist);
    }

    // One worker's own finding reaches the three others of the same key.
    let attacker = "203.0.113.77";
    assert_eq!(
        workers[0].get("/.env", attacker).action,
        Action::BlockAndBlacklist
    );
    for w in &workers[1..] {
        wait_until(6, "a sibling's blacklist entry", || {
            w.get("/", attacker).is_blocked()
        });
    }

    // A configuration change made on the server.
    server.set("shop", &["SECURITY_CHECKS.decoy=0"]);
    for w in &workers {
        wait_until(6, "the change on each worker", || {
            w.level(CheckId::Decoy) == Level::Off
        });
        assert_eq!(w.get("/.env", "192.0.2.11").action, Action::Allow);
    }

    // An operator's fleet entry.
    let fleet = "198.51.100.44";
    let since = ironward_server::now();
    server
        .block_on(server.store.add_blacklist("shop", fleet, since, None, None))
        .unwrap();
    for w in &workers {
        wait_until(6, "the fleet entry on each worker", || {
            w.get("/", fleet).is_blocked()
        });
        assert!(w.notices().is_empty(), "{:?}", w.notices());
    }
    let counts = server.block_on(server.store.instance_counts(0)).unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].1, 4, "four instances of the key");
}
