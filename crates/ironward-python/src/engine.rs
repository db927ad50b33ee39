//! `Engine`: the configuration, the core engine and the event shipper of one protected app.
//!
//! Built once per adapter; every inspection releases the GIL while the engine runs (the request
//! is first copied or borrowed into owned, thread-safe handles: `PyBackedStr`/`PyBackedBytes`
//! keep the Python objects alive without the GIL). Findings are reported (console, shipper)
//! natively. A panic anywhere in here is caught and turned into an allow verdict (or a block,
//! when `FAIL_OPEN` is false) carrying `internal_error`, and reported on standard error.

mod shared;

pub(crate) use shared::Shared;

use crate::ConfigError;
use crate::config::{LoadError, load_layers};
use crate::report::Reporter;
use crate::sink::PySinkContext;
use crate::stream::PyDlpStream;
use crate::verdict::PyVerdict;
use crate::wsgi::{self, OwnedRequest, Text};
use ironward_agent::agent::Agent;
use ironward_agent::console;
use ironward_core::metrics::Metrics;
use ironward_core::request::{Body, Header, Headers, Request, Response};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyAny, PyDict, PyList};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

/// The Ironward engine for one application.
#[pyclass(name = "Engine", module = "ironward._ironward", frozen)]
#[derive(Debug)]
pub struct PyEngine {
    pub(crate) shared: Arc<Shared>,
    source: String,
    from_file: bool,
    warnings: Vec<String>,
}

/// Owned response headers from `(name, value)` pairs.
fn response_headers(list: &[(PyBackedStr, PyBackedStr)]) -> Headers<'_> {
    Headers(list.iter().map(|(n, v)| Header::new(n, v)).collect())
}

