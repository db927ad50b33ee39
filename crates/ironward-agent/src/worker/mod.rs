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
mod tests;
