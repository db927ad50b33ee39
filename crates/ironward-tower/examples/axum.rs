//! A small axum app protected by Ironward: `cargo run -p ironward-tower --example axum`, then
//! try `curl -i 'http://127.0.0.1:8080/search?q=shoes'` (passes) and
//! `curl -i 'http://127.0.0.1:8080/search?q=;cat%20/etc/passwd'` (blocked).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Arc::new(Engine::new(Config::default())?);
    let layer = IronwardLayer::new(engine).on_event(|event| eprintln!("ironward: {event:?}"));
    let app = Router::new()
        .route("/", get(|| async { "Hello from a protected axum app\n" }))
        .route("/search", get(|| async { "no results\n" }))
        .route("/api/echo", post(|body: Bytes| async move { body }))
        .layer(layer);
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
