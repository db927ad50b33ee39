//! Where the findings of a verdict go: one console line per attack on standard error at
//! `VERBOSE` ≥ 10 (pyrasp's levels, via `ironward_agent::console`), and the event shipper
//! (`ironward_agent::agent::Agent`) when `LOG_ENABLED`. Internal engine errors are always
//! written to standard error: they are never silent, and never reach the application.

use ironward_agent::agent::{Agent, AgentStats};
use ironward_agent::console;
use ironward_core::Engine;
use ironward_core::event::Event;
use ironward_core::request::Request;
use ironward_core::verdict::Verdict;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

/// The console and the event shipper of one engine.
#[derive(Debug)]
pub(crate) struct Reporter {
    /// The shipper; behind a mutex because its handle is not `Sync` (it is only locked when a
    /// verdict has findings).
    agent: Mutex<Agent>,
    verbose: u32,
}

impl Reporter {
    /// A reporter printing at `verbose` and shipping through `agent`.
    pub(crate) fn new(agent: Agent, verbose: u32) -> Reporter {
        Reporter {
            agent: Mutex::new(agent),
            verbose,
        }
    }

    /// Reports the findings and the internal error of a verdict, if any.
    pub(crate) fn report(&self, engine: &Engine, request: &Request<'_>, verdict: &Verdict) {
        self.report_with(verdict, || engine.events(request, verdict));
    }

    /// Reports a verdict whose events `events` builds (called only when there are findings):
    /// the MCP tool calls' (`Engine::tool_call_events`), which have no HTTP request.
    pub(crate) fn report_with(&self, verdict: &Verdict, events: impl FnOnce() -> Vec<Event>) {
        if let Some(err) = &verdict.internal_error {
            internal_error(err, verdict.action.as_str());
        }
        if verdict.findings.is_empty() {
            return;
        }
        let events = events();
        let mut err = std::io::stderr().lock();
        for event in &events {
            if let Some(line) = console::attack_line(event, self.verbose) {
                let _ = writeln!(err, "{line}");
            }
        }
        drop(err);
        let agent = self.agent.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            agent.submit(event);
        }
    }

    /// The shipper's counters, when it is enabled.
    pub(crate) fn stats(&self) -> Option<AgentStats> {
        let agent = self.agent.lock().unwrap_or_else(|p| p.into_inner());
        agent.is_enabled().then(|| agent.stats())
    }

    /// Waits up to `timeout` for queued events to be shipped; true when the queue drained.
    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let agent = self.agent.lock().unwrap_or_else(|p| p.into_inner());
        !agent.is_enabled() || agent.flush(timeout)
    }
}

/// Writes an internal error line on standard error.
pub(crate) fn internal_error(message: &str, action: &str) {
    let clean: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let _ = writeln!(
        std::io::stderr(),
        "[!] Ironward internal error ({action}): {clean}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironward_core::Config;

    #[test]
    fn a_disabled_agent_reports_no_stats() {
        let config = Config::default();
        let Ok(agent) = Agent::start(&config) else {
            panic!("agent");
        };
        let r = Reporter::new(agent, 0);
        assert!(r.stats().is_none());
        assert!(r.flush(Duration::from_millis(1)));
    }
}
