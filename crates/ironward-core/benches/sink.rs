//! Criterion benchmarks of the sink detectors with 20 request inputs. SQL, with a ~200-byte
//! query: one input occurs in the query (inside a string literal, so the query is tokenized
//! and the occurrence classified), and none does (the byte search only). Targets (issue 13):
//! ≤ 2 µs and ≤ 0.2 µs p50. Path, with a ~40-byte upload path: a file name input occurs (and
//! stays inside), none occurs, and a traversal fires. Run:
//! `cargo bench -p ironward-core --bench sink`.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::sink::{Dialect, nosql, path, shell, sql, ssrf};
use std::hint::black_box;

/// Twenty values a request typically carries: query parameters, headers, cookies, JSON.
const INPUTS: [&str; 20] = [
    "alice smith",
    "2",
    "20",
    "created_at",
    "desc",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "gzip, deflate, br",
    "en-US,en;q=0.5",
    "keep-alive",
    "shop.example",
    "https://shop.example/search?q=running+shoes",
    "sess=3f9a1c0e5b7d4a2f8e6c",
    "3f9a1c0e5b7d4a2f8e6c",
    "running shoes",
    "blue",
    "42.50",
    "{\"item\":\"shoes\",\"qty\":2}",
    "shoes",
    "fr",
];

fn query(name: &str) -> String {
    format!(
        "SELECT u.id, u.name, u.email, o.total FROM users u JOIN orders o ON o.user_id = u.id \
         WHERE u.name = '{name}' AND o.status = 'shipped' AND o.total > 100 \
         ORDER BY o.placed DESC LIMIT 10"
    )
}

fn bench(c: &mut Criterion) {
    let with_input = query("alice smith");
    let without = query("bob jones");
    assert!(sql::check(&with_input, Dialect::Postgres, INPUTS).is_none());
    let mut g = c.benchmark_group("sink_sql");
    g.bench_function("input_occurs", |b| {
        b.iter(|| sql::check(black_box(&with_input), Dialect::Postgres, black_box(INPUTS)))
    });
    g.bench_function("no_input_occurs", |b| {
        b.iter(|| sql::check(black_box(&without), Dialect::Postgres, black_box(INPUTS)))
    });
    let attack = query("' OR 1=1 --");
    g.bench_function("injection", |b| {
        b.iter(|| {
            sql::check(
                black_box(&attack),
                Dialect::Postgres,
                black_box(["' OR 1=1 --"]),
            )
        })
    });
    g.finish();

    let mut inputs = INPUTS;
    inputs[15] = "reports/2024/q1.final.pdf";
    let occurs = "/var/app/uploads/reports/2024/q1.final.pdf";
    let absent = "/var/app/uploads/reports/2023/q4.final.pdf";
    assert!(path::check(None, occurs, inputs).is_none());
    let mut g = c.benchmark_group("sink_path");
    g.bench_function("input_occurs", |b| {
        b.iter(|| path::check(None, black_box(occurs), black_box(inputs)))
    });
    g.bench_function("no_input_occurs", |b| {
        b.iter(|| path::check(None, black_box(absent), black_box(inputs)))
    });
    let mut attack = INPUTS;
    attack[15] = "../../etc/passwd";
    let traversal = "/var/app/uploads/../../etc/passwd";
    assert!(path::check(None, traversal, attack).is_some());
    g.bench_function("traversal", |b| {
        b.iter(|| path::check(None, black_box(traversal), black_box(attack)))
    });
    g.finish();
}

