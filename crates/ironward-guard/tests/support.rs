//! Shared helpers: engines, a SQLite database, a raw HTTP/1.1 client, query encoding.

use ironward_core::config::{Level, SinkChecks, Template};
use ironward_core::event::Event;
use ironward_core::sink::{Operation, SinkRequest};
use ironward_core::{Config, Engine};
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The `sink` template (request-side checks at 3, sinks at 2), flood off.
pub(crate) fn sink_template() -> Arc<Engine> {
    let mut c = Config::template(Template::Sink);
    c.flood_ratio = 1_000_000;
    Arc::new(Engine::new(c).unwrap())
}

/// The `sink` template with every sink at level 1 (block, no blacklisting: one server serves
/// many requests from 127.0.0.1).
pub(crate) fn sink_block() -> Arc<Engine> {
    let mut c = Config::template(Template::Sink);
    c.flood_ratio = 1_000_000;
    c.sink_checks = SinkChecks::all(Level::Block);
    Arc::new(Engine::new(c).unwrap())
}

/// Events collected from `on_event`.
#[derive(Clone, Default)]
pub(crate) struct Events(pub(crate) Arc<Mutex<Vec<Event>>>);

impl Events {
    pub(crate) fn push(&self, e: Event) {
        self.0.lock().unwrap().push(e);
    }

    /// The sink events (those with a sink detail).
    pub(crate) fn sinks(&self) -> Vec<Event> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.sink.is_some())
            .cloned()
            .collect()
    }
}

/// True when the engine's detector for this operation is wired into `check_sink` (the shell,
/// SSRF and NoSQL detectors arrive separately): it blocks `op` for `input`. Prints a note when
/// not, for the caller to skip.
pub(crate) fn wired(engine: &Engine, input: &str, op: &Operation<'_>) -> bool {
    let v = engine.check_sink(&SinkRequest::from_values([input]), op, None);
    if !v.is_blocked() {
        println!(
            "note: the {} sink detector is not wired into check_sink yet: skipped",
            op.sink().as_str()
        );
    }
    v.is_blocked()
}

/// An in-memory SQLite database (one connection: one database) with two users.
pub(crate) async fn database() -> SqlitePool {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret TEXT NOT NULL);
         INSERT INTO users (name, secret) VALUES ('alice', 's3cr3t-a'), ('bob', 's3cr3t-b');",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool
}

/// Percent-encodes a query value.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A GET over a fresh loopback connection: (status, body).
pub(crate) async fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: test\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
