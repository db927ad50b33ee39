"""Sink checks under Flask, through Flask's test client: SQL (sqlite3), shell (subprocess),
files (open, pathlib, os, shutil), SSRF (urllib, requests), the events, monitor mode, and
two concurrent requests in threads."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import threading
import urllib.request

import pytest
from flask import Flask, jsonify, request

from ironward import Blocked, FlaskRASP

from _sinkutil import (  # noqa: F401  (local_server is a fixture)
    SQLI,
    SQLI_2,
    local_server,
    lookup_concat,
    lookup_param,
    make_db,
    xfail_unless_wired,
)
from conftest import params


def make_app(db: str, files: str) -> Flask:
    app = Flask(__name__)

    @app.route("/user")
    def user():
        return jsonify(lookup_concat(db, request.args.get("name", "")))

    @app.route("/user-param")
    def user_param():
        return jsonify(lookup_param(db, request.args.get("name", "")))

    @app.route("/user-caught")
    def user_caught():
        # The view swallows the exception and answers anyway: Ironward still blocks.
        try:
            rows = lookup_concat(db, request.args.get("name", ""))
        except Exception as e:  # noqa: BLE001
            return jsonify(error=str(e))
        return jsonify(rows)

    @app.route("/ping")
    def ping():
        out = subprocess.run("echo " + request.args.get("host", ""), shell=True,
                             capture_output=True, text=True)
        return out.stdout

    @app.route("/list")
    def list_dir():
        out = subprocess.run(["ls", request.args.get("name", ".")], capture_output=True,
                             text=True, cwd=files)
        return out.stdout

    @app.route("/read")
    def read():
        with open(os.path.join(files, request.args.get("name", ""))) as f:
            return f.read()

    @app.route("/read-pathlib")
    def read_pathlib():
        return (pathlib.Path(files) / request.args.get("name", "")).read_text()

    @app.route("/copy")
    def copy():
        shutil.copy(os.path.join(files, request.args.get("name", "")),
                    os.path.join(files, "copy.txt"))
        return "copied"

    @app.route("/fetch")
    def fetch():
        return urllib.request.urlopen(request.args["url"], timeout=5).read()

    @app.route("/fetch-requests")
    def fetch_requests():
        import requests

        return requests.get(request.args["url"], timeout=5).content

    @app.route("/login", methods=["POST"])
    def login():
        # MongoDB, no server needed: find() builds a lazy cursor, checked before any I/O.
        import pymongo

        client = pymongo.MongoClient("mongodb://127.0.0.1:9/", connect=False,
                                     serverSelectionTimeoutMS=50)
        body = request.get_json()
        client["app"]["users"].find({"user": body["user"], "password": body["password"]})
        return "queried"

    @app.route("/health")
    def health():
        # An internal call the application makes itself (the host is not from the request).
        port = request.args.get("port", "")
        return urllib.request.urlopen(f"http://localhost:{port}/ok", timeout=5).read()

    return app


@pytest.fixture
def env(tmp_path):
    db = make_db(str(tmp_path))
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.txt").write_text("file a")
    (tmp_path / "secret.txt").write_text("top secret")
    return str(db), str(files)


def protected(env, template="sink", **extra):
    db, files = env
    app = make_app(db, files)
    rasp = FlaskRASP(app, template=template, params=params(**extra))
    return app, rasp


# ---------------------------------------------------------------------------------------
# SQL


def test_sql_exploit_blocked_at_the_sink_and_client_blacklisted(env):
    app, rasp = protected(env)
    c = app.test_client()
    assert c.get("/user", query_string={"name": "alice"}).json == [["alice", "s-alice"]]
    r = c.get("/user", query_string={"name": SQLI})
    assert r.status_code == 403 and r.data == b"Blocked"
    # Level 2 (the sink template): the client is blacklisted.
    assert "127.0.0.1" in rasp.get_blacklist()
    assert c.get("/user", query_string={"name": "alice"}).status_code == 403


def test_the_same_payload_passes_request_side_and_succeeds_without_ironward(env):
    db, files = env
    # No Ironward: the injection dumps every row.
    bare = make_app(db, files).test_client()
    assert len(bare.get("/user", query_string={"name": SQLI}).json) == 2
    # Ironward with the request-side checks only (sink template, sinks off): monitored, passes.
    off = {"sql": 0, "shell": 0, "path": 0, "ssrf": 0, "nosql": 0}
    app, rasp = protected(env, SINK_CHECKS=off)
    r = app.test_client().get("/user", query_string={"name": SQLI})
    assert r.status_code == 200 and len(r.json) == 2


def test_parameterized_query_with_the_payload_passes(env):
    app, _ = protected(env)
    c = app.test_client()
    for name in (SQLI, SQLI_2, "O'Brien"):
        r = c.get("/user-param", query_string={"name": name})
        assert r.status_code == 200 and r.json == []


def test_a_view_that_swallows_blocked_still_gets_the_block_response(env):
    app, _ = protected(env, SINK_CHECKS={"sql": 1})
    r = app.test_client().get("/user-caught", query_string={"name": SQLI_2})
    assert r.status_code == 403 and r.data == b"Blocked"


def test_monitor_level_reports_only(env):
    app, rasp = protected(env, template="monitor")
    r = app.test_client().get("/user", query_string={"name": SQLI})
    assert r.status_code == 200 and len(r.json) == 2
    assert rasp.get_blacklist() == []


def test_sink_events_reach_the_log_transport(env, tmp_path):
    log = tmp_path / "events.log"
    app, rasp = protected(env, SINK_CHECKS={"sql": 1}, LOG_ENABLED=True, LOG_PROTOCOL="file",
                          LOG_PATH=str(log), LOG_FORMAT="json")
    assert app.test_client().get("/user", query_string={"name": SQLI}).status_code == 403
    assert rasp.engine.flush(5.0)
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    details = [e["log_data"][3] for e in events]  # pyrasp's JSON document
    sink = [d for d in details if d.get("sink")]
    assert len(sink) == 1, events
    assert sink[0]["engine"] == "sink" and sink[0]["action"] == 1
    detail = sink[0]["sink"]
    assert detail["sink"] == "sql" and detail["reason"] == "quote"
    assert SQLI in detail["operation"]
    assert detail["request_check"] == "sqli"
    assert detail["caller"].startswith(os.path.join(os.path.dirname(__file__), "_sinkutil.py"))
    assert sink[0]["path"] == "/user"


def test_blocked_is_raised_at_the_sink(env):
    db, files = env
    app = Flask(__name__)
    seen = {}

    @app.route("/")
    def view():
        try:
            lookup_concat(db, request.args["name"])
        except Blocked as e:
            seen["e"] = e
            raise
        return "ran"

    FlaskRASP(app, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    assert app.test_client().get("/", query_string={"name": SQLI}).status_code == 403
    e = seen["e"]
    assert isinstance(e, PermissionError) and e.sink == "sql" and e.reason == "quote"
    assert e.verdict.blocked and e.verdict.findings[0]["sink"]["operation"].startswith("SELECT")


# ---------------------------------------------------------------------------------------
# Shell


def test_shell_true_command_injection(env):
    app, _ = protected(env, SINK_CHECKS={"shell": 1})
    c = app.test_client()
    assert c.get("/ping", query_string={"host": "127.0.0.1"}).data == b"127.0.0.1\n"
    r = c.get("/ping", query_string={"host": "127.0.0.1; echo pwned"})
    xfail_unless_wired("shell")
    assert r.status_code == 403


def test_argument_list_option_injection(env):
    app, _ = protected(env, SINK_CHECKS={"shell": 1})
    c = app.test_client()
    assert c.get("/list", query_string={"name": "a.txt"}).data == b"a.txt\n"
    r = c.get("/list", query_string={"name": "--all"})
    xfail_unless_wired("shell")
    assert r.status_code == 403


# ---------------------------------------------------------------------------------------
# Files


@pytest.mark.parametrize("route", ["/read", "/read-pathlib", "/copy"])
def test_path_traversal_blocked(env, route):
    app, _ = protected(env, SINK_CHECKS={"path": 1})
    c = app.test_client()
    assert c.get(route, query_string={"name": "a.txt"}).status_code == 200
    r = c.get(route, query_string={"name": "../secret.txt"})
    assert r.status_code == 403 and b"top secret" not in r.data
    r = c.get(route, query_string={"name": "/etc/hostname"})
    assert r.status_code == 403


# ---------------------------------------------------------------------------------------
# SSRF


@pytest.mark.parametrize("route", ["/fetch", "/fetch-requests"])
def test_ssrf_to_a_local_server_from_a_user_url(env, local_server, route):
    pytest.importorskip("requests")
    host, port = local_server
    app, _ = protected(env, SINK_CHECKS={"ssrf": 1})
    c = app.test_client()
    # An internal call whose host the request did not choose: allowed.
    assert c.get("/health", query_string={"port": str(port)}).data == b"ok"
    r = c.get(route, query_string={"url": f"http://{host}:{port}/secret"})
    xfail_unless_wired("ssrf")
    assert r.status_code == 403 and b"internal secret" not in r.data


# ---------------------------------------------------------------------------------------
# NoSQL


def test_nosql_operator_injection(env):
    pytest.importorskip("pymongo")
    app, _ = protected(env, SINK_CHECKS={"nosql": 1})
    c = app.test_client()
    r = c.post("/login", json={"user": "alice", "password": "secret"})
    assert r.status_code == 200 and r.data == b"queried"
    r = c.post("/login", json={"user": "admin", "password": {"$ne": ""}})
    xfail_unless_wired("nosql")
    assert r.status_code == 403


# ---------------------------------------------------------------------------------------
# Threads: two requests at once, each checked against its own inputs.


def test_two_concurrent_requests_in_threads_see_their_own_context(env):
    db, files = env
    app = Flask(__name__)
    barrier = threading.Barrier(2, timeout=10)

    @app.route("/own")
    def own():
        barrier.wait()  # both requests are inside their views now
        # The application's own text holds the other request's payload: not an input here.
        conn_rows = lookup_concat(db, "' OR 1=1 --")
        return jsonify(n=len(conn_rows))

    @app.route("/attack")
    def attack():
        barrier.wait()
        return jsonify(lookup_concat(db, request.args["name"]))

    FlaskRASP(app, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    results = {}

    def run(key, path, qs):
        results[key] = app.test_client().get(path, query_string=qs)

    threads = [
        threading.Thread(target=run, args=("own", "/own", {"q": "hello"})),
        threading.Thread(target=run, args=("attack", "/attack", {"name": SQLI})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results["own"].status_code == 200 and results["own"].json == {"n": 2}
    assert results["attack"].status_code == 403


def test_outside_a_request_nothing_is_checked(env):
    db, _ = env
    protected(env, SINK_CHECKS={"sql": 1})
    # Start-up code, a background thread: no request context, the query runs.
    assert len(lookup_concat(db, SQLI)) == 2
