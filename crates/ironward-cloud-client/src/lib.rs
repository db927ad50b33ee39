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
//!
//! ## Hot reload of the local configuration file
//!
//! [`watch_config`] looks at the application's configuration file every
//! `CONFIG_RELOAD_INTERVAL` seconds (5 by default; fractions allowed) on a background thread
//! and applies each change as a hot reload; an invalid file is refused and reported once, a
//! deleted one leaves the running configuration in place. With a management server, give
//! [`EngineHooks`] the layers of [`LocalLayers::from_file`]: [`CloudClient::start`] then
//! watches the file too, and a local change keeps the remote layer (and the other way round).
//!
//! ```
//! use ironward_cloud_client::{WatchOptions, watch_config};
//! use ironward_core::check::CheckId;
//! use ironward_core::config::{Config, Level};
//! use ironward_core::reload::SharedEngine;
//! use ironward_core::Engine;
//! use std::time::{Duration, Instant};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("rasp.json");
//! std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 2}}"#)?;
//! let config = Config::from_json_str(&std::fs::read_to_string(&path)?).expect("valid").config;
//! let shared = SharedEngine::new(Engine::new(config.clone()).expect("valid"));
//! // The adapters take `shared` (tower: `IronwardLayer::new(shared.clone())`).
//!
//! // Usually `WatchOptions::from_config(&config)` (`None` when CONFIG_RELOAD_INTERVAL is 0).
//! let options = WatchOptions::new(Duration::from_millis(50));
//! let watch = watch_config(&path, shared.clone(), options)?; // watches until dropped
//!
//! std::fs::write(&path, r#"{"SECURITY_CHECKS": {"xss": 0}}"#)?;
//! let deadline = Instant::now() + Duration::from_secs(10);
//! while shared.generation() == 0 && Instant::now() < deadline {
//!     std::thread::sleep(Duration::from_millis(10));
//! }
//! assert_eq!(shared.load().config().security_checks.level(CheckId::Xss), Level::Off);
//! assert_eq!(watch.status().applied, 1);
//! # Ok::<(), std::io::Error>(())
//! ```

mod backoff;
mod client;
mod engine_hooks;
mod hooks;
mod http;
mod local_watch;
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
pub use local_watch::{
    ConfigWatch, FileHooks, MAX_CONFIG_FILE_BYTES, MIN_RELOAD_INTERVAL, WatchOptions, WatchStatus,
    reload_interval, watch_config,
};
pub use options::{CloudOptions, KEY_VARS, URL_VARS};
pub use remote::{CACHE_VERSION, LOCAL_ONLY_PREFIX, RemoteConfig};
