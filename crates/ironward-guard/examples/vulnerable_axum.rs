//! A deliberately vulnerable axum application: one injectable endpoint per sink (SQL, shell,
//! argument list, file path, outbound URL). **Vulnerable on purpose: never expose it beyond
//! 127.0.0.1.** See `examples/vulnerable/README.md`.
//!
//! ```sh
//! cargo run -p ironward-guard --example vulnerable_axum --features sqlx,reqwest              # unprotected
//! IRONWARD=1 cargo run -p ironward-guard --example vulnerable_axum --features sqlx,reqwest   # template "sink"
//! ```
//!
//! Environment: `PORT` (default 8000, on 127.0.0.1), `VULN_BASE` (a directory for the files;
//! default a fresh one under the temporary directory), `IRONWARD=1` (wrap the app in
//! `IronwardLayer` with the `sink` template), `IRONWARD_PARAMS` (a JSON object of Ironward
//! parameters over the template, e.g. `{"SINK_CHECKS": {"sql": 1, "shell": 1, "path": 1,
//! "ssrf": 1}}` to block without blacklisting 127.0.0.1).
//!
//! Every operation goes through an `ironward_guard` guard (a no-op without the layer), so the
//! same code is the vulnerable app unprotected and the guarded app protected. The router is
//! [`router`]; `tests/vulnerable_axum.rs` serves it on loopback with and without the layer.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use ironward_core::config::{ConfigSources, load};
use ironward_core::event::Event;
use ironward_core::{Config, Engine};
use ironward_guard::sqlx::GuardExt;
use ironward_tower::IronwardLayer;
use sqlx::sqlite::{SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, Row, SqlitePool};
use std::collections::HashMap;
use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The error type of the set-up.
pub(crate) type BoxError = Box<dyn Error + Send + Sync>;

/// The secret in the `secrets` table (SQL injection leaks it).
pub(crate) const DB_SECRET: &str = "IRONWARD-FLAG-7d2a41";
/// The name of the product with `hidden = 1` (an `OR` clause lists it).
pub(crate) const HIDDEN_PRODUCT: &str = "Prototype X (unreleased)";
/// The content of `private/secret.txt`, next to the files directory `public/`.
pub(crate) const FILE_SECRET: &str = "IRONWARD-FILE-SECRET-93be0c";

type Params = Query<HashMap<String, String>>;
type Reply = (StatusCode, String);

/// The application's state.
#[derive(Clone)]
pub(crate) struct Vulnerable {
    pool: SqlitePool,
    /// `BASE`: the public files directory (`<dir>/public`).
    base: PathBuf,
    client: reqwest::Client,
}

impl Vulnerable {
    /// Seeds the database (in memory) and the files under `dir`: `public/` (the base of
    /// `/file` and the working directory of `/shell/wc`) and `private/secret.txt`.
    pub(crate) async fn new(dir: &Path) -> Result<Vulnerable, BoxError> {
        let base = dir.join("public");
        std::fs::create_dir_all(base.join("reports/2024"))?;
        std::fs::create_dir_all(dir.join("private"))?;
        std::fs::write(base.join("readme.txt"), "Welcome to the shop.\n")?;
        std::fs::write(base.join("reports/2024/q4.txt"), "Q4: sales up 3%.\n")?;
        std::fs::write(
            base.join("O'Brien's notes.txt"),
            "Quotes in names are fine.\n",
        )?;
        std::fs::write(base.join("résumé (final) v2.txt"), "Unicode and spaces.\n")?;
        std::fs::write(dir.join("private/secret.txt"), FILE_SECRET)?;
        // One connection: one in-memory database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await?;
        let seed = format!(
            "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL,
                                    hidden INTEGER NOT NULL DEFAULT 0);
             INSERT INTO products (name, price, hidden) VALUES
                 ('Desk lamp', 29.9, 0), ('Trail running shoes', 89.0, 0),
                 ('Coffee grinder', 45.5, 0), ('100% wool scarf', 25.0, 0),
                 ('{HIDDEN_PRODUCT}', 999.0, 1);
             CREATE TABLE secrets (id INTEGER PRIMARY KEY, secret TEXT NOT NULL);
             INSERT INTO secrets (secret) VALUES ('{DB_SECRET}');"
        );
        sqlx::raw_sql(AssertSqlSafe(seed)).execute(&pool).await?;
        // No idle pool: every request resolves its host again (see the guard's reqwest limits).
        let client = ironward_guard::reqwest::client_builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Vulnerable { pool, base, client })
    }
}

/// The vulnerable routes.
pub(crate) fn router(app: Vulnerable) -> Router {
    Router::new()
        .route("/sql/search", get(sql_search))
        .route("/sql/item", get(sql_item))
        .route("/shell/echo", get(shell_echo))
        .route("/shell/wc", get(shell_wc))
        .route("/file", get(file))
        .route("/fetch", get(fetch))
        .with_state(app)
}

/// The `sink` template with `params` (a JSON object of Ironward parameters) over it.
pub(crate) fn sink_engine(params: Option<&serde_json::Value>) -> Result<Arc<Engine>, BoxError> {
    let loaded = load(&ConfigSources {
        template: Some("sink"),
        params,
        ..ConfigSources::default()
    })?;
    let config: Config = loaded.config;
    Ok(Arc::new(Engine::new(config)?))
}

fn param(q: &Params, name: &str) -> String {
    q.get(name).cloned().unwrap_or_default()
}

