//! Fuzzes request extraction and the whole inbound pipeline with arbitrary requests.
//!
//! The input bytes are split on NUL into method, target, header block, content type and body,
//! so the fuzzer can steer each part. Asserts the limits hold and nothing panics.
#![no_main]

use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::request::{Header, Headers, Request};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let mut c = Config::default();
    c.max_inputs = 64;
    c.max_value_length = 256;
    c.max_body_bytes = 4096;
    Engine::new(c).unwrap()
});

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(5, |b| *b == 0);
    let method = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let target = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let header_block = parts.next().unwrap_or_default();
    let content_type = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let body = parts.next().unwrap_or_default();

    let lines: Vec<(String, &[u8])> = header_block
        .split(|b| *b == b'\n')
        .filter_map(|l| {
            let i = l.iter().position(|b| *b == b':')?;
            Some((String::from_utf8_lossy(&l[..i]).into_owned(), &l[i + 1..]))
        })
        .collect();
    let mut headers: Vec<Header<'_>> =
        lines.iter().map(|(n, v)| Header { name: n.as_str(), value: v }).collect();
    headers.push(Header::new("content-type", &content_type));

    let mut req = Request::new(&method, &target).with_headers(Headers(headers)).with_body(body);
    req.peer_ip = Some("192.0.2.1".parse().unwrap());

    let inputs = ENGINE.extract(&req);
    let limits = ENGINE.limits();
    assert!(inputs.items.len() <= limits.max_inputs);
    for i in &inputs.items {
        assert!(i.value.len() <= limits.max_value_length + 4);
    }
    let _ = ENGINE.inspect_request(&req);
    ENGINE.reset_state();
});
