"""``McpToolRASP``: protects the tools of an MCP server built with the official ``mcp`` SDK
(``MCPServer`` in mcp 2, ``FastMCP`` in mcp 1) or the ``fastmcp`` package (v2 and later).

.. code-block:: python

    from fastmcp import FastMCP            # or: from mcp.server.mcpserver import MCPServer
    from ironward import McpToolRASP

    server = FastMCP("files")
    rasp = McpToolRASP(server)             # pyrasp's constructor; template 'mcp' by default

    @server.tool()
    def read_file(path: str) -> str: ...   # protected: every tool of the server is

Every tool call's arguments (JSON, ``default=str``) go through the engine's tool-call checks
(chars, command, path_traversal, ssrf, sqli, xss, prompt — those on in the configuration)
before the tool runs; its result goes through DLP after. A block answers the call with the
SDK's tool error — the client receives ``isError: true`` and a short message, the tool body
does not run (arguments) or its result is withheld (result) —, and is reported like any
event. At level 3 a finding is reported and the call goes on.

How it hooks (better than pyrasp, which needs ``@rasp.register`` on every tool and answers a
block with a fake successful result):

* given a server, the constructor protects **all** its tools, including tools added later
  and, with ``fastmcp``, mounted and proxied ones: ``fastmcp`` through a middleware
  (``server.add_middleware``, its public API), ``mcp`` by wrapping the ``call_tool`` of the
  server's tool manager (instance attribute; the server's classes are not changed).
  :meth:`McpToolRASP.protect` does the same for another server;
* ``@rasp.register`` wraps one tool function (sync or async), pyrasp's way: for a server
  that is not passed to the constructor (``McpToolRASP(None)``) or that neither hook knows.
  Put it under the SDK's decorator. The signature, annotations and docstring are kept
  (``functools.wraps``), so the tool's input schema is unchanged. A function the
  server-level guard already covers is not inspected twice.

Sink checks (``SINK_CHECKS``): while a tool runs, the sinks check the queries, commands,
files and connections it makes against the call's arguments (as for a web request's inputs);
a blocked operation ends the call with the tool error.

The client IP of a streamable HTTP call (the TCP peer, or the forwarded client when the peer
is one of ``TRUSTED_PROXIES``) is given to the engine for the whitelist, blacklist and events;
over stdio there is none.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from typing import Any, Callable, List, Optional, Tuple

from ._base import BaseRASP
from ._sinks import Protection
from .mcpcommon import (
    IN_TOOL_GUARD,
    McpBlocked,
    arguments_json,
    blocked,
    result_text,
    tool_error_class,
)

__all__ = ["McpToolRASP", "McpBlocked"]

#: The message of a refused call (the findings are in the event, not told to the caller).
ARGUMENTS_MESSAGE = "Blocked by Ironward: the tool call was refused"
#: The message of a withheld result.
RESULT_MESSAGE = "Blocked by Ironward: the tool result was withheld"
#: The message of a tool stopped at a sink (a query, a command, a file, a connection).
SINK_MESSAGE = "Blocked by Ironward: an operation of the tool was refused"


#: ``(peer IP, headers)`` of the HTTP request that carried a call; ``(None, [])`` over stdio.
Origin = Tuple[Optional[str], List[Tuple[str, str]]]
NO_ORIGIN: Origin = (None, [])


def _origin_of_request(request: Any) -> Origin:
    """The TCP peer and the headers of a Starlette request (both SDKs serve HTTP with it). The
    engine replaces a peer in ``TRUSTED_PROXIES`` by the forwarded client, as for a request."""
    if request is None:
        return NO_ORIGIN
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    peer = host if isinstance(host, str) and host else None
    try:
        raw = request.headers.raw
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
    except Exception:
        headers = []
    return peer, headers


def _mcp_origin(context: Any) -> Origin:
    """The HTTP origin of a call on an ``mcp`` server (the Starlette request in the request
    context), or no origin."""
    try:
        rc = getattr(context, "request_context", None)
        return _origin_of_request(getattr(rc, "request", None))
    except Exception:
        return NO_ORIGIN


def _fastmcp_origin() -> Origin:
    """The HTTP origin of the call ``fastmcp`` is handling, or no origin."""
    try:
        from fastmcp.server.dependencies import get_http_request

        return _origin_of_request(get_http_request())
    except Exception:
        return NO_ORIGIN


class McpToolRASP(BaseRASP):
    """MCP tool protection. ``McpToolRASP(server=None, template='mcp', conf=None, params={},
    key=None, cloud_url=None)``; see the module documentation."""

    PLATFORM = "MCP Tool"

    def __init__(
        self,
        app: Any = None,
        template: Optional[str] = "mcp",
        conf: Optional[str] = None,
        params: Optional[dict] = None,
        key: Optional[str] = None,
        cloud_url: Optional[str] = None,
    ) -> None:
        super().__init__(app, template or "mcp", conf, params, key, cloud_url)

    # ----------------------------------------------------------------------------------
    # Hooks

    def _register(self, app: Any) -> None:
        self.protect(app)

    def protect(self, server: Any) -> Any:
        """Protects every tool of ``server`` (``fastmcp.FastMCP``, ``mcp``'s ``MCPServer`` or
        ``FastMCP``); returns the server. Idempotent. Raises ``TypeError`` for a server it
        cannot hook (use ``@rasp.register`` on its tools then)."""
        if getattr(server, "_ironward_mcp_tool", None) is self:
            return server
        if callable(getattr(server, "add_middleware", None)) and _is_fastmcp(server):
            server.add_middleware(_fastmcp_middleware(self))
        else:
            manager = getattr(server, "_tool_manager", None)
            call = getattr(manager, "call_tool", None)
            if call is None:
                raise TypeError(
                    f"ironward: cannot hook the tools of {type(server).__name__!r}; "
                    "decorate them with @rasp.register"
                )
            manager.call_tool = self._mcp_manager_guard(call)
        try:
            server._ironward_mcp_tool = self
        except Exception:
            pass
        return server

    def _mcp_manager_guard(self, call: Callable[..., Any]) -> Callable[..., Any]:
        """``ToolManager.call_tool(name, arguments, context, convert_result)`` guarded."""
        rasp = self

        @functools.wraps(call)
        async def call_tool(name: str, arguments: Any, *args: Any, **kwargs: Any) -> Any:
            context = kwargs.get("context", args[0] if args else None)
            ip = _mcp_origin(context)
            rasp.check_arguments(name, arguments, ip)
            with rasp._running(name, arguments):
                result = await call(name, arguments, *args, **kwargs)
            rasp.check_result(name, result, ip)
            return result

        return call_tool

    @contextlib.contextmanager
    def _running(self, tool: str, arguments: Any, outer: bool = True) -> Any:
        """While the tool runs: marks the call as guarded (``outer``: a ``@rasp.register``
        function inside does not inspect it again) and, when a sink check is on
        (``SINK_CHECKS``), sets the sink context to the call's arguments, so that a query,
        command, file or URL the tool builds from them is checked where it runs. A sink block
        (raised, or caught by the tool) becomes the tool error."""
        token = IN_TOOL_GUARD.set(tool) if outer else None
        try:
            with self._sink_scope(tool, arguments) as sink:
                try:
                    yield
                except Exception:
                    if sink is not None and sink.blocked is not None:
                        raise blocked(tool, "sink", sink.blocked, SINK_MESSAGE, True) from None
                    raise
            if sink is not None and sink.blocked is not None:
                raise blocked(tool, "sink", sink.blocked, SINK_MESSAGE, server_side=True)
        finally:
            if token is not None:
                IN_TOOL_GUARD.reset(token)

    def _sink_scope(self, tool: str, arguments: Any) -> Any:
        try:
            if self._engine.sinks_on:
                values = [arguments] if isinstance(arguments, (dict, list)) else [str(arguments)]
                return Protection(self._engine).inputs(values, "tools/call", tool)
        except Exception as e:
            self._failed(e)
        return contextlib.nullcontext(None)

    def register(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator protecting one tool function (sync or async); the tool is named after
        the function. Keeps its signature (the SDK derives the input schema from it)."""
        name = getattr(fn, "__name__", "tool")
        rasp = self

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_tool(*args: Any, **kwargs: Any) -> Any:
                if IN_TOOL_GUARD.get() is not None:  # the server-level guard has it
                    return await fn(*args, **kwargs)
                ip = _fastmcp_origin()
                arguments = _bound(fn, args, kwargs)
                rasp.check_arguments(name, arguments, ip)
                with rasp._running(name, arguments, outer=False):
                    result = await fn(*args, **kwargs)
                rasp.check_result(name, result, ip)
                return result

            wrapper: Callable[..., Any] = async_tool
        else:

            @functools.wraps(fn)
            def sync_tool(*args: Any, **kwargs: Any) -> Any:
                if IN_TOOL_GUARD.get() is not None:
                    return fn(*args, **kwargs)
                ip = _fastmcp_origin()
                arguments = _bound(fn, args, kwargs)
                rasp.check_arguments(name, arguments, ip)
                with rasp._running(name, arguments, outer=False):
                    result = fn(*args, **kwargs)
                rasp.check_result(name, result, ip)
                return result

            wrapper = sync_tool
        wrapper._ironward_mcp_tool = self  # type: ignore[attr-defined]
        return wrapper

    # ----------------------------------------------------------------------------------
    # Checks (also usable directly, e.g. from a custom low-level server)

    def inspect_call(self, tool: str, arguments: Any, origin: Origin = NO_ORIGIN) -> Any:
        """The verdict on a call's arguments (a dict, or JSON text); None when the inspection
        failed and ``FAIL_OPEN`` let it through. ``origin`` is ``(peer IP, headers)`` of the
        HTTP request that carried the call."""
        try:
            text = arguments if isinstance(arguments, str) else arguments_json(arguments)
            return self._engine.inspect_tool_call(tool, text, "tool", origin[0], origin[1])
        except Exception as e:
            return self._failed(e)

    def inspect_result(self, tool: str, result: Any, origin: Origin = NO_ORIGIN) -> Any:
        """The verdict on a tool's result (DLP); None when the inspection failed open."""
        try:
            return self._engine.inspect_tool_result(
                tool, result_text(result), "tool", origin[0], origin[1]
            )
        except Exception as e:
            return self._failed(e)

    def check_arguments(self, tool: str, arguments: Any, origin: Origin = NO_ORIGIN) -> Any:
        """Inspects a call's arguments; raises the SDK's tool error (``McpToolBlocked``) on
        a block, else returns the verdict."""
        v = self.inspect_call(tool, arguments, origin)
        if v is not None and v.blocked:
            raise blocked(tool, "arguments", v, ARGUMENTS_MESSAGE, server_side=True)
        return v

    def check_result(self, tool: str, result: Any, origin: Origin = NO_ORIGIN) -> Any:
        """Inspects a tool's result; raises the SDK's tool error on a block (the result is
        withheld), else returns the verdict."""
        v = self.inspect_result(tool, result, origin)
        if v is not None and v.blocked:
            raise blocked(tool, "result", v, RESULT_MESSAGE, server_side=True)
        return v

    @staticmethod
    def tool_error() -> type:
        """The exception class a block raises on a server (``McpToolBlocked``)."""
        return tool_error_class()


def _bound(fn: Callable[..., Any], args: tuple, kwargs: dict) -> dict:
    """The call's arguments by parameter name (the SDKs pass keywords; positional ones are
    named from the signature)."""
    if not args:
        return kwargs
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return dict(bound.arguments)
    except Exception:
        return {"args": list(args), **kwargs}


def _is_fastmcp(server: Any) -> bool:
    return any(c.__module__.split(".", 1)[0] == "fastmcp" for c in type(server).__mro__)


def _fastmcp_middleware(rasp: McpToolRASP) -> Any:
    """A ``fastmcp`` middleware running the tool-call checks around ``tools/call``."""
    from fastmcp.server.middleware import Middleware

    class IronwardMcpMiddleware(Middleware):
        async def on_call_tool(self, context: Any, call_next: Any) -> Any:
            message = context.message
            name = getattr(message, "name", "") or ""
            ip = _fastmcp_origin()
            arguments = getattr(message, "arguments", None) or {}
            rasp.check_arguments(name, arguments, ip)
            with rasp._running(name, arguments):
                result = await call_next(context)
            rasp.check_result(name, result, ip)
            return result

    return IronwardMcpMiddleware()
