"""``AsgiRASP``: an ASGI middleware protecting any ASGI application (Starlette, FastAPI,
Quart, Litestar, Django's ASGI handler…).

``app = AsgiRASP(app, params={...})``, or Starlette's idiom
``app.add_middleware(AsgiRASP, params={...})``. :class:`ironward.FastApiRASP` registers the same
middleware on a FastAPI/Starlette app and adds the route and method checks from its routes.

On an ``http`` request:

* the body is received up to ``MAX_BODY_BYTES`` (never more), and the messages received are
  replayed to the application unchanged, then ``receive`` goes on with the rest;
* the request as the application reads it (method, ``path`` — as ``raw_path`` when that
  decodes to it —, ``query_string``, headers, client) goes to the engine in one native call (the GIL is released inside it; the event loop waits only for the
  inspection itself);
* ``http.response.start`` is held back until the response can be judged: a body sent in one
  message, or announced by ``Content-Length`` within ``DLP_MAX_BODY_BYTES``, is buffered and
  inspected whole (and replaced by the block response on a leak); any other body is streamed,
  scanned chunk by chunk, and cut before a leaking chunk (the response then ends there and the
  application's next ``send`` raises, which ends the application's stream).

``lifespan`` and ``websocket`` scopes (and any other) pass through untouched.

Sink checks: the request's sink context is set while the application runs (a ``ContextVar``:
the tasks the application starts, and Starlette's thread pool for sync endpoints, inherit
it). A :class:`ironward.Blocked` that reaches the middleware before the response started is
answered with the block response; when a sink blocked and the application answered anyway
(it caught the exception), its ``http.response.start`` is replaced by the block response and
the rest of its messages are dropped. A block after the response started cannot change it.
"""

from __future__ import annotations

import sys
from typing import Any, Awaitable, Callable, List, MutableMapping, Optional, Tuple
from ._base import METRICS_CONTENT_TYPE, ROUTE_UNKNOWN, BaseRASP, Blocked, SinkState
from ._parsed import asgi_target

__all__ = ["AsgiRASP", "ResponseCut"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_START = "http.response.start"
_BODY = "http.response.body"
# Server extensions that would send a body around ``send``'s body messages (a file by path,
# zero-copy): hidden from the application while responses are inspected, so it falls back
# to plain body messages that can be scanned.
_BYPASS_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopy")


class ResponseCut(Exception):
    """Raised into the application by ``send`` once Ironward has ended its response (a leak
    was cut from the stream, or the response was replaced by the block response). The
    middleware swallows it: the client already has its (shortened or blocked) response."""


def _latin1(pairs: Any) -> List[Tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in pairs]


def block_messages(verdict: Any) -> Tuple[Message, Message]:
    """The ASGI messages of the block response for a blocking verdict."""
    headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in verdict.headers]
    return (
        {"type": _START, "status": verdict.status, "headers": headers},
        {"type": _BODY, "body": verdict.body or b"", "more_body": False},
    )


def _with_server(headers: Any, server: Optional[str]) -> List[Tuple[bytes, bytes]]:
    out = [(n, v) for n, v in headers if n.lower() != b"server"]
    if server is not None:
        out.append((b"server", server.encode("latin-1")))
    return out


def _content_length(headers: Any) -> Optional[int]:
    for n, v in headers:
        if n.lower() == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None
    return None


class _Replay:
    """``receive`` for the application: the messages Ironward received first, then the
    server's ``receive``."""

    __slots__ = ("_messages", "_receive")

    def __init__(self, messages: List[Message], receive: Receive) -> None:
        self._messages = messages
        self._receive = receive

    async def __call__(self) -> Message:
        if self._messages:
            return self._messages.pop(0)
        return await self._receive()


class _CountingSend:
    """``send`` that counts the status of the response (``ironward_responses_total``)."""

    __slots__ = ("rasp", "send")

    def __init__(self, rasp: BaseRASP, send: Send) -> None:
        self.rasp = rasp
        self.send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == _START:
            self.rasp._count_status(message.get("status", 200))
        await self.send(message)


