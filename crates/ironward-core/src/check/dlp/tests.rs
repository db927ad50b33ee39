//! Tests of the DLP check: gating, decompression, chunked bodies, the stream API, payloads.
#![allow(clippy::unwrap_used)]

use super::{Dlp, DlpStream};
use crate::check::{Check, CheckId, ResponseContext};
use crate::config::{Config, Level};
use crate::request::{Body, Headers, Request, Response};
use crate::verdict::{Finding, Verdict};
use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use std::io::Write;

const CARD: &str = "4111 1111 1111 1111";

fn config() -> Config {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Dlp, Level::Block);
    c.set_dlp_families(true);
    c
}

fn run(config: &Config, status: u16, headers: &[(&str, &str)], body: Body<'_>) -> Vec<Finding> {
    let dlp = Dlp::new(config).unwrap();
    let headers: Headers<'_> = headers.iter().copied().collect();
    let mut response = Response::new(status).with_headers(headers);
    response.body = body;
    let request = Request::new("GET", "/");
    let inbound = Verdict::default();
    let ctx = ResponseContext {
        request: &request,
        inbound: &inbound,
        response: &response,
        client_ip: None,
        config,
        now_ms: 0,
    };
    let mut findings = Vec::new();
    dlp.check_response(&ctx, &mut findings);
    findings
}

fn json(body: &[u8]) -> Vec<Finding> {
    run(
        &config(),
        200,
        &[("Content-Type", "application/json")],
        Body::Full(body),
    )
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A brotli stream of uncompressed meta-blocks (no brotli encoder among the dependencies).
fn brotli_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, block) in data.chunks(65_536).enumerate() {
        // Stream header (WBITS=16, one 0 bit) only before the first meta-block.
        let shift = if i == 0 { 1 } else { 0 };
        let v: u32 = ((block.len() as u32 - 1) << (3 + shift)) | (1 << (19 + shift));
        out.extend_from_slice(&v.to_le_bytes()[..3]);
        out.extend_from_slice(block);
    }
    out.push(0x03); // ISLAST, ISLASTEMPTY
    out
}

#[test]
fn finds_and_labels() {
    let f = json(format!("{{\"card\":\"{CARD}\"}}").as_bytes());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].payload, "Credit Card");
    assert_eq!(f[0].location, "response_body");
    assert_eq!(f[0].engine, Some("dlp"));
    assert_eq!(f[0].check, CheckId::Dlp);
}

#[test]
fn leaked_data_flag() {
    let mut c = config();
    c.dlp_log_leaked_data = true;
    let body = format!("{{\"card\":\"{CARD}\"}}");
    let f = run(
        &c,
        200,
        &[("Content-Type", "application/json")],
        Body::Full(body.as_bytes()),
    );
    assert_eq!(f[0].payload, CARD);
    // Long secrets are cut.
    let key = format!("\"sk-proj-{}\"", "A".repeat(240));
    let f = run(
        &c,
        200,
        &[("Content-Type", "text/plain")],
        Body::Full(key.as_bytes()),
    );
    assert!(f[0].payload.starts_with("sk-proj-") && f[0].payload.len() == 200);
    // Latin-1 declared: bytes shown as Latin-1.
    let body = b"pwd=5f4dcc3b5aa765d61d8327deb882cf99 \xe9";
    let f = run(
        &c,
        200,
        &[("Content-Type", "text/plain; charset=ISO-8859-1")],
        Body::Full(body),
    );
    assert!(f[0].payload.starts_with("pwd=5f4dcc3b"), "{}", f[0].payload);
}

#[test]
fn all_flags_off_does_nothing() {
    let mut c = config();
    c.dlp_phone_numbers = false;
    c.dlp_cc_numbers = false;
    c.dlp_private_keys = false;
    c.dlp_hashes = false;
    c.dlp_windows_creds = false;
    c.dlp_linux_creds = false;
    c.dlp_api = false;
    let f = run(
        &c,
        200,
        &[("Content-Type", "text/plain")],
        Body::Full(CARD.as_bytes()),
    );
    assert!(f.is_empty());
    assert!(DlpStream::new(&c, &[("Content-Type", "text/plain")].into_iter().collect()).is_none());
    // And a family flag alone selects its family.
    c.dlp_api = true;
    assert!(
        run(
            &c,
            200,
            &[("Content-Type", "text/plain")],
            Body::Full(CARD.as_bytes())
        )
        .is_empty()
    );
}

