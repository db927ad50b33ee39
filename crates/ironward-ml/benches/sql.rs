//! Criterion benchmarks of `sql::analyze`: 64-byte benign and attack values, 1 KB benign
//! prose, hostile 64 KB inputs (quotes, parentheses, token soup) to watch linearity, and the
//! hostile values of up to 1 MB of the integration tests.
//! Run: `cargo bench -p ironward-ml --bench sql`.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ironward_ml::sql::analyze;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let kb: String = "The quick brown fox's jumps over 12 lazy dogs; (really) -- ok. "
        .repeat(17)
        .chars()
        .take(1024)
        .collect();
    let cases: Vec<(&str, String)> = vec![
        (
            "64B benign",
            "Mary O'Brien, 42 Main Street, Springfield; order #1234 (2 items)".to_owned(),
        ),
        (
            "64B attack",
            "1' and 1=0 union select null,concat(user,0x3a,pass) from users-- ".to_owned(),
        ),
        (
            "64B tautology",
            "admin' or 'a'='a' and password like '%' or 1=1 -- xxxxxxxxxxxxx".to_owned(),
        ),
        ("1KB benign", kb),
        ("64KB quotes", "x'".repeat(32 * 1024)),
        ("64KB parens", "(".repeat(64 * 1024)),
        ("64KB soup", "' or (1=1) -- \n".repeat(64 * 1024 / 15)),
    ];
    let mut g = c.benchmark_group("sql_analyze");
    for (name, value) in &cases {
        g.throughput(Throughput::Bytes(value.len() as u64));
        g.bench_function(*name, |b| b.iter(|| analyze(black_box(value))));
    }
    g.finish();
    // The hostile megabyte values of the integration test `sql::linear_on_hostile_input`
    // (which only guards against a hang).
    let big: Vec<(&str, String)> = vec![
        ("100K quotes", "'".repeat(100_000)),
        ("200KB x-quotes", "x'".repeat(100_000)),
        ("1MB parens", "(".repeat(1 << 20)),
        ("1MB or-chain", "1 or ".repeat(200_000)),
        ("1MB comments", "/**/".repeat(250_000)),
        ("600KB or-quotes", "' or '".repeat(100_000)),
        ("1MB letters", "a".repeat(1 << 20)),
    ];
    let mut g = c.benchmark_group("sql_analyze_1MB");
    g.sample_size(10);
    for (name, value) in &big {
        g.throughput(Throughput::Bytes(value.len() as u64));
        g.bench_function(*name, |b| b.iter(|| analyze(black_box(value))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
