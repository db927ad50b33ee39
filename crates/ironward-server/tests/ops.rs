//! Operations of the real server on loopback: its own metrics route (served to the allowed
//! clients only, counters that move, text that parses), limits set to non-default values end to
//! end, and the event listing's query plans (an index walk without a sort for every filter, on
//! SQLite always and on PostgreSQL when `IRONWARD_PG_DSN` is set).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

mod support;

use ironward_server::metrics::{MetricsOptions, parse_allow};
use ironward_server::store::{EventQuery, NewEvent};
use ironward_server::{ServerOptions, SqlStore, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use support::{TestServer, pg_dsn, pg_schema, pyrasp_connect};

impl TestServer {
    /// Status, `Content-Type` and body text of a request.
    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> (u16, String, String) {
        let answer = self.json(method, path, headers, body.map(String::into_bytes));
        let kind = answer.header("content-type").unwrap_or_default().to_owned();
        (answer.status, kind, answer.body)
    }

    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, _, text) = self.call("POST", path, &[], Some(body.to_string()));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn connect(&self, key: &str) -> u16 {
        self.post("/api/v1/connect", &pyrasp_connect(key)).0
    }

    /// A pyrasp-shaped beacon (no instance id).
    fn beacon(&self, key: &str, blacklist: &Value) -> Value {
        let (status, body) = self.post(
            "/api/v1/beacon",
            &json!({"key": key, "version": "0.10.2", "blacklist": blacklist}),
        );
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The metrics as `series → value` (series written as in the text), parsed strictly.
    fn scrape(&self) -> BTreeMap<String, f64> {
        let (status, kind, text) = self.call("GET", "/metrics", &[], None);
        assert_eq!(status, 200, "{text}");
        assert_eq!(kind, "text/plain; version=0.0.4; charset=utf-8");
        parse_prometheus(&text)
    }
}

/// A strict parser of the Prometheus text format 0.0.4 as far as these metrics use it: `# HELP`
/// and `# TYPE` once per family, before its samples; sample names valid and belonging to the
/// declared family (`_bucket`/`_sum`/`_count` for histograms); label values quoted; values
/// numbers; no series twice.
fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    let valid = |name: &str| {
        !name.is_empty()
            && name.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            })
    };
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut helped = std::collections::BTreeSet::new();
    let mut series = BTreeMap::new();
    assert!(text.ends_with('\n'), "the text ends with a newline");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(valid(name), "{line}");
            assert!(helped.insert(name.to_owned()), "HELP twice: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(valid(name), "{line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            if kind == "counter" {
                assert!(name.ends_with("_total"), "counter without _total: {line}");
            }
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "TYPE twice: {line}"
            );
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
        let (key, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
        let name = key.split('{').next().unwrap();
        assert!(valid(name), "{line}");
        if let Some(labels) = key.strip_prefix(name).filter(|l| !l.is_empty()) {
            let inner = labels.strip_prefix('{').and_then(|l| l.strip_suffix('}'));
            for pair in inner.unwrap().split("\",").filter(|p| !p.is_empty()) {
                let (label, quoted) = pair.split_once('=').unwrap();
                assert!(valid(label) && quoted.starts_with('"'), "{line}");
            }
        }
        let family = types
            .keys()
            .filter(|f| {
                name == f.as_str()
                    || (types[f.as_str()] == "histogram"
                        && ["_bucket", "_sum", "_count"]
                            .iter()
                            .any(|s| name == format!("{f}{s}")))
            })
            .count();
        assert_eq!(family, 1, "sample before or outside its TYPE: {line}");
        assert!(
            series.insert(key.to_owned(), value).is_none(),
            "series twice: {line}"
        );
    }
    series
}

fn metrics_on(allow: &[&str]) -> ServerOptions {
    ServerOptions {
        metrics: Some(MetricsOptions {
            allow: allow.iter().map(|a| parse_allow(a).unwrap()).collect(),
            ..MetricsOptions::default()
        }),
        ..ServerOptions::default()
    }
}

fn value(metrics: &BTreeMap<String, f64>, series: &str) -> f64 {
    *metrics
        .get(series)
        .unwrap_or_else(|| panic!("{series} missing in {metrics:#?}"))
}