/// A cell as text, whatever its SQLite type (a `UNION` may bring any).
fn cell(row: &SqliteRow, i: usize) -> String {
    if let Ok(s) = row.try_get::<String, _>(i) {
        s
    } else if let Ok(n) = row.try_get::<i64, _>(i) {
        n.to_string()
    } else if let Ok(f) = row.try_get::<f64, _>(i) {
        f.to_string()
    } else {
        String::new()
    }
}

/// Runs a query built by concatenation; database errors are shown (error-based injection works,
/// as in many real apps).
async fn run_sql(app: &Vulnerable, sql: String) -> Reply {
    match app
        .pool
        .guarded()
        .fetch_all(sqlx::query(AssertSqlSafe(sql)))
        .await
    {
        Ok(rows) => {
            let lines: Vec<String> = rows
                .iter()
                .map(|r| format!("{}\t{}", cell(r, 0), cell(r, 1)))
                .collect();
            (StatusCode::OK, lines.join("\n"))
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("database error: {e}"),
        ),
    }
}

/// `GET /sql/search?q=`: `... name LIKE '%` + q + `%'` (string context).
async fn sql_search(State(app): State<Vulnerable>, q: Params) -> Reply {
    let sql = format!(
        "SELECT name, price FROM products WHERE hidden = 0 AND name LIKE '%{}%'",
        param(&q, "q")
    );
    run_sql(&app, sql).await
}

/// `GET /sql/item?id=`: `... AND id = ` + id (numeric context).
async fn sql_item(State(app): State<Vulnerable>, q: Params) -> Reply {
    let sql = format!(
        "SELECT name, price FROM products WHERE hidden = 0 AND id = {}",
        param(&q, "id")
    );
    run_sql(&app, sql).await
}

/// Runs a command checked by the guard; answers its stdout and stderr.
fn run(mut cmd: Command) -> Reply {
    if let Err(blocked) = ironward_guard::process::command(&cmd) {
        // Whatever the handler answers, the layer replaces it with its block response.
        return (StatusCode::FORBIDDEN, blocked.to_string());
    }
    match cmd.output() {
        Ok(out) => (
            StatusCode::OK,
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /shell/echo?msg=`: `sh -c "printf '%s\n' " + msg` (a command line).
async fn shell_echo(q: Params) -> Reply {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("printf '%s\\n' {}", param(&q, "msg")));
    run(cmd)
}

/// `GET /shell/wc?file=`: `wc -l FILE` as an argument list (no shell), in `BASE`: a value
/// starting with `-` is an option (`--files0-from=../private/secret.txt`).
async fn shell_wc(State(app): State<Vulnerable>, q: Params) -> Reply {
    let mut cmd = Command::new("wc");
    cmd.arg("-l").arg(param(&q, "file")).current_dir(&app.base);
    run(cmd)
}

/// `GET /file?name=`: `Path::new(BASE).join(name)` read (an absolute name replaces `BASE`).
async fn file(State(app): State<Vulnerable>, q: Params) -> Reply {
    let path = Path::new(&app.base).join(param(&q, "name"));
    match ironward_guard::fs::read_to_string(&path) {
        Ok(text) => (StatusCode::OK, text),
        Err(e) if e.kind() == ErrorKind::NotFound => (StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /fetch?url=`: the URL fetched, whatever it names (`check_url` for address literals,
/// the client's resolver for names).
async fn fetch(State(app): State<Vulnerable>, q: Params) -> Reply {
    let url = match reqwest::Url::parse(&param(&q, "url")) {
        Ok(url) => url,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()),
    };
    if let Err(blocked) = ironward_guard::reqwest::check_url(&url) {
        return (StatusCode::FORBIDDEN, blocked.to_string());
    }
    match app.client.get(url).send().await {
        Ok(res) => (StatusCode::OK, res.text().await.unwrap_or_default()),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("fetch failed: {e:?}")),
    }
}

/// One line per event on stderr.
fn print_event(e: &Event) {
    let mut line = format!(
        "[ironward] {:?} {} {} {} {}={:?}",
        e.action, e.check, e.method, e.path, e.location, e.payload
    );
    if let Some(s) = &e.sink {
        line.push_str(&format!(
            "\n    sink {} ({:?}) at {}: {}",
            s.sink.as_str(),
            s.reason,
            s.caller.as_deref().unwrap_or("?"),
            s.operation
        ));
    }
    eprintln!("{line}");
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse()?,
        Err(_) => 8000,
    };
    let dir = match std::env::var_os("VULN_BASE") {
        Some(d) => PathBuf::from(d),
        None => {
            std::env::temp_dir().join(format!("ironward-vulnerable-axum-{}", std::process::id()))
        }
    };
    let app = router(Vulnerable::new(&dir).await?);
    let protected = std::env::var("IRONWARD").is_ok_and(|v| v == "1");
    let app = if protected {
        let params: Option<serde_json::Value> = match std::env::var("IRONWARD_PARAMS") {
            Ok(raw) if !raw.trim().is_empty() => Some(serde_json::from_str(&raw)?),
            _ => None,
        };
        let engine = sink_engine(params.as_ref())?;
        app.layer(IronwardLayer::new(engine).on_event(|e| print_event(&e)))
    } else {
        app
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "vulnerable axum app ({}) on http://{}, files in {}",
        if protected {
            "protected: template sink"
        } else {
            "UNPROTECTED"
        },
        listener.local_addr()?,
        dir.display()
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
