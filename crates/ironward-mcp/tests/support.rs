//! Helpers shared by the transport tests.

use ironward_core::check::{Check, CheckId, RequestContext};
use ironward_core::event::Event;
use ironward_core::input::Location;
use ironward_core::{Finding, Verdict};
use ironward_mcp::Reporter;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use std::sync::{Arc, Mutex};

/// The attacks every guard must refuse before the tool runs: `(tool, arguments)`.
pub(crate) const ATTACKS: &[(&str, &str)] = &[
    ("echo", r#"{"text": "8.8.8.8; cat /etc/passwd"}"#),
    ("echo", r#"{"text": "' OR 1=1 --"}"#),
    ("read_file", r#"{"path": "../../etc/passwd"}"#),
    (
        "fetch",
        r#"{"url": "http://169.254.169.254/latest/meta-data/"}"#,
    ),
    (
        "echo",
        r#"{"options": {"deep": ["x", {"html": "<script>alert(1)</script>"}]}}"#,
    ),
];

/// Benign calls with their expected result text.
pub(crate) const BENIGN: &[(&str, &str, &str)] = &[
    ("echo", r#"{"text": "hello, world"}"#, "hello, world"),
    (
        "echo",
        r#"{"text": "O'Brien & sons; est. 1990"}"#,
        "O'Brien & sons; est. 1990",
    ),
    (
        "read_file",
        r#"{"path": "docs/readme.md"}"#,
        "contents of docs/readme.md",
    ),
    (
        "fetch",
        r#"{"url": "https://example.com/page?id=7"}"#,
        "fetched https://example.com/page?id=7",
    ),
];

/// A `tools/call` request.
pub(crate) fn call(tool: &str, args: &str) -> CallToolRequestParams {
    let args: serde_json::Map<String, serde_json::Value> = serde_json::from_str(args).unwrap();
    CallToolRequestParams::new(tool.to_owned()).with_arguments(args)
}

/// Calls every [`BENIGN`] tool through `client`: each answers its expected text.
pub(crate) async fn benign_calls_answer(client: &RunningService<RoleClient, ()>) {
    for (tool, args, want) in BENIGN {
        let r = client.call_tool(call(tool, args)).await.unwrap();
        assert_eq!(
            (r.is_error, text(&r)),
            (Some(false), *want),
            "{tool} {args}"
        );
    }
}

/// Calls `tool` with `args` through `client`: refused with the block text.
pub(crate) async fn call_is_blocked(
    client: &RunningService<RoleClient, ()>,
    tool: &str,
    args: &str,
) {
    let r = client.call_tool(call(tool, args)).await.unwrap();
    assert_eq!(
        (r.is_error, text(&r)),
        (Some(true), "Blocked"),
        "{tool} {args}"
    );
}

/// The text of a result's first block.
pub(crate) fn text(result: &CallToolResult) -> &str {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map_or("", |t| t.text.as_str())
}

/// A reporter that keeps the events.
pub(crate) fn collector() -> (Reporter, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let reporter: Reporter = Arc::new(move |e| sink.lock().unwrap().push(e));
    (reporter, events)
}

/// A stand-in for the `prompt` check in the host tests: flags any `mcp_values` input asking
/// the model to ignore its previous instructions. The real check judges the same inputs; the
/// stand-in keeps these transport tests independent of its model.
#[derive(Debug)]
pub(crate) struct IgnoreInstructions;

impl Check for IgnoreInstructions {
    fn id(&self) -> CheckId {
        CheckId::Prompt
    }
    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if let Some(i) = ctx.inputs().at(Location::McpValues).find(|i| {
            i.value
                .to_lowercase()
                .contains("ignore all previous instructions")
        }) {
            findings.push(Finding::new(CheckId::Prompt, i.location.as_str(), &i.value));
        }
    }
}

/// The check of the blocking finding of a verdict.
pub(crate) fn blocked_by(v: &Verdict) -> Option<CheckId> {
    v.blocking_finding().map(|f| f.check)
}
