//! The host side: [`HostGuard`] wraps an rmcp client peer so that a tool call's arguments are
//! judged before the call is sent and its result before it reaches the caller (the model).
//!
//! pyrasp's `McpHostRASP` registered two tools and asked the model, in their descriptions, to
//! call them around every other tool; they always answered yes. Here the check sits in the
//! call path: nothing the model asks for or reads gets past it unjudged.

use crate::Reporter;
use crate::text::{arguments_text, result_text};
use ironward_core::mcp::{McpPhase, McpSide, ToolCall};
use ironward_core::{Engine, Verdict};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{Peer, RoleClient, ServiceError};
use std::fmt;
use std::sync::Arc;

/// Why a guarded tool call did not return a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// Ironward blocked the call: its arguments (it was not sent) or its result (it was
    /// withheld). The verdict holds the findings.
    #[error("MCP tool call {tool:?} blocked by Ironward (its {})", phase_name(.phase))]
    Blocked {
        /// The tool's name.
        tool: String,
        /// Arguments or result.
        phase: McpPhase,
        /// The verdict, with its findings.
        verdict: Box<Verdict>,
    },
    /// The call itself failed (transport, protocol, timeout).
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The phase's name in messages.
fn phase_name(phase: &McpPhase) -> &'static str {
    match phase {
        McpPhase::Arguments => "arguments",
        McpPhase::Result => "result",
    }
}

/// A client peer whose tool calls go through Ironward (the host side).
///
/// [`call_tool`](Self::call_tool) judges the arguments with
/// [`Engine::inspect_tool_call`] before sending the call, and the text of the result (text
/// blocks, embedded text resources, structured content) with [`Engine::inspect_tool_result`]
/// on the host side (`dlp`, and `prompt`: instructions aimed at the model hidden in tool
/// output) before returning it. A block is a [`HostError::Blocked`]: the call is not sent, or
/// its result is not returned. Level 3 findings are reported and the call goes on. Use it in
/// place of the peer's own `call_tool` wherever the model's tool calls are run.
#[derive(Clone)]
pub struct HostGuard {
    peer: Peer<RoleClient>,
    engine: Arc<Engine>,
    reporter: Option<Reporter>,
}

impl fmt::Debug for HostGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostGuard")
            .field("reporter", &self.reporter.is_some())
            .finish_non_exhaustive()
    }
}

impl HostGuard {
    /// Guards the tool calls made through `peer` (`running_service.peer().clone()`).
    pub fn new(peer: Peer<RoleClient>, engine: Arc<Engine>) -> Self {
        HostGuard {
            peer,
            engine,
            reporter: None,
        }
    }

    /// Sends the events of every call with findings (blocked or monitored) to `reporter`.
    #[must_use]
    pub fn with_reporter(mut self, reporter: Reporter) -> Self {
        self.reporter = Some(reporter);
        self
    }

    /// The peer, for the calls that are not tool calls.
    pub fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// Calls a tool, judging its arguments before and its result after.
    pub async fn call_tool(
        &self,
        params: CallToolRequestParams,
    ) -> Result<CallToolResult, HostError> {
        let args = arguments_text(params.arguments.as_ref());
        let tool = params.name.to_string();
        let call = ToolCall::new(&tool, &args);
        let verdict = self.engine.inspect_tool_call(&call, McpSide::Host);
        self.report(&call, &verdict);
        if verdict.is_blocked() {
            return Err(HostError::Blocked {
                tool,
                phase: McpPhase::Arguments,
                verdict: Box::new(verdict),
            });
        }
        let result = self.peer.call_tool(params).await?;
        let verdict = self
            .engine
            .inspect_tool_result(&call, &result_text(&result), McpSide::Host);
        self.report(&call, &verdict);
        if verdict.is_blocked() {
            return Err(HostError::Blocked {
                tool,
                phase: McpPhase::Result,
                verdict: Box::new(verdict),
            });
        }
        Ok(result)
    }

    fn report(&self, call: &ToolCall<'_>, verdict: &Verdict) {
        if let Some(reporter) = &self.reporter
            && !verdict.findings.is_empty()
        {
            for event in self.engine.tool_call_events(call, McpSide::Host, verdict) {
                reporter(event);
            }
        }
    }
}
