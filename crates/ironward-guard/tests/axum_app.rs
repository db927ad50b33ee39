//! An axum application behind `IronwardLayer`, served over loopback TCP by hyper.

use crate::axum_loopback::serve_router;
use crate::support::{Events, database, enc, get, sink_block, sink_template, wired};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get as route;
use ironward_core::Engine;
use ironward_core::sink::Operation;
use ironward_guard::sqlx::GuardExt;
use ironward_tower::IronwardLayer;
use sqlx::{AssertSqlSafe, Row, SqlitePool};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::Arc;
use tokio::sync::Barrier;

type Params = Query<HashMap<String, String>>;
type Reply = (StatusCode, String);

#[derive(Clone)]
struct App {
    pool: SqlitePool,
    /// Removed when the server (and with it the last clone of the state) is dropped.
    files: Arc<tempfile::TempDir>,
    client: reqwest::Client,
    internal: SocketAddr,
    barrier: Arc<Barrier>,
}

fn param(q: &Params, name: &str) -> String {
    q.get(name).cloned().unwrap_or_default()
}

fn fail(e: impl std::fmt::Display) -> Reply {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Names joined by `,`.
fn names(rows: &[sqlx::sqlite::SqliteRow]) -> String {
    rows.iter()
        .map(|r| r.get::<String, _>("name"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The injectable endpoint: the name pasted into the query.
async fn search(State(app): State<App>, q: Params) -> Reply {
    let sql = format!(
        "SELECT name FROM users WHERE name = '{}'",
        param(&q, "name")
    );
    match app
        .pool
        .guarded()
        .fetch_all(sqlx::query(AssertSqlSafe(sql)))
        .await
    {
        Ok(rows) => (StatusCode::OK, names(&rows)),
        // The application hides the error: the layer still answers with the block.
        Err(e) => fail(e),
    }
}

/// The same search, parameterized.
async fn param_search(State(app): State<App>, q: Params) -> Reply {
    let query = sqlx::query("SELECT name FROM users WHERE name = ?").bind(param(&q, "name"));
    match app.pool.guarded().fetch_all(query).await {
        Ok(rows) => (StatusCode::OK, names(&rows)),
        Err(e) => fail(e),
    }
}

/// A file name listed through a shell.
async fn shell(q: Params) -> Reply {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!("ls {}", param(&q, "file")));
    if let Err(b) = ironward_guard::process::command(&cmd) {
        return fail(b);
    }
    match cmd.output() {
        Ok(out) => (
            StatusCode::OK,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        Err(e) => fail(e),
    }
}

/// A revision given to `git log` as an argument (no shell); the command is not run.
async fn argv(q: Params) -> Reply {
    let mut cmd = Command::new("git");
    cmd.arg("log").arg(param(&q, "rev"));
    match ironward_guard::process::command(&cmd) {
        Ok(()) => (StatusCode::OK, "would run".into()),
        Err(b) => fail(b),
    }
}

/// A file under the application's directory.
async fn file(State(app): State<App>, q: Params) -> Reply {
    let path = app.files.path().join(param(&q, "name"));
    match ironward_guard::fs::read(path) {
        Ok(bytes) => (StatusCode::OK, String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()),
    }
}

/// A user URL fetched with the guarded resolver only.
async fn fetch(State(app): State<App>, q: Params) -> Reply {
    match app.client.get(param(&q, "url")).send().await {
        Ok(res) => (StatusCode::OK, res.text().await.unwrap_or_default()),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("{e:?}")),
    }
}

/// A user URL checked with `check_url` first (address literals).
async fn fetch_checked(State(app): State<App>, q: Params) -> Reply {
    let Ok(url) = reqwest::Url::parse(&param(&q, "url")) else {
        return (StatusCode::BAD_REQUEST, "bad url".into());
    };
    if let Err(b) = ironward_guard::reqwest::check_url(&url) {
        return fail(b);
    }
    match app.client.get(url).send().await {
        Ok(res) => (StatusCode::OK, res.text().await.unwrap_or_default()),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("{e:?}")),
    }
}

/// A fixed internal URL, not from the request.
async fn internal(State(app): State<App>) -> Reply {
    let url = format!("http://localhost:{}/health", app.internal.port());
    match app.client.get(url).send().await {
        Ok(res) => (StatusCode::OK, res.text().await.unwrap_or_default()),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("{e:?}")),
    }
}

/// Waits for the other concurrent request, then runs the injectable query.
async fn slow(State(app): State<App>, q: Params) -> Reply {
    app.barrier.wait().await;
    search(State(app), q).await
}

/// Waits for the other concurrent request, then runs the application's own query, whose text
/// holds what the *other* request sent.
async fn fixed(State(app): State<App>, q: Params) -> Reply {
    app.barrier.wait().await;
    let _ = param(&q, "name");
    let sql = "SELECT name FROM users WHERE name = '' OR 1=1 --'";
    match app.pool.guarded().fetch_all(sqlx::query(sql)).await {
        Ok(rows) => (StatusCode::OK, names(&rows)),
        Err(e) => fail(e),
    }
}

/// The internal service the SSRF tests aim at.
async fn internal_service() -> SocketAddr {
    let app = Router::new()
        .route("/secret", route(|| async { "internal-secret" }))
        .route("/health", route(|| async { "healthy" }));
    serve_router(app).await
}

/// The application on loopback; with the layer (and its events) when `engine` is given.
async fn start(engine: Option<Arc<Engine>>) -> (SocketAddr, Events, SocketAddr) {
    let files = tempfile::Builder::new()
        .prefix("ironward-guard-")
        .tempdir()
        .unwrap();
    std::fs::write(files.path().join("report.txt"), "quarterly report").unwrap();
    let internal_addr = internal_service().await;
    let app = App {
        pool: database().await,
        files: Arc::new(files),
        // No idle pool: every request resolves (see the reqwest module's limits).
        client: ironward_guard::reqwest::client_builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        internal: internal_addr,
        barrier: Arc::new(Barrier::new(2)),
    };
    let router = Router::new()
        .route("/search", route(search))
        .route("/param", route(param_search))
        .route("/sh", route(shell))
        .route("/argv", route(argv))
        .route("/file", route(file))
        .route("/fetch", route(fetch))
        .route("/fetch_checked", route(fetch_checked))
        .route("/internal", route(internal))
        .route("/slow", route(slow))
        .route("/fixed", route(fixed))
        .with_state(app);
    let events = Events::default();
    let router = match engine {
        Some(engine) => {
            let ev = events.clone();
            router.layer(IronwardLayer::new(engine).on_event(move |e| ev.push(e)))
        }
        None => router,
    };
    (serve_router(router).await, events, internal_addr)
}

const ATTACK: &str = "' OR 1=1 --";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_injection_is_blocked_by_the_sink_template() {
    let (addr, events, _) = start(Some(sink_template())).await;
    let (status, body) = get(addr, &format!("/search?name={}", enc(ATTACK))).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("alice"), "{body}");
    let sinks = events.sinks();
    assert_eq!(sinks.len(), 1, "one sink event");
    let d = sinks[0].sink.as_ref().unwrap();
    assert_eq!(d.sink.as_str(), "sql");
    assert!(d.operation.contains(ATTACK));
    let caller = d.caller.as_deref().unwrap_or("");
    assert!(caller.contains("axum_app.rs:"), "caller {caller}");
    assert_eq!(sinks[0].method, "GET");
    assert_eq!(sinks[0].path, "/search");
    // The request-side check monitored the same input (level 3): its event is there too.
    let all = events.0.lock().unwrap().len();
    assert!(
        all >= 2,
        "the request-side sqli event is reported as well ({all})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_payload_succeeds_without_the_layer() {
    let (addr, _, _) = start(None).await;
    let (status, body) = get(addr, &format!("/search?name={}", enc(ATTACK))).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "alice,bob"),
        "the injection works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn benign_and_parameterized_queries_pass() {
    let (addr, events, _) = start(Some(sink_block())).await;
    let (status, body) = get(addr, "/search?name=alice").await;
    assert_eq!((status, body.as_str()), (200, "alice"));
    let (status, body) = get(addr, &format!("/param?name={}", enc(ATTACK))).await;
    assert_eq!((status, body.as_str()), (200, ""), "bound, not pasted");
    assert!(events.sinks().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_command_through_sh_c_is_blocked() {
    let engine = sink_block();
    let input = "x; cat /etc/passwd";
    let line = format!("ls {input}");
    if !wired(&engine, input, &Operation::Command { command: &line }) {
        return;
    }
    let (addr, events, _) = start(Some(engine)).await;
    let (status, body) = get(addr, &format!("/sh?file={}", enc(input))).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("root:"));
    assert_eq!(
        events.sinks()[0].sink.as_ref().unwrap().sink.as_str(),
        "shell"
    );
    let (status, _) = get(addr, "/sh?file=Cargo.toml").await;
    assert_eq!(status, 200, "a plain file name passes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn option_injection_in_an_argument_list_is_blocked() {
    let engine = sink_block();
    let input = "--output=/tmp/x";
    let args = ["git", "log", input];
    if !wired(&engine, input, &Operation::Argv { args: &args }) {
        return;
    }
    let (addr, _, _) = start(Some(engine)).await;
    let (status, body) = get(addr, &format!("/argv?rev={}", enc(input))).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = get(addr, "/argv?rev=main").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_through_std_fs_is_blocked() {
    let (addr, events, _) = start(Some(sink_block())).await;
    let (status, body) = get(addr, "/file?name=report.txt").await;
    assert_eq!((status, body.as_str()), (200, "quarterly report"));
    let (status, body) = get(
        addr,
        &format!("/file?name={}", enc("../../../../etc/passwd")),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("root:"));
    let (status, _) = get(addr, &format!("/file?name={}", enc("/etc/passwd"))).await;
    assert_eq!(
        status, 403,
        "an absolute name replaces the base in Path::join"
    );
    let sinks = events.sinks();
    assert_eq!(sinks.len(), 2);
    assert!(
        sinks
            .iter()
            .all(|e| e.sink.as_ref().unwrap().sink.as_str() == "path")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_through_reqwest_is_blocked_and_fixed_urls_pass() {
    let engine = sink_block();
    let probe = "http://localhost:1/secret";
    let loopback = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
    let op = Operation::Url {
        target: "localhost",
        resolved: &loopback,
    };
    if !wired(&engine, probe, &op) {
        return;
    }
    let (addr, events, internal) = start(Some(engine)).await;
    // A fixed internal URL, not from the request: allowed.
    let (status, body) = get(addr, "/internal").await;
    assert_eq!((status, body.as_str()), (200, "healthy"));
    // The resolver: a user URL whose name resolves to loopback.
    let url = format!("http://localhost:{}/secret", internal.port());
    let (status, body) = get(addr, &format!("/fetch?url={}", enc(&url))).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("internal-secret"));
    // An address literal: `check_url` (the resolver never sees it).
    let url = format!("http://127.0.0.1:{}/secret", internal.port());
    let (status, body) = get(addr, &format!("/fetch_checked?url={}", enc(&url))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(events.sinks().len(), 2);
    assert!(
        events
            .sinks()
            .iter()
            .all(|e| e.sink.as_ref().unwrap().sink.as_str() == "ssrf")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_do_not_see_each_others_inputs() {
    let (addr, _, _) = start(Some(sink_block())).await;
    let target = format!("/slow?name={}", enc(ATTACK));
    let attack = get(addr, &target);
    let benign = get(addr, "/fixed?name=alice");
    let ((s1, b1), (s2, b2)) = tokio::join!(attack, benign);
    assert_eq!(s1, 403, "{b1}");
    assert_eq!(
        (s2, b2.as_str()),
        (200, "alice,bob"),
        "the other request's input is not this one's"
    );
}
