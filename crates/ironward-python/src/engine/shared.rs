//! The state one `Engine` shares with its stream scanners, and how an inspection runs on it:
//! with the GIL released, a panic caught and turned into a verdict as `FAIL_OPEN` decides
//! (and reported on standard error).

use super::PyEngine;
use crate::report::Reporter;
use crate::verdict::PyVerdict;
use crate::wsgi::OwnedRequest;
use ironward_core::Engine;
use ironward_core::verdict::{Action, BlockResponse, Verdict};
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Everything an inspection needs, shared with the stream scanners.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) reporter: Reporter,
    pub(crate) server: Option<Arc<str>>,
    /// Test aid: every inspection panics inside the native layer.
    pub(super) fault: bool,
}

impl Shared {
    /// The verdict for a panic caught in this layer: `FAIL_OPEN` decides, and it is reported
    /// and counted (`ironward_internal_errors_total`: the engine never recorded this verdict).
    pub(crate) fn panicked(&self, panic: &(dyn std::any::Any + Send)) -> Verdict {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".to_owned());
        let action = if self.engine.config().fail_open {
            Action::Allow
        } else {
            Action::Block
        };
        self.engine.metrics().record_internal_error();
        self.reporter.internal_error(&message, action.as_str());
        Verdict {
            action,
            response: action
                .is_block()
                .then(|| BlockResponse::for_action(self.engine.config(), action)),
            internal_error: Some(message),
            ..Verdict::default()
        }
    }

    /// Panics when the test fault is on.
    pub(crate) fn maybe_fault(&self) {
        if self.fault {
            panic!("injected fault (Engine(_fault=True))");
        }
    }
}

impl PyEngine {
    /// Inspects an owned request with the GIL released.
    pub(super) fn inspect_owned(&self, py: Python<'_>, req: OwnedRequest) -> PyVerdict {
        let shared = Arc::clone(&self.shared);
        let method: Arc<str> = Arc::from(req.method.as_str());
        let path: Arc<str> = Arc::from(req.path());
        let (verdict, sink) = py.detach(move || {
            let run = || {
                shared.maybe_fault();
                req.with(|r| {
                    // Sinks on: the same inspection, keeping the request's inputs for them.
                    let (v, sink) = if shared.engine.sinks_on() {
                        shared.engine.inspect_request_for_sinks(r)
                    } else {
                        (shared.engine.inspect_request(r), None)
                    };
                    shared.reporter.report(&shared.engine, r, &v);
                    (v, sink)
                })
            };
            catch_unwind(AssertUnwindSafe(run))
                .unwrap_or_else(|p| (shared.panicked(p.as_ref()), None))
        });
        PyVerdict::new(verdict, method, path, self.shared.server.clone()).with_sink(sink)
    }
}
