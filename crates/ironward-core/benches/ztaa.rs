//! Criterion benchmarks of the `ztaa` check: what a request with a zero-trust token costs through
//! the engine, with only `ztaa` on. A valid token signed by the first key, by the third key of
//! three (rotation: two failed signature checks first), a token with a bad signature, and a
//! request without the header. Run: `cargo bench -p ironward-core --bench ztaa`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::check::CheckId;
use ironward_core::clock::ManualClock;
use ironward_core::config::{Config, Level, SecurityChecks};
use ironward_core::engine::Engine;
use ironward_core::request::{Headers, Request};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::hint::black_box;
use std::sync::Arc;

const NOW: u64 = 1_800_000_000;

fn key(n: u8) -> String {
    format!("bench-key-{n}-").repeat(6)
}

fn token(key: &str) -> String {
    let claims = serde_json::json!({
        "sub": "alice@example.com", "exp": NOW + 3600, "iat": NOW - 60,
        "latest": true, "browser": "Firefox 140",
    });
    let key = EncodingKey::from_secret(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &key).unwrap()
}

fn engine() -> Engine {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Ztaa, Level::Block);
    c.ztaa_keys = vec![key(1), key(2), key(3)];
    c.ztaa_browser_version = true;
    c.blacklist_override = true;
    let ms = i64::try_from(NOW * 1000).unwrap();
    Engine::builder(c)
        .clock(Arc::new(ManualClock::new(ms)))
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let e = engine();
    let first = token(&key(1));
    let third = token(&key(3));
    let forged = token(&key(9));
    let mut g = c.benchmark_group("ztaa");
    for (name, value, blocked) in [
        ("valid_first_key", Some(first.as_str()), false),
        ("valid_third_key", Some(third.as_str()), false),
        ("bad_signature", Some(forged.as_str()), true),
        ("missing", None, true),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut headers = Headers::new();
                headers.push("host", b"app.example.com");
                headers.push(
                    "user-agent",
                    b"Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
                );
                if let Some(v) = value {
                    headers.push("pcb-ztaa", v.as_bytes());
                }
                let v = e.inspect_request(black_box(&Request {
                    method: "GET",
                    path: "/app/dashboard",
                    headers,
                    ..Request::default()
                }));
                assert_eq!(v.is_blocked(), blocked);
                v
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
