//! `ironward demo`: a small axum app protected by Ironward, to try with curl in one minute.
//!
//! Routes: `GET /` (a home page listing the endpoints), `GET /search?q=…` (echoes the query,
//! HTML-escaped), `POST /api/orders` (echoes a JSON object), `GET`/`POST /login` (a form;
//! `demo`/`demo` is welcome, anything else gets 401) and `POST /upload` (multipart; reports the
//! file name and size) and `GET /products?q=…` (a product search in an in-memory SQLite
//! database whose query is built by string concatenation, deliberately vulnerable: the SQL
//! sink guard blocks what changes the query).
//!
//! The configuration is loaded like `scan` does (file, template, `--set`). On top of the
//! defaults, the demo turns on what makes every feature visible — `VERBOSE` 10 (banner and
//! attack lines), the `upload` check at level 1 and the `dlp` check at level 1 with
//! `DLP_CC_NUMBERS` — for each key the configuration file does not set itself; `--set`
//! arguments override everything. Each finding prints one `[!] …` line on standard error (a
//! sink finding adds its sink, operation and caller) and, with `LOG_ENABLED`, is shipped by the
//! agent. Ctrl-C or SIGTERM stops the server gracefully.

use crate::Outcome;
use crate::config_file::load_config;
use anyhow::Context;
use axum::Router;
use axum::extract::{Form, Json, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ironward_agent::agent::Agent;
use ironward_agent::console;
use ironward_core::config::conf_path_from_env;
use ironward_core::event::Event;
use ironward_guard::Blocked;
use ironward_guard::sqlx::GuardExt;
use ironward_tower::IronwardLayer;
use serde::Deserialize;
use sqlx::sqlite::{SqliteConnection, SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, Row, SqlitePool};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The options of `demo`.
#[derive(Debug)]
pub(crate) struct Options {
    /// The address to listen on (`127.0.0.1:0` picks a free port).
    pub(crate) listen: String,
    /// The configuration file; defaults to the environment, then none.
    pub(crate) config: Option<PathBuf>,
    /// The template the configuration is layered on.
    pub(crate) template: Option<String>,
    /// Explicit parameters, the highest layer.
    pub(crate) set: Vec<String>,
}

/// The demo's own settings, each applied only when the configuration file does not set the
/// key: (key as written in a file, section it may sit in, `--set` argument).
const DEMO_SETTINGS: &[(&str, Option<&str>, &str)] = &[
    ("VERBOSE", None, "VERBOSE=10"),
    (
        "upload",
        Some("SECURITY_CHECKS"),
        "SECURITY_CHECKS.upload=1",
    ),
    ("dlp", Some("SECURITY_CHECKS"), "SECURITY_CHECKS.dlp=1"),
    ("DLP_CC_NUMBERS", None, "DLP_CC_NUMBERS=true"),
];

/// Runs the command: serves until Ctrl-C or SIGTERM.
pub(crate) fn run(opts: &Options) -> Outcome {
    let path: Option<PathBuf> = match &opts.config {
        Some(p) => Some(p.clone()),
        None => conf_path_from_env(|k| std::env::var(k).ok()).map(|(p, _)| PathBuf::from(p)),
    };
    let mut sets = demo_sets(path.as_deref());
    sets.extend(opts.set.iter().cloned());
    let loaded = load_config(path.as_deref(), opts.template.as_deref(), &sets, false)?;
    // `Agent` is `Send` but not `Sync`; `submit` only `try_send`s, so the lock is held briefly.
    let agent = Arc::new(Mutex::new(
        Agent::start(&loaded.config).context("cannot start the event shipper")?,
    ));
    // SHARED_STATE_URL set: counters and blacklist on Redis, shared with other instances.
    let engine = Arc::new(
        ironward_state_redis::build_engine(loaded.config).context("cannot build the engine")?,
    );

    let checks: Vec<_> = engine
        .checks()
        .map(|id| (id, engine.config().security_checks.level(id)))
        .collect();
    let source = path.as_ref().map(|p| p.display().to_string());
    let banner = console::banner(
        engine.config(),
        env!("CARGO_PKG_VERSION"),
        &checks,
        source.as_deref(),
    );
    if !banner.is_empty() {
        let mut err = std::io::stderr().lock();
        write!(err, "{banner}")?;
        if !banner.ends_with('\n') {
            writeln!(err)?;
        }
    }

    let verbose = engine.config().verbose;
    let shipper = Arc::clone(&agent);
    // `Router::layer` wraps the fallback too: axum's routing is the route table.
    let layer = IronwardLayer::new(Arc::clone(&engine))
        .axum_router()
        .on_event(move |event| {
            if let Some(line) = console::attack_line(&event, verbose) {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{line}");
                // At `VERBOSE_DETAILS` the line already holds the whole event, sink included.
                if verbose < console::VERBOSE_DETAILS
                    && let Some(detail) = sink_lines(&event)
                {
                    let _ = write!(err, "{detail}");
                }
            }
            if let Ok(agent) = shipper.lock() {
                agent.submit(event);
            }
        });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let pool = database().await?;
        serve(&opts.listen, app(pool).layer(layer)).await
    })?;
    drop(runtime);
    if let Ok(agent) = agent.lock()
        && agent.is_enabled()
    {
        agent.flush(Duration::from_secs(5));
    }
    Ok(ExitCode::SUCCESS)
}

