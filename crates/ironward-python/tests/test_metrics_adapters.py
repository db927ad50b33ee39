"""The ``METRICS_PATH`` route of the Django, aiohttp, Lambda, Azure and GCP adapters, metrics of
the MCP adapters, and crashes of the adapters' own Python code (the DLP stream scanner's too)
counted in ``ironward_internal_errors_total``; through the frameworks' test clients, aiohttp's
test server, and Django under a real gunicorn on loopback. The text is parsed with
prometheus_client's parser."""

import json
import os
import sys
import urllib.error
import urllib.request

import pytest

from _promutil import CONTENT_TYPE, parse, value
from conftest import ATTACK_QUERY, TOKEN, configure_django, params

configure_django()  # ROOT_URLCONF test_django: "/" answers "home", no "/metrics"

from django.test import AsyncClient, Client, override_settings  # noqa: E402

from ironward import DjangoRASP  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUTSIDE = "203.0.113.7"  # a client outside METRICS_ALLOW


def inspections(samples, phase):
    """Inspections of a phase, all actions together."""
    return sum(v for (n, labels), v in samples.items()
               if n == "ironward_inspections_total" and ("phase", phase) in labels)


# ------------------------------------------------------------------------------------------
# Django


@override_settings(IRONWARD_PARAMS=params(METRICS_PATH="/metrics"))
def test_django_route_for_the_loopback_only():
    c = Client()  # REMOTE_ADDR 127.0.0.1
    assert c.get("/").content == b"home"
    # (From another client: the attacker is blacklisted.)
    assert c.get("/?" + ATTACK_QUERY, REMOTE_ADDR="192.0.2.1").status_code == 403
    r = c.get("/metrics")
    assert r.status_code == 200
    assert r["Content-Type"] == CONTENT_TYPE
    assert int(r["Content-Length"]) == len(r.content)
    samples = parse(r.content.decode())
    # The scrape is not inspected, not counted.
    assert value(samples, "ironward_requests_total") == 2
    assert value(samples, "ironward_blocked_total") == 1
    assert value(samples, "ironward_verdicts_total", check="command",
                 action="block_and_blacklist") == 1
    assert value(samples, "ironward_responses_total", code="2xx") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    head = c.head("/metrics")
    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) == len(r.content)
    # Another client: an ordinary request, inspected and counted, answered 404 like any path
    # the site does not serve (the route is invisible); other methods too. (One Client: one
    # middleware instance, one set of counters.)
    r = c.get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert r.status_code == 404 and b"ironward_" not in r.content
    assert c.post("/metrics").status_code == 404
    # An attack on the path from outside.
    assert c.get("/metrics?" + ATTACK_QUERY, REMOTE_ADDR="203.0.113.8").status_code == 404
    samples = parse(c.get("/metrics").content.decode())
    assert value(samples, "ironward_requests_total") == 5
    # All three went through the checks: the path check answers an unknown route with its
    # 404 block, as for any other path Django does not serve.
    assert value(samples, "ironward_verdicts_total", check="path", action="block") == 3
    assert value(samples, "ironward_blocked_total") == 4
    assert value(samples, "ironward_responses_total", code="4xx") == 4


@override_settings(IRONWARD_PARAMS=params(METRICS_PATH="/metrics", TRUSTED_PROXIES=["127.0.0.1"]))
def test_django_route_honours_the_forwarded_client():
    c = Client()
    # Behind a trusted proxy, the forwarded client is the one METRICS_ALLOW is checked for.
    r = c.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert r.status_code == 404
    r = c.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert r.status_code == 200
    assert value(parse(r.content.decode()), "ironward_requests_total") == 1


@override_settings(IRONWARD_PARAMS=params(METRICS_PATH="/metrics", TRUSTED_PROXIES=["127.0.0.1"]))
async def test_django_async_route():
    c = AsyncClient()  # the middleware in async mode (ASGI), REMOTE_ADDR 127.0.0.1
    assert (await c.get("/a/")).content == b"async home"
    r = await c.get("/metrics")
    assert r.status_code == 200 and r["Content-Type"] == CONTENT_TYPE
    assert value(parse(r.content.decode()), "ironward_requests_total") == 1
    r = await c.get("/metrics", headers={"X-Forwarded-For": OUTSIDE})
    assert r.status_code == 404 and b"ironward_" not in r.content
    r = await c.get("/metrics")
    assert value(parse(r.content.decode()), "ironward_requests_total") == 2


