"""The Python package managed by a real ``ironward server`` (issue 14): the adapters' ``key`` /
``cloud_url`` (or ``IRONWARD_CLOUD_URL`` / ``IRONWARD_KEY``) start the Rust agent
(``ironward-cloud-client``) on a background thread.

End to end on loopback: the ``ironward`` binary built by the workspace build (``IRONWARD_BIN``,
else ``$CARGO_TARGET_DIR/debug/ironward`` or ``target/debug/ironward``; without it the suite
skips, and fails in CI), a Flask app under gunicorn and a FastAPI app under uvicorn. They
connect, follow a configuration change on the next beacon (``BEACON_DELAY`` 1), share the
blacklist across both apps, and keep serving on the configuration they have when the server goes
down; an app started while it is down serves on its local configuration without waiting. With
``SHARED_STATE_URL`` too (Redis from scripts/redis.sh), the blacklist entries of the server and
of Redis feed one blacklist, every worker's. In process: the constructor never waits for a
server that does not answer, and ``set_config`` keeps the remote layer.

Both apps run two workers on one key each: every agent sends its own instance id, and
``ironward server`` records per instance what it delivered (configuration version, blacklist
cursor), so a change and a fleet blacklist entry reach every worker."""

import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import pytest

from _servers import fetch, free_port, serving

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SQLI = "/?id=1%27%20OR%201%3D1%20--%20"
_ips = itertools.count(10)


def fresh_ip():
    """A client address no other request of this run used (X-Forwarded-For)."""
    n = next(_ips)
    return f"192.0.2.{n % 250 + 1}" if n < 250 else f"198.51.100.{n % 250 + 1}"


def ironward_bin():
    candidates = [os.environ.get("IRONWARD_BIN")]
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    candidates.append(os.path.join(target, "debug", "ironward"))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the cloud tests: the workspace build makes target/debug/ironward")
    pytest.skip("no ironward binary (cargo build -p ironward-cli, or set IRONWARD_BIN)")


def params(**extra):
    p = {
        "TRUST_PROXY_HEADERS": True,
        "TRUSTED_PROXIES": ["127.0.0.1"],
        "SECURITY_CHECKS.sqli": 2,
        "VERBOSE": 0,
    }
    p.update(extra)
    return p


