"""Sink checks under Django (``DjangoRASP`` middleware), sync and async views, through
Django's test clients."""

from __future__ import annotations

import pytest

from conftest import configure_django, params

configure_django()

from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from _sinkutil import SQLI, SQLI_2, lookup_concat, lookup_param, make_db  # noqa: E402

DB = {"path": ""}


def user(request):
    return JsonResponse(lookup_concat(DB["path"], request.GET.get("name", "")), safe=False)


def param(request):
    return JsonResponse(lookup_param(DB["path"], request.GET.get("name", "")), safe=False)


def caught(request):
    try:
        lookup_concat(DB["path"], request.GET.get("name", ""))
    except Exception:  # noqa: BLE001
        return HttpResponse("swallowed")
    return HttpResponse("ran")


async def auser(request):
    return JsonResponse(lookup_concat(DB["path"], request.GET.get("name", "")), safe=False)


urlpatterns = [
    path("user", user),
    path("param", param),
    path("caught", caught),
    path("auser", auser),
]

SETTINGS = dict(ROOT_URLCONF="test_sinks_django", IRONWARD_TEMPLATE="sink",
                IRONWARD_PARAMS=params(SINK_CHECKS={"sql": 1}))


@pytest.fixture(autouse=True)
def database(tmp_path):
    DB["path"] = make_db(str(tmp_path))


@override_settings(**SETTINGS)
def test_django_sync_views():
    c = Client(raise_request_exception=False)
    assert c.get("/user", {"name": "alice"}).json() == [["alice", "s-alice"]]
    r = c.get("/user", {"name": SQLI})
    assert r.status_code == 403 and r.content == b"Blocked"
    assert c.get("/param", {"name": SQLI}).json() == []
    r = c.get("/caught", {"name": SQLI_2})
    assert r.status_code == 403 and r.content == b"Blocked"


@override_settings(**SETTINGS)
async def test_django_async_views():
    c = AsyncClient(raise_request_exception=False)
    r = await c.get("/auser", {"name": SQLI})
    assert r.status_code == 403
    r = await c.get("/user", {"name": SQLI})  # a sync view under the async handler
    assert r.status_code == 403
    r = await c.get("/auser", {"name": "bob"})
    assert r.status_code == 200 and r.json() == [["bob", "s-bob"]]