#[test]
fn content_type_gating() {
    let c = config();
    let body = Body::Full(CARD.as_bytes());
    for ct in [
        "text/html; charset=utf-8",
        "TEXT/PLAIN",
        "application/json",
        "application/problem+json",
        "application/vnd.api+json; charset=utf-8",
        "image/svg+xml",
        "application/x-www-form-urlencoded",
    ] {
        assert_eq!(run(&c, 200, &[("Content-Type", ct)], body).len(), 1, "{ct}");
    }
    for ct in [
        "image/png",
        "application/octet-stream",
        "application/pdf",
        "texts/plain",
    ] {
        assert!(
            run(&c, 200, &[("Content-Type", ct)], body).is_empty(),
            "{ct}"
        );
    }
    // No Content-Type: clients sniff the body, so it is inspected.
    assert_eq!(run(&c, 200, &[], body).len(), 1);
}

#[test]
fn error_statuses_are_skipped() {
    let c = config();
    let h = [("Content-Type", "text/plain")];
    assert_eq!(run(&c, 399, &h, Body::Full(CARD.as_bytes())).len(), 1);
    assert!(run(&c, 400, &h, Body::Full(CARD.as_bytes())).is_empty());
    assert!(run(&c, 500, &h, Body::Full(CARD.as_bytes())).is_empty());
}

#[test]
fn size_cap() {
    let mut c = config();
    c.dlp_max_body_bytes = 1000;
    let mut body = vec![b' '; 2000];
    body.extend_from_slice(CARD.as_bytes());
    assert!(
        run(
            &c,
            200,
            &[("Content-Type", "text/plain")],
            Body::Full(&body)
        )
        .is_empty()
    );
    c.dlp_max_body_bytes = 4000;
    assert_eq!(
        run(
            &c,
            200,
            &[("Content-Type", "text/plain")],
            Body::Full(&body)
        )
        .len(),
        1
    );
}

#[test]
fn compressed_bodies() {
    let c = config();
    let plain = format!("{}{CARD}", "x ".repeat(5000));
    for (enc, data) in [
        ("gzip", gzip(plain.as_bytes())),
        ("deflate", {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(plain.as_bytes()).unwrap();
            e.finish().unwrap()
        }),
        ("br", brotli_stored(plain.as_bytes())),
    ] {
        let h = [("Content-Type", "text/html"), ("Content-Encoding", enc)];
        assert_eq!(run(&c, 200, &h, Body::Full(&data)).len(), 1, "{enc}");
        let (a, b) = data.split_at(data.len() / 2);
        let chunks = [a, b];
        assert_eq!(
            run(&c, 200, &h, Body::Chunks(&chunks)).len(),
            1,
            "{enc} chunked"
        );
    }
    // Off: compressed bodies are not inspected.
    let mut off = config();
    off.dlp_decompress = false;
    let h = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")];
    assert!(run(&off, 200, &h, Body::Full(&gzip(plain.as_bytes()))).is_empty());
    // Unknown or stacked encodings are not inspected.
    let h = [("Content-Type", "text/html"), ("Content-Encoding", "zstd")];
    assert!(run(&c, 200, &h, Body::Full(plain.as_bytes())).is_empty());
}

