//! # Ironward for actix-web 4
//!
//! [`Ironward`] is an actix-web middleware that protects an application with an
//! [`ironward_core::Engine`]: every request is inspected before the application sees it, and
//! every response before the client does.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use ironward_actix::Ironward;
//! use ironward_core::{Config, Engine};
//! use std::sync::Arc;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Arc::new(Engine::new(Config::default())?);
//! actix_web::rt::System::new().block_on(async move {
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(Ironward::new(Arc::clone(&engine)))
//!             .route("/", web::get().to(|| async { "hello" }))
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! Shared state: with `SHARED_STATE_URL` set (flood and brute-force counters and the blacklist
//! shared on Redis by every worker and replica, `docs/shared-state.md`), build the engine with
//! `ironward_state_redis::build_engine(config)` instead of `Engine::new(config)`; the
//! middleware is the same.
//!
//! Hot reload: give the middleware an [`ironward_core::reload::SharedEngine`]
//! (`Ironward::new(shared.clone())`) and call `shared.reconfigure(config)` (or let
//! `ironward-cloud-client` do it when the management server sends a change): each request is
//! judged, with its response, by the engine in force when it arrived; the blacklist and the
//! counters carry over; a configuration that does not build is refused and the running one
//! stays.
//!
//! ## What it does
//!
//! - **Request.** The core [`Request`](ironward_core::Request) borrows from the actix request:
//!   method, raw path, raw query, headers as bytes, HTTP version, and the TCP peer address
//!   (`ServiceRequest::peer_addr`; forwarded headers are only believed from `TRUSTED_PROXIES`,
//!   by the engine).
//! - **Routes.** An `App`-level middleware runs before actix routes the request, so by default
//!   the route is [`RouteMatch::Unknown`](ironward_core::request::RouteMatch) and the `path`
//!   and `method` checks do nothing. Two ways to feed them:
//!   [`Ironward::routes`] takes a route list ([`Routes`](ironward_core::Routes), shared with
//!   `ironward_tower`): unknown path → `NotFound` (`path` check: 404 with
//!   `NATIVE_ROUTE_STATUS`), known path with a method no matching route allows →
//!   `MethodNotAllowed` (`method` check, 405), and the route's content types feed the `format`
//!   check. [`Ironward::actix_router`] uses actix's own resource map instead
//!   (`ResourceMap::has_resource`): `NotFound` when no resource matches the path, `Unknown`
//!   when one does — the map knows patterns, not methods or guards, so the `method` check
//!   needs the route list. It is opt-in because an application that serves unmatched paths
//!   with `default_service` (a single-page-app fallback, a proxy) would see those requests
//!   refused. Both match the path actix routes on (percent-decoded except `%2F`, `%25`, `+`),
//!   so an encoded spelling of a real route is not taken for an unknown one.
//! - **Request body.** The payload is read until it ends or one byte past `MAX_BODY_BYTES`,
//!   inspected, and handed to the application unchanged: the bytes read are re-injected in
//!   front of the rest of the stream, so the handler reads the whole body exactly once. A
//!   longer body reaches the engine as its first `MAX_BODY_BYTES` with `body_len` set (the
//!   `Content-Length`, or one more than was read when chunked): with `BODY_LIMIT_ACTION=block`
//!   (the default) the engine's 413 is sent without the rest being read; with `monitor` the
//!   rest is streamed through uninspected, never buffered. A payload error while reading (the client
//!   went away, a malformed chunked body) ends the request with actix's error for it.
//! - **Verdict.** A blocking verdict is answered with the configured response (`BLOCK_*` or
//!   `BLACKLIST_*`: status and HTML body, or a redirect with `Location`); the application is
//!   not called. Monitor-level findings let the request through; the request's
//!   [`Verdict`](ironward_core::Verdict) is then stored in the request extensions
//!   (`req.extensions().get::<Verdict>()`) for the application to report.
//! - **Response.** The status and headers go to `inspect_response` (brute force on error
//!   statuses) unless [`Engine::response_needed`](ironward_core::Engine::response_needed) says
//!   the engine cannot act on the response (it then passes untouched but for `Server`). The body is inspected by DLP when the engine would scan it (the check is on,
//!   the status is below 400, the content type is in `INSPECT_CONTENT_TYPES`) and its size is
//!   known and at most `DLP_MAX_BODY_BYTES`: it is then buffered, inspected and sent as is or
//!   replaced by the block response. Other bodies DLP applies to (streamed, unknown size, or
//!   over the cap) are scanned chunk by chunk as they go out; a blocking leak cuts the stream
//!   (the body ends with [`LeakBlocked`]).
//! - **Events.** [`Ironward::on_event`] receives one
//!   [`Event`](ironward_core::event::Event) per finding of every verdict with findings,
//!   blocked or monitored: requests, responses, and leaks found in streamed responses.
//! - **`Server` header.** Set to [`Engine::server_header`](ironward_core::Engine::server_header)
//!   when `CHANGE_SERVER` is on, on application and block responses alike.
//!
//! - **Metrics.** With `METRICS_PATH` set (e.g. `/metrics`), a `GET` of that path from a client
//!   in `METRICS_ALLOW` (the loopback by default) is answered with the engine's counters in
//!   the Prometheus text format before the body is read or anything inspected; the status
//!   class of every response sent is counted. See `docs/metrics.md`.
//!
//! The engine is shared through an `Arc`; the middleware takes no lock and does no thread hop.
//! It is implemented as a [`Transform`](actix_web::dev::Transform) and
//! [`Service`](actix_web::dev::Service) pair; the response body type becomes
//! [`BoxBody`](actix_web::body::BoxBody).
#![forbid(unsafe_code)]

mod inbound;
mod inflate;
mod metrics;
mod middleware;
mod outbound;
mod report;
mod route;
mod stream;

pub use middleware::{Ironward, IronwardService};
pub use report::Reporter;
pub use stream::LeakBlocked;
