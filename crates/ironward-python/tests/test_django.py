"""DjangoRASP through Django's test client (settings configured in this module)."""

import hashlib
import json

import django
import pytest
from django.conf import settings

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, TRAVERSAL_FORM, params

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["ironward.DjangoRASP"],
        INSTALLED_APPS=[],
        IRONWARD_PARAMS=params(),
    )
    django.setup()

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
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


urlpatterns = [
    path("", index, name="index"),
    path("json", echo_json, name="json"),
    path("form", echo_form, name="form"),
    path("upload", upload, name="upload"),
    path("raw", raw, name="raw"),
    path("leak", leak, name="leak"),
    path("stream", stream, name="stream"),
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


@override_settings(IRONWARD_PARAMS=params(MAX_BODY_BYTES=1024))
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
