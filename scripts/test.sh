#!/usr/bin/env bash
# Ironward's whole test suite: build, formatting, lints, unit/integration/property tests,
# doctests, and (in CI, or with FUZZ_SECONDS set) a short fuzzing run of every fuzz target.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "build"
cargo build --workspace --all-targets --locked

step "format"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "tests"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "doctests"
cargo test --workspace --doc --locked

fuzz_seconds="${FUZZ_SECONDS:-}"
if [ -z "$fuzz_seconds" ] && [ "${CI:-}" = "true" ]; then fuzz_seconds=30; fi
if [ -n "$fuzz_seconds" ] && [ "$fuzz_seconds" != "0" ]; then
  step "fuzz (${fuzz_seconds}s per target)"
  if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
  fi
  for target in extract decode analyze; do
    # cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo +stable fuzz run "$target" -- \
      -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -n 40)
  done
fi

step "python package"
bash scripts/test-python.sh

step "all checks passed"
