//! Resident memory and build time of an engine with every default check (models included):
//! `cargo run --release -p ironward-core --example footprint`. Linux only (reads
//! `/proc/self/status`); elsewhere it prints the build time alone.
#![allow(clippy::unwrap_used, clippy::print_stdout)]
use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::reference::reference_requests;
use std::time::Instant;

/// The resident set size in KiB, when the platform says.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let reqs = reference_requests();
    let before = rss_kib();
    let t = Instant::now();
    let engine = Engine::new(Config::default()).unwrap();
    let built = t.elapsed();
    let after_build = rss_kib();
    for _ in 0..1000 {
        for r in &reqs {
            std::hint::black_box(engine.inspect_request(&r.request()));
        }
    }
    let after_use = rss_kib();
    let t = Instant::now();
    let second = Engine::new(Config::default()).unwrap();
    let rebuilt = t.elapsed();
    println!(
        "first engine build (models parsed): {:.2} ms",
        built.as_secs_f64() * 1e3
    );
    println!(
        "second engine build (models cached): {:.2} ms",
        rebuilt.as_secs_f64() * 1e3
    );
    if let (Some(b), Some(a), Some(u)) = (before, after_build, after_use) {
        println!(
            "resident memory: {b} KiB before, +{} KiB after the build, +{} KiB after 4,000 requests",
            a - b,
            u - b
        );
    }
    drop(second);
}
