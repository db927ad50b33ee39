"""FastApiRASP on FastAPI apps, through Starlette's TestClient."""

import hashlib
import json

import pytest

pytest.importorskip("fastapi")
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.testclient import TestClient

from ironward import ConfigError, Engine, FastApiRASP

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, TRAVERSAL_FORM, params

PEER = ("127.0.0.1", 50000)


def make_app():
    app = FastAPI()
    app.state.started = False

    @app.on_event("startup")
    async def startup():
        app.state.started = True

    @app.get("/")
    async def index():
        return PlainTextResponse("home")

    @app.get("/search")
    async def search(request: Request):
        qp = request.query_params
        return {"q": qp.getlist("q"), "tag": qp.getlist("tag")}

    @app.post("/json")
    async def json_echo(request: Request):
        return await request.json()

    @app.post("/raw")
    async def raw(request: Request):
        data = await request.body()
        return {"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
                "ctype": request.headers.get("content-type")}

    @app.post("/chunks")
    async def chunks(request: Request):
        n, h = 0, hashlib.sha256()
        async for part in request.stream():
            n += len(part)
            h.update(part)
        return {"size": n, "sha": h.hexdigest()}

    @app.get("/leak")
    async def leak():
        return PlainTextResponse(f"your card: {CARD}")

    @app.get("/stream")
    async def stream():
        async def gen():
            yield "line one\n"
            yield "line two\n"
            yield f"token {TOKEN} end\n"
            yield "line four\n"
        return StreamingResponse(gen(), media_type="text/plain")

    @app.get("/stream-ok")
    async def stream_ok():
        def gen():
            for i in range(5):
                yield f"chunk {i}\n"
        return StreamingResponse(gen(), media_type="text/plain")

    @app.get("/items/{item_id}")
    async def item(item_id: int):
        return {"id": item_id}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        text = await websocket.receive_text()
        await websocket.send_text("echo " + text)
        await websocket.close()

    return app


def client(**extra):
    app = make_app()
    rasp = FastApiRASP(app, params=params(**extra))
    return TestClient(app, client=PEER), rasp


# --- benign requests pass, bodies intact ------------------------------------------------

def test_benign_get_and_hpp_arrays_pass():
    c, _ = client()
    assert c.get("/").text == "home"
    r = c.get("/search?q=running+shoes&tag=a&tag=b")
    assert r.status_code == 200
    assert r.json() == {"q": ["running shoes"], "tag": ["a", "b"]}


def test_benign_json_body_intact():
    c, _ = client()
    doc = {"item": "shoes", "qty": 2, "note": "select a plan from the menu"}
    r = c.post("/json", json=doc)
    assert r.status_code == 200 and r.json() == doc


