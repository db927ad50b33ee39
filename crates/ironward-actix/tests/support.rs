//! A protected actix-web server on 127.0.0.1:0 in its own thread, and a raw HTTP/1.1 client.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::rt::System;
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, HttpServer};
use ironward_actix::Ironward;
use ironward_core::{Config, Engine, Verdict};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Every network wait is bounded by this.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// A running server; stopped on drop.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    system: System,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.system.stop();
    }
}

/// The card number the `/card` route leaks.
pub(crate) const CARD: &str = "4111 1111 1111 1111";

async fn echo(req: HttpRequest, body: Bytes) -> HttpResponse {
    let ct = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    HttpResponse::Ok()
        .insert_header(("x-echo-content-type", ct))
        .content_type("application/octet-stream")
        .body(body)
}

async fn verdict(req: HttpRequest) -> HttpResponse {
    let action = req
        .extensions()
        .get::<Verdict>()
        .map_or("allow", |v| v.action.as_str());
    HttpResponse::Ok().body(format!("action={action}"))
}

/// Starts a protected server with this configuration.
pub(crate) fn start(config: Config) -> Server {
    start_with(config, |mw| mw, false)
}

/// Starts a protected server: `options` sets the middleware's options; `fallback` gives the
/// app a `default_service` that answers every unmatched path with 200 `fallback`.
pub(crate) fn start_with(
    config: Config,
    options: impl Fn(Ironward) -> Ironward + Send + Clone + 'static,
    fallback: bool,
) -> Server {
    let engine = Arc::new(Engine::new(config).expect("a valid configuration"));
    serve(1, move || {
        let app = App::new()
            .wrap(options(Ironward::new(Arc::clone(&engine))))
            .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
            .route("/", web::get().to(|| async { "hello world" }))
            .route("/search", web::get().to(|| async { "results" }))
            .route("/echo", web::post().to(echo))
            .route("/verdict", web::get().to(verdict))
            .route(
                "/stream",
                web::get().to(|| async {
                    // The card number split across two chunks of a streamed body.
                    let (a, b) = CARD.split_at(9);
                    let chunks = [format!("{{\"card\":\"{a}"), format!("{b}\"}}")]
                        .map(|c| Ok::<_, actix_web::Error>(Bytes::from(c)));
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .streaming(futures_util::stream::iter(chunks))
                }),
            )
            .route(
                "/card",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(format!("{{\"card\":\"{CARD}\"}}"))
                }),
            )
            .service(
                web::scope("/api")
                    .route("/items/{id}", web::get().to(|| async { "item" }))
                    .route("/items", web::post().to(echo)),
            );
        if fallback {
            app.default_service(web::to(|| async { "fallback" }))
        } else {
            app
        }
    })
}

/// Runs the app `factory` builds on 127.0.0.1:0 with this many workers, in its own thread
/// and actix system; stopped when the returned server is dropped.
pub(crate) fn serve<F, T, B>(workers: usize, factory: F) -> Server
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let system = System::new();
        let result = system.block_on(async move {
            let server = HttpServer::new(factory)
                .workers(workers)
                .disable_signals()
                .bind("127.0.0.1:0")?;
            let addr = server.addrs()[0];
            let running = server.run();
            tx.send((addr, System::current())).expect("the test waits");
            running.await
        });
        result.expect("the server runs");
    });
    let (addr, system) = rx.recv_timeout(TIMEOUT).expect("the server starts");
    Server { addr, system }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The first value of a header, by case-insensitive name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw request bytes (the head must say `Connection: close`) and reads the whole reply.
pub(crate) fn send(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s.set_write_timeout(Some(TIMEOUT)).expect("timeout");
    s.write_all(raw).expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read");
    parse(&buf)
}

/// Sends raw request bytes and reads what comes back until the server closes or resets the
/// connection (a cut stream may end either way).
pub(crate) fn send_raw(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s.write_all(raw).expect("write");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = s.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf
}

/// A request with these extra header lines and body; adds Host, Content-Length and
/// `Connection: close`.
pub(crate) fn request(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (n, v) in headers {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Parses a raw HTTP/1.1 response (a chunked body is de-chunked).
pub(crate) fn parse(buf: &[u8]) -> Reply {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &buf[end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
}
