//! MCP tool calls on the engine: the verdict on a call's arguments, on a tool's result, and
//! the events of either (types in [`crate::mcp`]).
//!
//! What is checked, and how, is documented on the public [`crate::mcp`] module.

use super::Engine;
use crate::check::{CheckId, RequestContext, ResponseContext};
use crate::event::{Event, EventContext};
use crate::input::{Inputs, Location};
use crate::mcp::{MCP_EVENT_METHOD, MCP_RESULT_LOCATION, McpDetail, McpPhase, McpSide, ToolCall};
use crate::metrics::Phase;
use crate::request::{Request, Response};
use crate::verdict::Verdict;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::net::IpAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// The checks that judge a call's argument values.
const ARGUMENT_CHECKS: [CheckId; 8] = [
    CheckId::Chars,
    CheckId::Command,
    CheckId::CodeInjection,
    CheckId::Xss,
    CheckId::Sqli,
    CheckId::PathTraversal,
    CheckId::Ssrf,
    CheckId::Prompt,
];

/// Below this many inputs, duplicates are dropped by a linear scan rather than a hash set.
const LINEAR_DEDUP: usize = 16;

impl Engine {
    /// The verdict on a tool call's arguments, before the tool runs (tool side) or before the
    /// call is sent (host side). See [`crate::mcp`] for what is checked.
    ///
    /// # Example
    /// ```
    /// use ironward_core::mcp::{McpSide, ToolCall};
    /// use ironward_core::{Action, Config, Engine};
    ///
    /// let engine = Engine::new(Config::default()).expect("engine");
    /// let call = ToolCall::new("read_file", r#"{"path": "../../etc/passwd"}"#);
    /// let verdict = engine.inspect_tool_call(&call, McpSide::Tool);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.findings[0].location, "mcp_values");
    ///
    /// let call = ToolCall::new("read_file", r#"{"path": "docs/readme.md"}"#);
    /// assert_eq!(engine.inspect_tool_call(&call, McpSide::Tool).action, Action::Allow);
    /// ```
    pub fn inspect_tool_call(&self, call: &ToolCall<'_>, side: McpSide) -> Verdict {
        let _ = side;
        let started = Instant::now();
        let now = self.clock.now_ms();
        let ip = call.client_ip;
        let verdict = match catch_unwind(AssertUnwindSafe(|| self.run_tool_call(call, now))) {
            Ok(v) => v,
            Err(panic) => self.internal_error(ip, panic.as_ref()),
        };
        self.metrics
            .record(Phase::ToolCall, &verdict, Some(started));
        verdict
    }

    /// The verdict on a tool's result text (its text content, or its JSON), before it is
    /// returned (tool side) or before it reaches the model (host side): `dlp`, and `prompt` on
    /// the host side. See [`crate::mcp`].
    ///
    /// # Example
    /// ```
    /// use ironward_core::config::{Config, Template};
    /// use ironward_core::mcp::{McpSide, ToolCall};
    /// use ironward_core::Engine;
    ///
    /// // The `mcp` template turns DLP on, every family.
    /// let engine = Engine::new(Config::template(Template::Mcp)).expect("engine");
    /// let call = ToolCall::new("read_file", r#"{"path": "id_rsa"}"#);
    /// let leak = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
    /// let verdict = engine.inspect_tool_result(&call, leak, McpSide::Tool);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.findings[0].location, "mcp_result");
    /// ```
    pub fn inspect_tool_result(&self, call: &ToolCall<'_>, result: &str, side: McpSide) -> Verdict {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let ip = call.client_ip;
        let verdict = match catch_unwind(AssertUnwindSafe(|| {
            self.run_tool_result(ip, result, side, now)
        })) {
            Ok(v) => v,
            Err(panic) => self.internal_error(ip, panic.as_ref()),
        };
        self.metrics
            .record(Phase::ToolResult, &verdict, Some(started));
        verdict
    }

    /// The security events of a tool call's verdict (from [`inspect_tool_call`] or
    /// [`inspect_tool_result`]), one per finding: `method` is `tools/call`, `path` the tool's
    /// name, and `mcp` says the tool, the side and the phase (a finding at `mcp_result` is of
    /// the result, any other of the arguments).
    ///
    /// [`inspect_tool_call`]: Self::inspect_tool_call
    /// [`inspect_tool_result`]: Self::inspect_tool_result
    pub fn tool_call_events(
        &self,
        call: &ToolCall<'_>,
        side: McpSide,
        verdict: &Verdict,
    ) -> Vec<Event> {
        let args = McpDetail::new(call.tool, side, McpPhase::Arguments);
        let ctx = EventContext {
            app: &self.config.app_name,
            source_ip: verdict.client_ip,
            method: MCP_EVENT_METHOD,
            path: &args.tool,
            unix_ms: self.clock.now_ms(),
        };
        verdict
            .findings
            .iter()
            .map(|f| {
                let mut event = Event::new(f, &ctx);
                let mut detail = args.clone();
                if f.location == MCP_RESULT_LOCATION {
                    detail.phase = McpPhase::Result;
                }
                event.mcp = Some(detail);
                event
            })
            .collect()
    }

