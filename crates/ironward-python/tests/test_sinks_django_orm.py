"""Sink checks under Django's ORM on SQLite: a benign corpus of ORM queries whose user strings
are full of quotes, comments, SQL words and unicode gives no finding, and a raw query built by
concatenation is blocked at the sink (Django's SQLite backend runs its own cursor class)."""

from __future__ import annotations

import pytest

import ironward

from conftest import configure_django, params

configure_django()

from django.db import connection, models  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402


class Note(models.Model):
    """A table the views query through the ORM."""

    title = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        app_label = "ironward_sink_tests"


TRICKY = [
    "O'Brien",
    "' OR 1=1 --",
    "1; DROP TABLE notes",
    "admin'--",
    "/* comment */ select * from users",
    "Robert'); DROP TABLE Students;--",
    "naïve café — “quotes” 'single' \"double\"",
    "%' UNION SELECT password FROM users --",
    "\\' OR '1'='1",
    "$$ OR 1=1 $$",
    "SELECT a plan -- that's it",
    "null",
    "0x27",
    "日本語のテキスト",
]


def search(request):
    """The ORM with user strings: filters, lookups, ordering by a fixed field, inserts."""
    q = request.GET.get("q", "")
    Note.objects.create(title=q, body=q + " body")
    found = list(Note.objects.filter(title=q).values_list("title", flat=True))
    list(Note.objects.filter(title__icontains=q).exclude(body__startswith=q).order_by("-id"))
    list(Note.objects.filter(models.Q(title__in=[q, "x"]) | models.Q(body__contains=q))[:5])
    Note.objects.filter(title=q).update(body=q)
    return JsonResponse({"found": found})


def raw(request):
    """Deliberately vulnerable: a raw query built by concatenation."""
    q = request.GET.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM ironward_sink_tests_note WHERE title = '" + q + "'")
        rows = cursor.fetchall()
    return JsonResponse({"rows": rows})


urlpatterns = [path("search", search), path("raw", raw)]

SETTINGS = dict(
    ROOT_URLCONF="test_sinks_django_orm",
    IRONWARD_TEMPLATE="sink",
    IRONWARD_PARAMS=params(SINK_CHECKS={"sql": 1}),
)


@pytest.fixture(autouse=True, scope="module")
def table():
    # Connections opened before the instrumentation is installed are not covered (the
    # connection object is the driver's own): a real deployment builds the middleware, which
    # installs it, before its first request opens one. Here another suite may have opened the
    # in-memory database already, so install first and start from a new connection.
    ironward.install()
    connection.close()
    with connection.schema_editor() as editor:
        editor.create_model(Note)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(Note)


@override_settings(**SETTINGS)
def test_orm_queries_with_tricky_strings_are_never_blocked():
    c = Client(raise_request_exception=False)
    blocked = []
    for q in TRICKY:
        r = c.get("/search", {"q": q})
        if r.status_code != 200 or r.json() != {"found": [q]}:
            blocked.append((q, r.status_code))
    print(f"django ORM benign: {len(TRICKY) - len(blocked)} / {len(TRICKY)} passed")
    assert blocked == []


@override_settings(**SETTINGS)
def test_a_raw_concatenated_query_is_blocked_at_the_sink():
    c = Client(raise_request_exception=False)
    Note.objects.create(title="secret", body="s")
    r = c.get("/raw", {"q": "x' OR '1'='1"})
    assert r.status_code == 403, r.content
    r = c.get("/raw", {"q": "secret"})
    assert r.status_code == 200 and r.json() == {"rows": [["secret"]]}
