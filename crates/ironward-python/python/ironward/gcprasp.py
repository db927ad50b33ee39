"""``GcpRASP``: a decorator protecting a Google Cloud Functions (functions-framework) HTTP
function, ``f(request: flask.Request)``.

.. code-block:: python

    rasp = GcpRASP(params={...})

    @functions_framework.http      # if you use the decorator API
    @rasp.register
    def handler(request): ...

functions-framework serves the function from a Flask app, so this is :class:`FlaskRASP`'s
request and response handling, run around the function instead of as Flask hooks: the body
is read up to ``MAX_BODY_BYTES`` and replayed, the result (a ``Response``, ``str``, ``bytes``,
``dict``, or a ``(body, status[, headers])`` tuple, as Flask accepts) is made into a response,
inspected (buffered or streamed) and gets the ``Server`` header. A function has no route
table of its own: the route and method checks do not apply.

An ``async def`` function (``@functions_framework.aio.http``, served by Starlette) gets the
ASGI flow of :class:`AsgiRASP` instead: the wrapper hands functions-framework an ASGI response
that reads the body up to the cap and replays it, inspects the request, calls the function
with a fresh request over the same bytes, and gates its response (buffered or streamed).

Tested under functions-framework 3.10 itself (``functions_framework.create_app``, the Flask
app it serves a deployed function from, with or without ``@functions_framework.http`` above
``@rasp.register``; and ``functions_framework.aio.create_asgi_app`` for async functions).
CloudEvent functions are not wrapped.

The client IP is the TCP peer (``REMOTE_ADDR``); behind Google's front end that is the load
balancer, so list Google's front-end ranges in ``TRUSTED_PROXIES`` for ``X-Forwarded-For`` to
be used (pyrasp trusted the header from anyone).

Metrics: the ``METRICS_PATH`` route is :class:`FlaskRASP`'s (or :class:`AsgiRASP`'s for an
``async def`` function), behind ``METRICS_ALLOW`` with the client IP above; every instance
has its own counters (``docs/metrics.md``).
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any, Callable

from flask import Response, current_app, has_app_context

from ._base import ROUTE_UNKNOWN
from .asgirasp import Receive, Scope, Send, _AsgiHandling
from ._base import Blocked
from .flaskrasp import FlaskRASP

__all__ = ["GcpRASP"]


def _make_response(rv: Any) -> Response:
    """A Flask response from what a view may return."""
    if isinstance(rv, Response):
        return rv
    if has_app_context():
        return current_app.make_response(rv)
    # Without an app context (functions-framework always has one): Flask's return types.
    status = headers = None
    if isinstance(rv, tuple):
        rv, status, headers = (list(rv) + [None, None])[:3]
        if isinstance(status, (dict, list)):
            status, headers = None, status
    if isinstance(rv, Response):
        resp = rv
    elif isinstance(rv, (dict, list)):
        resp = Response(json.dumps(rv), mimetype="application/json")
    else:
        resp = Response(rv)
    if status is not None:
        resp.status = status
    if headers:
        resp.headers.update(headers)
    return resp


def _starlette_response(rv: Any) -> Any:
    """A Starlette response from what an async function may return, as functions-framework's
    ``aio`` converts it: ``str`` (as ``text/plain``) and ``bytes``, ``dict``/``list`` as JSON,
    ``(content, status)`` and ``(content, status, headers)``, or a response as is."""
    from starlette.responses import JSONResponse, Response as StarletteResponse

    status, headers = 200, None
    if isinstance(rv, tuple):
        rv, status, headers = (list(rv) + [None, None])[:3]
        status = 200 if status is None else status
    if isinstance(rv, (dict, list)):
        return JSONResponse(rv, status_code=status, headers=headers)
    if isinstance(rv, str):
        # functions-framework sends no Content-Type for a str; text/plain lets DLP see it.
        return StarletteResponse(rv, status_code=status, headers=headers, media_type="text/plain")
    if isinstance(rv, bytes):
        return StarletteResponse(rv, status_code=status, headers=headers)
    if rv is None:
        return StarletteResponse("No response returned", status_code=500)
    return rv


class _ProtectedCall:
    """What the async wrapper returns to functions-framework: an ASGI response that runs the
    call (the user's function, then its response) through the ASGI request flow, so the body
    is read up to the cap and replayed, and the response is gated and scanned."""

    __slots__ = ("rasp", "app")

    def __init__(self, rasp: "GcpRASP", app: Callable) -> None:
        self.rasp = rasp
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.rasp._handle(self.app, scope, receive, send)


class GcpRASP(_AsgiHandling, FlaskRASP):
    """``GcpRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``; ``@rasp.register`` on ``handler(request)``."""

    PLATFORM = "Google Cloud Function"

    def _register(self, app: Any) -> None:
        """No Flask hooks: :meth:`register` wraps the function."""

    @staticmethod
    def _route(req: Any) -> int:
        return ROUTE_UNKNOWN

    def register(self, func: Callable) -> Callable:
        """Decorates a functions-framework HTTP function: ``f(request: flask.Request)``, or
        an ``async def f(request: starlette.requests.Request)`` served by
        ``functions_framework.aio``."""
        if inspect.iscoroutinefunction(func):
            return self._register_async(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            blocked = self._before_request()
            if blocked is not None:
                return blocked
            try:
                try:
                    rv = func(*args, **kwargs)
                except Blocked as e:
                    rv = self._on_blocked(e)
                return self._after_request(_make_response(rv))
            finally:
                self._teardown_request()

        return wrapper

    def _register_async(self, func: Callable) -> Callable:
        """The async form: functions-framework's ``aio`` app (Starlette) calls the wrapper
        with a request whose body is still unread; the wrapper answers with an ASGI response
        that inspects the request, calls ``func`` with a fresh request over the replayed
        body, and inspects what it returns (buffered or streamed) as :class:`AsgiRASP` does."""
        from starlette.requests import Request

        @functools.wraps(func)
        async def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            async def call(scope: Scope, receive: Receive, send: Send) -> None:
                rv = await func(Request(scope, receive), *args, **kwargs)
                await _starlette_response(rv)(scope, receive, send)

            return _ProtectedCall(self, call)

        return wrapper