def test_django_no_route_by_default():
    assert Client().get("/metrics").status_code == 404


@override_settings(IRONWARD_PARAMS=params(METRICS_PATH="/metrics"))
def test_django_crash_fails_open_and_is_counted(monkeypatch, capfd):
    c = Client()
    before = value(parse(c.get("/metrics").content.decode()), "ironward_internal_errors_total")
    assert before == 0

    def boom(self, request):
        raise RuntimeError("translation failed")

    monkeypatch.setattr(DjangoRASP, "_body", boom)
    r = c.get("/?" + ATTACK_QUERY)
    assert r.status_code == 200 and r.content == b"home"  # failed open
    assert "translation failed" in capfd.readouterr().err
    samples = parse(c.get("/metrics").content.decode())
    assert value(samples, "ironward_internal_errors_total") == 1
    assert value(samples, "ironward_requests_total") == 0  # nothing was inspected
    # More crashes are counted, not written again within the minute (no log flood).
    for _ in range(3):
        assert c.get("/?" + ATTACK_QUERY).status_code == 200
    assert "translation failed" not in capfd.readouterr().err
    samples = parse(c.get("/metrics").content.decode())
    assert value(samples, "ironward_internal_errors_total") == 4


def test_django_under_gunicorn():
    pytest.importorskip("gunicorn")
    from _servers import free_port, serving

    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1",
            "--chdir", HERE, "metrics_django_app:application"]

    def get(path, **headers):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    with serving("gunicorn", argv, port):
        status, headers, body = get("/metrics")
        assert status == 200 and headers["Content-Type"] == CONTENT_TYPE
        before = parse(body.decode())
        # The readiness probe's GET /: one request.
        assert value(before, "ironward_requests_total") >= 1
        # A client outside METRICS_ALLOW (forwarded by the trusted loopback): invisible route.
        status, _, body = get("/metrics", **{"X-Forwarded-For": OUTSIDE})
        assert status == 404 and b"ironward_" not in body
        # An attack, from another forwarded client (it gets blacklisted).
        status, _, _ = get("/search?" + ATTACK_QUERY, **{"X-Forwarded-For": "198.51.100.9"})
        assert status == 403
        status, _, body = get("/metrics")
        after = parse(body.decode())
    assert status == 200

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    req = "ironward_requests_total"
    assert moved(req) == 2
    # The outside scrape met the path check (an unknown route: its 404 block), the attack
    # the command check.
    assert moved("ironward_blocked_total") == 2
    assert moved("ironward_verdicts_total", check="path", action="block") == 1
    assert moved("ironward_verdicts_total", check="command", action="block_and_blacklist") == 1
    assert moved("ironward_responses_total", code="4xx") == 2
    assert value(after, "ironward_inspection_duration_seconds_count", phase="request") \
        == value(after, req)


# ------------------------------------------------------------------------------------------
# aiohttp


@pytest.fixture
def aio(aiohttp_client):
    from aiohttp import web

    from ironward import AiohttpRASP

    async def make(**extra):
        async def index(request):
            return web.Response(text="home")

        app = web.Application()
        app.router.add_get("/", index)
        rasp = AiohttpRASP(app, params=params(**extra))
        return await aiohttp_client(app), rasp

    return make


async def test_aiohttp_route_for_the_loopback_only(aio):
    c, rasp = await aio(METRICS_PATH="/metrics", TRUSTED_PROXIES=["127.0.0.1"])
    assert await (await c.get("/")).text() == "home"
    r = await c.get("/?" + ATTACK_QUERY, headers={"X-Forwarded-For": "192.0.2.1"})
    assert r.status == 403
    r = await c.get("/metrics")  # the test server's client is 127.0.0.1
    assert r.status == 200
    assert r.headers["Content-Type"] == CONTENT_TYPE
    body = await r.read()
    assert int(r.headers["Content-Length"]) == len(body)
    samples = parse(body.decode())
    assert value(samples, "ironward_requests_total") == 2
    assert value(samples, "ironward_blocked_total") == 1
    assert value(samples, "ironward_responses_total", code="2xx") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    assert body.decode() == rasp.get_metrics()  # nothing counted in between
    head = await c.head("/metrics")
    assert head.status == 200 and await head.read() == b""
    assert int(head.headers["Content-Length"]) == len(body)
    # Forwarded by the trusted loopback for an outside client: an ordinary request, 404.
    r = await c.get("/metrics", headers={"X-Forwarded-For": OUTSIDE})
    assert r.status == 404 and b"ironward_" not in await r.read()
    assert (await c.post("/metrics")).status in (404, 405)
    r = await c.get("/metrics?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.8"})
    assert r.status == 404
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_requests_total") == 5
    # Inspected: the path check answers the unknown route with its 404 block.
    assert value(samples, "ironward_verdicts_total", check="path", action="block") == 3
    assert value(samples, "ironward_blocked_total") == 4
    assert value(samples, "ironward_responses_total", code="4xx") == 4