#[pymethods]
impl PyEngine {
    /// Loads the configuration (template < file < remote < params) and builds the engine.
    ///
    /// `conf` is a file path; without it `IRONWARD_CONF`, `PYRASP_CONF` or `CONF_FILE` name the
    /// file, if any. `params` is a JSON object (text). `remote` is the management server's
    /// configuration (JSON text `{"template": …, "config": {…}}`: the layer between the file and
    /// the params). `previous` is the engine this one replaces (reconfiguration): the new one
    /// shares its state store, so the blacklist and the flood and brute-force counters carry
    /// over (when a `SHARED_STATE_*` key changed, a new store is built and the blacklist is
    /// copied). Raises `ConfigError` listing every problem.
    #[new]
    #[pyo3(signature = (template=None, conf=None, params=None, previous=None, remote=None, _fault=false))]
    fn new(
        py: Python<'_>,
        template: Option<PyBackedStr>,
        conf: Option<PyBackedStr>,
        params: Option<PyBackedStr>,
        previous: Option<PyRef<'_, PyEngine>>,
        remote: Option<PyBackedStr>,
        _fault: bool,
    ) -> PyResult<PyEngine> {
        let source = py
            .detach(|| {
                load_layers(
                    template.as_deref(),
                    conf.as_deref(),
                    params.as_deref(),
                    remote.as_deref(),
                )
            })
            .map_err(|e| config_error(py, &e))?;
        let config = source.loaded.config;
        // The counters go on across reconfigurations (the previous engine's), and the event
        // shipper counts what it loses into them.
        let metrics = previous.as_ref().map_or_else(
            || {
                // A first engine: its configuration is the first in force (version 1).
                let metrics = Metrics::new();
                metrics.configuration_applied();
                Arc::new(metrics)
            },
            |p| Arc::clone(p.shared.engine.metrics()),
        );
        let agent = Agent::start_with_metrics(&config, Arc::clone(&metrics))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the event shipper: {e}")))?;
        let verbose = config.verbose;
        let invalid = |e: String| {
            let err = ConfigError::new_err(format!("invalid configuration:\n{e}"));
            let _ = err.value(py).setattr("errors", vec![e]);
            err
        };
        let engine = match previous {
            // A reconfiguration keeping the state store: same blacklist, counters and clock.
            Some(prev) if prev.shared.engine.state_keys_changed(&config).is_empty() => {
                let prev = Arc::clone(&prev.shared);
                py.detach(|| prev.engine.reconfigure(config))
                    .map_err(|e| invalid(e.to_string()))?
            }
            // SHARED_STATE_URL set: counters and blacklist on Redis (connected in the
            // background; an unreachable Redis is reported once and the engine counts locally
            // meanwhile). A changed store gets the previous engine's blacklist.
            prev => {
                let engine = ironward_state_redis::engine_builder(config)
                    .map_err(|e| invalid(e.to_string()))?
                    .metrics(metrics)
                    .build()
                    .map_err(|e| invalid(e.to_string()))?;
                if let Some(prev) = prev {
                    let now = engine.now_ms();
                    for entry in prev.shared.engine.blacklist().entries(now) {
                        engine.blacklist().insert(entry.ip, entry.expires_ms, now);
                    }
                }
                engine
            }
        };
        let server = engine.server_header().map(Arc::from);
        Ok(PyEngine {
            shared: Arc::new(Shared {
                engine,
                reporter: Reporter::new(agent, verbose),
                server,
                fault: _fault,
            }),
            source: source.description,
            from_file: source.from_file,
            warnings: source
                .loaded
                .warnings
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
    }

    /// Inspects a request given as raw pieces: the method, the path as on the wire
    /// (percent-encoded), the raw query (no `?`), the headers as `(name, value)` pairs, the
    /// TCP peer's IP, the buffered body (at most `max_body_bytes`) and the full body length
    /// when the body was cut, and the route code (`ROUTE_*`).
    #[pyo3(signature = (method, path, query="", headers=Vec::new(), peer_ip=None, body=None, body_len=None, route=0))]
    #[allow(clippy::too_many_arguments)]
    fn inspect_request(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        path: PyBackedStr,
        query: &str,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
        peer_ip: Option<&str>,
        body: Option<PyBackedBytes>,
        body_len: Option<u64>,
        route: u8,
    ) -> PyVerdict {
        let req = raw_request(method, path, query, headers, peer_ip, body, body_len, route);
        self.inspect_owned(py, req)
    }

    /// Inspects a request read from a WSGI environ (method, raw target, headers, peer), with
    /// the buffered body, the full length when it was cut, and the route code.
    #[pyo3(signature = (environ, body=None, body_len=None, route=0))]
    fn inspect_wsgi(
        &self,
        py: Python<'_>,
        environ: &Bound<'_, PyDict>,
        body: Option<PyBackedBytes>,
        body_len: Option<u64>,
        route: u8,
    ) -> PyResult<PyVerdict> {
        let req = wsgi::from_environ(environ, body, body_len, route)?;
        Ok(self.inspect_owned(py, req))
    }

    /// The values the engine inspects in a request given as `inspect_request` takes it:
    /// `[(location, name or None, value), …]` in extraction order, decoded variants included.
    /// A debugging and testing aid (it runs the extraction alone, no check); adapters never
    /// call it.
    #[pyo3(signature = (method, path, query="", headers=Vec::new(), peer_ip=None, body=None, body_len=None))]
    #[allow(clippy::too_many_arguments)]
    fn inspected_values(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        path: PyBackedStr,
        query: &str,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
        peer_ip: Option<&str>,
        body: Option<PyBackedBytes>,
        body_len: Option<u64>,
    ) -> Vec<InspectedValue> {
        let req = raw_request(method, path, query, headers, peer_ip, body, body_len, 0);
        self.extract_owned(py, &req)
    }

    /// [`inspected_values`](Self::inspected_values) for a WSGI environ, read as
    /// `inspect_wsgi` reads it.
    #[pyo3(signature = (environ, body=None, body_len=None))]
    fn inspected_values_wsgi(
        &self,
        py: Python<'_>,
        environ: &Bound<'_, PyDict>,
        body: Option<PyBackedBytes>,
        body_len: Option<u64>,
    ) -> PyResult<Vec<InspectedValue>> {
        let req = wsgi::from_environ(environ, body, body_len, 0)?;
        Ok(self.extract_owned(py, &req))
    }

    /// The path and query the engine inspects for a WSGI environ: `(path, query)`.
    fn wsgi_target(&self, environ: &Bound<'_, PyDict>) -> PyResult<(String, String)> {
        let req = wsgi::from_environ(environ, None, None, 0)?;
        Ok(req.with(|r| (r.path.to_owned(), r.query.to_owned())))
    }

    /// Inspects the response to a request: its status, headers (`(name, value)` pairs) and
    /// whole body (None when it is not buffered: status and headers are still checked, e.g.
    /// for brute force). `verdict` is the request's verdict.
    #[pyo3(signature = (verdict, status, headers=Vec::new(), body=None))]
    fn inspect_response(
        &self,
        py: Python<'_>,
        verdict: &PyVerdict,
        status: u16,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
        body: Option<PyBackedBytes>,
    ) -> PyVerdict {
        let shared = Arc::clone(&self.shared);
        let inbound = &verdict.inner;
        let (method, path) = (&verdict.method, &verdict.path);
        let out = py.detach(|| {
            let run = || {
                shared.maybe_fault();
                let request = Request::new(method, path);
                let response = Response {
                    status,
                    headers: response_headers(&headers),
                    body: match body.as_deref() {
                        Some(b) if !b.is_empty() => Body::Full(b),
                        _ => Body::Empty,
                    },
                };
                let v = shared.engine.inspect_response(&request, inbound, &response);
                shared.reporter.report(&shared.engine, &request, &v);
                v
            };
            catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| shared.panicked(p.as_ref()))
        });
        PyVerdict::new(
            out,
            Arc::clone(&verdict.method),
            Arc::clone(&verdict.path),
            self.shared.server.clone(),
        )
    }

    /// A DLP scanner for a streamed response with this status and these headers, or None when
    /// DLP does not apply (check off, request skipped, error status, content type not
    /// inspected). A panic here is an internal error (counted, reported): no scanner, the
    /// response goes on unscanned.
    #[pyo3(signature = (verdict, status, headers=Vec::new()))]
    fn dlp_stream(
        &self,
        verdict: &PyVerdict,
        status: u16,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
    ) -> Option<PyDlpStream> {
        let response = Response {
            status,
            headers: response_headers(&headers),
            body: Body::Empty,
        };
        let run = || self.shared.engine.dlp_stream(&verdict.inner, &response);
        let scanner = catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| {
            self.shared.panicked(p.as_ref());
            None
        })?;
        Some(PyDlpStream::new(
            Arc::clone(&self.shared),
            scanner,
            verdict.clone(),
        ))
    }

