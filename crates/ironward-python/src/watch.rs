//! `ConfigWatch`: hot reload of the Python package's configuration file (the `conf=` path, or
//! the file `IRONWARD_CONF`/`PYRASP_CONF`/`CONF_FILE` names), by `ironward-cloud-client`'s
//! watcher ([`ironward_cloud_client::ConfigWatch`]: a `stat` every `CONFIG_RELOAD_INTERVAL`
//! seconds, the bytes hashed when the metadata moved) on its own Rust thread.
//!
//! A change is handed to Python as the management agent's changes are (`cloud.rs`): the thread
//! takes the GIL and calls the adapter's callback, which rebuilds the engine exactly as
//! `set_config` does (`Engine(…, previous=…, remote=…)`: the state store, so the blacklist and
//! the counters, and the metrics carry over; the remote layer stays) and swaps it in with one
//! attribute store. A refused file is reported once per distinct content; the running engine
//! stays. Requests cost nothing more: there is no flag to check per request.
//!
//! Forks: the watch thread does not survive a fork. The package starts a new watch in the
//! child; the parent's handle is forgotten there (`background.rs`), as the agent's is.

use crate::background::{ProcessHandle, apply_in_python};
use ironward_cloud_client::{ConfigWatch, FileHooks};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// Calls the Python callback with the new text.
struct PyFileHooks {
    on_change: Py<PyAny>,
}

impl FileHooks for PyFileHooks {
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        apply_in_python(&self.on_change, text)
    }
}

/// The watch of one adapter's configuration file (`ironward._ironward.ConfigWatch`).
#[pyclass(name = "ConfigWatch", module = "ironward._ironward", frozen)]
pub struct PyConfigWatch {
    watch: ProcessHandle<ConfigWatch>,
}

impl std::fmt::Debug for PyConfigWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigWatch")
            .field("pid", &self.watch.pid())
            .finish_non_exhaustive()
    }
}

#[pymethods]
impl PyConfigWatch {
    /// Watches `path` every `interval` seconds (at least 0.05) on a background thread and
    /// returns at once. The file is read now as the reference (the engine in force was built
    /// from it). `on_change(text)` is called on the thread, with the GIL, once per new content;
    /// it returns None when applied or the list of errors when refused.
    #[new]
    fn new(path: &str, interval: f64, on_change: Py<PyAny>) -> PyResult<PyConfigWatch> {
        if !(interval.is_finite() && interval > 0.0) {
            return Err(PyValueError::new_err(
                "the interval must be a positive number",
            ));
        }
        let interval = Duration::from_secs_f64(interval.min(86_400.0));
        let baseline = std::fs::File::open(path).ok().and_then(|f| {
            let mut text = String::new();
            f.take(ironward_cloud_client::MAX_CONFIG_FILE_BYTES)
                .read_to_string(&mut text)
                .ok()
                .map(|_| text)
        });
        let hooks = Arc::new(PyFileHooks { on_change });
        let watch =
            ConfigWatch::start(path, interval, baseline.as_deref(), hooks).map_err(|e| {
                PyRuntimeError::new_err(format!("cannot watch the configuration file: {e}"))
            })?;
        Ok(PyConfigWatch {
            watch: ProcessHandle::new(watch),
        })
    }

    /// What the watch knows: `running`, `path`, `applied`, `refused` (counts), `refused_config`
    /// (the last refusal's errors, or None), `missing`, `last_error` (text or None).
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (running, (path, status)) = self
            .watch
            .read(|w| (Some(w.path().display().to_string()), w.status()));
        let d = PyDict::new(py);
        d.set_item("running", running)?;
        d.set_item("path", path)?;
        d.set_item("applied", status.applied)?;
        d.set_item("refused", status.refused)?;
        d.set_item("refused_config", status.refused_config)?;
        d.set_item("missing", status.missing)?;
        d.set_item("last_error", status.last_error)?;
        Ok(d)
    }

    /// Stops the thread and, with `wait`, waits for it with the GIL released (it may be
    /// waiting for the GIL to apply a change). Idempotent.
    #[pyo3(signature = (wait=true))]
    fn stop(&self, py: Python<'_>, wait: bool) {
        self.watch.stop(py, wait, ConfigWatch::stop);
    }
}
