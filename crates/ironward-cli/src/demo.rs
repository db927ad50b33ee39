//! `ironward demo`: a small axum app protected by Ironward, to try with curl in one minute.
//!
//! Routes: `GET /` (a home page listing the endpoints), `GET /search?q=…` (echoes the query,
//! HTML-escaped), `POST /api/orders` (echoes a JSON object), `GET`/`POST /login` (a form;
//! `demo`/`demo` is welcome, anything else gets 401) and `POST /upload` (multipart; reports the
//! file name and size).
//!
//! The configuration is loaded like `scan` does (file, template, `--set`). On top of the
//! defaults, the demo turns on what makes every feature visible — `VERBOSE` 10 (banner and
//! attack lines), the `upload` check at level 1 and the `dlp` check at level 1 with
//! `DLP_CC_NUMBERS` — for each key the configuration file does not set itself; `--set`
//! arguments override everything. Each finding prints one `[!] …` line on standard error and,
//! with `LOG_ENABLED`, is shipped by the agent. Ctrl-C or SIGTERM stops the server gracefully.

use crate::Outcome;
use crate::config_file::load_config;
use anyhow::Context;
use axum::Router;
use axum::extract::{Form, Json, Multipart, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ironward_agent::agent::Agent;
use ironward_agent::console;
use ironward_core::Engine;
use ironward_core::config::conf_path_from_env;
use ironward_tower::IronwardLayer;
use serde::Deserialize;
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
    let engine = Arc::new(Engine::new(loaded.config).context("cannot build the engine")?);

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
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            if let Ok(agent) = shipper.lock() {
                agent.submit(event);
            }
        });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(&opts.listen, app().layer(layer)))?;
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

/// The demo's routes.
fn app() -> Router {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/api/orders", post(orders))
        .route("/login", get(login_form).post(login))
        .route("/upload", post(upload))
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
</ul>
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

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn demo_settings_yield_to_the_file() {
        let dir = std::env::temp_dir().join(format!("ironward-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("rasp.json");
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
        let _ = std::fs::remove_dir_all(&dir);
    }
}
