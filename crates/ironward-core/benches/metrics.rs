//! What the metrics add to the request path: the engine's `plain_get` (the cheapest reference
//! request, so the largest share) against what `inspect_request` does for the metrics alone —
//! two `Instant` reads and `Metrics::record` of an allow verdict — measured in the same run, and
//! the ratio printed at the end. Also the cost of a snapshot and of its Prometheus text (what a
//! scrape costs). Run: `cargo bench -p ironward-core --bench metrics`.
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]

use criterion::{Bencher, Criterion};
use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::metrics::{Metrics, Phase};
use ironward_core::reference::reference_requests;
use ironward_core::verdict::Verdict;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Iterations and time measured by each bench, to print the ratio (criterion keeps its
/// estimates to itself).
static MEASURED: Mutex<Vec<(&'static str, u64, Duration)>> = Mutex::new(Vec::new());

/// Runs `f` `iters` times for criterion and keeps the total.
fn timed<R>(b: &mut Bencher<'_>, name: &'static str, mut f: impl FnMut() -> R) {
    b.iter_custom(|iters| {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        let spent = start.elapsed();
        if let Ok(mut m) = MEASURED.lock() {
            m.push((name, iters, spent));
        }
        spent
    });
}

/// Mean time per iteration of a bench, in nanoseconds (over every sample and the warm-up).
fn mean_ns(name: &str) -> Option<f64> {
    let m = MEASURED.lock().ok()?;
    let (iters, spent) = m
        .iter()
        .filter(|(n, _, _)| *n == name)
        .fold((0u64, Duration::ZERO), |(i, s), (_, n, d)| (i + n, s + *d));
    (iters > 0).then(|| spent.as_nanos() as f64 / iters as f64)
}

fn benches(c: &mut Criterion) {
    let mut config = Config::default();
    config.blacklist_override = true;
    config.flood_ratio = u64::from(u32::MAX);
    let engine = Engine::new(config).unwrap();
    let plain = reference_requests()
        .into_iter()
        .find(|r| r.name == "plain_get")
        .unwrap();
    let req = plain.request();
    let mut group = c.benchmark_group("metrics");
    group.bench_function("inspect_request/plain_get", |b| {
        timed(b, "plain_get", || engine.inspect_request(black_box(&req)))
    });
    let metrics = Metrics::new();
    let allow = Verdict::default();
    group.bench_function("record_allow", |b| {
        timed(b, "record", || {
            let started = Instant::now();
            metrics.record(Phase::Request, black_box(&allow), Some(started));
        })
    });
    // Its two parts: the clock reads, and the atomic additions.
    group.bench_function("instant_pair", |b| {
        b.iter(|| black_box(Instant::now()).elapsed())
    });
    group.bench_function("record_untimed", |b| {
        b.iter(|| metrics.record(Phase::Request, black_box(&allow), None))
    });
    let busy = engine.metrics();
    group.bench_function("snapshot", |b| b.iter(|| black_box(busy.snapshot())));
    let snapshot = busy.snapshot();
    group.bench_function("to_prometheus", |b| {
        b.iter(|| black_box(snapshot.to_prometheus()))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    if let (Some(request), Some(record)) = (mean_ns("plain_get"), mean_ns("record")) {
        println!(
            "metrics: inspect_request(plain_get) {request:.0} ns, of which the metrics {record:.1} ns \
             ({:.2} %)",
            100.0 * record / request
        );
    }
}
