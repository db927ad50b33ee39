"""Shared adapter logic: configuration, the native engine, pyrasp's local API, and the
per-request helpers every adapter uses.

An adapter is small. It subclasses :class:`BaseRASP` and provides:

* ``_collect_routes(app)`` -> ``{endpoint: {"methods": [...], "path": "..."}}`` (optional),
* ``_register(app)`` to hook itself into the framework (optional),
* one function turning the framework's request into a native call — :meth:`inspect_wsgi` for
  WSGI environs, or :meth:`inspect` with the raw pieces (method, raw path, raw query, header
  pairs, peer IP, body prefix) — and
* one function applying the verdict: on ``verdict.blocked`` send ``verdict.status``,
  ``verdict.headers`` and ``verdict.body``; then hand the response to :meth:`check_response`
  (buffered body) or :meth:`scan_stream` (streamed body), and set :attr:`server_header`.

Everything else (body capping, fail-open, reporting, the banner) lives here or natively.

Sink checks: when ``SINK_CHECKS`` has a sink on, building an adapter instruments the sinks
(:func:`ironward.install`), and the verdict of a request that goes on carries a
``sink_context``. Around the application call, the adapter enters it with
:meth:`BaseRASP.sink_enter` and leaves it with :meth:`BaseRASP.sink_leave`; a
:class:`ironward.Blocked` raised by a sink, or a block the context recorded (the view caught
the exception), turns into the block response (``verdict.status/headers/body`` of the sink
verdict).
"""

from __future__ import annotations

import atexit
import io
import json
import os
import sys
import threading
import time
import warnings
import weakref
from typing import Any, Iterable, Iterator, List, Optional, Tuple

from . import _ironward
from . import _sinks
from ._sinks import Blocked, SinkState
from ._streamscan import StreamScan, leaks
from ._ironward import (
    ROUTE_MATCHED,
    ROUTE_METHOD_NOT_ALLOWED,
    ROUTE_NOT_FOUND,
    ROUTE_UNKNOWN,
    ConfigError,
    Engine,
)

__all__ = [
    "BaseRASP",
    "Blocked",
    "ROUTE_MATCHED",
    "ROUTE_METHOD_NOT_ALLOWED",
    "ROUTE_NOT_FOUND",
    "ROUTE_UNKNOWN",
]

VERSION = _ironward.__version__

# Shortest time between two internal error lines of one adapter (seconds).
_ERROR_REPEAT = 60.0


class _ErrorVerdict:
    """Stands in for a native verdict when the Python layer itself failed and ``FAIL_OPEN``
    is false: block with the configured ``BLOCK_*`` response."""

    action = "block"
    blocked = True
    flagged = False
    monitored = False
    location = None
    findings: list = []
    client_ip = None
    skipped = None

    def __init__(self, status: int, body: bytes, server: Optional[str], error: str):
        self.status = status
        self.body = body
        self.internal_error = error
        self.headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        if server is not None:
            self.headers.append(("Server", server))


class _PrefixedStream(io.RawIOBase):
    """The request body handed on to the application when it was longer than the inspected
    prefix: the prefix, then the rest of the original stream (never read by Ironward)."""

    def __init__(self, prefix: bytes, rest: Any):
        super().__init__()
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            head = bytes(self._prefix)
            self._prefix = self._prefix[len(self._prefix):]
            return head + self._rest.read()
        if self._prefix:
            head = bytes(self._prefix[:size])
            self._prefix = self._prefix[len(head):]
            if len(head) < size:
                # Like a file: read as much as asked, from the rest once the prefix is out.
                head += self._rest.read(size - len(head)) or b""
            return head
        return self._rest.read(size)

    def readinto(self, buf: Any) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        if self._prefix:
            data = bytes(self._prefix)
            end = data.find(b"\n")
            cut = len(data) if end < 0 else end + 1
            if size is not None and size >= 0:
                cut = min(cut, size)
            self._prefix = self._prefix[cut:]
            line = data[:cut]
            if line.endswith(b"\n") or (size is not None and 0 <= size <= len(line)):
                return line
            more = self._rest.readline(-1 if size is None or size < 0 else size - len(line))
            return line + more
        return self._rest.readline(size)


