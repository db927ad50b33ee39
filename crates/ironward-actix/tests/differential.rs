//! The differential table of the actix-web middleware (issue 17): requests whose raw form and
//! the form the handler reads disagree, over TCP on loopback. Each case is sent three times:
//!
//! - **control**: the middleware in monitor mode (every check and `BODY_LIMIT_ACTION` at
//!   monitor) — the handler, which reads the request with actix's own extractors
//!   (`web::Query`, `web::Form`, `web::Json`, `web::Path`, `HttpRequest::cookies`, the header
//!   map), answers 200 and echoes the attack as it read it: the case applies to actix;
//! - **blocked**: the default configuration — the attack is blocked;
//! - **benign**: the same request with a harmless value — it passes.
//!
//! The cases read the same way by axum are in the shared `COMMON` table
//! (`tests/shared/http_differential.rs`). Cases where actix does not read the payload that way
//! are in [`NOT_READ`] (and `COMMON_NOT_READ`), whose control asserts that the handler does not
//! see the attack. The summary is in `docs/rust.md`, "Differential tables".

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;

use actix_web::dev::Service;
use actix_web::http::Uri;
use actix_web::rt::System;
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpRequest, HttpResponse};
use ironward_actix::Ironward;
use ironward_core::{Config, Engine};
use serde_json::Value;

use crate::http_differential::{
    CAP, COMMON, COMMON_NOT_READ, Case, Events, One, SQLI, TRAVERSAL, XSS, blocking, chunked, js,
    json_text, lines, monitoring, pad, pct, raw, run_not_read, run_table, seen,
};
use crate::support::{Reply, Server, TIMEOUT, parse, serve};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// Sends raw bytes and reads the reply; the write runs in its own thread and a failed write
/// is ignored (a server that answers a long body early, 413, and closes is read all the
/// same).
fn exchange(addr: SocketAddr, bytes: Vec<u8>) -> Reply {
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s.set_write_timeout(Some(TIMEOUT)).expect("timeout");
    let mut w = s.try_clone().expect("clone");
    let writer = thread::spawn(move || {
        let _ = w.write_all(&bytes);
        w
    });
    let mut r = s;
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let _ = r.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    parse(&out)
}

// ---------------------------------------------------------------------------------------
// The application: each route reads the request with one of actix's extractors and echoes
// what it read.

fn header_text(v: &actix_web::http::header::HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/query",
        web::get().to(|q: web::Query<Vec<(String, String)>>| async move { lines(q.into_inner()) }),
    )
    .route(
        "/query-map",
        web::get().to(|q: web::Query<HashMap<String, String>>| async move {
            q.get("q").cloned().unwrap_or_default()
        }),
    )
    .route(
        "/header",
        web::get().to(|r: HttpRequest| async move {
            r.headers()
                .get("x-user")
                .map(header_text)
                .unwrap_or_default()
        }),
    )
    .route(
        "/header-all",
        web::get().to(|r: HttpRequest| async move {
            r.headers()
                .get_all("x-user")
                .map(|v| format!("{}\n", header_text(v)))
                .collect::<String>()
        }),
    )
    .route(
        "/form",
        web::post().to(|f: web::Form<Vec<(String, String)>>| async move { lines(f.into_inner()) }),
    )
    .route(
        "/json",
        web::post().to(|j: web::Json<Value>| async move { json_text(&j) }),
    )
    .route(
        "/json-struct",
        web::post().to(|j: web::Json<One>| async move { j.into_inner().q }),
    )
    .route(
        "/bytes-json",
        web::post().to(|b: Bytes| async move {
            match serde_json::from_slice::<Value>(&b) {
                Ok(v) => HttpResponse::Ok().body(json_text(&v)),
                Err(_) => HttpResponse::BadRequest().finish(),
            }
        }),
    )
    .route(
        "/cookie",
        web::get().to(|r: HttpRequest| async move {
            // `HttpRequest::cookies` parses with `Cookie::parse_encoded`: names and values
            // percent-decoded.
            r.cookies()
                .map(|cs| {
                    cs.iter()
                        .map(|c| format!("{}={}\n", c.name(), c.value()))
                        .collect::<String>()
                })
                .unwrap_or_default()
        }),
    )
    .route(
        "/item/{id}",
        web::get().to(|p: web::Path<String>| async move { p.into_inner() }),
    )
    .route(
        "/files/{rest:.*}",
        web::get().to(|p: web::Path<String>| async move { p.into_inner() }),
    );
}

