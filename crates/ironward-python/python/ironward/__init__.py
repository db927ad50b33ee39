"""Ironward: runtime application self-protection for Python web applications.

A drop-in successor of pyrasp: change ``from pyrasp.pyrasp import FlaskRASP`` to
``from ironward import FlaskRASP``. The engine is native (Rust, via ``ironward._ironward``);
the adapters below are thin. Adapters are imported lazily, so importing ``ironward`` does not
import Flask or Django.

- :class:`FlaskRASP` — Flask (``FlaskRASP(app)`` or ``init_app``)
- :class:`WsgiRASP` — any WSGI application (``WsgiRASP(wsgi_app)``)
- :class:`DjangoRASP` — Django middleware (``"ironward.DjangoRASP"`` in ``MIDDLEWARE``)
- :class:`AsgiRASP` — any ASGI application (``AsgiRASP(asgi_app)``)
- :class:`FastApiRASP` — FastAPI/Starlette (``FastApiRASP(app)``, with the route checks)
- :class:`AiohttpRASP` — aiohttp (``AiohttpRASP(app)``)
- :class:`LambdaRASP` — AWS Lambda handlers behind API Gateway or a function URL (decorator)
- :class:`GcpRASP` — Google Cloud Functions (functions-framework) handlers (decorator)
- :class:`AzureRASP` — Azure Functions HTTP handlers (decorator)
- :class:`McpToolRASP` — the tools of an MCP server (``mcp``'s ``MCPServer``/``FastMCP``,
  ``fastmcp``): arguments checked before a tool runs, DLP on its result
- :class:`McpHostRASP` — an MCP client's tool calls (``mcp.ClientSession``, ``fastmcp.Client``):
  arguments checked before sending, DLP and prompt injection on results; a block raises
  :class:`McpBlocked`

Sink checks (``SINK_CHECKS``): the adapters instrument the SQL drivers, ``subprocess``, file
and network functions and ``pymongo`` (:func:`install`), and check each operation against the
request being handled; a blocked operation raises :class:`Blocked` and the adapter answers
with the block response. :func:`protect` does the same for scripts and workers.
"""

from __future__ import annotations

from typing import Any

from ._ironward import (
    ROUTE_MATCHED,
    ROUTE_METHOD_NOT_ALLOWED,
    ROUTE_NOT_FOUND,
    ROUTE_UNKNOWN,
    ConfigError,
    DlpStream,
    Engine,
    SinkContext,
    Verdict,
    __version__,
)

from ._sinks import Blocked, Protection, install, protect, uninstall

__all__ = [
    "AiohttpRASP",
    "AsgiRASP",
    "AzureRASP",
    "BaseRASP",
    "Blocked",
    "ConfigError",
    "DjangoRASP",
    "DlpStream",
    "Engine",
    "FastApiRASP",
    "FlaskRASP",
    "GcpRASP",
    "LambdaRASP",
    "McpBlocked",
    "McpHostRASP",
    "McpToolRASP",
    "Protection",
    "ROUTE_MATCHED",
    "ROUTE_METHOD_NOT_ALLOWED",
    "ROUTE_NOT_FOUND",
    "ROUTE_UNKNOWN",
    "SinkContext",
    "Verdict",
    "WsgiRASP",
    "__version__",
    "install",
    "protect",
    "uninstall",
]

_LAZY = {
    "BaseRASP": "._base",
    "FlaskRASP": ".flaskrasp",
    "WsgiRASP": ".wsgirasp",
    "DjangoRASP": ".djangorasp",
    "AsgiRASP": ".asgirasp",
    "FastApiRASP": ".fastapirasp",
    "AiohttpRASP": ".aiohttprasp",
    "LambdaRASP": ".lambdarasp",
    "GcpRASP": ".gcprasp",
    "AzureRASP": ".azurerasp",
    "McpToolRASP": ".mcptoolrasp",
    "McpHostRASP": ".mcphostrasp",
    "McpBlocked": ".mcpcommon",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ironward' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
