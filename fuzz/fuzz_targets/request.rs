//! Fuzzes whole requests and their responses through `Engine::inspect_request` and
//! `Engine::inspect_response` (and the streamed DLP scanner), with the default configuration
//! and with every check on (level 3 and level 1, small limits).
//!
//! Layout: byte 0 picks the declared body type (16 choices, incl. none, JSON in UTF-16, forms
//! in legacy charsets, multipart with two boundaries, gRPC, text), the route match and whether
//! the adapter declares a longer body or a list of accepted types; byte 1 picks the response
//! status; the rest is split on NUL into method, target (path and query), request header block
//! (`Name: value` lines; they may add a `Content-Type` of their own), request body, response
//! header block and response body.
//!
//! Asserts the invariants of `ironward_fuzz` on the extraction and on every verdict.
#![no_main]

use ironward_core::request::{Header, Headers, Request, Response, RouteMatch};
use ironward_fuzz::{ENGINES, check_inputs, check_verdict, header_lines, peer};
use libfuzzer_sys::fuzz_target;

const TYPES: [Option<&str>; 16] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-16"),
    Some("application/x-www-form-urlencoded"),
    Some("application/x-www-form-urlencoded; charset=shift_jis"),
    Some("multipart/form-data; boundary=X"),
    Some("multipart/form-data; boundary=X; boundary=Y; boundary*=utf-8''Z"),
    Some("text/xml"),
    Some("application/grpc"),
    Some("application/x-protobuf"),
    Some("text/plain"),
    Some("text/plain; charset=utf-7"),
    Some("application/octet-stream"),
    Some("application/vnd.api+json"),
    Some("application/x-www-form-urlencoded; charset=utf-32"),
    Some("text/html; charset=x-unknown"),
];

const ROUTES: [RouteMatch; 4] = [
    RouteMatch::Unknown,
    RouteMatch::Matched,
    RouteMatch::MethodNotAllowed,
    RouteMatch::NotFound,
];

const STATUSES: [u16; 10] = [200, 201, 204, 302, 400, 401, 403, 404, 500, 503];

const ACCEPTS: &[&str] = &["application/json", "multipart/*"];

fuzz_target!(|data: &[u8]| {
    let [sel, status, rest @ ..] = data else {
        return;
    };
    let mut parts = rest.splitn(6, |b| *b == 0);
    let mut next = || parts.next().unwrap_or_default();
    let method = String::from_utf8_lossy(next()).into_owned();
    let target = String::from_utf8_lossy(next()).into_owned();
    let req_headers = header_lines(next());
    let body = next();
    let resp_headers = header_lines(next());
    let resp_body = next();

    let mut headers: Vec<Header<'_>> = req_headers
        .iter()
        .map(|(n, v)| Header { name: n, value: v })
        .collect();
    if let Some(ct) = TYPES[usize::from(sel & 15)] {
        headers.push(Header::new("content-type", ct));
    }
    let mut req = Request::new(&method, &target)
        .with_headers(Headers(headers))
        .with_body(body)
        .with_peer(peer());
    req.route = ROUTES[usize::from((sel >> 4) & 3)];
    if sel & 64 != 0 {
        req.body_len = Some(body.len() as u64 + u64::from(*status) + 1);
    }
    if sel & 128 != 0 {
        req.accepts = ACCEPTS;
    }

    let response = Response::new(STATUSES[usize::from(*status) % STATUSES.len()])
        .with_headers(Headers(
            resp_headers
                .iter()
                .map(|(n, v)| Header { name: n, value: v })
                .collect(),
        ))
        .with_body(resp_body);

    check_inputs(&ENGINES.default.extract(&req), ENGINES.default.limits());
    for engine in ENGINES.all() {
        // The monitor and strict engines check their extraction in their pipeline (probe).
        let inbound = engine.inspect_request(&req);
        check_verdict(engine, &inbound);
        let _ = engine.events(&req, &inbound);
        let _ = engine.response_needed(&inbound, response.status);
        let outbound = engine.inspect_response(&req, &inbound, &response);
        check_verdict(engine, &outbound);
        if let Some(mut stream) = engine.dlp_stream(&inbound, &response) {
            let (a, b) = resp_body.split_at(resp_body.len() / 2);
            for chunk in [a, b] {
                if stream.is_done() {
                    break;
                }
                if let Some(f) = stream.push(chunk) {
                    check_verdict(engine, &engine.stream_verdict(&inbound, f));
                }
            }
            if let Some(f) = stream.finish() {
                check_verdict(engine, &engine.stream_verdict(&inbound, f));
            }
        }
        engine.reset_state();
    }
});
