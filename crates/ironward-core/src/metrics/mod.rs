//! Operational metrics of an engine: what it inspected, what it decided, how long it took, and
//! what the event shippers lost — counted with lock-free atomics and rendered in the Prometheus
//! text format ([`MetricsSnapshot::to_prometheus`]).
//!
//! The engine records every inspection itself (requests, responses, streamed-response leaks,
//! sink operations, MCP tool calls and results), so every adapter exposes the same figures
//! without code of its own. Adapters add what only they see: the status class of the responses
//! they pass on ([`Metrics::record_response_status`]); event shippers add what they drop
//! ([`Metrics::record_events_dropped`]); whoever applies a configuration sets its version
//! ([`Metrics::set_config_version`]).
//!
//! ## Cost
//! No lock anywhere. The counters every inspection touches (inspections by phase and action,
//! the duration histogram and its sum) live in [`SHARDS`] cache-line-aligned shards; a thread
//! always writes to the same shard (given round-robin on its first inspection), so concurrent
//! workers do not fight over one cache line. That is three relaxed `fetch_add`s per inspection.
//! Everything else (per-check verdicts, attacks, internal errors, skips) is touched only by
//! verdicts that have something to say, and lives in one place. A snapshot sums the shards: it
//! is consistent per counter, not across counters (a scrape racing an inspection may see the
//! inspection counted and its duration not yet, never a torn value).
//!
//! ## Time
//! The engine's [`Clock`](crate::clock::Clock) has millisecond resolution, too coarse for
//! inspections that take microseconds, and a test clock may not move at all. Durations are
//! therefore taken with [`std::time::Instant`] (monotonic, read through the vDSO on Linux, no
//! system call): one read when an inspection starts, one when it ends. The engine's clock is
//! still read once per request, for the flood windows and blacklist deadlines, as before.
//!
//! ## Sharing
//! A [`Metrics`] is shared through an `Arc`. [`Engine::reconfigure`](crate::Engine::reconfigure)
//! hands it to the new engine, so the counters survive a hot reload; give the same `Arc` to
//! several engines ([`EngineBuilder::metrics`](crate::engine::EngineBuilder::metrics)) to count
//! them together. Counters are per process: with several worker processes, each has its own
//! (Prometheus sums them across scrape targets).

mod prometheus;
mod route;
#[cfg(test)]
mod tests;

pub use prometheus::CONTENT_TYPE;

use crate::check::CheckId;
use crate::verdict::{Action, Skipped, Verdict};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// Shards of the per-inspection counters (threads are spread over them round-robin).
pub const SHARDS: usize = 8;

/// Upper bounds of the inspection-duration histogram buckets, in nanoseconds (the last bucket,
/// `+Inf`, is implicit): from 2.5 µs (a plain GET takes a few) to 0.5 s.
pub const DURATION_BUCKETS_NS: [u64; 16] = [
    2_500,
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    500_000_000,
];

const BUCKETS: usize = DURATION_BUCKETS_NS.len() + 1;
const ACTIONS: usize = 4;
const CHECKS: usize = CheckId::ALL.len();
const PHASES: usize = Phase::ALL.len();

/// Every action, indexed as the counters are (`Action as usize`).
pub const ACTIONS_ALL: [Action; ACTIONS] = [
    Action::Allow,
    Action::Monitor,
    Action::Block,
    Action::BlockAndBlacklist,
];

/// What an inspection looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// An HTTP request (`inspect_request`, `inspect_request_for_sinks`).
    Request,
    /// An HTTP response (`inspect_response`).
    Response,
    /// A finding in a streamed response (`stream_verdict`); not timed (the scan is spread over
    /// the chunks).
    Stream,
    /// An operation at a sink whose check is on (`check_sink`).
    Sink,
    /// An MCP tool call's arguments (`inspect_tool_call`).
    ToolCall,
    /// An MCP tool's result (`inspect_tool_result`).
    ToolResult,
}

