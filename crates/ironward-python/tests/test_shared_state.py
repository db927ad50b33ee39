"""Shared state on Redis (issue 15), end to end: a Flask app under gunicorn and a FastAPI app
under uvicorn, each with 4 worker processes, protected by Ironward with ``SHARED_STATE_URL``
(shared_state_flask.py, shared_state_fastapi.py). The Redis server is the Debian package's,
started by scripts/redis.sh (``IRONWARD_TEST_REDIS_URL``); the outage test starts its own from
``IRONWARD_TEST_REDIS_SERVER`` so that it can kill it. Without them the suite skips (CI fails).

Clients are told apart by ``X-Forwarded-For`` (127.0.0.1 is a trusted proxy here), so each test
has clients of its own."""

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from _servers import fetch, free_port, serving

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = 4


def redis_url():
    url = os.environ.get("IRONWARD_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the shared-state tests: scripts/test-python.sh starts Redis")
        pytest.skip("IRONWARD_TEST_REDIS_URL is not set (eval \"$(bash scripts/redis.sh start)\")")
    return url


def params(url, **extra):
    p = {
        "SHARED_STATE_URL": url,
        "SHARED_STATE_PREFIX": f"ironward-pytest:{uuid.uuid4().hex}",
        # Generous for a loaded 2-core CI machine; the benchmarks measure the real cost.
        "SHARED_STATE_TIMEOUT_MS": 100,
        "TRUST_PROXY_HEADERS": True,
        "TRUSTED_PROXIES": ["127.0.0.1"],
        "SECURITY_CHECKS.flood": 1,
        "FLOOD_RATIO": 50,
        "FLOOD_DELAY": 60,
    }
    p.update(extra)
    return p


def argv(kind, port):
    if kind == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--workers", str(WORKERS), "--chdir", HERE, "shared_state_flask:app"]
    return [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--app-dir", HERE, "--no-access-log",
            "shared_state_fastapi:app"]


@contextlib.contextmanager
def app_server(kind, p):
    if kind == "gunicorn" and sys.platform == "win32":
        pytest.skip("gunicorn needs a Unix system")
    if kind == "uvicorn":
        pytest.importorskip("uvicorn")
        pytest.importorskip("fastapi")
    port = free_port()
    os.environ["IRONWARD_TEST_PARAMS"] = json.dumps(p)
    try:
        with serving(kind, argv(kind, port), port) as (base, proc):
            wait_shared(base)
            yield base
    finally:
        os.environ.pop("IRONWARD_TEST_PARAMS", None)


_PROBES = itertools.count()


def state(base):
    """``[pid, state]`` of the worker that answers, asked from a client of its own (a probe must
    never be flood-limited)."""
    n = next(_PROBES)
    status, _, body = get(base, "/state", f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
    assert status == 200, (status, body)
    return body.split()


def wait_shared(base, timeout=20):
    """Waits until every one of the ``WORKERS`` workers says it uses Redis (a worker still
    connecting counts locally meanwhile: exact sharing starts once all are connected)."""
    deadline, shared = time.time() + timeout, set()
    with ThreadPoolExecutor(2 * WORKERS) as pool:
        while len(shared) < WORKERS:
            assert time.time() < deadline, f"only {len(shared)} workers reached Redis"
            for r in pool.map(lambda _: state(base), range(4 * WORKERS)):
                if r[1] == b"shared":
                    shared.add(r[0])
                else:
                    shared.discard(r[0])


def states(base):
    """The workers' state (``shared``, ``fallback``) as some requests find it."""
    return {state(base)[1] for _ in range(2 * WORKERS)}


def get(base, path, ip):
    return fetch(base + path, headers={"X-Forwarded-For": ip})


def many(base, path, ip, n, threads=8):
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda _: get(base, path, ip), range(n)))


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server(request):
    with app_server(request.param, params(redis_url())) as base:
        yield request.param, base


def test_200_requests_with_flood_ratio_50_let_50_through_whichever_workers_serve_them(server):
    kind, base = server
    results = many(base, "/pid", "203.0.113.1", 200)
    statuses = [r[0] for r in results]
    assert set(statuses) <= {200, 403}, statuses
    passed = statuses.count(200)
    assert abs(passed - 50) <= 2, (kind, passed, states(base))
    pids = {r[2] for r in results if r[0] == 200}
    if kind == "gunicorn":
        # Sync workers serve one request at a time: concurrent requests spread over them.
        assert len(pids) >= 2, pids
    # Another client has its own count.
    assert get(base, "/", "203.0.113.9")[0] == 200


def test_a_blacklisted_client_is_refused_by_every_worker_within_100_ms(server):
    _, base = server
    ip = "203.0.113.2"
    assert get(base, "/pid", ip)[0] == 200
    # A decoy route (level 2) blacklists the client in whichever worker serves it...
    assert get(base, "/admin", ip)[0] == 403
    time.sleep(0.1)
    # ...and 100 ms later every worker refuses it.
    results = many(base, "/pid", ip, 40)
    assert [r[0] for r in results] == [403] * 40
    assert all(r[2] == b"Blocked" for r in results)
    # While the other workers still serve other clients.
    assert {r[0] for r in many(base, "/pid", "203.0.113.3", 16)} == {200}


@contextlib.contextmanager
def redis_server(port):
    binary = os.environ.get("IRONWARD_TEST_REDIS_SERVER") or shutil.which("redis-server")
    if not binary:
        pytest.skip("no redis-server (IRONWARD_TEST_REDIS_SERVER)")
    tmp = tempfile.mkdtemp(prefix="ironward-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.time() < deadline, "redis-server did not start"
                time.sleep(0.02)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_redis_killed_mid_load_costs_no_client_error_and_state_resumes(kind):
    redis_url()
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    p = params(url, FLOOD_RATIO=1_000_000, SHARED_STATE_TIMEOUT_MS=50,
               SHARED_STATE_RETRY_MAX_MS=200)
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(redis_server(port))
        base = stack.enter_context(app_server(kind, p))
        errors, done = [], threading.Event()

        def load(tag):
            n = 0
            while not done.is_set() or n < 50:
                n += 1
                try:
                    status = get(base, "/pid", f"198.51.100.{tag}")[0]
                    if status != 200:
                        errors.append(status)
                except Exception as e:  # a reset connection, a timeout: a client-visible error
                    errors.append(repr(e))

        threads = [threading.Thread(target=load, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        redis.kill()
        redis.wait()
        time.sleep(0.5)
        seen = states(base)
        done.set()
        for t in threads:
            t.join()
        assert errors == []
        assert b"fallback" in seen, seen
        # Redis back on the same port: the workers reconnect and share again.
        stack.enter_context(redis_server(port))
        wait_shared(base)
