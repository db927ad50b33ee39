//! The deliberately vulnerable axum example (`examples/vulnerable_axum.rs`), served on a
//! loopback TCP listener: every exploit works without the layer, and is blocked at its sink
//! with `IronwardLayer` (template `sink`, sinks at level 1, flood off); a benign table gives 0
//! blocks.

#[allow(dead_code)] // the example's `main`
#[path = "../examples/vulnerable_axum.rs"]
mod app;

use crate::axum_loopback::serve_router;
use crate::support::{Events, enc, get};
use app::{DB_SECRET, FILE_SECRET, HIDDEN_PRODUCT, Vulnerable, router, sink_engine};
use axum::Router;
use axum::routing::get as route;
use ironward_core::Action;
use ironward_tower::IronwardLayer;
use std::net::SocketAddr;

/// What the internal service answers: an SSRF reaching it leaks this.
const INTERNAL: &str = "INTERNAL-ADMIN-PANEL";
/// What `id` prints.
const ID: &str = "uid=";
/// What `/etc/passwd` holds.
const PASSWD: &str = "root:";

/// An injection: (name, path, parameter, value (`{port}`: the internal service's), the sink
/// that must block it, what leaks when it works).
type Exploit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const EXPLOITS: &[Exploit] = &[
    // SQL, string context: `... name LIKE '%` + q + `%'`.
    ("sql-union", "/sql/search", "q", "' UNION SELECT secret, 1 FROM secrets --", "sql", DB_SECRET),
    ("sql-or", "/sql/search", "q", "%' OR hidden = 1 --", "sql", HIDDEN_PRODUCT),
    ("sql-union-no-comment", "/sql/search", "q",
        "x' UNION SELECT secret, 0 FROM secrets WHERE secret LIKE '", "sql", DB_SECRET),
    ("sql-schema", "/sql/search", "q",
        "' AND 0 UNION SELECT name, 0 FROM sqlite_master WHERE type = 'table' --", "sql", "secrets"),
    // SQL, numeric context: `... AND id = ` + id.
    ("sql-num-union", "/sql/item", "id", "0 UNION SELECT secret, 1 FROM secrets", "sql", DB_SECRET),
    ("sql-num-or", "/sql/item", "id", "1 OR 1=1", "sql", HIDDEN_PRODUCT),
    ("sql-num-or-column", "/sql/item", "id", "-1 OR hidden = 1", "sql", HIDDEN_PRODUCT),
    // A shell command line: `sh -c "printf '%s\n' " + msg`.
    ("shell-semicolon", "/shell/echo", "msg", "hi; id", "shell", ID),
    ("shell-substitution", "/shell/echo", "msg", "$(id)", "shell", ID),
    ("shell-backticks", "/shell/echo", "msg", "`id`", "shell", ID),
    ("shell-pipe", "/shell/echo", "msg", "hi | id", "shell", ID),
    ("shell-and", "/shell/echo", "msg", "hi && id", "shell", ID),
    ("shell-newline", "/shell/echo", "msg", "hi\nid", "shell", ID),
    ("shell-ifs", "/shell/echo", "msg", "x;cat${IFS}/etc/passwd", "shell", PASSWD),
    // An argument list: `wc -l FILE`, the value an option.
    ("argv-option", "/shell/wc", "file", "--files0-from=../private/secret.txt", "shell", FILE_SECRET),
    ("argv-option-passwd", "/shell/wc", "file", "--files0-from=/etc/passwd", "shell", PASSWD),
    // A path: `Path::new(BASE).join(name)`.
    ("path-climb", "/file", "name", "../private/secret.txt", "path", FILE_SECRET),
    ("path-deep-climb", "/file", "name", "../../../../../../../../etc/passwd", "path", PASSWD),
    ("path-inner-climb", "/file", "name", "reports/../../private/secret.txt", "path", FILE_SECRET),
    ("path-absolute", "/file", "name", "/etc/passwd", "path", PASSWD),
    // An outbound URL: the internal service on loopback.
    ("ssrf-literal", "/fetch", "url", "http://127.0.0.1:{port}/admin", "ssrf", INTERNAL),
    ("ssrf-localhost", "/fetch", "url", "http://localhost:{port}/admin", "ssrf", INTERNAL),
    ("ssrf-decimal", "/fetch", "url", "http://2130706433:{port}/admin", "ssrf", INTERNAL),
    ("ssrf-hex", "/fetch", "url", "http://0x7f000001:{port}/admin", "ssrf", INTERNAL),
    ("ssrf-short", "/fetch", "url", "http://127.1:{port}/admin", "ssrf", INTERNAL),
    ("ssrf-octal", "/fetch", "url", "http://0177.0.0.1:{port}/admin", "ssrf", INTERNAL),
];

