//! Criterion benchmarks of the inbound pipeline on the reference requests, with the default
//! configuration (every default check on), plus a 1 MB JSON body and repeated pathological
//! values for `hpp`. Run: `cargo bench -p ironward-core --bench pipeline`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::reference::reference_requests;
use ironward_core::request::Request;
use ironward_core::sink::SinkRequest;
use std::hint::black_box;

fn pipeline(c: &mut Criterion) {
    let mut config = Config::default();
    // Keep the attack request's client out of the blacklist so that every iteration runs the
    // full pipeline instead of the blacklist short-cut.
    config.blacklist_override = true;
    // Every iteration comes from the same client: keep `flood` counting (its cost is part of
    // the pipeline) without ever reaching its threshold.
    config.flood_ratio = u64::from(u32::MAX);
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

    // The same requests as the adapters inspect them when a sink check is on (the default):
    // the pipeline plus the inputs kept, owned, for the sinks.
    let mut group = c.benchmark_group("inspect_request_for_sinks");
    for r in &requests {
        let req = r.request();
        group.bench_function(r.name, |b| {
            b.iter(|| black_box(engine.inspect_request_for_sinks(black_box(&req))))
        });
    }
    group.finish();

    // What keeping the inputs costs on its own: the owned copy of already extracted inputs.
    let mut group = c.benchmark_group("sink_request_from_inputs");
    for r in &requests {
        let req = r.request();
        let inputs = engine.extract(&req);
        group.bench_function(r.name, |b| {
            b.iter(|| {
                black_box(SinkRequest::from_inputs(
                    black_box(&inputs),
                    &[],
                    None,
                    req.method,
                    req.path,
                ))
            })
        });
    }
    group.finish();

    // A 1 MB JSON body: bounded by MAX_INPUTS (1000 inputs kept, the rest counted).
    let big = big_json();
    let mut r = requests[2].clone();
    r.body = big;
    let req = r.request();
    group_one(c, "inspect_request/json_post_1mb", || {
        black_box(engine.inspect_request(black_box(&req)))
    });

    // Repeated pathological values that `hpp` joins and analyses (its unit test
    // `pathological_values_stay_linear` only guards against a hang).
    let v = "/*".repeat(20_000);
    let target = format!("/?q={v}&q={v}&q=%3C{}", "o".repeat(20_000));
    let req = Request::new("GET", &target);
    group_one(c, "inspect_request/hpp_pathological", || {
        black_box(engine.inspect_request(black_box(&req)))
    });

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

fn group_one<R>(c: &mut Criterion, name: &str, mut f: impl FnMut() -> R) {
    c.bench_function(name, |b| b.iter(&mut f));
}

/// About 1 MB of JSON orders.
fn big_json() -> Vec<u8> {
    let mut out = String::from("{\"orders\":[");
    let mut i = 0u32;
    while out.len() < 1_000_000 {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"id":{i},"sku":"SKU-{i:06}","name":"Trail shoe {i}","qty":{},"price":{}.99,"note":"deliver to side door #{i}"}}"#,
            i % 5 + 1,
            20 + i % 80
        ));
        i += 1;
    }
    out.push_str("]}");
    out.into_bytes()
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
