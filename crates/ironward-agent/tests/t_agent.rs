//! The agent itself: disabled mode, the synchronous (serverless) agent.

use crate::support::{closed_port, config, event, render};
use ironward_agent::agent::{Agent, AgentStats};
use ironward_core::config::LogProtocol;
use ironward_core::metrics::{DropReason, Metrics};
use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn disabled_agent_ignores_events() {
    let mut cfg = config(LogProtocol::Tcp, closed_port());
    cfg.log_enabled = false;
    let agent = Agent::start(&cfg).unwrap();
    assert!(!agent.is_enabled());
    agent.submit(event(1));
    assert!(agent.flush(Duration::from_millis(10)));
    assert_eq!(agent.stats(), AgentStats::default());
    let sync = Agent::sync(&cfg).unwrap();
    assert!(!sync.is_enabled());
    sync.send(&event(1));
    assert_eq!(sync.stats(), AgentStats::default());
}

#[test]
fn sync_agent_sends_inline() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let cfg = config(LogProtocol::Udp, socket.local_addr().unwrap().port());
    let agent = Agent::sync(&cfg).unwrap();
    for i in 0..3 {
        agent.send(&event(i));
    }
    let mut buf = vec![0u8; 70_000];
    for i in 0..3 {
        let n = socket.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], render(&cfg, &event(i)).as_slice());
    }
    assert_eq!(agent.stats().sent, 3);
}

#[test]
fn sync_agent_counts_failures_quickly() {
    let mut cfg = config(LogProtocol::Http, closed_port());
    cfg.log_timeout_ms = 300;
    let metrics = Arc::new(Metrics::new());
    let agent = Agent::sync(&cfg)
        .unwrap()
        .with_metrics(Arc::clone(&metrics));
    let t = Instant::now();
    agent.send(&event(1));
    agent.send(&event(2));
    // A hang guard: a refused connection fails at once (a few milliseconds for the two).
    assert!(t.elapsed() < Duration::from_secs(2));
    let stats = agent.stats();
    assert_eq!((stats.submitted, stats.sent, stats.failed), (2, 0, 2));
    assert_eq!(metrics.snapshot().events_dropped(DropReason::SendFailed), 2);
}