/// A legitimate request: (name, path, parameter, value, status, what the body contains).
type Benign = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u16,
    &'static str,
);

#[rustfmt::skip]
const BENIGN: &[Benign] = &[
    // Searches without a quote never change the query, whatever words they hold.
    ("search-word", "/sql/search", "q", "lamp", 200, "Desk lamp"),
    ("search-words", "/sql/search", "q", "running shoes", 200, "Trail running shoes"),
    ("search-percent", "/sql/search", "q", "100%", 200, "100% wool scarf"),
    ("search-sql-words", "/sql/search", "q", "select a plan from the menu", 200, ""),
    ("search-or-words", "/sql/search", "q", "lamp or 1=1", 200, ""),
    ("search-dashes", "/sql/search", "q", "-- not a comment", 200, ""),
    ("search-unicode", "/sql/search", "q", "café ☕", 200, ""),
    ("item-1", "/sql/item", "id", "1", 200, "Desk lamp"),
    ("item-3", "/sql/item", "id", "3", 200, "Coffee grinder"),
    // Unquoted messages: plain words pass even when a blank splits them (an option or a path
    // after a blank is blocked, `words`).
    ("echo-word", "/shell/echo", "msg", "hello", 200, "hello\n"),
    ("echo-words", "/shell/echo", "msg", "hello world", 200, "hello\nworld\n"),
    ("echo-host", "/shell/echo", "msg", "db-01.example.com", 200, "db-01.example.com"),
    ("echo-version", "/shell/echo", "msg", "v1.2.3", 200, "v1.2.3"),
    ("echo-percent", "/shell/echo", "msg", "100%", 200, "100%"),
    ("echo-unicode", "/shell/echo", "msg", "café", 200, "café"),
    ("wc-file", "/shell/wc", "file", "readme.txt", 200, "1 readme.txt"),
    ("wc-subdir", "/shell/wc", "file", "reports/2024/q4.txt", 200, "1 reports/2024/q4.txt"),
    ("file-plain", "/file", "name", "readme.txt", 200, "Welcome"),
    ("file-subdir", "/file", "name", "reports/2024/q4.txt", 200, "Q4"),
    ("file-quotes", "/file", "name", "O'Brien's notes.txt", 200, "Quotes"),
    ("file-unicode-spaces", "/file", "name", "résumé (final) v2.txt", 200, "Unicode"),
    ("file-dotdot-inside", "/file", "name", "reports/2024/../2024/q4.txt", 200, "Q4"),
    ("file-missing", "/file", "name", "..hidden..txt", 404, ""),
    // `.invalid` never resolves (and fails at once): not reached, not blocked.
    ("fetch-public", "/fetch", "url", "http://shop.example.invalid/api", 502, "fetch failed"),
];

/// The internal service an SSRF aims at, on loopback.
async fn internal_service() -> SocketAddr {
    serve_router(Router::new().route("/admin", route(|| async { INTERNAL }))).await
}

