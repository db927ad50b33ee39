"""GcpRASP around functions-framework-style HTTP functions: the function gets Flask's request,
served here by a Flask app routed the way functions-framework routes (every path to the
function), through Flask's test client."""

import hashlib
import json

import pytest
from flask import Flask, Response, request

from ironward import ConfigError, Engine, GcpRASP

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, params

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def function(req):
    """A Cloud Function: what it returns depends on the path."""
    path = req.path
    if path == "/echo":
        data = req.get_data()
        return {"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
                "tag": req.args.getlist("tag")}
    if path == "/leak":
        return f"your card: {CARD}", 200, {"Content-Type": "text/plain"}
    if path == "/stream":
        def gen():
            yield "line one\n"
            yield f"token {TOKEN} end\n"
            yield "line three\n"
        return Response(gen(), mimetype="text/plain")
    return "ok"


def serve(rasp):
    """A Flask app dispatching every path to the protected function, as functions-framework
    does."""
    app = Flask(__name__)
    wrapped = rasp.register(function)
    view = lambda path="": wrapped(request._get_current_object())  # noqa: E731
    app.add_url_rule("/", "run", view, methods=METHODS)
    app.add_url_rule("/<path:path>", "run_path", view, methods=METHODS)
    return app.test_client()


def client(**extra):
    rasp = GcpRASP(params=params(**extra))
    return serve(rasp), rasp


def test_benign_passes_with_body_intact():
    c, _ = client()
    data = json.dumps({"item": "shoes", "qty": 2}).encode()
    r = c.post("/echo?tag=a&tag=b", data=data, content_type="application/json")
    assert r.status_code == 200
    assert r.get_json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
                            "tag": ["a", "b"]}


def test_big_body_handed_on_whole():
    c, _ = client(MAX_BODY_BYTES=1024)
    data = b"x" * 5000
    r = c.post("/echo", data=data, content_type="application/octet-stream")
    assert r.get_json()["sha"] == hashlib.sha256(data).hexdigest()


def test_attacks_blocked():
    c, rasp = client()
    r = c.get("/?" + ATTACK_QUERY)
    assert r.status_code == 403 and r.data == b"Blocked" and r.headers["Server"] == "Apache"
    assert rasp.get_blacklist() == ["127.0.0.1"]
    c, _ = client()
    assert c.post("/echo", json=SSRF_JSON).status_code == 403
    c, _ = client()
    assert c.get("/", headers={"User-Agent": JNDI}).status_code == 403
    c, _ = client()
    assert c.get("/.env").status_code == 403


def test_no_route_check_for_a_function():
    c, _ = client(**{"SECURITY_CHECKS.method": 1})
    assert c.get("/any/path").status_code == 200
    assert c.delete("/").status_code == 200


def test_monitor_passes_and_reports(capfd):
    c = serve(GcpRASP(template="monitor", params={"VERBOSE": 10}))
    assert c.get("/?" + ATTACK_QUERY).status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_leaks_blocked_and_cut():
    c, _ = client()
    r = c.get("/leak")
    assert r.status_code == 403 and CARD.encode() not in r.data
    r = c.get("/stream")
    assert r.status_code == 200 and r.data == b"line one\n"


def test_server_header():
    c, _ = client()
    assert c.get("/").headers["Server"] == "Apache"
    assert c.get("/echo").headers["Server"] == "Apache"


def test_invalid_config_raises():
    with pytest.raises(ConfigError):
        GcpRASP(params={"DLP_CC_NUMBERS": "yes please"})


def test_internal_error_fails_open():
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert c.get("/?" + ATTACK_QUERY).status_code == 200


def test_status_platform():
    assert GcpRASP(params=params()).get_status()["platform"] == "Google Cloud Function"
