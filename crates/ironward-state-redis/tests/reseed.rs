//! A Redis that lost its data (restarted without persistence) is re-seeded by the engines
//! with their entries, instead of emptying every engine's blacklist.

use crate::shared::{Server, ip, own_redis, wait_for};
use crate::support::two_engines;
use ironward_core::Engine;
use ironward_core::state::StateStore;
use std::time::Duration;

/// The IPs in the application's blacklist on the Redis at `url`, and its marker.
fn in_redis(url: &str, prefix: &str) -> (Vec<String>, Option<String>) {
    let mut con = redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(1))
        .unwrap();
    let mut ips: Vec<String> = redis::cmd("ZRANGE")
        .arg(format!("{prefix}:blacklist"))
        .arg(0)
        .arg(-1)
        .query(&mut con)
        .unwrap();
    ips.sort();
    let marker = redis::cmd("GET")
        .arg(format!("{{{prefix}:blacklist}}:epoch"))
        .query(&mut con)
        .unwrap();
    (ips, marker)
}

#[test]
fn a_redis_restarted_empty_is_reseeded_with_the_entries_of_every_engine() {
    let Some((mut server, c)) = own_redis("reseed", false) else {
        return;
    };
    let prefix = c.shared_state_prefix.clone();
    let (sa, sb, a, b) = two_engines(&c);
    let now = a.now_ms();
    let deadline = now + 600_000;
    let listed = |e: &Engine, n: u8| e.blacklist().contains(ip(n), e.now_ms());
    a.blacklist_insert(ip(20), deadline);
    b.blacklist_insert(ip(21), deadline);
    wait_for("the entries never crossed", || {
        [20, 21].iter().all(|&n| listed(&a, n) && listed(&b, n))
    });
    let (_, marker) = in_redis(&server.url(), &prefix);
    assert!(
        marker.is_some(),
        "the marker is set at the first connection"
    );
    // Held by one engine's cache only (an entry the other one missed): each engine brings its
    // own back.
    sa.blacklist().insert(ip(22), deadline, now);
    sb.blacklist().insert(ip(23), deadline + 1_000, now);

    // Killed and restarted without its data: both engines reconnect together.
    let port = server.port;
    server.kill();
    let server = Server::start(Some(port)).expect("restart");
    // Most often before the engines reconnect: a marker neither knows, as if a third engine
    // had re-seeded first; they must re-seed all the same.
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    redis::cmd("SET")
        .arg(format!("{{{prefix}:blacklist}}:epoch"))
        .arg("another")
        .query::<()>(&mut con)
        .unwrap();
    let all: Vec<String> = [20, 21, 22, 23]
        .iter()
        .map(|&n| ip(n).to_string())
        .collect();
    let took = wait_for("Redis was not re-seeded with both engines' entries", || {
        in_redis(&server.url(), &prefix).0 == all
    });
    let (_, after) = in_redis(&server.url(), &prefix);
    assert!(
        after.is_some() && after != marker,
        "a new marker: {after:?}"
    );
    drop(con);
    wait_for("an engine lost an entry or missed the other's", || {
        [20, 21, 22, 23]
            .iter()
            .all(|&n| listed(&a, n) && listed(&b, n))
    });
    // Still there once both copies are done, and a removal made now reaches the other engine.
    std::thread::sleep(Duration::from_millis(300));
    for n in [20, 21, 22, 23] {
        assert!(listed(&a, n) && listed(&b, n), "{n}");
    }
    assert_eq!(b.blacklist().entries(now).len(), 4);
    assert!(b.blacklist_remove(ip(22)));
    wait_for("the removal never reached A", || !listed(&a, 22));
    assert_eq!(in_redis(&server.url(), &prefix).0.len(), 3);
    eprintln!(
        "Redis restarted empty: re-seeded with both engines' entries {took:?} after it answered"
    );
}
