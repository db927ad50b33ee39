//! The event shipper: a background worker fed by a bounded queue, and a synchronous variant
//! for serverless hosts.
//!
//! [`Agent::start`] spawns **one** thread and a bounded queue of `LOG_QUEUE_SIZE` events
//! (`std::sync::mpsc::sync_channel`). [`Agent::submit`] never blocks: it `try_send`s, and a
//! full queue drops the event and counts it ([`AgentStats::dropped_queue_full`]) — unlike
//! pyrasp's unbounded queue, a slow or dead log server cannot grow memory without limit nor
//! slow requests down. The worker resolves the country (when `RESOLVE_COUNTRY`), renders the
//! event with the [`Formatter`] and sends it through the [`Transport`]; a failed send is
//! counted ([`AgentStats::failed`]), never retried, never panics (pyrasp swallowed errors
//! silently).
//!
//! **Batches**: with `LOG_BATCH_SIZE` above 1 and an HTTP(S) transport, the worker sends up to
//! `LOG_BATCH_SIZE` records in one request, waiting at most `LOG_BATCH_WAIT_MS` after the first
//! one, or until one more record would pass `LOG_BATCH_MAX_BYTES`; a failed batch counts each of its records
//! as failed. [`Agent::flush`] and dropping the agent send the partial batch at once. The other
//! transports, and the synchronous agent, ship one record at a time.
//!
//! [`Agent::sync`] builds a [`SyncAgent`] for hosts that freeze threads between requests
//! (serverless): [`SyncAgent::send`] renders and ships inline, bounded by `LOG_TIMEOUT_MS`
//! (pyrasp's serverless mode used a fixed 1 s), one record per call whatever `LOG_BATCH_SIZE`
//! says (a frozen host cannot keep a batch waiting).
//!
//! **`LOG_ENABLED = false`**: both constructors succeed and return a *disabled* agent that
//! ignores events (no thread, no transport, all counters stay at zero); see
//! [`Agent::is_enabled`].
//!
//! **Metrics**: [`Agent::start_with_metrics`] and [`SyncAgent::with_metrics`] also count every
//! lost event in the engine's [`Metrics`] (`ironward_events_dropped_total`, reason `queue_full`
//! or `send_failed`), so that the Prometheus route shows them.
//!
//! **Shutdown**: dropping an [`Agent`] closes the queue; the worker ships what is queued and
//! exits. The drop waits at most [`SHUTDOWN_WAIT`] (or two `LOG_TIMEOUT_MS`, whichever is
//! longer); past it the worker is told to discard the rest (counted as failed) and is detached.

use crate::country::country;
use crate::format::Formatter;
use crate::transport::{self, Transport, TransportError};
use crate::worker::{Msg, Policy, run};
use ironward_core::config::Config;
use ironward_core::event::Event;
use ironward_core::metrics::{DropReason, Metrics};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The shortest time a dropped [`Agent`] waits for its worker to ship the queued events.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);
/// The largest queue: a larger `LOG_QUEUE_SIZE` is capped to it (the queue is preallocated).
pub const MAX_QUEUE: usize = 1_000_000;

/// Why an agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The transport could not be opened.
    #[error("cannot open the log transport: {0}")]
    Transport(#[from] TransportError),
    /// The worker thread could not be spawned.
    #[error("cannot spawn the log thread: {0}")]
    Spawn(std::io::Error),
}

/// The agent's counters, since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentStats {
    /// Events handed to the agent (accepted or not).
    pub submitted: u64,
    /// Events shipped successfully.
    pub sent: u64,
    /// Events dropped because the queue was full.
    pub dropped_queue_full: u64,
    /// Events whose shipment failed (transport error, TCP backoff, discarded at shutdown).
    pub failed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    submitted: AtomicU64,
    sent: AtomicU64,
    dropped_queue_full: AtomicU64,
    failed: AtomicU64,
    /// Events queued or being shipped.
    pub(crate) pending: AtomicU64,
    /// Set when shutdown gave up: the worker discards what is left.
    pub(crate) abandon: AtomicBool,
    /// Set while a flush marker is in the queue (at most one at a time).
    pub(crate) flush_requested: AtomicBool,
    /// The engine's metrics, told about every lost event.
    metrics: Option<Arc<Metrics>>,
}

