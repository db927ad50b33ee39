"""``WsgiRASP``: a WSGI middleware protecting any WSGI application.

``app.wsgi_app = WsgiRASP(app.wsgi_app)`` (Flask), or wrap any callable. The request body is
read up to ``MAX_BODY_BYTES`` and replayed to the application (the rest streams on, unread).
``start_response`` is deferred until the response is inspected: a buffered body (a list, or a
``Content-Length`` within ``DLP_MAX_BODY_BYTES``) is inspected whole and may be replaced by the
block response; any other body is scanned chunk by chunk and cut at a leak.

Sink checks: the request's sink context is set while the application is called (a body
iterable that runs the application's code lazily, after the call returned, is outside it). A
:class:`ironward.Blocked` the application lets through, or a block the context recorded (the
application caught the exception), is answered with the block response: while the
application runs, its ``start_response`` call is held back (and sent once it returned), so the
block response can still replace it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, Optional

from ._base import METRICS_CONTENT_TYPE, ROUTE_UNKNOWN, BaseRASP, Blocked

__all__ = ["WsgiRASP"]

_REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_line(code: int) -> str:
    return f"{code} {_REASONS.get(code, 'Blocked')}"


def _content_length(headers: List[tuple]) -> Optional[int]:
    for name, value in headers:
        if name.lower() == "content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_server(headers: List[tuple], server: Optional[str]) -> List[tuple]:
    if server is None:
        return headers
    out = [(n, v) for (n, v) in headers if n.lower() != "server"]
    out.append(("Server", server))
    return out


class WsgiRASP(BaseRASP):
    """WSGI middleware: ``WsgiRASP(wsgi_app, template='default', conf=None, params={})``."""

    PLATFORM = "WSGI"

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.app is None:
            raise RuntimeError("WsgiRASP needs the WSGI application to protect")
        metrics = self._metrics_wsgi(environ)
        if metrics is not None:
            start_response(
                "200 OK",
                [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(metrics)))],
            )
            return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else metrics]
        start_response = self._counting(start_response)
        verdict = self.inspect_wsgi(environ, self._route(environ))
        if verdict is not None and verdict.blocked:
            return self._block(verdict, start_response)
        scope = self.sink_enter(verdict)
        if scope is None:
            return self._respond(verdict, environ, start_response)
        held = _HeldStart(start_response)
        try:
            result = self._respond(verdict, environ, held)
        except Blocked as e:
            self.sink_leave(scope)
            return self._block(e.verdict, start_response)
        except BaseException:
            self.sink_leave(scope)
            held.release()
            raise
        sink_block = self.sink_leave(scope)
        if sink_block is None or held.sent:
            held.release()
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return self._block(sink_block, start_response)

    def _counting(self, start_response: Callable) -> Callable:
        """``start_response`` that counts the status sent (``ironward_responses_total``)."""

        def counted(status: str, headers: List[tuple], exc_info: Any = None) -> Callable:
            self._count_status(status)
            return start_response(status, headers, exc_info)

        return counted

    def _route(self, environ: dict) -> int:
        """The route code; plain WSGI apps have no route table."""
        return ROUTE_UNKNOWN

    def _block(self, verdict: Any, start_response: Callable) -> List[bytes]:
        start_response(status_line(verdict.status), list(verdict.headers))
        return [verdict.body]

    def _respond(self, verdict: Any, environ: dict, start_response: Callable) -> Iterable[bytes]:
        engine = self._engine
        server = engine.server_header
        if verdict is None or not engine.inspects_responses:
            if server is None:
                return self.app(environ, start_response)

            def set_server(status, headers, exc_info=None):
                return start_response(status, _with_server(headers, server), exc_info)

            return self.app(environ, set_server)

        held: dict = {}
        writes: List[bytes] = []

        def deferred(status, headers, exc_info=None):
            if held.get("passed") or (
                "status" not in held and not self.response_needed(verdict, status)
            ):
                # Nothing the engine could act on (e.g. a 200 with DLP off): straight through.
                held["passed"] = True
                if server is not None:
                    headers = _with_server(headers, server)
                return start_response(status, headers, exc_info)
            held["status"], held["headers"], held["exc_info"] = status, list(headers), exc_info
            return writes.append  # legacy write(): buffered, sent first

        result = self.app(environ, deferred)
        if held.get("passed"):
            return result
        if isinstance(result, (list, tuple)) and "status" in held:
            body = b"".join(writes) + b"".join(result)
            return self._buffered(verdict, held, body, start_response, result)
        length = _content_length(held.get("headers", [])) if "status" in held else None
        if "status" in held and self.buffered_body_fits(length):
            try:
                body = b"".join(writes) + b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            return self._buffered(verdict, held, body, start_response, None)
        return self._streamed(verdict, held, writes, result, start_response)

    def _buffered(self, verdict, held, body, start_response, result) -> List[bytes]:
        engine = self._engine
        out = self.check_response(
            verdict, held["status"], held["headers"], body if engine.dlp_enabled else None
        )
        if out is not None and out.blocked:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            return self._block(out, start_response)
        start_response(
            held["status"], _with_server(held["headers"], engine.server_header), held["exc_info"]
        )
        return [body]

    def _streamed(self, verdict, held, writes, result, start_response):
        iterator = iter(result)
        first: List[bytes] = []
        if "status" not in held:
            # The application calls start_response on its first chunk.
            for chunk in iterator:
                first.append(chunk)
                if chunk or "status" in held or held.get("passed"):
                    break
        if held.get("passed"):
            return _Chain(first, iterator, result)
        if "status" not in held:
            raise RuntimeError("the WSGI application did not call start_response")
        out = self.check_response(verdict, held["status"], held["headers"], None)
        if out is not None and out.blocked:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            return self._block(out, start_response)
        start_response(
            held["status"],
            _with_server(held["headers"], self._engine.server_header),
            held["exc_info"],
        )
        scanner = self.stream_scanner(verdict, held["status"], held["headers"])
        chunks = _Chain(writes + first, iterator, result)
        if scanner is None:
            return chunks
        return self.scan_stream(scanner, chunks)


class _HeldStart:
    """``start_response`` for the application while a sink context is set: the status and
    headers are held until the application returned (or wrote a first byte through the
    legacy ``write``), so that a sink block can still answer instead; after that, calls go
    straight through."""

    __slots__ = ("start_response", "held", "sent", "write")

    def __init__(self, start_response: Callable) -> None:
        self.start_response = start_response
        self.held: Optional[tuple] = None
        self.sent = False
        self.write: Optional[Callable] = None

    def __call__(self, status: str, headers: List[tuple], exc_info: Any = None) -> Callable:
        if self.sent:
            return self.start_response(status, headers, exc_info)
        # Nothing went to the server yet: a second call (with exc_info) replaces the first,
        # and the server will see a single, first call.
        self.held = (status, headers)
        return self._write

    def _write(self, data: bytes) -> None:
        self.release()
        if self.write is not None:
            self.write(data)

    def release(self) -> None:
        """Sends the held status and headers (once); later calls go straight through."""
        if self.sent:
            return
        self.sent = True
        if self.held is not None:
            self.write = self.start_response(*self.held)


class _Chain:
    """The buffered first chunks, then the rest of the application's iterable; ``close()``
    closes the application's iterable."""

    def __init__(self, head: List[bytes], rest: Any, original: Any) -> None:
        self._head = head
        self._rest = rest
        self._original = original

    def __iter__(self):
        yield from self._head
        yield from self._rest

    def close(self) -> None:
        close = getattr(self._original, "close", None)
        if close is not None:
            close()