/// Binds, prints `Listening on http://ADDR` and serves until a shutdown signal.
async fn serve(listen: &str, app: Router) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Listening on http://{addr}  (Ctrl-C to stop)")?;
        out.flush()?;
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server failed")?;
    let _ = writeln!(std::io::stderr().lock(), "stopped");
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No Ctrl-C handler: wait for the other signal only.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The `--set` arguments for the demo settings the configuration file does not set.
fn demo_sets(path: Option<&Path>) -> Vec<String> {
    let file: Option<serde_json::Value> = match path {
        // An unreadable or invalid file is reported by `load_config` with its own message.
        Some(p) => std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
        None => None,
    };
    let root = file.as_ref().map(|v| match v.get("config") {
        Some(inner) if inner.is_object() => inner,
        _ => v,
    });
    DEMO_SETTINGS
        .iter()
        .filter(|(key, section, _)| {
            let Some(root) = root else { return true };
            let scope = match section {
                Some(s) => root.get(*s),
                None => Some(root),
            };
            scope.is_none_or(|o| o.get(*key).is_none())
        })
        .map(|(_, _, set)| (*set).to_owned())
        .collect()
}

/// The lines a sink event adds under its `[!]` line: the sink and reason, the operation (the
/// query as the application was about to run it), the caller and the request-side check that
/// flagged the same input, if any. `None` for request-side events.
fn sink_lines(event: &Event) -> Option<String> {
    let d = event.sink.as_ref()?;
    let mut out = format!(
        "    sink: {} ({}), {}\n    operation: {}\n",
        d.sink.as_str(),
        d.reason,
        event.action.as_str(),
        escape_console(&d.operation)
    );
    if let Some(caller) = &d.caller {
        out.push_str(&format!("    caller: {}\n", escape_console(caller)));
    }
    if let Some(check) = d.request_check {
        out.push_str(&format!(
            "    request-side check: {} flagged the same input\n",
            check.key()
        ));
    }
    Some(out)
}

/// Escapes control characters as `\xNN`, so that a payload cannot drive the terminal.
fn escape_console(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The products the search finds, and a secret the injectable query can leak.
const SEED: &str = "
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL);
INSERT INTO products (name, price) VALUES
    ('Running shoes', 89.90), ('Trail running shoes', 119.00), ('Desk lamp', 24.50),
    ('Coffee mug', 9.90), ('Wool socks', 12.00), ('Notebook', 4.20);