    /// The arguments pipeline.
    fn run_tool_call(&self, call: &ToolCall<'_>, now: i64) -> Verdict {
        let ip = call.client_ip;
        let mut verdict = Verdict {
            client_ip: ip,
            ..Verdict::default()
        };
        if self.screen_ip(&mut verdict, ip, now, true) {
            return verdict;
        }
        if call.arguments.len() > self.limits.max_body_bytes
            && self.over_limit_finding(&mut verdict, "tool arguments", now)
        {
            return verdict;
        }
        let inputs = OnceCell::from(self.mcp_inputs(call.arguments));
        self.run_value_checks(&mut verdict, ip, now, &inputs, &ARGUMENT_CHECKS);
        if let Some(inputs) = inputs.get() {
            verdict.limits = inputs.limits;
        }
        self.conclude(&mut verdict, now);
        verdict
    }

    /// The result pipeline: `prompt` (host side) and `dlp`, in the pipeline's order.
    fn run_tool_result(
        &self,
        ip: Option<IpAddr>,
        result: &str,
        side: McpSide,
        now: i64,
    ) -> Verdict {
        let mut verdict = Verdict {
            client_ip: ip,
            ..Verdict::default()
        };
        if self.screen_ip(&mut verdict, ip, now, false) {
            return verdict;
        }
        let prompt =
            side == McpSide::Host && self.checks.iter().any(|(c, _)| c.id() == CheckId::Prompt);
        let inputs = if prompt {
            OnceCell::from(self.mcp_inputs(result))
        } else {
            // Never read: no check asks for inputs below.
            OnceCell::from(Inputs::default())
        };
        let request = Request::new("POST", "");
        let response = Response::new(200).with_body(result.as_bytes());
        let inbound = Verdict {
            client_ip: ip,
            ..Verdict::default()
        };
        let opts = self.extract_options();
        let req_ctx = RequestContext::new(&request, ip, &self.config, now, "", &inputs, &opts);
        let resp_ctx = ResponseContext {
            request: &request,
            inbound: &inbound,
            response: &response,
            client_ip: ip,
            config: &self.config,
            now_ms: now,
        };
        for (check, level) in &self.checks {
            let before = verdict.findings.len();
            match check.id() {
                CheckId::Prompt if prompt => check.check_request(&req_ctx, &mut verdict.findings),
                CheckId::Dlp => check.check_response(&resp_ctx, &mut verdict.findings),
                _ => continue,
            }
            let blocks = self.stamp(&mut verdict, before, check.id(), *level);
            for f in verdict.findings.iter_mut().skip(before) {
                f.location = MCP_RESULT_LOCATION;
            }
            if blocks {
                break;
            }
        }
        if prompt && let Some(inputs) = inputs.get() {
            verdict.limits = inputs.limits;
        }
        self.conclude(&mut verdict, now);
        verdict
    }

    /// Runs the enabled checks of `ids` (in the pipeline's order) on `inputs`, as for a request
    /// that holds only them.
    fn run_value_checks<'a>(
        &self,
        verdict: &mut Verdict,
        ip: Option<IpAddr>,
        now: i64,
        inputs: &OnceCell<Inputs<'a>>,
        ids: &[CheckId],
    ) {
        let request: Request<'a> = Request::new("POST", "");
        let opts = self.extract_options();
        let ctx = RequestContext::new(&request, ip, &self.config, now, "", inputs, &opts);
        for (check, level) in &self.checks {
            if !ids.contains(&check.id()) {
                continue;
            }
            let before = verdict.findings.len();
            check.check_request(&ctx, &mut verdict.findings);
            if self.stamp(verdict, before, check.id(), *level) {
                break;
            }
        }
    }

    /// The inputs of a tool call's arguments (or of a tool's result text), all at
    /// `mcp_values`, without duplicates. Read as a request body without a `Content-Type`.
    fn mcp_inputs<'a>(&self, text: &'a str) -> Inputs<'a> {
        let request = Request {
            method: "POST",
            body: text.as_bytes(),
            ..Request::default()
        };
        let mut inputs = crate::input::extract(&request, &self.extract_options());
        as_mcp_values(&mut inputs);
        inputs
    }
}

/// Labels every input `mcp_values` and drops the values seen before (a key equal to a value).
fn as_mcp_values(inputs: &mut Inputs<'_>) {
    let items = &mut inputs.items;
    for i in items.iter_mut() {
        i.location = Location::McpValues;
    }
    let keep: Vec<bool> = if items.len() <= LINEAR_DEDUP {
        (0..items.len())
            .map(|n| {
                let v = items.get(n).map(|i| &*i.value);
                !items.iter().take(n).any(|p| Some(&*p.value) == v)
            })
            .collect()
    } else {
        let mut seen: HashSet<&str> = HashSet::with_capacity(items.len());
        items.iter().map(|i| seen.insert(&i.value)).collect()
    };
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut keep = keep.into_iter();
    items.retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "mcp_tests.rs"]
mod tests;
