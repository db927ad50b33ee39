"""``LambdaRASP``: a decorator protecting an AWS Lambda handler behind API Gateway or a
function URL.

.. code-block:: python

    rasp = LambdaRASP(params={...})

    @rasp.register
    def handler(event, context): ...

Events understood (others, e.g. SQS or S3 events, pass through untouched):

* API Gateway REST APIs (payload format 1.0): ``httpMethod``, ``path``, ``multiValueHeaders``
  (else ``headers``), ``multiValueQueryStringParameters`` (else ``queryStringParameters``),
  ``requestContext.identity.sourceIp``;
* API Gateway HTTP APIs (payload format 2.0) and Lambda function URLs (the same shape):
  ``requestContext.http.method``/``sourceIp``, ``rawPath``, ``rawQueryString``, ``headers``
  (repeated headers already comma-joined by AWS), ``cookies``.

Bodies may be base64-encoded (``isBase64Encoded``); at most ``MAX_BODY_BYTES`` are inspected.
The client IP is the one AWS measured (``sourceIp``); ``X-Forwarded-For`` only counts when
that address is a ``TRUSTED_PROXIES`` entry. A blocked request gets the configured response
in the shape the event's API expects (``statusCode``, ``headers``, ``body``,
``isBase64Encoded``; plus ``multiValueHeaders`` for REST APIs). The handler's result is
inspected (status, headers, the body — decoded when base64 — for DLP) and replaced by the
block response on a leak; the ``Server`` header is set on dict results with a ``statusCode``.
An HTTP API result without ``statusCode`` (AWS then answers 200 with the result as JSON) is
inspected as that JSON and is left as it is unless it leaks.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from ._base import ROUTE_UNKNOWN, BaseRASP

__all__ = ["LambdaRASP"]

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _v1_headers(event: dict) -> List[Tuple[str, str]]:
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict) and multi:
        return [(str(k), str(v)) for k, vs in multi.items() for v in (vs or ())]
    single = event.get("headers")
    if isinstance(single, dict):
        return [(str(k), str(v)) for k, v in single.items() if v is not None]
    return []


def _v1_query(event: dict) -> str:
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, dict) and multi:
        pairs = [(k, v) for k, vs in multi.items() for v in (vs or ())]
    else:
        single = event.get("queryStringParameters")
        pairs = list(single.items()) if isinstance(single, dict) else []
    # API Gateway hands over decoded values: re-encode them as a browser would.
    return urlencode([(str(k), "" if v is None else str(v)) for k, v in pairs])


def _body(event: dict) -> Optional[bytes]:
    body = event.get("body")
    if body is None or body == "":
        return None
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except (binascii.Error, ValueError, TypeError):
            return str(body).encode("utf-8", "surrogateescape")
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8", "surrogateescape")


def parse_event(event: Any) -> Optional[Dict[str, Any]]:
    """The HTTP request in an API Gateway (v1 or v2) or function-URL event, as the pieces
    the engine takes, with ``version`` 1 or 2; None when the event is not an HTTP request."""
    if not isinstance(event, dict):
        return None
    ctx = event.get("requestContext")
    ctx = ctx if isinstance(ctx, dict) else {}
    http = ctx.get("http")
    if isinstance(http, dict) and "method" in http:  # payload 2.0, function URLs
        headers = [(str(k), str(v)) for k, v in (event.get("headers") or {}).items()
                   if v is not None]
        cookies = event.get("cookies")
        if cookies and not any(k.lower() == "cookie" for k, _ in headers):
            headers.append(("cookie", "; ".join(str(c) for c in cookies)))
        path = event.get("rawPath") or http.get("path") or "/"
        return {
            "version": 2,
            "method": str(http["method"]),
            "path": quote(str(path), safe=_PATH_SAFE),
            "query": str(event.get("rawQueryString") or ""),
            "headers": headers,
            "peer": http.get("sourceIp"),
            "body": _body(event),
        }
    if "httpMethod" in event:  # payload 1.0 (REST APIs)
        identity = ctx.get("identity")
        peer = identity.get("sourceIp") if isinstance(identity, dict) else None
        return {
            "version": 1,
            "method": str(event["httpMethod"]),
            "path": quote(str(event.get("path") or "/"), safe=_PATH_SAFE),
            "query": _v1_query(event),
            "headers": _v1_headers(event),
            "peer": peer,
            "body": _body(event),
        }
    return None


def block_result(verdict: Any, version: int) -> dict:
    """The handler result for a blocking verdict, in the event's response shape."""
    headers = [(n, v) for n, v in verdict.headers if n.lower() != "content-length"]
    body = verdict.body or b""
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    result: dict = {
        "statusCode": verdict.status,
        "headers": {n: v for n, v in headers},
        "body": text,
        "isBase64Encoded": encoded,
    }
    if version == 1:
        multi: Dict[str, List[str]] = {}
        for n, v in headers:
            multi.setdefault(n, []).append(v)
        result["multiValueHeaders"] = multi
    return result


