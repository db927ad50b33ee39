//! Criterion benchmarks of `html::analyze`: 64-byte and 1 KB values (prose without trigger
//! bytes, punctuated prose, benign markup, a URL, an attack at the end) and adversarial
//! megabyte values (linear time). `cargo bench -p ironward-ml --bench html`.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ironward_ml::html::analyze;

/// `seed` repeated and cut to `len` bytes (seeds are ASCII).
fn fill(seed: &str, len: usize) -> String {
    seed.repeat(len / seed.len() + 1)[..len].to_owned()
}

fn inputs(len: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "prose",
            fill("the quick brown fox jumps over the lazy dog ", len),
        ),
        (
            "punctuated",
            fill("O'Brien said: \"fine (really)\" a=b; ", len),
        ),
        ("markup", fill("<p>Thanks for <b>your</b> order!</p> ", len)),
        (
            "url",
            fill("https://example.com/a/b?q=shoes&page=2#top/", len),
        ),
        ("attack", {
            let mut s = fill("the quick brown fox jumps over the lazy dog ", len - 30);
            s.push_str("\"><img src=x onerror=alert(1)>");
            s
        }),
    ]
}

fn values(c: &mut Criterion) {
    for len in [64, 1024] {
        let mut group = c.benchmark_group(format!("html_analyze_{len}B"));
        group.throughput(Throughput::Bytes(len as u64));
        for (name, value) in inputs(len) {
            group.bench_with_input(BenchmarkId::from_parameter(name), &value, |b, v| {
                b.iter(|| analyze(black_box(v)))
            });
        }
        group.finish();
    }
}

fn adversarial(c: &mut Criterion) {
    let mut group = c.benchmark_group("html_analyze_1MB");
    group.sample_size(10);
    // The adversarial values of the integration test `html::linear_on_adversarial_megabytes`
    // (which only guards against a hang).
    let cases = [
        ("lt", "<".repeat(1 << 20)),
        ("open_tags", "<a ".repeat(1 << 18)),
        ("quotes", "\"'`".repeat(1 << 18)),
        ("nesting", "<b><i>(((".repeat(1 << 17)),
        ("soup", "<a \"' on= `(:{$".repeat(1 << 16)),
        ("soup_handler", "<a \"' onx= `(:{${".repeat(1 << 16)),
        ("java_tab", "java\t".repeat(1 << 18)),
        ("css_expr", ":expr/*".repeat(1 << 17)),
    ];
    for (name, value) in &cases {
        group.throughput(Throughput::Bytes(value.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), value, |b, v| {
            b.iter(|| analyze(black_box(v)))
        });
    }
    group.finish();
}

criterion_group!(benches, values, adversarial);
criterion_main!(benches);