async def test_aiohttp_no_route_by_default(aio):
    c, _ = await aio()
    assert (await c.get("/metrics")).status == 404


async def test_aiohttp_crash_fails_open_and_is_counted(aio, monkeypatch, capfd):
    from ironward import AiohttpRASP

    c, rasp = await aio(METRICS_PATH="/metrics")

    def boom(request):
        raise RuntimeError("translation failed")

    monkeypatch.setattr(AiohttpRASP, "_raw", staticmethod(boom))
    r = await c.get("/?" + ATTACK_QUERY)
    assert r.status == 200 and await r.text() == "home"
    assert "translation failed" in capfd.readouterr().err
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_internal_errors_total") == 1
    assert value(samples, "ironward_requests_total") == 0


# ------------------------------------------------------------------------------------------
# Serverless: the route behind the same allow-list, with the client IP each adapter uses.


def _lambda_event(name, path, source_ip, method="GET", query=""):
    with open(os.path.join(HERE, "fixtures", "lambda", name + ".json")) as f:
        ev = json.load(f)
    if "rawPath" in ev:
        ev["rawPath"] = path
        ev["rawQueryString"] = query
        ev["queryStringParameters"] = None
        ev["pathParameters"] = None
        ev["requestContext"]["http"].update(method=method, path=path, sourceIp=source_ip)
    else:
        ev["path"] = path
        ev["httpMethod"] = method
        ev["pathParameters"] = None
        ev["queryStringParameters"] = None
        ev["multiValueQueryStringParameters"] = None
        if query:
            k, _, v = query.partition("=")
            from urllib.parse import unquote_plus
            ev["queryStringParameters"] = {k: unquote_plus(v)}
            ev["multiValueQueryStringParameters"] = {k: [unquote_plus(v)]}
        ev["requestContext"]["identity"]["sourceIp"] = source_ip
    ev["body"] = None
    ev["isBase64Encoded"] = False
    return ev


@pytest.mark.parametrize("kind", ["rest_v1", "http_v2", "function_url"])
def test_lambda_route(kind, monkeypatch, capfd):
    from ironward import LambdaRASP

    def handler(event, context):
        return {"statusCode": 404, "headers": {"Content-Type": "text/plain"}, "body": "nope"}

    rasp = LambdaRASP(params=params(METRICS_PATH="/metrics",
                                    METRICS_ALLOW=["198.51.100.0/24"]))
    fn = rasp.register(handler)
    assert fn(_lambda_event(kind, "/", "198.51.100.23", query=ATTACK_QUERY), None)[
        "statusCode"] == 403
    out = fn(_lambda_event(kind, "/metrics", "198.51.100.23"), None)
    assert out["statusCode"] == 200
    assert out["headers"]["Content-Type"] == CONTENT_TYPE
    if kind == "rest_v1":
        assert out["multiValueHeaders"]["Content-Type"] == [CONTENT_TYPE]
    samples = parse(out["body"])
    assert value(samples, "ironward_requests_total") == 1
    assert value(samples, "ironward_blocked_total") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    assert fn(_lambda_event(kind, "/metrics", "198.51.100.23", "HEAD"), None)["body"] == ""
    # Outside METRICS_ALLOW: the handler answers.
    assert fn(_lambda_event(kind, "/metrics", OUTSIDE), None)["body"] == "nope"
    # A crash of the event translation fails open and is counted.
    monkeypatch.setattr("ironward.lambdarasp.parse_event",
                        lambda ev: (_ for _ in ()).throw(RuntimeError("bad event")))
    assert fn(_lambda_event(kind, "/", OUTSIDE, query=ATTACK_QUERY), None)["body"] == "nope"
    assert "bad event" in capfd.readouterr().err
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_internal_errors_total") == 1
    assert value(samples, "ironward_requests_total") == 2


