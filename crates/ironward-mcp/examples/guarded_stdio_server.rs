//! An MCP server over stdio whose tools are guarded by Ironward (also the child process of
//! the stdio tests). Its tools are the demo's (`tests/demo/mod.rs`): `echo`, `read_file`,
//! `fetch`, `leak`, `poisoned`, `runs`.
//!
//! Configuration: the `mcp` template, or the `monitor` template (everything at level 3) when
//! `IRONWARD_MONITOR=1`. Events are written to stderr, one JSON line each.
//!
//! ```text
//! cargo run -p ironward-mcp --example guarded_stdio_server
//! ```
#![allow(clippy::print_stderr)]

#[path = "../tests/demo/mod.rs"]
mod demo;

use ironward_core::Engine;
use ironward_core::config::{Config, Template};
use ironward_mcp::ToolGuard;
use rmcp::ServiceExt;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let template = if std::env::var("IRONWARD_MONITOR").is_ok_and(|v| v == "1") {
        Template::Monitor
    } else {
        Template::Mcp
    };
    let engine = Arc::new(Engine::new(Config::template(template))?);
    let guard = ToolGuard::new(demo::Demo::default(), engine).with_reporter(Arc::new(|event| {
        eprintln!("{}", serde_json::to_string(&event).unwrap_or_default());
    }));
    guard
        .serve(rmcp::transport::stdio())
        .await?
        .waiting()
        .await?;
    Ok(())
}
