"""GcpRASP under functions-framework itself: the app is built by
``functions_framework.create_app(target=..., source=fixtures/gcp/gcp_functions.py)``, as the
framework builds a deployed function, and driven through that Flask app's test client."""

import hashlib
import json
import os
import sys

import pytest

functions_framework = pytest.importorskip("functions_framework")

from ironward import ConfigError, Engine, GcpRASP  # noqa: E402

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TRAVERSAL_FORM, params  # noqa: E402

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "gcp",
                      "gcp_functions.py")
MODULE = "gcp_functions"  # functions-framework names the module after the file


def make_app(monkeypatch, target="handler", template="default", **extra):
    """The functions-framework app for ``target``, with its fresh ``GcpRASP`` configured from
    ``params(**extra)`` (``template`` "monitor" takes the params as given)."""
    p = params(**extra) if template == "default" else extra
    monkeypatch.setenv("IRONWARD_TEST_GCP", json.dumps({"template": template, "params": p}))
    app = functions_framework.create_app(target=target, source=SOURCE)
    return app, sys.modules[MODULE].rasp


@pytest.fixture
def gcp(monkeypatch):
    """``gcp(**params)`` -> (test client, rasp)."""
    def build(target="handler", template="default", **extra):
        app, rasp = make_app(monkeypatch, target, template, **extra)
        return app.test_client(), rasp
    return build


# --- benign requests: bodies intact, every return type --------------------------------------

def test_benign_get_and_post_pass_with_bodies_intact(gcp):
    c, rasp = gcp()
    r = c.get("/")
    assert r.status_code == 200 and r.data == b"ok"
    data = json.dumps({"item": "shoes", "qty": 2}).encode()
    r = c.post("/echo?tag=a&tag=b", data=data, content_type="application/json")
    assert r.status_code == 200
    assert r.get_json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
                            "tag": ["a", "b"]}
    r = c.post("/form", data={"user": "demo", "tag": ["a", "b"]})
    assert r.get_json() == {"user": ["demo"], "tag": ["a", "b"]}
    r = c.post("/json", json={"item": "shoes"})
    assert r.get_json() == {"item": "shoes"}
    r = c.put("/created")
    assert r.status_code == 201 and r.data == b"made" and r.headers["X-Id"] == "7"
    assert rasp.get_blacklist() == []


def test_binary_and_big_bodies_handed_on_whole(gcp):
    c, _ = gcp(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor")
    for data in (b"x" * 5000, bytes(range(256)) * 40):
        r = c.post("/echo", data=data, content_type="application/octet-stream")
        assert r.get_json()["sha"] == hashlib.sha256(data).hexdigest()


def test_function_without_the_http_decorator(gcp):
    c, _ = gcp(target="bare")
    r = c.get("/anything")
    assert r.status_code == 200 and r.data == b"bare ok" and r.headers["Server"] == "Apache"
    assert c.get("/?" + ATTACK_QUERY).status_code == 403


# --- attacks ------------------------------------------------------------------------------

def test_attacks_blocked_with_the_default_response(gcp):
    c, rasp = gcp()
    r = c.get("/?" + ATTACK_QUERY)
    assert r.status_code == 403 and r.data == b"Blocked" and r.headers["Server"] == "Apache"
    assert rasp.get_blacklist() == ["127.0.0.1"]
    assert c.get("/").status_code == 403  # blacklisted now


@pytest.mark.parametrize("send", [
    pytest.param(lambda c: c.get("/?id=1%27%20OR%201%3D1--"), id="sqli-query"),
    pytest.param(lambda c: c.get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"), id="xss-query"),
    pytest.param(lambda c: c.post("/form", data={"name": "<script>alert(1)</script>"}),
                 id="xss-form"),
    pytest.param(lambda c: c.post("/json", json={"id": "1' OR '1'='1"}), id="sqli-json"),
    pytest.param(lambda c: c.post("/json", json=SSRF_JSON), id="ssrf-json"),
    pytest.param(lambda c: c.post("/form", data=TRAVERSAL_FORM), id="traversal-form"),
    pytest.param(lambda c: c.get("/", headers={"User-Agent": JNDI}), id="jndi-header"),
    pytest.param(lambda c: c.get("/", headers={"Referer": "<script>alert(1)</script>"}),
                 id="xss-header"),
    pytest.param(lambda c: c.get("/.env"), id="decoy-path"),
])
def test_attacks_blocked_with_the_configured_response(gcp, send):
    # Level-1 hits answer with BLOCK_*, level-2 hits (the default) with BLACKLIST_*.
    c, _ = gcp(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope",
               BLACKLIST_STATUS_CODE=406, BLACKLIST_ACTION_CONTENT="Nope")
    r = send(c)
    assert r.status_code == 406 and r.data == b"Nope" and r.headers["Server"] == "Apache"


def test_no_route_check_for_a_function(gcp):
    c, _ = gcp(**{"SECURITY_CHECKS.method": 1})
    assert c.get("/any/path").status_code == 200
    assert c.delete("/").status_code == 200


def test_monitor_passes_and_reports(gcp, capfd):
    c, rasp = gcp(template="monitor", VERBOSE=10)
    r = c.get("/?" + ATTACK_QUERY)
    assert r.status_code == 200 and r.data == b"ok"
    assert "[!] Command Injection" in capfd.readouterr().err
    assert c.get("/").status_code == 200  # not blacklisted


# --- responses ----------------------------------------------------------------------------

def test_leaks_blocked_and_streams_cut(gcp):
    c, _ = gcp()
    for path in ("/leak", "/leak-bytes"):
        r = c.get(path)
        assert r.status_code == 403 and CARD.encode() not in r.data
        assert r.headers["Server"] == "Apache"
    r = c.get("/stream")
    assert r.status_code == 200 and r.data == b"line one\n"


def test_server_header_rewritten(gcp):
    c, _ = gcp()
    assert c.get("/").headers["Server"] == "Apache"
    assert c.get("/server").headers.getlist("Server") == ["Apache"]
    c, _ = gcp(SERVER_HEADER="Front")
    assert c.get("/").headers["Server"] == "Front"


# --- the client IP: X-Forwarded-For only from TRUSTED_PROXIES ------------------------------

def test_forwarded_for_ignored_from_an_untrusted_peer(gcp):
    c, rasp = gcp()
    c.get("/?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["127.0.0.1"]


def test_forwarded_for_believed_from_a_trusted_proxy(gcp):
    c, rasp = gcp(TRUSTED_PROXIES=["10.0.0.0/8"])
    front = {"REMOTE_ADDR": "10.1.2.3"}
    c.get("/?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"},
          environ_base=front)
    assert rasp.get_blacklist() == ["203.0.113.5"]
    assert c.get("/", environ_base=front).status_code == 200  # the proxy is not blacklisted
    # A peer outside the trusted ranges is itself the client, whatever it forwards.
    c.get("/?" + ATTACK_QUERY, headers={"X-Forwarded-For": "198.51.100.7"},
          environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert sorted(rasp.get_blacklist()) == ["192.0.2.9", "203.0.113.5"]


# --- the adapter itself -------------------------------------------------------------------

def test_internal_error_fails_open(gcp):
    c, rasp = gcp()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert c.get("/?" + ATTACK_QUERY).status_code == 200


def test_invalid_config_raises(monkeypatch):
    with pytest.raises(ConfigError):
        make_app(monkeypatch, DLP_CC_NUMBERS="yes please")


def test_status_platform():
    assert GcpRASP(params=params()).get_status()["platform"] == "Google Cloud Function"
