"""GcpRASP on async functions under functions-framework's ``aio`` app (Starlette): the app is
built by ``functions_framework.aio.create_asgi_app(target=..., source=fixtures/gcp/
gcp_async_functions.py)`` and driven through Starlette's TestClient."""

import hashlib
import json
import os

import pytest

pytest.importorskip("starlette")
ff_aio = pytest.importorskip("functions_framework.aio")

from starlette.testclient import TestClient  # noqa: E402

from conftest import ATTACK_QUERY, CARD, params  # noqa: E402

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "gcp",
                      "gcp_async_functions.py")


@pytest.fixture
def aio(monkeypatch):
    """``aio(template=..., **params)`` -> a test client of a fresh async function app."""
    def build(template="default", **extra):
        p = params(**extra) if template == "default" else extra
        monkeypatch.setenv("IRONWARD_TEST_GCP", json.dumps({"template": template, "params": p}))
        app = ff_aio.create_asgi_app(target="async_handler", source=SOURCE)
        return TestClient(app, client=("127.0.0.1", 50000))
    return build


def test_benign_requests_pass_with_the_body_replayed(aio):
    c = aio()
    assert c.get("/").text == "ok"
    body = os.urandom(3000) + b"plain tail"
    r = c.post("/echo?tag=a&tag=b", content=body)
    assert r.status_code == 200
    assert r.json() == {"size": len(body), "sha": hashlib.sha256(body).hexdigest(),
                        "tag": ["a", "b"]}


def test_a_body_over_the_cap_is_handed_on_whole(aio):
    c = aio(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor")
    body = b"x" * 50_000
    r = c.post("/echo", content=body)
    assert r.json()["size"] == len(body)


def test_attacks_are_blocked_before_the_function_runs(aio):
    c = aio()
    assert c.get("/echo?" + ATTACK_QUERY).status_code == 403
    r = c.post("/echo", json={"q": "' OR 1=1 --"})
    assert r.status_code == 403


def test_monitor_passes_and_reports(aio, capfd):
    c = aio(template="monitor", VERBOSE=10)
    assert c.get("/echo?" + ATTACK_QUERY).status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_leaks_are_blocked_and_streams_cut(aio):
    c = aio()
    r = c.get("/leak")
    assert r.status_code == 403 and CARD not in r.text
    r = c.get("/stream")
    assert r.status_code == 200 and r.text == "line one\n"


def test_server_header_rewritten(aio):
    c = aio()
    assert c.get("/").headers["server"] == "Apache"
    assert c.get("/server").headers.get_list("server") == ["Apache"]
