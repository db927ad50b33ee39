//! Integration tests against a real Redis (`scripts/redis.sh start` prints the
//! `IRONWARD_TEST_REDIS_URL` to export; without it every test here says so and passes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

mod shared;
mod support;

mod cluster;
