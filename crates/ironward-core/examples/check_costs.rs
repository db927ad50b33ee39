//! Rough cost of each check on the reference requests, in nanoseconds per request: the whole
//! default pipeline (`ALL`), then each check alone (with `decoy`, and input extraction when the
//! check needs inputs). A quick profiling aid, not a benchmark: use criterion for figures.
//! `cargo run --release -p ironward-core --example check_costs` (`ONLY=command`,
//! `REQ=plain_get` narrow it down, e.g. under `perf record`).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::cast_precision_loss)]
use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level};
use ironward_core::engine::Engine;
use ironward_core::reference::reference_requests;
use std::time::Instant;

fn time(engine: &Engine, req: &ironward_core::Request<'_>) -> f64 {
    let n = 20_000;
    for _ in 0..2000 {
        std::hint::black_box(engine.inspect_request(req));
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(engine.inspect_request(req));
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let reqs = reference_requests();
    let base = |only: Option<CheckId>| {
        let mut c = Config::default();
        c.blacklist_override = true;
        c.flood_ratio = u64::from(u32::MAX);
        // ztaa does not build without a key (the reference requests carry no token).
        c.ztaa_keys = vec!["check-costs-ztaa-key-".repeat(4)];
        if let Some(id) = only {
            for x in CheckId::configurable() {
                c.security_checks.set(x, Level::Off);
            }
            c.security_checks.set(id, Level::Block);
            c.security_checks.set(CheckId::Decoy, Level::Block);
        }
        Engine::new(c).unwrap()
    };
    let mut ids: Vec<Option<CheckId>> = vec![None, Some(CheckId::Decoy)];
    ids.extend(CheckId::configurable().map(Some));
    if let Ok(only) = std::env::var("ONLY") {
        ids = vec![CheckId::from_key(&only)];
    }
    let which = std::env::var("REQ").ok();
    for r in reqs
        .iter()
        .filter(|r| which.as_deref().is_none_or(|w| w == r.name))
    {
        let req = r.request();
        print!("{:<14}", r.name);
        for id in &ids {
            let e = base(*id);
            print!(" {}={:.0}", id.map_or("ALL", |i| i.key()), time(&e, &req));
        }
        println!();
    }
}