impl Phase {
    /// Every phase, indexed as the counters are (`Phase as usize`).
    pub const ALL: [Phase; 6] = [
        Phase::Request,
        Phase::Response,
        Phase::Stream,
        Phase::Sink,
        Phase::ToolCall,
        Phase::ToolResult,
    ];

    /// The phase's label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Request => "request",
            Phase::Response => "response",
            Phase::Stream => "stream",
            Phase::Sink => "sink",
            Phase::ToolCall => "tool_call",
            Phase::ToolResult => "tool_result",
        }
    }

    /// True when inspections of this phase are timed.
    pub const fn is_timed(self) -> bool {
        !matches!(self, Phase::Stream)
    }
}

/// Why events meant for a shipper were lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The shipper's bounded queue was full.
    QueueFull,
    /// Shipping failed (transport error, server down, discarded at shutdown); events are never
    /// retried.
    SendFailed,
}

impl DropReason {
    /// Every reason, indexed as the counters are.
    pub const ALL: [DropReason; 2] = [DropReason::QueueFull, DropReason::SendFailed];

    /// The reason's label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::SendFailed => "send_failed",
        }
    }
}

/// The status classes of [`Metrics::record_response_status`]: `1xx`…`5xx`, and `other` for a
/// status outside 100–599.
pub const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

/// The reasons of a skipped request, indexed as the counters are.
pub const SKIPPED_ALL: [Skipped; 2] = [Skipped::Whitelisted, Skipped::IgnoredPath];

/// The counters one thread writes on every inspection, alone on their cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard {
    /// Inspections by phase and resulting action.
    inspections: [[AtomicU64; ACTIONS]; PHASES],
    /// Duration histogram by phase: per-bucket (not cumulative) counts.
    buckets: [[AtomicU64; BUCKETS]; PHASES],
    /// Sum of the durations by phase, in nanoseconds.
    sum_ns: [AtomicU64; PHASES],
}

