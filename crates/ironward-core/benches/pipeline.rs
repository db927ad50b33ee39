//! Criterion benchmarks of the inbound pipeline on the reference requests, with the default
//! configuration (every default check on). Run: `cargo bench -p ironward-core --bench pipeline`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::reference::reference_requests;
use std::hint::black_box;

fn pipeline(c: &mut Criterion) {
    let mut config = Config::default();
    // Keep the attack request's client out of the blacklist so that every iteration runs the
    // full pipeline instead of the blacklist short-cut.
    config.blacklist_override = true;
    let engine = Engine::new(config).unwrap();
    let requests = reference_requests();
    let mut group = c.benchmark_group("inspect_request");
    for r in &requests {
        let req = r.request();
        group.bench_function(r.name, |b| {
            b.iter(|| black_box(engine.inspect_request(black_box(&req))))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("extract");
    for r in &requests {
        let req = r.request();
        group.bench_function(r.name, |b| {
            b.iter(|| black_box(engine.extract(black_box(&req))))
        });
    }
    group.finish();

    c.bench_function("engine_build_default", |b| {
        b.iter(|| black_box(Engine::new(Config::default()).unwrap()))
    });
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
