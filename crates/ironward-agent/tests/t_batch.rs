//! Batches (`LOG_BATCH_SIZE` above 1) against the scripted HTTP server of `t_http` on
//! loopback: N events arrive in ⌈N/size⌉ POSTs, the wait bound holds, the byte bound holds,
//! flush and drop send the partial batch, and a dead or stuck receiver costs counted drops,
//! never a blocked `submit` or unbounded memory.

use crate::support::{config, event, event_with, render, wait_until};
use crate::t_http::{ERROR, SLOW_OK, Server};
use ironward_agent::agent::Agent;
use ironward_core::config::{Config, LogFormat, LogProtocol};
use ironward_core::metrics::{DropReason, Metrics};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn batch_config(port: u16, size: u64, wait_ms: u64) -> Config {
    let mut c = config(LogProtocol::Http, port);
    c.log_path = "/ingest".to_owned();
    c.log_batch_size = size;
    c.log_batch_wait_ms = wait_ms;
    c
}

/// The documents of a JSON-array body, each re-serialised as the agent renders it.
fn documents(body: &[u8]) -> Vec<Vec<u8>> {
    let docs: Vec<serde_json::Value> = serde_json::from_slice(body).expect("a JSON array");
    docs.iter()
        .map(|d| serde_json::to_vec(d).unwrap())
        .collect()
}

/// `render` normalised through serde_json (key order and escapes as `documents` gives them).
fn normalised(cfg: &Config, i: usize) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(&render(cfg, &event(i))).unwrap();
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn n_events_arrive_in_ceil_n_over_size_posts() {
    let server = Server::start();
    // A long wait: batches are cut by their size, and the last, partial one by `flush`.
    let cfg = batch_config(server.port, 10, 30_000);
    let agent = Agent::start(&cfg).unwrap();
    for i in 0..95 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(10)), "{:?}", agent.stats());
    let got = server.received();
    assert_eq!(got.len(), 10, "⌈95/10⌉ POSTs");
    let mut all = Vec::new();
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.path, "/ingest");
        assert_eq!(r.content_type, "application/json");
        let docs = documents(&r.body);
        assert_eq!(docs.len(), if i < 9 { 10 } else { 5 }, "POST {i}");
        all.extend(docs);
    }
    let expected: Vec<Vec<u8>> = (0..95).map(|i| normalised(&cfg, i)).collect();
    assert_eq!(all, expected, "every event once, in order");
    let stats = agent.stats();
    assert_eq!((stats.submitted, stats.sent, stats.failed), (95, 95, 0));
}

#[test]
fn syslog_formats_batch_as_lines() {
    let server = Server::start();
    let mut cfg = batch_config(server.port, 4, 30_000);
    cfg.log_format = LogFormat::Rfc5424;
    let agent = Agent::start(&cfg).unwrap();
    for i in 0..8 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(10)));
    let got = server.received();
    assert_eq!(got.len(), 2);
    for (b, r) in got.iter().enumerate() {
        assert_eq!(r.content_type, "text/plain; charset=utf-8");
        let mut expected = Vec::new();
        for i in b * 4..b * 4 + 4 {
            expected.extend(render(&cfg, &event(i)));
            expected.push(b'\n');
        }
        assert_eq!(r.body, expected);
    }
}

#[test]
fn a_partial_batch_waits_at_most_the_wait_bound() {
    let server = Server::start();
    let cfg = batch_config(server.port, 100, 300);
    let agent = Agent::start(&cfg).unwrap();
    let t = Instant::now();
    for i in 0..3 {
        agent.submit(event(i));
    }
    // No flush: the batch goes when its first record has waited LOG_BATCH_WAIT_MS.
    assert!(wait_until(Duration::from_secs(10), || !server
        .received()
        .is_empty()));
    let elapsed = t.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300),
        "sent before the wait: {elapsed:?}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(documents(&got[0].body).len(), 3);
    assert!(agent.flush(Duration::from_secs(5)));
    assert_eq!(agent.stats().sent, 3);
}

#[test]
fn zero_wait_sends_what_is_queued() {
    let server = Server::start();
    // 0: what is queued goes at once, without a flush.
    let cfg = batch_config(server.port, 100, 0);
    let agent = Agent::start(&cfg).unwrap();
    agent.submit(event(1));
    assert!(wait_until(Duration::from_secs(10), || !server
        .received()
        .is_empty()));
    assert_eq!(documents(&server.received()[0].body).len(), 1);
}

