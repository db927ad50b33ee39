"""DjangoRASP through Django's test clients (settings configured in this module): the sync
``Client`` (WSGI) on sync views, ``AsyncClient`` (ASGI, the middleware in async mode) on async
views, and Django's own ASGI handler driven with raw ASGI messages."""

import asyncio
import hashlib
import json

import pytest

from conftest import (ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, TRAVERSAL_FORM,
                      configure_django, params)

configure_django()  # ROOT_URLCONF is this module

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402


def index(request):
    return HttpResponse("home")


def echo_json(request):
    return JsonResponse(json.loads(request.body))


def echo_form(request):
    return JsonResponse({k: request.POST.getlist(k) for k in request.POST})


def upload(request):
    f = request.FILES["file"]
    data = f.read()
    return JsonResponse({"name": f.name, "size": len(data),
                         "sha": hashlib.sha256(data).hexdigest()})


def raw(request):
    data = request.body
    return JsonResponse({"size": len(data), "sha": hashlib.sha256(data).hexdigest()})


def leak(request):
    return HttpResponse(f"card {CARD}", content_type="text/plain")


def stream(request):
    def gen():
        yield b"one\n"
        yield f"token {TOKEN}\n".encode()
        yield b"three\n"
    return StreamingHttpResponse(gen(), content_type="text/plain")


async def a_index(request):
    return HttpResponse("async home")


async def a_json(request):
    return JsonResponse(json.loads(request.body))


async def a_form(request):
    return JsonResponse({k: request.POST.getlist(k) for k in request.POST})


async def a_raw(request):
    data = request.body
    return JsonResponse({"size": len(data), "sha": hashlib.sha256(data).hexdigest()})


async def a_leak(request):
    return HttpResponse(f"card {CARD}", content_type="text/plain")


async def _agen():
    yield b"one\n"
    await asyncio.sleep(0)
    yield f"token {TOKEN}\n".encode()
    yield b"three\n"


async def a_stream(request):
    return StreamingHttpResponse(_agen(), content_type="text/plain")


async def a_stream_clean(request):
    async def gen():
        for i in range(3):
            yield f"part {i}\n".encode()
    return StreamingHttpResponse(gen(), content_type="text/plain")


def sync_view_async_stream(request):
    return StreamingHttpResponse(_agen(), content_type="text/plain")


urlpatterns = [
    path("", index, name="index"),
    path("json", echo_json, name="json"),
    path("form", echo_form, name="form"),
    path("upload", upload, name="upload"),
    path("raw", raw, name="raw"),
    path("leak", leak, name="leak"),
    path("stream", stream, name="stream"),
    path("a/", a_index, name="a_index"),
    path("a/json", a_json, name="a_json"),
    path("a/form", a_form, name="a_form"),
    path("a/raw", a_raw, name="a_raw"),
    path("a/leak", a_leak, name="a_leak"),
    path("a/stream", a_stream, name="a_stream"),
    path("a/stream-clean", a_stream_clean, name="a_stream_clean"),
    path("sync-async-stream", sync_view_async_stream, name="sync_async_stream"),
]


