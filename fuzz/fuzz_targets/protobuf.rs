//! Fuzzes gRPC and protobuf bodies (schema-less string-field extraction).
//!
//! The first byte is a set of flags, the second the number of frames:
//! - bit 0: `application/grpc` (length-prefixed frames) or `application/x-protobuf` (one
//!   message); bit 6 picks the variant (`application/grpc+proto`, `application/protobuf`);
//! - bits 1–2: the `grpc-encoding` header: none, `gzip`, `deflate`, `snappy` (unsupported);
//! - bit 3: the harness frames the rest itself (gRPC: split into 1–4 frames, each compressed
//!   with the declared encoding when bit 4 is set, so that inflation is reached); otherwise the
//!   rest is the body as is (frames written by the fuzzer);
//! - bit 5: a `content-length`-like `body_len` larger than the body (a cut body).
//!
//! Asserts the invariants of `ironward_fuzz`.
#![no_main]

use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use ironward_core::request::{Header, Headers, Request};
use ironward_fuzz::{peer, run_request};
use libfuzzer_sys::fuzz_target;
use std::io::Write as _;

const ENCODINGS: [Option<&str>; 4] = [None, Some("gzip"), Some("deflate"), Some("snappy")];

fn compress(encoding: Option<&str>, msg: &[u8]) -> Option<Vec<u8>> {
    match encoding {
        Some("gzip") => {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(msg).ok()?;
            e.finish().ok()
        }
        Some("deflate") => {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::fast());
            e.write_all(msg).ok()?;
            e.finish().ok()
        }
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, frames, rest @ ..] = data else {
        return;
    };
    let grpc = flags & 1 != 0;
    let encoding = ENCODINGS[usize::from((flags >> 1) & 3)];
    let ct = match (grpc, flags & 64 != 0) {
        (true, false) => "application/grpc",
        (true, true) => "application/grpc+proto",
        (false, false) => "application/x-protobuf",
        (false, true) => "application/protobuf",
    };
    let body: Vec<u8> = if flags & 8 != 0 && grpc {
        let n = usize::from(frames % 4) + 1;
        let size = rest.len().div_ceil(n).max(1);
        let mut out = Vec::with_capacity(rest.len() + 5 * n);
        for msg in rest.chunks(size) {
            let packed = (flags & 16 != 0).then(|| compress(encoding, msg)).flatten();
            let (flag, payload) = match &packed {
                Some(p) => (1u8, p.as_slice()),
                None => (0u8, msg),
            };
            out.push(flag);
            out.extend_from_slice(&u32::try_from(payload.len()).unwrap_or(0).to_be_bytes());
            out.extend_from_slice(payload);
        }
        out
    } else {
        rest.to_vec()
    };
    let mut headers = Headers(vec![
        Header::new("host", "example.com"),
        Header::new("content-type", ct),
    ]);
    if let Some(e) = encoding {
        headers.push("grpc-encoding", e.as_bytes());
    }
    let mut req = Request::new("POST", "/pkg.Service/Method")
        .with_headers(headers)
        .with_body(&body)
        .with_peer(peer());
    if flags & 32 != 0 {
        req.body_len = Some(body.len() as u64 + 1);
    }
    run_request(&req);
});
