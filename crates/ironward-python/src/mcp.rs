//! MCP tool calls on the native engine: the verdict on a call's arguments and on a tool's
//! result, for `ironward.McpToolRASP` (a server's tools) and `ironward.McpHostRASP` (a host's
//! client), with the GIL released while the engine runs on long inputs ([`DETACH_FROM`]; a
//! short one takes less time than handing the GIL over) and the findings reported through the
//! same console and event shipper as the HTTP adapters' (events carry the tool, the side and
//! the phase). The `#[pymethods]` wrappers (`Engine.inspect_tool_call`,
//! `Engine.inspect_tool_result`) are in `engine.rs`, like the sink checks'.

use crate::engine::{PyEngine, Shared};
use crate::verdict::PyVerdict;
use crate::wsgi;
use ironward_core::mcp::{MCP_EVENT_METHOD, McpSide, ToolCall};
use ironward_core::request::{Header, Headers, Request};
use ironward_core::verdict::Verdict;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Arguments or results at least this long (bytes) are inspected with the GIL released.
const DETACH_FROM: usize = 16 * 1024;

/// The side named in Python (`"tool"` or `"host"`).
fn side(name: &str) -> PyResult<McpSide> {
    match name {
        "tool" => Ok(McpSide::Tool),
        "host" => Ok(McpSide::Host),
        other => Err(PyValueError::new_err(format!(
            "side must be \"tool\" or \"host\", not {other:?}"
        ))),
    }
}

/// What one inspection is about: which call, from which side.
struct Call<'a> {
    tool: &'a str,
    arguments: &'a str,
    side: McpSide,
    client_ip: Option<std::net::IpAddr>,
}

/// The HTTP request that carried a call (streamable HTTP, SSE): the TCP peer and the headers.
type Origin = (Option<PyBackedStr>, Vec<(PyBackedStr, PyBackedStr)>);

impl PyEngine {
    /// The client IP of a call: the peer, or the forwarded client when the peer is one of
    /// `TRUSTED_PROXIES` (the same rules as for an HTTP request), from the headers of the
    /// HTTP request that carried it.
    fn mcp_client_ip(
        &self,
        peer: Option<&str>,
        headers: &[(PyBackedStr, PyBackedStr)],
    ) -> Option<std::net::IpAddr> {
        let peer_ip = peer.and_then(wsgi::parse_peer);
        if headers.is_empty() {
            return peer_ip;
        }
        let request = Request {
            peer_ip,
            headers: Headers(headers.iter().map(|(n, v)| Header::new(n, v)).collect()),
            ..Request::default()
        };
        self.shared.engine.client_ip(&request)
    }
}

impl PyEngine {
    /// Runs `op` on the engine for `call` (the GIL released when the arguments or the `len`
    /// bytes of a result reach [`DETACH_FROM`]), catches a panic (`FAIL_OPEN` decides), reports
    /// the verdict's findings as MCP events, and wraps the verdict.
    fn mcp_run(
        &self,
        py: Python<'_>,
        call: &Call<'_>,
        len: usize,
        op: impl Fn(&ironward_core::Engine, &ToolCall<'_>) -> Verdict + Send + Sync,
    ) -> PyVerdict {
        let shared: &Arc<Shared> = &self.shared;
        let run = || {
            let tc = ToolCall::new(call.tool, call.arguments).with_client_ip(call.client_ip);
            let run = || {
                shared.maybe_fault();
                op(&shared.engine, &tc)
            };
            let v =
                catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| shared.panicked(p.as_ref()));
            shared
                .reporter
                .report_with(&v, || shared.engine.tool_call_events(&tc, call.side, &v));
            v
        };
        // A call's arguments and result are usually small: checking them takes a few
        // microseconds, less than giving the GIL to another thread and waiting to take it
        // back (up to a switch interval on a busy server). Long ones run with it released.
        let verdict = if call.arguments.len().max(len) >= DETACH_FROM {
            py.detach(run)
        } else {
            run()
        };
        PyVerdict::new(
            verdict,
            Arc::from(MCP_EVENT_METHOD),
            Arc::from(call.tool),
            self.shared.server.clone(),
        )
    }

    /// The verdict on a tool call's `arguments` (JSON text) before the tool runs (`side`
    /// `"tool"`) or before the call is sent (`"host"`); `origin` is the HTTP request that
    /// carried it (peer, headers), if any.
    pub(crate) fn mcp_inspect_call(
        &self,
        py: Python<'_>,
        tool: PyBackedStr,
        arguments: PyBackedStr,
        side_name: &str,
        origin: Origin,
    ) -> PyResult<PyVerdict> {
        let call = Call {
            tool: &tool,
            arguments: &arguments,
            side: side(side_name)?,
            client_ip: self.mcp_client_ip(origin.0.as_deref(), &origin.1),
        };
        let s = call.side;
        Ok(self.mcp_run(py, &call, 0, |e, tc| e.inspect_tool_call(tc, s)))
    }

    /// The verdict on a tool's `result` text: DLP, and prompt injection on the host side.
    pub(crate) fn mcp_inspect_result(
        &self,
        py: Python<'_>,
        tool: PyBackedStr,
        result: PyBackedStr,
        side_name: &str,
        origin: Origin,
    ) -> PyResult<PyVerdict> {
        let call = Call {
            tool: &tool,
            arguments: "",
            side: side(side_name)?,
            client_ip: self.mcp_client_ip(origin.0.as_deref(), &origin.1),
        };
        let s = call.side;
        Ok(self.mcp_run(py, &call, result.len(), |e, tc| {
            e.inspect_tool_result(tc, &result, s)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_by_name() {
        assert!(matches!(side("tool"), Ok(McpSide::Tool)));
        assert!(matches!(side("host"), Ok(McpSide::Host)));
    }
}
