"""``McpHostRASP``: protects an MCP *host* (the application that drives a model and calls
MCP tools) from the tools it calls: a poisoned argument the model was talked into sending,
and a tool result that leaks secrets or carries instructions for the model.

.. code-block:: python

    from mcp import ClientSession           # or fastmcp.Client, or mcp.Client
    from ironward import McpBlocked, McpHostRASP

    rasp = McpHostRASP()                    # template 'llm' by default
    async with ClientSession(read, write) as session:
        rasp.protect(session)               # wraps this session's call_tool
        try:
            result = await session.call_tool("fetch", {"url": url})
        except McpBlocked as e:             # e.tool, e.phase, e.findings
            result = tool_error_for_the_model(e)

pyrasp's ``McpHostRASP`` registers two tools whose docstrings ask the model to call them
before and after every other tool, and they always return True: enforcement depends on the
model obeying, and a detection changes nothing. Here the client's own method is wrapped, so
every call goes through it:

* before the call is sent, its arguments go through the engine's tool-call checks on the
  host side (those on in the configuration: chars, command, path_traversal, ssrf, sqli, xss,
  prompt); a block raises :class:`ironward.McpBlocked` with ``phase == "arguments"`` and
  **nothing is sent**;
* when the result arrives, its text (content blocks, structured content) goes through DLP
  and prompt-injection checks on tool output; a block raises :class:`McpBlocked` with
  ``phase == "result"`` and the result is **not returned** to the caller, so it never
  reaches the model. An exception (rather than a redacted ``isError`` result) is the
  choice: a caller that ignores ``isError`` cannot pass the withheld text on by mistake,
  and the caller decides what the model is told.

The default template is ``llm`` (not ``mcp`` as on a server): a host feeds tool output to a
model, and ``llm`` turns ``prompt`` on (level 2) with every DLP family, where ``mcp`` leaves
``prompt`` off. Any template, file or ``params`` can be given instead. At level 3 findings
are reported and the call goes on. Events are reported like the HTTP
adapters' (console, event shipper), with the tool's name, side ``host`` and the phase.

What it wraps: ``mcp.ClientSession.call_tool``, ``mcp.Client.call_tool`` (mcp 2) and
``fastmcp.Client.call_tool_mcp`` (which ``fastmcp.Client.call_tool`` calls), on the object
given to :meth:`McpHostRASP.protect` (an instance attribute: the classes are not changed).
:meth:`McpHostRASP.call_tool` does one checked call without wrapping anything. A
``fastmcp.Client`` or an ``mcp.Client`` can be protected before it connects.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from ._base import BaseRASP
from .mcpcommon import IN_HOST_GUARD, McpBlocked, arguments_json, blocked, result_text

__all__ = ["McpHostRASP", "McpBlocked"]

ARGUMENTS_MESSAGE = "Blocked by Ironward: the tool call was not sent"
RESULT_MESSAGE = "Blocked by Ironward: the tool result was withheld"


class McpHostRASP(BaseRASP):
    """MCP host protection. ``McpHostRASP(client=None, template='llm', conf=None,
    params={}, key=None, cloud_url=None)``: a client passed first is protected at once
    (:meth:`protect`)."""

    PLATFORM = "MCP Host"

    def __init__(
        self,
        app: Any = None,
        template: Optional[str] = "llm",
        conf: Optional[str] = None,
        params: Optional[dict] = None,
        key: Optional[str] = None,
        cloud_url: Optional[str] = None,
    ) -> None:
        super().__init__(app, template or "llm", conf, params, key, cloud_url)

    def _register(self, app: Any) -> None:
        self.protect(app)

    def protect(self, client: Any) -> Any:
        """Wraps the tool calls of an MCP client (``mcp.ClientSession``, ``mcp.Client``,
        ``fastmcp.Client``); returns it. Idempotent. ``TypeError`` when it has no
        ``call_tool``."""
        if getattr(client, "_ironward_mcp_host", None) is self:
            return client
        # fastmcp.Client.call_tool goes through call_tool_mcp: wrapping that one covers both.
        method = "call_tool_mcp" if callable(getattr(client, "call_tool_mcp", None)) else "call_tool"
        original = getattr(client, method, None)
        if not callable(original):
            raise TypeError(f"ironward: {type(client).__name__!r} has no call_tool to protect")
        setattr(client, method, self._guard(original))
        try:
            client._ironward_mcp_host = self
        except Exception:
            pass
        return client

    def _guard(self, call: Callable[..., Any]) -> Callable[..., Any]:
        rasp = self

        @functools.wraps(call)
        async def call_tool(*args: Any, **kwargs: Any) -> Any:
            name, arguments = _name_and_arguments(args, kwargs)
            if IN_HOST_GUARD.get() is not None:  # an outer protected method checks this call
                return await call(*args, **kwargs)
            rasp.check_arguments(name, arguments)
            token = IN_HOST_GUARD.set(name)
            try:
                result = await call(*args, **kwargs)
            finally:
                IN_HOST_GUARD.reset(token)
            rasp.check_result(name, result)
            return result

        call_tool._ironward_mcp_host = self  # type: ignore[attr-defined]
        return call_tool

    async def call_tool(self, client: Any, name: str, arguments: Optional[dict] = None,
                        **kwargs: Any) -> Any:
        """One checked call: ``await client.call_tool(name, arguments, **kwargs)`` between
        the argument and result checks, without wrapping the client."""
        self.check_arguments(name, arguments)
        token = IN_HOST_GUARD.set(name)
        try:
            result = await client.call_tool(name, arguments, **kwargs)
        finally:
            IN_HOST_GUARD.reset(token)
        self.check_result(name, result)
        return result

    # ----------------------------------------------------------------------------------
    # Checks

    def inspect_call(self, tool: str, arguments: Any) -> Any:
        """The verdict on the arguments of a call about to be sent; None when the inspection
        failed and ``FAIL_OPEN`` let it through."""
        try:
            text = arguments if isinstance(arguments, str) else arguments_json(arguments)
            return self._engine.inspect_tool_call(tool, text, "host")
        except Exception as e:
            return self._failed(e)

    def inspect_result(self, tool: str, result: Any) -> Any:
        """The verdict on a tool's result (DLP, prompt injection in tool output)."""
        try:
            return self._engine.inspect_tool_result(tool, result_text(result), "host")
        except Exception as e:
            return self._failed(e)

    def check_arguments(self, tool: str, arguments: Any) -> Any:
        """Raises :class:`McpBlocked` when the call must not be sent; else the verdict."""
        v = self.inspect_call(tool, arguments)
        if v is not None and v.blocked:
            raise blocked(tool, "arguments", v, f"{ARGUMENTS_MESSAGE} ({tool})", server_side=False)
        return v

    def check_result(self, tool: str, result: Any) -> Any:
        """Raises :class:`McpBlocked` when the result must not reach the caller."""
        v = self.inspect_result(tool, result)
        if v is not None and v.blocked:
            raise blocked(tool, "result", v, f"{RESULT_MESSAGE} ({tool})", server_side=False)
        return v


def _name_and_arguments(args: tuple, kwargs: dict) -> tuple:
    """The tool name and arguments of a ``call_tool(name, arguments=None, …)`` call."""
    name = kwargs.get("name", args[0] if args else "")
    if "arguments" in kwargs:
        arguments = kwargs["arguments"]
    else:
        arguments = args[1] if len(args) > 1 else None
    return str(name), arguments