CREATE TABLE secrets (name TEXT NOT NULL, secret TEXT NOT NULL);
INSERT INTO secrets (name, secret) VALUES
    ('admin_password', 'hunter2-ironward-demo'), ('api_key', 'sk-demo-0123456789abcdef');
";

/// The demo's database: in-memory SQLite. Each connection is its own database, seeded when
/// it opens; the pool keeps one connection for the whole run.
async fn database() -> anyhow::Result<SqlitePool> {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .after_connect(|conn: &mut SqliteConnection, _| {
            Box::pin(async move {
                sqlx::raw_sql(SEED).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .connect("sqlite::memory:")
        .await
        .context("cannot open the demo's in-memory SQLite database")
}

/// The demo's routes.
fn app(pool: SqlitePool) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/products", get(products))
        .route("/api/orders", post(orders))
        .route("/login", get(login_form).post(login))
        .route("/upload", post(upload))
        .with_state(pool)
}

/// The home page: the endpoints and a few curl lines.
async fn home() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html><head><title>Ironward demo</title></head>
<body>
<h1>Ironward demo</h1>
<p>A small app protected by Ironward. Endpoints:</p>
<ul>
<li><code>GET /search?q=running+shoes</code> &mdash; a search</li>
<li><code>POST /api/orders</code> &mdash; a JSON API (echoes the order)</li>
<li><a href="/login"><code>GET /login</code></a>, <code>POST /login</code> &mdash; a login form (demo / demo; <code>/login</code> is one of the default decoy routes, but a route the app serves is never a decoy)</li>
<li><code>POST /upload</code> &mdash; a multipart file upload</li>
<li><a href="/products?q=shoes"><code>GET /products?q=shoes</code></a> &mdash; a product search, <b>vulnerable on purpose</b> (below)</li>
</ul>
<h2>Product search: a SQL injection stopped at the sink</h2>
<form method="get" action="/products">
<input name="q" placeholder="shoes" size="50"> <button>Search</button>
</form>
<p>The search pastes <code>q</code> into its SQLite query by string concatenation:
<code>SELECT name, price FROM products WHERE name LIKE '%{q}%'</code>. The database also
holds a <code>secrets</code> table. The query runs through Ironward's guarded
<code>sqlx</code> pool, which checks it against the request's inputs right before it runs:
an input that changes the query's structure is blocked there (403), with a
<code>[!]</code> line naming the sink, the query and the code that ran it.</p>
<p>With the default template the request-side SQL injection check blocks the obvious payloads
before the handler runs. Start the demo with <code>--template sink</code> (request-side
injection checks only monitor) to see the sink decide:</p>
<pre>
curl -i 'http://127.0.0.1:8080/products?q=shoes'     # 200: two products
curl -i "http://127.0.0.1:8080/products?q=%27+UNION+SELECT+secret,+1+FROM+secrets+--"   # 403 at the sink
</pre>
<p>With the usual configuration (no <code>--template</code>), the request-side check blocks
those payloads first: a <code>[!]</code> line without a sink. Inputs it lets through still
reach the sink, and the ones that change the query are blocked there:</p>
<pre>
curl -i "http://127.0.0.1:8080/products?q=O%27Brien"    # 403 at the sink: the apostrophe breaks the query
curl -i "http://127.0.0.1:8080/products?q=Trail+running+shoes%27+OR+name+LIKE+%27Desk%25"   # 403 at the sink: an OR clause
</pre>
<p>Without Ironward the first one fails with a SQL error, and the second one lists the desk lamp
too. A search without a quote (<code>shoes</code>, <code>select a plan</code>) never
changes the query: 200.</p>

<p>Try an attack:</p>
<pre>
curl -i 'http://127.0.0.1:8080/search?q=;cat+/etc/passwd'
curl -i http://127.0.0.1:8080/.env
</pre>
</body></html>
"#,
    )
}

/// `GET /search?q=…`: echoes the query, HTML-escaped.
async fn search(Query(params): Query<HashMap<String, String>>) -> Html<String> {
    let q = params.get("q").map_or("", String::as_str);
    Html(format!(
        "<!doctype html>\n<p>No results for <b>{}</b>.</p>\n",
        escape_html(q)
    ))
}

/// `GET /products?q=…`: the products whose name contains `q`.
///
/// DELIBERATELY VULNERABLE: `q` is pasted into the SQL text, so a quote in it ends the
/// literal and the rest becomes SQL (`' UNION SELECT secret, 1 FROM secrets --` lists the
/// secrets). It is the demo's SQL injection for the sink guard to stop; never build a query
/// like this (bind `q`: `sqlx::query("… LIKE '%' || ? || '%'").bind(q)`).
async fn products(
    State(pool): State<SqlitePool>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params.get("q").map_or("", String::as_str);
    // DELIBERATELY VULNERABLE: the user's `q` concatenated into the SQL text (see above).
    let sql = format!("SELECT name, price FROM products WHERE name LIKE '%{q}%'");
    // The guard checks the query against the request's inputs before it runs.
    match pool
        .guarded()
        .fetch_all(sqlx::query(AssertSqlSafe(sql)))
        .await
    {
        Ok(rows) => Html(product_page(q, &rows)).into_response(),
        // The layer replaces this response with its block response (`BLOCK_*`, or
        // `BLACKLIST_*` at level 2) whatever the handler returns.
        Err(e) if Blocked::find(&e).is_some() => {
            (StatusCode::FORBIDDEN, format!("{e}\n")).into_response()
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("query failed: {e}\n"),
        )
            .into_response(),
    }
}

/// The search results as HTML.
fn product_page(q: &str, rows: &[SqliteRow]) -> String {
    let mut page = format!(
        "<!doctype html>\n<p>{} product(s) matching <b>{}</b>:</p>\n<ul>\n",
        rows.len(),
        escape_html(q)
    );
    for row in rows {
        page.push_str(&format!(
            "<li>{} &mdash; {}</li>\n",
            escape_html(&cell(row, 0)),
            escape_html(&cell(row, 1))
        ));
    }
    page.push_str("</ul>\n");
    page
}

/// A result cell as text, whatever its type (an injected `UNION` can put anything there).
fn cell(row: &SqliteRow, i: usize) -> String {
    if let Ok(v) = row.try_get::<f64, _>(i) {
        return format!("{v:.2}");
    }
    if let Ok(v) = row.try_get::<i64, _>(i) {
        return v.to_string();
    }
    match row.try_get::<Option<String>, _>(i) {
        Ok(Some(v)) => v,
        Ok(None) => "NULL".to_owned(),
        Err(_) => "?".to_owned(),
    }
}

/// `POST /api/orders`: echoes the JSON object it receives.
async fn orders(Json(order): Json<serde_json::Value>) -> Response {
    if !order.is_object() {
        return (StatusCode::BAD_REQUEST, "expected a JSON object\n").into_response();
    }
    Json(serde_json::json!({ "status": "received", "order": order })).into_response()
}

/// `GET /login`: the form.
async fn login_form() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<form method="post" action="/login">
<input name="user" placeholder="user"> <input name="password" type="password" placeholder="password">
<button>Log in</button>
</form>
"#,
    )
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
struct Login {
    /// The user name.
    #[serde(default)]
    user: String,
    /// The password.
    #[serde(default)]
    password: String,
}

