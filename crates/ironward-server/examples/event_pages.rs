//! Times the event listing (`GET /api/v1/events`, the query behind the dashboard's events page)
//! over a SQLite database of a million events, with and without the indexes of schema 4
//! (`docs/benchmarks.md`, "Dashboard with a million events"). Not a test: run it on a quiet
//! machine, in a release build.
//!
//! ```text
//! cargo run --release -p ironward-server --example event_pages -- [--events 1000000] [--dir DIR]
//! ```
//!
//! The events are spread over the last 7 days across three applications of very different
//! sizes (`shop` 98.9 %, `blog` 1 %, `tiny` 0.1 %), 10 checks and 50,000 source IPs, with one
//! scanner IP behind 5 % of them in every application: the filters where an index on one column
//! leaves the other to be checked row by row. Written with one `INSERT … WITH RECURSIVE`
//! (seconds); a `--dir` that already holds them is reused. Each phase (schema-4 indexes dropped,
//! then built) analyzes the table, restarts the server, then requests every listing once to
//! warm up and five times timed, printing the median and the slowest, with SQLite's plan.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use ironward_server::auth::{self, Scope};
use ironward_server::store::EventQuery;
use ironward_server::{ServerOptions, SqlStore, Store, serve};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCANNER: &str = "203.0.113.66";

/// The listings timed: a label, the query string, and the same as a store query (for the plan).
fn listings() -> Vec<(&'static str, String, EventQuery)> {
    let q = |app: Option<&str>, check: Option<&str>, ip: Option<&str>| EventQuery {
        app: app.map(str::to_owned),
        check: check.map(str::to_owned),
        ip: ip.map(str::to_owned),
        limit: 50,
        ..EventQuery::default()
    };
    vec![
        ("newest 50", String::new(), q(None, None, None)),
        (
            "app=shop&check=xss",
            "app=shop&check=xss".into(),
            q(Some("shop"), Some("xss"), None),
        ),
        (
            "app=blog&check=sqli",
            "app=blog&check=sqli".into(),
            q(Some("blog"), Some("sqli"), None),
        ),
        (
            "app=tiny&check=xss",
            "app=tiny&check=xss".into(),
            q(Some("tiny"), Some("xss"), None),
        ),
        ("check=xss", "check=xss".into(), q(None, Some("xss"), None)),
        ("app=tiny", "app=tiny".into(), q(Some("tiny"), None, None)),
        (
            "ip=scanner",
            format!("ip={SCANNER}"),
            q(None, None, Some(SCANNER)),
        ),
        (
            "app=tiny&ip=scanner",
            format!("app=tiny&ip={SCANNER}"),
            q(Some("tiny"), None, Some(SCANNER)),
        ),
        (
            "check=xss&ip=scanner",
            format!("check=xss&ip={SCANNER}"),
            q(None, Some("xss"), Some(SCANNER)),
        ),
    ]
}

const CHECKS: [&str; 10] = [
    "xss", "sqli", "path", "cmdi", "ssrf", "xxe", "lfi", "spam", "flood", "dlp",
];

async fn seed(dir: &std::path::Path, events: i64) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqlStore::open(dir).await?;
    let have = store
        .events(&EventQuery {
            limit: 1,
            ..EventQuery::default()
        })
        .await?;
    if !have.is_empty() {
        println!("reusing the events in {}", dir.display());
        return Ok(());
    }
    for app in ["shop", "blog", "tiny"] {
        store
            .ensure_app(app, "default", &Default::default(), 0)
            .await?;
    }
    store.close().await;
    let pool = pool(dir).await?;
    let now = ironward_server::now();
    let span = 7 * 86_400;
    let checks: Vec<String> = CHECKS.iter().map(|c| format!("'{c}'")).collect();
    // Deterministic pseudo-random columns from the row number (Lehmer generators). SQLite's
    // `||` binds tighter than `%`: every modulo is in parentheses.
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {events}) \
         INSERT INTO events (app_name, time, received_at, check_name, ip, action, location, \
         payload, path, codes, detail) \
         SELECT CASE WHEN i % 1000 = 0 THEN 'tiny' WHEN i % 100 = 1 THEN 'blog' ELSE 'shop' END, \
         {start} + i * {span} / {events}, {start} + i * {span} / {events}, \
         json_extract('[{checks}]', '$[' || (((i * 48271) % 2147483647) % 10) || ']'), \
         CASE WHEN ((i * 69069) % 2147483647) % 20 = 0 THEN '{SCANNER}' \
         ELSE '10.' || (((i * 16807) % 2147483647) % 200) || '.' \
         || (((i * 48271) % 2147483647) % 250) \
         || '.1' END, \
         2, 'qs_values', '<script>alert(' || i || ')</script>', '/search', '[]', '{{}}' FROM n",
        start = now - span,
        checks = checks.join(",").replace('\'', "\""),
    );
    let started = Instant::now();
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    println!(
        "seeded {events} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    pool.close().await;
    Ok(())
}

