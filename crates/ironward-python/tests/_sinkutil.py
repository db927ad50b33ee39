"""Helpers of the sink suites (test_sinks_*.py): a small SQLite database, a local HTTP server,
and a probe telling whether a sink's detector is wired into the engine yet."""

from __future__ import annotations

import http.server
import json
import os
import sqlite3
import threading
from typing import Iterator, Tuple

import pytest

from ironward import Engine, SinkContext

from conftest import params

SQLI = "' OR 1=1 --"
SQLI_2 = "x' UNION SELECT name, secret FROM users --"


def make_db(directory: str) -> str:
    """A database with two users; returns its path."""
    path = os.path.join(directory, "app.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT, secret TEXT)")
    conn.executemany("INSERT INTO users VALUES (?, ?)", [("alice", "s-alice"), ("bob", "s-bob")])
    conn.commit()
    conn.close()
    return path


def lookup_concat(db: str, name: str) -> list:
    """The injectable query: the name pasted into the SQL text."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name, secret FROM users WHERE name = '" + name + "'").fetchall()
    finally:
        conn.close()


def lookup_param(db: str, name: str) -> list:
    """The same query, parameterised."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name, secret FROM users WHERE name = ?", (name,)).fetchall()
    finally:
        conn.close()


_PROBES = {
    "sql": ("check_sql", ("SELECT 1 FROM t WHERE a = '' OR 1=1 --'", "sqlite"), SQLI),
    "path": ("check_path", ("/srv/f/../../etc/passwd",), "../../etc/passwd"),
    "shell": ("check_command", ("ping -c1 127.0.0.1; id",), "127.0.0.1; id"),
    "ssrf": ("check_url", ("http://127.0.0.1:8080/x", ["127.0.0.1"]), "http://127.0.0.1:8080/x"),
    "nosql": ("check_nosql", ('{"user": {"$ne": ""}}',), '{"$ne": ""}'),
}

_wired: dict = {}


def wired(sink: str) -> bool:
    """True when the engine's detector for ``sink`` fires on a textbook injection (the shell,
    SSRF and NoSQL detectors are wired into ``check_sink`` separately from this suite)."""
    if sink not in _wired:
        e = Engine(params=json.dumps(params(**{"SINK_CHECKS": {sink: 1}})))
        method, args, value = _PROBES[sink]
        ctx = SinkContext.from_values([value])
        if sink == "nosql":
            ctx = SinkContext.from_values(["x"], objects_json='[{"user": {"$ne": ""}}]')
        _wired[sink] = bool(getattr(e, method)(ctx, *args).flagged)
    return _wired[sink]


def xfail_unless_wired(sink: str) -> None:
    if not wired(sink):
        pytest.xfail(f"the {sink} sink detector is not wired into Engine.check_sink yet")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"internal secret" if self.path.startswith("/secret") else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def local_server() -> Iterator[Tuple[str, int]]:
    """A real HTTP server on 127.0.0.1, in a thread: ``(host, port)``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
