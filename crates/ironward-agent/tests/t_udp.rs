//! UDP: a real socket receives one datagram per event.

use crate::support::{config, event, render};
use ironward_agent::agent::Agent;
use ironward_agent::transport::Transport;
use ironward_agent::transport::udp::{MAX_DATAGRAM, Udp};
use ironward_core::config::LogProtocol;
use std::net::UdpSocket;
use std::time::Duration;

#[test]
fn datagrams_arrive() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let cfg = config(LogProtocol::Udp, socket.local_addr().unwrap().port());
    let agent = Agent::start(&cfg).unwrap();
    assert!(agent.is_enabled());
    for i in 0..20 {
        agent.submit(event(i));
    }
    assert!(agent.flush(Duration::from_secs(5)));
    let mut buf = vec![0u8; 70_000];
    for i in 0..20 {
        let n = socket.recv(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            render(&cfg, &event(i)).as_slice(),
            "datagram {i}"
        );
    }
    let stats = agent.stats();
    assert_eq!(stats.submitted, 20);
    assert_eq!(stats.sent, 20);
    assert_eq!(stats.failed + stats.dropped_queue_full, 0);
}

#[test]
fn long_records_are_cut() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let cfg = config(LogProtocol::Udp, socket.local_addr().unwrap().port());
    let mut udp = Udp::open(&cfg).unwrap();
    udp.send(&vec![b'x'; 70_000]).unwrap();
    let mut buf = vec![0u8; 70_000];
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(n, MAX_DATAGRAM);
}
