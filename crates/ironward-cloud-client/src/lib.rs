//! # Ironward management agent
//!
//! The agent side of pyrasp's cloud protocol (`docs/management-protocol.md`), spoken to
//! `ironward server` or to any server of that protocol: one implementation in Rust, used by the
//! Rust adapters and by the Python package.
//!
//! [`CloudClient::start`] runs a background thread (a std thread and a blocking HTTP client:
//! no async runtime) that
//! * **connects** (`POST` to the connect URL with the key, version, platform and routes) and
//!   applies the configuration and blacklist it receives;
//! * **beacons** every `BEACON_DELAY` seconds to `BEACON_URL`, with telemetry (this process's
//!   CPU and memory, request counters) when `TELEMETRY_DATA`, and the IPs this agent
//!   blacklisted since its last beacon when `BLACKLIST_SHARE`; it applies the configuration
//!   changes and the fleet's blacklist entries the answers carry ("blacklisted once,
//!   blacklisted everywhere");
//! * **never blocks** start-up or requests: timeouts (`CLOUD_TIMEOUT_MS`), exponential back-off
//!   with jitter (`CLOUD_RETRY_MAX_MS`), bounded answers (`CLOUD_MAX_RESPONSE_BYTES`). With the
//!   server down or the key refused, the application runs on its local configuration (or the
//!   last one received, kept on disk at `CLOUD_CACHE_PATH`), says so once and says when the
//!   server is back.
//!
//! The application is reached through [`CloudHooks`]; [`EngineHooks`] implements them over an
//! [`ironward_core::reload::SharedEngine`]: a remote configuration becomes the `remote` layer
//! over the application's [`LocalLayers`] and is swapped in atomically (blacklist and counters
//! carry over; a refused configuration leaves the running one in place).
//!
//! ```
//! use ironward_cloud_client::{CloudClient, CloudOptions, EngineHooks, LocalLayers};
//! use ironward_core::reload::SharedEngine;
//! use ironward_core::{Config, Engine};
//! use std::sync::Arc;
//!
//! let local = LocalLayers { template: Some("default".into()), ..LocalLayers::default() };
//! let config = local.load(None).expect("valid").config;
//! let shared = SharedEngine::new(Engine::new(config.clone()).expect("valid"));
//! // The adapters take `shared` (tower: `IronwardLayer::shared`, actix: `Ironward::shared`).
//!
//! // Usually `CloudOptions::from_env()` (IRONWARD_CLOUD_URL and IRONWARD_KEY); here a server
//! // that is not running: start-up is not delayed, the application runs on its local
//! // configuration and the agent says so once on standard error.
//! let options = CloudOptions::new("http://127.0.0.1:9/api/v1/connect", "iwk_example")
//!     .with_config(&config)
//!     .platform("axum");
//! let hooks = Arc::new(EngineHooks::new(shared.clone(), local));
//! let agent = CloudClient::start(options, hooks)?;
//! assert!(!agent.status().connected);
//! assert_eq!(shared.generation(), 0); // still the local configuration
//! agent.stop();
//! # Ok::<(), std::io::Error>(())
//! ```

mod backoff;
mod client;
mod engine_hooks;
mod hooks;
mod http;
mod options;
mod remote;
mod telemetry;

pub use client::{CloudClient, CloudStatus, ConfigSource, MAX_SHARED_PER_BEACON};
pub use engine_hooks::{
    EngineHooks, LocalLayers, add_shared_entries, counters_from_metrics, remove_shared_entries,
    shared_blacklist,
};
pub use hooks::{BeaconSettings, CloudHooks};
pub use http::Failure;
pub use ironward_cloud_protocol::{BlacklistEntry, ConfigMap, RequestCounters, Route};
pub use options::{CloudOptions, KEY_VARS, URL_VARS};
pub use remote::{CACHE_VERSION, LOCAL_ONLY_PREFIX, RemoteConfig};