#[test]
fn dropping_the_agent_sends_the_partial_batch() {
    let server = Server::start();
    let cfg = batch_config(server.port, 100, 60_000);
    let agent = Agent::start(&cfg).unwrap();
    for i in 0..5 {
        agent.submit(event(i));
    }
    drop(agent);
    let got = server.received();
    assert_eq!(got.len(), 1, "sent at shutdown, not after the minute");
    assert_eq!(documents(&got[0].body).len(), 5);
}

#[test]
fn batches_stay_under_the_byte_bound() {
    let server = Server::start();
    let mut cfg = batch_config(server.port, 1_000, 30_000);
    cfg.log_batch_max_bytes = 1_100;
    let agent = Agent::start(&cfg).unwrap();
    let extra = "x".repeat(200);
    for i in 0..20 {
        agent.submit(event_with(i, &extra));
    }
    // One record larger than the bound goes alone.
    agent.submit(event_with(99, &"y".repeat(1_000)));
    assert!(agent.flush(Duration::from_secs(10)));
    let got = server.received();
    let counts: Vec<usize> = got.iter().map(|r| documents(&r.body).len()).collect();
    assert_eq!(counts.iter().sum::<usize>(), 21, "{counts:?}");
    assert!(got.len() >= 5, "{counts:?}");
    let (last, rest) = got.split_last().unwrap();
    for r in rest {
        assert!(r.body.len() <= 1_100 + 1, "{} bytes", r.body.len());
    }
    assert_eq!(documents(&last.body).len(), 1, "the large record alone");
    assert!(last.body.len() > 1_100, "{counts:?} {}", last.body.len());
}

#[test]
fn a_failed_batch_counts_each_record() {
    let server = Server::start();
    server.mode.store(ERROR, Ordering::Relaxed);
    let cfg = batch_config(server.port, 5, 30_000);
    let metrics = Arc::new(Metrics::new());
    let agent = Agent::start_with_metrics(&cfg, Arc::clone(&metrics)).unwrap();
    for i in 0..10 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(10)));
    assert_eq!(server.received().len(), 2, "two POSTs of five");
    let stats = agent.stats();
    assert_eq!((stats.sent, stats.failed), (0, 10), "{stats:?}");
    assert_eq!(
        metrics.snapshot().events_dropped(DropReason::SendFailed),
        10
    );
}

#[test]
fn a_stuck_receiver_costs_counted_drops_not_memory() {
    let server = Server::start();
    server.mode.store(SLOW_OK, Ordering::Relaxed);
    let mut cfg = batch_config(server.port, 10, 50);
    cfg.log_queue_size = 20;
    cfg.log_timeout_ms = 300;
    let metrics = Arc::new(Metrics::new());
    let agent = Agent::start_with_metrics(&cfg, Arc::clone(&metrics)).unwrap();
    let t = Instant::now();
    for i in 0..500 {
        agent.submit(event(i));
    }
    // A hang guard, not a speed test: a submit that waited for the network would take 0.3 s.
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let stats = agent.stats();
    // Held at most: the queue (20) and the batch being shipped (10).
    assert!(stats.dropped_queue_full >= 500 - 30, "{stats:?}");
    assert!(agent.flush(Duration::from_secs(20)), "{:?}", agent.stats());
    let stats = agent.stats();
    assert_eq!(stats.sent, 0, "every POST timed out: {stats:?}");
    assert_eq!(stats.dropped_queue_full + stats.failed, 500, "{stats:?}");
    let snapshot = metrics.snapshot();
    assert_eq!(
        snapshot.events_dropped(DropReason::QueueFull),
        stats.dropped_queue_full
    );
    assert_eq!(
        snapshot.events_dropped(DropReason::SendFailed),
        stats.failed
    );
}

#[test]
fn a_closed_receiver_fails_fast_and_counts() {
    let mut server = Server::start();
    server.close();
    let cfg = batch_config(server.port, 10, 20);
    let agent = Agent::start(&cfg).unwrap();
    for i in 0..25 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(10)));
    let stats = agent.stats();
    assert_eq!((stats.submitted, stats.sent, stats.failed), (25, 0, 25));
}
