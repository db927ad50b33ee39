//! MCP (Model Context Protocol) tool calls: what the engine is given of one `tools/call`, and
//! what its events say about it.
//!
//! An MCP guard (the `ironward-mcp` crate for `rmcp`, the Python package for the `mcp` and
//! `fastmcp` SDKs) calls [`Engine::inspect_tool_call`](crate::Engine::inspect_tool_call) with
//! the call's arguments before the tool runs (or, on a host, before the call is sent), and
//! [`Engine::inspect_tool_result`](crate::Engine::inspect_tool_result) with the tool's result
//! text after. Both return an ordinary [`Verdict`](crate::Verdict): level 1 and 2 block (the
//! guard answers with an MCP tool error instead of running the tool or returning the result),
//! level 3 reports only. [`Engine::tool_call_events`](crate::Engine::tool_call_events) turns a
//! verdict into events whose [`McpDetail`] names the tool, the side and the phase.
//!
//! # What is checked
//!
//!  **Arguments** ([`Engine::inspect_tool_call`](crate::Engine::inspect_tool_call)). The arguments'
//! JSON text is read by the  request body's extractor, as a body without a `Content-Type`, with the
//! same limits and  decodings: a JSON document is walked to any depth (bounded by
//! `MAX_JSON_DEPTH`), every object  key and string at every depth becomes an input, with the
//! percent, entity, escape, base64 and  JSON-in-string decodings a request value gets. Every input
//! is then labelled  [`Location::McpValues`](crate::input::Location::McpValues) (`mcp_values`,
//! pyrasp's name; keys and values alike, duplicates  dropped). Numbers, booleans and null carry no
//! text and are not inputs, as in JSON bodies.  What is not a well-formed JSON document still gets
//! a clear outcome: a malformed document is  judged by its complete string literals and its whole
//! text, anything else (a bare string) as  one text value; arguments longer than `MAX_BODY_BYTES`
//! have their first `MAX_BODY_BYTES`  judged (string literals) and get a `format` finding at
//! `body_limit` whose level follows  `BODY_LIMIT_ACTION`, as an over-long request body does.
//!
//!  The value checks then run on those inputs, those enabled, at their levels, in the  pipeline's
//! order: `chars`, `command`, `code_injection`, `xss`, `sqli`, `path_traversal`,  `ssrf`, `prompt`.
//! They see a request with method `POST`, an empty path, no query, no  headers and no body: only
//! the inputs. The other checks (routes, methods, flood, bots,  ztaa, headers, upload…) are about
//! HTTP requests and do not run. Before them, as for a  request: a whitelisted client IP skips
//! everything, a blacklisted one is blocked (unless  `BLACKLIST_OVERRIDE`), and a level-2 finding
//! blacklists the client when the call has an IP.  Both sides run the same argument checks: a host
//! checks the arguments the model wrote before  they reach a tool it does not control.
//!
//!  **Results** ([`Engine::inspect_tool_result`](crate::Engine::inspect_tool_result)). The result
//! text goes through `dlp` exactly as  a response body without a `Content-Type` does (its families,
//! `DLP_MAX_BODY_BYTES`, its  payload rules), and on the [`McpSide::Host`] side through `prompt`
//! too (injection in tool  output aimed at the model), the text read as arguments are. Findings are
//! located at  [`MCP_RESULT_LOCATION`] (`mcp_result`). A whitelisted client skips them; the
//! blacklist is  not asked (a result is the tool's, not the client's).
//!
//!  Level 1 and 2 findings block: the guard must not run the tool (or send the call) or must
//! withhold the result, and answer with an MCP tool error. Level 3 findings are reported and  the
//! call goes on. A panic inside a check follows `FAIL_OPEN` like the request pipeline.

use serde::Serialize;
use std::net::IpAddr;

/// The location of a finding in a tool's result (DLP, prompt injection in tool output).
pub const MCP_RESULT_LOCATION: &str = "mcp_result";

/// The `method` of an MCP event: the JSON-RPC method of a tool call.
pub const MCP_EVENT_METHOD: &str = "tools/call";

/// Longest tool name kept in an event, in bytes (the MCP specification allows 128
/// characters; a longer name from a misbehaving peer is cut at a character boundary).
pub const MAX_TOOL_NAME_REPORTED: usize = 256;

/// One MCP tool call, as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolCall<'a> {
    /// The tool's name (`params.name`).
    pub tool: &'a str,
    /// The JSON text of the call's arguments (`params.arguments`, normally an object; empty
    /// when the call has none).
    pub arguments: &'a str,
    /// The client's IP when the transport has one (streamable HTTP, SSE), for the whitelist,
    /// the blacklist and the events; `None` over stdio.
    pub client_ip: Option<IpAddr>,
}

impl<'a> ToolCall<'a> {
    /// A call of `tool` with these arguments (JSON text), without a client IP.
    pub const fn new(tool: &'a str, arguments: &'a str) -> Self {
        ToolCall {
            tool,
            arguments,
            client_ip: None,
        }
    }

    /// Sets the client IP.
    #[must_use]
    pub const fn with_client_ip(mut self, ip: Option<IpAddr>) -> Self {
        self.client_ip = ip;
        self
    }
}

/// Which end of the MCP connection the guard protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum McpSide {
    /// A server protecting its tools from the calls it receives (pyrasp's `McpToolRASP`):
    /// arguments before the tool runs, DLP on the result after.
    Tool,
    /// A client (host) protecting the tools it calls and the model it feeds (pyrasp's
    /// `McpHostRASP`, done for real): arguments before the call is sent; DLP and prompt
    /// injection on the result before it reaches the model.
    Host,
}

impl McpSide {
    /// The side's name, as in events (`tool`, `host`).
    pub const fn as_str(self) -> &'static str {
        match self {
            McpSide::Tool => "tool",
            McpSide::Host => "host",
        }
    }
}

/// Which part of a tool call a finding was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum McpPhase {
    /// The call's arguments ([`Engine::inspect_tool_call`](crate::Engine::inspect_tool_call)).
    Arguments,
    /// The tool's result ([`Engine::inspect_tool_result`](crate::Engine::inspect_tool_result)).
    Result,
}

/// The MCP part of an event (event schema 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpDetail {
    /// The tool's name (cut to [`MAX_TOOL_NAME_REPORTED`] bytes).
    pub tool: String,
    /// Which side reported it.
    pub side: McpSide,
    /// Arguments or result.
    pub phase: McpPhase,
}

impl McpDetail {
    /// The detail for a finding of `call`, the tool name cut to [`MAX_TOOL_NAME_REPORTED`].
    pub fn new(tool: &str, side: McpSide, phase: McpPhase) -> Self {
        let end = tool.floor_char_boundary(MAX_TOOL_NAME_REPORTED);
        McpDetail {
            tool: tool.get(..end).unwrap_or_default().to_owned(),
            side,
            phase,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tool_names_are_cut_on_a_char_boundary() {
        let name = "é".repeat(MAX_TOOL_NAME_REPORTED);
        let d = McpDetail::new(&name, McpSide::Tool, McpPhase::Arguments);
        assert!(d.tool.len() <= MAX_TOOL_NAME_REPORTED && !d.tool.is_empty());
        assert_eq!(
            McpDetail::new("echo", McpSide::Host, McpPhase::Result).tool,
            "echo"
        );
    }
}
