//! # Ironward for tower (axum, hyper, tonic)
//!
//! [`IronwardLayer`] protects any `tower` service over `http` 1.x types with an Ironward
//! [`Engine`](ironward_core::Engine): each request is inspected before the service sees it,
//! and each response before the client does. Blocked requests get the configured response
//! (status and body, or a redirect) and never reach the service.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, routing::get};
//! use ironward_core::{Config, Engine};
//! use ironward_tower::IronwardLayer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Arc::new(Engine::new(Config::default())?);
//! let app = Router::new()
//!     .route("/", get(|| async { "hello" }))
//!     .layer(IronwardLayer::new(engine));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(
//!     listener,
//!     app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
//! )
//! .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Shared state: with `SHARED_STATE_URL` set (flood and brute-force counters and the blacklist
//! shared on Redis by every replica, `docs/shared-state.md`), build the engine with
//! `ironward_state_redis::build_engine(config)` instead of `Engine::new(config)`; the layer is
//! the same.
//!
//! Hot reload: give the layer an [`ironward_core::reload::SharedEngine`]
//! (`IronwardLayer::new(shared.clone())`) and call `shared.reconfigure(config)` (or let
//! `ironward-cloud-client` do it when the management server sends a change): each request is
//! judged, with its response, by the engine in force when it arrived; the blacklist and the
//! counters carry over; a configuration that does not build is refused and the running one
//! stays.
//!
//! The request body (HTTP/1.1, HTTP/2, gRPC) is buffered up to one byte past `MAX_BODY_BYTES`,
//! handed to the engine with its `Content-Type` (and `body_len` when it is longer), and the
//! same bytes go to the service. A longer body is answered 413 by the engine
//! (`BODY_LIMIT_ACTION=block`, the default) without the rest being read; with `monitor` the
//! rest follows the inspected prefix to the service, uninspected. See `docs/rust.md` for what
//! is inspected and the limits.
//!
//! Routes: with axum, [`IronwardLayer::axum_router`] makes axum's router the route table;
//! elsewhere (plain hyper, tonic), pass the routes with [`IronwardLayer::routes`] (a
//! [`Routes`] list, from the core). The `axum` feature (on by default) reads axum's
//! `ConnectInfo` and `MatchedPath`; the `tonic` feature reads tonic's `TcpConnectInfo`;
//! otherwise the client address comes from a `SocketAddr` request extension.
//!
//! Metrics: with `METRICS_PATH` set (e.g. `/metrics`), a `GET` of that path from a client in
//! `METRICS_ALLOW` (the loopback by default) is answered with the engine's counters in the
//! Prometheus text format, before any inspection; the layer also counts the status class of
//! every response it sends. See `docs/metrics.md`.
//!
//! tonic: `Server::builder().layer(IronwardLayer::new(engine)).add_service(svc)`. A blocked
//! gRPC call (`Content-Type: application/grpc…`) is answered with a gRPC status instead of the
//! HTML block page — a trailers-only response whose `grpc-status` is the block status mapped
//! by gRPC's HTTP table (403 → `PERMISSION_DENIED`, 404 → `UNIMPLEMENTED`…) and whose
//! `grpc-message` is the block content.
#![forbid(unsafe_code)]

mod body;
mod convert;
mod grpc;
mod layer;
mod metrics;
mod service;

pub use body::{BoxError, LeakBlocked, RequestBody, ResponseBody};
/// The route table for [`IronwardLayer::routes`]; it lives in the core, shared with the other
/// adapters.
pub use ironward_core::Routes;
pub use layer::{IronwardLayer, Reporter};
pub use service::Ironward;