class _ResponseGate:
    """``send`` for the application: holds ``http.response.start``, buffers or scans the body,
    and applies the outbound verdict."""

    __slots__ = (
        "rasp", "verdict", "send", "start", "chunks", "buffering", "scanner", "ended",
        "started",
    )

    def __init__(self, rasp: BaseRASP, verdict: Any, send: Send) -> None:
        self.rasp = rasp
        self.verdict = verdict
        self.send = send
        self.start: Optional[Message] = None
        self.chunks: List[bytes] = []
        self.buffering = False
        self.scanner: Any = None
        self.ended = False  # Ironward ended the response: drop the application's messages
        self.started = False  # the start message went out

    async def __call__(self, message: Message) -> None:
        if self.ended:
            raise ResponseCut("the response was ended by Ironward")
        kind = message["type"]
        if kind == _START:
            self.start = message
            if not self.rasp.response_needed(self.verdict, message.get("status", 200)):
                # Nothing the engine could act on (e.g. a 200 with DLP off): straight through.
                await self._send_start()
            return
        if kind != _BODY or self.start is None or self.started and self.scanner is None:
            await self.send(message)
            return
        if self.started:  # streaming with a scanner
            await self._stream(message)
            return
        more = message.get("more_body", False)
        body = message.get("body", b"")
        if not self.buffering:
            headers = self.start.get("headers", ())
            if not more:
                await self._buffered(body)
                return
            length = _content_length(headers)
            if self.rasp.buffered_body_fits(length):
                self.buffering = True
            else:
                await self._begin_stream(message)
                return
        if body:
            self.chunks.append(bytes(body))
        if not more:
            await self._buffered(b"".join(self.chunks))

    async def _buffered(self, body: bytes) -> None:
        rasp = self.rasp
        start = self.start
        assert start is not None
        headers = start.get("headers", ())
        str_headers = _latin1(headers)
        engine = rasp.engine
        inspect = body if engine.dlp_enabled and rasp.buffered_body_fits(len(body)) else None
        out = rasp.check_response(self.verdict, start["status"], str_headers, inspect)
        if out is not None and out.blocked:
            await self._send_block(out)
            return
        if inspect is None and body and engine.dlp_enabled:
            # Too big to inspect whole: scan it as a stream.
            scanner = rasp.stream_scanner(self.verdict, start["status"], str_headers)
            if scanner is not None:
                await self._send_start()
                self.scanner = scanner
                await self._stream({"type": _BODY, "body": body, "more_body": False})
                return
        await self._send_start()
        await self.send({"type": _BODY, "body": body, "more_body": False})

    async def _begin_stream(self, message: Message) -> None:
        rasp = self.rasp
        start = self.start
        assert start is not None
        str_headers = _latin1(start.get("headers", ()))
        out = rasp.check_response(self.verdict, start["status"], str_headers, None)
        if out is not None and out.blocked:
            await self._send_block(out)
            return
        self.scanner = rasp.stream_scanner(self.verdict, start["status"], str_headers)
        await self._send_start()
        if self.scanner is None:
            await self.send(message)
        else:
            await self._stream(message)

    async def _stream(self, message: Message) -> None:
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if body:
            # A scanner error fails open inside the scanner (BaseRASP.stream_scanner).
            v = self.scanner.push(body)
            if v is not None and v.blocked:
                self.ended = True
                await self.send({"type": _BODY, "body": b"", "more_body": False})
                raise ResponseCut("a leak was cut from the response")
        if not more:
            self.scanner.finish()
        await self.send(message)

    async def _send_start(self) -> None:
        start = self.start
        assert start is not None
        server = self.rasp.server_header
        if server is not None:
            start = dict(start)
            start["headers"] = _with_server(start.get("headers", ()), server)
        self.started = True
        await self.send(start)

    async def _send_block(self, verdict: Any) -> None:
        self.ended = True
        head, body = block_messages(verdict)
        await self.send(head)
        await self.send(body)

    async def finish(self) -> None:
        """After the application returned: flush a start it never followed with a body."""
        if self.start is not None and not self.started and not self.ended:
            if self.buffering:
                await self._buffered(b"".join(self.chunks))
            else:
                await self._send_start()


