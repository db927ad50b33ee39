"""AzureRASP around Azure Functions HTTP handlers, called with ``azure.functions.HttpRequest``
objects as the Functions host builds them."""

import asyncio
import hashlib
import json

import pytest

func = pytest.importorskip("azure.functions")

import ironward.azurerasp as azurerasp
from ironward import AzureRASP, ConfigError, Engine

from conftest import CARD, JNDI, SSRF_JSON, params

CLIENT = "198.51.100.23"
BASE = "https://shop-fn.azurewebsites.net/api/orders"


def req(method="GET", url=BASE, body=b"", headers=None, client=CLIENT + ":52814"):
    h = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
         "accept": "application/json", "host": "shop-fn.azurewebsites.net"}
    if client:
        h["x-forwarded-for"] = client
    h.update(headers or {})
    return func.HttpRequest(method=method, url=url, headers=h, params={}, body=body)


def handler(req: func.HttpRequest) -> func.HttpResponse:
    if req.url.endswith("/leak"):
        return func.HttpResponse(f"card {CARD}", mimetype="text/plain")
    data = req.get_body()
    doc = {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}
    return func.HttpResponse(json.dumps(doc), mimetype="application/json")


def protect(**extra):
    rasp = AzureRASP(params=params(**extra))
    return rasp.register(handler), rasp


def test_benign_passes_with_body_intact():
    h, _ = protect()
    data = json.dumps({"item": "shoes", "qty": 2}).encode()
    r = h(req("POST", BASE + "?tag=a&tag=b", data, {"content-type": "application/json"}))
    assert r.status_code == 200
    assert json.loads(r.get_body()) == {"size": len(data), "sha": hashlib.sha256(data).hexdigest()}
    assert r.headers["Server"] == "Apache"


def test_attacks_blocked_with_the_configured_response():
    h, rasp = protect()
    r = h(req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd"))
    assert r.status_code == 403 and r.get_body() == b"Blocked"
    assert r.mimetype == "text/html" and r.headers["Server"] == "Apache"
    assert rasp.get_blacklist() == [CLIENT]
    h, _ = protect()
    body = json.dumps(SSRF_JSON).encode()
    assert h(req("POST", body=body, headers={"content-type": "application/json"})).status_code == 403
    h, _ = protect()
    assert h(req(headers={"user-agent": JNDI})).status_code == 403
    h, _ = protect(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope", **{"SECURITY_CHECKS.decoy": 1})
    r = h(req(url="https://shop-fn.azurewebsites.net/.env"))
    assert r.status_code == 406 and r.get_body() == b"Nope"


@pytest.mark.parametrize("xff,ip", [
    ("198.51.100.23:52814", "198.51.100.23"),
    ("[2001:db8::7]:52814", "2001:db8::7"),
    ("2001:db8::7", "2001:db8::7"),
    ("203.0.113.9, 198.51.100.23:4431", "198.51.100.23"),
    ("198.51.100.23", "198.51.100.23"),
    ("", None),
])
def test_client_ip(xff, ip):
    assert azurerasp.client_ip(xff) == ip


def test_spoofed_forwarded_for_is_not_the_client():
    h, rasp = protect()
    h(req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd", client="203.0.113.9, " + CLIENT + ":4431"))
    assert rasp.get_blacklist() == [CLIENT]


def test_monitor_passes_and_reports(capfd):
    h = AzureRASP(template="monitor", params={"VERBOSE": 10}).register(handler)
    assert h(req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd")).status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_leak_blocked():
    h, _ = protect()
    r = h(req(url=BASE + "/leak"))
    assert r.status_code == 403 and CARD.encode() not in r.get_body()


def test_async_handler():
    rasp = AzureRASP(params=params())

    @rasp.register
    async def ahandler(req):
        return func.HttpResponse("ok")

    assert asyncio.run(ahandler(req())).status_code == 200
    assert asyncio.run(ahandler(req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd"))).status_code == 403


def test_invalid_config_raises():
    with pytest.raises(ConfigError):
        AzureRASP(params={"BLOCK_ACTION": "explode"})


def test_internal_error_fails_open():
    h, rasp = protect()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert h(req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd")).status_code == 200


def test_python_layer_error_fails_open_and_closed(monkeypatch):
    h, rasp = protect()
    monkeypatch.setattr(azurerasp, "urlsplit", lambda url: 1 / 0)
    assert h(req()).status_code == 200
    rasp.set_config({"FAIL_OPEN": False})
    assert h(req()).status_code == 403


def test_bindings_passed_by_name():
    rasp = AzureRASP(params=params())

    @rasp.register
    def main(request: func.HttpRequest, context=None) -> func.HttpResponse:
        return func.HttpResponse("ok")

    assert main(request=req(), context=None).status_code == 200
    assert main(request=req(url=BASE + "?q=%3Bcat+%2Fetc%2Fpasswd")).status_code == 403