class CloudServer:
    """A real ``ironward server`` on loopback with one application, ``shop``."""

    def __init__(self, binary, data):
        self.bin, self.data = binary, data
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.connect_url = self.base + "/api/v1/connect"
        self.proc = None

    def cli(self, *args):
        out = subprocess.run([self.bin, "server", *args, "--data-dir", self.data],
                             check=True, capture_output=True, text=True, timeout=60)
        return out.stdout

    def key(self):
        return self.cli("key", "create", "--app", "shop").strip().splitlines()[-1]

    def config_set(self, *pairs):
        self.cli("config", "set", "--app", "shop", *pairs)

    def start(self):
        self.log = open(os.path.join(self.data, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [self.bin, "server", "--data-dir", self.data, "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=0.5):
                return
            assert self.proc.poll() is None, "ironward server exited"
            time.sleep(0.1)
        pytest.fail("ironward server did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def agents(self):
        db = sqlite3.connect(os.path.join(self.data, "ironward.db"))
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM agents")]
        finally:
            db.close()


@pytest.fixture
def cloud():
    binary = ironward_bin()
    data = tempfile.mkdtemp(prefix="ironward-cloud-")
    server = CloudServer(binary, data)
    server.key()  # creates the application
    server.config_set("BEACON_DELAY=1", "BLACKLIST_SHARE=true", "TELEMETRY_DATA=true")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


def argv(kind, port, workers, preload=False):
    if kind == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--workers", str(workers), "--chdir", HERE, *(["--preload"] if preload else []),
                "cloud_flask:app"]
    return [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--app-dir", HERE, "--no-access-log", "cloud_fastapi:app"]


@contextlib.contextmanager
def app_server(kind, url, key, p=None, workers=1, preload=False):
    if sys.platform == "win32":
        pytest.skip("gunicorn and uvicorn's workers need a Unix system")
    if kind == "uvicorn":
        pytest.importorskip("uvicorn")
        pytest.importorskip("fastapi")
    port = free_port()
    saved = {k: os.environ.get(k) for k in ("IRONWARD_TEST_PARAMS", "IRONWARD_CLOUD_URL",
                                            "IRONWARD_KEY")}
    os.environ["IRONWARD_TEST_PARAMS"] = json.dumps(p or params())
    os.environ["IRONWARD_CLOUD_URL"] = url
    os.environ["IRONWARD_KEY"] = key
    try:
        with serving(kind, argv(kind, port, workers, preload), port) as (base, proc):
            yield base
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def get(base, path="/", ip=None):
    return fetch(base + path, headers={"X-Forwarded-For": ip or fresh_ip()})[0]


def cloud_view(base):
    status, _, body = fetch(base + "/cloud", headers={"X-Forwarded-For": fresh_ip()})
    assert status == 200, (status, body)
    return json.loads(body)


def wait_for(what, check, timeout=20):
    deadline = time.time() + timeout
    while True:
        if check():
            return
        if time.time() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def every_worker(base, check, rounds=12):
    """True when ``rounds`` requests in a row (spread over the workers) satisfy ``check``."""
    return all(check(cloud_view(base)) for _ in range(rounds))


def test_apps_connect_follow_the_server_share_the_blacklist_and_survive_its_loss(cloud):
    with app_server("gunicorn", cloud.connect_url, cloud.key(), workers=2) as flask_app, \
            app_server("uvicorn", cloud.connect_url, cloud.key(), workers=2) as fastapi_app:
        apps = (flask_app, fastapi_app)
        # 1. Every worker of both apps connects (the constructor did not wait for it).
        for base in apps:
            wait_for("connected", lambda: every_worker(
                base, lambda v: v["cloud"]["connected"] and v["cloud"]["source"] == "cloud"))
        # 2. A configuration change on the server reaches every worker on its next beacon.
        cloud.config_set("BLACKLIST_STATUS_CODE=418")
        started = time.time()
        for base in apps:
            wait_for("BLACKLIST_STATUS_CODE 418", lambda: every_worker(
                base, lambda v: v["block_status"] == 418))
            assert get(base, SQLI) == 418
        took = time.time() - started
        assert took < 10, took
        # 3. An IP blacklisted by the Flask app is refused by every FastAPI worker.
        attacker = fresh_ip()
        assert get(fastapi_app, "/", attacker) == 200
        assert get(flask_app, SQLI, attacker) == 418
        wait_for("the attacker blocked by the FastAPI app", lambda: all(
            get(fastapi_app, "/", attacker) == 418 for _ in range(8)))
        assert get(fastapi_app, "/") == 200, "an innocent client is served"
        # 4. The server recorded one agent per worker, with beacons and telemetry.
        rows = [r for r in cloud.agents() if r.get("last_beacon_at")]
        platforms = {r["platform"] for r in rows}
        assert {"Flask", "FastAPI"} <= platforms, rows
        assert all(r["cpu"] is not None for r in rows), rows
        assert sum(r["requests_attacks"] or 0 for r in rows) >= 1, rows
        # 5. The server goes down: both apps keep serving, on the configuration they have.
        cloud.stop()
        for base in apps:
            t = time.time()
            assert get(base, "/") == 200
            assert get(base, SQLI) == 418
            assert time.time() - t < 2
            wait_for("disconnected", lambda: every_worker(
                base, lambda v: not v["cloud"]["connected"], rounds=4))
        # 6. An app started while the server is down serves at once, on its local configuration.
        t = time.time()
        with app_server("gunicorn", cloud.connect_url, cloud.key()) as late:
            assert time.time() - t < 20
            assert get(late, "/") == 200
            assert get(late, SQLI) == 403
            view = cloud_view(late)
            assert view["cloud"]["source"] == "local" and view["block_status"] == 403


def test_the_constructor_never_waits_for_a_silent_server():
    flask = pytest.importorskip("flask")
    from ironward import FlaskRASP

    # A server that accepts connections and never answers: pyrasp's constructor waits 5 s.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = "http://127.0.0.1:%d/api/v1/connect" % silent.getsockname()[1]
    try:
        app = flask.Flask("silent")
        app.add_url_rule("/", "index", lambda: "home")
        t = time.perf_counter()
        rasp = FlaskRASP(app, params=params(), cloud_url=url, key="iwk_nobody")
        elapsed = time.perf_counter() - t
        assert elapsed < 1.0, elapsed
        c = app.test_client()
        assert c.get("/").status_code == 200
        assert c.get(SQLI).status_code == 403
        status = rasp.cloud_status()
        assert status["running"] and not status["connected"] and status["source"] == "local"
        assert rasp.get_status()["config"] == "Local"
        rasp.stop_cloud()
        assert not rasp.cloud_status()["running"]
    finally:
        silent.close()


def test_a_url_without_a_key_warns_and_runs_locally(monkeypatch):
    flask = pytest.importorskip("flask")
    from ironward import FlaskRASP

    monkeypatch.delenv("IRONWARD_KEY", raising=False)
    monkeypatch.delenv("PYRASP_KEY", raising=False)
    with pytest.warns(RuntimeWarning, match="without a key"):
        rasp = FlaskRASP(flask.Flask("x"), params=params(), cloud_url="http://127.0.0.1:9/c")
    assert rasp.cloud_status() is None


def test_remote_configuration_in_process_is_a_hot_reload_kept_by_set_config(cloud):
    flask = pytest.importorskip("flask")
    from ironward import FlaskRASP

    cloud.config_set("BLACKLIST_STATUS_CODE=418")
    app = flask.Flask("inproc")
    app.add_url_rule("/", "index", lambda: "home")
    rasp = FlaskRASP(app, params=params(), cloud_url=cloud.connect_url, key=cloud.key())
    try:
        wait_for("connected", lambda: rasp.cloud_status()["connected"])
        wait_for("applied", lambda: rasp.get_config()["BLACKLIST_STATUS_CODE"] == 418)
        assert rasp.get_status()["config"] == "Cloud"
        c = app.test_client()
        assert c.get(SQLI, headers={"X-Forwarded-For": fresh_ip()}).status_code == 418
        # An operator's set_config is a layer above the remote one: both stay.
        before = rasp.engine
        assert rasp.set_config({"BLACKLIST_ACTION_CONTENT": "nope"})["success"] == [
            "BLACKLIST_ACTION_CONTENT"]
        assert rasp.engine is not before
        r = c.get(SQLI, headers={"X-Forwarded-For": fresh_ip()})
        assert (r.status_code, r.data) == (418, b"nope")
        # A later change merges over the earlier ones (pyrasp's beacon rule).
        cloud.config_set("BEACON_DELAY=2")
        wait_for("BEACON_DELAY 2", lambda: rasp.get_config()["BEACON_DELAY"] == 2)
        assert rasp.get_config()["BLACKLIST_STATUS_CODE"] == 418
    finally:
        rasp.stop_cloud()


def test_blacklist_share_and_redis_feed_one_blacklist(cloud):
    url = os.environ.get("IRONWARD_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test: scripts/test-python.sh starts Redis")
        pytest.skip("IRONWARD_TEST_REDIS_URL is not set (eval \"$(bash scripts/redis.sh start)\")")
    shared = params(SHARED_STATE_URL=url, SHARED_STATE_PREFIX=f"ironward-cloud:{os.getpid()}",
                    SHARED_STATE_TIMEOUT_MS=100)
    # gunicorn: 3 workers on Redis, one key; uvicorn: 1 worker, no Redis, another key.
    with app_server("gunicorn", cloud.connect_url, cloud.key(), shared, workers=3) as flask_app, \
            app_server("uvicorn", cloud.connect_url, cloud.key()) as fastapi_app:
        for base in (flask_app, fastapi_app):
            wait_for("connected", lambda: every_worker(base, lambda v: v["cloud"]["connected"]))
        # From the server: blacklisted by the FastAPI app, received by whichever gunicorn worker
        # beacons first, written to Redis: refused by every gunicorn worker.
        from_server = fresh_ip()
        assert get(fastapi_app, SQLI, from_server) == 403
        wait_for("the server's entry on every gunicorn worker", lambda: all(
            get(flask_app, "/", from_server) == 403 for _ in range(12)))
        # From Redis: blacklisted by one gunicorn worker, refused by all at once (pub/sub), and
        # shared with the server, so the FastAPI app refuses it too.
        from_redis = fresh_ip()
        assert get(flask_app, SQLI, from_redis) == 403
        time.sleep(0.1)
        assert all(get(flask_app, "/", from_redis) == 403 for _ in range(12))
        wait_for("the Redis entry on the FastAPI app", lambda: get(
            fastapi_app, "/", from_redis) == 403)
        # Both coexist: the first is still refused everywhere, an innocent client is served.
        assert get(flask_app, "/", from_server) == 403
        assert get(fastapi_app, "/", from_server) == 403
        assert get(flask_app, "/") == 200 and get(fastapi_app, "/") == 200


def test_gunicorn_preload_the_worker_runs_the_agent_not_the_arbiter(cloud):
    # The app is built in the arbiter, which forks the worker: the worker starts its own agent,
    # the arbiter stops its one (else it would take the changes the server delivers per key).
    with app_server("gunicorn", cloud.connect_url, cloud.key(), preload=True) as base:
        wait_for("connected", lambda: cloud_view(base)["cloud"]["connected"])
        for code in (418, 419, 420):
            cloud.config_set(f"BLACKLIST_STATUS_CODE={code}")
            wait_for(f"BLACKLIST_STATUS_CODE {code}", lambda: cloud_view(base)[
                "block_status"] == code, timeout=10)
