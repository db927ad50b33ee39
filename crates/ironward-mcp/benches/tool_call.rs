//! The time Ironward adds to one MCP tool call: `inspect_tool_call` on a typical small argument
//! object (the `mcp` template: injection checks, chars, DLP), `inspect_tool_result` on a short
//! text result, and the guard's whole round (arguments to JSON text, both inspections) as
//! [`ToolGuard`](ironward_mcp::ToolGuard) does it.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::Engine;
use ironward_core::config::{Config, Template};
use ironward_core::mcp::{McpSide, ToolCall};
use ironward_mcp::text::{arguments_text, result_text};
use rmcp::model::{CallToolResult, ContentBlock};
use std::hint::black_box;

const ARGS: &str = r#"{"path":"reports/2026/q3-summary.md","query":"revenue by region for last quarter","limit":20,"format":"markdown","include_archived":false}"#;
const RESULT: &str = "Q3 revenue by region: EMEA 4.2M (+6%), Americas 7.9M (+3%), APAC 2.8M (+11%). Archived reports were not included. See reports/2026/q3-summary.md for the full table.";

fn bench(c: &mut Criterion) {
    let engine = match Engine::new(Config::template(Template::Mcp)) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    let call = ToolCall::new("search_reports", ARGS);
    assert!(!engine.inspect_tool_call(&call, McpSide::Tool).is_blocked());
    c.bench_function("inspect_tool_call/small_object", |b| {
        b.iter(|| engine.inspect_tool_call(black_box(&call), McpSide::Tool));
    });
    c.bench_function("inspect_tool_result/short_text", |b| {
        b.iter(|| engine.inspect_tool_result(black_box(&call), black_box(RESULT), McpSide::Tool));
    });
    let args: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(ARGS) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    let result = CallToolResult::success(vec![ContentBlock::text(RESULT)]);
    c.bench_function("tool_guard/round", |b| {
        b.iter(|| {
            let text = arguments_text(Some(black_box(&args)));
            let call = ToolCall::new("search_reports", &text);
            let v = engine.inspect_tool_call(&call, McpSide::Tool);
            let r =
                engine.inspect_tool_result(&call, &result_text(black_box(&result)), McpSide::Tool);
            (v, r)
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
