#!/usr/bin/env bash
# Memory and soak figures through real servers on loopback (docs/benchmarks.md, "Memory and
# soak"). Every server trusts 127.0.0.1 as a proxy (TRUSTED_PROXIES), so the client address of
# each request is the one the load generator puts in X-Forwarded-For; flood and brute are at
# level 2. The load generator is bench/soak/src/bin/soak_client.rs (keep-alive HTTP/1.1, CONNS
# connections); it reads VmRSS and /proc/PID/fd of the server's process tree (master and
# workers) and decides PASS/FAIL; see its header for the traffic and the rules. bench/soak is a
# crate kept out of the main workspace (like fuzz/), with its own lock file.
#
#   bash scripts/soak.sh                        # everything, full length (about 35 minutes)
#   IPS=200000 TABLE_SIZE=10000 SOAK_SECONDS=60 PARTS="ips soak" bash scripts/soak.sh
#
# Parts (PARTS, space-separated, in this order):
#   ips       IPS requests (1,000,000), each from a distinct client address, through the tower
#             layer (hyper + axum, bench/soak/src/bin/soak_server.rs) with RATE_TABLE_MAX_SIZE and
#             BLACKLIST_MAX_SIZE set to TABLE_SIZE (50,000): RSS at 10 k, 100 k, …, IPS; fails
#             when RSS at the end exceeds RSS once the tables are full (and churned once) by
#             more than MARGIN (10 %), or on any transport error, 5xx or unexpected status.
#   defaults  the same with the default table sizes (100,000 each).
#   control   the same with both sizes at their maximum (10,000,000), so nothing is evicted:
#             a run that must show growth (it proves the check can fail; never part of CI).
#             It needs IPS well past twice the fill point (the defaults: 1,000,000 requests,
#             tables of 50,000 full at 200,000).
#   soak      SOAK_SECONDS (600) of mixed benign and attack traffic through the tower server
#             (default table sizes, BLACKLIST_DELAY 10 s so that attacking addresses are
#             inspected again on each pass) from a pool of SOAK_POOL (262,140) addresses cycled
#             in turn (more than RATE_TABLE_MAX_SIZE: the rate tables evict all along): no
#             error, no 5xx, RSS and open descriptors flat after the warm-up (20 % of the run
#             and one cycle of the pool), CONNS connections.
#   gunicorn  the same for PY_SOAK_SECONDS (SOAK_SECONDS) under gunicorn: a Flask app with
#             FlaskRASP (bench/python/soak_wsgi_app.py), WORKERS (2) gthread workers with 4
#             threads; RSS and descriptors summed over the master and its workers; a pool of
#             PY_POOL (4,080) addresses (a cycle must fit in the warm-up at Python's request
#             rate), PY_CONNS (32) connections.
#   uvicorn   the same under uvicorn --workers WORKERS: a FastAPI app with FastApiRASP (the
#             ASGI middleware, bench/python/soak_asgi_app.py). uvicorn's multi-process mode
#             leaves Nagle's algorithm on (uvicorn issue 3149: TCP_NODELAY is lost with
#             --workers N), so each keep-alive response waits ~40 ms for the client's delayed
#             ACK: hence PY_CONNS connections rather than CONNS.
#
# Python: PYTHON_VENV names a virtual environment with ironward, Flask, FastAPI, gunicorn and
# uvicorn (scripts/test-python.sh passes its own); without it one is built in a temporary
# directory like scripts/test-python.sh does (PYTHON, python3.11 by default; about 3 minutes).
#
# Build: bench/soak's release profile (the main workspace's: thin LTO, one codegen unit), into
# $CARGO_TARGET_DIR or bench/soak/target. With SOAK_FAST_BUILD=1 (the default when CI=true)
# its `ci` profile instead (the same opt-level without LTO, 16 codegen units): about half the
# build time, a somewhat slower server (the figures of docs/benchmarks.md use `release`).
#
# Knobs: IPS, TABLE_SIZE, SOAK_SECONDS, PY_SOAK_SECONDS, PARTS, CONNS (4), PY_CONNS (32),
# SOAK_POOL, PY_POOL, MARGIN (0.10), WORKERS (2), PORT (18190), PYTHON_VENV, SOAK_FAST_BUILD,
# KEEP (keep the logs directory).
# Only 127.0.0.1:PORT is contacted. Exit status 0 when every part passed.
set -euo pipefail
cd "$(dirname "$0")/.."

