"""``AzureRASP``: a decorator protecting an Azure Functions HTTP handler,
``f(req: azure.functions.HttpRequest) -> azure.functions.HttpResponse`` (sync or async).

.. code-block:: python

    rasp = AzureRASP(params={...})

    @app.route(route="orders")      # the v2 programming model, or a v1 ``main``
    @rasp.register
    def orders(req: func.HttpRequest) -> func.HttpResponse: ...

The request is read from the ``HttpRequest``: the method, the path and raw query of
``req.url`` (so repeated parameters stay separate: ``req.params`` joins them with commas) —
plus any ``req.params`` value or ``req.route_params`` value that ``req.url`` does not hold
(the handler reads those) —, the headers, and at most ``MAX_BODY_BYTES`` of the body. The function has no route table: the
route and method checks do not apply.

The client IP: Azure's front end puts the client's address (with its port) last in
``X-Forwarded-For``; that element, port removed (IPv4 or IPv6), is the client (pyrasp split
the header on ``:``, which broke IPv6). Earlier elements only count when that address is in
``TRUSTED_PROXIES`` (e.g. behind Front Door or Application Gateway, list their ranges).

The ``HttpResponse`` is inspected (status, headers, body for DLP), replaced by the block
response on a leak, and gets the ``Server`` header. Other return values pass as they are.

Metrics: with ``METRICS_PATH`` set, a ``GET``/``HEAD`` of that path from a client in
``METRICS_ALLOW`` (the client IP above) is answered with the Prometheus text
(an ``HttpResponse``), before any inspection and without calling the handler; from any other
client it is an ordinary request.
Every instance has its own counters (``docs/metrics.md``: a scrape reaches one instance);
``rasp.get_metrics()`` gives them in code.

Sink checks: the request's sink context is set while the handler runs; a
:class:`ironward.Blocked` it lets through, or catches, is answered with the block response.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, List, Optional, Tuple
from urllib.parse import urlsplit

import azure.functions as func

from ._base import METRICS_CONTENT_TYPE, ROUTE_UNKNOWN, BaseRASP, Blocked
from ._parsed import with_parsed_params, with_path_values

__all__ = ["AzureRASP"]


def client_ip(forwarded_for: Optional[str]) -> Optional[str]:
    """The last ``X-Forwarded-For`` element without its port: ``1.2.3.4:5678``,
    ``[2001:db8::1]:5678``, or a bare address."""
    if not forwarded_for:
        return None
    last = forwarded_for.rsplit(",", 1)[-1].strip()
    if last.startswith("["):
        end = last.find("]")
        return last[1:end] if end > 0 else None
    if last.count(":") == 1:  # IPv4 with a port; a bare IPv6 has several colons
        return last.split(":", 1)[0]
    return last or None


def _items(mapping: Any) -> List[Tuple[Any, Any]]:
    try:
        return list(mapping.items()) if mapping else []
    except Exception:
        return []


def _find_request(args: tuple, kwargs: dict) -> Any:
    """The ``HttpRequest`` among the handler's arguments: the Functions host passes bindings
    by name (``req``, ``request``… whatever the handler calls it)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, func.HttpRequest):
            return value
    return None


def block_response(verdict: Any) -> func.HttpResponse:
    """The Azure response for a blocking verdict."""
    headers = {n: v for n, v in verdict.headers
               if n.lower() not in ("content-length", "content-type")}
    ctype = next((v for n, v in verdict.headers if n.lower() == "content-type"), "text/html")
    mimetype, _, rest = ctype.partition(";")
    charset = rest.split("=", 1)[1].strip() if "=" in rest else "utf-8"
    return func.HttpResponse(verdict.body or b"", status_code=verdict.status, headers=headers,
                             mimetype=mimetype.strip(), charset=charset)