impl Counters {
    pub(crate) fn stats(&self) -> AgentStats {
        AgentStats {
            submitted: self.submitted.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            dropped_queue_full: self.dropped_queue_full.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    /// Counts the outcome of one shipment of `n` events.
    pub(crate) fn record(&self, result: Result<(), TransportError>, n: u64) {
        match result {
            Ok(()) => {
                self.sent.fetch_add(n, Ordering::Relaxed);
            }
            Err(_) => self.lost(DropReason::SendFailed, n),
        }
    }

    /// Counts `n` lost events.
    pub(crate) fn lost(&self, reason: DropReason, n: u64) {
        let counter = match reason {
            DropReason::QueueFull => &self.dropped_queue_full,
            DropReason::SendFailed => &self.failed,
        };
        counter.fetch_add(n, Ordering::Relaxed);
        if let Some(m) = &self.metrics {
            m.record_events_dropped(reason, n);
        }
    }
}

/// Renders and ships one event.
#[derive(Debug)]
pub(crate) struct Shipper {
    formatter: Formatter,
    resolve_country: bool,
}

impl Shipper {
    pub(crate) fn new(config: &Config) -> Shipper {
        Shipper {
            formatter: Formatter::new(config),
            resolve_country: config.resolve_country,
        }
    }

    /// The event as one record, with its country resolved when `RESOLVE_COUNTRY`.
    pub(crate) fn render(&self, event: &Event) -> Vec<u8> {
        let place = match (self.resolve_country, event.source_ip) {
            (false, _) => String::new(),
            (true, Some(ip)) => country(ip),
            (true, None) => "Unknown".to_owned(),
        };
        self.formatter.render(event, &place)
    }

    /// Renders the event and ships it alone.
    pub(crate) fn ship(
        &self,
        event: &Event,
        transport: &mut dyn Transport,
    ) -> Result<(), TransportError> {
        transport.send(&self.render(event))
    }
}

#[derive(Debug)]
struct Running {
    tx: Option<SyncSender<Msg>>,
    /// Whether the worker groups records (then `flush` asks it to send its partial batch).
    batching: bool,
    worker: Option<JoinHandle<()>>,
    done: Receiver<()>,
    shutdown_wait: Duration,
}

/// The background shipper (see the [module documentation](self)).
#[derive(Debug)]
pub struct Agent {
    counters: Arc<Counters>,
    running: Option<Running>,
}

impl Agent {
    /// Opens the transport and spawns the worker; a disabled agent when `LOG_ENABLED` is false.
    pub fn start(config: &Config) -> Result<Agent, AgentError> {
        Agent::start_inner(config, None)
    }

    /// [`start`](Self::start), and every event lost (queue full, shipping failed) is also
    /// counted in `metrics` (the engine's: `Engine::metrics`).
    pub fn start_with_metrics(config: &Config, metrics: Arc<Metrics>) -> Result<Agent, AgentError> {
        Agent::start_inner(config, Some(metrics))
    }

    fn start_inner(config: &Config, metrics: Option<Arc<Metrics>>) -> Result<Agent, AgentError> {
        let counters = Arc::new(Counters {
            metrics,
            ..Counters::default()
        });
        if !config.log_enabled {
            return Ok(Agent {
                counters,
                running: None,
            });
        }
        let transport = transport::open(config)?;
        let capacity = usize::try_from(config.log_queue_size)
            .unwrap_or(MAX_QUEUE)
            .clamp(1, MAX_QUEUE);
        let policy = Policy::new(config, transport.batches());
        let (tx, rx) = mpsc::sync_channel::<Msg>(capacity);
        let (done_tx, done) = mpsc::channel::<()>();
        let shipper = Shipper::new(config);
        let worker_counters = Arc::clone(&counters);
        let worker = std::thread::Builder::new()
            .name("ironward-agent".to_owned())
            .spawn(move || {
                run(&rx, &shipper, transport, &worker_counters, policy);
                let _ = done_tx.send(());
            })
            .map_err(AgentError::Spawn)?;
        Ok(Agent {
            counters,
            running: Some(Running {
                tx: Some(tx),
                batching: policy.batches(),
                worker: Some(worker),
                done,
                shutdown_wait: SHUTDOWN_WAIT.max(transport::timeout(config) * 2),
            }),
        })
    }

    /// A synchronous agent for serverless hosts (see [`SyncAgent`]).
    pub fn sync(config: &Config) -> Result<SyncAgent, AgentError> {
        SyncAgent::new(config)
    }

    /// Whether events are shipped (`LOG_ENABLED`).
    pub fn is_enabled(&self) -> bool {
        self.running.is_some()
    }

    /// Queues an event for shipping. Never blocks: when the queue is full the event is dropped
    /// and counted. Ignored by a disabled agent.
    pub fn submit(&self, event: Event) {
        let Some(tx) = self.running.as_ref().and_then(|r| r.tx.as_ref()) else {
            return;
        };
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        match tx.try_send(Msg::Event(event)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.counters.pending.fetch_sub(1, Ordering::Relaxed);
                self.counters.lost(DropReason::QueueFull, 1);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.counters.pending.fetch_sub(1, Ordering::Relaxed);
                self.counters.lost(DropReason::SendFailed, 1);
            }
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> AgentStats {
        self.counters.stats()
    }

    /// Waits until every queued event has been shipped (or has failed), or `timeout` elapses;
    /// `true` when the queue drained. A batch being collected is sent at once, without waiting
    /// for `LOG_BATCH_WAIT_MS`.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.counters.pending.load(Ordering::Acquire) == 0 {
                return true;
            }
            self.request_flush();
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
        }
    }
}