/// The example's router on loopback, with the layer (and its events) when `protect`; its
/// files live in the returned directory, removed when it is dropped.
async fn start(protect: bool, tag: &str) -> (SocketAddr, Events, tempfile::TempDir) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("ironward-vulnerable-axum-{tag}-"))
        .tempdir()
        .unwrap();
    let app = router(Vulnerable::new(dir.path()).await.unwrap());
    let events = Events::default();
    let app = if protect {
        let params = serde_json::json!({
            "SINK_CHECKS": {"sql": 1, "shell": 1, "path": 1, "ssrf": 1, "nosql": 1},
            "FLOOD_RATIO": 1_000_000,
            "ERROR_FLOOD_RATIO": 1_000_000,
        });
        let engine = sink_engine(Some(&params)).unwrap();
        let ev = events.clone();
        app.layer(IronwardLayer::new(engine).on_event(move |e| ev.push(e)))
    } else {
        app
    };
    (serve_router(app).await, events, dir)
}

fn target(path: &str, name: &str, value: &str, port: u16) -> String {
    let value = value.replace("{port}", &port.to_string());
    format!("{path}?{name}={}", enc(&value))
}

/// Sink events that blocked, taken from `events`.
fn take_blocks(events: &Events) -> Vec<String> {
    let mut all = events.0.lock().unwrap();
    let blocks = all
        .iter()
        .filter(|e| matches!(e.action, Action::Block | Action::BlockAndBlacklist))
        .map(|e| {
            e.sink.as_ref().map_or_else(
                || format!("request-side {}", e.check),
                |s| s.sink.as_str().to_owned(),
            )
        })
        .collect();
    all.clear();
    blocks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exploit_works_without_the_layer() {
    let internal = internal_service().await;
    let (addr, _, _dir) = start(false, "open").await;
    let mut worked = 0;
    let mut failed = Vec::new();
    for (name, path, param, value, _, leak) in EXPLOITS {
        let (status, body) = get(addr, &target(path, param, value, internal.port())).await;
        if body.contains(leak) {
            worked += 1;
        } else {
            failed.push(format!("{name}: {status} {body:?}"));
        }
    }
    println!(
        "unprotected: {worked}/{} exploits worked (leaked their marker)",
        EXPLOITS.len()
    );
    assert!(failed.is_empty(), "exploits that did not work: {failed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exploit_is_blocked_at_its_sink_with_the_layer() {
    let internal = internal_service().await;
    let (addr, events, _dir) = start(true, "protected").await;
    let mut blocked = 0;
    let mut failed = Vec::new();
    for (name, path, param, value, sink, leak) in EXPLOITS {
        let (status, body) = get(addr, &target(path, param, value, internal.port())).await;
        let blocks = take_blocks(&events);
        if status == 403 && !body.contains(leak) && blocks.iter().any(|b| b == sink) {
            blocked += 1;
        } else {
            failed.push(format!("{name}: {status} {body:?}, blocks {blocks:?}"));
        }
    }
    println!(
        "protected: {blocked}/{} exploits blocked at their sink (403, nothing leaked)",
        EXPLOITS.len()
    );
    assert!(failed.is_empty(), "exploits not blocked: {failed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn benign_requests_pass_with_and_without_the_layer() {
    for protect in [false, true] {
        let (addr, events, _dir) =
            start(protect, if protect { "benign-p" } else { "benign-u" }).await;
        let mut blocks = 0;
        let mut failed = Vec::new();
        for (name, path, param, value, want_status, want) in BENIGN {
            let (status, body) = get(addr, &target(path, param, value, 0)).await;
            let b = take_blocks(&events);
            blocks += b.len();
            if status != *want_status || !body.contains(want) || !b.is_empty() {
                failed.push(format!("{name}: {status} {body:?}, blocks {b:?}"));
            }
        }
        println!(
            "benign {}: {} requests, {blocks} blocks, {} unexpected answers",
            if protect { "protected" } else { "unprotected" },
            BENIGN.len(),
            failed.len()
        );
        assert!(failed.is_empty(), "benign requests failed: {failed:#?}");
        assert_eq!(blocks, 0);
    }
}
