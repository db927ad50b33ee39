//! The background worker of [`Agent`](crate::agent::Agent): takes events off the bounded queue,
//! renders them and ships them one by one or in batches.
//!
//! **Batches** (`LOG_BATCH_SIZE` above 1, on a transport that ships batches: HTTP(S)): the
//! worker blocks for the first event, then collects more until the batch holds
//! `LOG_BATCH_SIZE` records, or `LOG_BATCH_WAIT_MS` has passed since its first record, or one
//! more record would take its body past `LOG_BATCH_MAX_BYTES` (a single larger record goes
//! alone), or the agent is flushed or dropped; then it makes **one** shipment. A batch that
//! fails counts each of its records as failed. With `LOG_BATCH_WAIT_MS = 0` the batch is what
//! is queued at that moment (never waited for).
//!
//! Memory stays bounded: the queue (`LOG_QUEUE_SIZE` events) plus the one batch being collected
//! or shipped (at most `LOG_BATCH_SIZE` rendered records and `LOG_BATCH_MAX_BYTES` plus one
//! record). Nothing is retried or kept after a failure.
//!
//! With `LOG_BATCH_SIZE = 1`, or on the other transports, each event is shipped as soon as it
//! is taken off the queue, exactly as before batching existed.

use crate::agent::{Counters, Shipper};
use crate::transport::Transport;
use ironward_core::config::Config;
use ironward_core::event::Event;
use ironward_core::metrics::DropReason;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

/// What goes through the queue.
// Unboxed: a slot is as large as an event was before the marker existed (boxing would add an
// allocation per event on the request path).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Msg {
    /// An event to ship.
    Event(Event),
    /// Ship the batch being collected now (sent by `Agent::flush`).
    Flush,
}

/// How records are grouped (from `LOG_BATCH_SIZE`, `LOG_BATCH_WAIT_MS`, `LOG_BATCH_MAX_BYTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Most records in one shipment (1: no batching).
    pub(crate) size: usize,
    /// Longest the first record of a batch waits for the batch to fill.
    pub(crate) wait: Duration,
    /// Most bytes of records (and their separators) in one batch.
    pub(crate) max_bytes: usize,
}

impl Policy {
    /// The configuration's policy for a transport; one record per shipment when the transport
    /// does not ship batches.
    pub(crate) fn new(config: &Config, transport_batches: bool) -> Policy {
        let size = if transport_batches {
            usize::try_from(config.log_batch_size)
                .unwrap_or(usize::MAX)
                .clamp(1, MAX_BATCH)
        } else {
            1
        };
        Policy {
            size,
            wait: Duration::from_millis(config.log_batch_wait_ms),
            max_bytes: usize::try_from(config.log_batch_max_bytes).unwrap_or(usize::MAX),
        }
    }

    /// Whether records are grouped at all.
    pub(crate) fn batches(&self) -> bool {
        self.size > 1
    }
}

/// The largest batch whatever the configuration says (the key's own maximum).
pub(crate) const MAX_BATCH: usize = 10_000;

/// The records being collected, with their size.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    records: Vec<Vec<u8>>,
    bytes: usize,
}

impl Batch {
    /// An empty batch with room for `policy.size` records.
    pub(crate) fn new(policy: &Policy) -> Batch {
        Batch {
            records: Vec::with_capacity(policy.size),
            bytes: 0,
        }
    }

    /// Records held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes of its records, each counted with one separator byte.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether `record` can join without passing `policy`'s byte bound (an empty batch takes
    /// any record: a larger one is sent alone).
    pub(crate) fn fits(&self, record: &[u8], policy: &Policy) -> bool {
        self.records.is_empty() || self.bytes.saturating_add(record.len() + 1) <= policy.max_bytes
    }

    /// Adds a record.
    pub(crate) fn push(&mut self, record: Vec<u8>) {
        self.bytes = self.bytes.saturating_add(record.len() + 1);
        self.records.push(record);
    }

    /// Whether it holds `policy.size` records or its bytes reached the bound.
    pub(crate) fn is_full(&self, policy: &Policy) -> bool {
        self.records.len() >= policy.size || self.bytes >= policy.max_bytes
    }

    /// The records, leaving the batch empty.
    pub(crate) fn take(&mut self) -> Vec<Vec<u8>> {
        self.bytes = 0;
        std::mem::take(&mut self.records)
    }
}

