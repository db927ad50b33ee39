//! The admin side on a real server on loopback, driven by a real HTTP client (ureq), on SQLite
//! always and on PostgreSQL when `IRONWARD_PG_DSN` is set (scripts/test.sh starts one with
//! scripts/sink-dbs.sh; each test gets its own schema): sign-in, rate limit, sessions and CSRF,
//! token scopes, no anonymous access, every endpoint, event ingest in both formats, blacklist
//! add/expiry/remove reaching agents, retention.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod support;

use base64::Engine as _;
use ironward_server::auth::{self, Limits};
use ironward_server::retention::{Retention, prune_once};
use ironward_server::store::NewEvent;
use ironward_server::{ServerOptions, Store, create_key};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Db, PASSWORD, TestServer, pyrasp_connect};

impl TestServer {
    /// A request: status, response headers, JSON body (`null` when empty).
    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> (u16, Vec<(String, String)>, Value) {
        self.call_raw(
            method,
            path,
            headers,
            body.map(|b| b.to_string().into_bytes()),
        )
    }

    fn call_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> (u16, Vec<(String, String)>, Value) {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = self.json(method, path, &headers, body);
        let json = if answer.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&answer.body).unwrap_or(Value::String(answer.body))
        };
        (answer.status, answer.headers, json)
    }

    /// `POST /api/v1/sessions` with `user` and `password`.
    fn sign_in(&self, user: &str, password: &str) -> (u16, Vec<(String, String)>, Value) {
        let form = json!({"user": user, "password": password});
        self.call("POST", "/api/v1/sessions", &[], Some(&form))
    }

    /// `DELETE path` with `headers`: the status.
    fn delete(&self, path: &str, headers: &[(&str, String)]) -> u16 {
        self.call("DELETE", path, headers, None).0
    }

    fn bearer(token: &str) -> Vec<(&'static str, String)> {
        vec![("Authorization", format!("Bearer {token}"))]
    }

    /// A token of `scope` created with HTTP Basic.
    fn token(&self, scope: &str) -> String {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"));
        let (status, _, body) = self.call(
            "POST",
            "/api/v1/tokens",
            &[("Authorization", format!("Basic {basic}"))],
            Some(&json!({"name": format!("t-{scope}"), "scope": scope})),
        );
        assert_eq!(status, 201, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    fn connect(&self, key: &str) -> Value {
        let (status, _, body) =
            self.call("POST", "/api/v1/connect", &[], Some(&pyrasp_connect(key)));
        assert_eq!(status, 200, "{body}");
        body
    }

    fn beacon(&self, key: &str) -> Value {
        let (status, _, body) = self.call(
            "POST",
            "/api/v1/beacon",
            &[],
            Some(&json!({"key": key, "version": "0.10.2",
                "telemetry": {"cpu": 12.5, "memory": 40.0, "requests": {"success": 3, "errors": 1, "attacks": 2}},
                "blacklist": []})),
        );
        assert_eq!(status, 200, "{body}");
        body
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn sign_in_sessions_csrf_and_rate_limit(db: Db) {
    let server = TestServer::start(
        db,
        ServerOptions {
            sign_in_limits: Limits {
                per_ip: 50,
                per_user: 3,
                window: 600,
                ..Limits::default()
            },
            ..ServerOptions::default()
        },
    );
    // The first admin exists once; a second ensure_admin does nothing.
    assert_eq!(
        server
            .runtime
            .block_on(auth::ensure_admin(&*server.store, None))
            .unwrap(),
        None
    );
    // No anonymous access, read or write, on any admin route (and none with a wrong token).
    let wrong = TestServer::bearer("iwt_0000000000000000000000000000000000000000");
    for (method, path) in [
        ("GET", "/api/v1/apps"),
        ("POST", "/api/v1/apps"),
        ("GET", "/api/v1/apps/shop"),
        ("GET", "/api/v1/apps/shop/config"),
        ("PUT", "/api/v1/apps/shop/config"),
        ("PATCH", "/api/v1/apps/shop/config"),
        ("POST", "/api/v1/apps/shop/keys"),
        ("GET", "/api/v1/apps/shop/blacklist"),
        ("POST", "/api/v1/apps/shop/blacklist"),
        ("DELETE", "/api/v1/apps/shop/blacklist/192.0.2.1"),
        ("GET", "/api/v1/agents"),
        ("DELETE", "/api/v1/agents/1"),
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/events/1"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/1"),
        ("GET", "/api/v1/session"),
    ] {
        let (status, _, body) = server.call(method, path, &wrong, Some(&json!({"name": "x"})));
        assert_eq!(status, 401, "wrong token: {method} {path}: {body}");
        let (status, heads, body) = server.call(method, path, &[], Some(&json!({"name": "x"})));
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_eq!(header(&heads, "www-authenticate"), Some("Bearer"));
        assert!(body["error"].is_string());
    }
    assert_eq!(server.sign_in("admin", "wrong").0, 401);
    let (status, heads, body) = server.sign_in("admin", PASSWORD);
    assert_eq!(status, 201, "{body}");
    let cookie = header(&heads, "set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let with_cookie = vec![("Cookie", session.clone())];
    let (status, _, me) = server.call("GET", "/api/v1/session", &with_cookie, None);
    assert_eq!((status, me["user"].as_str()), (200, Some("admin")));
    assert_eq!(me["csrf_token"], csrf.as_str());
    // A session write needs the CSRF token.
    let create_shop = |headers: &[(&str, String)]| {
        let form = json!({"name": "shop"});
        server.call("POST", "/api/v1/apps", headers, Some(&form)).0
    };
    assert_eq!(create_shop(&with_cookie), 403);
    let mut with_csrf = with_cookie.clone();
    with_csrf.push(("X-CSRF-Token", "0".repeat(64)));
    assert_eq!(create_shop(&with_csrf), 403);
    with_csrf.pop();
    with_csrf.push(("X-CSRF-Token", csrf.clone()));
    assert_eq!(create_shop(&with_csrf), 201);
    // Sign-out ends the session.
    assert_eq!(
        server
            .call("DELETE", "/api/v1/sessions", &with_csrf, None)
            .0,
        204
    );
    assert_eq!(
        server.call("GET", "/api/v1/session", &with_cookie, None).0,
        401
    );
    // Rate limit per user: after 3 failures (a success started the count again) even the right
    // password is refused, with Retry-After.
    for _ in 0..3 {
        assert_eq!(server.sign_in("admin", "nope").0, 401);
    }
    let (status, heads, body) = server.sign_in("admin", PASSWORD);
    assert_eq!(status, 429, "{body}");
    assert!(
        header(&heads, "retry-after")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 0
    );
    // An unknown user is refused like a wrong password.
    assert_eq!(server.sign_in("ghost", PASSWORD).0, 401);
}
both_databases!(
    sign_in_sessions_csrf_and_rate_limit,
    auth_sqlite,
    auth_postgres
);

fn token_scopes(db: Db) {
    let server = TestServer::start(db, ServerOptions::default());
    let read = server.token("read");
    let write = server.token("write");
    assert!(read.starts_with("iwt_"));
    let r = TestServer::bearer(&read);
    let w = TestServer::bearer(&write);
    assert_eq!(server.call("GET", "/api/v1/apps", &r, None).0, 200);
    let (status, _, body) = server.call("POST", "/api/v1/apps", &r, Some(&json!({"name": "shop"})));
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        server
            .call("POST", "/api/v1/apps", &w, Some(&json!({"name": "shop"})))
            .0,
        201
    );
    // A token cannot mint tokens; a wrong token is 401.
    assert_eq!(
        server
            .call("POST", "/api/v1/tokens", &w, Some(&json!({"name": "x"})))
            .0,
        403
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/apps", &TestServer::bearer("iwt_nope"), None)
            .0,
        401
    );
    // Listing shows ids, never secrets; revoking ends the token.
    let (_, _, list) = server.call("GET", "/api/v1/tokens", &r, None);
    let tokens = list["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(!list.to_string().contains(&read));
    let read_id = tokens.iter().find(|t| t["scope"] == "read").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(server.delete(&format!("/api/v1/tokens/{read_id}"), &w), 204);
    assert_eq!(server.call("GET", "/api/v1/apps", &r, None).0, 401);
    assert_eq!(server.delete(&format!("/api/v1/tokens/{read_id}"), &w), 404);
}
both_databases!(token_scopes, tokens_sqlite, tokens_postgres);

fn apps_config_agents(db: Db) {
    let server = TestServer::start(db, ServerOptions::default());
    let w = TestServer::bearer(&server.token("write"));
    let (status, _, app) = server.call(
        "POST",
        "/api/v1/apps",
        &w,
        Some(&json!({"name": "shop", "template": "audit"})),
    );
    assert_eq!(status, 201);
    assert_eq!(app["template"], "audit");
    assert_eq!(app["config"]["BEACON"], true);
    assert_eq!(
        server
            .call("POST", "/api/v1/apps", &w, Some(&json!({"name": "shop"})))
            .0,
        409
    );
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/apps",
                &w,
                Some(&json!({"name": "bad name"}))
            )
            .0,
        422
    );
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/apps",
                &w,
                Some(&json!({"name": "x", "template": "nope"}))
            )
            .0,
        422
    );
    assert_eq!(
        server
            .call("POST", "/api/v1/apps", &w, Some(&json!({"nom": "x"})))
            .0,
        400
    );
    let (_, _, list) = server.call("GET", "/api/v1/apps", &w, None);
    assert_eq!(list["apps"][0]["name"], "shop");
    assert_eq!(server.call("GET", "/api/v1/apps/nope", &w, None).0, 404);
    assert_eq!(
        server.call("GET", "/api/v1/apps/shop", &w, None).2["name"],
        "shop"
    );

    // An agent key from the API; the agent connects and beacons.
    let (status, _, key) = server.call("POST", "/api/v1/apps/shop/keys", &w, None);
    assert_eq!(status, 201);
    let key = key["key"].as_str().unwrap().to_owned();
    server.connect(&key);
    assert_eq!(server.beacon(&key)["data"], json!({}));
    let (_, _, agents) = server.call("GET", "/api/v1/agents?app=shop", &w, None);
    let agent = &agents["agents"][0];
    assert_eq!(agent["version"], "0.10.2");
    assert_eq!(agent["platform"], "Flask");
    assert!(agent["last_beacon_at"].is_i64());
    assert_eq!(agent["telemetry"]["requests"]["attacks"], 2);
    assert_eq!(agent["telemetry"]["cpu"], 12.5);
    assert_eq!(
        server.call("GET", "/api/v1/agents", &w, None).2["agents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        server.call("GET", "/api/v1/agents?app=other", &w, None).2["agents"],
        json!([])
    );

    // Configuration: a refused change gives check-config's errors and stores nothing.
    let (status, _, body) = server.call(
        "PUT",
        "/api/v1/apps/shop/config",
        &w,
        Some(&json!({"config": {"check_blacklist": 1, "BEACON_DELAY": 0, "XSS_PROBA": "high"}})),
    );
    assert_eq!(status, 422, "{body}");
    let details = body["details"].as_array().unwrap();
    assert!(details.len() >= 3, "{body}");
    assert!(body.to_string().contains("check_blacklist"));
    let (_, _, config) = server.call("GET", "/api/v1/apps/shop/config", &w, None);
    assert_eq!(config["config_version"], 1);
    // A good change (with HTML in it, which the server's own layer lets through on this path)
    // reaches the agent on its next beacon, once.
    let (status, _, body) = server.call("PATCH", "/api/v1/apps/shop/config", &w,
        Some(&json!({"set": {"SECURITY_CHECKS.xss": 0, "BLOCK_ACTION_CONTENT": "<html><script>alert(1)</script></html>"}})));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["config_version"], 2);
    let data = &server.beacon(&key)["data"];
    assert_eq!(data["config"]["SECURITY_CHECKS.xss"], 0);
    assert_eq!(data["template"], "audit");
    // pyrasp's beacon has no instance id: a recent change is repeated (several workers may
    // share the key); Ironward agents' instances get it once.
    assert_eq!(
        server.beacon(&key)["data"]["config"]["SECURITY_CHECKS.xss"],
        0
    );
    let instance_beacon = json!({"key": key, "version": "0.4.0", "instance": "w1"});
    let (_, _, body) = server.call("POST", "/api/v1/beacon", &[], Some(&instance_beacon));
    assert_eq!(body["data"]["config"]["SECURITY_CHECKS.xss"], 0);
    let (_, _, body) = server.call("POST", "/api/v1/beacon", &[], Some(&instance_beacon));
    assert_eq!(body["data"], json!({}));
    let (_, _, body) = server.call("GET", "/api/v1/agents?app=shop", &w, None);
    assert_eq!(body["agents"][0]["instances"], 1, "{body}");
    let (status, _, body) = server.call(
        "PUT",
        "/api/v1/apps/shop/config",
        &w,
        Some(&json!({"template": "monitor", "config": {"BEACON": true, "BEACON_DELAY": 10}})),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["template"], "monitor");
    assert_eq!(server.beacon(&key)["data"]["config"]["BEACON_DELAY"], 10);

    // Revoking the agent's key: its connects get 403.
    let id = agent["id"].as_str().unwrap();
    assert_eq!(server.delete(&format!("/api/v1/agents/{id}"), &w), 204);
    let (status, _, _) = server.call("POST", "/api/v1/connect", &[], Some(&pyrasp_connect(&key)));
    assert_eq!(status, 403);
    assert_eq!(server.delete(&format!("/api/v1/agents/{id}"), &w), 404);
}
both_databases!(apps_config_agents, apps_sqlite, apps_postgres);