def _read_exact(stream: Any, n: int) -> bytes:
    chunks = []
    left = n
    while left > 0:
        data = stream.read(left)
        if not data:
            break
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


#: The ``Content-Type`` of the metrics route (the Prometheus text format).
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _status_code(status: Any) -> int:
    if isinstance(status, int):
        return status
    try:
        return int(str(status).split(" ", 1)[0])
    except ValueError:
        return 200


def _cloud_target(key: Optional[str], cloud_url: Optional[str]) -> Optional[Tuple[str, str]]:
    """The management server's connect URL and the agent key: the arguments, else
    ``IRONWARD_CLOUD_URL``/``IRONWARD_KEY``, else pyrasp's ``PYRASP_CLOUD_URL``/``PYRASP_KEY``
    (empty values count as unset). None (with a warning when only one is set): no agent."""

    def pick(given: Optional[str], names: Tuple[str, str]) -> Optional[str]:
        for value in (given, *(os.environ.get(n) for n in names)):
            if value is not None and str(value).strip():
                return str(value).strip()
        return None

    url = pick(cloud_url, ("IRONWARD_CLOUD_URL", "PYRASP_CLOUD_URL"))
    key = pick(key, ("IRONWARD_KEY", "PYRASP_KEY"))
    if url and key:
        return url, key
    if url or key:
        warnings.warn(
            "ironward: a cloud URL without a key (or a key without a cloud URL): the management "
            "server is not used, the local configuration is",
            RuntimeWarning,
            stacklevel=3,
        )
    return None


def _restart_after_fork(rasp: "BaseRASP") -> None:
    """Pre-forking servers (gunicorn ``--preload``, uWSGI) build the adapter in the master and
    fork workers: the event shipper's and the cloud agent's threads do not survive a fork, so a
    worker rebuilds its engine (keeping the blacklist) when events are shipped, and starts its
    own cloud agent."""
    register = getattr(os, "register_at_fork", None)
    if register is None:
        return
    ref = weakref.ref(rasp)

    def after_in_child() -> None:
        r = ref()
        if r is None:
            return
        try:
            if r._engine.log_stats() is not None:
                r._engine = r._build_engine(r._params, previous=r._engine, remote=r._remote)
        except Exception:
            pass
        # The parent's agent handle is forgotten natively (its thread is not in this process).
        r._cloud = None
        r._start_cloud()
        # Likewise the configuration file watch: each worker watches for itself.
        r._watch = None
        r._start_watch()

    def after_in_parent() -> None:
        # A gunicorn arbiter that imported the app (``--preload``) forks workers and serves no
        # request: its agent would only take the configuration changes and blacklist entries
        # the server delivers once per key. The workers run their own.
        r = ref()
        if r is None or "gunicorn.arbiter" not in sys.modules:
            return
        for handle in (r._cloud, r._watch):
            if handle is not None:
                try:
                    handle.stop(wait=False)
                except Exception:
                    pass

    register(after_in_child=after_in_child, after_in_parent=after_in_parent)


def _stop_watch(ref: "weakref.ref[BaseRASP]") -> None:
    r = ref()
    if r is not None and r._watch is not None:
        try:
            r._watch.stop()
        except Exception:
            pass


