//! A protected axum app on 127.0.0.1:0 and a raw HTTP/1.1 client, every step under a timeout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::axum_loopback::serve_router;

/// Upper bound for any network step of a test.
pub(crate) const LIMIT: Duration = Duration::from_secs(10);

/// A response: status, raw head, body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The test app: `/` (hello), `/echo` (echoes the body), `/leak` (a card number).
pub(crate) fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "hello world" }))
        .route("/search", get(|| async { "results" }))
        .route("/echo", post(|body: Bytes| async move { body }))
        .route(
            "/leak",
            get(|| async {
                (
                    [("content-type", "text/html")],
                    "<p>card 4111 1111 1111 1111 on file</p>",
                )
            }),
        )
}

/// Starts the app behind the layer with this configuration; returns its address.
pub(crate) async fn serve(config: Config) -> SocketAddr {
    let engine = Arc::new(Engine::new(config).expect("valid config"));
    let app = app().layer(IronwardLayer::new(engine));
    serve_router(app).await
}

/// Sends one raw request (head lines without the final blank line, then the body) and reads
/// the whole response (`Connection: close`).
pub(crate) async fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    tokio::time::timeout(LIMIT, async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let mut req = format!("{head}\r\nHost: test\r\nConnection: close\r\n");
        if !body.is_empty() {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).await.expect("write head");
        s.write_all(body).await.expect("write body");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.expect("read");
        parse(&raw)
    })
    .await
    .expect("request timed out")
}

/// Parses a raw HTTP/1.1 response (a chunked body is de-chunked).
pub(crate) fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut body = raw[split + 4..].to_vec();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    if chunked {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 || b.len() < i + 2 + size {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[(i + 4 + size).min(b.len())..];
    }
    out
}
