"""``FastApiRASP``: registers Ironward's ASGI middleware on a FastAPI (or Starlette) app, and
uses the app's routes for the route and method checks.

``FastApiRASP(app, params={...})`` — pyrasp's form — calls ``app.add_middleware`` (so it must
run before the app serves its first request, as any Starlette middleware). The middleware
itself is :class:`ironward.AsgiRASP`'s: bounded body buffering with replay, buffered and
streamed response inspection, ``lifespan``/``websocket`` untouched.

Route matching asks each of the router's routes whether it matches the request's scope, as
Starlette's router does (a full match: the route exists; a partial match only: the method is
not allowed; with ``redirect_slashes``, the path with its trailing slash toggled counts). The
result is cached per method and path (short paths, 4,096 entries at most, the table emptied
when full), unless a route matches on the ``Host`` header.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Host, Match

from ._base import ROUTE_MATCHED, ROUTE_METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND
from .asgirasp import AsgiRASP, Receive, Scope, Send

__all__ = ["FastApiRASP"]

_ROUTE_CACHE_SIZE = 4096


class _Middleware:
    """What ``add_middleware`` instantiates: the next app, and the adapter that judges."""

    def __init__(self, app: Any, rasp: "FastApiRASP") -> None:
        self.app = app
        self.rasp = rasp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.rasp._handle(self.app, scope, receive, send)


def _match(routes: Any, scope: Scope) -> int:
    partial = False
    for route in routes:
        m, _ = route.matches(scope)
        if m == Match.FULL:
            return ROUTE_MATCHED
        if m == Match.PARTIAL:
            partial = True
    return ROUTE_METHOD_NOT_ALLOWED if partial else ROUTE_NOT_FOUND


class FastApiRASP(AsgiRASP):
    """``FastApiRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``; ``init_app(app)`` registers it later."""

    PLATFORM = "FastAPI"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError(
            "FastApiRASP registers itself on the app (FastApiRASP(app)); "
            "to wrap an ASGI app, use AsgiRASP(app)"
        )

    def init_app(self, app: Any) -> None:
        """Protects ``app``."""
        self._attach(app)

    def _attach(self, app: Any) -> None:
        self._route_cache: dict = {}
        super()._attach(app)

    def _register(self, app: Any) -> None:
        app.add_middleware(_Middleware, rasp=self)

    def _collect_routes(self, app: Any) -> dict:
        routes = {}
        for route in getattr(app, "routes", ()):
            path = getattr(route, "path", None)
            if path is None:
                continue
            name = getattr(route, "name", None) or path
            methods = getattr(route, "methods", None)
            routes[name] = {"methods": sorted(methods or ()), "path": path}
        return routes

    def _route(self, scope: Scope) -> int:
        app = self.app
        router = getattr(app, "router", None)
        routes = getattr(router, "routes", None)
        if routes is None:
            return super()._route(scope)
        path = scope.get("path", "/")
        # The answer depends on the method and the path only (unless a route matches on the
        # Host header): cached for short paths, in a bounded table.
        cacheable = len(path) <= 256 and not any(isinstance(r, Host) for r in routes)
        key = (scope.get("method"), scope.get("root_path", ""), path)
        if cacheable:
            code = self._route_cache.get(key)
            if code is not None:
                return code
        code = _match(routes, scope)
        if code == ROUTE_NOT_FOUND and getattr(router, "redirect_slashes", False):
            if path != "/":
                other = dict(scope)
                other["path"] = path[:-1] if path.endswith("/") else path + "/"
                if _match(routes, other) != ROUTE_NOT_FOUND:
                    code = ROUTE_MATCHED  # the router redirects
        if cacheable:
            cache = self._route_cache
            if len(cache) >= _ROUTE_CACHE_SIZE:
                cache.clear()
            cache[key] = code
        return code
