#!/usr/bin/env bash
# Load test of `ironward server` (issue 14): 10,000 simulated agents beaconing every 30 s
# (~333 beacons/s), 1,000 events/s shipped one per request (pyrasp's HTTP log transport), and
# 5 admin event queries/s, open-loop, on SQLite and then on PostgreSQL. Prints p50/p99/max
# latency and errors per kind (crates/ironward-server/examples/load.rs). Loopback only.
#
# Usage: bash scripts/bench-server.sh
#   AGENTS=10000 BEACON_INTERVAL=30 EVENTS_PER_SEC=1000 QUERIES_PER_SEC=5 SECONDS_PER_RUN=60
#   DATABASES="sqlite postgres"   # which backends
#   IRONWARD_PG_DSN=postgres://…  # an existing PostgreSQL; otherwise scripts/sink-dbs.sh starts
#                                 # one (own state dir and ports) and stops it at the end
# Not in CI (it needs a release build); figures go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

agents="${AGENTS:-10000}"
interval="${BEACON_INTERVAL:-30}"
events="${EVENTS_PER_SEC:-1000}"
queries="${QUERIES_PER_SEC:-5}"
seconds="${SECONDS_PER_RUN:-60}"
databases="${DATABASES:-sqlite postgres}"

cargo build --release --locked -p ironward-server --example load
bin="${CARGO_TARGET_DIR:-target}/release/examples/load"
args=(--agents "$agents" --beacon-interval "$interval" --events-per-sec "$events"
      --queries-per-sec "$queries" --seconds "$seconds")

started_pg=""
cleanup() {
  if [ -n "$started_pg" ]; then
    SINK_DB_DIR=/tmp/ironward-bench-server-dbs PG_PORT=55632 MYSQL_PORT=53506 \
      bash scripts/sink-dbs.sh stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

for db in $databases; do
  echo "==> $db"
  case "$db" in
    sqlite) "$bin" "${args[@]}" ;;
    postgres)
      if [ -z "${IRONWARD_PG_DSN:-}" ]; then
        eval "$(SINK_DB_DIR=/tmp/ironward-bench-server-dbs PG_PORT=55632 MYSQL_PORT=53506 \
          bash scripts/sink-dbs.sh start)"
        started_pg=1
      fi
      "$bin" "${args[@]}" --database "$IRONWARD_PG_DSN"
      ;;
    *) echo "unknown database $db" >&2; exit 2 ;;
  esac
done