    /// The `Server` header every response should carry, or None to leave it alone.
    #[getter]
    fn server_header(&self) -> Option<&str> {
        self.shared.server.as_deref()
    }

    /// Request body bytes to buffer and inspect (`MAX_BODY_BYTES`).
    #[getter]
    fn max_body_bytes(&self) -> u64 {
        self.shared.engine.config().max_body_bytes
    }

    /// Response body bytes DLP inspects when buffered (`DLP_MAX_BODY_BYTES`).
    #[getter]
    fn dlp_max_body_bytes(&self) -> u64 {
        self.shared.engine.config().dlp_max_body_bytes
    }

    /// False when `inspect_response` is certain to find nothing in a response with this
    /// status to a request with this verdict, whatever its headers and body: the adapter then
    /// skips building them (DLP off, and nothing for brute force to count).
    fn response_needed(&self, verdict: &PyVerdict, status: u16) -> bool {
        self.shared.engine.response_needed(&verdict.inner, status)
    }

    /// True when responses are inspected at all (DLP or brute force on).
    #[getter]
    fn inspects_responses(&self) -> bool {
        use ironward_core::check::CheckId;
        use ironward_core::config::Level;
        let c = &self.shared.engine.config().security_checks;
        c.level(CheckId::Dlp) != Level::Off || c.level(CheckId::Brute) != Level::Off
    }

    /// True when the `dlp` check is on (response bodies are worth handing over).
    #[getter]
    fn dlp_enabled(&self) -> bool {
        use ironward_core::check::CheckId;
        use ironward_core::config::Level;
        let c = &self.shared.engine.config().security_checks;
        c.level(CheckId::Dlp) != Level::Off
    }

    /// `FAIL_OPEN`.
    #[getter]
    fn fail_open(&self) -> bool {
        self.shared.engine.config().fail_open
    }

    /// `VERBOSE`.
    #[getter]
    fn verbose(&self) -> u32 {
        self.shared.engine.config().verbose
    }

    /// `APP_NAME`.
    #[getter]
    fn app_name(&self) -> &str {
        &self.shared.engine.config().app_name
    }

    /// Where the configuration came from: the file path, or `template <name>`.
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    /// True when a configuration file was read.
    #[getter]
    fn file_loaded(&self) -> bool {
        self.from_file
    }

