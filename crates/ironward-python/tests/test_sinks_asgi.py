"""Sink checks under ASGI: FastAPI (``FastApiRASP``) and a bare Starlette app (``AsgiRASP``),
with concurrent requests on one event loop proving that each request's context stays its own
(``contextvars``), sync endpoints run in Starlette's thread pool, and a view that swallows the
exception."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi import FastAPI  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from ironward import AsgiRASP, FastApiRASP  # noqa: E402

from _sinkutil import SQLI, SQLI_2, lookup_concat, lookup_param, make_db  # noqa: E402
from conftest import params  # noqa: E402


def fastapi_app(db: str, gate: "asyncio.Event | None" = None) -> FastAPI:
    app = FastAPI()

    @app.get("/user")
    async def user(name: str = ""):
        if gate is not None:
            await gate.wait()  # every concurrent request is in flight before any query
        return lookup_concat(db, name)

    @app.get("/user-sync")
    def user_sync(name: str = ""):  # runs in the thread pool, with a copy of the context
        return lookup_concat(db, name)

    @app.get("/user-param")
    async def user_param(name: str = ""):
        return lookup_param(db, name)

    @app.get("/own")
    async def own(q: str = ""):
        if gate is not None:
            await gate.wait()
        return {"n": len(lookup_concat(db, SQLI))}  # the application's own text

    @app.get("/caught")
    async def caught(name: str = ""):
        try:
            return lookup_concat(db, name)
        except Exception as e:  # noqa: BLE001
            return {"error": str(e)}

    @app.get("/task")
    async def task(name: str = ""):
        # A task the handler starts inherits the request's context.
        return await asyncio.create_task(asyncio.to_thread(lookup_concat, db, name))

    return app


async def get(app, path, **qs):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return await c.get(path, params=qs)


@pytest.fixture
def db(tmp_path):
    return make_db(str(tmp_path))


async def test_fastapi_blocks_the_injection_and_passes_parameters(db):
    app = fastapi_app(db)
    FastApiRASP(app, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    r = await get(app, "/user", name="alice")
    assert r.status_code == 200 and r.json() == [["alice", "s-alice"]]
    r = await get(app, "/user", name=SQLI)
    assert r.status_code == 403 and r.text == "Blocked"
    assert (await get(app, "/user-sync", name=SQLI)).status_code == 403
    assert (await get(app, "/task", name=SQLI)).status_code == 403
    r = await get(app, "/user-param", name=SQLI)
    assert r.status_code == 200 and r.json() == []
    # The view catches the exception and answers: replaced by the block response.
    assert (await get(app, "/caught", name=SQLI_2)).status_code == 403


async def test_concurrent_requests_on_one_loop_keep_their_own_context(db):
    gate = asyncio.Event()
    app = fastapi_app(db, gate)
    FastApiRASP(app, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        calls = []
        for i in range(10):
            if i % 2:
                calls.append(c.get("/user", params={"name": SQLI}))
            else:
                calls.append(c.get("/own", params={"q": f"benign {i}"}))
        pending = [asyncio.ensure_future(x) for x in calls]
        await asyncio.sleep(0.2)  # all ten requests are waiting on the gate
        gate.set()
        results = await asyncio.gather(*pending)
    for i, r in enumerate(results):
        if i % 2:
            assert r.status_code == 403, i
        else:
            assert r.status_code == 200 and r.json() == {"n": 2}, i


async def test_bare_asgi_app_and_monitor_mode(db):
    async def user(request):
        rows = lookup_concat(db, request.query_params.get("name", ""))
        return JSONResponse(rows)

    async def swallow(request):
        try:
            lookup_concat(db, request.query_params.get("name", ""))
        except sqlite3.Error:
            pass
        except PermissionError:
            return PlainTextResponse("swallowed")
        return PlainTextResponse("ran")

    inner = Starlette(routes=[Route("/user", user), Route("/swallow", swallow)])
    app = AsgiRASP(inner, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    assert (await get(app, "/user", name=SQLI)).status_code == 403
    assert (await get(app, "/swallow", name=SQLI)).status_code == 403
    assert (await get(app, "/user", name="bob")).json() == [["bob", "s-bob"]]
    monitor = AsgiRASP(inner, template="sink", params=params(SINK_CHECKS={"sql": 3}))
    r = await get(monitor, "/user", name=SQLI)
    assert r.status_code == 200 and len(r.json()) == 2


async def test_responses_are_inspected_with_sinks_on(db):
    # DLP on (conftest params): the response gate and the sink gate together.
    async def user(request):
        return PlainTextResponse("card 4111111111111111" if request.query_params.get("leak")
                                 else str(lookup_concat(db, request.query_params["name"])))

    app = AsgiRASP(Starlette(routes=[Route("/user", user)]), template="sink",
                   params=params(SINK_CHECKS={"sql": 1}))
    assert (await get(app, "/user", name=SQLI)).status_code == 403
    assert (await get(app, "/user", name="alice")).status_code == 200
    assert (await get(app, "/user", name="x", leak="1")).status_code == 403
