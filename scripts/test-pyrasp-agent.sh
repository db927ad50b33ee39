#!/usr/bin/env bash
# End-to-end test of `ironward server` against two unmodified pyrasp 0.10.2 agents (issue 14):
# they connect with their keys, receive the application's configuration (a check level the server
# set takes effect at connect, and a later change on the next beacon), beacon (telemetry recorded),
# an IP blacklisted by agent A is then blocked by agent B, and agent A's attack event reaches the
# server's event store through the LOG_* keys sent at connect. Run by scripts/test.sh (CI).
#
#   scripts/test-pyrasp-agent.sh
#
# Needs CPython 3.12 (see scripts/pyrasp-agent.sh; PYRASP_VENV reuses an existing venv, e.g.
# PYRASP_VENV=/work/venv-pyrasp). IRONWARD_BIN picks a prebuilt `ironward` binary; otherwise it
# is built (dev profile). Ports: SERVER_PORT (default 18700), agents on the two ports after it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${IRONWARD_BIN:-}" ]]; then
    cargo build -q --locked -p ironward-cli
    IRONWARD_BIN="${CARGO_TARGET_DIR:-target}/debug/ironward"
fi
scripts/pyrasp-agent.sh setup >/dev/null
VENV="${PYRASP_VENV:-target/pyrasp-venv}"

PORT="${SERVER_PORT:-18700}"
PORT_A=$((PORT + 1))
PORT_B=$((PORT + 2))
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ "${KEEP:-}" != 1 ]]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for log in "$WORK"/*.log; do echo "--- $log" >&2; tail -n 30 "$log" >&2; done
    exit 1
}

# status URL [XFF]: the HTTP status of a GET (the IP pyrasp sees is the first X-Forwarded-For).
status() {
    curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: ${2:-192.0.2.1}" "$1"
}

# wait_for SECONDS CMD...: retries CMD every 0.5 s until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

DATA="$WORK/data"
# The application: default template, beacons every second, the path check off (at its default
# level 1, pyrasp blocks requests for routes the application does not have).
KEY_A=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet --template default | tail -n 1)
KEY_B=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet | tail -n 1)
"$IRONWARD_BIN" server config set --data-dir "$DATA" --app fleet BEACON_DELAY=1 'SECURITY_CHECKS.path=0' >/dev/null

"$IRONWARD_BIN" server --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "server did not start"

CLOUD="http://127.0.0.1:$PORT/api/v1/connect"
PYRASP_VENV="$VENV" scripts/pyrasp-agent.sh run "$CLOUD" "$KEY_A" "$PORT_A" >"$WORK/agent-a.log" 2>&1 &
PIDS+=($!)
PYRASP_VENV="$VENV" scripts/pyrasp-agent.sh run "$CLOUD" "$KEY_B" "$PORT_B" >"$WORK/agent-b.log" 2>&1 &
PIDS+=($!)
A="http://127.0.0.1:$PORT_A"
B="http://127.0.0.1:$PORT_B"
up() { [[ "$(status "$1/")" == 200 ]]; }
wait_for 60 up "$A" || fail "agent A did not start"
wait_for 60 up "$B" || fail "agent B did not start"
echo "ok: both pyrasp agents connected and serve"

# 1. The configuration received at connect applies: an unknown route is Flask's 404, not a block.
[[ "$(status "$A/nope" 192.0.2.10)" == 404 ]] || fail "unknown route blocked although the server set SECURITY_CHECKS.path=0"
echo "ok: SECURITY_CHECKS.path=0 from the server took effect at connect"

# 2. Agent A blacklists an attacker; agent B blocks it after the next beacons.
ATTACKER=198.51.100.7
[[ "$(status "$B/" "$ATTACKER")" == 200 ]] || fail "agent B blocks the attacker before any attack"
SQLI="/?id=1%27%20OR%201%3D1%20--%20"
[[ "$(status "$A$SQLI" "$ATTACKER")" == 403 ]] || fail "agent A did not block the SQL injection"
blocked_on_b() { [[ "$(status "$B/" "$ATTACKER")" == 403 ]]; }
wait_for 15 blocked_on_b || fail "the IP blacklisted on agent A is not blocked on agent B"
[[ "$(status "$B/" 192.0.2.20)" == 200 ]] || fail "agent B blocks an innocent IP"
echo "ok: $ATTACKER blacklisted on agent A is blocked on agent B"

# 3. A configuration change reaches the running agents on their next beacon.
"$IRONWARD_BIN" server config set --data-dir "$DATA" --app fleet 'SECURITY_CHECKS.path=1' >/dev/null
path_blocked() { [[ "$(status "$B/nope" "192.0.2.$((RANDOM % 200 + 30))")" == 403 ]]; }
wait_for 15 path_blocked || fail "SECURITY_CHECKS.path=1 did not reach agent B"
echo "ok: SECURITY_CHECKS.path=1 set on the server reached agent B on a beacon"

# 4. The server recorded both agents: version, platform, beacons, telemetry.
"$VENV/bin/python" - "$DATA/ironward.db" <<'PY' || fail "agents not recorded"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT version, platform, last_beacon_at, cpu, requests_success, requests_attacks FROM agents").fetchall()
assert len(rows) == 2, rows
for version, platform, last_beacon, cpu, success, attacks in rows:
    assert version == "0.10.2" and platform == "Flask" and last_beacon and cpu is not None, rows
assert sum(r[4] for r in rows) >= 3 and sum(r[5] for r in rows) >= 1, rows
print("ok: agents recorded:", rows)
PY
# 5. Agent A shipped its SQL injection event to the server's ingest endpoint (the LOG_* keys the
#    server sent at connect: json over http to /api/v1/ingest/<token>).
shipped() {
    "$VENV/bin/python" - "$DATA/ironward.db" "$ATTACKER" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT app_name, check_name, ip, location, payload FROM events WHERE ip = ?", (sys.argv[2],)).fetchall()
assert any(r[0] == "fleet" and r[1] == "sqli" and "OR 1=1" in (r[4] or "") for r in rows), rows
print("ok: event shipped by agent A stored:", rows[0])
PY
}
wait_for 15 shipped || fail "agent A's SQL injection event did not reach the server"
echo "PASS: pyrasp 0.10.2 agents against ironward server"