    /// The warnings raised while loading the configuration (deprecated keys…).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The running configuration as JSON text (pyrasp's keys).
    fn config_json(&self) -> PyResult<String> {
        serde_json::to_string(self.shared.engine.config())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The checks that run, in order, with their levels: `[(key, level), …]`.
    fn checks(&self) -> Vec<(&'static str, u8)> {
        let e = &self.shared.engine;
        e.checks()
            .map(|id| (id.key(), e.config().security_checks.level(id).as_u8()))
            .collect()
    }

    /// The startup banner at this verbosity (`""` below 10).
    fn banner(&self, verbose: u32) -> String {
        let e = &self.shared.engine;
        let mut config = e.config().clone();
        config.verbose = verbose;
        let checks: Vec<_> = e
            .checks()
            .map(|id| (id, config.security_checks.level(id)))
            .collect();
        console::banner(
            &config,
            env!("CARGO_PKG_VERSION"),
            &checks,
            Some(&self.source),
        )
    }

    /// The blacklisted IPs.
    fn blacklist(&self) -> Vec<String> {
        let e = &self.shared.engine;
        e.blacklist()
            .entries(e.now_ms())
            .into_iter()
            .map(|x| x.ip.to_string())
            .collect()
    }

    /// The blacklist with expiry times: `[(ip, expires_unix_ms), …]`.
    fn blacklist_entries(&self) -> Vec<(String, i64)> {
        let e = &self.shared.engine;
        e.blacklist()
            .entries(e.now_ms())
            .into_iter()
            .map(|x| (x.ip.to_string(), x.expires_ms))
            .collect()
    }

    /// Blacklists an IP for `seconds` (default `BLACKLIST_DELAY`).
    #[pyo3(signature = (ip, seconds=None))]
    fn blacklist_add(&self, ip: &str, seconds: Option<u64>) -> PyResult<()> {
        let addr = wsgi::parse_peer(ip)
            .ok_or_else(|| PyValueError::new_err(format!("not an IP address: {ip:?}")))?;
        let e = &self.shared.engine;
        let secs = seconds.unwrap_or(e.config().blacklist_delay);
        let now = e.now_ms();
        let ttl = i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        e.blacklist_insert(addr, now.saturating_add(ttl));
        Ok(())
    }

    /// Removes an IP from the blacklist (of every worker, with `SHARED_STATE_URL`); True when
    /// this process had it.
    fn blacklist_remove(&self, ip: &str) -> bool {
        wsgi::parse_peer(ip).is_some_and(|a| self.shared.engine.blacklist_remove(a))
    }

    /// Where the flood and brute-force counters and the blacklist live right now: `"local"`
    /// (this process), `"shared"` (`SHARED_STATE_URL`, reachable) or `"fallback"` (configured
    /// but unreachable or too slow: counting in this process meanwhile).
    #[getter]
    fn shared_state(&self) -> &'static str {
        use ironward_core::state::StateMode;
        match self.shared.engine.state().mode() {
            StateMode::Local => "local",
            StateMode::Shared => "shared",
            StateMode::Fallback => "fallback",
        }
    }

    /// Forgets the blacklist and every counter (flood, brute force).
    fn reset_state(&self) {
        self.shared.engine.reset_state();
    }

