"""Sink checks under the serverless adapters: AWS Lambda (an HTTP API event), Azure Functions
(``HttpRequest``, sync and async handlers) and Google Cloud Functions (the Flask flow of
``GcpRASP``)."""

from __future__ import annotations

import copy
import json
import os
from urllib.parse import quote

import pytest

from ironward import LambdaRASP

from _sinkutil import SQLI, lookup_concat, lookup_param, make_db
from conftest import params

HERE = os.path.dirname(os.path.abspath(__file__))


def http_event(name: str) -> dict:
    with open(os.path.join(HERE, "fixtures", "lambda", "http_v2.json")) as f:
        ev = json.load(f)
    ev = copy.deepcopy(ev)
    ev["rawQueryString"] = "name=" + quote(name)
    ev["queryStringParameters"] = {"name": name}
    ev["body"] = None
    ev["isBase64Encoded"] = False
    return ev


def test_lambda_sinks(tmp_path):
    db = make_db(str(tmp_path))
    rasp = LambdaRASP(template="sink", params=params(SINK_CHECKS={"sql": 1}))

    @rasp.register
    def handler(event, context):
        rows = lookup_concat(db, event["queryStringParameters"]["name"])
        return {"statusCode": 200, "body": json.dumps(rows)}

    @rasp.register
    def swallowing(event, context):
        try:
            lookup_concat(db, event["queryStringParameters"]["name"])
        except PermissionError:
            pass
        return {"statusCode": 200, "body": "swallowed"}

    @rasp.register
    def parameterised(event, context):
        return {"statusCode": 200,
                "body": json.dumps(lookup_param(db, event["queryStringParameters"]["name"]))}

    ok = handler(http_event("alice"), None)
    assert ok["statusCode"] == 200 and "s-alice" in ok["body"]
    assert handler(http_event(SQLI), None)["statusCode"] == 403
    assert swallowing(http_event(SQLI), None)["statusCode"] == 403
    assert parameterised(http_event(SQLI), None)["statusCode"] == 200


def test_azure_sinks(tmp_path):
    func = pytest.importorskip("azure.functions")
    from ironward import AzureRASP

    db = make_db(str(tmp_path))
    rasp = AzureRASP(template="sink", params=params(SINK_CHECKS={"sql": 1}))

    def req(name):
        url = "https://fn.azurewebsites.net/api/users?name=" + quote(name)
        return func.HttpRequest(method="GET", url=url, headers={"x-forwarded-for": "192.0.2.8"},
                                params={"name": name}, body=b"")

    @rasp.register
    def users(req):
        return func.HttpResponse(json.dumps(lookup_concat(db, req.params["name"])))

    @rasp.register
    async def ausers(req):
        try:
            rows = lookup_concat(db, req.params["name"])
        except PermissionError:
            return func.HttpResponse("swallowed")
        return func.HttpResponse(json.dumps(rows))

    assert users(req("bob")).status_code == 200
    assert users(req(SQLI)).status_code == 403
    import asyncio

    assert asyncio.run(ausers(req(SQLI))).status_code == 403
    assert asyncio.run(ausers(req("bob"))).status_code == 200


def test_gcp_sinks(tmp_path):
    pytest.importorskip("functions_framework")
    from flask import Flask, request

    from ironward import GcpRASP

    db = make_db(str(tmp_path))
    rasp = GcpRASP(template="sink", params=params(SINK_CHECKS={"sql": 1}))

    @rasp.register
    def fn(req):
        return json.dumps(lookup_concat(db, req.args["name"]))

    app = Flask(__name__)
    app.add_url_rule("/", "fn", lambda: fn(request))
    c = app.test_client()
    assert c.get("/", query_string={"name": "alice"}).status_code == 200
    r = c.get("/", query_string={"name": SQLI})
    assert r.status_code == 403 and r.data == b"Blocked"
