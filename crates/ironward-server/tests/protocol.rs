//! The real server on loopback over SQLite in a temp dir, driven by a real HTTP client (ureq):
//! keys, connect with good and bad keys, beacons with telemetry and blacklist sharing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use ironward_server::keys::hash_key;
use ironward_server::{ServerOptions, Store, create_key, set_config};
use serde_json::{Value, json};
use support::TestServer;

impl TestServer {
    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, body.to_string().into_bytes())
    }

    fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let answer = self.json("POST", path, &[], Some(body));
        (answer.status, serde_json::from_str(&answer.body).unwrap())
    }

    /// A connect as pyrasp's `FlaskRASP` sends it (the captured route map).
    fn connect(&self, key: &str) -> (u16, Value) {
        self.post(
            "/api/v1/connect",
            &json!({"key": key, "version": "0.10.2", "platform": "Flask",
                    "routes": {
                        "static": {"methods": ["GET", "HEAD", "OPTIONS"], "path": "/static/<path:filename>"},
                        "index": {"methods": ["GET", "HEAD", "OPTIONS"], "path": "/"},
                        "item": {"methods": ["GET", "PUT", "HEAD", "OPTIONS"], "path": "/items/<int:item_id>"}}}),
        )
    }

    /// Status of a raw request: a `GET`, or a `POST` of `body`.
    fn status(&self, method: &str, target: &str, body: &str) -> u16 {
        if method == "GET" {
            self.http("GET", target, &[], None).status
        } else {
            let body = body.as_bytes().to_vec();
            self.json("POST", target, &[], Some(body)).status
        }
    }

    fn beacon(&self, body: &Value) -> (u16, Value) {
        self.post("/api/v1/beacon", body)
    }
}

/// Every answer is an envelope with a boolean status, a message and an object `data`.
fn assert_envelope(body: &Value, ok: bool) {
    assert_eq!(body["status"], ok, "{body}");
    assert!(body["message"].is_string(), "{body}");
    assert!(body["data"].is_object(), "{body}");
}

#[test]
fn connect_with_good_and_bad_keys() {
    let server = TestServer::sqlite(ServerOptions::default());
    let key = server.key_with("shop", Some("audit"));

    let (status, body) = server.connect(&key);
    assert_eq!(status, 200);
    assert_envelope(&body, true);
    let data = &body["data"];
    assert_eq!(data["template"], "audit");
    assert_eq!(data["config"]["BEACON"], true);
    assert_eq!(data["config"]["BLACKLIST_SHARE"], true);
    assert_eq!(
        data["config"]["BEACON_URL"],
        format!("http://{}/api/v1/beacon", server.addr)
    );
    assert_eq!(data["blacklist"], json!({}));

    let agent = server
        .runtime
        .block_on(server.store.agent(&hash_key(&key)))
        .unwrap()
        .unwrap();
    assert_eq!(agent.version.as_deref(), Some("0.10.2"));
    assert_eq!(agent.platform.as_deref(), Some("Flask"));
    assert!(agent.connected_at.is_some());

    for bad in [json!("iwk_wrong"), json!(""), Value::Null] {
        let (status, body) = server.post(
            "/api/v1/connect",
            &json!({"key": bad, "version": "0.10.2", "platform": "Flask", "routes": {}}),
        );
        assert_eq!(status, 403, "{bad}");
        assert_envelope(&body, false);
    }
    // Not JSON, and too large: clear answers with an envelope, never a crash.
    let (status, body) = server.post_raw("/api/v1/connect", b"not json".to_vec());
    assert_eq!(status, 400);
    assert_envelope(&body, false);
}

