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
//! The request body is buffered up to `MAX_BODY_BYTES`, inspected, and the same bytes are
//! handed to the service, followed by the rest of the stream when the body is larger (that
//! rest is not inspected). See `docs/rust.md` for what is inspected and the limits.
//!
//! Routes: with axum, [`IronwardLayer::axum_router`] makes axum's router the route table;
//! elsewhere (plain hyper, tonic), pass the routes with [`IronwardLayer::routes`]. The `axum`
//! feature (on by default) reads axum's `ConnectInfo` and `MatchedPath`; without it the client
//! address comes from a `SocketAddr` request extension.
#![forbid(unsafe_code)]

mod body;
mod convert;
mod layer;
mod routes;
mod service;

pub use body::{BoxError, LeakBlocked, RequestBody, ResponseBody};
pub use layer::{IronwardLayer, Reporter};
pub use routes::Routes;
pub use service::Ironward;
