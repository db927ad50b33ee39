"""AsgiRASP around plain ASGI applications: Starlette's TestClient, raw ASGI calls (to see the
exact messages), and Starlette's ``add_middleware`` idiom."""

import asyncio
import hashlib
import json

import pytest

pytest.importorskip("starlette")

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ironward import AsgiRASP, Engine

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, params, responses_handed

PEER = ("127.0.0.1", 50000)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert scope["type"] == "http"
    path = scope["path"]
    if path == "/echo":
        data, more = b"", True
        while more:
            m = await receive()
            data += m.get("body", b"")
            more = m.get("more_body", False)
        body = json.dumps({"size": len(data), "sha": hashlib.sha256(data).hexdigest()}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    if path == "/parts":  # a buffered body in several messages, with its length
        parts = [b"hello ", f"card {CARD} ".encode(), b"bye"]
        if "leak" not in scope["query_string"].decode():
            parts[1] = b"nothing "
        n = sum(len(p) for p in parts)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"),
                                (b"content-length", str(n).encode())]})
        for i, p in enumerate(parts):
            await send({"type": "http.response.body", "body": p,
                        "more_body": i < len(parts) - 1})
        return
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        chunks = [b"one ", b"two ", f"token {TOKEN} ".encode(), b"four"]
        if "leak" not in scope["query_string"].decode():
            chunks[2] = b"three "
        for c in chunks:
            await send({"type": "http.response.body", "body": c, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    if path == "/missing-page":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"no"})
        return
    if path == "/no-body":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"server", b"uvicorn")]})
    await send({"type": "http.response.body", "body": b"ok"})


def client(**extra):
    rasp = AsgiRASP(app, params=params(**extra))
    return TestClient(rasp, client=PEER), rasp