def test_body_over_the_cap_is_handed_on_whole():
    c, _ = client(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor")
    data = b"x" * 5000 + b"end"
    r = c.post("/raw", content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200
    assert r.json()["size"] == len(data)
    assert r.json()["sha"] == hashlib.sha256(data).hexdigest()


def test_chunked_request_body_replayed_in_order():
    c, _ = client(MAX_BODY_BYTES=100, BODY_LIMIT_ACTION="monitor")

    def parts():
        for i in range(50):
            yield (f"{i:03d}" * 10).encode()

    data = b"".join(parts())
    r = c.post("/chunks", content=parts(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 200
    assert r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


def test_non_json_body_is_not_parsed_as_json():
    c, _ = client()
    data = b'{"callback": "http://169.254.169.254/latest/meta-data/"}'
    # The same bytes: blocked as JSON, but as text/plain they are one opaque value.
    r = c.post("/raw", content=b'{"a": "hello"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 200 and r.json()["size"] == 14
    assert c.post("/json", content=data,
                  headers={"Content-Type": "application/json"}).status_code == 403


def test_lifespan_and_websocket_pass_through():
    app = make_app()
    FastApiRASP(app, params=params())
    with TestClient(app, client=PEER) as c:
        assert app.state.started
        with c.websocket_connect("/ws?q=%3Bcat+%2Fetc%2Fpasswd") as ws:
            ws.send_text("hi")
            assert ws.receive_text() == "echo hi"


# --- attacks are blocked with the configured response ------------------------------------

def test_attacks_blocked():
    c, _ = client()
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 403 and r.text == "Blocked"
    c, _ = client()
    assert c.post("/json", json=SSRF_JSON).status_code == 403
    c, _ = client()
    assert c.post("/raw", data=TRAVERSAL_FORM).status_code == 403
    c, _ = client()
    assert c.get("/", headers={"User-Agent": JNDI}).status_code == 403
    c, _ = client()
    c.cookies.set("session", ";cat /etc/passwd")
    assert c.get("/").status_code == 403
    c, _ = client()
    assert c.get("/.env").status_code == 403


def test_configured_block_response_and_redirect():
    c, _ = client(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope",
                  **{"SECURITY_CHECKS.command": 1})
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 406 and r.text == "Nope"
    assert r.headers["content-type"].startswith("text/html")
    c, _ = client(BLOCK_ACTION="redirect", BLOCK_STATUS_CODE=302,
                  BLOCK_ACTION_CONTENT="https://example.com/blocked",
                  **{"SECURITY_CHECKS.command": 1})
    r = c.get("/search?" + ATTACK_QUERY, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "https://example.com/blocked"


def test_level_2_blacklists_the_client():
    c, rasp = client()
    assert c.get("/search?" + ATTACK_QUERY).status_code == 403
    assert rasp.get_blacklist() == ["127.0.0.1"]
    assert c.get("/").status_code == 403


def test_forwarded_for_only_from_trusted_proxy():
    c, rasp = client()
    c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["127.0.0.1"]
    c, rasp = client(TRUSTED_PROXIES=["127.0.0.1/32"])
    c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["203.0.113.5"]


def test_routes_unknown_path_and_method():
    c, rasp = client()
    assert c.get("/no-such-page").status_code == 404
    assert c.get("/items/3").json() == {"id": 3}
    assert c.delete("/").status_code == 405  # method check off: FastAPI answers itself
    c2, _ = client(**{"SECURITY_CHECKS.method": 1})
    assert c2.delete("/").status_code == 405
    assert rasp.get_routes()["json_echo"] == {"methods": ["POST"], "path": "/json"}


def test_redirect_slashes_is_a_match():
    c, _ = client()
    r = c.get("/search/?q=x", follow_redirects=False)
    assert r.status_code == 307


# --- monitor mode ---------------------------------------------------------------------------

def test_monitor_mode_passes_and_reports(capfd):
    app = make_app()
    FastApiRASP(app, template="monitor", params={"VERBOSE": 10})
    c = TestClient(app, client=PEER)
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 200
    assert "[!] Command Injection: qs_values -> ;cat /etc/passwd" in capfd.readouterr().err
    assert c.get("/").status_code == 200


# --- responses ------------------------------------------------------------------------------

def test_card_number_in_response_blocked():
    c, _ = client()
    r = c.get("/leak")
    assert r.status_code == 403 and CARD not in r.text


def test_streamed_secret_is_cut():
    c, _ = client()
    r = c.get("/stream")
    assert r.status_code == 200
    assert r.text == "line one\nline two\n"


def test_clean_stream_passes_whole():
    c, _ = client()
    assert c.get("/stream-ok").text == "".join(f"chunk {i}\n" for i in range(5))


def test_server_header():
    c, _ = client()
    assert c.get("/").headers["server"] == "Apache"
    assert c.get("/stream-ok").headers["server"] == "Apache"
    assert c.get("/search?" + ATTACK_QUERY).headers["server"] == "Apache"
    c2, _ = client(SERVER_HEADER="Shop", **{"SECURITY_CHECKS.dlp": 0})
    assert c2.get("/").headers["server"] == "Shop"
    c3, _ = client(CHANGE_SERVER=False)
    assert "server" not in c3.get("/").headers


# --- configuration, errors -------------------------------------------------------------------

def test_invalid_config_raises_at_construction():
    with pytest.raises(ConfigError) as info:
        FastApiRASP(make_app(), params={"BLOCK_STATUS_CODE": "x"})
    assert "BLOCK_STATUS_CODE" in str(info.value)


def test_init_app_and_status():
    app = make_app()
    rasp = FastApiRASP(params=params())
    rasp.init_app(app)
    assert rasp.get_status()["platform"] == "FastAPI"
    assert TestClient(app, client=PEER).get("/.env").status_code == 403


def test_native_internal_error_fails_open(capfd):
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert c.get("/search?" + ATTACK_QUERY).status_code == 200
    assert "Ironward internal error (allow)" in capfd.readouterr().err


def test_python_layer_error_fails_open_and_closed(monkeypatch):
    c, rasp = client()

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(rasp, "_route", boom)
    r = c.post("/raw", content=b"abc", headers={"Content-Type": "text/plain"})
    assert r.status_code == 200 and r.json()["size"] == 3  # the body was replayed
    rasp.set_config({"FAIL_OPEN": False})
    assert c.post("/raw", content=b"abc").status_code == 403