#[test]
fn metrics_route_counts_what_the_server_does() {
    let server = TestServer::sqlite(metrics_on(&["127.0.0.0/8", "::1"]));
    let before = server.scrape();
    for series in [
        "ironward_server_connects_total{outcome=\"ok\"}",
        "ironward_server_beacons_total{outcome=\"ok\"}",
        "ironward_server_events_ingested_total",
        "ironward_server_ingest_refused_total{reason=\"unauthorized\"}",
        "ironward_server_sign_in_failures_total",
        "ironward_server_sign_in_rate_limited_total",
        "ironward_server_store_errors_total",
        "ironward_server_agents_active",
    ] {
        assert_eq!(value(&before, series), 0.0, "{series}");
    }
    assert_eq!(
        value(&before, "ironward_server_build_info{version=\"0.1.0\"}"),
        1.0
    );
    // The protection layer's own metrics follow.
    assert!(before.contains_key("ironward_requests_total"));

    let key = server.key("shop");
    assert_eq!(server.connect(&key), 200);
    assert_eq!(server.connect("iwk_wrong"), 403);
    server.beacon(&key, &json!([]));
    let event = r#"{"application":"shop","log_type":"security","log_data":["xss","198.51.100.2","Private",null,{"location":"body","payload":"x","action":1,"codes":[],"path":"/c"}]}"#;
    let bearer = format!("Bearer {key}");
    let (status, _, body) = server.call(
        "POST",
        "/api/v1/events",
        &[("Authorization", &bearer)],
        Some(format!("[{event},{event}]")),
    );
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = server.call(
        "POST",
        "/api/v1/events",
        &[("Authorization", "Bearer iwk_nobody")],
        Some(event.to_owned()),
    );
    assert_eq!(status, 401);
    let (status, _, _) = server.call(
        "POST",
        "/api/v1/sessions",
        &[],
        Some(json!({"user": "admin", "password": "wrong password!"}).to_string()),
    );
    assert_eq!(status, 401);

    let after = server.scrape();
    let moved = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(moved("ironward_server_connects_total{outcome=\"ok\"}"), 1.0);
    assert_eq!(
        moved("ironward_server_connects_total{outcome=\"invalid_key\"}"),
        1.0
    );
    assert_eq!(moved("ironward_server_beacons_total{outcome=\"ok\"}"), 1.0);
    assert_eq!(moved("ironward_server_events_ingested_total"), 2.0);
    assert_eq!(
        moved("ironward_server_ingest_refused_total{reason=\"unauthorized\"}"),
        1.0
    );
    assert_eq!(moved("ironward_server_sign_in_failures_total"), 1.0);
    assert_eq!(
        value(
            &after,
            "ironward_server_http_requests_total{code=\"2xx\",route=\"/api/v1/beacon\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "ironward_server_http_requests_total{code=\"4xx\",route=\"/api/v1/sessions\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "ironward_server_http_request_duration_seconds_count{route=\"/api/v1/connect\"}"
        ),
        2.0
    );
    assert_eq!(
        value(
            &after,
            "ironward_server_http_request_duration_seconds_bucket{route=\"/api/v1/connect\",le=\"+Inf\"}"
        ),
        2.0
    );
    // Paths are counted by their route template, never raw.
    assert!(
        after
            .keys()
            .all(|k| !k.contains("iwk_") && !k.contains("/api/v1/ingest/iwe")),
        "{after:#?}"
    );
    // The first retention round runs at start.
    assert!(
        value(
            &after,
            "ironward_server_retention_runs_total{outcome=\"ok\"}"
        ) >= 1.0
    );
    assert_eq!(value(&after, "ironward_server_store_errors_total"), 0.0);
    // The active gauges were read by the first scrape and are cached for a while.
    assert_eq!(value(&after, "ironward_server_agents_active"), 0.0);

    // The limiter's refusals: a server whose limit is one failure per user.
    let limited = TestServer::sqlite(ServerOptions {
        sign_in_limits: ironward_server::auth::Limits {
            per_user: 1,
            ..Default::default()
        },
        ..metrics_on(&["127.0.0.1"])
    });
    let key = limited.key("shop");
    assert_eq!(limited.connect(&key), 200);
    for expected in [401, 429, 429] {
        let (status, _, _) = limited.call(
            "POST",
            "/api/v1/sessions",
            &[],
            Some(json!({"user": "admin", "password": "wrong password!"}).to_string()),
        );
        assert_eq!(status, expected);
    }
    let m = limited.scrape();
    assert_eq!(value(&m, "ironward_server_sign_in_failures_total"), 1.0);
    assert_eq!(value(&m, "ironward_server_sign_in_rate_limited_total"), 2.0);
    assert_eq!(value(&m, "ironward_server_agents_active"), 1.0);
    assert_eq!(value(&m, "ironward_server_agent_instances_active"), 0.0);
}

#[test]
fn metrics_route_is_refused_outside_the_list_and_off_by_default() {
    let elsewhere = TestServer::sqlite(metrics_on(&["192.0.2.0/24"]));
    let (status, _, text) = elsewhere.call("GET", "/metrics", &[], None);
    assert_eq!((status, text.as_str()), (404, ""));
    let off = TestServer::sqlite(ServerOptions::default());
    let (status, _, text) = off.call("GET", "/metrics", &[], None);
    assert_eq!(status, 404, "{text}");
    assert!(!text.contains("ironward_server_"));
}

#[test]
fn non_default_limits_apply_end_to_end() {
    // No repeat for agents without an instance id, and at most two IPs per beacon.
    let server = TestServer::sqlite(ServerOptions {
        legacy_repeat: Duration::ZERO,
        max_reported_ips: 2,
        ..ServerOptions::default()
    });
    let (a, b) = (server.key("shop"), server.key("shop"));
    assert_eq!(server.connect(&a), 200);
    assert_eq!(server.connect(&b), 200);
    server.set_remote("shop", &["SECURITY_CHECKS.xss=0"]);
    let body = server.beacon(&b, &json!([]));
    assert_eq!(body["data"]["config"]["SECURITY_CHECKS.xss"], 0);
    let body = server.beacon(&b, &json!([]));
    assert_eq!(body["data"], json!({}), "not sent again: {body}");

    let now = ironward_server::now();
    let ips: Vec<Value> = (1..=5)
        .map(|i| json!([format!("198.51.100.{i}"), now]))
        .collect();
    server.beacon(&a, &Value::Array(ips));
    let listed = server.blacklist("shop");
    let listed: Vec<&str> = listed.iter().map(|r| r.ip.as_str()).collect();
    assert_eq!(listed, ["198.51.100.1", "198.51.100.2"]);
    let body = server.beacon(&b, &json!([]));
    assert_eq!(
        body["data"]["blacklist"]["new"].as_array().unwrap().len(),
        2
    );
    assert_eq!(server.beacon(&b, &json!([]))["data"], json!({}));

    // The default repeats both for 10 minutes.
    let server = TestServer::sqlite(ServerOptions::default());
    let b = server.key("shop");
    assert_eq!(server.connect(&b), 200);
    server.set_remote("shop", &["SECURITY_CHECKS.xss=0"]);
    server.beacon(&b, &json!([]));
    let body = server.beacon(&b, &json!([]));
    assert_eq!(body["data"]["config"]["SECURITY_CHECKS.xss"], 0, "{body}");
}

/// Every filter combination of the event listing, first page and a later one.
fn listings() -> Vec<(&'static str, EventQuery)> {
    let q = |app: bool, check: bool, ip: bool| EventQuery {
        // The small application: where a one-column index leaves the most rows to skip.
        app: app.then(|| "tiny".to_owned()),
        check: check.then(|| "xss".to_owned()),
        ip: ip.then(|| "198.51.100.9".to_owned()),
        limit: 50,
        ..EventQuery::default()
    };
    let mut out = Vec::new();
    for (name, base) in [
        ("all", q(false, false, false)),
        ("app", q(true, false, false)),
        ("check", q(false, true, false)),
        ("ip", q(false, false, true)),
        ("app+check", q(true, true, false)),
        ("app+ip", q(true, false, true)),
        ("check+ip", q(false, true, true)),
        ("app+check+ip", q(true, true, true)),
    ] {
        out.push((name, base.clone()));
        out.push((
            name,
            EventQuery {
                since: Some(1_000),
                until: Some(2_000_000_000),
                before: Some((1_900_000_000, 500)),
                ..base
            },
        ));
    }
    out
}

/// The listing's plan is an index walk in `(time, id)` order: no full scan, no sort, and the
/// two-column indexes of schema 4 for application with check or IP.
fn assert_index_plans(
    store: &SqlStore,
    runtime: &tokio::runtime::Runtime,
    postgres: bool,
    reopen: impl FnOnce() -> SqlStore,
) {
    assert_eq!(runtime.block_on(store.schema_version()).unwrap(), 4);
    // Applications of very different sizes, several checks, 200 IPs and one scanner IP behind
    // every 20th event: the statistics of a real fleet, in which an index led by `app_name`
    // tempted SQLite into a skip-scan and a sort for the scanner (see migration 0004).
    let events = |n: i64| -> Vec<NewEvent> {
        (0..n)
            .map(|i| NewEvent {
                time: 1_700_000_000 + i,
                check: ["xss", "sqli", "path"][usize::try_from(i % 3).unwrap()].to_owned(),
                ip: Some(if i % 20 == 0 {
                    "198.51.100.9".to_owned()
                } else {
                    format!("192.0.2.{}", i % 200)
                }),
                ..NewEvent::default()
            })
            .collect()
    };
    runtime.block_on(async {
        for (app, n) in [("shop", 3000), ("blog", 300), ("tiny", 30)] {
            store
                .ensure_app(app, "default", &Default::default(), 0)
                .await
                .unwrap();
            store.insert_events(app, None, &events(n), 0).await.unwrap();
        }
    });
    let store = &reopen();
    for (name, query) in listings() {
        let plan = runtime.block_on(store.event_listing_plan(&query)).unwrap();
        let text = plan.join("\n");
        if postgres {
            assert!(!text.contains("Seq Scan"), "{name}: {text}");
            assert!(
                !plan.iter().any(|l| l
                    .trim_start()
                    .trim_start_matches("->  ")
                    .starts_with("Sort")),
                "{name} sorts: {text}"
            );
        } else {
            assert!(!text.contains("TEMP B-TREE"), "{name} sorts: {text}");
            assert!(
                plan.iter().all(|l| l.trim() != "SCAN events"),
                "{name} scans the table: {text}"
            );
        }
        let expected = match name {
            "app+check" => Some("events_check_app_time"),
            "app+ip" => Some("events_ip_app_time"),
            _ => None,
        };
        if let Some(index) = expected {
            assert!(text.contains(index), "{name} does not use {index}: {text}");
        }
    }
}

#[test]
fn event_listings_are_index_walks_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = runtime.block_on(SqlStore::open(dir.path())).unwrap();
    assert_index_plans(&store, &runtime, false, || {
        // A restart: the new pool's connections run `PRAGMA optimize` as they open, which
        // analyzes a table never analyzed.
        runtime.block_on(store.close());
        let reopened = runtime.block_on(SqlStore::open(dir.path())).unwrap();
        runtime.block_on(async {
            let url = format!("sqlite://{}", dir.path().join("ironward.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let (stats,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM sqlite_stat1 WHERE idx = 'events_check_app_time'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(stats, 1, "statistics gathered");
            // They may date from when one application had events (a connection opened
            // while the test inserted): analyze the whole table, as a later round would.
            sqlx::query("ANALYZE events").execute(&pool).await.unwrap();
            pool.close().await;
            reopened.close().await;
        });
        runtime.block_on(SqlStore::open(dir.path())).unwrap()
    });
}

#[test]
fn event_listings_are_index_walks_on_postgres() {
    let Some(dsn) = pg_dsn() else {
        eprintln!("IRONWARD_PG_DSN is not set: skipped (scripts/sink-dbs.sh start)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(pg_schema(&dsn));
    let store = runtime
        .block_on(SqlStore::connect_postgres(&url, 2))
        .unwrap();
    assert_index_plans(&store, &runtime, true, || {
        // What autovacuum does on its own after a while.
        runtime.block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::query("ANALYZE events").execute(&pool).await.unwrap();
            pool.close().await;
        });
        store.clone()
    });
}
