//! Fuzzes urlencoded bodies: the first line is the `charset` parameter (any label: UTF-7,
//! UTF-16, legacy charsets, unknown ones), the rest is the body, sent as the form body and, as
//! Django also decodes it with the declared charset, as the query string.
//!
//! Asserts the invariants of `ironward_fuzz` (no panic, `MAX_INPUTS`, `MAX_VALUE_LENGTH`).
#![no_main]

use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{first_line, peer, run_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (charset, body) = first_line(data);
    let ct = if charset.is_empty() {
        "application/x-www-form-urlencoded".to_owned()
    } else {
        format!("application/x-www-form-urlencoded; charset={charset}")
    };
    let headers = || {
        Headers(vec![
            Header::new("host", "example.com"),
            Header::new("content-type", &ct),
        ])
    };
    let req = Request::new("POST", "/form")
        .with_headers(headers())
        .with_body(body)
        .with_peer(peer());
    run_request(&req);

    // The same bytes as the query string of a request declaring the charset.
    let query = String::from_utf8_lossy(body);
    let target = format!("/search?{query}");
    let req = Request::new("GET", &target)
        .with_headers(headers())
        .with_peer(peer());
    run_request(&req);
});