const PYRASP_EVENT: &str = r#"{"time":"TIME","application":"shop","log_data":["sqli","203.0.113.7","United States",{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006"],"path":"/search"}]}"#;

/// pyrasp's event time: UTC `%Y/%m/%d %H:%M:%S`.
fn pyrasp_time(epoch: i64) -> String {
    let utc = ironward_server::dashboard::time::utc(epoch);
    utc.trim_end_matches(" UTC").replace('-', "/")
}

fn ingest_and_event_queries(db: Db) {
    let server = TestServer::start(
        db,
        ServerOptions {
            max_events_per_request: 50,
            max_body_bytes: 64 * 1024,
            ..ServerOptions::default()
        },
    );
    let r = TestServer::bearer(&server.token("read"));
    let key = server.key("shop");
    let other = server.key("blog");
    // The connect answer tells pyrasp where to ship: LOG_* keys with the ingest token in LOG_PATH.
    let config = server.connect(&key)["data"]["config"].clone();
    assert_eq!(config["LOG_ENABLED"], true);
    assert_eq!(config["LOG_FORMAT"], "json");
    assert_eq!(config["LOG_PROTOCOL"], "http");
    assert_eq!(config["LOG_SERVER"], "127.0.0.1");
    assert_eq!(config["LOG_PORT"], server.addr.port());
    let log_path = config["LOG_PATH"].as_str().unwrap().to_owned();
    assert!(log_path.starts_with("/api/v1/ingest/iwe_"), "{log_path}");
    assert!(!log_path.contains(&key));

    let now = ironward_server::now();
    let event = PYRASP_EVENT.replace("TIME", &pyrasp_time(now - 60));
    // pyrasp's transport: one JSON document per POST to LOG_PATH, no header.
    let (status, _, body) =
        server.call_raw("POST", &log_path, &[], Some(event.clone().into_bytes()));
    assert_eq!((status, &body), (200, &json!({"accepted": 1})));
    // Our agents: a batch (JSON array; the pcb shape too) with the key as a bearer token.
    let pcb = r#"{"application":"blog","log_type":"security","log_data":["xss","198.51.100.2","Private",null,{"location":"body","payload":"PHNjcmlwdD4=","action":1,"codes":["IW001"],"path":"/c"}]}"#;
    let batch = format!("[{event},{pcb}]");
    let (status, _, body) = server.call_raw(
        "POST",
        "/api/v1/events",
        &TestServer::bearer(&other),
        Some(batch.into_bytes()),
    );
    assert_eq!(
        (status, &body),
        (200, &json!({"accepted": 2})),
        "attack payloads pass the server's own layer"
    );
    // NDJSON too.
    let lines = format!("{event}\n{event}\n");
    assert_eq!(
        server
            .call_raw("POST", &log_path, &[], Some(lines.into_bytes()))
            .2["accepted"],
        2
    );
    // Refusals: no key, a wrong key, a wrong ingest token, not JSON, too many events, too
    // large; and an admin token, which is not an agent key.
    let many = format!("[{}]", vec![event.as_str(); 51].join(","));
    let huge = format!("[{}]", vec![event.as_str(); 400].join(","));
    for (path, headers, body, status) in [
        ("/api/v1/events", vec![], event.as_str(), 401),
        ("/api/v1/events", TestServer::bearer("iwk_bad"), &event, 401),
        ("/api/v1/ingest/iwe_bad", vec![], &event, 401),
        (log_path.as_str(), vec![], "{not json", 400),
        (&log_path, vec![], &many, 400),
        (&log_path, vec![], &huge, 413),
        ("/api/v1/events", r.clone(), &event, 401),
    ] {
        let got = server.call_raw("POST", path, &headers, Some(body.as_bytes().to_vec()));
        assert_eq!(got.0, status, "{path} {}", &body[..body.len().min(40)]);
    }

    // Queries.
    let (status, _, all) = server.call("GET", "/api/v1/events", &r, None);
    assert_eq!(status, 200);
    let events = all["events"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    let first = events.iter().find(|e| e["check"] == "sqli").unwrap();
    assert_eq!(first["payload"], "' or 1=1 --");
    assert_eq!(first["ip"], "203.0.113.7");
    assert_eq!(first["time"], now - 60);
    assert_eq!(first["codes"], json!(["T1190", "PCB006"]));
    let get = |q: &str| {
        server
            .call("GET", &format!("/api/v1/events?{q}"), &r, None)
            .2
    };
    assert_eq!(get("app=shop")["events"].as_array().unwrap().len(), 3);
    assert_eq!(
        get("app=blog&check=xss")["events"][0]["payload"],
        "<script>"
    );
    assert_eq!(
        get("ip=198.51.100.2")["events"].as_array().unwrap().len(),
        1
    );
    assert_eq!(get(&format!("since={}", now + 3600))["events"], json!([]));
    assert_eq!(
        get(&format!("until={}", now - 30))["events"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        server.call("GET", "/api/v1/events?ip=nope", &r, None).0,
        400
    );
    assert_eq!(
        server.call("GET", "/api/v1/events?limit=0", &r, None).0,
        400
    );
    // Keyset pages cover every event once, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".to_owned(),
        };
        let page = get(&q);
        for e in page["events"].as_array().unwrap() {
            seen.push((e["time"].as_i64().unwrap(), e["id"].as_i64().unwrap()));
        }
        match page["next"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "{seen:?}");
    let id = seen[0].1;
    let (status, _, one) = server.call("GET", &format!("/api/v1/events/{id}"), &r, None);
    assert_eq!((status, one["id"].as_i64()), (200, Some(id)));
    assert_eq!(server.call("GET", "/api/v1/events/999999", &r, None).0, 404);
}
both_databases!(ingest_and_event_queries, ingest_sqlite, ingest_postgres);

fn blacklist_reaches_every_agent(db: Db) {
    let server = TestServer::start(db, ServerOptions::default());
    let w = TestServer::bearer(&server.token("write"));
    let a = server.key("shop");
    let b = server.key("shop");
    server.connect(&a);
    server.connect(&b);
    let (status, _, entry) = server.call(
        "POST",
        "/api/v1/apps/shop/blacklist",
        &w,
        Some(&json!({"ip": "203.0.113.9", "note": "scanner"})),
    );
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["reported_by"], Value::Null);
    for key in [&a, &b] {
        assert_eq!(
            server.beacon(key)["data"]["blacklist"]["new"],
            json!(["203.0.113.9"])
        );
    }
    let (status, _, _) = server.call(
        "POST",
        "/api/v1/apps/shop/blacklist",
        &w,
        Some(&json!({"ip": "198.51.100.1", "expires_in": 60})),
    );
    assert_eq!(status, 201);
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/apps/shop/blacklist",
                &w,
                Some(&json!({"ip": "nope"}))
            )
            .0,
        400
    );
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/apps/shop/blacklist",
                &w,
                Some(&json!({"ip": "1.2.3.4", "expires_in": -1}))
            )
            .0,
        400
    );
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/apps/none/blacklist",
                &w,
                Some(&json!({"ip": "1.2.3.4"}))
            )
            .0,
        404
    );
    let (_, _, list) = server.call("GET", "/api/v1/apps/shop/blacklist", &w, None);
    assert_eq!(list["blacklist"].as_array().unwrap().len(), 2);
    // A new agent gets the list at connect.
    let c = server.key("shop");
    let blacklist = server.connect(&c)["data"]["blacklist"].clone();
    assert!(blacklist.get("203.0.113.9").is_some() && blacklist.get("198.51.100.1").is_some());
    // Removal reaches every agent.
    for status in [204, 404] {
        let path = "/api/v1/apps/shop/blacklist/203.0.113.9";
        assert_eq!(server.call("DELETE", path, &w, None).0, status);
    }
    let data = server.beacon(&a)["data"]["blacklist"].clone();
    assert_eq!(data["remove"], json!(["203.0.113.9"]));
    assert_eq!(data["new"], json!(["198.51.100.1"]));
    // Expiry: the retention round removes the entry past its time, and agents are told.
    server.runtime.block_on(async {
        let pruned = prune_once(
            &*server.store,
            &Retention::default(),
            ironward_server::now() + 120,
        )
        .await
        .unwrap();
        assert_eq!(pruned.blacklist, 1);
    });
    // (With the earlier removal repeated: pyrasp-shaped beacons carry no instance id.)
    assert_eq!(
        server.beacon(&a)["data"]["blacklist"]["remove"],
        json!(["198.51.100.1", "203.0.113.9"])
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/apps/shop/blacklist", &w, None)
            .2["blacklist"],
        json!([])
    );
    // An agent reporting a removed IP lists it again for everyone.
    let (status, _, _) = server.call("POST", "/api/v1/beacon", &[],
        Some(&json!({"key": b, "version": "0.10.2", "blacklist": [["203.0.113.9", ironward_server::now()]]})));
    assert_eq!(status, 200);
    assert_eq!(
        server.beacon(&c)["data"]["blacklist"]["new"],
        json!(["203.0.113.9"])
    );
}
both_databases!(
    blacklist_reaches_every_agent,
    blacklist_sqlite,
    blacklist_postgres
);

