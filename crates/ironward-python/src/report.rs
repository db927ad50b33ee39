//! Where the findings of a verdict go: one console line per attack on standard error at
//! `VERBOSE` ≥ 10 (pyrasp's levels, via `ironward_agent::console`), and the event shipper
//! (`ironward_agent::agent::Agent`) when `LOG_ENABLED`. Internal engine errors are written to
//! standard error: never silent, never reaching the application, and never a flood either
//! (a client able to cause one on every request would otherwise fill the host's logs): the
//! first one is written at once, later ones at most one line per [`ERROR_REPEAT`] saying how
//! many were not written in between. Every one is counted (`ironward_internal_errors_total`).

use ironward_agent::agent::{Agent, AgentStats};
use ironward_agent::console;
use ironward_core::Engine;
use ironward_core::event::Event;
use ironward_core::request::Request;
use ironward_core::verdict::Verdict;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shortest time between two internal error lines of one engine.
pub(crate) const ERROR_REPEAT: Duration = Duration::from_secs(60);

/// The console and the event shipper of one engine.
#[derive(Debug)]
pub(crate) struct Reporter {
    /// The shipper; behind a mutex because its handle is not `Sync` (it is only locked when a
    /// verdict has findings).
    agent: Mutex<Agent>,
    verbose: u32,
    errors: ErrorLog,
}

/// When the next internal error line may be written, and how many were held back since the
/// last one (atomics: two threads failing at once write at most one line).
#[derive(Debug)]
struct ErrorLog {
    origin: Instant,
    /// Milliseconds after `origin` before which lines are held back (0: none written yet).
    next_at_ms: AtomicU64,
    held_back: AtomicU64,
}

impl ErrorLog {
    fn new() -> ErrorLog {
        ErrorLog {
            origin: Instant::now(),
            next_at_ms: AtomicU64::new(0),
            held_back: AtomicU64::new(0),
        }
    }

    /// Writes the line now, or counts it as held back.
    fn write(&self, message: &str, action: &str) {
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        let next = self.next_at_ms.load(Ordering::Relaxed);
        let repeat = u64::try_from(ERROR_REPEAT.as_millis()).unwrap_or(u64::MAX);
        if now < next
            || self
                .next_at_ms
                .compare_exchange(
                    next,
                    now.saturating_add(repeat).max(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            self.held_back.fetch_add(1, Ordering::Relaxed);
            return;
        }
        internal_error_line(message, action, self.held_back.swap(0, Ordering::Relaxed));
    }
}

impl Reporter {
    /// A reporter printing at `verbose` and shipping through `agent`.
    pub(crate) fn new(agent: Agent, verbose: u32) -> Reporter {
        Reporter {
            agent: Mutex::new(agent),
            verbose,
            errors: ErrorLog::new(),
        }
    }

    /// Writes an internal error line on standard error, at most one per [`ERROR_REPEAT`].
    pub(crate) fn internal_error(&self, message: &str, action: &str) {
        self.errors.write(message, action);
    }

    /// Reports the findings and the internal error of a verdict, if any.
    pub(crate) fn report(&self, engine: &Engine, request: &Request<'_>, verdict: &Verdict) {
        self.report_with(verdict, || engine.events(request, verdict));
    }

    /// Reports a verdict whose events `events` builds (called only when there are findings):
    /// the MCP tool calls' (`Engine::tool_call_events`), which have no HTTP request.
    pub(crate) fn report_with(&self, verdict: &Verdict, events: impl FnOnce() -> Vec<Event>) {
        if let Some(err) = &verdict.internal_error {
            self.internal_error(err, verdict.action.as_str());
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

/// Writes an internal error line on standard error (control characters blanked, cut to 300
/// characters), with how many earlier ones were held back.
fn internal_error_line(message: &str, action: &str, held_back: u64) {
    let clean: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let more = if held_back > 0 {
        format!(" ({held_back} more since the last line, not written)")
    } else {
        String::new()
    };
    let _ = writeln!(
        std::io::stderr(),
        "[!] Ironward internal error ({action}): {clean}{more}"
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

    #[test]
    fn internal_errors_are_written_once_then_held_back() {
        let log = ErrorLog::new();
        log.write("first", "allow");
        assert_eq!(log.held_back.load(Ordering::Relaxed), 0);
        for _ in 0..5 {
            log.write("again", "allow");
        }
        assert_eq!(log.held_back.load(Ordering::Relaxed), 5);
        // Once the repeat time has passed, the next line is written with the count.
        log.next_at_ms.store(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(2));
        log.write("later", "allow");
        assert_eq!(log.held_back.load(Ordering::Relaxed), 0);
    }
}
