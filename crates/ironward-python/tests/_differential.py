"""The harnesses of the differential tests (test_differential.py): one per adapter, each
sending a :class:`Req` through the framework's own test client (or a real server on
loopback, or the event/request object a serverless host builds) to the echo apps of
``diff_apps.py``, with the RASP in ``block`` mode (the default template) or in ``monitor``
mode (the control: the request reaches the handler, which echoes what it read).

``run(adapter, req, mode)`` -> ``(status, echo)``; ``echo`` is the parsed JSON the handler
answered with (None when it did not answer with JSON).
"""

import asyncio
import base64
import contextlib
import http.client
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))

# Block: the default template, quiet; the blacklist is not enforced, so that every verdict is
# the request's own. Monitor: the control run, nothing blocked (the body limit included).
MODES = {
    "block": ("default", {"VERBOSE": 0, "BLACKLIST_OVERRIDE": True}),
    "monitor": ("monitor", {"VERBOSE": 0, "BLACKLIST_OVERRIDE": True,
                            "BODY_LIMIT_ACTION": "monitor"}),
}


@dataclass
class Req:
    """A request as a client sends it. ``target`` is the raw request target (path and query,
    as on the wire). Adapter-specific twists: ``query_apart`` (parameters the test client puts
    into ``QUERY_STRING``/``params`` apart from the raw target; for serverless events, into
    the parsed-parameter field only); ``raw_decoy`` (the raw path the server reports —
    ``REQUEST_URI``/``RAW_URI``, ASGI ``raw_path``, the event's ``rawPath`` — while the parsed
    path, or the path parameters, hold ``target``'s); ``chunked`` (sent with
    ``Transfer-Encoding: chunked``, real servers only); ``event_patch`` (Lambda: a function
    changing the event; Azure: the ``HttpRequest`` keyword arguments); ``query_override`` (WSGI:
    ``QUERY_STRING`` rewritten, as a middleware does, while the raw target keeps its
    query)."""

    method: str = "GET"
    target: str = "/echo"
    headers: List[Tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    query_apart: Optional[dict] = None
    raw_decoy: Optional[str] = None
    chunked: bool = False
    event_patch: Optional[Callable[[dict], None]] = None
    query_override: Optional[str] = None

    def header(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    @property
    def query(self):
        return self.target.partition("?")[2]


_CACHE: dict = {}


class Recorder:
    """Stands in for an adapter's native engine (``rasp._engine``) and records the arguments
    of each inspection, so that a test can ask the engine what it inspected in that very
    request (``Engine.inspected_values``) and with which full body length."""

    last = None  # (kind, args) of the latest inspection, by any recorder

    def __init__(self, engine):
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def inspect_request(self, *args):
        Recorder.last = (self._engine, "raw", args)
        return self._engine.inspect_request(*args)

    def inspect_wsgi(self, environ, body=None, body_len=None, route=0):
        Recorder.last = (self._engine, "wsgi", (dict(environ), body, body_len))
        return self._engine.inspect_wsgi(environ, body, body_len, route)


def last_inspection():
    """``(body, body_len, [(location, name, value)])`` of the latest inspection."""
    if Recorder.last is None:
        return None
    engine, kind, args = Recorder.last
    if kind == "wsgi":
        environ, body, body_len = args
        return body, body_len, engine.inspected_values_wsgi(environ, body, body_len)
    method, path, query, headers, peer, body, body_len, _route = args
    return body, body_len, engine.inspected_values(method, path, query, headers, peer, body,
                                                   body_len)


def record(rasp):
    if not isinstance(rasp._engine, Recorder):
        rasp._engine = Recorder(rasp._engine)
    return rasp


def cached(key, build):
    """One app per (adapter, mode), built on first use (the verdicts do not depend on earlier
    requests: the blacklist is not enforced), its engine recorded. ``build()`` returns
    ``(app, rasp)``."""
    if key not in _CACHE:
        app, rasp = build()
        record(rasp)
        _CACHE[key] = (app, rasp)
    return _CACHE[key]


def _json(data):
    try:
        return json.loads(data)
    except Exception:
        return None


def _joined_headers(req):
    """Headers as one value per name (repeated ones joined with ``, ``, as WSGI servers and
    the serverless hosts do)."""
    out = {}
    for k, v in req.headers:
        out[k] = out[k] + ", " + v if k in out else v
    return out


# --- Flask, WSGI, GCP (werkzeug's test client) -------------------------------------------------

def _werkzeug_open(client, req):
    kw = {"method": req.method, "headers": list(req.headers), "data": req.body}
    if req.query_apart is not None:
        kw["query_string"] = req.query_apart
    if req.raw_decoy is not None:
        kw["environ_overrides"] = {"REQUEST_URI": req.raw_decoy, "RAW_URI": req.raw_decoy}
    if req.query_override is not None:
        kw["environ_overrides"] = {"REQUEST_URI": req.target, "RAW_URI": req.target,
                                   "QUERY_STRING": req.query_override}
    r = client.open(req.target, **kw)
    return r.status_code, _json(r.data)


def run_flask(req, mode):
    from diff_apps import make_flask
    app, _ = cached(("flask", mode), lambda: make_flask(*MODES[mode]))
    return _werkzeug_open(app.test_client(use_cookies=False), req)


def run_wsgi(req, mode):
    from werkzeug.test import Client
    from diff_apps import make_wsgi
    app, _ = cached(("wsgi", mode), lambda: make_wsgi(*MODES[mode]))
    return _werkzeug_open(Client(app, use_cookies=False), req)


def gcp_app(mode, target="diff_handler"):
    return cached((target, mode), lambda: _gcp_app(mode, target))[0]


def _gcp_app(mode, target):
    import functions_framework
    template, params = MODES[mode]
    os.environ["IRONWARD_TEST_GCP"] = json.dumps({"template": template, "params": params})
    source = os.path.join(HERE, "fixtures", "gcp", "gcp_diff.py")
    if target == "diff_ahandler":
        import functions_framework.aio
        app = functions_framework.aio.create_asgi_app(target=target, source=source)
    else:
        app = functions_framework.create_app(target=target, source=source)
    return app, sys.modules["gcp_diff"].rasp


def run_gcp(req, mode):
    return _werkzeug_open(gcp_app(mode).test_client(use_cookies=False), req)


# --- Django (test Client: WSGI; AsyncClient: ASGI, the middleware in async mode) ----------------

def _django_kwargs(req, asgi=False):
    headers = _joined_headers(req)
    if asgi and not req.body:
        return headers, {}  # the Content-Type goes as a header
    ctype = None
    for k in list(headers):
        if k.lower() == "content-type":
            ctype = headers.pop(k)
    extra = {}
    if req.body:
        extra["content_type"] = ctype if ctype is not None else ""
    elif ctype is not None:
        extra["CONTENT_TYPE"] = ctype
    return headers, extra


def _django_settings(mode):
    from conftest import configure_django
    configure_django()
    from django.test import override_settings
    template, params = MODES[mode]
    return override_settings(ROOT_URLCONF="diff_apps", IRONWARD_TEMPLATE=template,
                             IRONWARD_PARAMS=params, PYRASP_PARAMS=None, PYRASP_TEMPLATE=None)


def _django_handler(handler):
    """``(handler, its DjangoRASP)``, the middleware loaded now (with the settings in force)."""
    if handler._middleware_chain is None:
        handler.load_middleware(is_async=getattr(handler, "is_async", False))
    return handler, handler._middleware_chain.__wrapped__


def _django_client(cls):
    client = cls()
    handler = client.handler
    if handler._middleware_chain is None:
        from django.test.client import AsyncClientHandler
        handler.load_middleware(is_async=isinstance(handler, AsyncClientHandler))
    return client, handler._middleware_chain.__wrapped__


def run_django(req, mode):
    from django.test import Client
    headers, extra = _django_kwargs(req)
    if req.raw_decoy is not None:
        extra["REQUEST_URI"] = req.raw_decoy
    data = req.body
    target = req.target
    if req.query_apart is not None:
        # Django's client builds QUERY_STRING itself; the raw target keeps no query.
        extra["QUERY_STRING"] = "&".join(f"{quote(k)}={quote(v)}"
                                         for k, v in req.query_apart.items())
    if req.query_override is not None:
        extra["QUERY_STRING"] = req.query_override
        extra["REQUEST_URI"] = req.target
    with _django_settings(mode):
        client, _ = cached(("django", mode), lambda: _django_client(Client))
        r = client.generic(req.method, target, data=data, headers=headers, **extra)
    return r.status_code, _json(r.content)


def run_django_async(req, mode):
    from django.test import AsyncClient
    headers, extra = _django_kwargs(req, asgi=True)
    target = "/a" + req.target
    if req.query_apart is not None:
        extra["QUERY_STRING"] = "&".join(f"{quote(k)}={quote(v)}"
                                         for k, v in req.query_apart.items())
    if req.raw_decoy is not None or req.header("cookie"):
        # AsyncClient cannot send a raw path of its own, and adds a cookie header of its
        # own beside ours (Django joins them with a comma): the handler, as a server calls it.
        return _django_asgi_scope(req, mode)
    with _django_settings(mode):
        client, _ = cached(("django_async", mode), lambda: _django_client(AsyncClient))
        r = asyncio.run(client.generic(req.method, target, data=req.body,
                                       headers=headers, **extra))
    return r.status_code, _json(r.content)


def _django_asgi_scope(req, mode):
    from django.core.handlers.asgi import ASGIHandler
    with _django_settings(mode):
        handler, _ = cached(("django_asgi", mode), lambda: _django_handler(ASGIHandler()))
        return asyncio.run(asgi_call(handler, _scope(req, prefix="/a"), req.body))


# --- ASGI: Starlette under AsgiRASP, FastAPI under FastApiRASP ---------------------------------

def _scope(req, prefix=""):
    """The ASGI scope a server builds for ``req`` (``raw_path`` the decoy when there is
    one)."""
    from urllib.parse import unquote
    path, _, query = req.target.partition("?")
    raw = (req.raw_decoy or path)
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in req.headers]
    if req.body and not req.header("content-length"):
        headers.append((b"content-length", str(len(req.body)).encode()))
    headers.append((b"host", b"testserver"))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": req.method, "scheme": "http",
        "path": prefix + unquote(path), "raw_path": (prefix + raw).encode("latin-1"),
        "root_path": "", "query_string": query.encode("latin-1"), "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }


async def asgi_call(app, scope, body, chunk=None):
    """Runs one ASGI request; ``(status, echo)``. With ``chunk``, the body comes in messages
    of that size (as a server hands over a chunked body)."""
    step = chunk or max(len(body), 1)
    parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
                for i, p in enumerate(parts)]
    sent = []
    done = asyncio.Event()

    async def receive():
        if messages:
            return messages.pop(0)
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    done.set()
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, _json(data)


