//! The differential table of the tower layer in front of axum (issue 17): requests whose raw
//! form and the form the handler reads disagree. Each case is sent three times over TCP on
//! loopback:
//!
//! - **control**: the layer in monitor mode (every check and `BODY_LIMIT_ACTION` at monitor)
//!   — the handler, which reads the request with axum's own extractors (`Query`, `Form`,
//!   `Json`, `Multipart`, `Path`, `HeaderMap`), answers 200 and echoes the attack as it read
//!   it: the case really applies to axum;
//! - **blocked**: the default configuration — the attack is blocked;
//! - **benign**: the same request with a harmless value — it passes (the block comes from the
//!   payload, not from the shape of the request).
//!
//! The cases read the same way by actix-web are in the shared `COMMON` table
//! (`tests/shared/http_differential.rs`). Cases where axum does not read the payload that way
//! are in [`NOT_READ`] (and `COMMON_NOT_READ`): their control asserts that the handler does
//! not see the attack (a rejection, or another value), so the table follows axum if that
//! changes. Plain hyper (chunked bodies, the body limit) is at the
//! end; gRPC is in `tonic.rs`. The summary is in `docs/rust.md`, "Differential tables".

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Json, Multipart, Path, Query, Request};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::{get, post};
use ironward_core::{Config, Engine};
use ironward_tower::IronwardLayer;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::axum_loopback::serve_router;
use crate::http_differential::{
    CAP, COMMON, COMMON_NOT_READ, Case, Events, One, SQLI, TRAVERSAL, XSS, blocking, chunked, js,
    json_text, lines, monitoring, pad, pct, raw, run_not_read, run_table, seen,
};
use crate::support::{LIMIT, Reply, parse};