def test_benign_passes_with_body_intact():
    c, _ = client()
    data = json.dumps({"item": "shoes", "qty": 2}).encode()
    r = c.post("/echo?tag=a&tag=b", content=data, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


def test_big_and_chunked_bodies_intact():
    c, _ = client(MAX_BODY_BYTES=2048, BODY_LIMIT_ACTION="monitor")
    data = b"a=1&" + b"b" * 10000
    r = c.post("/echo", content=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.json()["size"] == len(data)
    r = c.post("/echo", content=(data[i:i + 700] for i in range(0, len(data), 700)))
    assert r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


def test_attacks_blocked():
    c, _ = client()
    assert c.get("/?" + ATTACK_QUERY).status_code == 403
    c, _ = client()
    assert c.post("/echo", json=SSRF_JSON).status_code == 403
    c, _ = client()
    assert c.get("/", headers={"User-Agent": JNDI}).status_code == 403
    c, _ = client()
    r = c.get("/.env")
    assert r.status_code == 403 and r.text == "Blocked" and r.headers["server"] == "Apache"


def test_no_route_table_no_route_check():
    c, _ = client()
    assert c.get("/anything").status_code == 200


def test_buffered_leak_in_several_messages_blocked():
    c, _ = client()
    assert c.get("/parts").text == "hello nothing bye"
    r = c.get("/parts?leak=1")
    assert r.status_code == 403 and CARD not in r.text


def test_streamed_leak_cut():
    c, _ = client()
    assert c.get("/stream").text == "one two three four"
    r = c.get("/stream?leak=1")
    assert r.status_code == 200 and r.text == "one two "


def test_start_without_body_is_flushed():
    c, _ = client()
    assert c.get("/no-body").status_code == 204


def test_server_header_replaced():
    c, _ = client()
    r = c.get("/")
    assert r.headers.get_list("server") == ["Apache"]
    assert c.get("/stream").headers["server"] == "Apache"
    c, _ = client(**{"SECURITY_CHECKS.dlp": 0})
    assert c.get("/").headers.get_list("server") == ["Apache"]


def test_responses_the_engine_cannot_act_on_pass_straight_through():
    # DLP off: a 2xx response to a clean request goes out as the application sends it (no
    # buffering, no native call), with the Server header; an error status still reaches the
    # engine (brute force counts it, per client).
    c, rasp = client(**{"SECURITY_CHECKS.dlp": 0, "ERROR_FLOOD_RATIO": 2})
    handed = responses_handed(rasp)
    for path, body in (("/", "ok"), ("/stream", "one two three four"),
                       ("/parts?leak=1", f"hello card {CARD} bye")):
        r = c.get(path)
        assert (r.status_code, r.text, r.headers["server"]) == (200, body, "Apache"), path
    assert c.get("/no-body").status_code == 204
    assert handed == [], "2xx responses must not be handed to the engine"
    statuses = [c.get("/missing-page").status_code for _ in range(4)]
    assert statuses[0] == 404 and statuses[-1] == 403, statuses
    assert handed and all(str(h).startswith("404") for h in handed), handed


def test_monitor_passes_and_reports(capfd):
    rasp = AsgiRASP(app, template="monitor", params={"VERBOSE": 10})
    r = TestClient(rasp, client=PEER).get("/?" + ATTACK_QUERY)
    assert r.status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_internal_error_fails_open():
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert c.get("/?" + ATTACK_QUERY).status_code == 200


def test_lifespan_passes_through():
    rasp = AsgiRASP(app, params=params())
    with TestClient(rasp, client=PEER) as c:
        assert c.get("/").text == "ok"


def _run(rasp, scope, bodies):
    """One request through the raw ASGI interface: the messages sent, and what the app got."""
    received = [{"type": "http.request", "body": b, "more_body": i < len(bodies) - 1}
                for i, b in enumerate(bodies)] + [{"type": "http.disconnect"}]
    sent = []

    async def receive():
        return received.pop(0)

    async def send(message):
        sent.append(message)

    base = {"type": "http", "method": "POST", "path": "/echo", "raw_path": b"/echo",
            "query_string": b"", "headers": [(b"content-type", b"text/plain")],
            "client": PEER, "asgi": {"version": "3.0"}, "http_version": "1.1"}
    base.update(scope)
    asyncio.run(rasp(base, receive, send))
    return sent


def test_more_body_request_is_replayed_exactly():
    rasp = AsgiRASP(app, params=params(MAX_BODY_BYTES=10, BODY_LIMIT_ACTION="monitor"))
    parts = [b"abcd", b"efgh", b"ijkl", b"mnop"]
    sent = _run(rasp, {}, parts)
    data = b"".join(parts)
    assert json.loads(sent[1]["body"]) == {"size": 16, "sha": hashlib.sha256(data).hexdigest()}


def test_pathsend_extension_hidden_while_inspecting():
    seen = {}

    async def file_app(scope, receive, send):
        seen.update(scope.get("extensions", {}))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x"})

    rasp = AsgiRASP(file_app, params=params())
    _run(rasp, {"extensions": {"http.response.pathsend": {}, "other": {}}}, [b""])
    assert seen == {"other": {}}


def test_starlette_add_middleware_idiom():
    async def home(request):
        return PlainTextResponse("home")

    star = Starlette(routes=[Route("/", home)])
    star.add_middleware(AsgiRASP, params=params())
    c = TestClient(star, client=PEER)
    assert c.get("/").text == "home"
    assert c.get("/?" + ATTACK_QUERY).status_code == 403


def test_application_errors_propagate():
    async def broken(scope, receive, send):
        raise ValueError("the app's own bug")

    rasp = AsgiRASP(broken, params=params())
    with pytest.raises(ValueError, match="own bug"):
        _run(rasp, {}, [b"x"])


def test_disconnect_while_reading_is_replayed():
    got = []

    async def reader(scope, receive, send):
        while True:
            m = await receive()
            got.append(m["type"])
            if m["type"] == "http.disconnect":
                return

    rasp = AsgiRASP(reader, params=params())
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/",
             "query_string": b"", "headers": [], "client": PEER}
    asyncio.run(rasp(scope, receive, send))
    assert got == ["http.disconnect"] and sent == []