/// Starts the application behind the middleware; a `wrap_fn` outside it builds the query
/// from an `X-Query` header (reversed), as a rewriting middleware might.
fn start(config: Config) -> (Server, Events) {
    let events: Events = Arc::default();
    let sink = Arc::clone(&events);
    let engine = Arc::new(Engine::new(config).expect("a valid configuration"));
    let server = serve(1, move || {
        let sink = Arc::clone(&sink);
        App::new()
            .wrap(
                Ironward::new(Arc::clone(&engine))
                    .on_event(move |e| sink.lock().expect("lock").push(e)),
            )
            .wrap_fn(|mut req, srv| {
                let q = req.headers().get("x-query").map(|v| {
                    String::from_utf8_lossy(v.as_bytes())
                        .chars()
                        .rev()
                        .collect::<String>()
                });
                if let Some(q) = q
                    && let Ok(uri) = format!("{}?{q}", req.path()).parse::<Uri>()
                {
                    req.match_info_mut().get_mut().update(&uri);
                    req.head_mut().uri = uri;
                }
                srv.call(req)
            })
            .app_data(web::FormConfig::default().limit(1 << 20))
            .app_data(web::PayloadConfig::new(1 << 20))
            .configure(routes)
    });
    (server, events)
}

const ACTIX: &[Case] = &[
    Case {
        name: "query built by a middleware before Ironward",
        attack: SQLI,
        build: |v| {
            let q: String = format!("q={}", pct(v)).chars().rev().collect();
            raw(&format!("GET /query HTTP/1.1\r\nX-Query: {q}"), b"")
        },
        status: 403,
    },
    Case {
        name: "repeated parameter, both orders (web::Query<Vec>)",
        attack: SQLI,
        build: |v| {
            raw(
                &format!("GET /query?q={p}&q=x&r=x&r={p} HTTP/1.1", p = pct(v)),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "repeated parameter, attack last (web::Query<HashMap> keeps the last)",
        attack: XSS,
        build: |v| raw(&format!("GET /query-map?q=x&q={} HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "repeated form field, both orders (web::Form<Vec>)",
        attack: SQLI,
        build: |v| {
            let body = format!("q={p}&q=x&r=x&r={p}", p = pct(v));
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON duplicate key, attack last (web::Json<Value> keeps the last)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":"x","q":{}}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "gzip JSON body (web::Json inflates it)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":{}}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip",
                &gzip(body.as_bytes()),
            )
        },
        status: 403,
    },
    Case {
        name: "gzip form body (web::Form inflates it)",
        attack: XSS,
        build: |v| {
            let body = format!("a=1&q={}", pct(v));
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip",
                &gzip(body.as_bytes()),
            )
        },
        status: 403,
    },
    Case {
        name: "gzip JSON inflating past MAX_BODY_BYTES (413)",
        attack: XSS,
        build: |v| {
            let body = format!(r#"{{"pad":"{}","q":{}}}"#, pad(), js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip",
                &gzip(body.as_bytes()),
            )
        },
        status: 413,
    },
    Case {
        name: "percent-encoded cookie value (parse_encoded decodes it)",
        attack: SQLI,
        build: |v| {
            raw(
                &format!("GET /cookie HTTP/1.1\r\nCookie: a=1; q={}", pct(v)),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "attack in a percent-encoded cookie name",
        attack: XSS,
        build: |v| {
            raw(
                &format!("GET /cookie HTTP/1.1\r\nCookie: {}=1", pct(v)),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "percent-encoded path parameter (web::Path decodes it)",
        attack: SQLI,
        build: |v| raw(&format!("GET /item/{} HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "%2e%2e segments in a tail parameter",
        attack: TRAVERSAL,
        build: |v| {
            raw(
                &format!("GET /files/{} HTTP/1.1", v.replace("..", "%2e%2e")),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "encoded slashes in a tail parameter",
        attack: TRAVERSAL,
        build: |v| {
            raw(
                &format!("GET /files/{} HTTP/1.1", v.replace('/', "%2F")),
                b"",
            )
        },
        status: 403,
    },
];

/// Cases that do not apply to actix: the control shows the handler does not read the attack.
const NOT_READ: &[Case] = &[
    Case {
        name: "repeated parameter, attack first (web::Query<HashMap> keeps the last)",
        attack: XSS,
        build: |v| raw(&format!("GET /query-map?q={}&q=x HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "JSON duplicate key into a struct (serde refuses it)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":"x","q":{}}}"#, js(v));
            raw(
                "POST /json-struct HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON with a UTF-8 BOM (web::Json: 400)",
        attack: SQLI,
        build: |v| {
            let body = format!("\u{feff}{{\"q\":{}}}", js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON as text/plain (web::Json: 400)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":{}}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: text/plain",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "UTF-16 JSON (serde_json: 400)",
        attack: XSS,
        build: |v| {
            let text = format!(r#"{{"q":{}}}"#, js(v));
            let body: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            raw(
                "POST /bytes-json HTTP/1.1\r\nContent-Type: application/json; charset=utf-16le",
                &body,
            )
        },
        status: 403,
    },
    Case {
        name: "charset=utf-7 form (web::Form does not decode UTF-7)",
        attack: XSS,
        build: |v| {
            let body = format!("q={}", pct(&v.replace('<', "+ADw-").replace('>', "+AD4-")));
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-7",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "quoted cookie with backslash escapes (the cookie crate does not unescape)",
        attack: SQLI,
        build: |_| {
            raw(
                "GET /cookie HTTP/1.1\r\nCookie: q=\"1' \\U\\N\\I\\O\\N \\S\\E\\L\\E\\C\\T password FROM users--\"",
                b"",
            )
        },
        status: 403,
    },
];

/// The shared runner with the blocking client, on this thread.
fn exchange_async(addr: SocketAddr, bytes: Vec<u8>) -> impl Future<Output = Reply> {
    std::future::ready(exchange(addr, bytes))
}

#[test]
fn actix_differential_table() {
    let (control, cev) = start(monitoring());
    let (block, bev) = start(blocking());
    let mut failed = Vec::new();
    for table in [COMMON, ACTIX] {
        failed.extend(System::new().block_on(run_table(
            table,
            exchange_async,
            (control.addr, &cev),
            (block.addr, &bev),
            true,
        )));
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn actix_cases_that_do_not_apply() {
    let (control, cev) = start(monitoring());
    let mut wrong = Vec::new();
    for table in [COMMON_NOT_READ, NOT_READ] {
        wrong.extend(System::new().block_on(run_not_read(
            table,
            exchange_async,
            (control.addr, &cev),
        )));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_long_body_is_refused_413_without_being_read() {
    // 64 MiB announced, 2 MiB sent and the connection held open: the 413 comes back without
    // the middleware waiting for (or buffering) the rest.
    let (server, events) = start(blocking());
    let addr = server.addr;
    let head = "POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 67108864\r\n\r\n";
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    let r = exchange(addr, bytes);
    let reported = seen(&events);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(reported.contains("body_limit"), "{reported}");
}

#[test]
fn a_chunked_body_of_exactly_the_cap_is_complete() {
    let (server, events) = start(blocking());
    let addr = server.addr;
    let body = format!("q={}", "b".repeat(CAP - 2));
    let send = |body: &str| {
        exchange(
            addr,
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                &chunked(body.as_bytes(), 1000),
            ),
        )
    };
    let exact = send(&body);
    let over = send(&format!("{body}b"));
    let reported = seen(&events);
    assert_eq!(exact.status, 200, "{reported}");
    assert_eq!(over.status, 413, "{}", over.text());
}
