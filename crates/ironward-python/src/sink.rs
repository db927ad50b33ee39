//! Sink checks from Python: `SinkContext` (the inputs of one request, kept for its sinks) and
//! the `Engine.check_*` methods the instrumentation in `ironward._sinks` calls when the
//! application runs a query, a command, opens a file, connects somewhere or queries MongoDB.
//!
//! A check is a few hundred nanoseconds for ordinary operations, less than releasing and
//! taking back the GIL can cost on a busy server (a thread waiting for the GIL may wait a
//! whole switch interval), so it runs with the GIL held; only operations longer than
//! [`DETACH_FROM`] bytes are checked with it released. The verdict's findings are reported
//! (console, event shipper) like a request's, with the request's method and path.
//!
//! `caller` (where the application called the sink, for the event) is a string, or a
//! callable returning one that is only called when there is a finding: the Python side walks
//! the stack only then.

use crate::engine::{PyEngine, Shared};
use crate::verdict::PyVerdict;
use ironward_core::request::Request;
use ironward_core::sink::{Dialect, Operation, SinkRequest};
use ironward_core::verdict::Verdict;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::net::IpAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Operations at least this long (bytes) are checked with the GIL released.
const DETACH_FROM: usize = 16 * 1024;

/// Longest `caller` kept, in bytes (the core keeps 512).
const MAX_CALLER: usize = 512;

/// The inputs of one request as the sink checks need them. Immutable; built by the engine
/// while it inspects the request (`Verdict.sink_context`), or from plain values
/// (`SinkContext.from_values`) for scripts and workers.
#[pyclass(name = "SinkContext", module = "ironward._ironward", frozen)]
#[derive(Debug, Clone)]
pub struct PySinkContext {
    pub(crate) inner: Arc<SinkRequest>,
    method: Arc<str>,
    path: Arc<str>,
}

impl PySinkContext {
    /// Wraps a request's sink inputs; `method` and `path` are the request's.
    pub(crate) fn new(inner: Arc<SinkRequest>, method: Arc<str>, path: Arc<str>) -> Self {
        PySinkContext {
            inner,
            method,
            path,
        }
    }
}

#[pymethods]
impl PySinkContext {
    /// A context from plain strings (every value's location is `input`), for code outside a
    /// web request: a worker's task arguments, a script's command line. `objects_json` is a
    /// JSON array of the parsed JSON documents the code received: their objects that carry
    /// query operators (`{"$ne": …}`, nested ones too) are what the NoSQL sink compares
    /// filters with, as for a request's JSON body; ValueError when it is not JSON.
    #[staticmethod]
    #[pyo3(signature = (values, method="TASK", path="/", objects_json=None))]
    fn from_values(
        values: Vec<PyBackedStr>,
        method: &str,
        path: &str,
        objects_json: Option<&str>,
    ) -> PyResult<PySinkContext> {
        let mut inner = SinkRequest::from_values(values.iter().map(|v| &**v));
        if let Some(text) = objects_json {
            let documents: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| PyValueError::new_err(format!("objects_json is not JSON: {e}")))?;
            let objects = ironward_core::sink::nosql::user_objects(Some(&documents), []);
            inner = inner.with_user_objects(objects);
        }
        inner.method = method.to_owned();
        inner.path = path.to_owned();
        Ok(PySinkContext::new(
            Arc::new(inner),
            Arc::from(method),
            Arc::from(path),
        ))
    }

    /// The input values the sink checks look for, in extraction order.
    fn values(&self) -> Vec<String> {
        self.inner.values().map(str::to_owned).collect()
    }

    /// The request method.
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The request path.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The client IP the engine settled on.
    #[getter]
    fn client_ip(&self) -> Option<String> {
        self.inner.client_ip.map(|ip| ip.to_string())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "SinkContext({} {}, {} inputs)",
            self.method,
            self.path,
            self.inner.len()
        )
    }
}

/// The dialect named by a driver (`sqlite`, `postgres`/`postgresql`, `mysql`/`mariadb`,
/// `generic`).
fn dialect(name: &str) -> PyResult<Dialect> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "sqlite" | "sqlite3" => Dialect::Sqlite,
        "postgres" | "postgresql" | "pg" => Dialect::Postgres,
        "mysql" | "mariadb" => Dialect::MySql,
        "generic" | "" => Dialect::Generic,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown SQL dialect {other:?} (sqlite, postgres, mysql, generic)"
            )));
        }
    })
}