/// The worker loop: ships events until the queue is closed and drained.
pub(crate) fn run(
    rx: &Receiver<Msg>,
    shipper: &Shipper,
    mut transport: Box<dyn Transport + Send>,
    counters: &Counters,
    policy: Policy,
) {
    if !policy.batches() {
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Event(event) => {
                    if counters.abandon.load(Ordering::Relaxed) {
                        counters.lost(DropReason::SendFailed, 1);
                    } else {
                        counters.record(shipper.ship(&event, transport.as_mut()), 1);
                    }
                    counters.pending.fetch_sub(1, Ordering::Release);
                }
                Msg::Flush => counters.flush_requested.store(false, Ordering::Release),
            }
        }
        return;
    }
    let mut batch = Batch::new(&policy);
    // Blocks for the first event of each batch.
    while let Ok(msg) = rx.recv() {
        let event = match msg {
            Msg::Event(event) => event,
            Msg::Flush => {
                counters.flush_requested.store(false, Ordering::Release);
                continue;
            }
        };
        batch.push(shipper.render(&event));
        let mut deadline = Instant::now() + policy.wait;
        let closed = loop {
            if batch.is_full(&policy) {
                break false;
            }
            let next = if policy.wait.is_zero() {
                rx.try_recv().map_err(|e| match e {
                    TryRecvError::Empty => RecvTimeoutError::Timeout,
                    TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            };
            match next {
                Ok(Msg::Event(event)) => {
                    let record = shipper.render(&event);
                    if !batch.fits(&record, &policy) {
                        ship_batch(&mut batch, transport.as_mut(), counters);
                        deadline = Instant::now() + policy.wait;
                    }
                    batch.push(record);
                }
                Ok(Msg::Flush) => {
                    counters.flush_requested.store(false, Ordering::Release);
                    break false;
                }
                Err(RecvTimeoutError::Timeout) => break false,
                Err(RecvTimeoutError::Disconnected) => break true,
            }
        };
        ship_batch(&mut batch, transport.as_mut(), counters);
        if closed {
            return;
        }
    }
}

/// Ships the batch in one shipment (or discards it when shutdown gave up) and counts it.
fn ship_batch(batch: &mut Batch, transport: &mut dyn Transport, counters: &Counters) {
    if batch.is_empty() {
        return;
    }
    let records = batch.take();
    let n = records.len() as u64;
    if counters.abandon.load(Ordering::Relaxed) {
        counters.lost(DropReason::SendFailed, n);
    } else {
        counters.record(transport.send_batch(&records), n);
    }
    counters.pending.fetch_sub(n, Ordering::Release);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn policy(size: usize, max_bytes: usize) -> Policy {
        Policy {
            size,
            wait: Duration::from_millis(10),
            max_bytes,
        }
    }

    #[test]
    fn policy_follows_the_configuration_and_the_transport() {
        let mut config = Config::default();
        assert_eq!(Policy::new(&config, true).size, 1, "default: no batches");
        config.log_batch_size = 100;
        config.log_batch_wait_ms = 0;
        let p = Policy::new(&config, true);
        assert_eq!((p.size, p.wait, p.batches()), (100, Duration::ZERO, true));
        assert_eq!(p.max_bytes, 512 * 1024);
        // UDP, TCP, file, stdout: one record per write whatever the key says.
        assert!(!Policy::new(&config, false).batches());
        config.log_batch_size = u64::MAX;
        assert_eq!(Policy::new(&config, true).size, MAX_BATCH);
    }

    #[test]
    fn batch_is_full_by_count() {
        let p = policy(3, 1_000);
        let mut b = Batch::new(&p);
        for i in 0..3 {
            assert!(!b.is_full(&p), "{i}");
            b.push(b"abc".to_vec());
        }
        assert!(b.is_full(&p));
        assert_eq!((b.len(), b.bytes()), (3, 12));
        assert_eq!(b.take().len(), 3);
        assert!(b.is_empty());
        assert_eq!(b.bytes(), 0);
    }

    #[test]
    fn batch_is_bounded_by_bytes_but_takes_one_large_record() {
        let p = policy(100, 10);
        let mut b = Batch::new(&p);
        assert!(
            b.fits(&[b'x'; 50], &p),
            "an empty batch takes a large record"
        );
        b.push(b"1234".to_vec()); // 5 bytes with its separator
        assert!(b.fits(b"abcd", &p)); // 10
        assert!(!b.fits(b"abcde", &p)); // 11
        b.push(b"abcd".to_vec());
        assert!(b.is_full(&p), "the byte bound is reached");
    }

    /// An in-memory transport: the batches it was given.
    #[derive(Debug, Default, Clone)]
    struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<usize>>>);

    impl Transport for Recorder {
        fn send(&mut self, _record: &[u8]) -> Result<(), crate::transport::TransportError> {
            self.0.lock().unwrap().push(1);
            Ok(())
        }
        fn batches(&self) -> bool {
            true
        }
        fn send_batch(
            &mut self,
            records: &[Vec<u8>],
        ) -> Result<(), crate::transport::TransportError> {
            self.0.lock().unwrap().push(records.len());
            Ok(())
        }
    }

    fn event() -> Event {
        let finding =
            ironward_core::verdict::Finding::new(ironward_core::check::CheckId::Sqli, "qs", "x");
        let ctx = ironward_core::event::EventContext {
            app: "T",
            source_ip: None,
            method: "GET",
            path: "/",
            unix_ms: 0,
        };
        Event::new(&finding, &ctx)
    }

    /// Runs the worker over `msgs` (queued before it starts, then the queue closed).
    fn run_over(msgs: Vec<Msg>, policy: Policy) -> (Vec<usize>, Counters) {
        let recorder = Recorder::default();
        let counters = Counters::default();
        let (tx, rx) = std::sync::mpsc::sync_channel(msgs.len().max(1));
        for m in msgs {
            if matches!(m, Msg::Event(_)) {
                counters.pending.fetch_add(1, Ordering::Relaxed);
            }
            tx.send(m).unwrap();
        }
        drop(tx);
        let shipper = Shipper::new(&Config::default());
        run(&rx, &shipper, Box::new(recorder.clone()), &counters, policy);
        let batches = recorder.0.lock().unwrap().clone();
        (batches, counters)
    }

    #[test]
    fn worker_groups_by_size_and_ships_the_rest_at_close() {
        let msgs = (0..7).map(|_| Msg::Event(event())).collect();
        let (batches, counters) = run_over(msgs, policy(3, 1 << 20));
        assert_eq!(batches, [3, 3, 1]);
        assert_eq!(counters.pending.load(Ordering::Relaxed), 0);
        assert_eq!(counters.stats().sent, 7);
    }

    #[test]
    fn a_flush_marker_cuts_the_batch() {
        let mut msgs: Vec<Msg> = (0..2).map(|_| Msg::Event(event())).collect();
        msgs.push(Msg::Flush);
        msgs.extend((0..2).map(|_| Msg::Event(event())));
        let (batches, counters) = run_over(msgs, policy(10, 1 << 20));
        assert_eq!(batches, [2, 2]);
        assert!(!counters.flush_requested.load(Ordering::Relaxed));
    }

    #[test]
    fn zero_wait_takes_what_is_queued() {
        let msgs = (0..5).map(|_| Msg::Event(event())).collect();
        let p = Policy {
            size: 4,
            wait: Duration::ZERO,
            max_bytes: 1 << 20,
        };
        assert_eq!(run_over(msgs, p).0, [4, 1]);
    }

    #[test]
    fn size_one_sends_each_record_alone() {
        let msgs = (0..3).map(|_| Msg::Event(event())).collect();
        assert_eq!(run_over(msgs, policy(1, 1 << 20)).0, [1, 1, 1]);
    }

    #[test]
    fn shutdown_that_gave_up_discards_and_counts() {
        let recorder = Recorder::default();
        let counters = Counters::default();
        counters.abandon.store(true, Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        for _ in 0..4 {
            counters.pending.fetch_add(1, Ordering::Relaxed);
            tx.send(Msg::Event(event())).unwrap();
        }
        drop(tx);
        let shipper = Shipper::new(&Config::default());
        run(
            &rx,
            &shipper,
            Box::new(recorder.clone()),
            &counters,
            policy(3, 1 << 20),
        );
        assert!(recorder.0.lock().unwrap().is_empty());
        assert_eq!(counters.stats().failed, 4);
    }

    #[test]
    fn out_of_range_keys_are_refused_clearly() {
        use ironward_core::config::{ConfigSources, load};
        let cases = [
            (
                r#"{"LOG_BATCH_SIZE": 0}"#,
                "LOG_BATCH_SIZE: expected an integer from 1 to 10000",
            ),
            (
                r#"{"LOG_BATCH_WAIT_MS": -1}"#,
                "LOG_BATCH_WAIT_MS: expected an integer from 0 to 60000",
            ),
            (
                r#"{"LOG_BATCH_MAX_BYTES": 10}"#,
                "LOG_BATCH_MAX_BYTES: expected an integer from 1024 to 67108864",
            ),
        ];
        for (params, message) in cases {
            let params: serde_json::Value = serde_json::from_str(params).unwrap();
            let sources = ConfigSources {
                params: Some(&params),
                ..ConfigSources::default()
            };
            let err = load(&sources).unwrap_err().to_string();
            assert!(err.contains(message), "{err}");
        }
        let params = serde_json::json!({"LOG_BATCH_SIZE": 100, "LOG_BATCH_WAIT_MS": 0});
        let sources = ConfigSources {
            params: Some(&params),
            ..ConfigSources::default()
        };
        let config = load(&sources).unwrap().config;
        assert_eq!((config.log_batch_size, config.log_batch_wait_ms), (100, 0));
    }
}
