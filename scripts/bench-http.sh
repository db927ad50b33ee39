#!/usr/bin/env bash
# Loopback throughput of the hello route, with and without IronwardLayer, measured with wrk.
#
#   scripts/bench-http.sh            # 3 rounds of wrk -t1 -c32 -d10s against bare, then layer
#   DURATION=30s ROUNDS=5 scripts/bench-http.sh
#
# The machine is usually shared: the bare and layer servers are measured alternately, ROUNDS
# times, and the loss is the median of the per-round losses (each round compares two runs a few
# seconds apart), printed with every round's figures, with each server's CPU time per request
# (user + system, from /proc/PID/stat around each wrk run): steadier than requests/s on a
# shared machine.
#
# Servers (all release builds, on 127.0.0.1):
#   bare      examples/bare.rs            no layer                                  :18091
#   layer     examples/bare.rs IRONWARD=1 layer (Router::layer), default config +
#                                         BLACKLIST_OVERRIDE and an unreachable flood ratio :18092
#   outer     examples/bare.rs IRONWARD=outer  the same layer wrapped around the router :18094
#   example   examples/axum.rs            the stock example, Config::default()      :18093
# The stock example keeps the default flood limit (50 requests / 60 s per client), so wrk's
# client is blocked after 50 requests: its figure counts 403 responses and is printed for
# information only. The losses are computed from "bare" and "layer", and "bare" and "outer".
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-3}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk not found: apt-get install -y wrk" >&2
    exit 1
fi

cargo build --release -q -p ironward-tower --example bare --example axum
BIN="${CARGO_TARGET_DIR:-target}/release/examples"

PIDS=()
declare -A PID_OF
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

start() { # name addr cmd...
    local name=$1 addr=$2
    shift 2
    "$@" >"/tmp/bench-http-$name.log" 2>&1 &
    PIDS+=("$!")
    PID_OF[$name]=$!
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null "http://$addr/"; then return 0; fi
        sleep 0.1
    done
    echo "$name did not start on $addr" >&2
    exit 1
}

cpu_ticks() { # pid -> user + system CPU ticks of the process so far
    awk '{print $14 + $15}' "/proc/$1/stat"
}

measure() { # name addr -> prints requests/s; full wrk output in /tmp/bench-http-wrk-<name>.txt,
    # the server's CPU time per request (µs) in /tmp/bench-http-cpu-<name>.txt
    local name=$1 addr=$2 t0 t1
    t0=$(cpu_ticks "${PID_OF[$name]}")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://$addr/" >"/tmp/bench-http-wrk-$name.txt"
    t1=$(cpu_ticks "${PID_OF[$name]}")
    awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" '/requests in/ {
        printf "%.2f\n", (b - a) / hz * 1e6 / $1 }' "/tmp/bench-http-wrk-$name.txt" \
        >"/tmp/bench-http-cpu-$name.txt"
    awk '/Requests\/sec/ {print $2}' "/tmp/bench-http-wrk-$name.txt"
}

cpu() { cat "/tmp/bench-http-cpu-$1.txt"; }

non2xx() {
    awk '/Non-2xx/ {n = $5} END {print n + 0}' "/tmp/bench-http-wrk-$1.txt"
}

start bare 127.0.0.1:18091 env LISTEN=127.0.0.1:18091 "$BIN/bare"
start layer 127.0.0.1:18092 env LISTEN=127.0.0.1:18092 IRONWARD=1 "$BIN/bare"
start outer 127.0.0.1:18094 env LISTEN=127.0.0.1:18094 IRONWARD=outer "$BIN/bare"
start example 127.0.0.1:18093 env LISTEN=127.0.0.1:18093 "$BIN/axum"

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET / (hello route), loopback, $ROUNDS rounds"
losses=()
outer_losses=()
pct() { awk -v b="$1" -v l="$2" 'BEGIN { printf "%.1f", (b - l) / b * 100 }'; }
for round in $(seq 1 "$ROUNDS"); do
    bare=$(measure bare 127.0.0.1:18091)
    layer=$(measure layer 127.0.0.1:18092)
    outer=$(measure outer 127.0.0.1:18094)
    losses+=("$(pct "$bare" "$layer")")
    outer_losses+=("$(pct "$bare" "$outer")")
    printf 'round %s: bare %s req/s (%s µs CPU/req); Router::layer %s req/s (%s µs, loss %s %%); around the router %s req/s (%s µs, loss %s %%); non-2xx: %s/%s/%s\n' \
        "$round" "$bare" "$(cpu bare)" "$layer" "$(cpu layer)" "${losses[-1]}" \
        "$outer" "$(cpu outer)" "${outer_losses[-1]}" \
        "$(non2xx bare)" "$(non2xx layer)" "$(non2xx outer)"
done
example=$(measure example 127.0.0.1:18093)
printf 'stock example : %s req/s (non-2xx: %s; flood-blocked after 50 requests)\n' \
    "$example" "$(non2xx example)"
median_loss() { # label values...
    local label=$1
    shift
    printf '%s\n' "$@" | sort -g | awk -v label="$label" '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "throughput loss (%s), median of %d rounds: %.1f %% (target <= 10 %%): %s\n", label, NR, m, (m <= 10 ? "met" : "NOT met")
    }'
}
median_loss "Router::layer" "${losses[@]}"
median_loss "around the router" "${outer_losses[@]}"
