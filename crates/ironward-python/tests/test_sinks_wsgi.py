"""Sink checks under a plain WSGI application (``WsgiRASP``), through Werkzeug's test client:
a blocked injection, an application that catches the exception after ``start_response``, and
response inspection beside the sinks."""

from __future__ import annotations

from urllib.parse import parse_qs

from werkzeug.test import Client

from ironward import WsgiRASP

from _sinkutil import SQLI, lookup_concat, lookup_param, make_db
from conftest import params


def make_app(db: str):
    def app(environ, start_response):
        qs = parse_qs(environ.get("QUERY_STRING", ""))
        name = qs.get("name", [""])[0]
        route = environ["PATH_INFO"]
        if route == "/caught":
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                lookup_concat(db, name)
            except PermissionError:
                return [b"swallowed"]
            return [b"ran"]
        rows = lookup_param(db, name) if route == "/param" else lookup_concat(db, name)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [repr(rows).encode()]

    return app


def test_wsgi_sinks(tmp_path):
    db = make_db(str(tmp_path))
    for extra in ({}, {"SECURITY_CHECKS.dlp": 0}):  # with and without response inspection
        rasp = WsgiRASP(make_app(db), template="sink",
                        params=params(SINK_CHECKS={"sql": 1}, **extra))
        c = Client(rasp)
        r = c.get("/user", query_string={"name": "alice"})
        assert r.status_code == 200 and b"s-alice" in r.data
        r = c.get("/user", query_string={"name": SQLI})
        assert r.status_code == 403 and r.data == b"Blocked"
        assert c.get("/param", query_string={"name": SQLI}).status_code == 200
        r = c.get("/caught", query_string={"name": SQLI})
        assert r.status_code == 403 and r.data == b"Blocked", extra
