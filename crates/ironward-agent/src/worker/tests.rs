//! Unit tests of the batching worker: the policy, the batch bounds, and the loop over an
//! in-memory transport.

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
    fn send_batch(&mut self, records: &[Vec<u8>]) -> Result<(), crate::transport::TransportError> {
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
