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

Tested under functions-framework 3.10 itself (``functions_framework.create_app``, the Flask
app it serves a deployed function from), with or without ``@functions_framework.http`` above
``@rasp.register``. Only synchronous HTTP functions are wrapped: CloudEvent functions and the
ASGI ``@functions_framework.aio`` functions are not.

The client IP is the TCP peer (``REMOTE_ADDR``); behind Google's front end that is the load
balancer, so list Google's front-end ranges in ``TRUSTED_PROXIES`` for ``X-Forwarded-For`` to
be used (pyrasp trusted the header from anyone).
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from flask import Response, current_app, has_app_context

from ._base import ROUTE_UNKNOWN
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


class GcpRASP(FlaskRASP):
    """``GcpRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``; ``@rasp.register`` on ``handler(request)``."""

    PLATFORM = "Google Cloud Function"

    def _register(self, app: Any) -> None:
        """No Flask hooks: :meth:`register` wraps the function."""

    @staticmethod
    def _route(req: Any) -> int:
        return ROUTE_UNKNOWN

    def register(self, func: Callable) -> Callable:
        """Decorates a functions-framework HTTP function."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            blocked = self._before_request()
            if blocked is not None:
                return blocked
            return self._after_request(_make_response(func(*args, **kwargs)))

        return wrapper
