//! # Ironward sink guards for Rust
//!
//! Sink checks run where the application *uses* a request's input: the SQL query it is about
//! to execute, the command it is about to run, the file it is about to open, the URL it is
//! about to fetch. A user input that changes the structure of that operation is an injection
//! (see `docs/sinks.md`). This crate holds the current request's sink context in a `tokio`
//! task-local and gives the guards that read it.
//!
//! - **The scope.** `ironward_tower::IronwardLayer` and `ironward_actix::Ironward` set it
//!   around each handler when a sink check is on (`SINK_CHECKS`): the request's inputs
//!   ([`SinkRequest`](ironward_core::sink::SinkRequest)), the engine, and a slot recording
//!   what the guards found. When a guard blocked, the layer answers with the block response
//!   whatever the handler returned, and reports the sink events with the request's. Elsewhere,
//!   [`scope`] (async), [`sync_scope`] (blocking code) and [`in_current_scope`] (spawned
//!   tasks) set it.
//! - **The guards**, to call right before the operation, each a no-op outside a scope (one
//!   thread-local read):
//!   [`sql`] / [`sink::sql`], [`sink::path`], [`sink::check_command_line`], [`sink::argv`],
//!   [`sink::url`], [`sink::nosql`]; [`process::command`] for `std::process::Command` and
//!   [`process::tokio_command`]; [`fs`] (`read`, `write`, `open`, `remove_file`, `rename`…,
//!   and [`fs::tokio`](mod@fs::tokio)); with features, `sqlx` (a guarded executor) and `reqwest` (an
//!   SSRF-enforcing resolver).
//! - **A block** is [`Blocked`], carrying the sink [`Verdict`](ironward_core::Verdict). The
//!   guards are `#[track_caller]`: the event's `caller` is the application's `file:line`.
//!
//! ```
//! use std::sync::Arc;
//! use ironward_core::sink::SinkRequest;
//! use ironward_core::{Config, Engine};
//! use ironward_guard::{Dialect, SinkContext};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Arc::new(Engine::new(Config::default())?);
//! // What the layer builds from a request `GET /users?name=' OR 1=1 --`:
//! let inputs = SinkRequest::from_values(["' OR 1=1 --"]);
//! let ctx = SinkContext::new(engine, inputs);
//!
//! let handler = |name: &str| -> Result<(), ironward_guard::Blocked> {
//!     let query = format!("SELECT * FROM users WHERE name = '{name}'");
//!     ironward_guard::sql(&query, Dialect::Sqlite)?;
//!     Ok(()) // run the query
//! };
//! let blocked = ironward_guard::sync_scope(ctx.clone(), || handler("' OR 1=1 --"));
//! let err = blocked.expect_err("injected");
//! assert_eq!(err.detail().map(|d| d.sink.as_str()), Some("sql"));
//! assert!(ctx.is_blocked()); // what the layer reads to replace the response
//!
//! assert!(handler("' OR 1=1 --").is_ok()); // outside a scope: nothing checked
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! - `sqlx`: `sqlx::Guarded` (`pool.guarded().fetch_all(query)`), for
//!   every database sqlx supports, the dialect taken from `Database::NAME`.
//! - `reqwest`: `reqwest::GuardedResolver` and
//!   `reqwest::client_builder`.
//!
//! ## Limits
//!
//! A task-local does not follow work the handler hands elsewhere: `tokio::spawn` (wrap the
//! future in [`in_current_scope`]), `spawn_blocking`, threads and `web::block` (take
//! [`current`] and call [`sync_scope`] there). An operation the application does not route
//! through a guard is not checked: there is no global hook in Rust.
#![forbid(unsafe_code)]

mod context;
mod error;
pub mod fs;
pub mod process;
#[cfg(feature = "reqwest")]
pub mod reqwest;
pub mod sink;
#[cfg(feature = "sqlx")]
pub mod sqlx;

pub use context::{
    MAX_RECORDED, SinkContext, current, in_current_scope, in_scope, scope, sync_scope,
};
pub use error::Blocked;
pub use sink::{Dialect, sql};
