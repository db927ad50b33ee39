"""Hot reload of the configuration file (issue 14): an adapter built with ``conf=`` watches the
file every ``CONFIG_RELOAD_INTERVAL`` seconds (``ironward-cloud-client``'s watcher on a Rust
thread) and applies a change like ``set_config``: the blacklist, the metrics, the params and the
server's layer stay; an invalid file is refused once and the running configuration stays.

In process with Flask's test client, then under the real gunicorn with two workers, with and
without ``--preload`` (the workers are forked from an arbiter that built the adapter: each starts
its own watch): every worker applies a change of the file."""

import json
import os
import sys
import tempfile
import time

import pytest
from flask import Flask

from _servers import fetch, free_port, serving
from ironward import FlaskRASP

HERE = os.path.dirname(os.path.abspath(__file__))
XSS = "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"


def write(path, xss, interval=0.1, **extra):
    """Writes the file through a temporary file and a rename, as editors and ConfigMaps do."""
    doc = {"SECURITY_CHECKS": {"xss": xss}, "CONFIG_RELOAD_INTERVAL": interval,
           "TRUSTED_PROXIES": ["127.0.0.1"], **extra}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, path)


def wait_for(what, check, timeout=15):
    deadline = time.time() + timeout
    while not check():
        if time.time() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def conf():
    d = tempfile.mkdtemp(prefix="ironward-watch-")
    path = os.path.join(d, "rasp.json")
    write(path, 2)
    yield path
    for name in os.listdir(d):
        os.unlink(os.path.join(d, name))
    os.rmdir(d)


def test_a_changed_file_is_applied_and_a_bad_one_refused(conf, capfd):
    app = Flask(__name__)
    app.add_url_rule("/", "index", lambda: "home")
    rasp = FlaskRASP(app, conf=conf, params={"VERBOSE": 0, "FLOOD_RATIO": 500})
    client = app.test_client()

    def xss(ip):
        return client.get(XSS, headers={"X-Forwarded-For": ip}).status_code

    try:
        assert rasp.config_watch_status()["running"]
        assert xss("203.0.113.1") == 403  # level 2: 203.0.113.1 is blacklisted
        write(conf, 0)
        wait_for("the change", lambda: rasp.get_config()["SECURITY_CHECKS"]["xss"] == 0)
        assert xss("198.51.100.1") == 200
        assert "203.0.113.1" in rasp.get_blacklist(), "the blacklist carried over"
        assert rasp.get_config()["FLOOD_RATIO"] == 500, "the params stay above the file"
        assert rasp.config_watch_status()["applied"] == 1
        assert "ironward_config_version 2" in rasp.get_metrics(), "the metrics carry over"

        # An invalid file: refused once, the running configuration stays.
        with open(conf, "w") as f:
            f.write('{"SECURITY_CHECKS": {"xss": 7}}')
        wait_for("the refusal", lambda: rasp.config_watch_status()["refused"] == 1)
        time.sleep(0.3)
        st = rasp.config_watch_status()
        assert st["refused"] == 1 and st["refused_config"], st
        assert xss("198.51.100.2") == 200
        assert rasp.get_config()["SECURITY_CHECKS"]["xss"] == 0
        err = capfd.readouterr().err
        assert err.count("refused the changed configuration file") == 1, err

        # Deleted: said once, kept. Back with a valid level: applied.
        os.unlink(conf)
        wait_for("the missing file", lambda: rasp.config_watch_status()["missing"])
        assert xss("198.51.100.3") == 200
        write(conf, 1)
        wait_for("the fix", lambda: rasp.get_config()["SECURITY_CHECKS"]["xss"] == 1)
        assert xss("198.51.100.4") == 403
        assert "198.51.100.4" not in rasp.get_blacklist(), "level 1 blocks without blacklisting"
        assert capfd.readouterr().err.count("is gone") == 1
    finally:
        rasp._watch.stop()


def test_interval_zero_watches_nothing(conf):
    write(conf, 2, interval=0)
    rasp = FlaskRASP(Flask(__name__), conf=conf, params={"VERBOSE": 0})
    assert rasp.config_watch_status() is None
    rasp_no_file = FlaskRASP(Flask(__name__), params={"VERBOSE": 0})
    assert rasp_no_file.config_watch_status() is None


def view(base):
    status, _, body = fetch(base + "/watch")
    assert status == 200, (status, body)
    return json.loads(body)


@pytest.mark.parametrize("preload", [False, True], ids=["workers", "preload"])
def test_every_gunicorn_worker_applies_a_change(conf, preload):
    if sys.platform == "win32":
        pytest.skip("gunicorn needs a Unix system")
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--chdir", HERE, *(["--preload"] if preload else []), "watch_flask:app"]
    os.environ["IRONWARD_TEST_CONF"] = conf
    try:
        with serving("gunicorn", argv, port) as (base, _proc):
            # Both workers answer, each with its own watch.
            pids = set()
            wait_for("two workers", lambda: pids.add(view(base)["pid"]) or len(pids) == 2)
            write(conf, 0)
            seen = {}

            def all_applied():
                v = view(base)
                seen[v["pid"]] = v
                return len(seen) == 2 and all(
                    s["xss"] == 0 and s["watch"]["applied"] == 1 and s["watch"]["running"]
                    for s in seen.values())

            wait_for("the change on every worker", all_applied)
            assert set(seen) == pids
    finally:
        os.environ.pop("IRONWARD_TEST_CONF", None)


def test_an_adapter_that_goes_away_stops_its_watch(conf):
    import gc

    if not os.path.isdir("/proc/self/task"):
        pytest.skip("counts the native threads in /proc")

    def watches():
        # The Rust thread's name, as Linux keeps it (15 bytes).
        n = 0
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/comm") as f:
                    n += f.read().strip() == "ironward-config"
            except OSError:
                pass
        return n

    before = watches()
    rasp = FlaskRASP(Flask(__name__), conf=conf, params={"VERBOSE": 0})
    assert rasp.config_watch_status()["running"]
    wait_for("the thread", lambda: watches() == before + 1, timeout=5)
    del rasp
    gc.collect()
    wait_for("the thread to end", lambda: watches() <= before, timeout=5)


def test_a_file_change_keeps_set_config_and_the_servers_layer(conf):
    rasp = FlaskRASP(Flask(__name__), conf=conf, params={"VERBOSE": 0})
    try:
        # What the management agent does with a configuration from the server (test_cloud.py
        # runs the real one), and an operator's set_config.
        assert rasp._apply_remote(json.dumps({"config": {"SECURITY_CHECKS.sqli": 0}})) is None
        assert rasp.set_config({"FLOOD_RATIO": 77})["success"] == ["FLOOD_RATIO"]
        write(conf, 0)
        wait_for("the change", lambda: rasp.get_config()["SECURITY_CHECKS"]["xss"] == 0)
        config = rasp.get_config()
        assert config["SECURITY_CHECKS"]["sqli"] == 0, "the server's layer stays"
        assert config["FLOOD_RATIO"] == 77, "set_config stays"
        assert rasp.config_watch_status()["applied"] == 1
    finally:
        rasp._watch.stop()
