#!/usr/bin/env bash
# Requests/s of a Flask app under gunicorn with 4 sync workers, protected by Ironward, with the
# flood and brute-force state in-process and on Redis (SHARED_STATE_URL, issue 15), on loopback.
#
#   PYTHON=/path/to/venv/bin/python bash scripts/bench-shared-state.sh
#   DURATION=10 ROUNDS=3 CONCURRENCY=16 WORKERS=4 ...
#
# The python must have ironward (pip install ./crates/ironward-python) and gunicorn. Redis is
# scripts/redis.sh's (started here when IRONWARD_TEST_REDIS_URL is not set, stopped at the end).
# The app is crates/ironward-python/tests/shared_state_flask.py; every request is counted by the
# flood check (FLOOD_RATIO out of reach, clients spread over 256 X-Forwarded-For addresses).
# The two setups alternate ROUNDS times (the machine is usually shared); the client is Python
# threads opening a connection per request, so the figures are the whole loop's, not the
# server's alone: compare the two columns, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
started=""
if [ -z "${IRONWARD_TEST_REDIS_URL:-}" ]; then
  eval "$(bash scripts/redis.sh start)"
  started=1
fi
trap '[ -n "$started" ] && bash scripts/redis.sh stop || true' EXIT

DURATION="${DURATION:-10}" ROUNDS="${ROUNDS:-3}" CONCURRENCY="${CONCURRENCY:-16}" \
WORKERS="${WORKERS:-4}" "$PYTHON" - <<'PY'
import http.client, json, os, signal, socket, statistics, subprocess, sys, threading, time

here = os.path.join(os.getcwd(), "crates/ironward-python/tests")
duration, rounds = float(os.environ["DURATION"]), int(os.environ["ROUNDS"])
conc, workers = int(os.environ["CONCURRENCY"]), int(os.environ["WORKERS"])
url = os.environ["IRONWARD_TEST_REDIS_URL"]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def run(shared):
    params = {"FLOOD_RATIO": 10**9, "TRUST_PROXY_HEADERS": True, "TRUSTED_PROXIES": ["127.0.0.1"],
              "SECURITY_CHECKS.flood": 1, "SHARED_STATE_PREFIX": f"ironward-bench:{os.getpid()}"}
    if shared:
        params["SHARED_STATE_URL"] = url
    port = free_port()
    env = dict(os.environ, IRONWARD_TEST_PARAMS=json.dumps(params))
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--chdir", here, "shared_state_flask:app"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def get(path, ip="192.0.2.1"):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", path, headers={"X-Forwarded-For": ip})
        r = c.getresponse(); body = r.read(); c.close()
        return r.status, body
    try:
        deadline = time.time() + 30
        want = b"shared" if shared else b"local"
        while True:
            try:
                # Every worker (pid) answering with the expected state.
                seen = {}
                for _ in range(8 * workers):
                    pid, state = get("/state")[1].split()
                    seen[pid] = state
                if len(seen) == workers and set(seen.values()) == {want}:
                    break
            except (OSError, ValueError):
                pass
            if time.time() > deadline:
                raise SystemExit("the server did not start (or did not reach Redis)")
            time.sleep(0.1)
        counts, errors, stop = [0] * conc, [0], time.time() + duration
        def load(t):
            n = 0
            while time.time() < stop:
                try:
                    status, _ = get("/", f"198.51.{t}.{n % 256}")
                    counts[t] += status == 200
                    errors[0] += status != 200
                except OSError:
                    errors[0] += 1
                n += 1
        threads = [threading.Thread(target=load, args=(t,)) for t in range(conc)]
        start = time.time()
        for t in threads: t.start()
        for t in threads: t.join()
        return sum(counts) / (time.time() - start), errors[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)

res = {False: [], True: []}
for r in range(rounds):
    for shared in (False, True):
        rps, errs = run(shared)
        res[shared].append(rps)
        print(f"round {r + 1}: {'redis     ' if shared else 'in-process'} {rps:8.0f} requests/s"
              f" ({errs} non-200)", flush=True)
a, b = statistics.median(res[False]), statistics.median(res[True])
print(f"median: in-process {a:.0f} requests/s, redis {b:.0f} requests/s ({(b - a) / a * 100:+.1f}%)")
PY