def _testclient_run(app, req):
    from starlette.testclient import TestClient
    if req.raw_decoy is not None:
        return asyncio.run(asgi_call(app, _scope(req), req.body))
    with TestClient(app) as c:
        kw = {"headers": list(req.headers), "content": req.body or None}
        if req.query_apart is not None:
            kw["params"] = req.query_apart
        r = c.request(req.method, "http://testserver" + req.target, **kw)
    return r.status_code, _json(r.content)


def run_asgi(req, mode):
    from diff_apps import make_starlette
    app, _ = cached(("asgi", mode), lambda: make_starlette(*MODES[mode]))
    return _testclient_run(app, req)


def run_fastapi(req, mode):
    from diff_apps import make_fastapi
    app, _ = cached(("fastapi", mode), lambda: make_fastapi(*MODES[mode]))
    return _testclient_run(app, req)


def run_gcp_aio(req, mode):
    return _testclient_run(gcp_app(mode, "diff_ahandler"), req)


# --- raw HTTP/1.1 on loopback (aiohttp's test server, gunicorn, uvicorn) ------------------------

def raw_bytes(req, host):
    """``req`` on the wire: the target as is, the headers in order (duplicates kept), the
    body with a Content-Length or chunked."""
    lines = [f"{req.method} {req.target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in req.headers]
    lines.append("Connection: close")
    body = req.body
    if req.chunked:
        lines.append("Transfer-Encoding: chunked")
        step = 65536
        parts = [b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step])
                 for i in range(0, len(body), step)]
        body = b"".join(parts) + b"0\r\n\r\n"
    elif body or req.method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def raw_http(port, req):
    """Sends ``req`` to 127.0.0.1:``port``; ``(status, echo)``. The request is written from a
    thread while the response is read, so that a server answering (413, 403) before reading
    a long body is still heard."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    data = raw_bytes(req, f"127.0.0.1:{port}")

    def write():
        with contextlib.suppress(OSError):
            sock.sendall(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        try:
            body = resp.read()
        except http.client.IncompleteRead as e:
            body = e.partial
        return resp.status, _json(body)
    finally:
        writer.join(timeout=20)
        sock.close()


class _AiohttpServers:
    """aiohttp test servers (one per mode) on an event loop of their own, in a thread."""

    def __init__(self):
        self.loop = None
        self.servers = {}

    def port(self, mode):
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, daemon=True).start()
        if mode not in self.servers:
            from aiohttp.test_utils import TestServer
            from diff_apps import make_aiohttp

            async def start():
                app, rasp = make_aiohttp(*MODES[mode])
                record(rasp)
                server = TestServer(app, host="127.0.0.1")
                await server.start_server()
                return server

            self.servers[mode] = asyncio.run_coroutine_threadsafe(start(), self.loop).result()
        return self.servers[mode].port

    def close(self):
        if self.loop is None:
            return
        for server in self.servers.values():
            asyncio.run_coroutine_threadsafe(server.close(), self.loop).result()
        self.servers.clear()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.loop = None


AIOHTTP = _AiohttpServers()


def run_aiohttp(req, mode):
    return raw_http(AIOHTTP.port(mode), req)


# --- AWS Lambda events (what API Gateway and function URLs build from the request) -------------

def _body_fields(req):
    try:
        return {"body": req.body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(req.body).decode(), "isBase64Encoded": True}


def _pairs(query):
    return parse_qsl(query, keep_blank_values=True)


def lambda_event(req, version):
    """The event for ``req``: ``version`` 1 (REST API), 2 (HTTP API) or "url" (function
    URL)."""
    from urllib.parse import unquote
    pairs = _pairs(req.query)
    apart = list((req.query_apart or {}).items())
    path = req.path
    raw_path = req.raw_decoy or path
    path_params = {"rest": unquote(path[3:])} if path.startswith("/p/") else None
    if version == 1:
        multi_q, single_q = {}, {}
        for k, v in pairs:
            multi_q.setdefault(k, []).append(v)
            single_q[k] = v
        for k, v in apart:
            single_q[k] = v
        multi_h, single_h = {}, {}
        for k, v in req.headers:
            multi_h.setdefault(k, []).append(v)
            single_h[k] = v
        event = {
            "resource": "/{proxy+}", "path": unquote(raw_path), "httpMethod": req.method,
            "headers": single_h, "multiValueHeaders": multi_h,
            "queryStringParameters": single_q or None,
            "multiValueQueryStringParameters": multi_q or None,
            "pathParameters": path_params,
            "requestContext": {"identity": {"sourceIp": "198.51.100.23"},
                               "path": "/prod" + unquote(path), "stage": "prod"},
        }
    else:
        single_q = {}
        for k, v in pairs:
            single_q[k] = single_q[k] + "," + v if k in single_q else v
        for k, v in apart:
            single_q[k] = v
        headers, cookies = {}, []
        for k, v in req.headers:
            if k.lower() == "cookie":
                cookies += [c.strip() for c in v.split(";") if c.strip()]
                continue
            k = k.lower()
            headers[k] = headers[k] + "," + v if k in headers else v
        event = {
            "version": "2.0", "routeKey": "$default", "rawPath": raw_path,
            "rawQueryString": req.query, "headers": headers,
            "queryStringParameters": single_q or None, "pathParameters": path_params,
            "requestContext": {"http": {"method": req.method, "path": unquote(path),
                                        "protocol": "HTTP/1.1",
                                        "sourceIp": "198.51.100.23"},
                               "domainName": ("x.lambda-url.eu-west-3.on.aws"
                                              if version == "url" else
                                              "x.execute-api.eu-west-3.amazonaws.com")},
        }
        if cookies:
            event["cookies"] = cookies
    if req.body:
        event.update(_body_fields(req))
    if req.event_patch is not None:
        req.event_patch(event)
    return event


def _run_lambda(req, mode, version):
    from diff_apps import make_lambda
    handler, _ = cached(("lambda", mode), lambda: make_lambda(*MODES[mode]))
    out = handler(lambda_event(req, version), None)
    body = out.get("body") or ""
    if out.get("isBase64Encoded"):
        body = base64.b64decode(body)
    return out["statusCode"], _json(body)


def run_lambda_v1(req, mode):
    return _run_lambda(req, mode, 1)


def run_lambda_v2(req, mode):
    return _run_lambda(req, mode, 2)


def run_lambda_url(req, mode):
    return _run_lambda(req, mode, "url")


# --- Azure Functions (the HttpRequest the Functions host builds) ------------------------------

def azure_request(req):
    import azure.functions as func
    from urllib.parse import unquote
    params = {}
    for k, v in _pairs(req.query):
        params[k] = params[k] + "," + v if k in params else v
    params.update(req.query_apart or {})
    path = req.path
    url_path = req.raw_decoy or path
    kw = {
        "method": req.method,
        "url": "https://fn.azurewebsites.net" + url_path + ("?" + req.query if req.query else ""),
        "headers": {k.lower(): v for k, v in _joined_headers(req).items()},
        "params": params,
        "route_params": {"rest": unquote(path[3:])} if path.startswith("/p/") else {},
        "body": req.body,
    }
    kw["headers"].setdefault("x-forwarded-for", "198.51.100.23:50000")
    if req.event_patch is not None:
        req.event_patch(kw)
    return func.HttpRequest(**kw)


def run_azure(req, mode):
    from diff_apps import make_azure
    handler, _ = cached(("azure", mode), lambda: make_azure(*MODES[mode]))
    r = handler(azure_request(req))
    return r.status_code, _json(r.get_body())


# --- real servers ----------------------------------------------------------------------------------

class RealServers:
    """gunicorn (Flask) and uvicorn (FastAPI), each in block and monitor mode, started on
    first use and stopped at the end of the session."""

    def __init__(self):
        self._stack = contextlib.ExitStack()
        self._ports = {}

    def port(self, server, mode):
        key = (server, mode)
        if key not in self._ports:
            from _servers import free_port, serving
            port = free_port()
            template, params = MODES[mode]
            os.environ["IRONWARD_TEST_DIFF"] = json.dumps({"template": template,
                                                           "params": params})
            if server == "gunicorn":
                argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                        "--workers", "1", "--chdir", HERE, "diff_apps:flask_app"]
            else:
                argv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port",
                        str(port), "--app-dir", HERE, "--no-access-log",
                        "diff_apps:fastapi_app"]
            self._stack.enter_context(serving(server, argv, port))
            self._ports[key] = port
        return self._ports[key]

    def close(self):
        self._stack.close()
        self._ports.clear()
        AIOHTTP.close()
        _CACHE.clear()


SERVERS = RealServers()


def run_gunicorn(req, mode):
    return raw_http(SERVERS.port("gunicorn", mode), req)


def run_uvicorn(req, mode):
    return raw_http(SERVERS.port("uvicorn", mode), req)


def run_chunked(adapter, req, mode):
    """``req``'s body sent chunked (no Content-Length) to an in-process adapter, as a server
    hands such a body over: a WSGI environ with ``wsgi.input_terminated``, ASGI body messages,
    aiohttp's own chunked decoding."""
    if adapter in ("flask", "wsgi", "gcp"):
        import io
        if adapter == "flask":
            from diff_apps import make_flask
            app = cached(("flask", mode), lambda: make_flask(*MODES[mode]))[0]
            client = app.test_client(use_cookies=False)
        elif adapter == "wsgi":
            from werkzeug.test import Client
            from diff_apps import make_wsgi
            client = Client(cached(("wsgi", mode), lambda: make_wsgi(*MODES[mode]))[0],
                            use_cookies=False)
        else:
            client = gcp_app(mode).test_client(use_cookies=False)
        r = client.open(req.target, method=req.method, headers=list(req.headers),
                        input_stream=io.BytesIO(req.body), environ_overrides={
                            "CONTENT_LENGTH": "", "wsgi.input_terminated": True,
                            "HTTP_TRANSFER_ENCODING": "chunked"})
        return r.status_code, _json(r.data)
    if adapter in ("asgi", "fastapi", "gcp_aio", "django_async"):
        if adapter == "django_async":
            from django.core.handlers.asgi import ASGIHandler
            with _django_settings(mode):
                app = cached(("django_asgi", mode), lambda: _django_handler(ASGIHandler()))[0]
                return asyncio.run(asgi_call(app, _scope(req, prefix="/a"), req.body, 65536))
        if adapter == "gcp_aio":
            app = gcp_app(mode, "diff_ahandler")
        else:
            from diff_apps import make_fastapi, make_starlette
            make = make_starlette if adapter == "asgi" else make_fastapi
            app = cached((adapter, mode), lambda: make(*MODES[mode]))[0]
        return asyncio.run(asgi_call(app, _scope(req), req.body, 65536))
    if adapter == "aiohttp":
        import dataclasses
        return run_aiohttp(dataclasses.replace(req, chunked=True), mode)
    raise ValueError(adapter)


CHUNKED = ["flask", "wsgi", "gcp", "asgi", "fastapi", "gcp_aio", "django_async", "aiohttp"]


RUNNERS = {
    "flask": run_flask,
    "wsgi": run_wsgi,
    "gcp": run_gcp,
    "gcp_aio": run_gcp_aio,
    "django": run_django,
    "django_async": run_django_async,
    "asgi": run_asgi,
    "fastapi": run_fastapi,
    "aiohttp": run_aiohttp,
    "lambda_v1": run_lambda_v1,
    "lambda_v2": run_lambda_v2,
    "lambda_url": run_lambda_url,
    "azure": run_azure,
    "gunicorn": run_gunicorn,
    "uvicorn": run_uvicorn,
}


def strings(doc):
    """Every string (keys included) in a JSON document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield k
            yield from strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from strings(v)
    elif isinstance(doc, str):
        yield doc


def reads(echo, needle):
    """True when the handler's echo shows ``needle`` (the handler read the payload)."""
    return echo is not None and any(needle in s for s in strings(echo))