def _result_headers(result: dict) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    multi = result.get("multiValueHeaders")
    seen = set()
    if isinstance(multi, dict):
        for k, vs in multi.items():
            seen.add(str(k).lower())
            out.extend((str(k), str(v)) for v in (vs or ()))
    single = result.get("headers")
    if isinstance(single, dict):
        out.extend((str(k), str(v)) for k, v in single.items()
                   if v is not None and str(k).lower() not in seen)
    return out


class LambdaRASP(BaseRASP):
    """``LambdaRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``; ``@rasp.register`` on ``handler(event, context)``."""

    PLATFORM = "AWS Lambda"

    def register(self, handler: Callable) -> Callable:
        """Decorates a Lambda handler."""

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any = None, *args: Any, **kwargs: Any) -> Any:
            return self._call(handler, event, context, args, kwargs)

        return wrapper

    def _inspect_event(self, event: Any) -> Tuple[Any, Optional[dict]]:
        try:
            req = parse_event(event)
            if req is None:
                return None, None
            body = req["body"]
            full = None
            cap = self._engine.max_body_bytes
            if body is not None and len(body) > cap:
                body, full = body[:cap], len(body)
            verdict = self.inspect(req["method"], req["path"], req["query"], req["headers"],
                                   req["peer"], body, full, ROUTE_UNKNOWN)
            return verdict, req
        except Exception as e:  # never break the application's request
            version = 2 if isinstance(event, dict) and "rawPath" in event else 1
            return self._failed(e), {"version": version}

    def _call(self, handler: Callable, event: Any, context: Any, args: tuple,
              kwargs: dict) -> Any:
        verdict, req = self._inspect_event(event)
        if req is None:
            return handler(event, context, *args, **kwargs)
        version = req["version"]
        if verdict is not None and verdict.blocked:
            return block_result(verdict, version)
        result = handler(event, context, *args, **kwargs)
        if verdict is None:
            return result
        try:
            return self._check_result(verdict, version, result)
        except Exception as e:
            failed = self._failed(e)
            return result if failed is None else block_result(failed, version)

    def _check_result(self, verdict: Any, version: int, result: Any) -> Any:
        engine = self._engine
        server = engine.server_header
        full_shape = isinstance(result, dict) and "statusCode" in result
        if not engine.inspects_responses:
            if full_shape and server is not None:
                result = self._with_server(result, server)
            return result
        if full_shape:
            try:
                status = int(result.get("statusCode") or 200)
            except (TypeError, ValueError):
                status = 200
            headers = _result_headers(result)
            raw = result.get("body")
            if raw is None:
                body = b""
            elif result.get("isBase64Encoded"):
                try:
                    body = base64.b64decode(raw)
                except (binascii.Error, ValueError, TypeError):
                    body = str(raw).encode()
            elif isinstance(raw, (bytes, bytearray)):
                body = bytes(raw)
            else:
                body = (raw if isinstance(raw, str) else json.dumps(raw, default=str)).encode()
        elif version == 2:
            status, headers = 200, [("content-type", "application/json")]
            body = json.dumps(result, default=str).encode()
        else:
            return result  # REST APIs need statusCode: API Gateway answers 502 anyway
        inspect = body if engine.dlp_enabled else None
        if inspect is not None and not self.buffered_body_fits(len(body)):
            inspect = body[: engine.dlp_max_body_bytes]
        out = self.check_response(verdict, status, headers, inspect)
        if out is not None and out.blocked:
            return block_result(out, version)
        if full_shape and server is not None:
            result = self._with_server(result, server)
        return result

    @staticmethod
    def _with_server(result: dict, server: str) -> dict:
        result = dict(result)
        headers = result.get("headers")
        headers = dict(headers) if isinstance(headers, dict) else {}
        for k in [k for k in headers if str(k).lower() == "server"]:
            del headers[k]
        headers["Server"] = server
        result["headers"] = headers
        multi = result.get("multiValueHeaders")
        if isinstance(multi, dict):
            multi = {k: v for k, v in multi.items() if str(k).lower() != "server"}
            multi["Server"] = [server]
            result["multiValueHeaders"] = multi
        return result
