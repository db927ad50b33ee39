//! Integration tests against a real Redis (`scripts/redis.sh start` prints the
//! `IRONWARD_TEST_REDIS_URL` to export; without it every test here says so and passes), a
//! real Redis Cluster (`scripts/redis-cluster.sh`) and real Sentinels
//! (`scripts/redis-sentinel.sh`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

mod reseed;
mod shared;
mod support;

mod cluster;
mod sentinel;
