//! Fuzzes multipart bodies: the first line is the `Content-Type` (its parameters: several
//! `boundary` and `boundary*`, `charset`…; `multipart/form-data` is put in front when the line
//! names no media type), the rest is the body.
//!
//! Drives the public parsers (`content_type::parse`, `content_type::boundaries`,
//! `multipart::Parts` with every boundary, `rfc5987`, `quoted_printable`) and the engines
//! (extraction and `inspect_request`), asserting the invariants of `ironward_fuzz` plus: parts
//! are slices of the body and their number is bounded by its length.
#![no_main]

use ironward_core::input::{content_type, multipart};
use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{first_line, peer, run_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (line, body) = first_line(data);
    let media = line.split(';').next().unwrap_or("");
    let ct = if media.contains('/') {
        line.clone()
    } else {
        format!("multipart/form-data; {line}")
    };

    let _ = content_type::parse(&ct);
    let range = body.as_ptr_range();
    for boundary in content_type::boundaries(&ct) {
        assert!(!boundary.is_empty());
        let Some(parts) = multipart::Parts::new(body, &boundary) else {
            continue;
        };
        let mut n = 0usize;
        for part in parts {
            n += 1;
            assert!(n <= body.len() + 1, "more parts than body bytes");
            let c = part.content.as_ptr_range();
            assert!(
                part.content.is_empty() || (range.start <= c.start && c.end <= range.end),
                "part content outside the body"
            );
            if let Some(star) = &part.filename_star {
                let _ = multipart::rfc5987(star);
            }
            let qp = multipart::quoted_printable(part.content);
            assert!(qp.len() <= part.content.len());
        }
    }
    let _ = multipart::rfc5987(&line);

    let headers = Headers(vec![
        Header::new("host", "example.com"),
        Header::new("content-type", &ct),
    ]);
    let req = Request::new("POST", "/upload")
        .with_headers(headers)
        .with_body(body)
        .with_peer(peer());
    run_request(&req);
});
