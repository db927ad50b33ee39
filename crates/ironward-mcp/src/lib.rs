//! # Ironward for MCP (`rmcp`)
//!
//! Tool-call guards for the official Rust MCP SDK, [`rmcp`], on both ends of a connection:
//!
//! - [`ToolGuard`] wraps a server's [`rmcp::ServerHandler`]: every `tools/call`'s arguments
//!   are judged before the tool runs, its result (DLP) before it is returned; a block answers
//!   with an MCP tool error and the tool never runs.
//! - [`HostGuard`] wraps a client's peer: arguments are judged before the call is sent, the
//!   result (DLP, prompt injection in tool output) before it reaches the model; a block is an
//!   error to the caller.
//!
//! The judging is `ironward_core`'s ([`Engine::inspect_tool_call`],
//! [`Engine::inspect_tool_result`]); the levels are the configuration's (1 and 2 block, 3
//! reports). Events go to a [`Reporter`] of your own, as with the tower layer. Any transport
//! works: stdio, streamable HTTP (where the client IP feeds the whitelist and blacklist), or
//! in-memory.
//!
//! ## Example
//! ```
//! use ironward_core::config::{Config, Template};
//! use ironward_core::Engine;
//! use ironward_mcp::{HostGuard, ToolGuard};
//! use rmcp::model::{CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData, ServerCapabilities, ServerConfig};
//! use rmcp::service::{RequestContext, RoleServer};
//! use rmcp::{ServerHandler, ServiceExt};
//! use std::sync::Arc;
//!
//! /// A server with one tool, `echo`, that returns its `text` argument.
//! struct Echo;
//!
//! impl ServerHandler for Echo {
//!     fn get_info(&self) -> ServerConfig {
//!         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
//!     }
//!     async fn call_tool(
//!         &self,
//!         request: CallToolRequestParams,
//!         _: RequestContext<RoleServer>,
//!     ) -> Result<CallToolResponse, ErrorData> {
//!         let text = request.arguments.as_ref().and_then(|a| a.get("text")).and_then(|t| t.as_str()).unwrap_or("");
//!         Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let engine = Arc::new(Engine::new(Config::template(Template::Mcp))?);
//! let (server_io, client_io) = tokio::io::duplex(64 * 1024);
//!
//! // Tool side: the guarded handler is served like any rmcp handler.
//! let server = ToolGuard::new(Echo, Arc::clone(&engine));
//! tokio::spawn(async move {
//!     if let Ok(running) = server.serve(server_io).await {
//!         let _ = running.waiting().await;
//!     }
//! });
//!
//! let client = ().serve(client_io).await?;
//! let args = |text: &str| serde_json::json!({ "text": text }).as_object().cloned().unwrap_or_default();
//! let call = |text: &str| CallToolRequestParams::new("echo").with_arguments(args(text));
//!
//! // A benign call runs the tool.
//! let ok = client.call_tool(call("hello")).await?;
//! assert_eq!(ok.is_error, Some(false));
//!
//! // An injection is refused with a tool error: the tool did not run.
//! let refused = client.call_tool(call("8.8.8.8; cat /etc/passwd")).await?;
//! assert_eq!(refused.is_error, Some(true));
//!
//! // Host side: the same checks before sending, and on the result before returning it.
//! let host = HostGuard::new(client.peer().clone(), engine);
//! assert!(host.call_tool(call("../../etc/passwd")).await.is_err());
//! assert!(host.call_tool(call("hello")).await.is_ok());
//! # client.cancel().await?;
//! # Ok(())
//! # }
//! ```
//!
//! [`Engine::inspect_tool_call`]: ironward_core::Engine::inspect_tool_call
//! [`Engine::inspect_tool_result`]: ironward_core::Engine::inspect_tool_result

mod host;
pub mod text;
mod tool;

pub use host::{HostError, HostGuard};
pub use tool::ToolGuard;

use ironward_core::event::Event;
use std::sync::Arc;

/// A callback that receives the security events of every tool call with findings (blocked or
/// monitored): the same shape as `ironward_tower::Reporter`, so one reporter (for instance
/// one that submits to an `ironward_agent::agent::Agent`) serves both.
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;