/// Shell, with a ~80-byte command line: none occurs (inputs too plain to matter are skipped
/// without a search), a file name occurs inside single quotes (lex + classify), and `; id`
/// fires.
fn bench_shell(c: &mut Criterion) {
    let mut inputs = INPUTS;
    inputs[15] = "my photo (1).jpg";
    let command = |name: &str| {
        format!("convert '/var/app/uploads/{name}' -resize 800x600 -quality 85 /tmp/out.png")
    };
    let occurs = command("my photo (1).jpg");
    let absent = command("holiday.jpg");
    assert!(shell::check_command(&occurs, inputs).is_none());
    assert!(shell::check_command(&absent, inputs).is_none());
    let mut g = c.benchmark_group("sink_shell");
    g.bench_function("input_occurs", |b| {
        b.iter(|| shell::check_command(black_box(&occurs), black_box(inputs)))
    });
    g.bench_function("no_input_occurs", |b| {
        b.iter(|| shell::check_command(black_box(&absent), black_box(inputs)))
    });
    let mut attack = INPUTS;
    attack[15] = "x.jpg'; id; '";
    let injected = command("x.jpg'; id; '");
    assert!(shell::check_command(&injected, attack).is_some());
    g.bench_function("injection", |b| {
        b.iter(|| shell::check_command(black_box(&injected), black_box(attack)))
    });
    g.finish();
}

/// SSRF, with the same 20 inputs: the application's own internal call whose query holds
/// inputs (no input controls the host), a user URL resolved to a public address (the host is
/// classified), and a user URL to the metadata service (fires).
fn bench_ssrf(c: &mut Criterion) {
    use std::net::{IpAddr, Ipv4Addr};
    let internal = "http://10.0.0.5:9200/products/_search?q=running+shoes&lang=fr";
    let db = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5));
    let public = IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34));
    let user_url = INPUTS[11];
    assert!(ssrf::check(internal, &[db], INPUTS).is_none());
    assert!(ssrf::check(user_url, &[public], INPUTS).is_none());
    let mut g = c.benchmark_group("sink_ssrf");
    g.bench_function("no_input_controls", |b| {
        b.iter(|| ssrf::check(black_box(internal), black_box(&[db]), black_box(INPUTS)))
    });
    g.bench_function("user_host_public", |b| {
        b.iter(|| ssrf::check(black_box(user_url), black_box(&[public]), black_box(INPUTS)))
    });
    let mut attack = INPUTS;
    attack[11] = "http://169.254.169.254/latest/meta-data/iam/";
    assert!(ssrf::check(attack[11], &[], attack).is_some());
    g.bench_function("metadata", |b| {
        b.iter(|| ssrf::check(black_box(attack[11]), black_box(&[]), black_box(attack)))
    });
    g.finish();
}

/// NoSQL: a JSON body and 20 parameters without operators (collect, then check a filter with
/// the code's own operators: no user object, no `$where`), and a login bypass (collect the
/// user objects of the body, then check: fires).
fn bench_nosql(c: &mut Criterion) {
    let body = serde_json::json!({
        "user": "alice smith", "status": "shipped", "items": [{"sku": "A-1", "qty": 2}],
        "address": {"city": "Paris", "zip": "75001"}
    });
    let pairs: Vec<(&str, &str)> = INPUTS.iter().map(|v| ("param", *v)).collect();
    let filter =
        serde_json::json!({"user": "alice smith", "status": "shipped", "total": {"$gt": 100}});
    let mut g = c.benchmark_group("sink_nosql");
    g.bench_function("no_operators", |b| {
        b.iter(|| {
            let objects =
                nosql::user_objects(Some(black_box(&body)), black_box(&pairs).iter().copied());
            nosql::check_with_strings(black_box(&filter), &objects, black_box(INPUTS))
        })
    });
    let attack = serde_json::json!({"user": "admin", "password": {"$ne": null}});
    assert!(nosql::check(&attack, &nosql::user_objects(Some(&attack), [])).is_some());
    g.bench_function("injection", |b| {
        b.iter(|| {
            let objects =
                nosql::user_objects(Some(black_box(&attack)), black_box(&pairs).iter().copied());
            nosql::check_with_strings(black_box(&attack), &objects, black_box(INPUTS))
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_shell, bench_ssrf, bench_nosql);
criterion_main!(benches);
