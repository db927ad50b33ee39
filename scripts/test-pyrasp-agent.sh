#!/usr/bin/env bash
# End-to-end test of `ironward server` against two unmodified pyrasp 0.10.2 agents (issue 14):
# they connect with their keys, receive the application's configuration (a check level the server
# set takes effect at connect, and a later change on the next beacon), beacon (telemetry recorded),
# an IP blacklisted by agent A is then blocked by agent B, and agent A's attack event reaches the
# server's event store through the LOG_* keys sent at connect. Then chaos: the server is
# SIGKILLed while the agents' beacons wait for its answers; they keep serving on their last
# configuration (and blacklist), an IP blacklisted during the outage and a configuration change
# made in the database meanwhile cross once the server is restarted on the same port and data
# dir; of two agents started during the outage, only the one with beacon keys in its local
# configuration joins (pyrasp connects once, in its constructor, and takes BEACON/BEACON_URL
# from that answer).
# Run by scripts/test.sh (CI).
#
#   scripts/test-pyrasp-agent.sh
#
# Needs CPython 3.12 (see scripts/pyrasp-agent.sh; PYRASP_VENV reuses an existing venv, e.g.
# PYRASP_VENV=/work/venv-pyrasp). IRONWARD_BIN picks a prebuilt `ironward` binary; otherwise it
# is built (dev profile). IRONWARD_PYTHON also runs the pyrasp <-> Ironward test (step 7).
# Ports: SERVER_PORT (default 18700), agents on the four ports after it.
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
PORT_C=$((PORT + 3))
PORT_D=$((PORT + 4))
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

# ms: milliseconds since the epoch (for the timings printed).
ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

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
# level 1, pyrasp blocks requests for routes the application does not have), VERBOSE 10 so that
# pyrasp prints its failed beacons ("[PyRASP] Error connecting to cloud server").
KEY_A=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet --template default | tail -n 1)
KEY_B=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet | tail -n 1)
"$IRONWARD_BIN" server config set --data-dir "$DATA" --app fleet BEACON_DELAY=1 'SECURITY_CHECKS.path=0' \
    VERBOSE=10 >/dev/null

# start_server: `ironward server` on $PORT over $DATA (its pid in SERVER_PID).
start_server() {
    "$IRONWARD_BIN" server --data-dir "$DATA" --listen "127.0.0.1:$PORT" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "server did not start"
}
start_server

CLOUD="http://127.0.0.1:$PORT/api/v1/connect"
# agent NAME KEY PORT [PARAMS]: a pyrasp agent in the background, its output in $WORK/agent-NAME.log.
agent() {
    PYTHONUNBUFFERED=1 PYRASP_VENV="$VENV" PYRASP_PARAMS="${4:-}" \
        scripts/pyrasp-agent.sh run "$CLOUD" "$2" "$3" >"$WORK/agent-$1.log" 2>&1 &
    PIDS+=($!)
}
agent a "$KEY_A" "$PORT_A"
agent b "$KEY_B" "$PORT_B"
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

# 6. Chaos. The server is SIGKILLed in the middle of beacons: it is stopped (SIGSTOP) first, the
#    kernel still accepts the agents' next beacons (pyrasp waits up to 5 s for the answer), and
#    once two connections to it are open it is killed. It stays down for at least two failed
#    beacons of each agent.
ip() { echo "203.0.113.$((RANDOM % 250 + 1))"; } # a client address for one check
# in_flight N: at least N established connections to the server's port (/proc/net/tcp, IPv4).
in_flight() {
    (($(awk -v port=":$(printf '%04X' "$PORT")" '$3 ~ port"$" && $4 == "01"' /proc/net/tcp | wc -l) >= $1))
}
kill -STOP "$SERVER_PID"
wait_for 5 in_flight 2 || fail "no beacons in flight to the stopped server"
{
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" || true
} 2>/dev/null
failed_beacons() { (($(grep -c "Error connecting to cloud server" "$WORK/agent-$1.log" || true) >= 2)); }
wait_for 10 failed_beacons a || fail "agent A did not report failed beacons while the server was down"
wait_for 10 failed_beacons b || fail "agent B did not report failed beacons while the server was down"
#    They keep serving on their last configuration (path=1 came on a beacon) and blacklist.
for base in "$A" "$B"; do
    [[ "$(status "$base/" "$(ip)")" == 200 ]] || fail "$base does not serve while the server is down"
    [[ "$(status "$base$SQLI" 192.0.2.240)" == 403 ]] || fail "$base lets an attack through while the server is down"
    [[ "$(status "$base/nope" "$(ip)")" == 403 ]] || fail "$base lost SECURITY_CHECKS.path=1 while the server is down"