class _SinkGate:
    """``send`` for the application while a sink context is set: once a sink blocked, the
    response the application starts is replaced by the block response (sent straight to the
    server), and its further messages are dropped."""

    __slots__ = ("send", "raw_send", "state", "started", "ended")

    def __init__(self, send: Send, raw_send: Send, state: SinkState) -> None:
        self.send = send
        self.raw_send = raw_send
        self.state = state
        self.started = False
        self.ended = False

    async def __call__(self, message: Message) -> None:
        if self.ended:
            return
        if not self.started and message["type"] == _START:
            if self.state.blocked is not None:
                await self.block(self.state.blocked)
                return
            self.started = True
        await self.send(message)

    async def block(self, verdict: Any) -> None:
        """Sends the block response instead of the application's."""
        self.ended = True
        head, body = block_messages(verdict)
        await self.raw_send(head)
        await self.raw_send(body)


class _ServerHeader:
    """``send`` that only sets the ``Server`` header (responses not inspected)."""

    __slots__ = ("send", "server")

    def __init__(self, send: Send, server: str) -> None:
        self.send = send
        self.server = server

    async def __call__(self, message: Message) -> None:
        if message["type"] == _START:
            message = dict(message)
            message["headers"] = _with_server(message.get("headers", ()), self.server)
        await self.send(message)


class _AsgiHandling:
    """The ASGI request flow, shared by :class:`AsgiRASP` and the async functions of
    :class:`~ironward.GcpRASP`: the body received up to ``MAX_BODY_BYTES`` and replayed, the
    inspection, the block answer, and the response gate. Needs a :class:`BaseRASP` beside it
    (and a ``_route(scope)``)."""

    async def _read_body(
        self, receive: Receive, raw_headers: Any, messages: List[Message]
    ) -> Tuple[Optional[bytes], Optional[int]]:
        """Receives at most ``MAX_BODY_BYTES`` of the body into ``messages`` (to replay).
        Returns ``(body, full_length_if_cut)``."""
        cap = self._engine.max_body_bytes
        parts: List[bytes] = []
        size = 0
        more = True
        while more and size <= cap:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # http.disconnect: the application sees it too
            chunk = message.get("body", b"")
            if chunk:
                parts.append(chunk)
                size += len(chunk)
            more = message.get("more_body", False)
        if not parts:
            return None, None
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        if size > cap or more:
            length = _content_length(raw_headers)
            return body[:cap], (length if length is not None and length > cap else size)
        return body, None

    async def _inspect(self, scope: Scope, receive: Receive, messages: List[Message]) -> Any:
        raw_headers = scope.get("headers") or ()
        body, full = await self._read_body(receive, raw_headers, messages)
        path, query = asgi_target(scope)
        client = scope.get("client")
        return self.inspect(
            scope.get("method", "GET"), path, query, _latin1(raw_headers),
            client[0] if client else None, body, full, self._route(scope),
        )

    def _metrics_asgi(self, scope: Scope) -> Optional[bytes]:
        """The metrics body when ``scope`` is an allowed scrape of ``METRICS_PATH``."""
        engine = self._engine
        if engine.metrics_path is None:
            return None
        try:
            path, _ = asgi_target(scope)
            client = scope.get("client")
            text = engine.metrics_scrape(
                scope.get("method", "GET"), path, _latin1(scope.get("headers") or ()),
                client[0] if client else None,
            )
        except Exception:
            return None
        return None if text is None else text.encode()

    async def _handle(self, app: Any, scope: Scope, receive: Receive, send: Send) -> None:
        metrics = self._metrics_asgi(scope)
        if metrics is not None:
            await send({
                "type": _START, "status": 200,
                "headers": [
                    (b"content-type", METRICS_CONTENT_TYPE.encode()),
                    (b"content-length", str(len(metrics)).encode()),
                ],
            })
            head = scope.get("method") == "HEAD"
            await send({"type": _BODY, "body": b"" if head else metrics})
            return
        send = _CountingSend(self, send)
        messages: List[Message] = []
        try:
            verdict = await self._inspect(scope, receive, messages)
        except Exception as e:  # never break the application's request
            verdict = self._failed(e)
        if verdict is not None and verdict.blocked:
            head, body = block_messages(verdict)
            await send(head)
            await send(body)
            return
        app_receive: Receive = _Replay(messages, receive) if messages else receive
        sink = self.sink_enter(verdict)
        if sink is None:
            await self._call_app(app, scope, app_receive, send, verdict, None)
            return
        try:
            await self._call_app(app, scope, app_receive, send, verdict, sink[0])
        finally:
            self.sink_leave(sink)

    async def _call_app(
        self, app: Any, scope: Scope, receive: Receive, send: Send, verdict: Any,
        state: Optional[SinkState],
    ) -> None:
        engine = self._engine
        if verdict is None or not engine.inspects_responses:
            server = engine.server_header
            inner: Send = send if server is None else _ServerHeader(send, server)
            if state is None:
                await app(scope, receive, inner)
            else:
                await self._sink_guarded(app, scope, receive, inner, send, state)
            return
        extensions = scope.get("extensions")
        if extensions and any(k in extensions for k in _BYPASS_EXTENSIONS):
            scope = dict(scope)
            scope["extensions"] = {
                k: v for k, v in extensions.items() if k not in _BYPASS_EXTENSIONS
            }
        gate = _ResponseGate(self, verdict, send)
        try:
            if state is None:
                await app(scope, receive, gate)
            elif not await self._sink_guarded(app, scope, receive, gate, send, state):
                return
        except Exception:
            if gate.ended:
                return  # the application stopped on ResponseCut (or failed after the cut)
            raise
        await gate.finish()

    @staticmethod
    async def _sink_guarded(
        app: Any, scope: Scope, receive: Receive, inner: Send, send: Send, state: SinkState
    ) -> bool:
        """Runs the application with the sink gate; False when the block response went out
        instead of the application's."""
        sink_gate = _SinkGate(inner, send, state)
        try:
            await app(scope, receive, sink_gate)
        except Blocked as e:
            if sink_gate.started:
                raise  # the response is on its way: nothing left to replace
            if not sink_gate.ended:
                await sink_gate.block(e.verdict)
            return False
        if sink_gate.ended:
            return False
        if state.blocked is not None and not sink_gate.started:
            await sink_gate.block(state.blocked)  # the application sent nothing
            return False
        return True


