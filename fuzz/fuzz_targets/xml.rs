//! Fuzzes XML bodies through the engines with the `format` check on (level 3 in the monitor
//! engine, level 1 in the strict one), so that the well-formedness check (DOCTYPE, entity
//! declarations, nesting, roots) runs on every input, as does the extraction of the elements'
//! text and attribute values. The first byte picks the declared media type, the rest is the
//! body; the strict engine cuts bodies at 4 KiB, so truncated documents are reached too.
//!
//! Asserts the invariants of `ironward_fuzz`.
#![no_main]

use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{peer, run_request};
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 8] = [
    "application/xml",
    "text/xml",
    "application/soap+xml; charset=utf-8",
    "application/atom+xml",
    "application/xml; charset=utf-16",
    "text/xml; charset=iso-8859-1",
    "application/xhtml+xml",
    "application/rss+xml; charset=utf-7",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ct = TYPES[usize::from(sel) % TYPES.len()];
    let headers = Headers(vec![
        Header::new("host", "example.com"),
        Header::new("content-type", ct),
    ]);
    let req = Request::new("POST", "/soap")
        .with_headers(headers)
        .with_body(body)
        .with_peer(peer());
    run_request(&req);
});