#[test]
fn oversized_bodies_are_refused() {
    let server = TestServer::sqlite(ServerOptions {
        max_body_bytes: 1024,
        ..ServerOptions::default()
    });
    let key = server.key_with("shop", None);
    let big = json!({"key": key, "version": "0.10.2", "platform": "Flask",
                     "routes": {"r": {"methods": ["GET"], "path": "x".repeat(4096)}}});
    let (status, body) = server.post("/api/v1/connect", &big);
    assert_eq!(status, 413);
    assert_envelope(&body, false);
    // The server still answers.
    assert_eq!(server.connect(&key).0, 200);
}

#[test]
fn beacon_records_telemetry_and_rejects_null_keys() {
    let server = TestServer::sqlite(ServerOptions::default());
    let key = server.key_with("shop", None);
    assert_eq!(server.connect(&key).0, 200);
    let telemetry = json!({"cpu": 12.5, "memory": 40.0,
                           "requests": {"success": 3, "errors": 1, "attacks": 2}});
    for _ in 0..2 {
        let (status, body) = server.beacon(
            &json!({"key": key, "version": "0.10.2", "telemetry": telemetry, "blacklist": []}),
        );
        assert_eq!(status, 200);
        assert_envelope(&body, true);
        assert_eq!(body["data"], json!({}), "nothing changed since connect");
    }
    let agent = server
        .runtime
        .block_on(server.store.agent(&hash_key(&key)))
        .unwrap()
        .unwrap();
    assert_eq!(agent.cpu, Some(12.5));
    assert_eq!(agent.memory, Some(40.0));
    assert_eq!(agent.requests, [6, 2, 4]);
    assert!(agent.last_beacon_at.is_some());

    let (status, body) = server.beacon(&json!({"key": null, "version": "0.10.2"}));
    assert_eq!(status, 403);
    assert_envelope(&body, false);
    let (status, _) = server.beacon(&json!({"key": "iwk_nope", "version": "0.10.2"}));
    assert_eq!(status, 403);
}

#[test]
fn blacklisted_once_blacklisted_everywhere() {
    let server = TestServer::sqlite(ServerOptions::default());
    let (a, b) = (server.key_with("shop", None), server.key_with("shop", None));
    let other_app = server.key_with("blog", None);
    for key in [&a, &b, &other_app] {
        assert_eq!(server.connect(key).0, 200);
    }
    // Agent A reports an IP blacklisted now (and junk that is not an IP, ignored). The time is
    // the clock's: a fixed one would fall out of BLACKLIST_DELAY and the connect below.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let (status, body) = server.beacon(&json!({"key": a, "version": "0.10.2",
        "blacklist": [["198.51.100.7", now], ["not-an-ip", 1]]}));
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({}), "A is not sent its own report back");

    // B's next beacon carries it; without an instance id (pyrasp) it is repeated for a while,
    // as several worker processes may share B's key.
    let (_, body) = server.beacon(&json!({"key": b, "version": "0.10.2", "blacklist": []}));
    assert_eq!(body["data"]["blacklist"]["new"], json!(["198.51.100.7"]));
    let (_, body) = server.beacon(&json!({"key": b, "version": "0.10.2", "blacklist": []}));
    assert_eq!(body["data"]["blacklist"]["new"], json!(["198.51.100.7"]));

    // Another application does not see it.
    let (_, body) = server.beacon(&json!({"key": other_app, "version": "0.10.2"}));
    assert_eq!(body["data"], json!({}));

    // A new agent gets it at connect, as IP → epoch (never in the future)…
    let c = server.key_with("shop", None);
    let (_, body) = server.connect(&c);
    let since = body["data"]["blacklist"]["198.51.100.7"].as_i64().unwrap();
    assert!(since > 0 && since <= now + 1, "{since} vs {now}");
    // …but not an entry older than BLACKLIST_DELAY (the agent would drop it at once).
    let (_, body) = server.beacon(&json!({"key": a, "version": "0.10.2",
        "blacklist": [["192.0.2.99", 1000]]}));
    assert_eq!(body["status"], true);
    let (_, body) = server.connect(&server.key_with("shop", None));
    let sent = body["data"]["blacklist"].as_object().unwrap();
    assert!(
        sent.contains_key("198.51.100.7") && !sent.contains_key("192.0.2.99"),
        "{sent:?}"
    );
}

