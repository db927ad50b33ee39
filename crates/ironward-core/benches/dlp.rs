//! Criterion benchmarks of the `dlp` response check with every family on: clean 1 MB HTML and
//! JSON responses, the same with a leak at the very end, a gzip-compressed 1 MB response, and
//! a gzip bomb (64 MiB of zeros, of which only `DLP_MAX_BODY_BYTES` is decoded). Run: `cargo
//! bench -p ironward-core --bench dlp`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level};
use ironward_core::engine::Engine;
use ironward_core::request::{Headers, Request, Response};
use ironward_core::verdict::Verdict;
use std::hint::black_box;
use std::io::Write;

/// Just under 1 MiB, so that a leak appended at the end is within `DLP_MAX_BODY_BYTES`.
const SIZE: usize = 1 << 20;

fn config() -> Config {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Dlp, Level::Block);
    c.security_checks.set(CheckId::Brute, Level::Off);
    c.set_dlp_families(true);
    c
}

/// A small deterministic generator, so that ids, prices and hex strings vary.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 16
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
            .collect()
    }
}

fn html() -> Vec<u8> {
    let mut r = Lcg(7);
    let mut s = String::from(
        "<!doctype html><html><head><style>a::before{content:''}</style></head><body>\n",
    );
    while s.len() < SIZE - 4096 {
        let id = r.next() % 10_000_000;
        s.push_str(&format!(
            "<div class=\"product card\" data-id=\"{id}\" data-sku=\"SKU-{}-{}\"><a href=\"/p/{id}?ref=home&amp;page={}\">Product {id}</a>\
<span class=\"price\">${}.{:02}</span><time datetime=\"2024-{:02}-{:02}T10:{:02}:00+01:00\">yesterday</time>\
<img src=\"/img/{}.webp\" alt=\"\"><p>Ships in {} days. Call our shop, order ref {}. \
<input type=\"password\" name=\"pwd\" autocomplete=\"current-password\"></p></div>\n",
            r.next() % 100_000,
            r.next() % 1000,
            r.next() % 50,
            r.next() % 1000,
            r.next() % 100,
            r.next() % 12 + 1,
            r.next() % 28 + 1,
            r.next() % 60,
            r.hex(32),
            r.next() % 9 + 1,
            r.next() % 1_000_000_000,
        ));
    }
    s.push_str("</body></html>");
    s.into_bytes()
}

fn json() -> Vec<u8> {
    let mut r = Lcg(11);
    let mut s = String::from("{\"items\":[");
    while s.len() < SIZE - 4096 {
        let (a, b) = (r.hex(8), r.hex(12));
        s.push_str(&format!(
            "{{\"id\":{},\"uuid\":\"{a}-{}-4{}-a{}-{b}\",\"request_id\":\"{}\",\"created_at\":{},\
\"updated\":\"2024-03-{:02}T08:15:{:02}.123Z\",\"price\":{}.{:02},\"checksum\":\"{}\",\"etag\":\"{}\",\
\"name\":\"Item number {} with a longer description, tags and the password policy text\",\"qty\":{}}},",
            r.next() % 100_000_000_000,
            r.hex(4),
            r.hex(3),
            r.hex(3),
            r.hex(32),
            1_700_000_000_000 + r.next() % 100_000_000,
            r.next() % 28 + 1,
            r.next() % 60,
            r.next() % 10_000,
            r.next() % 100,
            r.hex(64),
            r.hex(40),
            r.next() % 1000,
            r.next() % 100,
        ));
    }
    s.push_str("{}]}");
    s.into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A benchmark case: name, content type, body, content encoding, whether it leaks.
type Case<'a> = (&'a str, &'a str, &'a [u8], Option<&'a str>, bool);

fn dlp(c: &mut Criterion) {
    let engine = Engine::new(config()).unwrap();
    let request = Request::new("GET", "/items");
    let inbound = Verdict::default();
    let html = html();
    let json = json();
    let mut html_leak = html.clone();
    html_leak.extend_from_slice(b"<p>card 4111 1111 1111 1111</p>");
    let mut json_leak = json.clone();
    json_leak.extend_from_slice(format!("\"token\":\"ghp_{}\"", "a1B2".repeat(9)).as_bytes());
    let gz = gzip(&json);
    // 64 MiB of zeros, then a card: only `DLP_MAX_BODY_BYTES` (1 MiB) is decoded, so the card
    // is not seen (the unit test `gzip_bomb_is_bounded_and_corrupt_data_is_safe` asserts it).
    let bomb = {
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..64 {
            e.write_all(&zeros).unwrap();
        }
        e.write_all(b" 4111 1111 1111 1111").unwrap();
        e.finish().unwrap()
    };

    let cases: [Case<'_>; 7] = [
        (
            "clean_html_1mb",
            "text/html; charset=utf-8",
            &html,
            None,
            false,
        ),
        ("clean_json_1mb", "application/json", &json, None, false),
        ("leak_at_end_html_1mb", "text/html", &html_leak, None, true),
        (
            "leak_at_end_json_1mb",
            "application/json",
            &json_leak,
            None,
            true,
        ),
        (
            "gzip_json_1mb",
            "application/json",
            &gz,
            Some("gzip"),
            false,
        ),
        ("gzip_bomb_64mib", "text/plain", &bomb, Some("gzip"), false),
        ("not_inspected_png_1mb", "image/png", &html, None, false),
    ];
    let mut group = c.benchmark_group("dlp");
    for (name, ct, body, enc, leaks) in cases {
        let mut headers = Headers::new();
        headers.push("Content-Type", ct.as_bytes());
        if let Some(e) = enc {
            headers.push("Content-Encoding", e.as_bytes());
        }
        let response = Response::new(200).with_headers(headers).with_body(body);
        let v = engine.inspect_response(&request, &inbound, &response);
        assert_eq!(v.is_blocked(), leaks, "{name}");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.inspect_response(&request, &inbound, black_box(&response))))
        });
    }
    group.finish();
}

criterion_group!(benches, dlp);
criterion_main!(benches);
