//! What the differential tables of the Rust adapters share (issue 17; included with
//! `#[path]` by `crates/ironward-tower/tests/differential.rs` and
//! `crates/ironward-actix/tests/differential.rs`): the payloads, raw HTTP/1.1 request
//! builders, the control (monitor) and blocking configurations, the handlers' echo helpers and
//! the table runner. Each case is sent three times over TCP on loopback:
//!
//! - **control**: every check and `BODY_LIMIT_ACTION` at monitor — the framework's handler
//!   answers 200 and echoes the attack as it read it: the case applies to that framework;
//! - **blocked**: the default configuration — the attack is blocked;
//! - **benign**: the same request with a harmless value — it passes (the block comes from the
//!   payload, not from the shape of the request).
//!
//! The including crate provides `crate::support::Reply` (a parsed response with `status` and
//! `text()`); the application and the client (`exchange`) stay in each crate.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ironward_core::Config;
use ironward_core::config::{BodyLimitAction, Level};
use ironward_core::event::Event;
use serde::Deserialize;
use serde_json::Value;

use crate::support::Reply;

/// SQL injection, as the handler must read it.
pub(crate) const SQLI: &str = "1' UNION SELECT password FROM users--";
/// Cross-site scripting, as the handler must read it.
pub(crate) const XSS: &str = "<script>alert(1)</script>";
/// Path traversal, as the handler must read it.
pub(crate) const TRAVERSAL: &str = "../../../../etc/passwd";
/// A harmless value.
pub(crate) const BENIGN: &str = "blue-suede-shoes";
/// `MAX_BODY_BYTES` of the table's servers: small, so the body-limit cases stay fast.
pub(crate) const CAP: usize = 8 * 1024;

/// Every byte but ASCII letters and digits percent-encoded.
pub(crate) fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A JSON string literal.
pub(crate) fn js(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// A request head (request line and header lines, `\r\n`-separated, without Host) and body:
/// adds `Host`, `Connection: close` and, unless the head says `Transfer-Encoding`, a
/// `Content-Length` for a non-empty body.
pub(crate) fn raw(head: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if !body.is_empty() && !head.to_ascii_lowercase().contains("transfer-encoding") {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A body in HTTP/1.1 chunked coding, cut every `size` bytes (so a payload straddles chunks).
pub(crate) fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Padding that takes a body past [`CAP`].
pub(crate) fn pad() -> String {
    "a".repeat(CAP + 512)
}

/// The configuration of the "blocked" and "benign" runs: the defaults, a small body cap, the
/// blacklist ignored (one loopback client sends every case).
pub(crate) fn blocking() -> Config {
    let mut c = Config::default();
    c.blacklist_override = true;
    c.max_body_bytes = CAP as u64;
    c
}

/// The configuration of the control run: every check that is on, and the body limit, at
/// monitor level — the request reaches the handler, findings are reported.
pub(crate) fn monitoring() -> Config {
    let mut c = blocking();
    let on: Vec<_> = c
        .security_checks
        .0
        .iter()
        .filter(|(_, l)| **l != Level::Off)
        .map(|(id, _)| *id)
        .collect();
    for id in on {
        c.security_checks.set(id, Level::Monitor);
    }
    c.body_limit_action = BodyLimitAction::Monitor;
    c
}

/// The events a server reported.
pub(crate) type Events = Arc<Mutex<Vec<Event>>>;

/// What the engine reported, for failure messages: `check@location: payload`; forgets them.
pub(crate) fn seen(events: &Events) -> String {
    let mut ev = events.lock().expect("lock");
    let out = ev
        .iter()
        .map(|e| format!("{:?}@{}: {:.80}", e.check, e.location, e.payload))
        .collect::<Vec<_>>()
        .join("; ");
    ev.clear();
    out
}

// ---------------------------------------------------------------------------------------
// What the handlers echo.

/// Every `name=value` pair, one a line.
pub(crate) fn lines(pairs: Vec<(String, String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

/// Every string (keys and values) of a JSON document, one a line.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(m) => {
            for (k, v) in m {
                out.push_str(k);
                out.push('\n');
                strings(v, out);
            }
        }
        _ => {}
    }
}

/// Every string of a JSON document, one a line.
pub(crate) fn json_text(v: &Value) -> String {
    let mut out = String::new();
    strings(v, &mut out);
    out
}

/// A struct with one field: serde's derive refuses a duplicate key.
#[derive(Deserialize)]
pub(crate) struct One {
    pub(crate) q: String,
}

// ---------------------------------------------------------------------------------------
// The table.

/// A case of the table: a request built around a value.
pub(crate) struct Case {
    /// What the case is.
    pub(crate) name: &'static str,
    /// The attack, as the handler reads it.
    pub(crate) attack: &'static str,
    /// The request around a value (the attack or [`BENIGN`]).
    pub(crate) build: fn(&str) -> Vec<u8>,
    /// The status of the blocked request (403; 413 for the body limit).
    pub(crate) status: u16,
}

/// Cases of every framework's table: the same request, read the same way by actix-web's and
/// axum's handlers (the routes `/header`, `/header-all`, `/json`, `/bytes-json`, `/form` and
/// `/item/{id}` of both applications echo what they read).
pub(crate) const COMMON: &[Case] = &[
    Case {
        name: "duplicate header, attack first (HeaderMap::get)",
        attack: SQLI,
        build: |v| {
            raw(
                &format!("GET /header HTTP/1.1\r\nX-User: {v}\r\nX-User: ada"),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "duplicate header, attack second (HeaderMap::get_all)",
        attack: XSS,
        build: |v| {
            raw(
                &format!("GET /header-all HTTP/1.1\r\nX-User: ada\r\nX-User: {v}"),
                b"",
            )
        },
        status: 403,
    },
    Case {
        name: "JSON as text/plain (Bytes + serde_json)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":{}}}"#, js(v));
            raw(
                "POST /bytes-json HTTP/1.1\r\nContent-Type: text/plain",
                body.as_bytes(),
            )
        },
        status: 403,
    },
    Case {
        name: "JSON without Content-Type (Bytes + serde_json)",
        attack: XSS,
        build: |v| {
            let body = format!(r#"{{"q":{}}}"#, js(v));
            raw("POST /bytes-json HTTP/1.1", body.as_bytes())
        },
        status: 403,
    },
    Case {
        name: "chunked JSON body, the attack across chunks",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"q":{}}}"#, js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                &chunked(body.as_bytes(), 7),
            )
        },
        status: 403,
    },
    Case {
        name: ";params kept in a path parameter",
        attack: XSS,
        build: |v| raw(&format!("GET /item/x;p={} HTTP/1.1", pct(v)), b""),
        status: 403,
    },
    Case {
        name: "JSON after MAX_BODY_BYTES (413)",
        attack: SQLI,
        build: |v| {
            let body = format!(r#"{{"pad":"{}","q":{}}}"#, pad(), js(v));
            raw(
                "POST /json HTTP/1.1\r\nContent-Type: application/json",
                body.as_bytes(),
            )
        },
        status: 413,
    },
    Case {
        name: "form after MAX_BODY_BYTES, chunked (413)",
        attack: XSS,
        build: |v| {
            let body = format!("pad={}&q={}", pad(), pct(v));
            raw(
                "POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                &chunked(body.as_bytes(), 1000),
            )
        },
        status: 413,
    },
];