fn retention_by_age_and_count(db: Db) {
    let server = TestServer::start(
        db,
        ServerOptions {
            retention: None,
            ..ServerOptions::default()
        },
    );
    let store = &*server.store;
    server.runtime.block_on(async {
        create_key(store, "shop", None).await.unwrap();
        create_key(store, "blog", None).await.unwrap();
        let now = ironward_server::now();
        let events = |n: i64, start: i64| -> Vec<NewEvent> {
            (0..n)
                .map(|i| NewEvent {
                    time: start + i,
                    check: "sqli".into(),
                    ..NewEvent::default()
                })
                .collect()
        };
        // shop: 10 old events (40 days) and 30 recent; blog: 5 recent.
        store
            .insert_events("shop", None, &events(10, now - 40 * 86_400), now)
            .await
            .unwrap();
        store
            .insert_events("shop", None, &events(30, now - 100), now)
            .await
            .unwrap();
        store
            .insert_events("blog", None, &events(5, now - 100), now)
            .await
            .unwrap();
        let retention = Retention {
            max_age: Some(Duration::from_secs(30 * 86_400)),
            max_events_per_app: Some(20),
            ..Retention::default()
        };
        let pruned = prune_once(store, &retention, now).await.unwrap();
        assert_eq!(pruned.events, 10 + 10);
        let count = |app: &'static str| async move {
            store
                .events(&ironward_server::store::EventQuery {
                    app: Some(app.into()),
                    limit: 1000,
                    ..Default::default()
                })
                .await
                .unwrap()
        };
        let shop = count("shop").await;
        assert_eq!(shop.len(), 20);
        // The newest were kept.
        assert_eq!(shop.last().unwrap().event.time, now - 100 + 10);
        assert_eq!(count("blog").await.len(), 5);
        assert_eq!(prune_once(store, &retention, now).await.unwrap().events, 0);
    });
}
both_databases!(
    retention_by_age_and_count,
    retention_sqlite,
    retention_postgres
);
