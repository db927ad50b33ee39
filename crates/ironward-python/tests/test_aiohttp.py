"""AiohttpRASP through aiohttp's test utilities (pytest-aiohttp's ``aiohttp_client``, a real
server on loopback)."""

import hashlib
import json

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("pytest_aiohttp")
from aiohttp import FormData, web

from ironward import AiohttpRASP, ConfigError, Engine

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, TRAVERSAL_FORM, params


def make_app():
    app = web.Application()
    routes = web.RouteTableDef()

    @routes.get("/", name="index")
    async def index(request):
        return web.Response(text="home")

    @routes.get("/search")
    async def search(request):
        return web.json_response({"q": request.query.getall("q", []),
                                  "tag": request.query.getall("tag", [])})

    @routes.post("/json", name="json_echo")
    async def json_echo(request):
        return web.json_response(await request.json())

    @routes.post("/form")
    async def form(request):
        data = await request.post()
        return web.json_response({k: data.getall(k) for k in data.keys()})

    @routes.post("/upload")
    async def upload(request):
        reader = await request.multipart()
        out = {}
        async for part in reader:
            data = await part.read()
            out[part.name] = {"filename": part.filename, "size": len(data),
                              "sha": hashlib.sha256(data).hexdigest()}
        return web.json_response(out)

    @routes.post("/raw")
    async def raw(request):
        data = await request.content.read()
        return web.json_response({"size": len(data), "sha": hashlib.sha256(data).hexdigest()})

    @routes.get("/leak")
    async def leak(request):
        return web.Response(text=f"your card: {CARD}")

    @routes.get("/stream")
    async def stream(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        chunks = ["line one\n", "line two\n", f"token {TOKEN} end\n", "line four\n"]
        if request.query.get("clean"):
            chunks[2] = "line three\n"
        for c in chunks:
            await resp.write(c.encode())
        await resp.write_eof()
        return resp

    @routes.get("/missing")
    async def missing(request):
        raise web.HTTPNotFound(text="gone")

    app.add_routes(routes)
    return app


@pytest.fixture
def make_client(aiohttp_client):
    async def make(**extra):
        app = make_app()
        rasp = AiohttpRASP(app, params=params(**extra))
        return await aiohttp_client(app), rasp
    return make


async def test_benign_requests_pass_with_bodies_intact(make_client):
    c, _ = await make_client()
    r = await c.get("/")
    assert r.status == 200 and await r.text() == "home"
    r = await c.get("/search?q=running+shoes&tag=a&tag=b")
    assert await r.json() == {"q": ["running shoes"], "tag": ["a", "b"]}
    doc = {"item": "shoes", "qty": 2, "note": "select a plan from the menu"}
    r = await c.post("/json", json=doc)
    assert r.status == 200 and await r.json() == doc
    r = await c.post("/form", data={"user": "demo", "note": "hi"})
    assert await r.json() == {"user": ["demo"], "note": ["hi"]}


async def test_multipart_upload_intact(make_client):
    c, _ = await make_client()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    form = FormData()
    form.add_field("file", png, filename="photo.png", content_type="image/png")
    r = await c.post("/upload", data=form)
    assert r.status == 200
    assert (await r.json())["file"] == {"filename": "photo.png", "size": len(png),
                                        "sha": hashlib.sha256(png).hexdigest()}


async def test_big_and_chunked_bodies_intact(make_client):
    c, _ = await make_client(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor")
    data = b"x" * 5000 + b"end"
    r = await c.post("/raw", data=data, headers={"Content-Type": "application/octet-stream"})
    assert await r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}

    async def gen():
        for i in range(0, len(data), 700):
            yield data[i:i + 700]

    r = await c.post("/raw", data=gen(), headers={"Content-Type": "application/octet-stream"})
    assert await r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


async def test_non_json_body_is_not_parsed_as_json(make_client):
    c, _ = await make_client()
    r = await c.post("/raw", data=b'{"a": "hello"}', headers={"Content-Type": "text/plain"})
    assert r.status == 200 and (await r.json())["size"] == 14


async def test_attacks_blocked(make_client):
    c, _ = await make_client()
    r = await c.get("/search?" + ATTACK_QUERY)
    assert r.status == 403 and await r.text() == "Blocked"
    c, _ = await make_client()
    assert (await c.post("/json", json=SSRF_JSON)).status == 403
    c, _ = await make_client()
    assert (await c.post("/form", data=TRAVERSAL_FORM)).status == 403
    c, _ = await make_client()
    assert (await c.get("/", headers={"User-Agent": JNDI})).status == 403
    c, _ = await make_client()
    assert (await c.get("/", headers={"Cookie": "session=;cat /etc/passwd"})).status == 403
    c, _ = await make_client()
    assert (await c.get("/.env")).status == 403


async def test_configured_block_response(make_client):
    c, _ = await make_client(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope",
                             **{"SECURITY_CHECKS.command": 1})
    r = await c.get("/search?" + ATTACK_QUERY)
    assert r.status == 406 and await r.text() == "Nope"


async def test_blacklist_and_trusted_proxies(make_client):
    c, rasp = await make_client()
    await c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["127.0.0.1"]
    assert (await c.get("/")).status == 403
    c, rasp = await make_client(TRUSTED_PROXIES=["127.0.0.1/32"])
    await c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["203.0.113.5"]


async def test_routes_unknown_path_and_method(make_client):
    c, rasp = await make_client()
    assert (await c.get("/no-such-page")).status == 404
    assert (await c.delete("/")).status == 405
    c2, _ = await make_client(**{"SECURITY_CHECKS.method": 1})
    assert (await c2.delete("/")).status == 405
    assert rasp.get_routes()["json_echo"] == {"methods": ["POST"], "path": "/json"}
    assert (await c.get("/missing")).status == 404  # raised by the handler: passes on


async def test_monitor_mode_passes_and_reports(aiohttp_client, capfd):
    app = make_app()
    AiohttpRASP(app, template="monitor", params={"VERBOSE": 10})
    c = await aiohttp_client(app)
    assert (await c.get("/search?" + ATTACK_QUERY)).status == 200
    assert "[!] Command Injection: qs_values -> ;cat /etc/passwd" in capfd.readouterr().err


async def test_card_number_in_response_blocked(make_client):
    c, _ = await make_client()
    r = await c.get("/leak")
    assert r.status == 403 and CARD not in await r.text()


async def test_streamed_secret_is_cut(make_client):
    c, _ = await make_client()
    r = await c.get("/stream")
    assert r.status == 200
    assert await r.read() == b"line one\nline two\n"
    r = await c.get("/stream?clean=1")
    assert await r.text() == "line one\nline two\nline three\nline four\n"


async def test_server_header(make_client):
    c, _ = await make_client()
    assert (await c.get("/")).headers.getall("Server") == ["Apache"]
    assert (await c.get("/stream?clean=1")).headers["Server"] == "Apache"
    assert (await c.get("/.env")).headers["Server"] == "Apache"
    c, _ = await make_client(CHANGE_SERVER=False)
    assert "Apache" not in (await c.get("/")).headers.get("Server", "")


async def test_internal_error_fails_open(make_client, capfd):
    c, rasp = await make_client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert (await c.get("/search?" + ATTACK_QUERY)).status == 200
    assert "Ironward internal error (allow)" in capfd.readouterr().err


async def test_python_layer_error_fails_open_and_closed(make_client, monkeypatch):
    c, rasp = await make_client()

    def boom(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(rasp, "_route", boom)
    r = await c.post("/raw", data=b"abc", headers={"Content-Type": "text/plain"})
    assert r.status == 200 and (await r.json())["size"] == 3
    rasp.set_config({"FAIL_OPEN": False})
    assert (await c.post("/raw", data=b"abc")).status == 403


def test_invalid_config_raises():
    with pytest.raises(ConfigError):
        AiohttpRASP(make_app(), params={"BLOCK_STATUS_CODE": 99})