IPS="${IPS:-1000000}"
TABLE_SIZE="${TABLE_SIZE:-50000}"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
PY_SOAK_SECONDS="${PY_SOAK_SECONDS:-$SOAK_SECONDS}"
PARTS="${PARTS:-ips defaults control soak gunicorn uvicorn}"
CONNS="${CONNS:-4}"
PY_CONNS="${PY_CONNS:-32}"
SOAK_POOL="${SOAK_POOL:-262140}"
PY_POOL="${PY_POOL:-4080}"
MARGIN="${MARGIN:-0.10}"
WORKERS="${WORKERS:-2}"
PORT="${PORT:-18190}"
PYTHON_VENV="${PYTHON_VENV:-}"
KEEP="${KEEP:-}"
if [ -z "${SOAK_FAST_BUILD:-}" ]; then
  if [ "${CI:-}" = "true" ]; then SOAK_FAST_BUILD=1; else SOAK_FAST_BUILD=0; fi
fi
DEFAULT_TABLE_SIZE=100000
MAX_TABLE_SIZE=10000000

has_part() { [[ " $PARTS " == *" $1 "* ]]; }

if ! command -v curl >/dev/null 2>&1; then
  echo "soak: curl not found (it checks that each server answers)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ironward-soak.XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  if [ -n "$KEEP" ]; then
    echo "soak: logs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------------
profile=release
if [ "$SOAK_FAST_BUILD" = "1" ]; then profile=ci; fi
target="${CARGO_TARGET_DIR:-bench/soak/target}"
echo "==> soak: building bench/soak (soak_server, soak_client), profile $profile, into $target"
t0=$SECONDS
cargo build --manifest-path bench/soak/Cargo.toml --locked -q --profile "$profile"
echo "    built in $((SECONDS - t0)) s"
BIN="$target/$profile"

# --- configurations ------------------------------------------------------------------------
conf() { # file [extra JSON members]
  printf '{"TRUSTED_PROXIES": ["127.0.0.1"], "SECURITY_CHECKS": {"flood": 2, "brute": 2}%s}\n' \
    "${2:+, $2}" >"$1"
}
sizes() { printf '"RATE_TABLE_MAX_SIZE": %s, "BLACKLIST_MAX_SIZE": %s' "$1" "$1"; }
conf "$work/bounded.json" "$(sizes "$TABLE_SIZE")"
conf "$work/defaults.json"
conf "$work/control.json" "$(sizes "$MAX_TABLE_SIZE")"
# The soaks: default table sizes; blacklisted addresses come back after 10 s, so the attack
# pool's addresses are inspected again on each pass (and the blacklist's expiry is exercised).
conf "$work/soak.json" '"BLACKLIST_DELAY": 10'

# --- servers -------------------------------------------------------------------------------
SERVER_PID=""
start_server() { # name cmd... (listening on 127.0.0.1:PORT); sets SERVER_PID
  local name=$1
  shift
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
    echo "soak: something already answers on 127.0.0.1:$PORT (set PORT)" >&2
    return 1
  fi
  "$@" >"$work/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "soak: $name exited:" >&2
      tail -n 40 "$work/$name.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "soak: $name did not answer on 127.0.0.1:$PORT within 60 s" >&2
  tail -n 40 "$work/$name.log" >&2
  return 1
}

stop_server() { # the server started last: SIGTERM, then SIGKILL after 15 s
  local p=$SERVER_PID
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  SERVER_PID=""
}

