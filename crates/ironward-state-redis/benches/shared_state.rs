//! Added time per counted request: the in-process store against the Redis store on loopback
//! (`IRONWARD_TEST_REDIS_URL`; the Redis group is skipped without it).

#![allow(clippy::print_stderr, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ironward_core::Config;
use ironward_core::state::{Counter, LocalState, StateStore};
use ironward_state_redis::RedisState;
use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn bench(c: &mut Criterion) {
    let mut config = Config::default();
    config.flood_ratio = u64::MAX / 2;
    let ip = IpAddr::from([192, 0, 2, 1]);
    let local = LocalState::new(&config);
    c.bench_function("state/local/hit", |b| {
        b.iter(|| black_box(local.hit(Counter::Flood, ip, now_ms())))
    });
    c.bench_function("state/local/blacklist_lookup", |b| {
        b.iter(|| black_box(local.blacklist().contains(ip, now_ms())))
    });
    let Ok(url) = std::env::var("IRONWARD_TEST_REDIS_URL") else {
        eprintln!("IRONWARD_TEST_REDIS_URL is not set: the Redis benches are skipped");
        return;
    };
    config.shared_state_url = url;
    config.shared_state_prefix = format!("ironward-bench-{}", std::process::id());
    config.shared_state_timeout_ms = 50;
    let Ok(redis) = RedisState::start(&config) else {
        return;
    };
    if !redis.wait_connected(Duration::from_secs(5)) {
        eprintln!("Redis did not answer: the Redis benches are skipped");
        return;
    }
    c.bench_function("state/redis/hit", |b| {
        b.iter(|| black_box(redis.hit(Counter::Flood, ip, now_ms())))
    });
    c.bench_function("state/redis/blacklist_lookup", |b| {
        b.iter(|| black_box(redis.blacklist().contains(ip, now_ms())))
    });
    redis.clear();
}

criterion_group!(benches, bench);
criterion_main!(benches);