def test_lambda_responses_counted_as_aws_answers():
    from ironward import LambdaRASP

    rasp = LambdaRASP(params=params())
    fn = rasp.register(lambda event, context: {"ok": True})  # no statusCode
    fn(_lambda_event("http_v2", "/", OUTSIDE), None)  # AWS answers 200 with it as JSON
    fn(_lambda_event("rest_v1", "/", OUTSIDE), None)  # API Gateway answers 502
    fn({"Records": []}, None)  # not an HTTP event: not counted
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_responses_total", code="2xx") == 1
    assert value(samples, "ironward_responses_total", code="5xx") == 1
    assert value(samples, "ironward_requests_total") == 2


def test_azure_route(monkeypatch):
    func = pytest.importorskip("azure.functions")
    from ironward import AzureRASP

    def req(path, client, method="GET"):
        return func.HttpRequest(
            method=method, url="https://shop-fn.azurewebsites.net" + path,
            headers={"x-forwarded-for": client + ":52814"}, params={}, body=b"")

    def handler(req):
        return func.HttpResponse("nope", status_code=404)

    rasp = AzureRASP(params=params(METRICS_PATH="/api/metrics",
                                   METRICS_ALLOW=["198.51.100.0/24"]))
    fn = rasp.register(handler)
    assert fn(req("/api/orders?" + ATTACK_QUERY, "198.51.100.23")).status_code == 403
    r = fn(req("/api/metrics", "198.51.100.23"))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == CONTENT_TYPE
    samples = parse(r.get_body().decode())
    assert value(samples, "ironward_requests_total") == 1
    assert value(samples, "ironward_responses_total", code="4xx") == 1
    assert fn(req("/api/metrics", "198.51.100.23", "HEAD")).get_body() == b""
    assert fn(req("/api/metrics", OUTSIDE)).get_body() == b"nope"

    def boom(*a, **k):
        raise RuntimeError("bad request object")

    monkeypatch.setattr("ironward.azurerasp.with_parsed_params", boom)
    assert fn(req("/api/orders?" + ATTACK_QUERY, OUTSIDE)).get_body() == b"nope"
    samples = parse(rasp.get_metrics())
    assert value(samples, "ironward_internal_errors_total") == 1


def test_gcp_route(monkeypatch):
    functions_framework = pytest.importorskip("functions_framework")
    source = os.path.join(HERE, "fixtures", "gcp", "gcp_functions.py")
    monkeypatch.setenv("IRONWARD_TEST_GCP", json.dumps(
        {"template": "default", "params": params(METRICS_PATH="/metrics")}))
    app = functions_framework.create_app(target="handler", source=source)
    rasp = sys.modules["gcp_functions"].rasp
    c = app.test_client()
    assert c.get("/?" + ATTACK_QUERY).status_code == 403
    r = c.get("/metrics")  # REMOTE_ADDR 127.0.0.1
    assert r.status_code == 200 and r.headers["Content-Type"] == CONTENT_TYPE
    assert value(parse(r.get_data(as_text=True)), "ironward_requests_total") == 1
    r = c.get("/metrics", environ_base={"REMOTE_ADDR": OUTSIDE})
    assert b"ironward_" not in r.get_data()
    assert value(parse(rasp.get_metrics()), "ironward_requests_total") == 2


# ------------------------------------------------------------------------------------------
# MCP: no route of their own; get_metrics() and the tool_call/tool_result phases.


def test_mcp_inspections_and_crashes_counted(monkeypatch):
    from ironward import McpHostRASP, McpToolRASP

    for rasp in (McpToolRASP(None, params={"VERBOSE": 0}),
                 McpHostRASP(params={"VERBOSE": 0})):
        rasp.inspect_call("read", {"path": "notes.txt"})
        rasp.inspect_call("run", {"cmd": "ls; cat /etc/passwd"})
        rasp.inspect_result("read", "all good")
        samples = parse(rasp.get_metrics())
        assert inspections(samples, "tool_call") == 2
        assert inspections(samples, "tool_result") == 1
        assert value(samples, "ironward_attacks_total") == 1
        assert value(samples, "ironward_requests_total") == 0  # no HTTP request
        assert value(samples, "ironward_inspection_duration_seconds_count",
                     phase="tool_call") == 2
        module = sys.modules[type(rasp).__module__]

        def boom(arguments):
            raise RuntimeError("unserialisable")

        with monkeypatch.context() as m:
            m.setattr(module, "arguments_json", boom)
            assert rasp.inspect_call("read", {"path": "x"}) is None  # failed open
        samples = parse(rasp.get_metrics())
        assert value(samples, "ironward_internal_errors_total") == 1
        assert inspections(samples, "tool_call") == 2