async fn pool(dir: &std::path::Path) -> Result<sqlx::SqlitePool, sqlx::Error> {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.join(ironward_server::store::DB_FILE).display()
    ))
    .await
}

/// Drops or builds the indexes of schema 4, then analyzes the table.
async fn set_indexes(dir: &std::path::Path, on: bool) -> Result<(), Box<dyn std::error::Error>> {
    let pool = pool(dir).await?;
    let statements: &[&str] = if on {
        &[
            "CREATE INDEX IF NOT EXISTS events_check_app_time ON events (check_name, app_name, time, id)",
            "CREATE INDEX IF NOT EXISTS events_ip_app_time ON events (ip, app_name, time, id)",
        ]
    } else {
        &[
            "DROP INDEX IF EXISTS events_check_app_time",
            "DROP INDEX IF EXISTS events_ip_app_time",
        ]
    };
    let started = Instant::now();
    for s in statements {
        sqlx::query(*s).execute(&pool).await?;
    }
    if on {
        println!(
            "built the schema-4 indexes in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    sqlx::query("ANALYZE events").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

async fn phase(dir: &std::path::Path, label: &str) -> Result<(), Box<dyn std::error::Error>> {
    let store = Arc::new(SqlStore::open(dir).await?);
    let password = "a long benchmark password";
    auth::ensure_admin(&*store, Some(password)).await?;
    let (token, _) =
        auth::create_token(&*store, auth::ADMIN_USER, "bench", Scope::Read, None).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let options = ServerOptions {
        protection: Some(Arc::new(
            ironward_server::protection::engine(None, None).map_err(|e| e.to_string())?,
        )),
        retention: None,
        ..ServerOptions::default()
    };
    let served = Arc::clone(&store);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        serve(listener, served, &options, async {
            let _ = stopped.await;
        })
        .await
    });
    println!("\n{label}");
    println!("| listing | median | slowest of 5 | rows | plan |");
    println!("|---|---|---|---|---|");
    for (name, query_string, query) in listings() {
        let plan = store.event_listing_plan(&query).await?.join("; ");
        let url = format!("http://{addr}/api/v1/events?limit=50&{query_string}");
        let token = token.clone();
        let (times, rows) = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into();
            let mut times = Vec::new();
            let mut rows = 0;
            for run in 0..6 {
                let started = Instant::now();
                let mut response = agent
                    .get(&url)
                    .header("Authorization", &format!("Bearer {token}"))
                    .call()
                    .expect("listing");
                let body: serde_json::Value =
                    serde_json::from_str(&response.body_mut().read_to_string().expect("body"))
                        .expect("JSON");
                if run > 0 {
                    times.push(started.elapsed());
                }
                rows = body["events"].as_array().map_or(0, Vec::len);
            }
            times.sort();
            (times, rows)
        })
        .await?;
        println!(
            "| `{name}` | {:.1} ms | {:.1} ms | {rows} | `{plan}` |",
            times[2].as_secs_f64() * 1000.0,
            times[4].as_secs_f64() * 1000.0
        );
    }
    let _ = stop.send(());
    server.await??;
    store.close().await;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut events: i64 = 1_000_000;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => events = args.next().ok_or("--events N")?.parse()?,
            "--dir" => dir = Some(args.next().ok_or("--dir DIR")?.into()),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let temp = tempfile::tempdir()?;
    let dir = dir.unwrap_or_else(|| temp.path().to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        seed(&dir, events).await?;
        set_indexes(&dir, false).await?;
        phase(&dir, "without the schema-4 indexes (schema 3)").await?;
        set_indexes(&dir, true).await?;
        phase(&dir, "with them (schema 4)").await
    })
}