impl Agent {
    /// Asks a batching worker to send its partial batch: one marker in the queue at a time
    /// (a full queue is retried by the next call; the worker is busy draining it anyway).
    fn request_flush(&self) {
        let Some(running) = self.running.as_ref().filter(|r| r.batching) else {
            return;
        };
        let Some(tx) = running.tx.as_ref() else {
            return;
        };
        if !self.counters.flush_requested.swap(true, Ordering::AcqRel)
            && tx.try_send(Msg::Flush).is_err()
        {
            self.counters
                .flush_requested
                .store(false, Ordering::Release);
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        // Closing the queue lets the worker finish what is queued, then exit.
        drop(running.tx.take());
        if running.done.recv_timeout(running.shutdown_wait).is_ok() {
            if let Some(worker) = running.worker.take() {
                let _ = worker.join();
            }
        } else {
            // Still busy (a slow server): discard the rest and detach the thread.
            self.counters.abandon.store(true, Ordering::Relaxed);
            drop(running.worker.take());
        }
    }
}

/// The synchronous shipper for serverless hosts: no thread, no queue, no batches.
///
/// [`send`](SyncAgent::send) renders the event and ships it inline, alone (`LOG_BATCH_SIZE`
/// does not apply), each network operation
/// bounded by `LOG_TIMEOUT_MS`; failures are counted, never returned to the request. Calls from
/// several threads are serialised on the transport.
#[derive(Debug)]
pub struct SyncAgent {
    counters: Counters,
    inner: Option<(Shipper, Mutex<Box<dyn Transport + Send>>)>,
}

impl SyncAgent {
    /// Opens the transport; a disabled agent when `LOG_ENABLED` is false.
    pub fn new(config: &Config) -> Result<SyncAgent, AgentError> {
        let inner = if config.log_enabled {
            Some((Shipper::new(config), Mutex::new(transport::open(config)?)))
        } else {
            None
        };
        Ok(SyncAgent {
            counters: Counters::default(),
            inner,
        })
    }

    /// Whether events are shipped (`LOG_ENABLED`).
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Renders and ships `event` now. Ignored by a disabled agent.
    pub fn send(&self, event: &Event) {
        let Some((shipper, transport)) = &self.inner else {
            return;
        };
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
        match transport.lock() {
            Ok(mut transport) => self
                .counters
                .record(shipper.ship(event, transport.as_mut()), 1),
            Err(_) => self.counters.lost(DropReason::SendFailed, 1),
        }
    }

    /// Also counts every event whose shipment fails in `metrics` (the engine's).
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> SyncAgent {
        self.counters.metrics = Some(metrics);
        self
    }

    /// The counters so far (`dropped_queue_full` is always 0).
    pub fn stats(&self) -> AgentStats {
        self.counters.stats()
    }
}
