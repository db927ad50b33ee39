//! `Verdict`: what the engine decided about a request, a response or a stream chunk, as the
//! Python adapters see it. It carries the block response ready to send (status, headers, body)
//! and keeps the core verdict and the request's method and path, so that the response of the
//! same request can be inspected later without passing them again.

use crate::sink::PySinkContext;
use ironward_core::config::BlockAction;
use ironward_core::sink::SinkRequest;
use ironward_core::verdict::{Action, Verdict};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::sync::Arc;

/// The engine's decision. Immutable.
#[pyclass(name = "Verdict", module = "ironward._ironward", frozen)]
#[derive(Debug, Clone)]
pub struct PyVerdict {
    pub(crate) inner: Verdict,
    pub(crate) method: Arc<str>,
    pub(crate) path: Arc<str>,
    pub(crate) server: Option<Arc<str>>,
    /// The request's inputs for the sink checks, when a sink check is on and the request
    /// goes on to the application.
    pub(crate) sink: Option<Arc<SinkRequest>>,
}

impl PyVerdict {
    /// Wraps a core verdict.
    pub(crate) fn new(
        inner: Verdict,
        method: Arc<str>,
        path: Arc<str>,
        server: Option<Arc<str>>,
    ) -> PyVerdict {
        PyVerdict {
            inner,
            method,
            path,
            server,
            sink: None,
        }
    }

    /// Attaches the request's sink inputs.
    pub(crate) fn with_sink(mut self, sink: Option<SinkRequest>) -> PyVerdict {
        self.sink = sink.map(Arc::new);
        self
    }
}

#[pymethods]
impl PyVerdict {
    /// `allow`, `monitor`, `block` or `block_and_blacklist`.
    #[getter]
    fn action(&self) -> &'static str {
        self.inner.action.as_str()
    }

    /// True when the adapter must send the block response instead of going on.
    #[getter]
    fn blocked(&self) -> bool {
        self.inner.is_blocked()
    }

    /// True when something was found (at any level).
    #[getter]
    fn flagged(&self) -> bool {
        !self.inner.findings.is_empty()
    }

    /// True for `monitor`: something was found, report only.
    #[getter]
    fn monitored(&self) -> bool {
        self.inner.action == Action::Monitor
    }

    /// The status of the block response, or None when not blocking.
    #[getter]
    fn status(&self) -> Option<u16> {
        self.inner.response.as_ref().map(|r| r.status)
    }

    /// The body of the block response (UTF-8 bytes; empty for a redirect), or None.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let r = self.inner.response.as_ref()?;
        Some(match r.action {
            BlockAction::Redirect => PyBytes::new(py, b""),
            BlockAction::Block => PyBytes::new(py, r.content.as_bytes()),
        })
    }

    /// The redirect target when the block response is a redirect, else None.
    #[getter]
    fn location(&self) -> Option<&str> {
        let r = self.inner.response.as_ref()?;
        (r.action == BlockAction::Redirect).then_some(r.content.as_str())
    }

    /// The headers of the block response: `Content-Type` (or `Location` for a redirect),
    /// `Content-Length` and `Server` when the configuration rewrites it. Empty when not
    /// blocking.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        let Some(r) = self.inner.response.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(3);
        match r.action {
            BlockAction::Redirect => {
                out.push(("Location", r.content.clone()));
                out.push(("Content-Length", "0".to_owned()));
            }
            BlockAction::Block => {
                out.push(("Content-Type", "text/html; charset=utf-8".to_owned()));
                out.push(("Content-Length", r.content.len().to_string()));
            }
        }
        if let Some(s) = &self.server {
            out.push(("Server", s.to_string()));
        }
        out
    }

    /// The client IP the engine settled on (the peer, or forwarded by a trusted proxy).
    #[getter]
    fn client_ip(&self) -> Option<String> {
        self.inner.client_ip.map(|ip| ip.to_string())
    }

    /// Set when the engine failed internally; the action then follows `FAIL_OPEN`.
    #[getter]
    fn internal_error(&self) -> Option<&str> {
        self.inner.internal_error.as_deref()
    }

    /// `whitelisted` or `ignored_path` when the checks were skipped on purpose, else None.
    #[getter]
    fn skipped(&self) -> Option<&'static str> {
        use ironward_core::verdict::Skipped;
        self.inner.skipped.map(|s| match s {
            Skipped::Whitelisted => "whitelisted",
            Skipped::IgnoredPath => "ignored_path",
        })
    }

    /// The request method this verdict is about.
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The request path this verdict is about.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The request's inputs for the sink checks (`SinkContext`), or None when no sink check
    /// is on or the request does not go on to the application.
    #[getter]
    fn sink_context(&self) -> Option<PySinkContext> {
        let sink = self.sink.as_ref()?;
        Some(PySinkContext::new(
            Arc::clone(sink),
            Arc::clone(&self.method),
            Arc::clone(&self.path),
        ))
    }

    /// What was found, in pipeline order: dicts with `check`, `attack`, `location`,
    /// `payload`, `level`, `action`, `score` and `engine`; a sink finding also has `sink`, a
    /// dict with `sink`, `operation`, `reason`, `caller` and `request_check`.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for f in &self.inner.findings {
            let d = PyDict::new(py);
            d.set_item("check", f.check.key())?;
            d.set_item("attack", f.check.attack_name())?;
            d.set_item("location", f.location)?;
            d.set_item("payload", &f.payload)?;
            d.set_item("level", f.level.as_u8())?;
            d.set_item("action", f.action().as_str())?;
            d.set_item("score", f.score)?;
            d.set_item("engine", f.engine)?;
            if let Some(s) = f.sink.as_deref() {
                let sd = PyDict::new(py);
                sd.set_item("sink", s.sink.as_str())?;
                sd.set_item("operation", &s.operation)?;
                sd.set_item("reason", reason_name(s.reason))?;
                sd.set_item("description", s.reason.describe())?;
                sd.set_item("caller", s.caller.as_deref())?;
                sd.set_item("request_check", s.request_check.map(|c| c.key()))?;
                d.set_item("sink", sd)?;
            }
            list.append(d)?;
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        let checks: Vec<&str> = self.inner.findings.iter().map(|f| f.check.key()).collect();
        format!(
            "Verdict(action={:?}, status={:?}, findings={:?})",
            self.inner.action.as_str(),
            self.inner.response.as_ref().map(|r| r.status),
            checks
        )
    }
}

/// A reason's name as in events (`quote`, `climb`…).
fn reason_name(reason: ironward_core::sink::Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
