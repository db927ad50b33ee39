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
//! child; the parent's handle is forgotten there (never stopped or joined), as the agent's is.

use ironward_cloud_client::{ConfigWatch, FileHooks};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Calls the Python callback with the new text.
struct PyFileHooks {
    on_change: Py<PyAny>,
}

impl FileHooks for PyFileHooks {
    fn apply_file(&self, text: &str) -> Result<(), Vec<String>> {
        Python::try_attach(|py| match self.on_change.call1(py, (text,)) {
            Ok(v) if v.is_none(py) => Ok(()),
            Ok(v) => match v.extract::<Vec<String>>(py) {
                Ok(errors) if errors.is_empty() => Ok(()),
                Ok(errors) => Err(errors),
                Err(_) => Err(vec!["the configuration was refused".to_owned()]),
            },
            Err(e) => Err(vec![e.to_string()]),
        })
        .unwrap_or_else(|| Err(vec!["the Python interpreter is shutting down".to_owned()]))
    }
}

/// The watch of one adapter's configuration file (`ironward._ironward.ConfigWatch`).
#[pyclass(name = "ConfigWatch", module = "ironward._ironward", frozen)]
pub struct PyConfigWatch {
    watch: Mutex<Option<ConfigWatch>>,
    /// The process that started the thread.
    pid: u32,
}

impl std::fmt::Debug for PyConfigWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigWatch")
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

impl PyConfigWatch {
    /// Takes the watch out: `None` once stopped, or in a forked child (where the parent's
    /// watch is forgotten: its thread does not exist here, and its locks may be held).
    fn take(&self) -> Option<ConfigWatch> {
        let watch = self
            .watch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if std::process::id() != self.pid {
            std::mem::forget(watch);
            return None;
        }
        watch
    }
}

impl Drop for PyConfigWatch {
    fn drop(&mut self) {
        // Dropping a watch only signals its thread; in a forked child even that is skipped.
        let _ = self.take();
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
            watch: Mutex::new(Some(watch)),
            pid: std::process::id(),
        })
    }

    /// What the watch knows: `running`, `path`, `applied`, `refused` (counts), `refused_config`
    /// (the last refusal's errors, or None), `missing`, `last_error` (text or None).
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let guard = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
        let running = guard.is_some() && std::process::id() == self.pid;
        let (path, status) = guard
            .as_ref()
            .filter(|_| running)
            .map(|w| (Some(w.path().display().to_string()), w.status()))
            .unwrap_or_default();
        drop(guard);
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
        if let Some(watch) = self.take() {
            if wait {
                py.detach(|| watch.stop());
            } else {
                drop(watch);
            }
        }
    }
}
