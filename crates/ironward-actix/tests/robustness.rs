//! Hostile clients over real TCP on 127.0.0.1: a slow-loris head, a client that disconnects
//! mid-body, invalid header bytes and a body over the cap. Every wait is bounded by
//! [`TIMEOUT`]; the server must keep serving.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use ironward_core::Config;

use crate::support::{TIMEOUT, request, send, start};

/// A normal request still gets its 200 and its body.
fn still_serving(addr: SocketAddr) {
    let reply = send(addr, &request("GET", "/search?q=shoes", &[], b""));
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "results");
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s.set_write_timeout(Some(TIMEOUT)).expect("timeout");
    s
}

/// Writes raw bytes and reads until the server closes (or errors, or [`TIMEOUT`] passes).
fn raw_exchange(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut s = connect(addr);
    s.write_all(raw).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

/// The status of a raw HTTP/1.1 response.
fn status(raw: &[u8]) -> Option<u16> {
    let line = raw.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn slow_loris_head_does_not_stop_other_clients() {
    let server = start(Config::default());
    let mut loris = connect(server.addr);
    let head = b"GET /search?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaa";
    for &byte in head.iter().take(30) {
        loris.write_all(&[byte]).expect("write");
        thread::sleep(Duration::from_millis(50));
    }
    // The loris now stalls, its head unfinished; others are served meanwhile.
    still_serving(server.addr);
    still_serving(server.addr);
    drop(loris);
}

#[test]
fn early_disconnect_mid_body_does_not_stop_the_server() {
    let server = start(Config::default());
    for _ in 0..3 {
        let mut s = connect(server.addr);
        s.write_all(
            b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n\
              Content-Length: 100000\r\n\r\n0123456789",
        )
        .expect("write");
        drop(s);
    }
    thread::sleep(Duration::from_millis(100));
    still_serving(server.addr);
}

/// A request whose `X-Odd` header value is `value` gets an answer (served, blocked or
/// refused), and the server goes on.
fn odd_header_is_answered(value: &[u8]) {
    let server = start(Config::default());
    let mut raw =
        b"GET /search?q=shoes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Odd: ".to_vec();
    raw.extend_from_slice(value);
    raw.extend_from_slice(b"\r\n\r\n");
    let out = raw_exchange(server.addr, &raw);
    let code = status(&out).expect("a response");
    assert!(
        matches!(code, 200 | 403) || (400..500).contains(&code),
        "{code}"
    );
    still_serving(server.addr);
}

#[test]
fn header_value_with_high_bytes_gets_a_response() {
    odd_header_is_answered(&(0x80u8..=0xff).collect::<Vec<_>>());
}

#[test]
fn header_value_with_a_control_byte_gets_a_response() {
    odd_header_is_answered(b"a\x01b");
}

#[test]
fn two_megabyte_body_reaches_the_handler_intact_with_body_limit_monitor() {
    // Default cap: MAX_BODY_BYTES = 1 MiB; with BODY_LIMIT_ACTION=monitor the rest streams
    // through uninspected (the default, block, answers 413: see differential.rs).
    let mut config = Config::default();
    config.body_limit_action = ironward_core::config::BodyLimitAction::Monitor;
    let server = start(config);
    let body: Vec<u8> = (0..2_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let raw = request(
        "POST",
        "/echo",
        &[("Content-Type", "application/octet-stream")],
        &body,
    );
    let reply = send(server.addr, &raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), body.len());
    assert!(reply.body == body, "the body changed on the way");
    still_serving(server.addr);
}