    /// The event shipper's counters (`submitted`, `sent`, `dropped_queue_full`, `failed`),
    /// or None when `LOG_ENABLED` is false.
    fn log_stats<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = self.shared.reporter.stats() else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("submitted", s.submitted)?;
        d.set_item("sent", s.sent)?;
        d.set_item("dropped_queue_full", s.dropped_queue_full)?;
        d.set_item("failed", s.failed)?;
        Ok(Some(d))
    }

    /// The engine's metrics in the Prometheus text format 0.0.4 (this process's counters).
    fn metrics_text(&self, py: Python<'_>) -> String {
        let shared = Arc::clone(&self.shared);
        py.detach(|| shared.engine.metrics_text())
    }

    /// The main counters: `requests`, `blocked`, `attacks`, `internal_errors`,
    /// `events_dropped`, `config_version`.
    fn metrics_snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.shared.engine.metrics().snapshot();
        let d = PyDict::new(py);
        d.set_item("requests", s.requests)?;
        d.set_item("blocked", s.blocked)?;
        d.set_item("attacks", s.attacks)?;
        d.set_item("internal_errors", s.internal_errors)?;
        d.set_item("events_dropped", s.events_dropped)?;
        d.set_item("config_version", s.config_version)?;
        Ok(d)
    }

    /// `METRICS_PATH`, or None when no metrics route is served.
    #[getter]
    fn metrics_path(&self) -> Option<String> {
        let path = &self.shared.engine.config().metrics_path;
        (!path.is_empty()).then(|| path.clone())
    }

    /// The metrics text when the request (raw pieces, as `inspect_request` takes them) is an
    /// allowed scrape of `METRICS_PATH` (`GET`/`HEAD`, client in `METRICS_ALLOW`), else None.
    #[pyo3(signature = (method, path, headers=Vec::new(), peer_ip=None))]
    fn metrics_scrape(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        path: PyBackedStr,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
        peer_ip: Option<&str>,
    ) -> Option<String> {
        let req = raw_request(method, path, "", headers, peer_ip, None, None, 0);
        let shared = Arc::clone(&self.shared);
        py.detach(|| req.with(|r| shared.engine.metrics_route(r)))
    }

    /// [`metrics_scrape`](Self::metrics_scrape) for a WSGI environ.
    fn metrics_scrape_wsgi(
        &self,
        py: Python<'_>,
        environ: &Bound<'_, PyDict>,
    ) -> PyResult<Option<String>> {
        let req = wsgi::from_environ(environ, None, None, 0)?;
        let shared = Arc::clone(&self.shared);
        Ok(py.detach(|| req.with(|r| shared.engine.metrics_route(r))))
    }

    /// Counts the status of a response the adapter sends (`ironward_responses_total`).
    fn record_response_status(&self, status: u16) {
        self.shared.engine.metrics().record_response_status(status);
    }

    /// Counts an internal error of the adapter's own (Python) code around the engine
    /// (`ironward_internal_errors_total`): the adapter failed open or closed as `FAIL_OPEN`
    /// says. Errors inside the engine's inspections are counted by the engine itself.
    fn record_internal_error(&self) {
        self.shared.engine.metrics().record_internal_error();
    }

    /// Counts this engine's configuration as put in force (`ironward_config_version` + 1):
    /// the adapter calls it when it swaps this engine in.
    fn configuration_applied(&self) {
        self.shared.engine.metrics().configuration_applied();
    }

    /// Sets `ironward_config_version`.
    fn set_config_version(&self, version: u64) {
        self.shared.engine.metrics().set_config_version(version);
    }

    /// True when at least one sink check is on (`SINK_CHECKS`): request verdicts then carry
    /// a `sink_context`.
    #[getter]
    fn sinks_on(&self) -> bool {
        self.sinks_enabled()
    }

    /// The levels of the sink checks: `[(sink, level), …]`.
    fn sink_levels(&self) -> Vec<(&'static str, u8)> {
        self.sink_level_list()
    }

    /// Checks a SQL query about to run, in the driver's dialect (`sqlite`, `postgres`,
    /// `mysql`, `generic`). `caller` is `file:line`, or a callable returning it (called only
    /// when there is a finding). Returns the sink verdict (reported like a request's).
    #[pyo3(signature = (ctx, query, dialect="generic", caller=None))]
    fn check_sql(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        query: PyBackedStr,
        dialect: &str,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVerdict> {
        self.sink_check_sql(py, ctx, query, dialect, caller)
    }

    /// Checks a file path about to be opened, written, deleted or renamed; `base` is the
    /// directory the code joined the input to, when known.
    #[pyo3(signature = (ctx, path, base=None, caller=None))]
    fn check_path(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        path: PyBackedStr,
        base: Option<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.sink_check_path(py, ctx, path, base, caller)
    }

    /// Checks a command line about to run through a shell.
    #[pyo3(signature = (ctx, command, caller=None))]
    fn check_command(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        command: PyBackedStr,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.sink_check_command(py, ctx, command, caller)
    }

    /// Checks a program about to be executed with an argument list (`args[0]` is the
    /// program).
    #[pyo3(signature = (ctx, args, caller=None))]
    fn check_argv(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        args: Vec<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.sink_check_argv(py, ctx, args, caller)
    }

    /// Checks an outbound connection: the URL (or `host` / `host:port`) and the addresses
    /// it resolved to (empty before resolution; unparsable ones are ignored).
    #[pyo3(signature = (ctx, target, resolved=Vec::new(), caller=None))]
    fn check_url(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        target: PyBackedStr,
        resolved: Vec<PyBackedStr>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyVerdict {
        self.sink_check_url(py, ctx, target, resolved, caller)
    }

    /// Checks a MongoDB filter about to be sent, given as JSON text (ValueError when it is
    /// not JSON).
    #[pyo3(signature = (ctx, filter_json, caller=None))]
    fn check_nosql(
        &self,
        py: Python<'_>,
        ctx: &PySinkContext,
        filter_json: PyBackedStr,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVerdict> {
        self.sink_check_nosql(py, ctx, filter_json, caller)
    }

    /// Checks an MCP tool call's arguments (JSON text) before the tool runs (`side="tool"`)
    /// or before the call is sent (`side="host"`): the value checks on in the configuration.
    /// `client_ip` is the TCP peer over HTTP (None over stdio) and `headers` the `(name, value)`
    /// pairs of the HTTP request that carried the call: with them, a peer in
    /// `TRUSTED_PROXIES` is replaced by the forwarded client, as for a request. The verdict's
    /// findings are reported as MCP events (`tools/call`, the tool's name as path).
    #[pyo3(signature = (tool, arguments, side="tool", client_ip=None, headers=Vec::new()))]
    fn inspect_tool_call(
        &self,
        py: Python<'_>,
        tool: PyBackedStr,
        arguments: PyBackedStr,
        side: &str,
        client_ip: Option<PyBackedStr>,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
    ) -> PyResult<PyVerdict> {
        self.mcp_inspect_call(py, tool, arguments, side, (client_ip, headers))
    }

    /// Checks an MCP tool's result text after it ran: DLP, and prompt injection in tool
    /// output on the host side.
    /// `client_ip` and `headers` as for `inspect_tool_call`.
    #[pyo3(signature = (tool, result, side="tool", client_ip=None, headers=Vec::new()))]
    fn inspect_tool_result(
        &self,
        py: Python<'_>,
        tool: PyBackedStr,
        result: PyBackedStr,
        side: &str,
        client_ip: Option<PyBackedStr>,
        headers: Vec<(PyBackedStr, PyBackedStr)>,
    ) -> PyResult<PyVerdict> {
        self.mcp_inspect_result(py, tool, result, side, (client_ip, headers))
    }

    /// Waits up to `timeout` seconds for queued events to be shipped; True when drained.
    #[pyo3(signature = (timeout=2.0))]
    fn flush(&self, py: Python<'_>, timeout: f64) -> bool {
        let t = Duration::from_secs_f64(timeout.clamp(0.0, 3600.0));
        let shared = Arc::clone(&self.shared);
        py.detach(move || shared.reporter.flush(t))
    }
}

/// One inspected value: `(location, name, value)`.
type InspectedValue = (&'static str, Option<String>, String);

impl PyEngine {
    /// Runs the extraction alone on a request (see `inspected_values`).
    fn extract_owned(&self, py: Python<'_>, req: &OwnedRequest) -> Vec<InspectedValue> {
        let engine = &self.shared.engine;
        py.detach(|| {
            req.with(|r| {
                engine
                    .extract(r)
                    .items
                    .iter()
                    .map(|i| {
                        (
                            i.location.as_str(),
                            i.name.as_deref().map(str::to_owned),
                            i.value.clone().into_owned(),
                        )
                    })
                    .collect()
            })
        })
    }
}

/// A request from the raw pieces of `inspect_request`.
#[allow(clippy::too_many_arguments)]
fn raw_request(
    method: PyBackedStr,
    path: PyBackedStr,
    query: &str,
    headers: Vec<(PyBackedStr, PyBackedStr)>,
    peer_ip: Option<&str>,
    body: Option<PyBackedBytes>,
    body_len: Option<u64>,
    route: u8,
) -> OwnedRequest {
    OwnedRequest {
        method: Text::Py(method),
        target: Text::Py(path),
        query: Some(Text::Own(
            query.strip_prefix('?').unwrap_or(query).to_owned(),
        )),
        headers: headers
            .into_iter()
            .map(|(n, v)| (Text::Py(n), Text::Py(v)))
            .collect(),
        peer: peer_ip.and_then(wsgi::parse_peer),
        version: "1.1".to_owned(),
        body,
        body_len,
        route: wsgi::route_match(route),
    }
}

/// The `ConfigError` for a load failure, with `errors` set to every message.
fn config_error(py: Python<'_>, e: &LoadError) -> PyErr {
    let messages = e.messages();
    let err = ConfigError::new_err(format!("invalid configuration:\n{}", messages.join("\n")));
    if let Ok(list) = PyList::new(py, &messages) {
        let _ = err.value(py).setattr("errors", list);
    }
    err
}
