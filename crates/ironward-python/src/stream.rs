//! `DlpStream`: DLP over a streamed response (generators, server-sent events, bodies of unknown
//! length). The adapter pushes every chunk before forwarding it; a verdict comes back when a
//! leak is found, and a blocking verdict means: cut the stream (its headers are already out).
//! The scanner state sits behind a mutex, so the object is safe to share between threads.
//! A panic while scanning is an internal error (counted, reported, `FAIL_OPEN` decides its
//! verdict); the scanner then stops: the rest of the stream goes on unscanned.

use crate::engine::Shared;
use crate::verdict::PyVerdict;
use ironward_core::check::DlpStream;
use ironward_core::request::Request;
use ironward_core::verdict::{Finding, Verdict};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Chunks shorter than this are scanned without releasing the GIL (it costs more than it
/// saves).
const DETACH_FROM: usize = 16 * 1024;

/// The DLP scanner of one streamed response.
#[pyclass(name = "DlpStream", module = "ironward._ironward", frozen)]
#[derive(Debug)]
pub struct PyDlpStream {
    shared: Arc<Shared>,
    scanner: Mutex<DlpStream>,
    inbound: PyVerdict,
    /// A step panicked: the scanner's state is not trusted any more.
    failed: AtomicBool,
}

impl PyDlpStream {
    /// A scanner for the response to the request that got `inbound`.
    pub(crate) fn new(shared: Arc<Shared>, scanner: DlpStream, inbound: PyVerdict) -> Self {
        PyDlpStream {
            shared,
            scanner: Mutex::new(scanner),
            inbound,
            failed: AtomicBool::new(false),
        }
    }

    /// Runs `step` on the scanner; a finding becomes a reported verdict. Nothing once a step
    /// panicked.
    fn step(&self, step: impl FnOnce(&mut DlpStream) -> Option<Finding>) -> Option<Verdict> {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        let run = || {
            self.shared.maybe_fault();
            let finding = {
                let mut s = self.scanner.lock().unwrap_or_else(|p| p.into_inner());
                step(&mut s)
            }?;
            let engine = &self.shared.engine;
            let v = engine.stream_verdict(&self.inbound.inner, finding);
            let request = Request::new(&self.inbound.method, &self.inbound.path);
            self.shared.reporter.report(engine, &request, &v);
            Some(v)
        };
        catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| {
            self.failed.store(true, Ordering::Relaxed);
            Some(self.shared.panicked(p.as_ref()))
        })
    }

    fn wrap(&self, v: Verdict) -> PyVerdict {
        PyVerdict::new(
            v,
            Arc::clone(&self.inbound.method),
            Arc::clone(&self.inbound.path),
            self.shared.server.clone(),
        )
    }
}

#[pymethods]
impl PyDlpStream {
    /// Scans the next chunk (as sent: still compressed if the response is). Returns a verdict
    /// when a leak is found (once per stream), else None. Cut the stream when it blocks.
    fn push(&self, py: Python<'_>, chunk: PyBackedBytes) -> Option<PyVerdict> {
        let v = if chunk.len() >= DETACH_FROM {
            py.detach(|| self.step(|s| s.push(&chunk)))
        } else {
            self.step(|s| s.push(&chunk))
        }?;
        Some(self.wrap(v))
    }

    /// Ends the stream: scans what was held back. Returns a verdict when a leak is found.
    fn finish(&self) -> Option<PyVerdict> {
        let v = self.step(DlpStream::finish)?;
        Some(self.wrap(v))
    }

    /// True once a leak was reported, the stream finished, or scanning failed.
    #[getter]
    fn done(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
            || self
                .scanner
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_done()
    }
}
