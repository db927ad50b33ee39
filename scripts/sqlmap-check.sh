#!/usr/bin/env bash
# A real injection tool against the deliberately vulnerable Flask app (issue 13, "Done when"):
# sqlmap (pinned in scripts/requirements-sqlmap.txt) attacks its SQL endpoints, served by
# gunicorn on loopback with the SQLite backend, twice:
#   unprotected            -> sqlmap must report every parameter injectable;
#   protected (IRONWARD=1) -> sqlmap must find nothing.
# The protected app runs the `sink` template with every request-side check that could fire on
# sqlmap's payloads at 3 (report only) and flood off, and the SQL sink at 1 (block, no
# blacklisting): whatever sqlmap sees blocked was blocked at the sink, request by request.
#
# Usage: bash scripts/sqlmap-check.sh
#   PYTHON_VENV=<venv>  use a virtual environment that has ironward (and the test requirements);
#                       sqlmap is added to it. Without it, a temporary one is built (ironward
#                       from source, as scripts/test-python.sh does).
#   DB=postgres|mysql   another backend (with IRONWARD_PG_DSN / IRONWARD_MYSQL_DSN set).
#   APP=fastapi         the FastAPI twin under uvicorn instead of the Flask app under gunicorn.
#   SQLMAP_TIMEOUT      seconds per sqlmap run (180).
# Exit status 0 when both halves hold; it prints one line per endpoint and mode.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3.11}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ironward-sqlmap.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${PYTHON_VENV:-}" ]; then
  venv="$PYTHON_VENV"
else
  venv="$work/venv"
  "$python" -m venv "$venv"
  echo "==> sqlmap-check: building ironward and the test requirements into a fresh venv"
  "$venv/bin/python" -m pip --disable-pip-version-check -q install \
    -r crates/ironward-python/tests/requirements.txt ./crates/ironward-python
fi
"$venv/bin/python" -m pip --disable-pip-version-check -q install -r scripts/requirements-sqlmap.txt

timeout_s="${SQLMAP_TIMEOUT:-180}"
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The protected app's parameters (see the header).
protect_params='{"VERBOSE": 0, "SINK_CHECKS": {"sql": 1, "shell": 1, "path": 1, "ssrf": 1},
 "SECURITY_CHECKS": {"flood": 0, "xss": 3, "hpp": 3, "decoy": 3, "brute": 3, "path": 3}}'
# Endpoint and a benign value: a string literal, a number, an ORDER BY clause, a login form.
targets=(
  "/sql/search?q=apple"
  "/sql/item?id=1"
  "/sql/sorted?order=id"
  "/sql/login?user=alice&password=secret"
)

start_server() { # $1: 0 or 1 (IRONWARD)
  rm -f "$work/shop.db"
  (
    cd examples/vulnerable
    export DB="${DB:-sqlite}" SQLITE_PATH="$work/shop.db" VULN_BASE="$work/files" \
      IRONWARD="$1" IRONWARD_PARAMS="$protect_params"
    if [ "${APP:-flask}" = "fastapi" ]; then
      exec "$venv/bin/uvicorn" --factory fastapi_app:create_app --host 127.0.0.1 \
        --port "$port" --log-level warning
    else
      exec "$venv/bin/gunicorn" --preload -w 2 --threads 2 -b "127.0.0.1:$port" \
        --log-level warning 'flask_app:create_app()'
    fi
  ) >"$work/server-$1.log" 2>&1 &
  server_pid=$!
  local i
  # Up to 60 s: on MariaDB, the time-based payloads of the previous run may still sleep in the
  # server and hold the tables the app's seeding drops.
  for i in $(seq 1 300); do
    if "$venv/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/sql/item?id=1', timeout=1)" 2>/dev/null; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$work/server-$1.log" >&2
  echo "sqlmap-check: the app did not start" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

failures=0
run_mode() { # $1: 0 (unprotected, sqlmap must find the injection) or 1 (protected, nothing)
  local mode target log verdict t0 took
  mode=$([ "$1" = 1 ] && echo protected || echo unprotected)
  start_server "$1"
  for target in "${targets[@]}"; do
    log="$work/sqlmap-$mode-$(echo "$target" | tr -c 'a-zA-Z0-9' '_').log"
    t0=$SECONDS
    set +e
    timeout "$timeout_s" "$venv/bin/sqlmap" -u "http://127.0.0.1:$port$target" --batch \
      --level 2 --risk 1 --technique=BEUST --flush-session --output-dir="$work/out" \
      --disable-coloring >"$log" 2>&1
    local rc=$?
    set -e
    took=$((SECONDS - t0))
    if grep -qE "parameter '[^']+' is vulnerable|sqlmap identified the following injection point" "$log"; then
      verdict="injectable"
    elif grep -qE "do(es)? not (seem|appear) to be injectable" "$log"; then
      verdict="not injectable"
    elif [ "$rc" = 124 ]; then
      verdict="timed out"
    else
      verdict="unclear (exit $rc)"
    fi
    local want
    want=$([ "$1" = 1 ] && echo "not injectable" || echo "injectable")
    if [ "$verdict" = "$want" ]; then
      printf 'sqlmap-check: %-12s %-40s %-15s %3d s  ok\n' "$mode" "$target" "$verdict" "$took"
    else
      printf 'sqlmap-check: %-12s %-40s %-15s %3d s  FAILED (want %s)\n' "$mode" "$target" \
        "$verdict" "$took" "$want"
      grep -E "\[(INFO|WARNING|CRITICAL|ERROR)\]|Type:|Title:|Payload:" "$log" | tail -n 25 || true
      failures=$((failures + 1))
    fi
  done
  stop_server
}

echo "==> sqlmap-check: $("$venv/bin/sqlmap" --version 2>/dev/null | tail -n 1) against examples/vulnerable/${APP:-flask}_app.py (DB=${DB:-sqlite}) on 127.0.0.1:$port"
run_mode 0
run_mode 1
if [ "$failures" != 0 ]; then
  echo "sqlmap-check: $failures failed" >&2
  exit 1
fi
echo "sqlmap-check: unprotected all injectable, protected none"
