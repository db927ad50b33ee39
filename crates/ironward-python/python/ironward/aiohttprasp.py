"""``AiohttpRASP``: aiohttp middleware (first in ``app.middlewares``) plus an
``on_response_prepare`` hook, with the app's router for the route and method checks.

``AiohttpRASP(app, params={...})`` before the app starts. On a request:

* the route code comes from aiohttp's own routing (``match_info.http_exception``: none, 404
  or 405);
* at most ``MAX_BODY_BYTES`` of the body are read from ``request.content`` and put back at the
  head of the stream, so handlers (``read()``, ``json()``, ``post()``, ``multipart()``, raw
  ``content`` reads) see exactly the bytes the client sent; chunked bodies too;
* the raw request (method, ``raw_path``, raw headers, the TCP peer) goes to the engine in
  one native call.

Responses: a ``web.Response`` with a bytes body is inspected whole when the handler returns it
(and replaced by the block response on a leak); a ``web.HTTPException`` the handler raises is
checked by status (brute force). A streamed response (``StreamResponse`` written by the
handler, or a payload body) gets, when it is prepared, the ``Server`` header and a scanner
on its writer, per response (no global monkeypatch): a leaking chunk is not written, the
response ends there, and the handler's next ``write`` raises :class:`ResponseCut`.
``FileResponse`` bodies sent with ``sendfile`` bypass the writer and are not scanned (set
``AIOHTTP_NOSENDFILE=1`` to have them scanned).

Metrics: with ``METRICS_PATH`` set, a ``GET``/``HEAD`` of that path from a client in
``METRICS_ALLOW`` (the TCP peer, or the forwarded client when the peer is one of
``TRUSTED_PROXIES``) is answered by the middleware with the Prometheus text, before any
inspection and without reaching a handler; from any other client it is an ordinary,
inspected request (usually a 404).

Sink checks: the request's sink context is set while the handler runs (the tasks it starts
inherit it). A :class:`ironward.Blocked` the handler lets through, or a block it caught, is
answered with the block response, unless the handler already started a streamed response.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

from aiohttp import web

from ._base import (
    METRICS_CONTENT_TYPE,
    ROUTE_MATCHED,
    ROUTE_METHOD_NOT_ALLOWED,
    ROUTE_NOT_FOUND,
    BaseRASP,
    Blocked,
)

__all__ = ["AiohttpRASP", "ResponseCut"]

# Typed storage keys where aiohttp has them (3.12+), plain strings before.
_RequestKey: Any = getattr(web, "RequestKey", None)
_ResponseKey: Any = getattr(web, "ResponseKey", None)
_VERDICT: Any = _RequestKey("ironward.verdict", object) if _RequestKey else "ironward.verdict"
# On the request: the response being streamed.
_RESPONSE: Any = _RequestKey("ironward.response", object) if _RequestKey else "ironward.response"
# On the request: it was answered with the metrics (not counted).
_SCRAPED: Any = _RequestKey("ironward.scraped", bool) if _RequestKey else "ironward.scraped"
# On a response: its body was inspected whole.
_INSPECTED: Any = _ResponseKey("ironward.inspected", bool) if _ResponseKey else "ironward.inspected"


class ResponseCut(ConnectionResetError):
    """Raised by a scanned response's ``write`` once a leak was cut from the stream. It is a
    ``ConnectionResetError``: to the handler, as if the client had gone."""


def block_response(verdict: Any) -> web.Response:
    """The aiohttp response for a blocking verdict."""
    headers = {n: v for n, v in verdict.headers if n.lower() != "content-length"}
    response = web.Response(body=verdict.body, status=verdict.status, headers=headers)
    response[_INSPECTED] = True
    return response


class _ScannedWriter:
    """Stands in for a streamed response's payload writer: every chunk is scanned before it
    is written; after a leak the stream is ended and further writes raise."""

    def __init__(self, writer: Any, scanner: Any) -> None:
        object.__setattr__(self, "_writer", writer)
        object.__setattr__(self, "_scanner", scanner)
        object.__setattr__(self, "_cut", False)

    async def write(self, data: Any, *args: Any, **kwargs: Any) -> None:
        if self._cut:
            raise ResponseCut("the response was cut by Ironward (a leak)")
        if data:
            # A scanner error fails open inside the scanner (BaseRASP.stream_scanner).
            v = self._scanner.push(data)
            if v is not None and v.blocked:
                object.__setattr__(self, "_cut", True)
                await self._writer.write_eof()
                raise ResponseCut("the response was cut by Ironward (a leak)")
        await self._writer.write(data, *args, **kwargs)

    async def write_eof(self, data: bytes = b"") -> None:
        if self._cut:
            return
        if data:
            await self.write(data)
            if self._cut:
                return
        self._scanner.finish()
        await self._writer.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._writer, name, value)


class AiohttpRASP(BaseRASP):
    """``AiohttpRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``."""

    PLATFORM = "aiohttp"

    def _collect_routes(self, app: Any) -> dict:
        routes: dict = {}
        for route in app.router.routes():
            info = route.resource.get_info() if route.resource is not None else {}
            path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
            name = route.name or (route.resource.name if route.resource else None) or path
            entry = routes.setdefault(name, {"methods": [], "path": path})
            if route.method not in entry["methods"]:
                entry["methods"].append(route.method)
                entry["methods"].sort()
        return routes

    def _register(self, app: Any) -> None:
        app.middlewares.insert(0, self._middleware)
        app.on_response_prepare.append(self._on_prepare)

    @staticmethod
    def _route(request: web.Request) -> int:
        exc = request.match_info.http_exception
        if exc is None:
            return ROUTE_MATCHED
        if isinstance(exc, web.HTTPMethodNotAllowed):
            return ROUTE_METHOD_NOT_ALLOWED
        return ROUTE_NOT_FOUND

    async def _read_body(self, request: web.Request) -> tuple:
        """At most ``MAX_BODY_BYTES`` of the body, put back at the head of the stream.
        Returns ``(body, full_length_if_cut)``."""
        if not request.body_exists:
            return None, None
        content = request.content
        cap = self._engine.max_body_bytes
        parts = []
        size = 0
        while size <= cap:
            chunk = await content.read(cap + 1 - size)
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        data = b"".join(parts)
        if data:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                content.unread_data(data)
        if size > cap:
            length = request.content_length
            return data[:cap], (length if length is not None and length > cap else size)
        return (data or None), None

    @staticmethod
    def _raw(request: web.Request) -> tuple:
        """``(path, query, headers, peer)`` as on the wire; the peer is the TCP peer."""
        path, _, query = request.raw_path.partition("?")
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.raw_headers]
        peer: Optional[str] = None
        transport = request.transport
        if transport is not None:
            peername = transport.get_extra_info("peername")
            if isinstance(peername, (tuple, list)) and peername:
                peer = peername[0]
        return path, query, headers, peer

    def _scrape(self, request: web.Request) -> Optional[web.Response]:
        """The metrics response when the request is an allowed scrape of ``METRICS_PATH``
        (not inspected, not counted), else None. aiohttp drops the body of a ``HEAD``
        answer itself and keeps its ``Content-Length``."""
        if self._engine.metrics_path is None:
            return None
        try:
            path, _, headers, peer = self._raw(request)
        except Exception:
            return None
        metrics = self._metrics_raw(request.method, path, headers, peer)
        if metrics is None:
            return None
        response = web.Response(body=metrics, headers={"Content-Type": METRICS_CONTENT_TYPE})
        response[_INSPECTED] = True
        return response

    async def _inspect(self, request: web.Request) -> Any:
        body, full = await self._read_body(request)
        path, query, headers, peer = self._raw(request)
        return self.inspect(
            request.method, path, query, headers, peer, body, full, self._route(request)
        )

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> Any:
        scrape = self._scrape(request)
        if scrape is not None:
            request[_SCRAPED] = True
            return scrape
        try:
            verdict = await self._inspect(request)
        except Exception as e:  # never break the application's request
            verdict = self._failed(e)
        if verdict is not None and verdict.blocked:
            return block_response(verdict)
        request[_VERDICT] = verdict
        sink = self.sink_enter(verdict)
        if sink is None:
            return await self._handle(request, handler, verdict)
        state = sink[0]
        try:
            response = await self._handle(request, handler, verdict)
        except Blocked as e:
            return block_response(e.verdict)
        except web.HTTPException:
            if state.blocked is not None:  # the handler caught the block and raised this
                return block_response(state.blocked)
            raise
        finally:
            self.sink_leave(sink)
        if state.blocked is not None and not response.prepared:
            return block_response(state.blocked)  # the handler caught the block
        return response

    async def _handle(self, request: web.Request, handler: Any, verdict: Any) -> Any:
        """The handler's response, inspected."""
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            out = self._check_exception(verdict, exc)
            if out is not None:
                return out
            raise
        except ResponseCut:
            streamed = request.get(_RESPONSE)
            if streamed is None:
                raise
            return streamed  # already ended after the last clean chunk
        if (
            verdict is not None
            and isinstance(response, web.Response)
            and not response.prepared
            and self.response_needed(verdict, response.status)
        ):
            try:
                return self._check_buffered(verdict, response)
            except Exception as e:
                failed = self._failed(e)
                return response if failed is None else block_response(failed)
        return response

    def _check_exception(self, verdict: Any, exc: web.HTTPException) -> Optional[web.Response]:
        if not self.response_needed(verdict, exc.status):
            return None
        headers = list(exc.headers.items())
        out = self.check_response(verdict, exc.status, headers, None)
        if out is not None and out.blocked:
            return block_response(out)
        return None

    def _check_buffered(self, verdict: Any, response: web.Response) -> web.StreamResponse:
        body = response.body
        if body is not None and not isinstance(body, (bytes, bytearray)):
            # A payload (file, stream): checked by status here, scanned when written.
            out = self.check_response(verdict, response.status, list(response.headers.items()))
            return block_response(out) if out is not None and out.blocked else response
        engine = self._engine
        data = bytes(body or b"")
        fits = engine.dlp_enabled and self.buffered_body_fits(len(data))
        headers = list(response.headers.items())
        if response.content_type and not any(n.lower() == "content-type" for n, _ in headers):
            ctype = response.content_type
            if response.charset:
                ctype += f"; charset={response.charset}"
            headers.append(("Content-Type", ctype))
        out = self.check_response(verdict, response.status, headers, data if fits else None)
        if out is not None and out.blocked:
            return block_response(out)
        if fits:
            response[_INSPECTED] = True  # no scanner when it is prepared
        return response

    async def _on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        if not request.get(_SCRAPED):
            # Every response sent, the handler's, aiohttp's own (404, 405, errors) and block
            # responses (``ironward_responses_total``).
            self._count_status(response.status)
        try:
            server = self.server_header
            if server is not None:
                response.headers["Server"] = server
            verdict = request.get(_VERDICT)
            if verdict is None or not self._engine.dlp_enabled or response.get(_INSPECTED):
                return
            scanner = self.stream_scanner(verdict, response.status, list(response.headers.items()))
            writer = getattr(response, "_payload_writer", None)
            if scanner is not None and writer is not None:
                response._payload_writer = _ScannedWriter(writer, scanner)
                request[_RESPONSE] = response
        except Exception as e:
            self._failed(e)

