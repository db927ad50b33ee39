//! The hello route of the `axum` example, for the loopback throughput comparison of
//! `scripts/bench-http.sh`: `cargo run --release -p ironward-tower --example bare`.
//!
//! Without `IRONWARD` set, the route is served bare (no layer). With `IRONWARD=1`, it is served
//! behind `IronwardLayer` with the default configuration, `BLACKLIST_OVERRIDE` and a flood
//! ratio that is never reached (a load generator on loopback would otherwise be blacklisted
//! by `flood` after 50 requests, and the comparison would measure block responses). `LISTEN`
//! chooses the address (`127.0.0.1:8090`).

#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut app = Router::new().route("/", get(|| async { "Hello from a protected axum app\n" }));
    let protected = std::env::var_os("IRONWARD").is_some_and(|v| !v.is_empty() && v != "0");
    if protected {
        let mut config = Config::default();
        config.blacklist_override = true;
        config.flood_ratio = u64::from(u32::MAX);
        app = app.layer(IronwardLayer::new(Arc::new(Engine::new(config)?)));
    }
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8090".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let mode = if protected { "with Ironward" } else { "bare" };
    println!("listening on http://{} ({mode})", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