class BaseRASP:
    """What every adapter shares. The constructor is pyrasp's:
    ``(app=None, template='default', conf=None, params={}, key=None, cloud_url=None)``.

    ``conf`` is a configuration file path (else ``IRONWARD_CONF``, ``PYRASP_CONF`` or
    ``CONF_FILE``); ``params`` the highest layer. An invalid configuration raises
    :class:`ironward.ConfigError` listing every problem.

    ``cloud_url`` and ``key`` (else ``IRONWARD_CLOUD_URL``/``IRONWARD_KEY``, else pyrasp's
    ``PYRASP_CLOUD_URL``/``PYRASP_KEY``) connect the adapter to a management server
    (``ironward server`` or pyrasp's cloud): the agent (``ironward-cloud-client``) runs on a
    background thread and never delays the constructor; the configuration it receives is the
    layer between the file and ``params`` and is applied as a hot reload, like
    :meth:`set_config`. One agent per process: each gunicorn or uvicorn worker runs its own.

    With a configuration file, the file is watched every ``CONFIG_RELOAD_INTERVAL`` seconds
    (default 5, ``0`` off) on a background thread, one per process; a change is applied like
    :meth:`set_config` (the blacklist, counters, metrics and the server's layer stay), an
    invalid file is refused and reported once, the running configuration staying.
    """

    PLATFORM = "Python"

    def __init__(
        self,
        app: Any = None,
        template: Optional[str] = "default",
        conf: Optional[str] = None,
        params: Optional[dict] = None,
        key: Optional[str] = None,
        cloud_url: Optional[str] = None,
    ) -> None:
        self._template = template or "default"
        self._conf = conf
        self._params = dict(params or {})
        # The management server's configuration (JSON text) once the agent received one.
        self._remote: Optional[str] = None
        self._cloud: Any = None
        self._watch: Any = None
        self._cloud_target = _cloud_target(key, cloud_url)
        # Serialises engine rebuilds (set_config on a request thread, a remote configuration on
        # the agent's thread); never taken on the request path.
        self._reconfigure_lock = threading.RLock()
        self._engine = self._build_engine(self._params)
        self._install_sinks()
        for w in self._engine.warnings:
            warnings.warn(f"ironward configuration: {w}", RuntimeWarning, stacklevel=2)
        self.app = app
        self.routes: dict = {}
        if app is not None:
            self._attach(app)
        self._gunicorn_server_header()
        self._print_banner()
        self._start_cloud()
        self._start_watch()
        _restart_after_fork(self)

    # ----------------------------------------------------------------------------------
    # Construction

    def _build_engine(
        self, params: dict, previous: Optional[Engine] = None, remote: Optional[str] = None
    ) -> Engine:
        text = json.dumps(params) if params else None
        return Engine(
            template=self._template,
            conf=self._conf,
            params=text,
            previous=previous,
            remote=remote,
        )

    def _start_cloud(self) -> None:
        """Starts the management agent when a cloud URL and a key are set. Returns at once; a
        failure to start is reported and the application runs on its local configuration."""
        if self._cloud_target is None:
            return
        url, key = self._cloud_target
        ref = weakref.ref(self)

        def on_config(remote: str) -> Optional[List[str]]:
            r = ref()
            if r is None:
                return ["the protected application is gone"]
            return r._apply_remote(remote)

        try:
            routes = json.dumps(self.routes, default=list)
        except (TypeError, ValueError):
            routes = "{}"
        try:
            agent = _ironward.CloudAgent(
                url,
                key,
                self._engine,
                on_config,
                platform=self.PLATFORM,
                version=VERSION,
                routes=routes,
            )
        except Exception as e:
            sys.stderr.write(f"[!] Ironward: the cloud agent did not start: {e}\n")
            return
        self._cloud = agent
        # Stop the thread before the interpreter finalizes (it may be applying a configuration).
        atexit.register(agent.stop)

    def _apply_remote(self, remote: str) -> Optional[List[str]]:
        """Applies the management server's configuration (called on the agent's thread, with
        the GIL): the engine is rebuilt with it as the remote layer, keeping the state store,
        and swapped in. Returns None, or the errors when it is refused (the engine stays)."""
        with self._reconfigure_lock:
            try:
                engine = self._build_engine(self._params, previous=self._engine, remote=remote)
            except ConfigError as e:
                return [str(x) for x in (getattr(e, "errors", None) or [e])]
            except Exception as e:
                return [f"{type(e).__name__}: {e}"]
            self._remote = remote
            self._swap_engine(engine)
        return None

    def _start_watch(self) -> None:
        """Watches the configuration file the engine was loaded from, when there is one and
        ``CONFIG_RELOAD_INTERVAL`` is not 0. Returns at once; a failure to start is reported."""
        if not self._engine.file_loaded:
            return
        try:
            interval = float(self.get_config().get("CONFIG_RELOAD_INTERVAL", 0) or 0)
        except (TypeError, ValueError):
            interval = 0.0
        if interval <= 0:
            return
        ref = weakref.ref(self)

        def on_change(_text: str) -> Optional[List[str]]:
            r = ref()
            if r is None:
                return ["the protected application is gone"]
            return r._apply_file()

        try:
            watch = _ironward.ConfigWatch(self._engine.source, interval, on_change)
        except Exception as e:
            sys.stderr.write(f"[!] Ironward: the configuration file is not watched: {e}\n")
            return
        self._watch = watch
        # Stop the thread before the interpreter finalizes. Held weakly: an adapter that goes
        # away drops its watch, whose thread then stops (tests build many adapters).
        atexit.register(_stop_watch, ref)

    def _apply_file(self) -> Optional[List[str]]:
        """Applies the changed configuration file (called on the watch thread, with the GIL):
        the engine is rebuilt from the file, under the params and the server's layer, keeping
        the state store, and swapped in. Returns None, or the errors (the engine stays)."""
        with self._reconfigure_lock:
            try:
                engine = self._build_engine(self._params, previous=self._engine, remote=self._remote)
            except ConfigError as e:
                return [str(x) for x in (getattr(e, "errors", None) or [e])]
            except Exception as e:
                return [f"{type(e).__name__}: {e}"]
            self._swap_engine(engine)
        return None

    def config_watch_status(self) -> Optional[dict]:
        """The configuration file watch's state (``path``, ``applied``, ``refused``,
        ``refused_config``, ``missing``, ``last_error``, ``running``), or None without one."""
        if self._watch is None:
            return None
        try:
            return dict(self._watch.status())
        except Exception:
            return None

    def _swap_engine(self, engine: Engine) -> None:
        """Puts a rebuilt engine in force: one attribute store, atomic for request threads
        (a request in flight finishes on the engine it started with)."""
        engine.configuration_applied()  # ironward_config_version + 1 (the metrics carry over)
        self._engine = engine
        self._gunicorn_server_header()
        self._install_sinks()
        if self._cloud is not None:
            try:
                self._cloud.set_engine(engine)
            except Exception as e:
                self._failed(e)

    def _install_sinks(self) -> None:
        """Instruments the sinks when a sink check is on (idempotent, fail open)."""
        try:
            if self._engine.sinks_on:
                _sinks.install()
        except Exception as e:
            self._failed(e)

    def _attach(self, app: Any) -> None:
        self.app = app
        try:
            self.routes = self._collect_routes(app) or {}
        except Exception:  # a route table we cannot read only disables nothing
            self.routes = {}
        self._register(app)

    def _collect_routes(self, app: Any) -> dict:
        """The application's routes, ``{endpoint: {"methods": [...], "path": "..."}}``."""
        return {}

    def _register(self, app: Any) -> None:
        """Hooks the adapter into the framework."""

    def _gunicorn_server_header(self) -> None:
        """gunicorn drops the application's ``Server`` header (it treats it as hop-by-hop) and
        always sends its own: when running under gunicorn, make that one ``SERVER_HEADER``."""
        server = self._engine.server_header
        module = sys.modules.get("gunicorn.http.wsgi")
        if server is None or module is None or not hasattr(module, "SERVER"):
            return
        try:
            module.SERVER = server
        except Exception:
            pass

    def _print_banner(self) -> None:
        # pyrasp prints its start-up banner at VERBOSE 10 unless the params set VERBOSE.
        verbose = self._params.get("VERBOSE", 10)
        try:
            verbose = int(verbose)
        except (TypeError, ValueError):
            verbose = 10
        text = self._engine.banner(verbose)
        if text:
            sys.stderr.write(text)
            sys.stderr.flush()

    # ----------------------------------------------------------------------------------
    # pyrasp's local API

    def get_status(self) -> dict:
        checks = dict(self._engine.checks())
        return {
            "version": VERSION,
            "platform": self.PLATFORM,
            "blacklist": len(self._engine.blacklist()),
            "xss_loaded": "xss" in checks,
            "sqli_loaded": "sqli" in checks,
            "prompt_loaded": "prompt" in checks,
            "config": self._config_origin(),
            "checks": checks,
            "log": self._engine.log_stats(),
            "cloud": self.cloud_status(),
        }

    def _config_origin(self) -> str:
        # pyrasp's values: "Cloud" once the server sent a configuration.
        if self._remote is not None and self._remote not in ("{}", '{"config":{}}'):
            return "Cloud"
        return "Local" if (self._engine.file_loaded or self._params) else "Default"

    def cloud_status(self) -> Optional[dict]:
        """The management agent's state (``connected``, ``source``, ``connects``, ``beacons``,
        ``failures``, ``last_error``, ``refused_config``, ``remote``), or None without one."""
        if self._cloud is None:
            return None
        try:
            return dict(self._cloud.status())
        except Exception:
            return None

    def stop_cloud(self) -> None:
        """Stops the management agent (the configuration in force stays)."""
        if self._cloud is not None:
            self._cloud.stop()

    def get_blacklist(self) -> List[str]:
        return self._engine.blacklist()

    def get_config(self) -> dict:
        return json.loads(self._engine.config_json())

    def set_config(self, config: dict) -> dict:
        """Sets keys in the highest layer (``SECURITY_CHECKS.<check>`` works). Returns
        ``{"success": [keys], "fail": [keys]}``; the blacklist is kept."""
        success, fail = [], []
        with self._reconfigure_lock:
            params = dict(self._params)
            for k, v in dict(config).items():
                trial = dict(params)
                trial[k] = v
                try:
                    # Built on the running engine's state store (no new Redis connections for
                    # a trial), then dropped.
                    self._build_engine(trial, previous=self._engine, remote=self._remote)
                except (ConfigError, RuntimeError):
                    fail.append(k)
                    continue
                params = trial
                success.append(k)
            if success:
                engine = self._build_engine(params, previous=self._engine, remote=self._remote)
                self._params = params
                self._swap_engine(engine)
        return {"success": success, "fail": fail}

    def get_routes(self) -> dict:
        return self.routes

    # Ironward additions
    def blacklist_add(self, ip: str, seconds: Optional[int] = None) -> None:
        self._engine.blacklist_add(ip, seconds)

    def blacklist_remove(self, ip: str) -> bool:
        return self._engine.blacklist_remove(ip)

    def get_metrics(self) -> str:
        """This process's metrics in the Prometheus text format (version 0.0.4): requests,
        verdicts by check and action, inspection time, dropped events, configuration version
        (see ``docs/metrics.md``). With several worker processes each has its own counters."""
        return self._engine.metrics_text()

    def _metrics_wsgi(self, environ: dict) -> Optional[bytes]:
        """The metrics body when ``environ`` is an allowed scrape of ``METRICS_PATH``."""
        if self._engine.metrics_path is None:
            return None
        try:
            text = self._engine.metrics_scrape_wsgi(environ)
        except Exception:
            return None
        return None if text is None else text.encode()

    def _metrics_raw(
        self, method: str, path: str, headers: List[Tuple[str, str]], peer: Optional[str]
    ) -> Optional[bytes]:
        """The metrics body when the request (raw pieces, as :meth:`inspect` takes them; the
        path without its query) is an allowed scrape of ``METRICS_PATH``."""
        engine = self._engine
        if engine.metrics_path is None:
            return None
        try:
            text = engine.metrics_scrape(method, path, headers, peer)
        except Exception:
            return None
        return None if text is None else text.encode()

    def _count_status(self, status: Any) -> None:
        """Counts the status of a response sent (``ironward_responses_total``)."""
        try:
            self._engine.record_response_status(_status_code(status))
        except Exception:
            pass

    @property
    def engine(self) -> Engine:
        """The native engine in force."""
        return self._engine

    @property
    def server_header(self) -> Optional[str]:
        """The ``Server`` header to set on every response, or None to leave it."""
        return self._engine.server_header

    # ----------------------------------------------------------------------------------
    # Per-request helpers for adapters

    def _failed(self, error: BaseException) -> Any:
        """The verdict when the Python layer failed: None (allow) when ``FAIL_OPEN``. Every
        fail-open (or fail-closed) path of the adapters' own code comes here: the error is
        counted (``ironward_internal_errors_total``) and written on standard error, the first
        at once and later ones at most one line per ``_ERROR_REPEAT`` seconds with how many
        were held back (a client causing one per request must not flood the host's logs)."""
        engine = self._engine
        try:
            engine.record_internal_error()
        except Exception:
            pass
        try:
            now = time.monotonic()
            if now < getattr(self, "_error_line_at", 0.0):
                self._errors_held_back = getattr(self, "_errors_held_back", 0) + 1
            else:
                self._error_line_at = now + _ERROR_REPEAT
                held = getattr(self, "_errors_held_back", 0)
                self._errors_held_back = 0
                more = f" ({held} more since the last line, not written)" if held else ""
                sys.stderr.write(
                    f"[!] Ironward internal error: {type(error).__name__}: {error}{more}\n"
                )
        except Exception:
            pass
        if engine.fail_open:
            return None
        cfg = self.get_config()
        body = str(cfg.get("BLOCK_ACTION_CONTENT", "Blocked")).encode()
        return _ErrorVerdict(
            int(cfg.get("BLOCK_STATUS_CODE", 403)), body, engine.server_header, str(error)
        )

    def read_wsgi_body(self, environ: dict) -> Tuple[Optional[bytes], Optional[int]]:
        """Reads at most ``MAX_BODY_BYTES`` of a WSGI request body and puts back a stream
        that replays exactly those bytes, then the unread rest, for the application.
        Returns ``(body, full_length_if_cut)``."""
        cl = environ.get("CONTENT_LENGTH")
        try:
            length = int(cl) if cl else None
        except ValueError:
            length = None
        stream = environ.get("wsgi.input")
        if stream is None:
            return None, None
        chunked = length is None and (
            environ.get("wsgi.input_terminated")
            or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        )
        if not length and not chunked:
            return None, None
        cap = self._engine.max_body_bytes
        if length is not None:
            data = _read_exact(stream, min(length, cap))
            if length <= cap:
                environ["wsgi.input"] = io.BytesIO(data)
                return data, None
            environ["wsgi.input"] = _PrefixedStream(data, stream)
            return data, length
        data = _read_exact(stream, cap + 1)
        if len(data) <= cap:
            environ["wsgi.input"] = io.BytesIO(data)
            return data, None
        environ["wsgi.input"] = _PrefixedStream(data, stream)
        return data[:cap], len(data)

    def inspect_wsgi(self, environ: dict, route: int = ROUTE_UNKNOWN, body: Any = False) -> Any:
        """Inspects a WSGI request. ``body`` False means: read it from ``wsgi.input`` (capped,
        and handed back); otherwise ``(bytes_or_None, full_length_or_None)``. Returns the
        verdict, or None when the inspection failed and ``FAIL_OPEN`` let it through."""
        try:
            data, full = self.read_wsgi_body(environ) if body is False else body
            return self._engine.inspect_wsgi(environ, data, full, route)
        except Exception as e:  # never break the application's request
            return self._failed(e)

    def inspect(
        self,
        method: str,
        path: str,
        query: str = "",
        headers: Optional[List[Tuple[str, str]]] = None,
        peer_ip: Optional[str] = None,
        body: Optional[bytes] = None,
        body_len: Optional[int] = None,
        route: int = ROUTE_UNKNOWN,
    ) -> Any:
        """Inspects a request from its raw pieces (the path and query as on the wire)."""
        try:
            return self._engine.inspect_request(
                method, path, query, headers or [], peer_ip, body, body_len, route
            )
        except Exception as e:
            return self._failed(e)

    def sink_enter(self, verdict: Any) -> Optional[Tuple[SinkState, Any]]:
        """Sets the sink context of the request a verdict is about, for the application
        call: ``(state, token)``, or None when the verdict has none (sinks off, the request
        blocked, the inspection failed). ``state.blocked`` is the first blocking sink verdict
        once the application returned."""
        ctx = getattr(verdict, "sink_context", None) if verdict is not None else None
        if ctx is None:
            return None
        try:
            return _sinks.enter(self._engine, ctx)
        except Exception as e:
            self._failed(e)
            return None

    @staticmethod
    def sink_leave(scope: Optional[Tuple[SinkState, Any]]) -> Any:
        """Leaves the context :meth:`sink_enter` set; returns the blocking sink verdict the
        application ran into, if any (the adapter then sends its block response)."""
        if scope is None:
            return None
        state, token = scope
        _sinks.leave(token)
        return state.blocked

    def response_needed(self, verdict: Any, status: Any) -> bool:
        """False when the response to a request with this verdict cannot change anything
        (DLP off, and brute force has nothing to count at this status): the adapter then
        skips building the response's headers and body for the engine."""
        if verdict is None or isinstance(verdict, _ErrorVerdict):
            return False
        try:
            return self._engine.response_needed(verdict, _status_code(status))
        except Exception:
            return True

    def check_response(
        self,
        verdict: Any,
        status: Any,
        headers: List[Tuple[str, str]],
        body: Optional[bytes] = None,
    ) -> Any:
        """Inspects a response (body None when it is not buffered). Returns the outbound
        verdict, or None when there is nothing to do or the inspection failed open."""
        if verdict is None or isinstance(verdict, _ErrorVerdict):
            return None
        try:
            return self._engine.inspect_response(verdict, _status_code(status), headers, body)
        except Exception as e:
            return self._failed(e)

    def stream_scanner(self, verdict: Any, status: Any, headers: List[Tuple[str, str]]) -> Any:
        """A DLP scanner for a streamed response (``push`` each chunk, ``finish`` at the end;
        a blocking verdict cuts the stream), or None when DLP does not apply. A scanner error
        fails open through :meth:`_failed`: counted, reported, the rest goes on unscanned."""
        if verdict is None or isinstance(verdict, _ErrorVerdict):
            return None
        try:
            scanner = self._engine.dlp_stream(verdict, _status_code(status), headers)
        except Exception as e:
            self._failed(e)
            return None
        return None if scanner is None else StreamScan(scanner, self._failed)

    @staticmethod
    def scan_stream(scanner: Any, iterable: Iterable[Any]) -> Iterator[Any]:
        """Yields the chunks of a streamed body after scanning each one with a scanner from
        :meth:`stream_scanner`; a blocking leak ends the stream before the leaking chunk (the
        headers are already out). Closes the original iterable."""
        scan = StreamScan.of(scanner)
        try:
            for chunk in iterable:
                if leaks(scan, chunk):
                    return
                yield chunk
            scan.finish()
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    @staticmethod
    async def ascan_stream(scanner: Any, aiterable: Any) -> Any:
        """:meth:`scan_stream` for an async iterable (ASGI bodies): an async generator."""
        scan = StreamScan.of(scanner)
        try:
            async for chunk in aiterable:
                if leaks(scan, chunk):
                    return
                yield chunk
            scan.finish()
        finally:
            aclose = getattr(aiterable, "aclose", None)
            if aclose is not None:
                await aclose()

    def buffered_body_fits(self, length: Optional[int]) -> bool:
        """True when a response body of this length is inspected whole."""
        return length is not None and length <= self._engine.dlp_max_body_bytes
