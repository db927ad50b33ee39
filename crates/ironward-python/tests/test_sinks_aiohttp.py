"""Sink checks under aiohttp (``AiohttpRASP``), through pytest-aiohttp's client: a blocked
injection, a handler that swallows the exception, and concurrent requests on one loop."""

from __future__ import annotations

import asyncio

import pytest

web = pytest.importorskip("aiohttp.web")

from ironward import AiohttpRASP  # noqa: E402

from _sinkutil import SQLI, lookup_concat, lookup_param, make_db  # noqa: E402
from conftest import params  # noqa: E402


def make_app(db: str, gate: asyncio.Event) -> web.Application:
    async def user(request):
        if request.query.get("wait"):
            await gate.wait()
        return web.json_response(lookup_concat(db, request.query.get("name", "")))

    async def own(request):
        await gate.wait()
        return web.json_response({"n": len(lookup_concat(db, SQLI))})

    async def param(request):
        return web.json_response(lookup_param(db, request.query.get("name", "")))

    async def caught(request):
        try:
            lookup_concat(db, request.query.get("name", ""))
        except PermissionError:
            raise web.HTTPInternalServerError()
        return web.Response(text="ran")

    app = web.Application()
    app.router.add_get("/user", user)
    app.router.add_get("/own", own)
    app.router.add_get("/param", param)
    app.router.add_get("/caught", caught)
    return app


async def test_aiohttp_sinks(aiohttp_client, tmp_path):
    db = make_db(str(tmp_path))
    gate = asyncio.Event()
    app = make_app(db, gate)
    AiohttpRASP(app, template="sink", params=params(SINK_CHECKS={"sql": 1}))
    client = await aiohttp_client(app)
    r = await client.get("/user", params={"name": SQLI})
    assert r.status == 403 and await r.text() == "Blocked"
    assert (await client.get("/param", params={"name": SQLI})).status == 200
    assert (await client.get("/caught", params={"name": SQLI})).status == 403
    # Concurrent: attacks and benign requests in flight together.
    calls = [client.get("/user", params={"name": SQLI, "wait": "1"}) if i % 2
             else client.get("/own", params={"q": f"x{i}"}) for i in range(6)]
    pending = [asyncio.ensure_future(c) for c in calls]
    await asyncio.sleep(0.2)
    gate.set()
    results = await asyncio.gather(*pending)
    for i, r in enumerate(results):
        if i % 2:
            assert r.status == 403, i
        else:
            assert r.status == 200 and await r.json() == {"n": 2}, i
