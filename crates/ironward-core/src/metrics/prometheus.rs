//! The Prometheus text exposition format (version 0.0.4) of a [`MetricsSnapshot`].
//!
//! Written by hand rather than with the `prometheus-client` crate: that crate's metric types
//! keep label sets in a map behind a lock (`Family`), which the engine must not take on every
//! request, and its registry would be a second copy of counters the engine already keeps in
//! fixed atomic arrays. The format itself is a few lines of text per series; every name, label
//! value and number written here is ours (no user text reaches it but the crate version), so
//! nothing needs escaping. The output is frozen by a golden test and parsed by the official
//! Python parser in the Python suite.
//!
//! Conventions followed: `ironward_` prefix, base units (seconds), `_total` on counters, one
//! `# HELP` and `# TYPE` per family, every known label combination written from the start
//! (at 0), so that `rate()` sees a series' first increment.

use super::{
    ACTIONS_ALL, DURATION_BUCKETS_NS, DropReason, MetricsSnapshot, Phase, SKIPPED_ALL,
    STATUS_CLASSES,
};
use crate::check::CheckId;
use crate::state::StateMode;
use crate::verdict::{Action, Skipped};
use std::fmt::Write;

/// The `Content-Type` of the rendered text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The label value of a skip reason.
fn skipped_label(reason: Skipped) -> &'static str {
    match reason {
        Skipped::Whitelisted => "whitelisted",
        Skipped::IgnoredPath => "ignored_path",
    }
}

/// A duration in nanoseconds as seconds, exactly (`2500` → `0.0000025`).
fn seconds(ns: u64) -> String {
    let (whole, frac) = (ns / 1_000_000_000, ns % 1_000_000_000);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:09}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Writes `# HELP` and `# TYPE` of a family.
fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Appends the shared state store's health (`SHARED_STATE_URL`): nothing for the in-process
/// store, else whether it is in use, its outages and the counter updates answered locally.
pub(crate) fn write_shared_state(out: &mut String, mode: StateMode, outages: u64, fallbacks: u64) {
    if mode == StateMode::Local {
        return;
    }
    head(
        out,
        "ironward_shared_state_up",
        "gauge",
        "1 while the shared state store (SHARED_STATE_URL) is in use, 0 while this process counts on its own (fail open).",
    );
    let up = u8::from(mode == StateMode::Shared);
    let _ = writeln!(out, "ironward_shared_state_up {up}");
    head(
        out,
        "ironward_shared_state_outages_total",
        "counter",
        "Outages of the shared state store seen by this process.",
    );
    let _ = writeln!(out, "ironward_shared_state_outages_total {outages}");
    head(
        out,
        "ironward_shared_state_local_updates_total",
        "counter",
        "Flood and brute-force counter updates answered in this process because the shared store was down, slow or failing.",
    );
    let _ = writeln!(out, "ironward_shared_state_local_updates_total {fallbacks}");
}

impl MetricsSnapshot {
    /// The snapshot in the Prometheus text format 0.0.4 (serve it with [`CONTENT_TYPE`]).
    ///
    /// # Example
    /// ```
    /// use ironward_core::{Config, Engine, Request};
    ///
    /// let engine = Engine::new(Config::default()).expect("engine");
    /// engine.inspect_request(&Request::new("GET", "/.env"));
    /// let text = engine.metrics().snapshot().to_prometheus();
    /// assert!(text.contains("ironward_requests_total 1\n"));
    /// assert!(text.contains("ironward_verdicts_total{check=\"decoy\",action=\"block_and_blacklist\"} 1\n"));
    /// ```
    pub fn to_prometheus(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.write_prometheus(&mut out);
        out
    }

