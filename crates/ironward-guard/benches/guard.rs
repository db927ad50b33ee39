//! Guard overhead: `ironward_guard::sql` outside a request scope (the fast path: one
//! thread-local read) and inside one where no input occurs in the query (the engine's byte
//! search only).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::sink::SinkRequest;
use ironward_core::{Config, Engine};
use ironward_guard::{Dialect, SinkContext, sql, sync_scope};
use std::hint::black_box;
use std::sync::Arc;

const QUERY: &str = "SELECT u.id, u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id \
                     WHERE u.status = 'active' AND o.created_at > $1 ORDER BY o.total DESC LIMIT 20";

fn bench(c: &mut Criterion) {
    c.bench_function("guard_sql_outside_scope", |b| {
        b.iter(|| sql(black_box(QUERY), Dialect::Postgres))
    });
    let engine = Arc::new(Engine::new(Config::default()).unwrap());
    let inputs: Vec<String> = (0..20).map(|i| format!("value-{i}-xyzzy")).collect();
    let ctx = SinkContext::new(engine, SinkRequest::from_values(&inputs));
    sync_scope(ctx, || {
        c.bench_function("guard_sql_in_scope_no_input_occurs", |b| {
            b.iter(|| sql(black_box(QUERY), Dialect::Postgres))
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
