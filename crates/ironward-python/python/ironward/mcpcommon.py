"""What the MCP adapters share (:class:`ironward.McpToolRASP`, :class:`ironward.McpHostRASP`):
the exception a block raises, how a call's arguments and a tool's result become the text the
engine inspects, and the inspection itself with fail-open.

Nothing here imports an MCP SDK at module level: the SDKs are looked up when a server or a
client is protected, so ``import ironward`` stays cheap and works without them.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import logging
from typing import Any, List, Optional

__all__ = ["McpBlocked", "arguments_json", "result_text", "tool_error_class"]

#: Most characters of a result handed to the engine; a longer result is inspected on its
#: first ``MAX_RESULT_CHARS`` (and its last 64 KiB), like a response body past
#: ``DLP_MAX_BODY_BYTES``. Kept large: tool results are usually small.
MAX_RESULT_CHARS = 4 * 1024 * 1024

# Set while a server-level guard handles a call, so that a tool function also wrapped with
# ``@rasp.register`` is not inspected twice.
IN_TOOL_GUARD: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    "ironward_mcp_in_tool_guard", default=None
)
# The same on a host, for nested client methods (a proxy tool calling another server is both
# a tool and a host: the two are kept apart).
IN_HOST_GUARD: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    "ironward_mcp_in_host_guard", default=None
)


class McpBlocked(Exception):
    """Ironward refused an MCP tool call or withheld its result.

    Raised by :class:`ironward.McpHostRASP` (the call was never sent, or its result never
    reached the caller). On a server, :class:`ironward.McpToolRASP` raises a subclass that is
    also the SDK's own ``ToolError``, so the client receives an ``isError: true`` result.

    Attributes: ``tool`` (the tool's name), ``phase`` (``"arguments"``, ``"result"``, or
    ``"sink"`` for an operation of the tool stopped by a sink check),
    ``verdict`` (the engine's :class:`ironward.Verdict`) and ``findings`` (its findings).
    """

    tool: str = ""
    phase: str = ""
    verdict: Any = None

    @property
    def findings(self) -> List[dict]:
        try:
            return list(self.verdict.findings) if self.verdict is not None else []
        except Exception:
            return []


def _set(exc: McpBlocked, tool: str, phase: str, verdict: Any) -> McpBlocked:
    exc.tool = tool
    exc.phase = phase
    exc.verdict = verdict
    return exc


_TOOL_ERROR: Optional[type] = None


def tool_error_class() -> type:
    """``McpToolBlocked``: :class:`McpBlocked` and, at once, the ``ToolError`` of every MCP
    server SDK installed (``fastmcp``, ``mcp`` 2's ``MCPServer``, ``mcp`` 1's ``FastMCP``).
    Raised from a tool, any of those servers answers with an ``isError: true`` result carrying
    the message (a ``ToolError`` is an anticipated failure: not masked, logged without a
    traceback)."""
    global _TOOL_ERROR
    if _TOOL_ERROR is not None:
        return _TOOL_ERROR
    bases: List[type] = [McpBlocked]
    for module, name in (
        ("fastmcp.exceptions", "ToolError"),
        ("mcp.server.mcpserver.exceptions", "ToolError"),
        ("mcp.server.fastmcp.exceptions", "ToolError"),
    ):
        try:
            from importlib import import_module

            cls = getattr(import_module(module), name)
        except Exception:  # SDK missing, or mcp 2's import-time error for mcp 1's module
            continue
        if isinstance(cls, type) and cls not in bases:
            bases.append(cls)
    _TOOL_ERROR = type(
        "McpToolBlocked",
        tuple(bases),
        {"__module__": "ironward.mcpcommon", "__doc__": McpBlocked.__doc__},
    )
    return _TOOL_ERROR


def blocked(tool: str, phase: str, verdict: Any, message: str, server_side: bool) -> McpBlocked:
    """The exception for a block: the SDKs' ``ToolError`` on a server, plain
    :class:`McpBlocked` on a host."""
    cls = tool_error_class() if server_side else McpBlocked
    exc = _set(cls(message), tool, phase, verdict)
    if hasattr(exc, "log_level"):  # fastmcp logs a ToolError at its level: a block is no crash
        exc.log_level = logging.WARNING
    return exc


def _is_context(value: Any) -> bool:
    """True for the request context an SDK injects into a tool (``ctx: Context``): it is not
    an argument the client sent."""
    t = type(value)
    return t.__name__ == "Context" and t.__module__.split(".", 1)[0] in ("mcp", "fastmcp")


def _default(value: Any) -> Any:
    """JSON fallback: pydantic models and dataclasses as their fields, bytes as text, anything
    else as ``str`` (pyrasp's ``default=str``)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json", by_alias=True, exclude_none=True)
        except Exception:
            pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            return dataclasses.asdict(value)
        except Exception:
            pass
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)


def arguments_json(arguments: Any) -> str:
    """The JSON text of a call's arguments (``{}`` when there are none). Injected contexts are
    left out; values JSON cannot hold go through ``str``."""
    if not arguments:
        return "{}"
    if isinstance(arguments, dict):
        arguments = {str(k): v for k, v in arguments.items() if not _is_context(v)}
    return json.dumps(arguments, default=_default, ensure_ascii=False)


_MISSING = object()


def _texts(value: Any, out: List[str], depth: int = 0) -> None:
    """Collects the text of a tool result: the text of content blocks as they are (so a
    private key keeps its line breaks), embedded resources, structured content as JSON."""
    if value is None or depth > 8:
        return
    if isinstance(value, str):
        out.append(value)
        return
    if isinstance(value, (bytes, bytearray, memoryview)):
        out.append(bytes(value).decode("utf-8", "replace"))
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _texts(item, out, depth + 1)
        return
    # A CallToolResult (mcp, fastmcp client and server): its content blocks and structured
    # content. mcp 2 spells it `structured_content`, mcp 1 `structuredContent`.
    content = getattr(value, "content", None)
    if isinstance(content, list) and not isinstance(value, dict):
        _texts(content, out, depth + 1)
        structured = getattr(value, "structured_content", _MISSING)
        if structured is _MISSING:
            structured = getattr(value, "structuredContent", None)
        if structured is not None:
            out.append(json.dumps(structured, default=_default, ensure_ascii=False))
        return
    text = getattr(value, "text", None)  # TextContent
    if isinstance(text, str) and not isinstance(value, dict):
        out.append(text)
        return
    resource = getattr(value, "resource", None)  # EmbeddedResource
    if resource is not None and not isinstance(value, dict):
        _texts(getattr(resource, "text", None), out, depth + 1)
        return
    if getattr(value, "type", None) in ("image", "audio") and hasattr(value, "data"):
        return  # base64 media: nothing DLP or prompt checks could read
    out.append(json.dumps(value, default=_default, ensure_ascii=False))


def result_text(result: Any) -> str:
    """The text of a tool's result for DLP (and prompt injection on a host): a string as it
    is, content blocks by their text, anything else as JSON (``default=str``)."""
    out: List[str] = []
    _texts(result, out)
    text = "\n".join(out)
    if len(text) > MAX_RESULT_CHARS:
        text = text[: MAX_RESULT_CHARS - 65536] + "\n" + text[-65536:]
    return text

