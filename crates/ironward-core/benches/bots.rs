//! Criterion benchmarks of the `bots` check: the `iw1` fingerprint alone, and the engine with
//! only `bots` on (fingerprint, rules, allow-list when a rule fires, finding) on a browser
//! request and on curl's default request. Run: `cargo bench -p ironward-core --bench bots`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::check::{CheckId, fingerprint};
use ironward_core::config::{Config, Level};
use ironward_core::engine::Engine;
use ironward_core::request::{Headers, Request};
use std::hint::black_box;

const CHROME: &[(&str, &str)] = &[
    ("Host", "www.example.com"),
    ("Connection", "keep-alive"),
    (
        "sec-ch-ua",
        r#""Not)A;Brand";v="99", "Google Chrome";v="127", "Chromium";v="127""#,
    ),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", "\"Windows\""),
    ("Upgrade-Insecure-Requests", "1"),
    (
        "User-Agent",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/127.0.0.0 Safari/537.36",
    ),
    (
        "Accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ),
    ("Sec-Fetch-Site", "same-origin"),
    ("Sec-Fetch-Mode", "navigate"),
    ("Sec-Fetch-User", "?1"),
    ("Sec-Fetch-Dest", "document"),
    ("Referer", "https://www.example.com/"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-US,en;q=0.9"),
    (
        "Cookie",
        "sid=6f1c2a9e0b8d4f7a; consent=1; _ga=GA1.2.123456789.1700000000; theme=dark; \
         cart=3; _gid=GA1.2.987654321.1700000000",
    ),
];

const CURL: &[(&str, &str)] = &[
    ("Host", "127.0.0.1:8080"),
    ("User-Agent", "curl/7.88.1"),
    ("Accept", "*/*"),
];

fn bots(c: &mut Criterion) {
    let mut config = Config::default();
    for id in CheckId::ALL {
        config.security_checks.set(id, Level::Off);
    }
    config.security_checks.set(CheckId::Bots, Level::Block);
    config.blacklist_override = true;
    let engine = Engine::new(config).unwrap();
    let mut group = c.benchmark_group("bots");
    for (name, headers) in [("chrome_navigation", CHROME), ("curl", CURL)] {
        let req =
            Request::new("GET", "/").with_headers(headers.iter().copied().collect::<Headers<'_>>());
        group.bench_function(format!("fingerprint/{name}"), |b| {
            b.iter(|| black_box(fingerprint(black_box(&req))))
        });
        group.bench_function(format!("engine_bots_only/{name}"), |b| {
            b.iter(|| black_box(engine.inspect_request(black_box(&req))))
        });
    }
    // The engine with nothing on: what the bots rows above add to it is the check.
    let mut off = Config::default();
    for id in CheckId::ALL {
        off.security_checks.set(id, Level::Off);
    }
    let engine = Engine::new(off).unwrap();
    let req =
        Request::new("GET", "/").with_headers(CHROME.iter().copied().collect::<Headers<'_>>());
    group.bench_function("engine_no_check/chrome_navigation", |b| {
        b.iter(|| black_box(engine.inspect_request(black_box(&req))))
    });
    group.finish();
}

criterion_group!(benches, bots);
criterion_main!(benches);