/// `POST /login`: `demo`/`demo` is welcome, anything else gets 401.
async fn login(Form(form): Form<Login>) -> Response {
    if form.user == "demo" && form.password == "demo" {
        (StatusCode::OK, "welcome demo\n").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "wrong user or password\n").into_response()
    }
}

/// `POST /upload`: reports the name and size of each uploaded file.
async fn upload(mut multipart: Multipart) -> Response {
    let mut lines = String::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.file_name().unwrap_or("(no file name)").to_owned();
                match field.bytes().await {
                    Ok(bytes) => {
                        lines.push_str(&format!("received {name}: {} bytes\n", bytes.len()));
                    }
                    Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
                }
            }
            Ok(None) => break,
            Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
        }
    }
    if lines.is_empty() {
        lines.push_str("no file received\n");
    }
    (StatusCode::OK, lines).into_response()
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attributes.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A GET over a fresh loopback connection: (status, body).
    async fn get(addr: SocketAddr, target: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf))
            .await
            .unwrap()
            .unwrap();
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// The demo's routes without the layer, on loopback: the product search really is
    /// injectable (what the sink guard stops in the layered demo, tests/demo.rs).
    #[tokio::test]
    async fn products_is_vulnerable_without_the_layer() {
        let pool = database().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app(pool)).await;
        });

        let (status, body) = get(addr, "/products?q=shoes").await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("<li>Running shoes &mdash; 89.90</li>"),
            "{body}"
        );
        assert!(body.contains("Trail running shoes"), "{body}");
        assert!(!body.contains("Desk lamp"), "{body}");

        // The exploit the sink blocks: every product, then the secrets.
        let exploit = "/products?q=%27%20UNION%20SELECT%20secret%2C%201%20FROM%20secrets%20--";
        let (status, body) = get(addr, exploit).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("hunter2-ironward-demo"), "{body}");
        assert!(body.contains("sk-demo-0123456789abcdef"), "{body}");

        // The payload the request-side check lets through: an OR clause.
        let or = "/products?q=Trail+running+shoes%27+OR+name+LIKE+%27Desk%25";
        let (status, body) = get(addr, or).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Desk lamp"), "{body}");

        // An apostrophe breaks the query.
        let (status, body) = get(addr, "/products?q=O%27Brien").await;
        assert_eq!(status, 500, "{body}");
        assert!(body.starts_with("query failed"), "{body}");
    }

    #[test]
    fn sink_lines_name_the_sink_query_and_caller() {
        use ironward_core::event::EventContext;
        use ironward_core::sink::{Reason, Sink, SinkDetail};
        use ironward_core::verdict::Finding;
        let mut f = Finding::new(ironward_core::check::CheckId::Sqli, "qs_values", "x'\x1b");
        let ctx = EventContext {
            app: "Web Server",
            source_ip: None,
            method: "GET",
            path: "/products",
            unix_ms: 0,
        };
        assert_eq!(sink_lines(&Event::new(&f, &ctx)), None);
        f.sink = Some(Box::new(SinkDetail {
            sink: Sink::Sql,
            operation: "SELECT 1 WHERE a = 'x'\x1b'".into(),
            reason: Reason::Quote,
            caller: Some("src/demo.rs:42".into()),
            request_check: None,
        }));
        let lines = sink_lines(&Event::new(&f, &ctx)).unwrap();
        assert!(lines.starts_with("    sink: sql (the input opens or closes a quoted literal), "));
        assert!(
            lines.contains("    operation: SELECT 1 WHERE a = 'x'\\x1b'\n"),
            "{lines}"
        );
        assert!(lines.ends_with("    caller: src/demo.rs:42\n"), "{lines}");
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn demo_settings_yield_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rasp.json");
        std::fs::write(
            &p,
            r#"{"config": {"VERBOSE": 0, "SECURITY_CHECKS": {"dlp": 0}}}"#,
        )
        .unwrap();
        let sets = demo_sets(Some(&p));
        assert_eq!(
            sets,
            ["SECURITY_CHECKS.upload=1", "DLP_CC_NUMBERS=true"].map(String::from)
        );
        assert_eq!(demo_sets(None).len(), DEMO_SETTINGS.len());
    }
}
