//! What the package's background Rust threads share (the management agent, `cloud.rs`, and
//! the configuration file watch, `watch.rs`): their handle kept for the process that started
//! it, and the call of the adapter's Python callback that applies a change.
//!
//! Forks: a thread does not survive a fork. The package starts a new one in the child; the
//! parent's handle is forgotten there (never stopped, joined or dropped: its thread does not
//! exist in the child, and its locks may be held).

use pyo3::prelude::*;
use std::sync::{Mutex, PoisonError};

/// The handle of a background thread, usable only in the process that started it.
pub(crate) struct ProcessHandle<T> {
    handle: Mutex<Option<T>>,
    /// The process that started the thread.
    pid: u32,
}

impl<T> ProcessHandle<T> {
    /// The handle of a thread just started by this process.
    pub(crate) fn new(handle: T) -> Self {
        Self {
            handle: Mutex::new(Some(handle)),
            pid: std::process::id(),
        }
    }

    /// The process that started the thread.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Takes the handle out: `None` once stopped, or in a forked child (where the parent's
    /// handle is forgotten).
    pub(crate) fn take(&self) -> Option<T> {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if std::process::id() != self.pid {
            std::mem::forget(handle);
            return None;
        }
        handle
    }

    /// Whether the thread runs (started here and not stopped), and what `read` says of it
    /// (the default when it does not run).
    pub(crate) fn read<R: Default>(&self, read: impl FnOnce(&T) -> R) -> (bool, R) {
        let guard = self.handle.lock().unwrap_or_else(PoisonError::into_inner);
        let running = guard.is_some() && std::process::id() == self.pid;
        let value = guard
            .as_ref()
            .filter(|_| running)
            .map(read)
            .unwrap_or_default();
        (running, value)
    }

    /// Stops the thread: with `wait`, `join` waits for it with the GIL released (it may be
    /// waiting for the GIL to apply a change); otherwise the handle is dropped, which only
    /// signals the thread. Idempotent.
    pub(crate) fn stop(&self, py: Python<'_>, wait: bool, join: impl FnOnce(T) + Send)
    where
        T: Send,
    {
        if let Some(handle) = self.take() {
            if wait {
                py.detach(|| join(handle));
            } else {
                drop(handle);
            }
        }
    }
}

impl<T> Drop for ProcessHandle<T> {
    fn drop(&mut self) {
        // Dropping a handle only signals its thread; in a forked child even that is skipped.
        let _ = self.take();
    }
}

/// Calls the adapter's `callback(text)` with the GIL: `None` (or an empty list) when the
/// change was applied, the list of errors when it was refused. Once the interpreter is
/// finalizing, the change is refused instead of attaching.
pub(crate) fn apply_in_python(callback: &Py<PyAny>, text: &str) -> Result<(), Vec<String>> {
    Python::try_attach(|py| match callback.call1(py, (text,)) {
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