#[test]
fn config_changes_reach_agents_on_their_next_beacon() {
    let server = TestServer::sqlite(ServerOptions::default());
    let key = server.key_with("shop", None);
    assert_eq!(server.connect(&key).0, 200);

    let refused = server.runtime.block_on(set_config(
        &*server.store,
        "shop",
        None,
        &["check_blacklist=1".into(), "BEACON_DELAY=0".into()],
        &[],
    ));
    assert!(refused.is_err(), "{refused:?}");

    server.set_remote("shop", &["SECURITY_CHECKS.xss=0", "BEACON_DELAY=1"]);
    let (_, body) = server.beacon(&json!({"key": key, "version": "0.10.2"}));
    let data = &body["data"];
    assert_eq!(data["template"], "default");
    assert_eq!(data["config"]["SECURITY_CHECKS.xss"], 0);
    assert_eq!(data["config"]["BEACON_DELAY"], 1);
    assert_eq!(data["config"]["BEACON"], true, "the complete layer is sent");
    assert!(data["config"]["BEACON_URL"].is_string());
    // Without an instance id (pyrasp), a recent change is sent again: the key may be shared by
    // several worker processes that the server cannot tell apart.
    let (_, body) = server.beacon(&json!({"key": key, "version": "0.10.2"}));
    assert_eq!(
        body["data"]["config"]["SECURITY_CHECKS.xss"], 0,
        "sent again"
    );
}

/// Worker processes sharing one key with instance ids (Ironward agents): each receives every
/// configuration change and blacklist entry once; one connected after a change is not sent it
/// again; the instances are counted and pruned by the retention.
#[test]
fn workers_sharing_a_key_each_get_every_change_once() {
    let server = TestServer::sqlite(ServerOptions::default());
    let key = server.key_with("shop", None);
    let workers = ["w1", "w2", "w3", "w4"];
    for w in workers {
        let (status, _) = server.post(
            "/api/v1/connect",
            &json!({"key": key, "version": "0.4.0", "platform": "ASGI", "instance": w}),
        );
        assert_eq!(status, 200);
    }
    let beacon = |w: &str, reported: Value| {
        let (status, body) = server
            .beacon(&json!({"key": key, "version": "0.4.0", "blacklist": reported, "instance": w}));
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    };
    for w in workers {
        assert_eq!(beacon(w, json!([])), json!({}), "{w}: nothing changed");
    }
    server.set_remote("shop", &["SECURITY_CHECKS.xss=0"]);
    let now = ironward_server::now();
    // w1 reports an IP in the same beacon that brings it the change.
    let data = beacon("w1", json!([["198.51.100.7", now]]));
    assert_eq!(data["config"]["SECURITY_CHECKS.xss"], 0);
    assert!(
        data.get("blacklist").is_none(),
        "w1 is not sent its own report: {data}"
    );
    for w in &workers[1..] {
        let data = beacon(w, json!([]));
        assert_eq!(data["config"]["SECURITY_CHECKS.xss"], 0, "{w}");
        assert_eq!(data["blacklist"]["new"], json!(["198.51.100.7"]), "{w}");
    }
    for w in workers {
        assert_eq!(beacon(w, json!([])), json!({}), "{w}: once");
    }
    // A worker connected after the change got it at connect; one first seen by a beacon (its
    // record pruned) is sent the configuration and the recent entries.
    let (_, connected) = server.post(
        "/api/v1/connect",
        &json!({"key": key, "version": "0.4.0", "instance": "w5"}),
    );
    assert_eq!(connected["data"]["config"]["SECURITY_CHECKS.xss"], 0);
    assert_eq!(beacon("w5", json!([])), json!({}));
    let data = beacon("w6", json!([]));
    assert_eq!(data["config"]["SECURITY_CHECKS.xss"], 0);
    assert_eq!(data["blacklist"]["new"], json!(["198.51.100.7"]));
    // An unusable id (too long, odd characters) reads as none: the per-key record.
    let data = beacon(&"x".repeat(65), json!([]));
    assert_eq!(
        data["config"]["SECURITY_CHECKS.xss"], 0,
        "recent change, no id"
    );

    let counts = server
        .runtime
        .block_on(server.store.instance_counts(0))
        .unwrap();
    assert_eq!(counts, vec![(hash_key(&key), 6)]);
    let pruned = server
        .runtime
        // A cutoff well past every beacon: the test may cross a second boundary.
        .block_on(server.store.prune_instances(ironward_server::now() + 60))
        .unwrap();
    assert_eq!(pruned, 6);
}