/// An address as resolvers give it (`fe80::1%eth0` keeps its zone: dropped here).
fn address(text: &str) -> Option<IpAddr> {
    let bare = text.split('%').next().unwrap_or(text);
    let bare = bare
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(bare);
    bare.parse().ok()
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The caller text: the string, or what the callable returns (None on any error).
fn caller_text(caller: Option<&Bound<'_, PyAny>>) -> Option<String> {
    let c = caller?;
    if c.is_none() {
        return None;
    }
    let value = if c.is_callable() {
        c.call0().ok()?
    } else {
        c.clone()
    };
    let text: String = value.extract().ok()?;
    (!text.is_empty()).then(|| cut(&text, MAX_CALLER).to_owned())
}

/// Runs one sink check, with the GIL released when `detach`, a panic turned into a verdict as
/// `FAIL_OPEN` decides.
fn run_check(
    py: Python<'_>,
    shared: &Arc<Shared>,
    detach: bool,
    op: impl Fn() -> Verdict + Send + Sync,
) -> Verdict {
    let run = || {
        catch_unwind(AssertUnwindSafe(|| {
            shared.maybe_fault();
            op()
        }))
        .unwrap_or_else(|p| shared.panicked(p.as_ref()))
    };
    if detach { py.detach(run) } else { run() }
}

impl PyEngine {
    /// Finishes a sink verdict: the caller into its finding, the report, the Python object.
    fn sink_verdict(
        &self,
        ctx: &PySinkContext,
        mut verdict: Verdict,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        if !verdict.findings.is_empty() || verdict.internal_error.is_some() {
            if let Some(text) = caller_text(caller) {
                for f in &mut verdict.findings {
                    if let Some(d) = f.sink.as_deref_mut() {
                        d.caller = Some(text.clone());
                    }
                }
            }
            let shared = &self.shared;
            let request = Request {
                method: &ctx.method,
                path: &ctx.path,
                version: "1.1",
                ..Request::default()
            };
            let report = || shared.reporter.report(&shared.engine, &request, &verdict);
            if catch_unwind(AssertUnwindSafe(report)).is_err() {
                shared
                    .reporter
                    .internal_error("reporting a sink finding failed", "allow");
            }
        }
        PyVerdict::new(
            verdict,
            Arc::clone(&ctx.method),
            Arc::clone(&ctx.path),
            self.shared.server.clone(),
        )
    }

    /// Checks one operation for `ctx` and finishes the verdict.
    fn check_op(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        len: usize,
        caller: Option<&Bound<'_, PyAny>>,
        op: impl Fn(&ironward_core::Engine, &SinkRequest) -> Verdict + Send + Sync,
    ) -> PyVerdict {
        let shared = &self.shared;
        let request = &*ctx.inner;
        let verdict = run_check(py, shared, len >= DETACH_FROM, || {
            op(&shared.engine, request)
        });
        self.sink_verdict(ctx, verdict, caller)
    }
}

/// The sink methods of `Engine` (their `#[pymethods]` wrappers are in `engine.rs`).
impl PyEngine {
    /// True when at least one sink check is on (`SINK_CHECKS`): request verdicts then carry a
    /// `sink_context`.
    pub(crate) fn sinks_enabled(&self) -> bool {
        self.shared.engine.sinks_on()
    }

    /// The levels of the sink checks: `{sink: level}`.
    pub(crate) fn sink_level_list(&self) -> Vec<(&'static str, u8)> {
        use ironward_core::sink::Sink;
        let levels = &self.shared.engine.config().sink_checks;
        Sink::ALL
            .iter()
            .map(|s| (s.as_str(), levels.level(*s).as_u8()))
            .collect()
    }

    /// Checks a SQL query about to run, in the driver's dialect (`sqlite`, `postgres`,
    /// `mysql`, `generic`).
    pub(crate) fn sink_check_sql(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        query: PyBackedStr,
        dialect: &str,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVerdict> {
        let dialect = self::dialect(dialect)?;
        Ok(self.check_op(py, ctx, query.len(), caller, |e, r| {
            let op = Operation::Sql {
                query: &query,
                dialect,
            };
            e.check_sink(r, &op, None)
        }))
    }

    /// Checks a file path about to be opened, written, deleted or renamed; `base` is the
    /// directory the code joined the input to, when known.
    pub(crate) fn sink_check_path(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        path: PyBackedStr,
        base: Option<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.check_op(py, ctx, path.len(), caller, |e, r| {
            let op = Operation::Path {
                base: base.as_deref(),
                path: &path,
            };
            e.check_sink(r, &op, None)
        })
    }

    /// Checks a command line about to run through a shell.
    pub(crate) fn sink_check_command(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        command: PyBackedStr,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.check_op(py, ctx, command.len(), caller, |e, r| {
            e.check_sink(r, &Operation::Command { command: &command }, None)
        })
    }

    /// Checks a program about to be executed with an argument list (`args[0]` is the program).
    pub(crate) fn sink_check_argv(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        args: Vec<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        let len = args.iter().map(|a| a.len()).sum();
        self.check_op(py, ctx, len, caller, |e, r| {
            let argv: Vec<&str> = args.iter().map(|a| &**a).collect();
            e.check_sink(r, &Operation::Argv { args: &argv }, None)
        })
    }

    /// Checks an outbound connection: the URL (or `host` / `host:port`) and the addresses it
    /// resolved to (empty before resolution; unparsable ones are ignored).
    pub(crate) fn sink_check_url(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        target: PyBackedStr,
        resolved: Vec<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        let addresses: Vec<IpAddr> = resolved.iter().filter_map(|a| address(a)).collect();
        self.check_op(py, ctx, target.len(), caller, |e, r| {
            let op = Operation::Url {
                target: &target,
                resolved: &addresses,
            };
            e.check_sink(r, &op, None)
        })
    }

    /// Checks a MongoDB filter about to be sent, given as JSON text.
    pub(crate) fn sink_check_nosql(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        filter_json: PyBackedStr,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVerdict> {
        let filter: serde_json::Value = serde_json::from_str(&filter_json)
            .map_err(|e| PyValueError::new_err(format!("filter_json is not JSON: {e}")))?;
        Ok(self.check_op(py, ctx, filter_json.len(), caller, |e, r| {
            e.check_sink(r, &Operation::NoSql { filter: &filter }, None)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_dialects() {
        assert_eq!(address("fe80::1%eth0"), "fe80::1".parse().ok());
        assert_eq!(address("[::1]"), "::1".parse().ok());
        assert_eq!(address("127.0.0.1"), "127.0.0.1".parse().ok());
        assert_eq!(address("nope"), None);
        assert!(matches!(dialect("PostgreSQL"), Ok(Dialect::Postgres)));
        assert!(matches!(dialect("mariadb"), Ok(Dialect::MySql)));
        assert_eq!(cut("ééé", 3), "é");
    }
}
