"""``LambdaRASP``: a decorator protecting an AWS Lambda handler behind API Gateway or a
function URL.

.. code-block:: python

    rasp = LambdaRASP(params={...})

    @rasp.register
    def handler(event, context): ...

Events understood (others, e.g. SQS or S3 events, pass through untouched):

* API Gateway REST APIs (payload format 1.0): ``httpMethod``, ``path`` and
  ``pathParameters``, ``multiValueHeaders`` and ``headers``,
  ``multiValueQueryStringParameters`` and ``queryStringParameters``,
  ``requestContext.identity.sourceIp``;
* API Gateway HTTP APIs (payload format 2.0) and Lambda function URLs (the same shape):
  ``requestContext.http.method``/``path``/``sourceIp``, ``rawPath`` and ``pathParameters``,
  ``rawQueryString`` and ``queryStringParameters``, ``headers`` (repeated headers already
  comma-joined by AWS), the ``cookie`` header and the ``cookies`` array.

A handler may read any of the forms an event gives a value in, and a hand-built or altered
event can make them disagree: every form is inspected — the raw one, plus what only a
parsed one holds (a ``queryStringParameters`` value that is not in the multi-value or raw
query, a path parameter that is not in the path, the ``cookies`` array beside a ``cookie``
header), each value once.

Bodies may be base64-encoded (``isBase64Encoded``); at most ``MAX_BODY_BYTES`` are inspected.
The client IP is the one AWS measured (``sourceIp``); ``X-Forwarded-For`` only counts when
that address is a ``TRUSTED_PROXIES`` entry. A blocked request gets the configured response
in the shape the event's API expects (``statusCode``, ``headers``, ``body``,
``isBase64Encoded``; plus ``multiValueHeaders`` for REST APIs). The handler's result is
inspected (status, headers, the body — decoded when base64 — for DLP) and replaced by the
block response on a leak; the ``Server`` header is set on dict results with a ``statusCode``.
An HTTP API result without ``statusCode`` (AWS then answers 200 with the result as JSON) is
inspected as that JSON and is left as it is unless it leaks.

Metrics: with ``METRICS_PATH`` set, a ``GET``/``HEAD`` of that path from a client in
``METRICS_ALLOW`` (the client IP above) is answered with the Prometheus text
(a result in the event's shape), before any inspection and without calling the handler; from any other
client it is an ordinary request.
Every instance has its own counters (``docs/metrics.md``: a scrape reaches one instance);
``rasp.get_metrics()`` gives them in code.

Sink checks: the request's sink context is set while the handler runs; a
:class:`ironward.Blocked` it lets through, or catches, is answered with the block response.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from ._base import METRICS_CONTENT_TYPE, ROUTE_UNKNOWN, BaseRASP, Blocked
from ._parsed import with_parsed_params, with_path_values

__all__ = ["LambdaRASP"]

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _v1_headers(event: dict) -> List[Tuple[str, str]]:
    """Every header of a REST API event: ``multiValueHeaders``, and the ``headers`` values
    that are not among them (the handler may read either)."""
    out: List[Tuple[str, str]] = []
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        out = [(str(k), str(v)) for k, vs in multi.items() for v in (vs or ()) if v is not None]
    single = event.get("headers")
    if isinstance(single, dict):
        have = {(k.lower(), v) for k, v in out}
        out += [(str(k), str(v)) for k, v in single.items()
                if v is not None and (str(k).lower(), str(v)) not in have]
    return out


def _dict_items(value: Any) -> List[Tuple[Any, Any]]:
    return list(value.items()) if isinstance(value, dict) else []


def _v1_query(event: dict) -> str:
    """The query of a REST API event: the pairs of ``multiValueQueryStringParameters`` and
    those of ``queryStringParameters`` not among them (the handler may read either)."""
    multi = event.get("multiValueQueryStringParameters")
    pairs = [(k, v) for k, vs in _dict_items(multi) for v in (vs or ())]
    # API Gateway hands over decoded values: re-encode them as a browser would.
    query = urlencode([(str(k), "" if v is None else str(v)) for k, v in pairs])
    return with_parsed_params(query, _dict_items(event.get("queryStringParameters")))


def _path_values(event: dict, *more: Any) -> List[Any]:
    """Other forms of the path a handler may read: the path parameters (decoded by API
    Gateway), then ``more``."""
    return [v for _, v in _dict_items(event.get("pathParameters"))] + list(more)


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
        headers = [(str(k), str(v)) for k, v in _dict_items(event.get("headers"))
                   if v is not None]
        # The `cookies` array as Cookie headers of its own, beside any `cookie` header: the
        # handler may read either.
        cookies = event.get("cookies")
        if isinstance(cookies, (list, tuple)) and cookies:
            headers.append(("cookie", "; ".join(str(c) for c in cookies)))
        path = str(event.get("rawPath") or http.get("path") or "/")
        query = with_parsed_params(str(event.get("rawQueryString") or ""),
                                   _dict_items(event.get("queryStringParameters")),
                                   joined=True)
        return {
            "version": 2,
            "method": str(http["method"]),
            "path": with_path_values(quote(path, safe=_PATH_SAFE),
                                     _path_values(event, http.get("path"))),
            "query": query,
            "headers": headers,
            "peer": http.get("sourceIp"),
            "body": _body(event),
        }
    if "httpMethod" in event:  # payload 1.0 (REST APIs)
        identity = ctx.get("identity")
        peer = identity.get("sourceIp") if isinstance(identity, dict) else None
        path = str(event.get("path") or "/")
        return {
            "version": 1,
            "method": str(event["httpMethod"]),
            "path": with_path_values(quote(path, safe=_PATH_SAFE), _path_values(event)),
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

    def _scrape(self, event: Any) -> Optional[dict]:
        """The metrics result when the event is an allowed scrape of ``METRICS_PATH`` (the
        client IP as for the inspection), else None; not inspected, not counted."""
        if self._engine.metrics_path is None:
            return None
        try:
            req = parse_event(event)
        except Exception:
            return None
        if req is None:
            return None
        metrics = self._metrics_raw(req["method"], req["path"], req["headers"], req["peer"])
        if metrics is None:
            return None
        result: dict = {
            "statusCode": 200,
            "headers": {"Content-Type": METRICS_CONTENT_TYPE},
            "body": "" if req["method"].upper() == "HEAD" else metrics.decode(),
            "isBase64Encoded": False,
        }
        if req["version"] == 1:
            result["multiValueHeaders"] = {"Content-Type": [METRICS_CONTENT_TYPE]}
        return result

    def _call(self, handler: Callable, event: Any, context: Any, args: tuple,
              kwargs: dict) -> Any:
        scrape = self._scrape(event)
        if scrape is not None:
            return scrape
        verdict, req = self._inspect_event(event)
        if req is None:
            return handler(event, context, *args, **kwargs)
        result = self._call_http(handler, event, context, args, kwargs, verdict, req)
        # ``ironward_responses_total``: an HTTP API (2.0) result without ``statusCode`` is
        # answered 200 by AWS, a REST API (1.0) one 502.
        if isinstance(result, dict) and "statusCode" in result:
            self._count_status(result["statusCode"])
        else:
            self._count_status(200 if req["version"] == 2 else 502)
        return result

    def _call_http(self, handler: Callable, event: Any, context: Any, args: tuple,
                   kwargs: dict, verdict: Any, req: dict) -> Any:
        """An HTTP event's call, inspected."""
        version = req["version"]
        if verdict is not None and verdict.blocked:
            return block_result(verdict, version)
        sink = self.sink_enter(verdict)
        if sink is None:
            result = handler(event, context, *args, **kwargs)
        else:
            try:
                result = handler(event, context, *args, **kwargs)
            except Blocked as e:
                return block_result(e.verdict, version)
            finally:
                sink_block = self.sink_leave(sink)
            if sink_block is not None:  # the handler caught the exception
                return block_result(sink_block, version)
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