/// Cases that apply to neither framework: their routers do not match the path.
pub(crate) const COMMON_NOT_READ: &[Case] = &[Case {
    name: "double slash (the router does not match //item/x)",
    attack: XSS,
    build: |v| raw(&format!("GET //item/{} HTTP/1.1", pct(v)), b""),
    status: 403,
}];

/// Runs a table against a control server and a blocking server with `exchange` (sends raw
/// bytes, reads the reply); returns one line per failed assertion (empty: all passed).
/// `benign`: also sends the benign request.
pub(crate) async fn run_table<F, Fut>(
    table: &[Case],
    exchange: F,
    control: (SocketAddr, &Events),
    blocking: (SocketAddr, &Events),
    benign: bool,
) -> Vec<String>
where
    F: Fn(SocketAddr, Vec<u8>) -> Fut,
    Fut: Future<Output = Reply>,
{
    let mut failed = Vec::new();
    for case in table {
        let r = exchange(control.0, (case.build)(case.attack)).await;
        if r.status != 200 || !r.text().contains(case.attack) {
            failed.push(format!(
                "{}: control: the handler did not read the attack ({} {:?})",
                case.name,
                r.status,
                r.text()
            ));
        }
        let seen_control = seen(control.1);
        let r = exchange(blocking.0, (case.build)(case.attack)).await;
        if r.status != case.status {
            failed.push(format!(
                "{}: not blocked: {} (expected {}), handler answered {:?}; the engine reported: [{}] (monitor run: [{}])",
                case.name,
                r.status,
                case.status,
                r.text(),
                seen(blocking.1),
                seen_control
            ));
        }
        seen(blocking.1);
        // A body over the cap is refused whatever it holds: no benign run for those.
        if benign && case.status != 413 {
            let r = exchange(blocking.0, (case.build)(BENIGN)).await;
            if r.status != 200 || !r.text().contains(BENIGN) {
                failed.push(format!(
                    "{}: benign: {} {:?}; the engine reported: [{}]",
                    case.name,
                    r.status,
                    r.text(),
                    seen(blocking.1)
                ));
            }
            seen(blocking.1);
        }
    }
    failed
}

/// Checks that the control server's handler does not read the attack of any case of `table`
/// (the cases that do not apply to a framework); returns one line per case it does read.
pub(crate) async fn run_not_read<F, Fut>(
    table: &[Case],
    exchange: F,
    control: (SocketAddr, &Events),
) -> Vec<String>
where
    F: Fn(SocketAddr, Vec<u8>) -> Fut,
    Fut: Future<Output = Reply>,
{
    let mut wrong = Vec::new();
    for case in table {
        let r = exchange(control.0, (case.build)(case.attack)).await;
        if r.status == 200 && r.text().contains(case.attack) {
            wrong.push(format!(
                "{}: the handler reads the attack ({} {:?}): move the case to the table",
                case.name,
                r.status,
                r.text()
            ));
        }
        seen(control.1);
    }
    wrong
}
