//! Ironward's shared state on Redis: the `flood` and `brute` counters and the blacklist of an
//! application, shared by all its worker processes and hosts.
//!
//! [`RedisState`] implements the core's [`StateStore`](ironward_core::state::StateStore) and is
//! plugged into an engine with
//! [`EngineBuilder::state`](ironward_core::engine::EngineBuilder::state); [`engine_builder`]
//! and [`build_engine`] do that when `SHARED_STATE_URL` is set, and build an ordinary engine
//! (in-process state) when it is empty. The Python package and the Rust adapters use them.
//!
//! `SHARED_STATE_URL` names one server (`redis://`, `rediss://`, `redis+unix://`, `unix://`),
//! a Redis Cluster: its seed nodes comma-separated (`redis://host1:6379,host2:6379/`), or one
//! seed with `?cluster=true`, or a master watched by Redis Sentinel
//! (`redis+sentinel://host1:26379,host2:26379/mymaster[/db]`, `rediss+sentinel://` for TLS:
//! every new connection asks the Sentinels for the current master, so a failover is
//! followed). The guarantees below hold
//! for all of them.
//!
//! ## Guarantees
//! - **Same semantics as in-process**: the same sliding window (eight sub-windows, see
//!   [`Window`](ironward_core::state::Window)), computed inside Redis by one Lua script per
//!   update (atomic: no read-modify-write races between workers), and the same blacklist
//!   rules (the later deadline wins, bounded by `BLACKLIST_MAX_SIZE`).
//! - **Exact, not batched**: each counted request is one `EVALSHA` round trip, so the shared
//!   count never lags (with 4 workers and `FLOOD_RATIO` 50, the 51st request is the first
//!   flagged, whichever worker serves it).
//! - **Bounded waiting**: a call on the request path waits at most
//!   `SHARED_STATE_TIMEOUT_MS` for Redis's answer (a socket read timeout; writing the few
//!   hundred bytes of a call is bounded by the same timeout). Only when more calls run at once
//!   than `SHARED_STATE_POOL_SIZE` connections does one also wait, at most the same budget, for
//!   a connection to come back. Blacklist lookups never wait: they read a local copy kept
//!   fresh by pub/sub. Connections are made in the background, never on the request path.
//! - **Fail open, loudly**: when Redis is down, slow (3 calls in a row over budget), full or
//!   refuses the credentials, the engine counts and blacklists in this process (its
//!   [`LocalState`](ironward_core::state::LocalState)), reports it once ([`Notice`], by default
//!   a line on standard error), reconnects in the background with exponential back-off up to
//!   `SHARED_STATE_RETRY_MAX_MS`, and reports when it is back. A client never sees an error
//!   because of Redis. Nothing queues: memory is the bounded local state plus the pool.
//!
//! ## Example
//! ```no_run
//! use ironward_core::{Config, Request};
//!
//! let mut config = Config::default();
//! config.shared_state_url = "redis://127.0.0.1:6379/0".into();
//! config.app_name = "shop".into();
//! let engine = ironward_state_redis::build_engine(config)?;
//! let verdict = engine.inspect_request(&Request::new("GET", "/"));
//! assert!(!verdict.action.is_block());
//! # Ok::<(), ironward_state_redis::Error>(())
//! ```

mod background;
mod epoch;
mod notice;
mod pending;
mod script;
mod sentinel;
mod store;
mod target;

pub use notice::{Notice, Notify, stderr};
pub use store::{RedisState, Stats};

use ironward_core::engine::{EngineBuilder, EngineError};
use ironward_core::{Config, Engine};
use std::sync::Arc;

/// Why a shared state or an engine could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `SHARED_STATE_URL` is not a usable Redis URL (the message never repeats the URL).
    #[error("SHARED_STATE_URL: {0}")]
    Url(String),
    /// The engine itself cannot be built from the configuration.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// An engine builder for `config`, with the Redis store plugged in when `SHARED_STATE_URL` is
/// set (the connection is made in the background: an unreachable Redis is not an error here,
/// it is reported once and the engine counts locally until it answers).
pub fn engine_builder(config: Config) -> Result<EngineBuilder, Error> {
    if config.shared_state_url.is_empty() {
        return Ok(Engine::builder(config));
    }
    let state = RedisState::start(&config)?;
    Ok(Engine::builder(config).state(Arc::new(state)))
}

/// [`engine_builder`] built.
pub fn build_engine(config: Config) -> Result<Engine, Error> {
    Ok(engine_builder(config)?.build()?)
}
