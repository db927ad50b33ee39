//! `CloudAgent`: the Python package's management agent, `ironward-cloud-client` (one Rust
//! implementation of pyrasp's cloud protocol) with hooks over the package's engine.
//!
//! The agent runs on its own Rust thread and never blocks the adapter's constructor (pyrasp
//! waits up to 5 s for its connect). Everything but a configuration change is done natively on
//! the engine in force, without the GIL: the beacon settings, the blacklist shared with the
//! fleet, the telemetry counters (the engine's metrics: responses by status class, attacks). A **configuration change** is handed to Python: the agent
//! thread takes the GIL and calls the adapter's callback, which rebuilds its engine with the
//! remote layer exactly as `set_config` does (`Engine(…, previous=…, remote=…)`: the state
//! store, so the blacklist and the counters, carries over) and swaps it in with one attribute
//! store, which is atomic for the request threads. The callback runs once per change, never on
//! a request path; requests cost nothing more than before (no flag to check per request).
//!
//! The callback is called with `Python::try_attach`: once the interpreter is finalizing, a
//! change is refused instead of attaching. A process forked after the agent started (gunicorn
//! `--preload`) does not inherit its thread: the package starts a new agent in the child, and
//! the parent's handle is forgotten there (never stopped or joined: `background.rs`).
//!
//! The configuration file is watched by `watch.rs` (`ConfigWatch`), with or without an agent:
//! these hooks leave [`CloudHooks::config_file`] at its default (none), and both kinds of
//! change are serialised by the adapter's reconfiguration lock.

use crate::background::{ProcessHandle, apply_in_python};
use crate::engine::{PyEngine, Shared};
use ironward_cloud_client::{
    BeaconSettings, BlacklistEntry, CloudClient, CloudHooks, CloudOptions, ConfigSource,
    RemoteConfig, RequestCounters, Route, add_shared_entries, counters_from_metrics,
    remove_shared_entries, shared_blacklist,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// What the agent thread reaches: the engine in force and the Python callback.
struct PyHooks {
    engine: Mutex<Arc<Shared>>,
    on_config: Py<PyAny>,
}

impl PyHooks {
    fn current(&self) -> Arc<Shared> {
        Arc::clone(&self.engine.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl CloudHooks for PyHooks {
    fn apply_config(&self, remote: &RemoteConfig) -> Result<(), Vec<String>> {
        let text = serde_json::to_string(remote).map_err(|e| vec![e.to_string()])?;
        apply_in_python(&self.on_config, &text)
    }

    fn beacon_settings(&self) -> BeaconSettings {
        BeaconSettings::from_config(self.current().engine.config())
    }

    fn counters(&self) -> RequestCounters {
        // The engine's metrics (kept across reconfigurations).
        counters_from_metrics(&self.current().engine.metrics().snapshot())
    }

    fn blacklist(&self) -> Vec<BlacklistEntry> {
        shared_blacklist(&self.current().engine)
    }

    fn add_blacklist_entries(&self, entries: &[BlacklistEntry]) {
        // Through the state store: with SHARED_STATE_URL, written to Redis and published to
        // every worker.
        add_shared_entries(&self.current().engine, entries);
    }

    fn remove_blacklist_entries(&self, ips: &[String]) {
        remove_shared_entries(&self.current().engine, ips);
    }
}

/// The management agent of one adapter (`ironward._ironward.CloudAgent`).
#[pyclass(name = "CloudAgent", module = "ironward._ironward", frozen)]
pub struct PyCloudAgent {
    client: ProcessHandle<CloudClient>,
    hooks: Arc<PyHooks>,
}

impl std::fmt::Debug for PyCloudAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudAgent")
            .field("pid", &self.client.pid())
            .finish_non_exhaustive()
    }
}

#[pymethods]
impl PyCloudAgent {
    /// Starts the agent for `engine` (its `CLOUD_*` keys say how to reach the server) on a
    /// background thread and returns at once. `on_config(remote_json)` is called on that thread,
    /// with the GIL, for every configuration the server sends (`remote_json`:
    /// `{"template": …, "config": {…}}`); it returns None when applied or the list of errors
    /// when refused. `routes` is the JSON route map sent at connect.
    #[new]
    #[pyo3(signature = (url, key, engine, on_config, platform="Python", version="", routes=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        url: &str,
        key: &str,
        engine: PyRef<'_, PyEngine>,
        on_config: Py<PyAny>,
        platform: &str,
        version: &str,
        routes: Option<&str>,
    ) -> PyResult<PyCloudAgent> {
        let routes: BTreeMap<String, Route> = match routes.map(str::trim) {
            None | Some("") => BTreeMap::new(),
            Some(text) => serde_json::from_str(text).unwrap_or_default(),
        };
        let mut options = CloudOptions::resolve(Some(url), Some(key))
            .ok_or_else(|| PyValueError::new_err("the cloud URL and the key must not be empty"))?
            .with_config(engine.shared.engine.config())
            .platform(platform)
            .routes(routes);
        if !version.is_empty() {
            options = options.version(version);
        }
        let hooks = Arc::new(PyHooks {
            engine: Mutex::new(Arc::clone(&engine.shared)),
            on_config,
        });
        // Applies a cached configuration (CLOUD_CACHE_PATH) here, through `on_config`, then
        // returns: the network is the thread's.
        let client = CloudClient::start(options, Arc::clone(&hooks) as Arc<dyn CloudHooks>)
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the cloud agent: {e}")))?;
        Ok(PyCloudAgent {
            client: ProcessHandle::new(client),
            hooks,
        })
    }

    /// Makes `engine` the one the agent manages (after a reconfiguration).
    fn set_engine(&self, engine: PyRef<'_, PyEngine>) {
        *self
            .hooks
            .engine
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&engine.shared);
    }

    /// What the agent knows: `connected`, `source` (`local`, `cache` or `cloud`), `connects`,
    /// `beacons`, `failures`, `last_error` (text or None), `refused_config` (errors or None),
    /// `remote` (the remote configuration as JSON text, or None), `running`.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (running, status) = self.client.read(CloudClient::status);
        let d = PyDict::new(py);
        d.set_item("running", running)?;
        d.set_item("connected", status.connected)?;
        d.set_item(
            "source",
            match status.source {
                ConfigSource::Local => "local",
                ConfigSource::Cache => "cache",
                ConfigSource::Cloud => "cloud",
            },
        )?;
        d.set_item("connects", status.connects)?;
        d.set_item("beacons", status.beacons)?;
        d.set_item("failures", status.failures)?;
        d.set_item("last_error", status.last_error.map(|e| e.to_string()))?;
        d.set_item("refused_config", status.refused_config)?;
        d.set_item(
            "remote",
            status
                .remote
                .as_ref()
                .and_then(|r| serde_json::to_string(r).ok()),
        )?;
        Ok(d)
    }

    /// Stops the thread and, with `wait`, waits for it (at most one request timeout) with the
    /// GIL released (the thread may be waiting for it to apply a configuration). Idempotent.
    #[pyo3(signature = (wait=true))]
    fn stop(&self, py: Python<'_>, wait: bool) {
        self.client.stop(py, wait, CloudClient::stop);
    }
}
