//! Fuzzes `Cookie` headers: `cookies::split`, `cookies::split_quoted` (quoted values running
//! across `;`) and `cookies::unquote` on the header text, and the engines on a request carrying
//! the bytes as `Cookie` headers (split on NUL into several).
//!
//! Asserts, besides the invariants of `ironward_fuzz`: every name and value `split` returns is
//! a slice of the header, names and values are trimmed (`split`; `split_quoted` values end
//! trimmed), there are no more cookies than bytes, and unquoting never lengthens a value.
//! (`a= ;b` once gave `a` = `" ;b"`: reproducer `fuzz/artifacts/cookies/split-untrimmed-value`,
//! fixed in `split`, with a unit test.)
#![no_main]

use ironward_core::input::cookies;
use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{peer, run_request};
use libfuzzer_sys::fuzz_target;

fn within(outer: &str, inner: &str) -> bool {
    let o = outer.as_bytes().as_ptr_range();
    let i = inner.as_bytes().as_ptr_range();
    inner.is_empty() || (o.start <= i.start && i.end <= o.end)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for header in text.split('\0') {
        for (name, value) in cookies::split(header) {
            assert!(within(header, name) && within(header, value), "not a slice");
            assert_eq!(name, name.trim(), "untrimmed name");
            assert_eq!(value, value.trim(), "untrimmed value");
            if let Some(u) = cookies::unquote(value) {
                assert!(u.len() <= value.len(), "unquote lengthened {value:?}");
            }
        }
        let quoted = cookies::split_quoted(header);
        assert!(quoted.len() <= header.len(), "more cookies than bytes");
        for (name, value) in quoted {
            assert!(within(header, name) && within(header, value), "not a slice");
            assert_eq!(name, name.trim(), "untrimmed name");
            assert_eq!(value, value.trim_end(), "value ends untrimmed");
            if let Some(u) = cookies::unquote(value) {
                assert!(u.len() <= value.len(), "unquote lengthened {value:?}");
            }
        }
        if let Some(u) = cookies::unquote(header) {
            assert!(u.len() <= header.len());
        }
    }

    let mut headers = Headers(vec![Header::new("host", "example.com")]);
    for raw in data.split(|b| *b == 0) {
        headers.push("cookie", raw);
    }
    let req = Request::new("GET", "/")
        .with_headers(headers)
        .with_peer(peer());
    run_request(&req);
});
