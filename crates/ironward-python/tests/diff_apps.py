"""Echo applications for the differential tests (test_differential.py) and the property tests
(test_inspected.py): one per framework, each answering with everything the framework itself
parsed from the request — query parameters, form fields and file names, cookies, the body
read as JSON the way handlers commonly do, the path parameter, the ``X-Test`` header — as
JSON. A differential case is real for an adapter when this echo, with the RASP in monitor
mode, shows the attack: the handler would have read it.

Routes, in every framework: ``/echo`` and ``/p/<anything, slashes included>`` (the path
parameter). The Django views are in this module too (``ROOT_URLCONF = "diff_apps"``).

gunicorn serves ``diff_apps:flask_app`` and uvicorn ``diff_apps:fastapi_app`` (real servers,
test_differential.py), configured from ``IRONWARD_TEST_DIFF`` (``{"template": ...,
"params": {...}}``) in their environment.
"""

import base64
import json
import os
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl


def _strings(out):
    """A JSON-safe copy (bytes as latin-1 text)."""
    if isinstance(out, dict):
        return {str(k): _strings(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return [_strings(v) for v in out]
    if isinstance(out, (bytes, bytearray)):
        return bytes(out).decode("latin-1")
    return out


def simple_cookies(header):
    """Cookies as ``http.cookies.SimpleCookie`` reads them (what serverless handlers use)."""
    c = SimpleCookie()
    try:
        c.load(header or "")
    except Exception:
        return {}
    return {k: m.value for k, m in c.items()}


def try_json(data):
    try:
        return json.loads(data)
    except Exception:
        return None


# --- Flask (also under gunicorn, and functions-framework's Flask request) ---------------------

def echo_werkzeug(req, param=None):
    """What a Flask view (or any werkzeug ``Request`` user) reads."""
    return _strings({
        "args": req.args.to_dict(flat=False),
        "form": req.form.to_dict(flat=False),
        "files": {k: [f.filename for f in req.files.getlist(k)] for k in req.files},
        "cookies": req.cookies.to_dict(flat=False),
        "json": req.get_json(force=True, silent=True),
        "path": req.path,
        "param": param,
        "header": req.headers.getlist("X-Test"),
    })


def make_flask(template="default", params=None):
    from flask import Flask, jsonify, request

    from ironward import FlaskRASP

    app = Flask("diff_flask")

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo():
        return jsonify(echo_werkzeug(request))

    @app.route("/p/<path:rest>", methods=["GET", "POST"])
    def p(rest):
        return jsonify(echo_werkzeug(request, rest))

    @app.route("/")
    def index():
        return "home"

    rasp = FlaskRASP(app, template=template, params=params or {})
    return app, rasp


# --- plain WSGI: WsgiRASP around a WSGI callable that parses with werkzeug ----------------------

def make_wsgi(template="default", params=None):
    from werkzeug.wrappers import Request, Response

    from ironward import WsgiRASP

    def application(environ, start_response):
        req = Request(environ)
        path = req.path
        if path == "/echo":
            out = echo_werkzeug(req)
        elif path.startswith("/p/"):
            out = echo_werkzeug(req, path[3:])
        else:
            return Response("home")(environ, start_response)
        return Response(json.dumps(out), mimetype="application/json")(environ, start_response)

    rasp = WsgiRASP(application, template=template, params=params or {})
    return rasp, rasp


# --- Django (sync and async views; ROOT_URLCONF = "diff_apps") ----------------------------------

def echo_django(request, rest=None):
    body = request.body  # first: Django refuses it once POST has consumed the stream
    return _strings({
        "args": {k: request.GET.getlist(k) for k in request.GET},
        "form": {k: request.POST.getlist(k) for k in request.POST},
        "files": {k: [f.name for f in request.FILES.getlist(k)] for k in request.FILES},
        "cookies": dict(request.COOKIES),
        "json": try_json(body),
        "path": request.path,
        "param": rest,
        "header": [request.headers.get("X-Test")],
    })


def dj_echo(request):
    from django.http import JsonResponse
    return JsonResponse(echo_django(request))


def dj_p(request, rest):
    from django.http import JsonResponse
    return JsonResponse(echo_django(request, rest))


async def dj_aecho(request):
    from django.http import JsonResponse
    return JsonResponse(echo_django(request))


async def dj_ap(request, rest):
    from django.http import JsonResponse
    return JsonResponse(echo_django(request, rest))


def _django_urls():
    from django.urls import re_path

    return [
        re_path(r"^echo$", dj_echo),
        re_path(r"^p/(?P<rest>.*)$", dj_p),
        re_path(r"^a/echo$", dj_aecho),
        re_path(r"^a/p/(?P<rest>.*)$", dj_ap),
    ]


# --- Starlette / FastAPI (also under uvicorn) -------------------------------------------------------

async def echo_starlette(request, param=None):
    """What a Starlette or FastAPI endpoint reads."""
    body = await request.body()
    out = {
        "args": {k: request.query_params.getlist(k) for k in request.query_params},
        "cookies": dict(request.cookies),
        "json": try_json(body),  # what `await request.json()` does
        "path": request.url.path,
        "param": param,
        "header": request.headers.getlist("x-test"),
    }
    form, files = {}, {}
    try:
        data = await request.form()
        for k, v in data.multi_items():
            if isinstance(v, str):
                form.setdefault(k, []).append(v)
            else:
                files.setdefault(k, []).append(v.filename)
    except Exception:
        pass
    out["form"], out["files"] = form, files
    return _strings(out)


def make_starlette(template="default", params=None):
    """A Starlette app wrapped in ``AsgiRASP`` (the ASGI adapter)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    from ironward import AsgiRASP

    async def echo(request):
        return JSONResponse(await echo_starlette(request))

    async def p(request):
        return JSONResponse(await echo_starlette(request, request.path_params["rest"]))

    async def index(request):
        return PlainTextResponse("home")

    inner = Starlette(routes=[
        Route("/", index),
        Route("/echo", echo, methods=["GET", "POST", "PUT"]),
        Route("/p/{rest:path}", p, methods=["GET", "POST"]),
    ])
    rasp = AsgiRASP(inner, template=template, params=params or {})
    return rasp, rasp


def make_fastapi(template="default", params=None):
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, PlainTextResponse

    from ironward import FastApiRASP

    app = FastAPI()

    @app.get("/")
    async def index():
        return PlainTextResponse("home")

    @app.api_route("/echo", methods=["GET", "POST", "PUT"])
    async def echo(request: Request):
        return JSONResponse(await echo_starlette(request))

    @app.api_route("/p/{rest:path}", methods=["GET", "POST"])
    async def p(request: Request, rest: str):
        return JSONResponse(await echo_starlette(request, rest))

    rasp = FastApiRASP(app, template=template, params=params or {})
    return app, rasp


# --- aiohttp ------------------------------------------------------------------------------------------

async def echo_aiohttp(request, param=None):
    """What an aiohttp handler reads: ``request.query``, ``await request.post()`` for forms
    (urlencoded, multipart, or no Content-Type at all), else ``await request.json()``."""
    out = {
        "args": {k: request.query.getall(k) for k in request.query.keys()},
        "cookies": dict(request.cookies),
        "path": request.path,
        "param": param,
        "header": request.headers.getall("X-Test", []),
        "form": {}, "files": {}, "json": None,
    }
    if request.content_type in ("", "application/x-www-form-urlencoded",
                                "multipart/form-data") and request.body_exists:
        try:
            data = await request.post()
            for k, v in data.items():
                if hasattr(v, "filename"):
                    out["files"].setdefault(k, []).append(v.filename)
                else:
                    out["form"].setdefault(k, []).append(v)
        except Exception:
            pass
    if not out["form"] and not out["files"]:
        try:
            out["json"] = await request.json()
        except Exception:
            pass
    return _strings(out)


def make_aiohttp(template="default", params=None):
    from aiohttp import web

    from ironward import AiohttpRASP

    # Bodies up to 8 MiB (aiohttp's default is 1 MiB, less than the inspected prefix).
    app = web.Application(client_max_size=8 * 1024 * 1024)

    async def echo(request):
        return web.json_response(await echo_aiohttp(request))

    async def p(request):
        return web.json_response(await echo_aiohttp(request, request.match_info["rest"]))

    async def index(request):
        return web.Response(text="home")

    app.router.add_get("/", index)
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/p/{rest:.*}", p)
    rasp = AiohttpRASP(app, template=template, params=params or {})
    return app, rasp


# --- AWS Lambda ---------------------------------------------------------------------------------------

def lambda_handler(event, context=None):
    """What a Lambda handler reads from an API Gateway or function-URL event."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    headers = event.get("headers") or {}
    multi_headers = event.get("multiValueHeaders") or {}
    cookie_header = next((v for k, v in headers.items() if k.lower() == "cookie"), "")
    cookies = simple_cookies(cookie_header)
    for c in event.get("cookies") or ():
        cookies.update(simple_cookies(c))
    args = {}
    for k, v in (event.get("queryStringParameters") or {}).items():
        args.setdefault(k, []).append(v)
    for k, vs in (event.get("multiValueQueryStringParameters") or {}).items():
        args.setdefault(k, []).extend(vs or ())
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    form = {}
    if ctype.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        for k, v in parse_qsl(body, keep_blank_values=True):
            form.setdefault(k, []).append(v)
    out = {
        "args": args,
        "form": form,
        "cookies": cookies,
        "json": try_json(body),
        "path": event.get("rawPath") or event.get("path"),
        "param": event.get("pathParameters"),
        "header": [v for k, v in headers.items() if k.lower() == "x-test"]
        + [v for k, vs in multi_headers.items() if k.lower() == "x-test" for v in vs],
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(_strings(out))}


def make_lambda(template="default", params=None):
    from ironward import LambdaRASP

    rasp = LambdaRASP(template=template, params=params or {})
    return rasp.register(lambda_handler), rasp


# --- Azure Functions ------------------------------------------------------------------------------

def azure_handler(req):
    """What an Azure Functions handler reads from its ``HttpRequest``."""
    import azure.functions as func

    try:
        doc = req.get_json()
    except Exception:
        doc = None
    try:
        form = {k: req.form.getlist(k) for k in req.form}
        files = {k: [f.filename for f in req.files.getlist(k)] for k in req.files}
    except Exception:
        form, files = {}, {}
    out = {
        "args": {k: [v] for k, v in req.params.items()},
        "form": form,
        "files": files,
        "cookies": simple_cookies(req.headers.get("cookie")),
        "json": doc,
        "path": req.url,
        "param": dict(req.route_params),
        "header": [req.headers.get("x-test")],
    }
    return func.HttpResponse(json.dumps(_strings(out)), mimetype="application/json")


def make_azure(template="default", params=None):
    from ironward import AzureRASP

    rasp = AzureRASP(template=template, params=params or {})
    return rasp.register(azure_handler), rasp


# --- real servers ---------------------------------------------------------------------------------------

def _server_conf():
    conf = json.loads(os.environ.get("IRONWARD_TEST_DIFF") or "{}")
    return conf.get("template", "default"), conf.get("params", {})


def __getattr__(name):
    # gunicorn and uvicorn load `diff_apps:flask_app` / `diff_apps:fastapi_app`: built on
    # first access, from the environment.
    if name == "flask_app":
        app, _ = make_flask(*_server_conf())
        globals()[name] = app
        return app
    if name == "fastapi_app":
        app, _ = make_fastapi(*_server_conf())
        globals()[name] = app
        return app
    if name == "urlpatterns":  # Django's URLconf, built when Django first asks
        globals()[name] = value = _django_urls()
        return value
    raise AttributeError(name)
