"""``FlaskRASP``: Flask's ``before_request`` inspects the request (with Flask's own routing
result for the route and method checks), ``after_request`` inspects the response.

``FlaskRASP(app)`` or ``rasp = FlaskRASP(); rasp.init_app(app)``. The request body is read up
to ``MAX_BODY_BYTES`` from ``wsgi.input`` and replayed to Flask, so views see the same bytes;
nothing is parsed as JSON unless it is JSON (the engine decides from the content type).

Sink checks: ``before_request`` sets the request's sink context, ``teardown_request`` clears
it. An error handler for :class:`ironward.Blocked` answers with the block response, and
``after_request`` replaces whatever the view returned when a sink blocked during the request
(the view caught the exception).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import RequestRedirect

from ._base import (
    METRICS_CONTENT_TYPE,
    ROUTE_MATCHED,
    ROUTE_METHOD_NOT_ALLOWED,
    ROUTE_NOT_FOUND,
    BaseRASP,
    Blocked,
)

__all__ = ["FlaskRASP"]

_VERDICT = "ironward.verdict"
_BLOCKED = "ironward.blocked"
_SINK = "ironward.sink"
_METRICS = "ironward.metrics"


def block_response(verdict: Any) -> Response:
    """The Flask response for a blocking verdict."""
    resp = Response(verdict.body, status=verdict.status)
    for name, value in verdict.headers:
        if name.lower() != "content-length":
            resp.headers[name] = value
    return resp


class FlaskRASP(BaseRASP):
    """``FlaskRASP(app=None, template='default', conf=None, params={}, key=None,
    cloud_url=None)``."""

    PLATFORM = "Flask"

    def init_app(self, app: Any) -> None:
        """Protects ``app`` (Flask's extension pattern)."""
        self._attach(app)

    def _collect_routes(self, app: Any) -> dict:
        routes = {}
        for rule in app.url_map.iter_rules():
            routes[rule.endpoint] = {
                "methods": sorted(rule.methods or ()),
                "path": rule.rule,
            }
        return routes

    def _register(self, app: Any) -> None:
        app.before_request(self._before_request)
        app.after_request(self._after_request)
        app.teardown_request(self._teardown_request)
        app.register_error_handler(Blocked, self._on_blocked)

    @staticmethod
    def _route(req: Any) -> int:
        """The route code from Flask's own routing result."""
        if req.url_rule is not None:
            return ROUTE_MATCHED
        exc = req.routing_exception
        if exc is None or isinstance(exc, RequestRedirect):
            return ROUTE_MATCHED
        if isinstance(exc, MethodNotAllowed):
            return ROUTE_METHOD_NOT_ALLOWED
        return ROUTE_NOT_FOUND

    def _before_request(self) -> Any:
        req = request._get_current_object()  # one proxy lookup, then plain attributes
        environ = req.environ
        metrics = self._metrics_wsgi(environ)
        if metrics is not None:
            environ[_METRICS] = True
            return Response(metrics, 200, content_type=METRICS_CONTENT_TYPE)
        route = self._route(req)
        if "stream" in req.__dict__:
            # Another hook already opened the body stream: only Flask's own (cached) read of
            # it is left, which the view will share; a cut body gets its full length, so the
            # engine knows it was cut (a chunked one has no Content-Length to tell).
            data = req.get_data(cache=True)
            cap = self._engine.max_body_bytes
            body: Any = (data, None) if len(data) <= cap else (data[:cap], len(data))
        else:
            body = False
        verdict = self.inspect_wsgi(environ, route, body)
        environ[_VERDICT] = verdict
        if verdict is not None and verdict.blocked:
            environ[_BLOCKED] = True
            return block_response(verdict)
        scope = self.sink_enter(verdict)
        if scope is not None:
            environ[_SINK] = scope
        return None

    @staticmethod
    def _on_blocked(error: Blocked) -> Response:
        """A sink raised :class:`ironward.Blocked` and the view let it through."""
        request.environ[_BLOCKED] = True
        return block_response(error.verdict)

    def _teardown_request(self, error: Any = None) -> None:
        self.sink_leave(request.environ.pop(_SINK, None))

    def _after_request(self, response: Response) -> Response:
        environ = request._get_current_object().environ
        if environ.get(_METRICS):
            return response
        response = self._after_request_inner(environ, response)
        self._count_status(response.status_code)
        return response

    def _after_request_inner(self, environ: dict, response: Response) -> Response:
        scope = environ.get(_SINK)
        if scope is not None and scope[0].blocked is not None:
            # A sink blocked during the request, whatever the view made of it.
            environ[_BLOCKED] = True
            return block_response(scope[0].blocked)
        if environ.get(_BLOCKED):
            return response
        try:
            return self._inspect_response(environ, response)
        except Exception as e:  # never break the application's response
            failed = self._failed(e)
            return response if failed is None else block_response(failed)

    def _inspect_response(self, environ: dict, response: Response) -> Response:
        engine = self._engine
        server = engine.server_header
        verdict = environ.get(_VERDICT)
        if self.response_needed(verdict, response.status_code):
            streamed = response.is_streamed or response.direct_passthrough
            headers = response.headers.to_wsgi_list()
            if not streamed and engine.dlp_enabled:
                body = response.get_data()
                out = self.check_response(
                    verdict,
                    response.status_code,
                    headers,
                    body if self.buffered_body_fits(len(body)) else None,
                )
                if out is not None and out.blocked:
                    return block_response(out)
                if not self.buffered_body_fits(len(body)):
                    scanner = self.stream_scanner(verdict, response.status_code, headers)
                    if scanner is not None and not response.direct_passthrough:
                        response.response = self.scan_stream(scanner, [body])
            else:
                out = self.check_response(verdict, response.status_code, headers, None)
                if out is not None and out.blocked:
                    return block_response(out)
                if streamed:
                    scanner = self.stream_scanner(verdict, response.status_code, headers)
                    if scanner is not None:
                        response.direct_passthrough = False
                        response.response = self.scan_stream(scanner, response.response)
        if server is not None:
            response.headers["Server"] = server
        return response
