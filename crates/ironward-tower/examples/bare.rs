//! The hello route of the `axum` example, for the loopback throughput comparison of
//! `scripts/bench-http.sh`: `cargo run --release -p ironward-tower --example bare`.
//!
//! Without `IRONWARD` set, the route is served bare (no layer). With `IRONWARD=1`, it is served
//! behind `IronwardLayer` applied with `Router::layer`; with `IRONWARD=outer`, behind the layer
//! wrapped around the whole router (`Layer::layer(&layer, router)`: axum does not box each
//! route for it). Both with the default configuration, `BLACKLIST_OVERRIDE` and a flood
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
use tower::Layer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new().route("/", get(|| async { "Hello from a protected axum app\n" }));
    let mode = std::env::var("IRONWARD").unwrap_or_default();
    let layer = || -> Result<IronwardLayer, Box<dyn std::error::Error>> {
        let mut config = Config::default();
        config.blacklist_override = true;
        config.flood_ratio = u64::from(u32::MAX);
        Ok(IronwardLayer::new(Arc::new(Engine::new(config)?)))
    };
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8090".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{} ({mode:?})", listener.local_addr()?);
    match mode.as_str() {
        "" | "0" => {
            let make = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, make).await?;
        }
        "outer" => {
            // The layer around the router; its response body turned into axum's.
            let svc = tower::ServiceExt::<axum::extract::Request>::map_response(
                layer()?.layer(app),
                |r: axum::http::Response<ironward_tower::ResponseBody>| {
                    r.map(axum::body::Body::new)
                },
            );
            let make =
                axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                    SocketAddr,
                >(svc);
            axum::serve(listener, make).await?;
        }
        _ => {
            let make = app
                .layer(layer()?)
                .into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, make).await?;
        }
    }
    Ok(())
}