# --- the load generator --------------------------------------------------------------------
failed=0
run_client() { # label client-args... ; appends the SOAK_RESULT line to $work/results
  local label=$1 rc
  shift
  set +e
  "$BIN/soak_client" --label "$label" --addr "127.0.0.1:$PORT" --margin "$MARGIN" \
    --pid "$SERVER_PID" "$@" | tee "$work/$label.out"
  rc=${PIPESTATUS[0]}
  set -e
  if ! grep '^SOAK_RESULT' "$work/$label.out" >>"$work/results"; then
    echo "SOAK_RESULT label=$label verdict=FAIL" >>"$work/results"
  fi
  return "$rc"
}

part_ips() { # label config-file client's rate-table-max blacklist-max
  local label=$1 config=$2
  echo
  echo "==> soak: $label: $IPS distinct client addresses through the tower layer ($(basename "$config"))"
  start_server "$label" env SOAK_CONF="$config" LISTEN="127.0.0.1:$PORT" "$BIN/soak_server"
  run_client "$label" --mode ips --conns "$CONNS" --requests "$IPS" --rate-table-max "$3" \
    --blacklist-max "$4" || failed=1
  stop_server
}

part_soak() { # label seconds connections pool server-cmd...
  local label=$1 seconds=$2 conns=$3 pool=$4
  shift 4
  echo
  echo "==> soak: $label: $seconds s of mixed traffic"
  start_server "$label" "$@"
  run_client "$label" --mode soak --seconds "$seconds" --conns "$conns" --pool "$pool" \
    --warmup-requests "$pool" || failed=1
  stop_server
  if grep -Ei 'Traceback|panicked' "$work/$label.log" >/dev/null; then
    echo "soak: $label: the server's log holds a traceback or a panic:" >&2
    grep -Ei -A5 'Traceback|panicked' "$work/$label.log" | head -n 40 >&2
    sed -i "s/^\(SOAK_RESULT label=$label .*\)verdict=PASS/\1verdict=FAIL/" "$work/results"
    failed=1
  fi
}

: >"$work/results"
if has_part ips; then
  part_ips ips "$work/bounded.json" "$TABLE_SIZE" "$TABLE_SIZE"
fi
if has_part defaults; then
  part_ips defaults "$work/defaults.json" "$DEFAULT_TABLE_SIZE" "$DEFAULT_TABLE_SIZE"
fi
if has_part control; then
  # Nothing is evicted: the same traffic must grow RSS past the margin. The client judges the
  # growth against TABLE_SIZE's checkpoints (and so fails); the control passes when it does so
  # for that reason only.
  echo
  echo "==> soak: control: the same traffic with nothing evicted (must grow)"
  start_server control env SOAK_CONF="$work/control.json" LISTEN="127.0.0.1:$PORT" \
    "$BIN/soak_server"
  run_client control --mode ips --conns "$CONNS" --requests "$IPS" --rate-table-max "$TABLE_SIZE" \
    --blacklist-max "$TABLE_SIZE" || true
  stop_server
  line=$(grep '^SOAK_RESULT label=control ' "$work/results" || true)
  if [[ "$line" == *" errors=0 5xx=0 unexpected=0 "* ]] &&
    awk -v g="$(sed -n 's/.* growth_pct=\([^ ]*\).*/\1/p' <<<"$line")" -v m="$MARGIN" \
      'BEGIN { exit !(g != "-" && g + 0 > m * 100) }'; then
    sed -i 's/^\(SOAK_RESULT label=control .*\)verdict=FAIL/\1verdict=PASS(grew)/' "$work/results"
  else
    echo "soak: control: RSS did not grow past the margin without eviction: the check cannot fail" >&2
    sed -i 's/^\(SOAK_RESULT label=control .*\)verdict=[A-Z]*/\1verdict=FAIL/' "$work/results"
    failed=1
  fi
fi
if has_part soak; then
  part_soak soak "$SOAK_SECONDS" "$CONNS" "$SOAK_POOL" env SOAK_CONF="$work/soak.json" \
    LISTEN="127.0.0.1:$PORT" "$BIN/soak_server"
fi