def test_benign_requests_pass_with_bodies_intact():
    c = Client()
    assert c.get("/").content == b"home"
    doc = {"item": "shoes", "qty": 2}
    r = c.post("/json", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 200 and r.json() == doc
    r = c.post("/form", data={"user": "demo", "tag": ["a", "b"]})
    assert r.json() == {"user": ["demo"], "tag": ["a", "b"]}


def test_multipart_upload_intact(tmp_path):
    p = tmp_path / "photo.png"
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    p.write_bytes(data)
    with open(p, "rb") as f:
        r = Client().post("/upload", data={"file": f})
    assert r.json() == {"name": "photo.png", "size": len(data),
                        "sha": hashlib.sha256(data).hexdigest()}


@override_settings(IRONWARD_PARAMS=params(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor"))
def test_body_over_cap_handed_on_whole():
    data = b"z" * 6000
    r = Client().post("/raw", data=data, content_type="application/octet-stream")
    assert r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


def test_attacks_blocked():
    assert Client().get("/?" + ATTACK_QUERY).status_code == 403
    r = Client().post("/json", data=json.dumps(SSRF_JSON), content_type="application/json")
    assert r.status_code == 403
    assert Client().post("/form", data=TRAVERSAL_FORM).status_code == 403
    assert Client().get("/", HTTP_USER_AGENT=JNDI).status_code == 403
    c = Client()
    c.cookies["session"] = ";cat /etc/passwd"
    assert c.get("/").status_code == 403


@override_settings(IRONWARD_PARAMS=params(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope",
                                          **{"SECURITY_CHECKS.command": 1}))
def test_configured_response_and_server_header():
    r = Client().get("/?" + ATTACK_QUERY)
    assert r.status_code == 406 and r.content == b"Nope" and r["Server"] == "Apache"
    assert Client().get("/")["Server"] == "Apache"


def test_unknown_route_404():
    assert Client().get("/nope").status_code == 404


@override_settings(IRONWARD_PARAMS=None, PYRASP_PARAMS={"VERBOSE": 10}, PYRASP_TEMPLATE="monitor")
def test_pyrasp_settings_and_monitor_mode(capfd):
    r = Client().get("/?" + ATTACK_QUERY)
    assert r.status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_leaks_blocked_and_cut():
    r = Client().get("/leak")
    assert r.status_code == 403 and CARD.encode() not in r.content
    r = Client().get("/stream")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == b"one\n"


@override_settings(IRONWARD_PARAMS={"BLOCK_STATUS_CODE": "x"})
def test_invalid_config_raises():
    from ironward import ConfigError
    with pytest.raises(ConfigError):
        Client().get("/")


def test_routes_collected():
    from ironward import DjangoRASP
    rasp = DjangoRASP(lambda r: HttpResponse("x"))
    assert rasp.get_routes()["json"] == {"methods": [], "path": "/json"}


# --- the middleware's modes ---------------------------------------------------------------

def test_sync_and_async_capable():
    from asgiref.sync import iscoroutinefunction
    from ironward import DjangoRASP
    assert DjangoRASP.sync_capable and DjangoRASP.async_capable
    assert not iscoroutinefunction(DjangoRASP(lambda r: HttpResponse("x")))

    async def get_response(request):
        return HttpResponse("x")
    rasp = DjangoRASP(get_response)
    assert iscoroutinefunction(rasp)


def test_asgi_stack_uses_the_async_path():
    # Django's ASGI stack: the middleware gets an async get_response and is awaited itself,
    # so neither side is wrapped in sync_to_async (a thread hop per request).
    from django.core.handlers.base import BaseHandler
    from ironward import DjangoRASP
    handler = BaseHandler()
    handler.load_middleware(is_async=True)
    rasp = handler._middleware_chain.__wrapped__  # under convert_exception_to_response
    assert isinstance(rasp, DjangoRASP) and rasp.async_mode
    handler = BaseHandler()
    handler.load_middleware(is_async=False)
    rasp = handler._middleware_chain.__wrapped__
    assert isinstance(rasp, DjangoRASP) and not rasp.async_mode


# --- async views through AsyncClient ------------------------------------------------------

async def test_async_benign_requests_pass_with_bodies_intact():
    c = AsyncClient()
    doc = {"item": "shoes", "qty": 2}
    r = await c.post("/a/json", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 200 and r.json() == doc
    r = await c.post("/a/form", data={"user": "demo", "tag": ["a", "b"]})
    assert r.json() == {"user": ["demo"], "tag": ["a", "b"]}


@override_settings(IRONWARD_PARAMS=params(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor"))
async def test_async_body_over_cap_handed_on_whole():
    data = bytes(range(256)) * 24
    r = await AsyncClient().post("/a/raw", data=data, content_type="application/octet-stream")
    assert r.json() == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}


async def test_async_attacks_blocked():
    assert (await AsyncClient().get("/a/?" + ATTACK_QUERY)).status_code == 403
    r = await AsyncClient().post("/a/json", data=json.dumps(SSRF_JSON),
                                 content_type="application/json")
    assert r.status_code == 403
    assert (await AsyncClient().post("/a/form", data=TRAVERSAL_FORM)).status_code == 403
    assert (await AsyncClient().get("/a/", headers={"User-Agent": JNDI})).status_code == 403
    assert (await AsyncClient().get("/a/nope")).status_code == 404


@override_settings(IRONWARD_PARAMS=params(BLACKLIST_STATUS_CODE=406,
                                          BLACKLIST_ACTION_CONTENT="Nope"))
async def test_async_configured_response_and_blacklist():
    c = AsyncClient()
    r = await c.get("/a/?" + ATTACK_QUERY)  # a level-2 hit: the BLACKLIST_* response
    assert r.status_code == 406 and r.content == b"Nope" and r["Server"] == "Apache"
    # Same handler, same middleware instance: the client is blacklisted now.
    r = await c.get("/a/")
    assert r.status_code == 406 and r.content == b"Nope"


@override_settings(IRONWARD_PARAMS=None, PYRASP_PARAMS={"VERBOSE": 10}, PYRASP_TEMPLATE="monitor")
async def test_async_monitor_mode(capfd):
    r = await AsyncClient().get("/a/?" + ATTACK_QUERY)
    assert r.status_code == 200 and r.content == b"async home"
    assert "[!] Command Injection" in capfd.readouterr().err


async def _collect(response):
    return b"".join([chunk async for chunk in response.streaming_content])


async def test_async_leaks_blocked_and_async_streams_cut():
    r = await AsyncClient().get("/a/leak")
    assert r.status_code == 403 and CARD.encode() not in r.content
    r = await AsyncClient().get("/a/stream")
    assert r.status_code == 200 and r["Server"] == "Apache"
    assert await _collect(r) == b"one\n"
    r = await AsyncClient().get("/a/stream-clean")
    assert await _collect(r) == b"part 0\npart 1\npart 2\n"
    r = await AsyncClient().get("/stream")  # a sync iterator served by the async handler
    assert b"".join(r.streaming_content) == b"one\n"


def test_sync_client_async_stream_cut():
    # An async iterator served over WSGI: Django consumes it with async_to_sync (and warns).
    with pytest.warns(Warning, match="asynchronous iterators"):
        r = Client().get("/sync-async-stream")
        assert r.status_code == 200
        assert b"".join(r) == b"one\n"


# --- Django's own ASGI handler, raw ASGI messages -----------------------------------------

def _asgi(method, path, chunks=(), headers=(), query=b""):
    """Runs one request through ``ASGIHandler`` (what ``get_asgi_application()`` returns)
    with the body in ``chunks`` (``more_body`` between them); returns (status, headers, body)."""
    from django.core.handlers.asgi import ASGIHandler

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
        "query_string": query, "root_path": "",
        "headers": [(b"host", b"testserver")] + [(k.encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)] or [{"type": "http.request", "body": b""}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def run():
        await ASGIHandler()(scope, receive, send)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict((k.decode(), v.decode()) for k, v in start["headers"]), body


def test_asgi_handler_chunked_body_inspected():
    # No Content-Length (a chunked request): Django buffered it, the middleware measures it.
    attack = json.dumps(SSRF_JSON).encode()
    status, headers, body = _asgi("POST", "/a/json", [attack[:20], attack[20:]],
                                  [("content-type", "application/json")])
    assert status == 403 and body == b"Blocked" and headers["Server"] == "Apache"
    doc = json.dumps({"item": "shoes"}).encode()
    status, _, body = _asgi("POST", "/a/json", [doc[:5], doc[5:]],
                            [("content-type", "application/json")])
    assert status == 200 and json.loads(body) == {"item": "shoes"}


@override_settings(IRONWARD_PARAMS=params(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor"))
def test_asgi_handler_body_over_cap_handed_on_whole():
    data = b"\x00\x01" * 3000
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    status, _, body = _asgi("POST", "/a/raw", chunks, [("content-type", "application/octet-stream"),
                                                       ("content-length", str(len(data)))])
    assert status == 200
    assert json.loads(body) == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}
    # The inspected prefix of a chunked body over the cap still catches an attack in it.
    attack = b"file=../../../etc/passwd&pad=" + b"a" * 3000
    status, _, _ = _asgi("POST", "/a/form", [attack[:700], attack[700:]],
                         [("content-type", "application/x-www-form-urlencoded")])
    assert status == 403
