"""Prometheus metrics: ``get_metrics()`` and the ``METRICS_PATH`` route of the WSGI, Flask,
ASGI and FastAPI adapters, parsed with the official parser (prometheus_client), through the
frameworks' test clients and a real uvicorn on loopback."""

import os
import sys
import urllib.request

import pytest
from flask import Flask

from ironward import FlaskRASP, WsgiRASP

from _promutil import CONTENT_TYPE, parse, value
from conftest import ATTACK_QUERY, params

HERE = os.path.dirname(os.path.abspath(__file__))


def flask_app(**extra):
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "home"

    @app.route("/search")
    def search():
        return "results"

    rasp = FlaskRASP(app, params=params(**extra))
    return app, rasp


def test_get_metrics_is_valid_prometheus_text():
    app, rasp = flask_app()
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/search?" + ATTACK_QUERY).status_code == 403
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_requests_total") == 2
    assert value(samples, "ironward_blocked_total") == 1
    assert value(samples, "ironward_attacks_total") == 1
    assert value(samples, "ironward_verdicts_total", check="command",
                 action="block_and_blacklist") == 1
    assert value(samples, "ironward_responses_total", code="2xx") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    assert value(samples, "ironward_inspection_duration_seconds_count", phase="request") == 2
    assert value(samples, "ironward_inspection_duration_seconds_bucket", phase="request",
                 le="+Inf") == 2
    assert value(samples, "ironward_events_dropped_total", reason="queue_full") == 0
    assert value(samples, "ironward_config_version") == 1
    # The main counters as a dict too.
    snap = rasp.engine.metrics_snapshot()
    assert (snap["requests"], snap["blocked"], snap["attacks"]) == (2, 1, 1)


def test_counters_survive_set_config():
    app, rasp = flask_app()
    client = app.test_client()
    client.get("/")
    assert rasp.set_config({"BLOCK_STATUS_CODE": 406})["success"] == ["BLOCK_STATUS_CODE"]
    client.get("/")
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_requests_total") == 2
    # One more configuration applied.
    assert value(samples, "ironward_config_version") == 2


def test_flask_route_for_the_loopback_only():
    app, _ = flask_app(METRICS_PATH="/metrics")
    client = app.test_client()  # REMOTE_ADDR 127.0.0.1
    client.get("/")
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == CONTENT_TYPE
    samples = parse(r.get_data(as_text=True))
    # The scrape is neither inspected nor counted.
    assert value(samples, "ironward_requests_total") == 1
    assert value(samples, "ironward_responses_total", code="2xx") == 1
    # Another client: an ordinary request, which Flask answers 404.
    r = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert r.status_code == 404
    assert b"ironward_" not in r.get_data()
    # METRICS_ALLOW admits it.
    app, _ = flask_app(METRICS_PATH="/metrics", METRICS_ALLOW=["203.0.113.0/24"])
    r = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert r.status_code == 200


def test_no_route_by_default():
    app, _ = flask_app()
    assert app.test_client().get("/metrics").status_code == 404


def test_invalid_metrics_path_is_refused():
    from ironward import ConfigError

    with pytest.raises(ConfigError) as e:
        flask_app(METRICS_PATH="metrics")
    assert "METRICS_PATH" in str(e.value)


def test_wsgi_route():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"home"]

    rasp = WsgiRASP(app, params=params(METRICS_PATH="/metrics"))

    def call(path, method="GET", addr="127.0.0.1"):
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, dict(headers)

        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "test", "SERVER_PORT": "80", "REMOTE_ADDR": addr,
            "wsgi.input": None, "wsgi.url_scheme": "http",
        }
        body = b"".join(rasp(environ, start_response))
        return seen["status"], seen["headers"], body

    assert call("/")[0] == "200 OK"
    status, headers, body = call("/metrics")
    assert status == "200 OK"
    assert headers["Content-Type"] == CONTENT_TYPE
    assert int(headers["Content-Length"]) == len(body)
    assert value(parse(body.decode()), "ironward_requests_total") == 1
    assert value(parse(body.decode()), "ironward_responses_total", code="2xx") == 1
    status, headers, body = call("/metrics", method="HEAD")
    assert (status, body) == ("200 OK", b"")
    # Not the loopback: the app answers.
    assert call("/metrics", addr="198.51.100.4")[2] == b"home"


def test_fastapi_route_through_the_test_client():
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse
    from starlette.testclient import TestClient

    from ironward import FastApiRASP

    app = FastAPI()

    @app.get("/")
    async def index():
        return PlainTextResponse("home")

    FastApiRASP(app, params=params(METRICS_PATH="/metrics"))
    client = TestClient(app, client=("127.0.0.1", 50000))
    assert client.get("/").status_code == 200
    assert client.get("/?" + ATTACK_QUERY).status_code == 403
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"] == CONTENT_TYPE
    samples = parse(r.text)
    assert value(samples, "ironward_requests_total") == 2
    assert value(samples, "ironward_blocked_total") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    # Starlette's default test client address is not an IP: an ordinary request.
    assert TestClient(app).get("/metrics").status_code == 404


def test_uvicorn_serves_the_route_on_loopback():
    pytest.importorskip("uvicorn")
    from _servers import free_port, serving

    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--app-dir", HERE, "--no-access-log", "metrics_app:app"]
    with serving("uvicorn", argv, port) as (base, _proc):
        urllib.request.urlopen(base + "/search?q=shoes", timeout=5).read()
        with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == CONTENT_TYPE
            samples = parse(r.read().decode())
    # The readiness probe's GET / and the search.
    assert value(samples, "ironward_requests_total") >= 2
    assert value(samples, "ironward_inspection_duration_seconds_count", phase="request") >= 2
    assert value(samples, "ironward_responses_total", code="2xx") >= 2