if has_part gunicorn || has_part uvicorn; then
  venv="$PYTHON_VENV"
  if [ -z "$venv" ]; then
    python="${PYTHON:-python3.11}"
    venv="$work/venv"
    echo
    echo "==> soak: building a Python environment with ironward ($python; set PYTHON_VENV to reuse one)"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip --disable-pip-version-check -q install \
      -r crates/ironward-python/tests/requirements.txt
    "$venv/bin/python" -m pip --disable-pip-version-check -q install ./crates/ironward-python
  fi
  if ! "$venv/bin/python" -c 'import ironward, flask, fastapi, gunicorn, uvicorn' 2>/dev/null; then
    echo "soak: $venv lacks ironward, Flask, FastAPI, gunicorn or uvicorn" >&2
    exit 1
  fi
  if has_part gunicorn; then
    part_soak gunicorn "$PY_SOAK_SECONDS" "$PY_CONNS" "$PY_POOL" env IRONWARD_SOAK_CONF="$work/soak.json" \
      "$venv/bin/python" -m gunicorn --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
      --worker-class gthread --threads 4 --chdir bench/python soak_wsgi_app:app
  fi
  if has_part uvicorn; then
    part_soak uvicorn "$PY_SOAK_SECONDS" "$PY_CONNS" "$PY_POOL" env IRONWARD_SOAK_CONF="$work/soak.json" \
      "$venv/bin/python" -m uvicorn --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" \
      --app-dir bench/python --no-access-log --log-level warning soak_asgi_app:app
  fi
fi

# --- summary -------------------------------------------------------------------------------
field() { # line key
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1" | head -n 1
}
echo
echo "==> soak: summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
if grep -q ' mode=ips ' "$work/results"; then
  echo
  echo "| run | requests | req/s | errors | 5xx | unexpected | RSS start | RSS 10 k | RSS 100 k | tables full at | RSS | churned at | RSS | RSS end | growth since churn | since full | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  while read -r line; do
    [[ "$line" == *" mode=ips "* ]] || continue
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s %% | %s |\n' \
      "$(field "$line" label)" "$(field "$line" requests)" "$(field "$line" rps)" \
      "$(field "$line" errors)" "$(field "$line" 5xx)" "$(field "$line" unexpected)" \
      "$(field "$line" rss_start_mib)" "$(field "$line" rss_10k_mib)" \
      "$(field "$line" rss_100k_mib)" "$(field "$line" bound_at)" \
      "$(field "$line" rss_bound_mib)" "$(field "$line" settled_at)" \
      "$(field "$line" rss_settled_mib)" "$(field "$line" rss_end_mib)" \
      "$(field "$line" growth_pct)" "$(field "$line" growth_from_bound_pct)" \
      "$(field "$line" verdict)"
  done <"$work/results"
  echo "(RSS in MiB)"
fi
if grep -q ' mode=soak ' "$work/results"; then
  echo
  echo "| server | seconds | requests | req/s | errors | 5xx | unexpected | processes | RSS start | after warm-up | middle | end | peak | growth | fds start / warm / mid / end / after | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  while read -r line; do
    [[ "$line" == *" mode=soak "* ]] || continue
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s / %s / %s / %s / %s | %s |\n' \
      "$(field "$line" label)" "$(field "$line" seconds)" "$(field "$line" requests)" \
      "$(field "$line" rps)" "$(field "$line" errors)" "$(field "$line" 5xx)" \
      "$(field "$line" unexpected)" "$(field "$line" procs)" \
      "$(field "$line" rss_start_mib)" "$(field "$line" rss_warm_mib)" \
      "$(field "$line" rss_mid_mib)" "$(field "$line" rss_end_mib)" \
      "$(field "$line" rss_peak_mib)" "$(field "$line" growth_pct)" \
      "$(field "$line" fds_start)" "$(field "$line" fds_warm)" "$(field "$line" fds_mid)" \
      "$(field "$line" fds_end)" "$(field "$line" fds_after)" "$(field "$line" verdict)"
  done <"$work/results"
  echo "(RSS in MiB, summed over the server's processes)"
fi
if grep -q 'verdict=FAIL' "$work/results"; then failed=1; fi
echo
if [ "$failed" = 0 ]; then
  echo "soak: all parts passed"
else
  echo "soak: FAILED (see above)" >&2
  exit 1
fi
