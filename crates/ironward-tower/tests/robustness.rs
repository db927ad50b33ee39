//! Hostile clients over real TCP on 127.0.0.1: a slow-loris head, a client that disconnects
//! mid-body, invalid header bytes, a body over the cap, and a streamed response leaking a card
//! number across two chunks. Every wait is bounded by [`LIMIT`]; the server must keep serving.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::routing::get;
use ironward_core::check::CheckId;
use ironward_core::config::Level;
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::axum_loopback::serve_router;
use crate::support::{LIMIT, app, send, serve};

/// A normal request still gets its 200 and its body.
async fn still_serving(addr: SocketAddr) {
    let r = send(addr, "GET /search?q=shoes HTTP/1.1", b"").await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.text(), "results");
}

/// Writes raw bytes and reads until the server closes (or errors); bounded by [`LIMIT`].
async fn raw_exchange(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    tokio::time::timeout(LIMIT, async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(raw).await.expect("write");
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        out
    })
    .await
    .expect("the server answers or closes in time")
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

#[tokio::test]
async fn slow_loris_head_does_not_stop_other_clients() {
    let addr = serve(Config::default()).await;
    let mut loris = TcpStream::connect(addr).await.expect("connect");
    let head = b"GET /search?q=slow HTTP/1.1\r\nHost: test\r\nX-Slow: aaaaaaaa";
    for &byte in head.iter().take(30) {
        tokio::time::timeout(LIMIT, loris.write_all(&[byte]))
            .await
            .expect("write in time")
            .expect("write");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The loris now stalls, its head unfinished; others are served meanwhile.
    still_serving(addr).await;
    still_serving(addr).await;
    drop(loris);
}

#[tokio::test]
async fn early_disconnect_mid_body_does_not_stop_the_server() {
    let addr = serve(Config::default()).await;
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\n\
                    Content-Length: 100000\r\n\r\n";
        tokio::time::timeout(LIMIT, async {
            s.write_all(head.as_bytes()).await.expect("head");
            s.write_all(b"0123456789").await.expect("ten bytes");
        })
        .await
        .expect("write in time");
        drop(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    still_serving(addr).await;
}

/// A request whose `X-Odd` header value is `value` gets an answer (served, blocked or
/// refused), and the server goes on.
async fn odd_header_is_answered(value: &[u8]) {
    let addr = serve(Config::default()).await;
    let mut raw =
        b"GET /search?q=shoes HTTP/1.1\r\nHost: test\r\nConnection: close\r\nX-Odd: ".to_vec();
    raw.extend_from_slice(value);
    raw.extend_from_slice(b"\r\n\r\n");
    let out = raw_exchange(addr, &raw).await;
    let code = status(&out).expect("a response");
    assert!(
        matches!(code, 200 | 403) || (400..500).contains(&code),
        "{code}"
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn header_value_with_high_bytes_gets_a_response() {
    odd_header_is_answered(&(0x80u8..=0xff).collect::<Vec<_>>()).await;
}

#[tokio::test]
async fn header_value_with_a_control_byte_gets_a_response() {
    odd_header_is_answered(b"a\x01b").await;
}

#[tokio::test]
async fn two_megabyte_body_reaches_the_handler_intact_with_body_limit_monitor() {
    // Default cap: MAX_BODY_BYTES = 1 MiB; with BODY_LIMIT_ACTION=monitor the rest streams
    // through uninspected.
    let mut config = Config::default();
    config.body_limit_action = ironward_core::config::BodyLimitAction::Monitor;
    let addr = serve(config).await;
    let body: Vec<u8> = (0..2_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let r = send(
        addr,
        "POST /echo HTTP/1.1\r\nContent-Type: application/octet-stream",
        &body,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), body.len());
    assert!(r.body == body, "the body changed on the way");
    still_serving(addr).await;
}

/// The streamed response: a card number split across two chunks, no `Content-Length`.
const CHUNKS: [&str; 3] = [
    "<p>order 1234: card 4111 1111 ",
    "1111 1111 charged</p>\n",
    "<p>thank you for your order</p>\n",
];

#[tokio::test]
async fn streamed_leak_split_across_chunks_is_cut() {
    let mut config = Config::default();
    config.security_checks.set(CheckId::Dlp, Level::Block);
    config.dlp_cc_numbers = true;
    let engine = Arc::new(Engine::new(config).expect("valid config"));
    let router = app()
        .route(
            "/stream",
            get(|| async {
                // One chunk every 50 ms, so that the head and the first chunk are on the
                // wire before the leak is seen.
                let chunks = futures_util::stream::unfold(0usize, |i| async move {
                    let chunk = CHUNKS.get(i)?;
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Some((
                        Ok::<_, Infallible>(Bytes::from_static(chunk.as_bytes())),
                        i + 1,
                    ))
                });
                ([("content-type", "text/plain")], Body::from_stream(chunks))
            }),
        )
        .layer(IronwardLayer::new(engine));
    let addr = serve_router(router).await;

    let out = raw_exchange(
        addr,
        b"GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    let text = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(status(&out), Some(200), "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("content-length"), "{text}");
    assert!(lower.contains("transfer-encoding: chunked"), "{text}");
    let full: usize = CHUNKS.iter().map(|c| c.len()).sum();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let body = &out[split + 4..];
    assert!(!text.contains("4111 1111 1111 1111"), "{text}");
    assert!(!text.contains("thank you"), "the stream went on: {text}");
    assert!(
        !body.ends_with(b"0\r\n\r\n"),
        "the stream ended cleanly: {text}"
    );
    assert!(body.len() < full, "{text}");
    assert!(
        text.contains("order 1234"),
        "the first chunk arrives: {text}"
    );

    // A clean streamed response on the same server still goes through whole.
    let r = send(addr, "GET /search?q=shoes HTTP/1.1", b"").await;
    assert_eq!(r.status, 200);
}