done
[[ "$(status "$B/" "$ATTACKER")" == 403 ]] || fail "agent B forgot the fleet's blacklist while the server is down"
#    Agent B blacklists an IP during the outage (pyrasp keeps unsent entries for the next beacon
#    that succeeds), and the configuration changes in the database (the CLI while it is down).
OUTAGE_ATTACKER=198.51.100.77
[[ "$(status "$A/" "$OUTAGE_ATTACKER")" == 200 ]] || fail "agent A blocks the outage attacker before any attack"
[[ "$(status "$B$SQLI" "$OUTAGE_ATTACKER")" == 403 ]] || fail "agent B did not block the SQL injection during the outage"
"$IRONWARD_BIN" server config set --data-dir "$DATA" --app fleet BLOCK_STATUS_CODE=406 >/dev/null
echo "ok: server killed; agents A and B kept serving (200), blocking (403) on their last configuration"
#    Two agents start during the outage: C as A and B (its beacon settings would come from the
#    connect answer), D with BEACON, BEACON_URL, BEACON_DELAY and BLACKLIST_SHARE in its local
#    configuration. pyrasp's connect fails at once (connection refused) and both serve locally.
KEY_C=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet | tail -n 1)
KEY_D=$("$IRONWARD_BIN" server key create --data-dir "$DATA" --app fleet | tail -n 1)
agent c "$KEY_C" "$PORT_C"
agent d "$KEY_D" "$PORT_D" "{\"BEACON\": true, \"BEACON_URL\": \"http://127.0.0.1:$PORT/api/v1/beacon\", \"BEACON_DELAY\": 1, \"BLACKLIST_SHARE\": true, \"VERBOSE\": 10}"
C="http://127.0.0.1:$PORT_C"
D="http://127.0.0.1:$PORT_D"
wait_for 60 up "$C" || fail "agent C did not start while the server was down"
wait_for 60 up "$D" || fail "agent D did not start while the server was down"
for base in "$C" "$D"; do
    # The default template's path check, level 1: not the application's path=1 from the server.
    [[ "$(status "$base/nope" "$(ip)")" == 403 ]] || fail "$base does not run its local configuration"
done
wait_for 10 failed_beacons d || fail "agent D does not beacon during the outage"
echo "ok: agents C and D started while the server was down and serve on their local configuration"

#    The server restarts on the same port and data dir: the change reaches A, B and D on a
#    following beacon, and the IP B blacklisted during the outage reaches A and D.
start_server
RESTARTED=$(ms)
changed() { [[ "$(status "$1/nope" "$(ip)")" == 406 ]]; }
for name in A B D; do
    base_var=$name
    wait_for 15 changed "${!base_var}" || fail "agent $name did not apply BLOCK_STATUS_CODE=406 after the restart"
    echo "ok: agent $name applied the change made while the server was down, $(($(ms) - RESTARTED)) ms after the restart"
done
outage_blocked() { [[ "$(status "$1/" "$OUTAGE_ATTACKER")" == 403 ]]; }
wait_for 15 outage_blocked "$A" || fail "the IP agent B blacklisted during the outage is not blocked on agent A"
echo "ok: $OUTAGE_ATTACKER, blacklisted on agent B during the outage, is blocked on agent A $(($(ms) - RESTARTED)) ms after the restart"
wait_for 15 outage_blocked "$D" || fail "the IP agent B blacklisted during the outage is not blocked on agent D"
[[ "$(status "$D/" "$(ip)")" == 200 ]] || fail "agent D blocks an innocent IP"
#    Agent C never beacons (pyrasp starts its beacon thread only if BEACON is set when the
#    constructor ends, and connects only there): it stays on its local configuration. A, B and D
#    have applied the change; two more beacon periods, then C is checked.
sleep 2
[[ "$(status "$C/nope" "$(ip)")" == 403 ]] || fail "agent C changed configuration although it never connected"
[[ "$(status "$C/" "$OUTAGE_ATTACKER")" == 200 ]] || fail "agent C received the fleet's blacklist although it never connected"
"$VENV/bin/python" - "$DATA/ironward.db" "$KEY_C" "$KEY_D" "$OUTAGE_ATTACKER" <<'PY' || fail "agents C and D not recorded as expected"
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# pyrasp's log thread sent agent B's event of the outage once, to a closed port, and dropped it.
lost = db.execute("SELECT count(*) FROM events WHERE ip = ? AND check_name = 'sqli'", (sys.argv[4],))
assert lost.fetchone() == (0,), "an event sent during the outage was stored"
def row(key):
    return db.execute("SELECT connected_at, last_beacon_at FROM agents WHERE key_hash = ?",
                      (hashlib.sha256(key.encode()).hexdigest(),)).fetchone()
c, d = row(sys.argv[2]), row(sys.argv[3])
assert c == (None, None), c
assert d[0] is None and d[1] is not None, d
print("ok: the server saw agent D's beacons (never a connect), nothing from agent C:", c, d)
PY

# 7. pyrasp and Ironward agents on one application share their blacklists both ways:
#    crates/ironward-python/tests/test_pyrasp_interop.py, which CI runs in scripts/test-python.sh
#    (where the package is built). IRONWARD_PYTHON (a Python with the package installed) runs it
#    here too.
if [[ -n "${IRONWARD_PYTHON:-}" ]]; then
    bin="$(realpath "$IRONWARD_BIN")" venv="$(realpath "$VENV")"
    (cd crates/ironward-python/tests && IRONWARD_BIN="$bin" PYRASP_VENV="$venv" \
        "$IRONWARD_PYTHON" -m pytest -q -p no:cacheprovider -s test_pyrasp_interop.py) ||
        fail "pyrasp and Ironward agents did not share their blacklists"
fi
echo "PASS: pyrasp 0.10.2 agents against ironward server"
