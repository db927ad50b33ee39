//! Benchmarks of the agent on loopback: the cost of `submit` on the request path (a queue push
//! while the worker ships to a UDP socket; towards a dead TCP server, in backoff; with the
//! queue full behind a worker stuck on an HTTP server that never answers: the cases whose
//! tests only guard against a hang), and sustained events per second shipped over UDP and TCP
//! (a fixed batch of events, submitted then flushed, reported as elements/s), and over HTTP one
//! POST per event against batches of 100 (`LOG_BATCH_SIZE`), with the POSTs per 1,000 events
//! printed.
//!
//! Run with `cargo bench -p ironward-agent --bench agent`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ironward_agent::agent::Agent;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, LogFormat, LogProtocol};
use ironward_core::event::{Event, EventContext};
use ironward_core::verdict::Finding;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Events per throughput iteration.
const BATCH: usize = 10_000;

fn event() -> Event {
    let finding = Finding::new(CheckId::Sqli, "qs_values", "' or 1=1 --").with_score(0.99);
    let ctx = EventContext {
        app: "Bench App",
        source_ip: "203.0.113.7".parse().ok(),
        method: "GET",
        path: "/search",
        unix_ms: 1_795_000_000_123,
    };
    Event::new(&finding, &ctx)
}

fn config(protocol: LogProtocol, port: u16) -> Config {
    let mut c = Config::default();
    c.log_enabled = true;
    c.log_server = "127.0.0.1".to_owned();
    c.log_port = port;
    c.log_protocol = protocol;
    c.log_format = LogFormat::Syslog;
    c.resolve_country = true;
    c.log_queue_size = (BATCH * 2) as u64;
    c.log_timeout_ms = 1_000;
    c
}

/// A UDP sink on loopback, drained by a thread (which ends after 2 s without traffic).
fn udp_sink() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        while socket.recv(&mut buf).is_ok() {}
    });
    port
}

/// A TCP sink on loopback: accepts connections and discards what they send.
fn tcp_sink() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65_536];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    port
}

fn submit_latency(c: &mut Criterion) {
    let agent = Agent::start(&config(LogProtocol::Udp, udp_sink())).unwrap();
    let ev = event();
    c.bench_function("submit (queue push, worker shipping UDP)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                // Chunks smaller than the queue, flushed (untimed) between them, so every timed
                // submit is a real push, never the full-queue drop path.
                let chunk = left.min(1_000);
                let events: Vec<Event> = (0..chunk).map(|_| ev.clone()).collect();
                let t = Instant::now();
                for e in events {
                    agent.submit(e);
                }
                total += t.elapsed();
                agent.flush(Duration::from_secs(10));
                left -= chunk;
            }
            total
        });
    });
    assert_eq!(agent.stats().dropped_queue_full, 0);
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// An HTTP "server" on loopback that accepts connections and never answers (the connections
/// are kept open until the process ends).
fn silent_http() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            open.push(stream);
        }
    });
    port
}

/// `submit` when the worker cannot ship: towards a closed TCP port (the transport in backoff
/// refuses records at once) and with a 4-record queue kept full by a worker waiting on an
/// HTTP server that never answers (`submit` drops the event).
fn submit_unreachable(c: &mut Criterion) {
    let ev = event();
    let dead = Agent::start(&config(LogProtocol::Tcp, closed_port())).unwrap();
    c.bench_function("submit (dead TCP server, backoff)", |b| {
        b.iter(|| dead.submit(ev.clone()))
    });
    let mut cfg = config(LogProtocol::Http, silent_http());
    cfg.log_queue_size = 4;
    cfg.log_timeout_ms = 60_000;
    let stuck = Agent::start(&cfg).unwrap();
    for _ in 0..8 {
        stuck.submit(ev.clone());
    }
    c.bench_function(
        "submit (queue full, worker stuck on a silent HTTP server)",
        |b| b.iter(|| stuck.submit(ev.clone())),
    );
    assert!(stuck.stats().dropped_queue_full > 0, "{:?}", stuck.stats());
    // The stuck agent is left to the end of the process (its drop would wait SHUTDOWN_WAIT).
    std::mem::forget(stuck);
}

fn shipped(c: &mut Criterion, name: &str, protocol: LogProtocol, port: u16) {
    let agent = Agent::start(&config(protocol, port)).unwrap();
    let ev = event();
    let mut group = c.benchmark_group("ship");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    group.bench_function(name, |b| {
        b.iter_batched(
            || (0..BATCH).map(|_| ev.clone()).collect::<Vec<Event>>(),
            |events| {
                for e in events {
                    agent.submit(e);
                }
                assert!(agent.flush(Duration::from_secs(30)));
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let stats = agent.stats();
    assert_eq!(stats.dropped_queue_full, 0, "{stats:?}");
}

fn throughput(c: &mut Criterion) {
    shipped(c, "udp", LogProtocol::Udp, udp_sink());
    shipped(c, "tcp", LogProtocol::Tcp, tcp_sink());
}

/// A keep-alive HTTP/1.1 sink on loopback answering `200` with an empty body; counts requests.
fn http_sink() -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    counter.fetch_add(1, Ordering::Relaxed);
                    let stream = reader.get_mut();
                    if stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (port, requests)
}

/// HTTP: one POST per event (`LOG_BATCH_SIZE = 1`) against batches of 100 (wait 0: batches form
/// from what is queued while a POST is in flight; `flush` sends the rest).
fn http_batches(c: &mut Criterion) {
    let ev = event();
    let mut group = c.benchmark_group("ship http");
    group.throughput(Throughput::Elements(HTTP_EVENTS as u64));
    group.sample_size(10);
    for size in [1u64, 100] {
        let (port, requests) = http_sink();
        let mut cfg = config(LogProtocol::Http, port);
        cfg.log_format = LogFormat::Json;
        cfg.log_batch_size = size;
        cfg.log_batch_wait_ms = 0;
        let agent = Agent::start(&cfg).unwrap();
        group.bench_function(format!("batch size {size}"), |b| {
            b.iter_batched(
                || (0..HTTP_EVENTS).map(|_| ev.clone()).collect::<Vec<Event>>(),
                |events| {
                    for e in events {
                        agent.submit(e);
                    }
                    assert!(agent.flush(Duration::from_secs(60)));
                },
                BatchSize::PerIteration,
            );
        });
        let stats = agent.stats();
        assert_eq!(
            (stats.dropped_queue_full, stats.failed),
            (0, 0),
            "{stats:?}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "ship http/batch size {size}: {:.1} POSTs per 1,000 events",
            requests.load(Ordering::Relaxed) as f64 * 1_000.0 / stats.sent as f64
        );
    }
    group.finish();
}

/// Events per HTTP throughput iteration.
const HTTP_EVENTS: usize = 2_000;

criterion_group!(
    benches,
    submit_latency,
    submit_unreachable,
    throughput,
    http_batches
);
criterion_main!(benches);
