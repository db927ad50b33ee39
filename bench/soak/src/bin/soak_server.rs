//! The server of the memory and soak runs (`scripts/soak.sh`): a small axum app behind
//! `IronwardLayer` (`Router::layer` with `axum_router`), served by hyper on loopback.
//!
//! ```sh
//! SOAK_CONF=soak.json LISTEN=127.0.0.1:18190 \
//!     cargo run --release --manifest-path bench/soak/Cargo.toml --bin soak_server
//! ```
//!
//! `SOAK_CONF` names a JSON configuration file, loaded over the `default` template exactly as
//! the Python adapters load `conf=` (the soak runs give the three servers the same file:
//! `TRUSTED_PROXIES` `["127.0.0.1"]` so that the client address is taken from
//! `X-Forwarded-For`, `flood` and `brute` at level 2, and the table sizes under test). Without
//! it the default configuration is used. `LISTEN` chooses the address (`127.0.0.1:18190`).
//!
//! Routes, the same as the Python soak apps (`bench/python/soak_wsgi_app.py`,
//! `bench/python/soak_asgi_app.py`): `GET /` → `home`; `GET /api/items?q=…` (the query parsed
//! as an application parses it) → a short text; `POST /echo` → the body. Anything else is a
//! 404 from axum's fallback (which `Router::layer` also wraps). Events are counted, not
//! printed; the count goes to stderr every `SOAK_REPORT_SECONDS` (60) seconds while requests
//! keep arriving.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::routing::{get, post};
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = match std::env::var("SOAK_CONF") {
        Ok(path) if !path.is_empty() => {
            let text = std::fs::read_to_string(&path)?;
            let loaded = Config::from_json_str(&text).map_err(|e| {
                let msgs: Vec<String> = e.iter().map(|x| x.to_string()).collect();
                format!("{path}: {}", msgs.join("; "))
            })?;
            for w in &loaded.warnings {
                eprintln!("soak_server: configuration warning: {w}");
            }
            loaded.config
        }
        _ => Config::default(),
    };
    eprintln!(
        "soak_server: RATE_TABLE_MAX_SIZE {}, BLACKLIST_MAX_SIZE {}, TRUSTED_PROXIES {:?}",
        config.rate_table_max_size, config.blacklist_max_size, config.trusted_proxies
    );
    let engine = Arc::new(Engine::new(config)?);
    let events = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&events);
    let layer = IronwardLayer::new(engine)
        .axum_router()
        .on_event(move |_event| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
    let app = Router::new()
        .route("/", get(|| async { "home" }))
        .route(
            "/api/items",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                let n = q.get("q").map_or(0, String::len);
                format!("items: {} parameters, q of {n} bytes", q.len())
            }),
        )
        .route("/echo", post(|body: Bytes| async move { body }))
        .layer(layer);

    let report: u64 = std::env::var("SOAK_REPORT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    if report > 0 {
        let events = Arc::clone(&events);
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                tokio::time::sleep(Duration::from_secs(report)).await;
                let now = events.load(Ordering::Relaxed);
                if now != last {
                    eprintln!("soak_server: {now} security events so far");
                    last = now;
                }
            }
        });
    }

    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:18190".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "soak_server: listening on http://{} (pid {})",
        listener.local_addr()?,
        std::process::id()
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
