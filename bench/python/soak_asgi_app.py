"""The FastAPI app of the uvicorn soak (``scripts/soak.sh``): the routes of
``bench/soak/src/bin/soak_server.rs`` — ``GET /``, ``GET /api/items?q=…`` (the query
read through ``request.query_params``), ``POST /echo`` (the body echoed) — protected by
FastApiRASP (Ironward's ASGI middleware, ``AsgiRASP``, with the app's routes for the route
check) with the configuration file named by ``IRONWARD_SOAK_CONF`` (the same file as the tower
server: ``TRUSTED_PROXIES`` 127.0.0.1, ``flood`` and ``brute`` at level 2).

    IRONWARD_SOAK_CONF=soak.json uvicorn --app-dir bench/python soak_asgi_app:app

``IRONWARD_SOAK_ASGI=plain`` wraps the app in ``AsgiRASP`` itself instead (no route table).
"""

import os

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from ironward import AsgiRASP, FastApiRASP

_conf = os.environ.get("IRONWARD_SOAK_CONF") or None

api = FastAPI()


@api.get("/")
async def index():
    return PlainTextResponse("home")


@api.get("/api/items")
async def items(request: Request):
    q = request.query_params.get("q", "")
    return PlainTextResponse(f"items: {len(request.query_params)} parameters, q of {len(q)} bytes")


@api.post("/echo")
async def echo(request: Request):
    return Response(await request.body(), media_type="application/json")


if os.environ.get("IRONWARD_SOAK_ASGI") == "plain":
    app = AsgiRASP(api, conf=_conf)
else:
    rasp = FastApiRASP(api, conf=_conf)
    app = api
