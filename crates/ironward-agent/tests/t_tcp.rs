//! TCP: framed records on a persistent connection; the server drops the connection and comes
//! back on the same port, and the agent reconnects (with backoff).

use crate::support::{closed_port, config, event, render, wait_until};
use ironward_agent::agent::Agent;
use ironward_core::config::{LogFormat, LogProtocol};
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Accepts one connection within `timeout` (non-blocking polls, so the test cannot hang).
fn accept(listener: &TcpListener, timeout: Duration) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let mut stream = None;
    wait_until(timeout, || match listener.accept() {
        Ok((s, _)) => {
            stream = Some(s);
            true
        }
        Err(_) => false,
    });
    let stream = stream?;
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    Some(stream)
}

fn read_line(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).unwrap();
    assert_eq!(line.pop(), Some(b'\n'), "newline framing");
    line
}

#[test]
fn reconnects_after_the_server_comes_back() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let cfg = config(LogProtocol::Tcp, port);
    let agent = Agent::start(&cfg).unwrap();

    // Phase 1: records arrive, newline-delimited, in order.
    for i in 0..5 {
        agent.submit(event(i));
    }
    let stream = accept(&listener, Duration::from_secs(5)).expect("the agent connects");
    let mut reader = BufReader::new(stream);
    for i in 0..5 {
        assert_eq!(read_line(&mut reader), render(&cfg, &event(i)));
    }
    assert!(agent.flush(Duration::from_secs(5)));
    assert_eq!(agent.stats().sent, 5);

    // Phase 2: the server goes away entirely; records fail (and are counted) within the
    // flush's bound.
    drop(reader);
    drop(listener);
    std::thread::sleep(Duration::from_millis(50));
    for i in 100..105 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(5)));
    let failed = agent.stats().failed;
    assert!(failed >= 1, "{:?}", agent.stats());

    // Phase 3: the server is back on the same port; the agent reconnects after its backoff.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut stream = None;
    let mut i = 200;
    let back = wait_until(Duration::from_secs(10), || {
        agent.submit(event(i));
        i += 1;
        std::thread::sleep(Duration::from_millis(20));
        match listener.accept() {
            Ok((s, _)) => {
                stream = Some(s);
                true
            }
            Err(_) => false,
        }
    });
    assert!(back, "the agent reconnected: {:?}", agent.stats());
    let stream = stream.unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let expected: Vec<Vec<u8>> = (200..i).map(|n| render(&cfg, &event(n))).collect();
    let line = read_line(&mut reader);
    assert!(expected.contains(&line), "a phase-3 record arrives");
    assert!(agent.flush(Duration::from_secs(5)));
    let stats = agent.stats();
    assert!(stats.sent >= 6, "{stats:?}");
    assert_eq!(
        stats.sent + stats.failed + stats.dropped_queue_full,
        stats.submitted
    );
}

#[test]
fn rfc5424_uses_octet_counting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut cfg = config(LogProtocol::Tcp, listener.local_addr().unwrap().port());
    cfg.log_format = LogFormat::Rfc5424;
    let agent = Agent::start(&cfg).unwrap();
    agent.submit(event(1));
    agent.submit(event(2));
    let mut stream = accept(&listener, Duration::from_secs(5)).expect("the agent connects");
    for i in 1..=2 {
        let mut len = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            stream.read_exact(&mut byte).unwrap();
            if byte[0] == b' ' {
                break;
            }
            len.push(byte[0]);
        }
        let len: usize = String::from_utf8(len).unwrap().parse().unwrap();
        let mut record = vec![0u8; len];
        stream.read_exact(&mut record).unwrap();
        assert_eq!(record, render(&cfg, &event(i)));
    }
}

#[test]
fn dead_server_backs_off_without_blocking() {
    let cfg = config(LogProtocol::Tcp, closed_port());
    let agent = Agent::start(&cfg).unwrap();
    let started = Instant::now();
    for i in 0..50 {
        agent.submit(event(i));
    }
    // A hang guard, not a speed test (the `agent` bench measures `submit` towards a dead
    // server): a submit that waited for the connection or the backoff (100 ms, doubling) would
    // take seconds for the 50; they take well under a millisecond.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "submit never blocks"
    );
    assert!(
        agent.flush(Duration::from_secs(5)),
        "backoff refuses records at once"
    );
    let stats = agent.stats();
    assert_eq!(stats.failed, 50, "{stats:?}");
    assert_eq!(stats.sent, 0);
}