class AsgiRASP(_AsgiHandling, BaseRASP):
    """ASGI middleware: ``AsgiRASP(asgi_app, template='default', conf=None, params={})``."""

    PLATFORM = "ASGI"
    _uvicorn_config: Any = None

    def _gunicorn_server_header(self) -> None:
        """Like gunicorn, uvicorn adds its own ``Server`` header beside the application's:
        when uvicorn is loading this app (``uvicorn module:app``), its own header is turned
        off, so the one the adapter sets is the only one. (With ``uvicorn.run(app_object)``,
        pass ``server_header=False``.)"""
        super()._gunicorn_server_header()
        config = self._uvicorn_config
        if config is None:
            module = sys.modules.get("uvicorn.config")
            cls = getattr(module, "Config", None)
            if cls is None:
                return
            frame = sys._getframe(1)
            for _ in range(64):
                if frame is None:
                    return
                candidate = frame.f_locals.get("self")
                if isinstance(candidate, cls):
                    config = self._uvicorn_config = candidate
                    break
                frame = frame.f_back
            else:
                return
        if self.server_header is None:
            return  # CHANGE_SERVER off: uvicorn's header stays
        try:
            # uvicorn then sends no Server header of its own; the adapter sets it on every
            # response. ``headers``/``server_header`` feed ``encoded_headers`` when uvicorn
            # loads (after importing the app once to check it); ``encoded_headers`` is what a
            # loaded server sends.
            config.headers = [h for h in (config.headers or []) if h[0].lower() != "server"]
            config.server_header = False
            if getattr(config, "loaded", False):
                config.encoded_headers = [
                    (n, v) for n, v in config.encoded_headers if n != b"server"
                ]
        except Exception:
            pass

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if app is None:
            raise RuntimeError("AsgiRASP needs the ASGI application to protect")
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        await self._handle(app, scope, receive, send)

    def _route(self, scope: Scope) -> int:
        """The route code; a plain ASGI app has no route table."""
        return ROUTE_UNKNOWN