#[test]
fn key_create_keeps_the_template_and_refuses_unknown_ones() {
    let server = TestServer::sqlite(ServerOptions::default());
    server.key_with("shop", Some("monitor"));
    let rt = &server.runtime;
    assert!(
        rt.block_on(create_key(&*server.store, "shop", Some("audit")))
            .is_err()
    );
    assert!(
        rt.block_on(create_key(&*server.store, "x", Some("nope")))
            .is_err()
    );
    rt.block_on(create_key(&*server.store, "shop", None))
        .unwrap();
    rt.block_on(create_key(&*server.store, "shop", Some("MONITOR")))
        .unwrap();
}

#[test]
fn the_server_is_protected_by_its_own_layer() {
    let server = TestServer::sqlite(ServerOptions::default());
    let key = server.key_with("shop", None);
    // Protocol traffic passes (route maps with `<path:…>`, IP lists, telemetry)…
    assert_eq!(server.connect(&key).0, 200);
    let (status, _) = server.beacon(&json!({"key": key, "version": "0.10.2",
        "telemetry": {"cpu": 1.0, "memory": 2.0, "requests": {"success": 1, "errors": 0, "attacks": 0}},
        "blacklist": [["198.51.100.7", 1796519265], ["2001:db8::1", 1796519265]]}));
    assert_eq!(status, 200);
    // …an injection in the key is blocked before the API sees it.
    let attack = json!({"key": "x' UNION SELECT password FROM users --", "version": "0.10.2"});
    assert_eq!(
        server.status("POST", "/api/v1/beacon", &attack.to_string()),
        403
    );
}

/// Reads until the server closes the connection (or `limit` passes); returns what it sent.
fn read_until_closed(
    stream: &mut std::net::TcpStream,
    limit: std::time::Duration,
) -> Option<String> {
    use std::io::Read;
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(_) => None, // still open after `limit`
    }
}

#[test]
fn slow_headers_and_too_many_connections_are_cut_off() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let server = TestServer::sqlite(ServerOptions {
        header_read_timeout: Duration::from_millis(1000),
        max_connections: 2,
        ..ServerOptions::default()
    });
    let key = server.key_with("shop", None);
    // Two clients that never finish their headers hold the two connections…
    let mut slow: Vec<_> = (0..2)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(server.addr).unwrap();
            s.write_all(b"POST /api/v1/connect HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    // …so a third connection is closed at once, unanswered (well before the header timeout,
    // after which hyper would have answered it).
    let mut third = std::net::TcpStream::connect(server.addr).unwrap();
    let start = Instant::now();
    assert_eq!(
        read_until_closed(&mut third, Duration::from_secs(2)).as_deref(),
        Some("")
    );
    assert!(start.elapsed() < Duration::from_millis(800));
    // The slow ones are cut off after the header timeout (hyper answers 408 or just closes).
    for s in &mut slow {
        let answer = read_until_closed(s, Duration::from_secs(5)).expect("closed");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    // Then the server serves again.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(server.connect(&key).0, 200);
}