#[test]
fn gzip_bomb_is_bounded_and_corrupt_data_is_safe() {
    let mut c = config();
    c.dlp_max_body_bytes = 1 << 20;
    // 64 MiB of zeros, then a card: only the first MiB is decoded, so the card is not seen.
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..64 {
        e.write_all(&zeros).unwrap();
    }
    e.write_all(format!(" {CARD}").as_bytes()).unwrap();
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let h = [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")];
    // Bounded: the card past the first MiB is not seen. (The time is measured by the `dlp`
    // bench, case `gzip_bomb_64mib`.)
    assert!(run(&c, 200, &h, Body::Full(&bomb)).is_empty());
    // Corrupt data: the decoded prefix is inspected, then nothing; no panic.
    let mut good = gzip(format!("{CARD} {}", "y".repeat(5000)).as_bytes());
    let n = good.len();
    good[n / 2..].iter_mut().for_each(|b| *b ^= 0x5a);
    let _ = run(&c, 200, &h, Body::Full(&good));
    for junk in [
        &b"\x1f\x8b\x08garbage"[..],
        b"",
        b"\x00",
        b"\xff\xff\xff\xff",
    ] {
        for enc in ["gzip", "deflate", "br"] {
            let h = [("Content-Type", "text/plain"), ("Content-Encoding", enc)];
            assert!(run(&c, 200, &h, Body::Full(junk)).is_empty());
            let mut s = DlpStream::new(&c, &h.into_iter().collect()).unwrap();
            assert!(s.push(junk).is_none() && s.finish().is_none());
        }
    }
}

#[test]
fn chunked_body_split_card() {
    let c = config();
    let h = [("Content-Type", "text/plain")];
    let body = format!("{}order {CARD} done", "a".repeat(100_000));
    let bytes = body.as_bytes();
    let at = 100_000 + 6 + 7;
    let chunks = [&bytes[..at], &bytes[at..]];
    assert_eq!(run(&c, 200, &h, Body::Chunks(&chunks)).len(), 1);
    // Tiny chunks too.
    let tiny: Vec<&[u8]> = bytes.chunks(3).collect();
    assert_eq!(run(&c, 200, &h, Body::Chunks(&tiny)).len(), 1);
}

#[test]
fn stream_push_api() {
    let c = config();
    let headers: Headers<'_> = [("Content-Type", "text/event-stream")]
        .into_iter()
        .collect();
    // A key split across two chunks is found on the second push.
    let key = format!("data: ghp_{}\n\n", "a1B2".repeat(9));
    let (a, b) = key.split_at(12);
    let mut s = DlpStream::new(&c, &headers).unwrap();
    assert!(s.push(b"data: hello\n\n").is_none());
    assert!(s.push(a.as_bytes()).is_none());
    let f = s.push(b.as_bytes()).unwrap();
    assert_eq!(f.payload, "API Key");
    assert_eq!(f.level, Level::Block);
    assert!(s.is_done() && s.push(b"more").is_none());
    // A card at the very end of a chunk waits: more digits could follow.
    let mut s = DlpStream::new(&c, &headers).unwrap();
    assert!(s.push(b"n=4111111111111111").is_none());
    assert!(s.push(b"2222 end").is_none());
    assert!(s.finish().is_none());
    let mut s = DlpStream::new(&c, &headers).unwrap();
    assert!(s.push(b"n=4111111111111111").is_none());
    assert!(s.finish().is_some());
    // Many small chunks, with multi-byte characters split across them.
    let text = format!("é{}€ {CARD} ü", "ß".repeat(300));
    let mut s = DlpStream::new(&c, &headers).unwrap();
    let found = text
        .as_bytes()
        .chunks(5)
        .filter_map(|ch| s.push(ch))
        .count();
    assert_eq!(found + usize::from(s.finish().is_some()), 1);
    // Gated like the buffered check.
    let png: Headers<'_> = [("Content-Type", "image/png")].into_iter().collect();
    assert!(DlpStream::new(&c, &png).is_none());
    let mut err = Response::new(500);
    err.headers = headers.clone();
    assert!(DlpStream::for_response(&c, &err).is_none());
    let mut off = c.clone();
    off.security_checks.set(CheckId::Dlp, Level::Off);
    assert!(DlpStream::new(&off, &headers).is_none());
}

#[test]
fn stream_gzip() {
    let c = config();
    let h: Headers<'_> = [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")]
        .into_iter()
        .collect();
    let data = gzip(format!("{} {CARD} tail", "z".repeat(50_000)).as_bytes());
    let mut s = DlpStream::new(&c, &h).unwrap();
    let hits = data.chunks(700).filter_map(|ch| s.push(ch)).count();
    assert_eq!(hits + usize::from(s.finish().is_some()), 1);
    let mut monitor = c.clone();
    monitor.security_checks.set(CheckId::Dlp, Level::Monitor);
    let mut s = DlpStream::new(&monitor, &h).unwrap();
    let f = data
        .chunks(700)
        .find_map(|ch| s.push(ch))
        .or_else(|| s.finish())
        .unwrap();
    assert_eq!(f.level, Level::Monitor);
}