class AzureRASP(BaseRASP):
    """``AzureRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``; ``@rasp.register`` on ``handler(req)``."""

    PLATFORM = "Azure Function"

    def register(self, handler: Callable) -> Callable:
        """Decorates an HTTP-triggered function (sync or async)."""
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def awrapper(*args: Any, **kwargs: Any) -> Any:
                req = _find_request(args, kwargs)
                scrape = self._scrape(req)
                if scrape is not None:
                    return scrape
                return self._counted(req, await self._arun(handler, req, args, kwargs))

            return awrapper

        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            req = _find_request(args, kwargs)
            scrape = self._scrape(req)
            if scrape is not None:
                return scrape
            return self._counted(req, self._run(handler, req, args, kwargs))

        return wrapper

    async def _arun(self, handler: Callable, req: Any, args: tuple, kwargs: dict) -> Any:
        """An async handler's call, inspected."""
        verdict = self._inspect_req(req)
        if verdict is not None and verdict.blocked:
            return block_response(verdict)
        sink = self.sink_enter(verdict)
        if sink is None:
            return self._check(verdict, await handler(*args, **kwargs))
        try:
            resp = await handler(*args, **kwargs)
        except Blocked as e:
            return block_response(e.verdict)
        finally:
            sink_block = self.sink_leave(sink)
        if sink_block is not None:
            return block_response(sink_block)
        return self._check(verdict, resp)

    def _run(self, handler: Callable, req: Any, args: tuple, kwargs: dict) -> Any:
        """A sync handler's call, inspected."""
        verdict = self._inspect_req(req)
        if verdict is not None and verdict.blocked:
            return block_response(verdict)
        sink = self.sink_enter(verdict)
        if sink is None:
            return self._check(verdict, handler(*args, **kwargs))
        try:
            resp = handler(*args, **kwargs)
        except Blocked as e:
            return block_response(e.verdict)
        finally:
            sink_block = self.sink_leave(sink)
        if sink_block is not None:
            return block_response(sink_block)
        return self._check(verdict, resp)

    def _counted(self, req: Any, resp: Any) -> Any:
        """Counts the status of an HTTP response passed on (``ironward_responses_total``)."""
        if req is not None and isinstance(resp, func.HttpResponse):
            self._count_status(resp.status_code)
        return resp

    def _scrape(self, req: Optional[func.HttpRequest]) -> Optional[func.HttpResponse]:
        """The metrics response when ``req`` is an allowed scrape of ``METRICS_PATH`` (the
        client IP as for the inspection), else None; not inspected, not counted."""
        if req is None or self._engine.metrics_path is None:
            return None
        try:
            path = urlsplit(req.url).path or "/"
            headers: List[Tuple[str, str]] = list(req.headers.items())
            peer = client_ip(req.headers.get("x-forwarded-for"))
            method = str(req.method).upper()
        except Exception:
            return None
        metrics = self._metrics_raw(method, path, headers, peer)
        if metrics is None:
            return None
        return func.HttpResponse(b"" if method == "HEAD" else metrics, status_code=200,
                                 headers={"Content-Type": METRICS_CONTENT_TYPE})

    def _inspect_req(self, req: Optional[func.HttpRequest]) -> Any:
        if req is None:
            return None  # not an HTTP trigger: nothing to inspect
        try:
            url = urlsplit(req.url)
            headers: List[Tuple[str, str]] = list(req.headers.items())
            peer = client_ip(req.headers.get("x-forwarded-for"))
            body = req.get_body() or None
            full = None
            cap = self._engine.max_body_bytes
            if body is not None and len(body) > cap:
                body, full = body[:cap], len(body)
            # What the handler reads: `req.params` (the host's parsed query, repeated names
            # comma-joined) and `req.route_params` (decoded), beside `req.url`'s raw ones.
            query = with_parsed_params(url.query, _items(req.params), joined=True)
            path = with_path_values(url.path or "/", [v for _, v in _items(req.route_params)])
            return self.inspect(req.method, path, query, headers, peer, body, full,
                                ROUTE_UNKNOWN)
        except Exception as e:  # never break the application's request
            return self._failed(e)

    def _check(self, verdict: Any, resp: Any) -> Any:
        if not isinstance(resp, func.HttpResponse):
            return resp
        try:
            engine = self._engine
            if self.response_needed(verdict, resp.status_code):
                headers = list(resp.headers.items())
                if not any(n.lower() == "content-type" for n, _ in headers) and resp.mimetype:
                    headers.append(("Content-Type", f"{resp.mimetype}; charset={resp.charset}"))
                body = resp.get_body() if engine.dlp_enabled else None
                if body is not None and not self.buffered_body_fits(len(body)):
                    body = body[: engine.dlp_max_body_bytes]
                out = self.check_response(verdict, resp.status_code, headers, body)
                if out is not None and out.blocked:
                    return block_response(out)
            server = engine.server_header
            if server is not None:
                resp.headers["Server"] = server
            return resp
        except Exception as e:
            failed = self._failed(e)
            return resp if failed is None else block_response(failed)
