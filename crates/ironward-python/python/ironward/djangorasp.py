"""``DjangoRASP``: Django middleware. Add ``"ironward.DjangoRASP"`` (or pyrasp's old path with
the import changed) to ``MIDDLEWARE``, first.

Settings (Ironward's name first, pyrasp's accepted): ``IRONWARD_CONF``/``PYRASP_CONF`` (file
path), ``IRONWARD_PARAMS``/``PYRASP_PARAMS`` (dict), ``IRONWARD_TEMPLATE``/``PYRASP_TEMPLATE``,
``IRONWARD_KEY``/``PYRASP_KEY`` and ``IRONWARD_CLOUD_URL``/``PYRASP_CLOUD_URL`` (ignored).

The route check uses Django's URL resolver (cached per path, bounded). The body is read from
the request itself — ``request.body`` when it fits in ``MAX_BODY_BYTES`` (Django then parses
forms and uploads from those same bytes), else only a prefix, with the rest left to stream.

The middleware is sync- and async-capable, the Django way (``sync_capable = async_capable =
True``): when Django hands it an async ``get_response`` (ASGI, async views), it marks itself a
coroutine function and runs :meth:`DjangoRASP.__acall__`, so no request hops to a thread for it.
The inspection then runs on the event loop, without ``sync_to_async``: under ASGI, Django's
handler has already received the whole body (into a ``SpooledTemporaryFile``, in memory up to
``FILE_UPLOAD_MAX_MEMORY_SIZE``) before any middleware runs, and Django 5.2 has no async body
API, so reading ``request.body`` (or a prefix) does no network I/O; the native inspection
releases the GIL and takes tens of microseconds, less than a hop to a worker thread would.
That buffered stream is seekable, which also lets a chunked request body (no
``Content-Length``) be inspected, and a prefix be read and the stream put back at its start.
Streamed responses are scanned chunk by chunk, sync iterators and async iterators alike.

Metrics: with ``METRICS_PATH`` set, a ``GET``/``HEAD`` of that path from a client in
``METRICS_ALLOW`` (the client IP the engine settles on from ``request.META``: ``REMOTE_ADDR``,
or the forwarded client behind a ``TRUSTED_PROXIES`` peer) is answered by the middleware
with the Prometheus text, before any inspection and without reaching the views or the
middleware after it; from any other client it is an ordinary, inspected request.

Sink checks: the request's sink context is set around ``get_response`` (asgiref copies it
into the threads that run sync code under ASGI). Django turns an exception a view lets through
into a 500 response inside ``get_response``; when a sink blocked during the request (whether
the view let :class:`ironward.Blocked` through or caught it), that response is replaced by the
block response. (Django's test client re-raises exceptions that reached its handler unless
built with ``raise_request_exception=False``.)
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Callable, Optional, Tuple

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver, resolve

from ._base import (
    METRICS_CONTENT_TYPE,
    ROUTE_MATCHED,
    ROUTE_NOT_FOUND,
    BaseRASP,
    Blocked,
    _PrefixedStream,
    _read_exact,
)

__all__ = ["DjangoRASP"]


def _setting(name: str, default: Any = None) -> Any:
    for prefix in ("IRONWARD_", "PYRASP_"):
        value = getattr(settings, prefix + name, None)
        if value is not None:
            return value
    return default


def _route(path: str, urlconf: Optional[str]) -> int:
    # Cache only short paths, so that the cache stays small whatever clients send.
    if len(path) <= 256:
        return _cached_route(path, urlconf)
    return _resolve_route(path, urlconf)


@lru_cache(maxsize=4096)
def _cached_route(path: str, urlconf: Optional[str]) -> int:
    return _resolve_route(path, urlconf)


def _resolve_route(path: str, urlconf: Optional[str]) -> int:
    try:
        resolve(path, urlconf)
    except Resolver404:
        return ROUTE_NOT_FOUND
    return ROUTE_MATCHED


def block_response(verdict: Any) -> HttpResponse:
    """The Django response for a blocking verdict."""
    resp = HttpResponse(verdict.body, status=verdict.status)
    for name, value in verdict.headers:
        if name.lower() != "content-length":
            resp[name] = value
    return resp


def _walk(patterns: Any, prefix: str, out: dict) -> None:
    for p in patterns:
        path = prefix + str(getattr(p, "pattern", ""))
        if hasattr(p, "url_patterns"):
            _walk(p.url_patterns, path, out)
        else:
            name = getattr(p, "name", None) or getattr(p, "lookup_str", None) or path
            out[name] = {"methods": [], "path": "/" + path}


class DjangoRASP(BaseRASP):
    """Django middleware: ``DjangoRASP(get_response)``; configured from the settings. Sync or
    async, following ``get_response``."""

    PLATFORM = "Django"
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Optional[Callable] = None, **kwargs: Any) -> None:
        self.get_response = get_response
        # Django passes an async get_response under ASGI: be a coroutine function then, so
        # that Django awaits us instead of running us in a thread.
        self.async_mode = get_response is not None and iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        kwargs.setdefault("template", _setting("TEMPLATE", "default"))
        kwargs.setdefault("conf", _setting("CONF"))
        kwargs.setdefault("params", _setting("PARAMS", {}))
        kwargs.setdefault("key", _setting("KEY"))
        kwargs.setdefault("cloud_url", _setting("CLOUD_URL"))
        super().__init__(app=None, **kwargs)
        try:
            self.routes = self._collect_routes(None)
        except Exception:
            self.routes = {}

    def _collect_routes(self, app: Any) -> dict:
        out: dict = {}
        _walk(get_resolver().url_patterns, "", out)
        return out

    def _body(self, request: Any) -> Tuple[Optional[bytes], Optional[int]]:
        """``(body_or_prefix, full_length_if_cut)``, leaving the request readable whole."""
        meta = request.META
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = getattr(request, "_stream", None)
        seekable = False
        if stream is not None and not getattr(request, "_read_started", False):
            try:
                seekable = bool(stream.seekable())
            except Exception:
                seekable = False
        if length <= 0 and seekable:
            # ASGI: Django buffered the whole body, whether or not a Content-Length came
            # (a chunked request has none); measure it.
            start = stream.tell()
            length = stream.seek(0, os.SEEK_END) - start
            stream.seek(start)
        if length <= 0:
            return (None, None)
        cap = self._engine.max_body_bytes
        if length <= cap:
            return (request.body, None)
        if stream is None or getattr(request, "_read_started", False):
            return (None, length)
        if seekable:
            start = stream.tell()
            prefix = _read_exact(stream, cap)
            stream.seek(start)
            return (prefix, length)
        prefix = _read_exact(stream, cap)
        request._stream = _PrefixedStream(prefix, stream)
        return (prefix, length)

    def _inspect(self, request: Any) -> Tuple[Any, Any]:
        """``(verdict, block_response_or_None)``; the verdict is None when the inspection
        failed open."""
        try:
            route = _route(request.path_info, getattr(request, "urlconf", None))
            body = self._body(request)
        except Exception as e:  # never break the request
            failed = self._failed(e)
            return (None, None if failed is None else block_response(failed))
        verdict = self.inspect_wsgi(request.META, route, body)
        if verdict is not None and verdict.blocked:
            return (verdict, block_response(verdict))
        return (verdict, None)

    def _respond(self, verdict: Any, response: Any) -> Any:
        try:
            return self._process_response(verdict, response)
        except Exception as e:  # never break the application's response
            failed = self._failed(e)
            return response if failed is None else block_response(failed)

    def _scrape(self, request: Any) -> Optional[HttpResponse]:
        """The metrics response when the request is an allowed scrape of ``METRICS_PATH``
        (not inspected, not counted), else None."""
        metrics = self._metrics_wsgi(request.META)
        if metrics is None:
            return None
        head = request.META.get("REQUEST_METHOD") == "HEAD"
        resp = HttpResponse(b"" if head else metrics, content_type=METRICS_CONTENT_TYPE)
        resp["Content-Length"] = str(len(metrics))
        return resp

    def __call__(self, request: Any) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        scrape = self._scrape(request)
        if scrape is not None:
            return scrape
        return self._counted(self._handle(request))

    def _counted(self, response: Any) -> Any:
        """Counts the status of the response passed on (``ironward_responses_total``)."""
        self._count_status(getattr(response, "status_code", 0))
        return response

    def _handle(self, request: Any) -> Any:
        """The sync path: the inspection around ``get_response(request)``."""
        verdict, blocked = self._inspect(request)
        if blocked is not None:
            return blocked
        scope = self.sink_enter(verdict)
        if scope is None:
            return self._respond(verdict, self.get_response(request))
        try:
            response = self.get_response(request)
        except Blocked as e:
            return self._sink_blocked(e.verdict)
        finally:
            sink_block = self.sink_leave(scope)
        if sink_block is not None:
            return self._sink_blocked(sink_block)
        return self._respond(verdict, response)

    async def __acall__(self, request: Any) -> Any:
        """The async path (ASGI): the same inspection, run on the event loop (see the module
        documentation), around ``await get_response(request)``."""
        scrape = self._scrape(request)
        if scrape is not None:
            return scrape
        return self._counted(await self._ahandle(request))

    async def _ahandle(self, request: Any) -> Any:
        verdict, blocked = self._inspect(request)
        if blocked is not None:
            return blocked
        scope = self.sink_enter(verdict)
        if scope is None:
            return self._respond(verdict, await self.get_response(request))
        try:
            response = await self.get_response(request)
        except Blocked as e:
            return self._sink_blocked(e.verdict)
        finally:
            sink_block = self.sink_leave(scope)
        if sink_block is not None:
            return self._sink_blocked(sink_block)
        return self._respond(verdict, response)

    @staticmethod
    def _sink_blocked(verdict: Any) -> Any:
        """The block response of a sink verdict."""
        return block_response(verdict)

    def _process_response(self, verdict: Any, response: Any) -> Any:
        engine = self._engine
        if self.response_needed(verdict, response.status_code):
            headers = [(k, str(v)) for k, v in response.items()]
            status = response.status_code
            if getattr(response, "streaming", False):
                out = self.check_response(verdict, status, headers, None)
                if out is not None and out.blocked:
                    return block_response(out)
                scanner = self.stream_scanner(verdict, status, headers)
                if scanner is not None:
                    # Async iterators (async views' StreamingHttpResponse) stay async.
                    scan = self.ascan_stream if getattr(response, "is_async", False) \
                        else self.scan_stream
                    response.streaming_content = scan(scanner, response.streaming_content)
            else:
                body = response.content if engine.dlp_enabled else None
                fits = body is not None and self.buffered_body_fits(len(body))
                out = self.check_response(verdict, status, headers, body if fits else None)
                if out is not None and out.blocked:
                    return block_response(out)
        server = engine.server_header
        if server is not None:
            response["Server"] = server
        return response