/// The engine's counters (see the [module documentation](self)). `Send + Sync`, lock-free.
#[derive(Debug)]
pub struct Metrics {
    shards: Box<[Shard; SHARDS]>,
    /// Verdicts in which a check had a finding, by check and by the action it asked for.
    verdicts: [[AtomicU64; ACTIONS]; CHECKS],
    /// Verdicts with at least one finding.
    attacks: AtomicU64,
    /// Verdicts that blocked, whatever the phase.
    blocked: AtomicU64,
    /// Verdicts carrying an internal error.
    internal_errors: AtomicU64,
    /// Requests whose checks were skipped, by reason.
    skipped: [AtomicU64; SKIPPED_ALL.len()],
    /// Responses passed on by an adapter, by status class.
    responses: [AtomicU64; STATUS_CLASSES.len()],
    /// Events lost by shippers, by reason.
    events_dropped: [AtomicU64; DropReason::ALL.len()],
    config_version: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

thread_local! {
    /// The shard this thread writes to (`usize::MAX` until its first inspection).
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The next shard handed to a thread.
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

/// This thread's shard.
fn shard_index() -> usize {
    SHARD
        .try_with(|s| {
            let i = s.get();
            if i < SHARDS {
                return i;
            }
            let i = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
            s.set(i);
            i
        })
        .unwrap_or(0)
}

/// The histogram bucket of a duration.
fn bucket(ns: u64) -> usize {
    DURATION_BUCKETS_NS.partition_point(|&bound| bound < ns)
}

/// Counts one duration of phase `p` in a shard.
fn observe(shard: &Shard, p: usize, ns: u64) {
    add(&shard.buckets[p][bucket(ns)], 1);
    add(&shard.sum_ns[p], ns);
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn load(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

impl Metrics {
    /// Counters at zero.
    pub fn new() -> Metrics {
        Metrics {
            shards: Box::default(),
            verdicts: Default::default(),
            attacks: AtomicU64::new(0),
            blocked: AtomicU64::new(0),
            internal_errors: AtomicU64::new(0),
            skipped: Default::default(),
            responses: Default::default(),
            events_dropped: Default::default(),
            config_version: AtomicU64::new(0),
        }
    }

    /// Records a finished inspection: its verdict and, for a timed phase, the time since
    /// `started`. The engine calls it for every inspection; call it yourself only for an
    /// inspection made outside the engine.
    pub fn record(&self, phase: Phase, verdict: &Verdict, started: Option<Instant>) {
        let shard = &self.shards[shard_index()];
        let p = phase as usize;
        add(&shard.inspections[p][verdict.action as usize], 1);
        if let Some(started) = started {
            let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            observe(shard, p, ns);
        }
        if verdict.action == Action::Allow
            && verdict.skipped.is_none()
            && verdict.internal_error.is_none()
        {
            // The common case: nothing else to count.
            return;
        }
        self.record_rare(phase, verdict);
    }

    /// The counters of verdicts that have something to say.
    fn record_rare(&self, phase: Phase, verdict: &Verdict) {
        if verdict.is_blocked() {
            add(&self.blocked, 1);
        }
        if verdict.internal_error.is_some() {
            add(&self.internal_errors, 1);
        }
        if phase == Phase::Request
            && let Some(skipped) = verdict.skipped
        {
            add(&self.skipped[skipped as usize], 1);
        }
        if verdict.findings.is_empty() {
            return;
        }
        add(&self.attacks, 1);
        // Once per check per verdict, with the action of the check's first finding (a check's
        // findings share its level).
        let mut seen = 0u32;
        for f in &verdict.findings {
            let bit = 1u32 << (f.check as u32);
            if seen & bit == 0 {
                seen |= bit;
                add(&self.verdicts[f.check as usize][f.action() as usize], 1);
            }
        }
    }

    /// Counts a duration of `ns` nanoseconds for `phase` (tests: durations of their choice).
    #[cfg(test)]
    fn observe_ns(&self, phase: Phase, ns: u64) {
        observe(&self.shards[shard_index()], phase as usize, ns);
    }

    /// Counts an internal error caught around the engine rather than inside an inspection
    /// (an adapter's own code failed, e.g. translating a request, and failed open or closed
    /// as `FAIL_OPEN` says), in `ironward_internal_errors_total`. Errors inside an
    /// inspection are counted by [`record`](Self::record), from the verdict.
    pub fn record_internal_error(&self) {
        add(&self.internal_errors, 1);
    }

    /// Records the status of a response an adapter passes on (or sends instead: a block
    /// response), for `ironward_responses_total`. Adapters call it once per response.
    pub fn record_response_status(&self, status: u16) {
        let class = match status {
            100..=599 => usize::from(status / 100 - 1),
            _ => STATUS_CLASSES.len() - 1,
        };
        add(&self.responses[class], 1);
    }

    /// Records `n` security events lost by a shipper (the log agent, the management client).
    pub fn record_events_dropped(&self, reason: DropReason, n: u64) {
        add(&self.events_dropped[reason as usize], n);
    }

    /// Counts one more configuration put in force (`ironward_config_version`): an engine
    /// built with fresh metrics starts at 1, and [`SharedEngine`](crate::reload::SharedEngine)
    /// (or the adapter that swaps engines) adds one at each hot reload. Building an engine
    /// alone does not count (a configuration may be built to be validated and dropped).
    pub fn configuration_applied(&self) {
        add(&self.config_version, 1);
    }

    /// Sets the version of the configuration in force (`ironward_config_version`), for an
    /// application that numbers its configurations itself; the next reload counts on from
    /// it.
    pub fn set_config_version(&self, version: u64) {
        self.config_version.store(version, Ordering::Relaxed);
    }

    /// The version set by [`set_config_version`](Self::set_config_version).
    pub fn config_version(&self) -> u64 {
        load(&self.config_version)
    }

    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let mut inspections = [[0u64; ACTIONS]; PHASES];
        let mut durations = [Histogram::default(); PHASES];
        for shard in self.shards.iter() {
            for (total, counters) in inspections.iter_mut().zip(&shard.inspections) {
                for (t, c) in total.iter_mut().zip(counters) {
                    *t += load(c);
                }
            }
            for ((h, buckets), sum) in durations.iter_mut().zip(&shard.buckets).zip(&shard.sum_ns) {
                for (t, c) in h.buckets.iter_mut().zip(buckets) {
                    *t += load(c);
                }
                h.sum_ns = h.sum_ns.saturating_add(load(sum));
            }
        }
        let verdicts = self.verdicts.each_ref().map(|row| row.each_ref().map(load));
        let requests = inspections[Phase::Request as usize].iter().sum();
        let events_dropped = self.events_dropped.each_ref().map(load);
        MetricsSnapshot {
            requests,
            blocked: load(&self.blocked),
            attacks: load(&self.attacks),
            internal_errors: load(&self.internal_errors),
            events_dropped: events_dropped.iter().sum(),
            config_version: load(&self.config_version),
            inspections,
            verdicts,
            skipped: self.skipped.each_ref().map(load),
            responses: self.responses.each_ref().map(load),
            events_dropped_by: events_dropped,
            durations,
        }
    }
}

/// A duration histogram: per-bucket counts (bounds [`DURATION_BUCKETS_NS`], then `+Inf`) and
/// the sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Histogram {
    buckets: [u64; BUCKETS],
    sum_ns: u64,
}

impl Histogram {
    /// Observations.
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// Sum of the observed durations, in nanoseconds.
    pub fn sum_ns(&self) -> u64 {
        self.sum_ns
    }

    /// Observations at most each bound of [`DURATION_BUCKETS_NS`] and then `+Inf`
    /// (cumulative, as Prometheus counts them).
    pub fn cumulative(&self) -> [u64; BUCKETS] {
        let mut total = 0u64;
        self.buckets.map(|n| {
            total += n;
            total
        })
    }
}

/// The counters of a [`Metrics`] at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// HTTP requests inspected.
    pub requests: u64,
    /// Verdicts that blocked, whatever the phase (a request, its response, a sink operation, a
    /// tool call…): at most one per request, since a blocked request goes no further.
    pub blocked: u64,
    /// Verdicts with at least one finding (attacks seen, blocked or monitored), whatever the
    /// phase: a request with a monitored finding whose response then leaks counts twice.
    pub attacks: u64,
    /// Verdicts carrying an internal error (failed open or closed as `FAIL_OPEN` says).
    pub internal_errors: u64,
    /// Security events lost by the shippers, all reasons.
    pub events_dropped: u64,
    /// The configuration version: configurations applied ([`Metrics::configuration_applied`]),
    /// or what [`Metrics::set_config_version`] set.
    pub config_version: u64,
    inspections: [[u64; ACTIONS]; PHASES],
    verdicts: [[u64; ACTIONS]; CHECKS],
    skipped: [u64; SKIPPED_ALL.len()],
    responses: [u64; STATUS_CLASSES.len()],
    events_dropped_by: [u64; DropReason::ALL.len()],
    durations: [Histogram; PHASES],
}

impl MetricsSnapshot {
    /// Inspections of a phase that ended with an action.
    pub fn inspections(&self, phase: Phase, action: Action) -> u64 {
        self.inspections[phase as usize][action as usize]
    }

    /// Verdicts in which `check` had a finding asking for `action`.
    pub fn verdicts(&self, check: CheckId, action: Action) -> u64 {
        self.verdicts[check as usize][action as usize]
    }

    /// Requests whose checks were skipped for this reason.
    pub fn skipped(&self, reason: Skipped) -> u64 {
        self.skipped[reason as usize]
    }

    /// Responses recorded with a status of this class (index in [`STATUS_CLASSES`]).
    pub fn responses(&self, class: usize) -> u64 {
        self.responses.get(class).copied().unwrap_or(0)
    }

    /// Events lost for this reason.
    pub fn events_dropped(&self, reason: DropReason) -> u64 {
        self.events_dropped_by[reason as usize]
    }

    /// The duration histogram of a phase (empty for [`Phase::Stream`]).
    pub fn duration(&self, phase: Phase) -> &Histogram {
        &self.durations[phase as usize]
    }
}