/// A multipart body: each part is its header lines (`\r\n`-separated) and its content.
pub(crate) fn multipart(boundary: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (headers, content) in parts {
        out.push_str(&format!("--{boundary}\r\n{headers}\r\n\r\n{content}\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

/// Sends raw bytes and reads the reply. The write runs beside the read, and a failed write
/// is ignored: a server that answers a long body early (413) and closes is read all the same.
pub(crate) async fn exchange(addr: SocketAddr, bytes: Vec<u8>) -> Reply {
    tokio::time::timeout(LIMIT, async move {
        let s = TcpStream::connect(addr).await.expect("connect");
        let (mut r, mut w) = s.into_split();
        // The write half stays open until the reply is read (hyper closes a connection whose
        // client half-closes).
        let writer = tokio::spawn(async move {
            let _ = w.write_all(&bytes).await;
            w
        });
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        writer.abort();
        parse(&out)
    })
    .await
    .expect("request timed out")
}

// ---------------------------------------------------------------------------------------
// The axum application: each route reads the request with one of axum's extractors and
// echoes what it read.

/// `Multipart`: the fields (`name=text`) a handler reads as form values — those without a
/// file name — and, for the parts with one, `file name filename`.
async fn read_multipart(mut m: Multipart) -> Result<String, StatusCode> {
    let mut out = String::new();
    while let Some(field) = m.next_field().await.map_err(|_| StatusCode::BAD_REQUEST)? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file) => {
                let _ = field.bytes().await;
                out.push_str(&format!("file {name} {file}\n"));
            }
            None => {
                let text = field.text().await.map_err(|_| StatusCode::BAD_REQUEST)?;
                out.push_str(&format!("{name}={text}\n"));
            }
        }
    }
    Ok(out)
}

/// The application of the table.
fn app() -> Router {
    Router::new()
        .route(
            "/query",
            get(|Query(p): Query<Vec<(String, String)>>| async move { lines(p) }),
        )
        .route(
            "/query-map",
            get(|Query(m): Query<HashMap<String, String>>| async move {
                m.get("q").cloned().unwrap_or_default()
            }),
        )
        .route(
            "/header",
            get(|h: HeaderMap| async move {
                h.get("x-user")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default()
            }),
        )
        .route(
            "/header-all",
            get(|h: HeaderMap| async move {
                h.get_all("x-user")
                    .iter()
                    .map(|v| format!("{}\n", String::from_utf8_lossy(v.as_bytes())))
                    .collect::<String>()
            }),
        )
        .route(
            "/form",
            post(|Form(p): Form<Vec<(String, String)>>| async move { lines(p) }),
        )
        .route(
            "/json",
            post(|Json(v): Json<Value>| async move { json_text(&v) }),
        )
        .route(
            "/json-struct",
            post(|Json(o): Json<One>| async move { o.q }),
        )
        .route(
            // A handler that parses the body itself, whatever its type (`Bytes` +
            // `serde_json`), as many do.
            "/bytes-json",
            post(|b: Bytes| async move {
                serde_json::from_slice::<Value>(&b)
                    .map(|v| json_text(&v))
                    .map_err(|_| StatusCode::BAD_REQUEST)
            }),
        )
        .route("/multipart", post(read_multipart))
        .route(
            "/item/{id}",
            get(|Path(id): Path<String>| async move { id }),
        )
        .route(
            "/files/{*rest}",
            get(|Path(p): Path<String>| async move { p }),
        )
}

/// A middleware that builds the query from an `X-Query` header (reversed), as a gateway or
/// a rewriting middleware might: the application reads a query that was never in the
/// request target.
async fn rewrite_query(mut req: Request) -> Request {
    let q = req.headers().get("x-query").map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .chars()
            .rev()
            .collect::<String>()
    });
    if let Some(q) = q {
        let target = format!("{}?{q}", req.uri().path());
        if let Ok(uri) = target.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// Where the query rewrite runs relative to the layer.
#[derive(Clone, Copy, PartialEq)]
enum Rewrite {
    /// Before the layer (`Router::layer(ironward).layer(rewrite)`): the layer sees the
    /// rewritten target.
    Before,
    /// After it: the layer sees the original target only.
    After,
}

/// Serves the application behind the layer (`Router::layer`).
async fn serve(config: Config, rewrite: Rewrite) -> (SocketAddr, Events) {
    let events: Events = Arc::default();
    let sink = Arc::clone(&events);
    let engine = Arc::new(Engine::new(config).expect("valid config"));
    let layer = IronwardLayer::new(engine).on_event(move |e| sink.lock().expect("lock").push(e));
    let rw = axum::middleware::map_request(rewrite_query);
    let app = match rewrite {
        Rewrite::Before => app().layer(layer).layer(rw),
        Rewrite::After => app().layer(rw).layer(layer),
    };
    let addr = serve_router(app).await;
    (addr, events)
}

/// A multipart request to `/multipart` with this `Content-Type` parameter list and body.
fn mp_request(params: &str, body: &[u8]) -> Vec<u8> {
    raw(
        &format!("POST /multipart HTTP/1.1\r\nContent-Type: multipart/form-data; {params}"),
        body,
    )
}

/// The axum table: cases where axum reads the payload as the case says.
const AXUM: &[Case] = &[
    Case {
        name: "query built by a middleware before the layer",
        attack: SQLI,
        build: |v| {
            let q: String = format!("q={}", pct(v)).chars().rev().collect();
            raw(&format!("GET /query HTTP/1.1\r\nX-Query: {q}"), b"")
        },
        status: 403,
    },
    Case {
        name: "repeated parameter, attack first (Query<Vec>)",
        attack: SQLI,
        build: |v| raw(&format!("GET /query?q={}&q=shoes HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "repeated parameter, attack last (Query<Vec>)",
        attack: SQLI,
        build: |v| raw(&format!("GET /query?q=shoes&q={} HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "repeated parameter, attack last (Query<HashMap> keeps the last)",
        attack: XSS,
        build: |v| {
            raw(
                &format!("GET /query-map?q=shoes&q={} HTTP/1.1", pct(v)),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "repeated form field, both orders (Form<Vec>)",
        attack: SQLI,
        build: |v| {
            let body = format!("q={p}&q=shoes&r=shoes&r={p}", p = pct(v));
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON duplicate key, attack last (Json<Value> keeps the last)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":"shoes","q":{}}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "percent-encoded path parameter (Path decodes it)",
        attack: SQLI,
        build: |v| raw(&format!("GET /item/{} HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "encoded slashes in a wildcard (Path decodes %2F)",
        attack: TRAVERSAL,
        build: |v| {
            raw(
                &format!("GET /files/{} HTTP/1.1", v.replace('/', "%2F")),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "%2e%2e segments in a wildcard (Path decodes them)",
        attack: TRAVERSAL,
        build: |v| {
            let enc = v.replace("..", "%2e%2e");
            raw(&format!("GET /files/{enc} HTTP/1.1"), b"")
        },
        status: 403,
    },
    Case {
        name: "multipart: two Content-Disposition headers, multer reads the last (a field)",
        attack: SQLI,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Disposition: form-data; name=\"q\"",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart: empty filename*= (multer: no file name, a field)",
        attack: XSS,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[("Content-Disposition: form-data; name=\"q\"; filename*=", v)],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart: two boundary parameters, multer takes the first",
        attack: XSS,
        build: |v| {
            // The body is a valid form with boundary "real"; with the second boundary,
            // "decoy", it is one harmless part.
            let inner = multipart("real", &[("Content-Disposition: form-data; name=\"q\"", v)]);
            let mut body =
                b"--decoy\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n".to_vec();
            body.extend_from_slice(&inner);
            body.extend_from_slice(b"\r\n--decoy--\r\n");
            mp_request("boundary=real; boundary=decoy", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart field after MAX_BODY_BYTES (413)",
        attack: SQLI,
        build: |v| {
            let pad = pad();
            let body = multipart(
                "XyZ",
                &[
                    ("Content-Disposition: form-data; name=\"pad\"", &pad),
                    ("Content-Disposition: form-data; name=\"q\"", v),
                ],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 413,
    },
];

/// Multer's reading of `Content-Disposition` (it matches `filename` case-sensitively and gives
/// up at the first `filename` that is not followed by `=`, so `filename*` and anything after
/// it make no file name): axum's `Multipart` hands these parts to the handler as fields, and
/// the engine reads them as fields too.
const MULTER: &[Case] = &[
    Case {
        name: "multipart: filename*= then filename= (multer stops at filename*: a field)",
        attack: SQLI,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"q\"; filename*=utf-8''a.txt; filename=\"a.txt\"",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart: FILENAME= in upper case (multer matches it case-sensitively: a field)",
        attack: XSS,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"q\"; FILENAME=\"a.txt\"",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart: a well-formed filename*= alone (multer ignores filename*: a field)",
        attack: SQLI,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"q\"; filename*=UTF-8''a.txt",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
];

/// Cases that do not apply to axum: the control shows the handler does not read the attack
/// (axum rejects the request, or reads another value). The engine may still block them.
const NOT_READ: &[Case] = &[
    Case {
        name: "repeated parameter, attack first (Query<HashMap> keeps the last)",
        attack: XSS,
        build: |v| {
            raw(
                &format!("GET /query-map?q={}&q=shoes HTTP/1.1", pct(v)),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "JSON duplicate key, attack first (Json<Value> keeps the last)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":{},"q":"shoes"}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON duplicate key into a struct (serde refuses it: 422)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":"shoes","q":{}}}"#, js(v));
            raw(
                "POST /json-struct HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON with a UTF-8 BOM (Json: 400)",
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
        name: "JSON with a UTF-8 BOM (Bytes + serde_json: 400)",
        attack: SQLI,
        build: |v| {
            let body = format!("\u{feff}{{\"q\":{}}}", js(v));
            raw(
                "POST /bytes-json HTTP/1.1\r\nContent-Type: text/plain",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON as text/plain (Json: 415)",
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
        name: "UTF-16 JSON (Json: 400)",
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
        name: "charset=utf-7 form (Form decodes UTF-8 only)",
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
        name: "multipart: two Content-Disposition headers, the field first (multer: the file)",
        attack: SQLI,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"q\"\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
    Case {
        name: "multipart: empty filename= (multer: a file, not a field)",
        attack: SQLI,
        build: |v| {
            let body = multipart(
                "XyZ",
                &[(
                    "Content-Disposition: form-data; name=\"q\"; filename=\"\"",
                    v,
                )],
            );
            mp_request("boundary=XyZ", &body)
        },
        status: 403,
    },
];

#[tokio::test]
async fn axum_differential_table() {
    let (control, cev) = serve(monitoring(), Rewrite::Before).await;
    let (block, bev) = serve(blocking(), Rewrite::Before).await;
    let mut failed = Vec::new();
    for table in [COMMON, AXUM] {
        failed.extend(run_table(table, exchange, (control, &cev), (block, &bev), true).await);
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[tokio::test]
async fn axum_cases_that_do_not_apply() {
    let (control, cev) = serve(monitoring(), Rewrite::Before).await;
    let mut wrong = Vec::new();
    for table in [COMMON_NOT_READ, NOT_READ] {
        wrong.extend(run_not_read(table, exchange, (control, &cev)).await);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn axum_multer_readings() {
    let (control, cev) = serve(monitoring(), Rewrite::Before).await;
    let (block, bev) = serve(blocking(), Rewrite::Before).await;
    let failed = run_table(MULTER, exchange, (control, &cev), (block, &bev), true).await;
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[tokio::test]
async fn a_rewrite_after_the_layer_is_not_seen() {
    // The documented limit: the layer inspects the request it is given. A middleware between
    // the layer and the handler that builds a new query (or body) hides it from the engine:
    // put such middleware outside (before) the layer.
    let (addr, events) = serve(blocking(), Rewrite::After).await;
    let q: String = format!("q={}", pct(SQLI)).chars().rev().collect();
    let r = exchange(
        addr,
        raw(&format!("GET /query HTTP/1.1\r\nX-Query: {q}"), b""),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains(SQLI), "{}", r.text());
    assert!(events.lock().expect("lock").is_empty());
}

// ---------------------------------------------------------------------------------------
// Plain hyper: chunked bodies and the body limit with no Content-Length.

mod hyper_table {
    use std::convert::Infallible;
    use std::net::SocketAddr;
    use std::sync::Arc;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper::body::Incoming;
    use hyper_util::rt::TokioIo;
    use ironward_core::{Config, Engine};
    use ironward_tower::{IronwardLayer, RequestBody};
    use tokio::net::TcpListener;
    use tower::{Layer, ServiceExt};

    use super::{
        CAP, Case, Events, SQLI, XSS, blocking, chunked, exchange, js, monitoring, pad, pct, raw,
        run_table,
    };

    /// The handler: reads the whole body and parses it the way its type says (JSON with
    /// `serde_json`, forms with `form_urlencoded`), and the query with `form_urlencoded`;
    /// echoes every value.
    async fn handler(
        req: http::Request<RequestBody>,
    ) -> Result<http::Response<Full<Bytes>>, Infallible> {
        let (parts, body) = req.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let mut out = String::new();
        for (k, v) in form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            out.push_str(&format!("{k}={v}\n"));
        }
        let json = parts
            .headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if json {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                out.push_str(&super::json_text(&v));
            }
        } else {
            for (k, v) in form_urlencoded::parse(&bytes) {
                out.push_str(&format!("{k}={v}\n"));
            }
        }
        out.push_str(&format!("len={}\n", bytes.len()));
        Ok(http::Response::new(Full::new(Bytes::from(out))))
    }

    /// Serves the handler behind the layer with hyper's HTTP/1.1 server.
    pub(super) async fn serve(config: Config) -> (SocketAddr, Events) {
        let events: Events = Arc::default();
        let sink = Arc::clone(&events);
        let layer = IronwardLayer::new(Arc::new(Engine::new(config).expect("valid config")))
            .on_event(move |e| sink.lock().expect("lock").push(e));
        let svc = layer.layer(tower::service_fn(handler));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let svc = svc.clone();
                let hyper_svc =
                    hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
                        req.extensions_mut().insert(peer);
                        svc.clone().oneshot(req)
                    });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), hyper_svc)
                        .await;
                });
            }
        });
        (addr, events)
    }

    const HYPER: &[Case] = &[
        Case {
            name: "chunked form, the attack across 5-byte chunks",
            attack: SQLI,
            build: |v| {
                let body = format!("a=1&q={}", pct(v));
                raw(
                    "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                    &chunked(body.as_bytes(), 5),
                )
            },
            status: 403,
        },
        Case {
            name: "repeated query parameter, both orders",
            attack: XSS,
            build: |v| {
                raw(
                    &format!("GET /?q={p}&q=x&r=x&r={p} HTTP/1.1", p = pct(v)),
                    b"",
                )
            },
            status: 403,
        },
        Case {
            name: "chunked JSON after MAX_BODY_BYTES, no length (413)",
            attack: SQLI,
            build: |v| {
                let body = format!(r#"{{"pad":"{}","q":{}}}"#, pad(), js(v));
                raw(
                    "POST / HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                    &chunked(body.as_bytes(), 4096),
                )
            },
            status: 413,
        },
        Case {
            name: "form after MAX_BODY_BYTES, with a length (413)",
            attack: XSS,
            build: |v| {
                let body = format!("pad={}&q={}", pad(), pct(v));
                raw(
                    "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
                    body.as_bytes(),
                )
            },
            status: 413,
        },
    ];

    #[tokio::test]
    async fn hyper_differential_table() {
        let (control, cev) = serve(monitoring()).await;
        let (block, bev) = serve(blocking()).await;
        let failed = run_table(HYPER, exchange, (control, &cev), (block, &bev), true).await;
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[tokio::test]
    async fn a_chunked_body_of_exactly_the_cap_is_complete() {
        // No length announced: the layer reads one byte past the cap to know the body ended
        // there; a body of exactly MAX_BODY_BYTES is whole, not over the limit.
        let (addr, events) = serve(blocking()).await;
        let body = format!("q={}", "b".repeat(CAP - 2));
        assert_eq!(body.len(), CAP);
        let r = exchange(
            addr,
            raw(
                "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                &chunked(body.as_bytes(), 1000),
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{}", super::seen(&events));
        assert!(r.text().contains(&format!("len={CAP}")), "{}", r.text());
        // One byte more is over the limit.
        let body = format!("{body}b");
        let r = exchange(
            addr,
            raw(
                "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                &chunked(body.as_bytes(), 1000),
            ),
        )
        .await;
        assert_eq!(r.status, 413, "{}", r.text());
    }

    #[tokio::test]
    async fn a_long_body_is_refused_without_being_read() {
        // 64 MiB announced, 2 MiB sent and the connection held open: the 413 comes back
        // without the layer waiting for (or buffering) the rest.
        let (addr, events) = serve(blocking()).await;
        let head = "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\nContent-Length: 67108864\r\n\r\n";
        let mut bytes = head.as_bytes().to_vec();
        bytes.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
        let r = exchange(addr, bytes).await;
        assert_eq!(r.status, 413, "{}", r.text());
        let events = events.lock().expect("lock");
        assert!(
            events.iter().any(|e| e.location == "body_limit"),
            "{events:?}"
        );
    }
}
