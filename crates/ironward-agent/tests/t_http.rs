//! HTTP: a tiny HTTP/1.1 responder (std `TcpListener`) that answers 200, then too slowly, then
//! 500, then not at all (listener closed). The agent counts the failures and `submit` never
//! blocks. Also the slow server that fills the queue.

use crate::support::{config, event, render};
use ironward_agent::agent::Agent;
use ironward_core::config::LogProtocol;
use ironward_core::metrics::{DropReason, Metrics};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Answer `200 OK`.
pub(crate) const OK: u8 = 0;
/// Answer `200 OK` after [`SLOW`].
pub(crate) const SLOW_OK: u8 = 1;
/// Answer `500`.
pub(crate) const ERROR: u8 = 2;
/// How late a slow answer is.
pub(crate) const SLOW: Duration = Duration::from_millis(1_500);

/// A received request.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) path: String,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// The scripted HTTP server.
pub(crate) struct Server {
    pub(crate) port: u16,
    pub(crate) mode: Arc<AtomicU8>,
    pub(crate) received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(OK));
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, r, s) = (mode.clone(), received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            // Bounded: stops when asked, or after 60 s whatever happens.
            let deadline = Instant::now() + Duration::from_secs(60);
            while !s.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (m, r) = (m.clone(), r.clone());
                        std::thread::spawn(move || handle(stream, &m, &r));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server {
            port,
            mode,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Closes the listener (new connections are refused).
    pub(crate) fn close(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close();
    }
}

fn handle(stream: TcpStream, mode: &AtomicU8, received: &Mutex<Vec<Received>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "content-type" => content_type = value.trim().to_owned(),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    received.lock().unwrap().push(Received {
        path,
        content_type,
        body,
    });
    let status = match mode.load(Ordering::Relaxed) {
        SLOW_OK => {
            std::thread::sleep(SLOW);
            "200 OK"
        }
        ERROR => "500 Internal Server Error",
        _ => "200 OK",
    };
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
}

/// Submits `n` events from `from`. (That `submit` never waits for the network is asserted by
/// `full_queue_drops_and_submit_stays_fast`; its latency is measured by the `agent` bench.)
fn submit_n(agent: &Agent, from: usize, n: usize) {
    for i in from..from + n {
        agent.submit(event(i));
    }
}

#[test]
fn ok_slow_error_closed() {
    let mut server = Server::start();
    let mut cfg = config(LogProtocol::Http, server.port);
    cfg.log_path = "/hook/events".to_owned();
    cfg.log_timeout_ms = 300;
    let agent = Agent::start(&cfg).unwrap();

    // 200: shipped.
    submit_n(&agent, 0, 3);
    assert!(agent.flush(Duration::from_secs(5)));
    let stats = agent.stats();
    assert_eq!((stats.sent, stats.failed), (3, 0), "{stats:?}");
    let got = server.received();
    assert_eq!(got.len(), 3);
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.path, "/hook/events");
        assert_eq!(r.content_type, "application/json");
        assert_eq!(r.body, render(&cfg, &event(i)));
    }

    // Slow (beyond LOG_TIMEOUT_MS): each fails after the timeout. Without the timeout the
    // server's late `200 OK` would count them as sent.
    server.mode.store(SLOW_OK, Ordering::Relaxed);
    submit_n(&agent, 10, 2);
    assert!(agent.flush(Duration::from_secs(5)));
    assert_eq!(
        agent.stats().failed,
        2,
        "timeout bounds each POST: {:?}",
        agent.stats()
    );

    // 500: a failure.
    server.mode.store(ERROR, Ordering::Relaxed);
    submit_n(&agent, 20, 2);
    assert!(agent.flush(Duration::from_secs(5)));
    assert_eq!(agent.stats().failed, 4, "{:?}", agent.stats());

    // Listener closed: connection refused, a failure.
    server.close();
    submit_n(&agent, 30, 2);
    assert!(agent.flush(Duration::from_secs(5)));
    let stats = agent.stats();
    assert_eq!(stats.failed, 6, "{stats:?}");
    assert_eq!(stats.sent, 3);
    assert_eq!(stats.submitted, 9);
    assert_eq!(stats.dropped_queue_full, 0);
}

#[test]
fn full_queue_drops_and_submit_stays_fast() {
    let server = Server::start();
    server.mode.store(SLOW_OK, Ordering::Relaxed);
    let mut cfg = config(LogProtocol::Http, server.port);
    cfg.log_queue_size = 4;
    cfg.log_timeout_ms = 400;
    let metrics = Arc::new(Metrics::new());
    let agent = Agent::start_with_metrics(&cfg, Arc::clone(&metrics)).unwrap();
    let started = Instant::now();
    for i in 0..500 {
        agent.submit(event(i));
    }
    let burst = started.elapsed();
    // A hang guard, not a speed test (the `agent` bench measures `submit`): a submit that
    // waited for the network or for room in the queue would take the 0.4 s timeout, 200 s for
    // the 500; the burst takes a few milliseconds.
    assert!(burst < Duration::from_secs(10), "burst took {burst:?}");
    let stats = agent.stats();
    assert_eq!(stats.submitted, 500);
    // The queue full, the rest is dropped, not waited for.
    assert!(stats.dropped_queue_full >= 490, "{stats:?}");
    // The engine's metrics count the same drops (ironward_events_dropped_total).
    assert_eq!(
        metrics.snapshot().events_dropped(DropReason::QueueFull),
        stats.dropped_queue_full
    );
    // Dropping the agent is bounded even with a stuck worker and a full queue: it waits at
    // most SHUTDOWN_WAIT (2 s), then detaches the worker. A hang guard with a wide margin.
    let t = Instant::now();
    drop(agent);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "drop took {:?}",
        t.elapsed()
    );
}