def test_fail_closed_crash_is_counted_too(monkeypatch):
    from flask import Flask

    from ironward import FlaskRASP

    app = Flask(__name__)
    app.add_url_rule("/", "index", lambda: "home")
    rasp = FlaskRASP(app, params=params(FAIL_OPEN=False))

    def boom(self, environ):
        raise RuntimeError("body stream broke")

    monkeypatch.setattr(FlaskRASP, "read_wsgi_body", boom)
    assert app.test_client().get("/").status_code == 403
    assert value(parse(rasp.get_metrics()), "ironward_internal_errors_total") == 1


# ------------------------------------------------------------------------------------------
# The DLP stream scanner failing while a streamed response is sent


class _BrokenScanner:
    """The native scanner of a streamed response, broken from its second chunk on."""

    def __init__(self, real):
        self.real, self.pushed = real, 0

    def push(self, chunk):
        self.pushed += 1
        if self.pushed >= 2:
            raise RuntimeError("stream scanner broke")
        return self.real.push(chunk)

    def finish(self):
        return self.real.finish()

    @property
    def done(self):
        return self.real.done


def break_stream_scanners(monkeypatch, rasp):
    """The adapter's engine, its DLP stream scanners replaced by :class:`_BrokenScanner`."""
    engine = rasp._engine

    class Engine:
        def __getattr__(self, name):
            return getattr(engine, name)

        def dlp_stream(self, *args):
            real = engine.dlp_stream(*args)
            assert real is not None, "DLP applies to the streamed response"
            return _BrokenScanner(real)

    monkeypatch.setattr(rasp, "_engine", Engine())


# The secret comes after the failure: the rest of the response goes on unscanned (fail open).
STREAM = ["line one\n", "line two\n", f"token {TOKEN} end\n", "line four\n"]


def test_flask_stream_scanner_crash_fails_open_and_is_counted(monkeypatch, capfd):
    from flask import Flask, Response

    from ironward import FlaskRASP

    app = Flask(__name__)
    app.add_url_rule("/stream", "stream", lambda: Response(iter(STREAM), mimetype="text/plain"))
    rasp = FlaskRASP(app, params=params())
    break_stream_scanners(monkeypatch, rasp)
    c = app.test_client()
    r = c.get("/stream")
    assert r.status_code == 200 and r.data == "".join(STREAM).encode()
    assert "stream scanner broke" in capfd.readouterr().err
    assert value(parse(rasp.get_metrics()), "ironward_internal_errors_total") == 1
    # One per response, counted; not written again within the minute.
    for _ in range(2):
        assert c.get("/stream").data == "".join(STREAM).encode()
    assert "stream scanner broke" not in capfd.readouterr().err
    assert value(parse(rasp.get_metrics()), "ironward_internal_errors_total") == 3


def test_flask_stream_scanner_crash_fails_closed_too(monkeypatch):
    from flask import Flask, Response

    from ironward import FlaskRASP

    app = Flask(__name__)
    app.add_url_rule("/stream", "stream", lambda: Response(iter(STREAM), mimetype="text/plain"))
    rasp = FlaskRASP(app, params=params(FAIL_OPEN=False))
    break_stream_scanners(monkeypatch, rasp)
    r = app.test_client().get("/stream")
    assert r.status_code == 200 and r.data == b"line one\n"  # cut at the failure
    assert value(parse(rasp.get_metrics()), "ironward_internal_errors_total") == 1


def test_fastapi_stream_scanner_crash_fails_open_and_is_counted(monkeypatch, capfd):
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse
    from starlette.testclient import TestClient

    from ironward import FastApiRASP

    app = FastAPI()

    @app.get("/stream")
    async def stream():
        return StreamingResponse(iter(STREAM), media_type="text/plain")

    rasp = FastApiRASP(app, params=params())
    break_stream_scanners(monkeypatch, rasp)
    r = TestClient(app, client=("127.0.0.1", 50000)).get("/stream")
    assert r.status_code == 200 and r.content == "".join(STREAM).encode()
    assert "stream scanner broke" in capfd.readouterr().err
    assert value(parse(rasp.get_metrics()), "ironward_internal_errors_total") == 1
