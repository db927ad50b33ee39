"""LambdaRASP on API Gateway REST (payload 1.0), HTTP API (2.0) and function-URL events, given
as dicts (fixtures shaped after AWS's documented examples, with our own values)."""

import base64
import copy
import json
import os

import pytest

import ironward.lambdarasp as lambdarasp
from ironward import ConfigError, Engine, LambdaRASP

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, params

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_IP = "198.51.100.23"


def event(name):
    with open(os.path.join(HERE, "fixtures", "lambda", name + ".json")) as f:
        return json.load(f)


KINDS = ["rest_v1", "http_v2", "function_url"]


def handler(event, context):
    """Echoes what it got; leaks a card number when asked."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    if "leak" in json.dumps(event.get("queryStringParameters") or {}):
        return {"statusCode": 200, "headers": {"Content-Type": "text/plain"},
                "body": f"your card: {CARD}"}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"body": body, "context": context})}


def protect(**extra):
    rasp = LambdaRASP(params=params(**extra))
    return rasp.register(handler), rasp


def with_query(ev, name, value, raw):
    """Sets one query parameter the way each payload format carries it."""
    ev = copy.deepcopy(ev)
    if "rawQueryString" in ev:
        ev["rawQueryString"] = raw
        ev["queryStringParameters"] = {name: value}
    else:
        ev["queryStringParameters"] = {name: value}
        ev["multiValueQueryStringParameters"] = {name: [value]}
    return ev


def with_body(ev, body):
    ev = copy.deepcopy(ev)
    if ev.get("isBase64Encoded"):
        ev["body"] = base64.b64encode(body.encode()).decode()
    else:
        ev["body"] = body
    return ev


def with_header(ev, name, value):
    ev = copy.deepcopy(ev)
    ev["headers"][name] = value
    if "multiValueHeaders" in ev:
        ev["multiValueHeaders"][name] = [value]
    return ev


@pytest.mark.parametrize("kind", KINDS)
def test_benign_event_passes_with_body_intact(kind):
    h, _ = protect()
    r = h(event(kind), "ctx")
    assert r["statusCode"] == 200
    assert json.loads(r["body"]) == {"body": '{"item": "shoes", "qty": 2}', "context": "ctx"}
    assert r["headers"]["Server"] == "Apache"


@pytest.mark.parametrize("kind", KINDS)
def test_attack_in_query_blocked_in_the_events_shape(kind):
    h, rasp = protect()
    r = h(with_query(event(kind), "q", ";cat /etc/passwd", ATTACK_QUERY), None)
    assert r["statusCode"] == 403 and r["body"] == "Blocked"
    assert r["isBase64Encoded"] is False
    assert r["headers"]["Content-Type"].startswith("text/html")
    assert r["headers"]["Server"] == "Apache"
    assert ("multiValueHeaders" in r) == (kind == "rest_v1")
    assert rasp.get_blacklist() == [SOURCE_IP]


@pytest.mark.parametrize("kind", KINDS)
def test_attacks_in_body_header_and_path_blocked(kind):
    h, _ = protect()
    assert h(with_body(event(kind), json.dumps(SSRF_JSON)), None)["statusCode"] == 403
    h, _ = protect()
    assert h(with_header(event(kind), "User-Agent", JNDI), None)["statusCode"] == 403
    h, _ = protect()
    ev = event(kind)
    if "rawPath" in ev:
        ev["rawPath"] = "/.env"
    else:
        ev["path"] = "/.env"
    assert h(ev, None)["statusCode"] == 403


def test_cookies_of_http_api_events_are_inspected():
    h, _ = protect()
    ev = event("http_v2")
    ev["cookies"] = ["session=;cat /etc/passwd"]
    assert h(ev, None)["statusCode"] == 403


def test_multi_value_query_is_not_hpp():
    h, _ = protect()
    ev = event("rest_v1")
    assert ev["multiValueQueryStringParameters"]["tag"] == ["red", "blue"]
    assert h(ev, None)["statusCode"] == 200


def test_forwarded_for_only_from_trusted_proxy():
    h, rasp = protect()
    ev = with_header(with_query(event("http_v2"), "q", ";cat /etc/passwd", ATTACK_QUERY),
                     "x-forwarded-for", "203.0.113.5")
    h(ev, None)
    assert rasp.get_blacklist() == [SOURCE_IP]
    h, rasp = protect(TRUSTED_PROXIES=[SOURCE_IP + "/32"])
    h(ev, None)
    assert rasp.get_blacklist() == ["203.0.113.5"]


def test_monitor_mode_passes_and_reports(capfd):
    rasp = LambdaRASP(template="monitor", params={"VERBOSE": 10})
    h = rasp.register(handler)
    r = h(with_query(event("http_v2"), "q", ";cat /etc/passwd", ATTACK_QUERY), None)
    assert r["statusCode"] == 200
    assert "[!] Command Injection: qs_values -> ;cat /etc/passwd" in capfd.readouterr().err


@pytest.mark.parametrize("kind", KINDS)
def test_card_number_in_result_blocked(kind):
    h, _ = protect()
    r = h(with_query(event(kind), "x", "leak", "x=leak"), None)
    assert r["statusCode"] == 403 and CARD not in r["body"]


def test_base64_result_and_inferred_v2_result_inspected():
    rasp = LambdaRASP(params=params())

    @rasp.register
    def b64(event, context):
        return {"statusCode": 200, "isBase64Encoded": True,
                "headers": {"Content-Type": "text/plain"},
                "body": base64.b64encode(f"card {CARD}".encode()).decode()}

    assert b64(event("function_url"), None)["statusCode"] == 403

    @rasp.register
    def plain(event, context):
        return {"card": CARD}  # no statusCode: AWS answers 200 with it as JSON

    assert plain(event("http_v2"), None)["statusCode"] == 403

    @rasp.register
    def clean(event, context):
        return {"ok": True}

    assert clean(event("http_v2"), None) == {"ok": True}


def test_body_over_the_cap_is_inspected_by_prefix():
    h, _ = protect(MAX_BODY_BYTES=64, BODY_LIMIT_ACTION="monitor")
    ev = with_body(event("function_url"), json.dumps({"a": "x" * 500}))
    assert h(ev, None)["statusCode"] == 200


def test_non_http_events_pass_untouched():
    h, _ = protect()
    sqs = {"Records": [{"eventSource": "aws:sqs", "body": ";cat /etc/passwd"}]}
    seen = []

    def consumer(event, context):
        seen.append(event)
        return "done"

    assert LambdaRASP(params=params()).register(consumer)(sqs, None) == "done"
    assert seen == [sqs]


def test_invalid_config_raises():
    with pytest.raises(ConfigError):
        LambdaRASP(params={"VERBOSE": "loud"})


def test_native_internal_error_fails_open(capfd):
    h, rasp = protect()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    r = h(with_query(event("rest_v1"), "q", ";cat /etc/passwd", ATTACK_QUERY), None)
    assert r["statusCode"] == 200
    assert "Ironward internal error (allow)" in capfd.readouterr().err


def test_python_layer_error_fails_open_and_closed(monkeypatch):
    h, rasp = protect()

    def boom(event):
        raise RuntimeError("boom")

    monkeypatch.setattr(lambdarasp, "parse_event", boom)
    assert h(event("rest_v1"), None)["statusCode"] == 200
    rasp.set_config({"FAIL_OPEN": False})
    r = h(event("http_v2"), None)
    assert r["statusCode"] == 403 and "multiValueHeaders" not in r
