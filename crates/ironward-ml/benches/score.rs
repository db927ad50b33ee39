//! Scoring and structural analysis speed, per value (criterion).
//!
//! `cargo bench -p ironward-ml --bench score`
//!
//! Values: 64-byte benign and attack values, and 1,000-byte ones, for the model score,
//! the structural analysis, and the two combined as the checks run them.

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_ml::embedded;
use std::hint::black_box;

fn values() -> Vec<(&'static str, String)> {
    let benign64 = "Blue running shoes, size 42 -- O'Brien's pick (20% off) today!!".to_owned();
    let sqli64 = "1' UNION ALL SELECT NULL,concat(user(),0x3a,version()),NULL-- -".to_owned();
    let xss64 = "\"><img src=x onerror=alert(document.cookie)>//<svg/onload=x>".to_owned();
    // 1,000 bytes each: one scoring window.
    let benign1k: String = "Great product, arrived on time and works as described. "
        .repeat(19)
        .chars()
        .take(1000)
        .collect();
    let attack1k = format!(
        "{}{}",
        &"lorem ipsum dolor sit amet ".repeat(36)[..936],
        sqli64
    );
    vec![
        ("benign_64", benign64),
        ("sqli_64", sqli64),
        ("xss_64", xss64),
        ("benign_1k", benign1k),
        ("attack_1k", attack1k),
    ]
}

fn bench(c: &mut Criterion) {
    let (Ok(sqli), Ok(xss)) = (embedded::sqli(), embedded::xss()) else {
        return;
    };
    let mut g = c.benchmark_group("score");
    for (name, v) in values() {
        g.bench_function(format!("sqli_model/{name}"), |b| {
            b.iter(|| sqli.score(black_box(&v)))
        });
        g.bench_function(format!("xss_model/{name}"), |b| {
            b.iter(|| xss.score(black_box(&v)))
        });
        g.bench_function(format!("sql_structure/{name}"), |b| {
            b.iter(|| ironward_ml::sql::analyze(black_box(&v)))
        });
        g.bench_function(format!("html_structure/{name}"), |b| {
            b.iter(|| ironward_ml::html::analyze(black_box(&v)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(300)).measurement_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