    /// Appends the snapshot in the Prometheus text format to `out`.
    pub fn write_prometheus(&self, out: &mut String) {
        let o = out;
        head(
            o,
            "ironward_build_info",
            "gauge",
            "Ironward's version, as a label; the value is always 1.",
        );
        let _ = writeln!(
            o,
            "ironward_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        head(
            o,
            "ironward_config_version",
            "gauge",
            "Version of the configuration in force: 1 at start, one more at each hot reload (or as the application sets it).",
        );
        let _ = writeln!(o, "ironward_config_version {}", self.config_version);
        head(
            o,
            "ironward_requests_total",
            "counter",
            "HTTP requests inspected.",
        );
        let _ = writeln!(o, "ironward_requests_total {}", self.requests);
        head(
            o,
            "ironward_inspections_total",
            "counter",
            "Inspections by phase (request, response, stream, sink, tool_call, tool_result) and the action of their verdict.",
        );
        for phase in Phase::ALL {
            for action in ACTIONS_ALL {
                let _ = writeln!(
                    o,
                    "ironward_inspections_total{{phase=\"{}\",action=\"{}\"}} {}",
                    phase.as_str(),
                    action.as_str(),
                    self.inspections(phase, action)
                );
            }
        }
        head(
            o,
            "ironward_verdicts_total",
            "counter",
            "Verdicts in which a check had a finding, by check and the action its level asked for.",
        );
        for check in CheckId::ALL {
            for action in ACTIONS_ALL.into_iter().filter(|a| *a != Action::Allow) {
                let _ = writeln!(
                    o,
                    "ironward_verdicts_total{{check=\"{}\",action=\"{}\"}} {}",
                    check.key(),
                    action.as_str(),
                    self.verdicts(check, action)
                );
            }
        }
        head(
            o,
            "ironward_attacks_total",
            "counter",
            "Verdicts with at least one finding, blocked or monitored, any phase.",
        );
        let _ = writeln!(o, "ironward_attacks_total {}", self.attacks);
        head(
            o,
            "ironward_blocked_total",
            "counter",
            "Verdicts that blocked, any phase.",
        );
        let _ = writeln!(o, "ironward_blocked_total {}", self.blocked);
        head(
            o,
            "ironward_internal_errors_total",
            "counter",
            "Inspections that failed internally (failed open or closed as FAIL_OPEN says).",
        );
        let _ = writeln!(o, "ironward_internal_errors_total {}", self.internal_errors);
        head(
            o,
            "ironward_requests_skipped_total",
            "counter",
            "Requests whose checks were skipped: whitelisted client or IGNORE_PATHS.",
        );
        for reason in SKIPPED_ALL {
            let _ = writeln!(
                o,
                "ironward_requests_skipped_total{{reason=\"{}\"}} {}",
                skipped_label(reason),
                self.skipped(reason)
            );
        }
        head(
            o,
            "ironward_responses_total",
            "counter",
            "Responses sent through the adapter, by status class.",
        );
        for (i, class) in STATUS_CLASSES.iter().enumerate() {
            let _ = writeln!(
                o,
                "ironward_responses_total{{code=\"{class}\"}} {}",
                self.responses(i)
            );
        }
        head(
            o,
            "ironward_inspection_duration_seconds",
            "histogram",
            "Time the engine took to inspect, by phase.",
        );
        for phase in Phase::ALL.into_iter().filter(|p| p.is_timed()) {
            let h = self.duration(phase);
            let p = phase.as_str();
            let cumulative = h.cumulative();
            for (bound, n) in DURATION_BUCKETS_NS.iter().zip(cumulative) {
                let _ = writeln!(
                    o,
                    "ironward_inspection_duration_seconds_bucket{{phase=\"{p}\",le=\"{}\"}} {n}",
                    seconds(*bound)
                );
            }
            let count = h.count();
            let _ = writeln!(
                o,
                "ironward_inspection_duration_seconds_bucket{{phase=\"{p}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                o,
                "ironward_inspection_duration_seconds_sum{{phase=\"{p}\"}} {}",
                seconds(h.sum_ns())
            );
            let _ = writeln!(
                o,
                "ironward_inspection_duration_seconds_count{{phase=\"{p}\"}} {count}"
            );
        }
        head(
            o,
            "ironward_events_dropped_total",
            "counter",
            "Security events lost by the shippers: queue full, or shipping failed (never retried).",
        );
        for reason in DropReason::ALL {
            let _ = writeln!(
                o,
                "ironward_events_dropped_total{{reason=\"{}\"}} {}",
                reason.as_str(),
                self.events_dropped(reason)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn seconds_are_exact() {
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(2_500), "0.0000025");
        assert_eq!(seconds(1_000_000), "0.001");
        assert_eq!(seconds(500_000_000), "0.5");
        assert_eq!(seconds(3_000_000_000), "3");
        assert_eq!(seconds(1_234_567_890), "1.23456789");
    }
}
