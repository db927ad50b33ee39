"""The request context of the sink checks, and the checks the instrumentation calls.

An adapter that inspected a request and lets it through *enters* a context holding the
engine and the request's :class:`ironward.SinkContext` (its inputs) in a
:class:`contextvars.ContextVar`, and *leaves* it when the application returned. A
``ContextVar`` follows the code that handles the request: each thread has its own, each
asyncio task gets a copy of its creator's (so a request's tasks see the request, and
concurrent requests never see each other's), and ``asyncio.to_thread`` / Starlette's thread
pool copy it into the worker thread.

Instrumented functions call :func:`current` first: without a request context (start-up code,
a background thread, a script not using :func:`ironward.protect`) they do nothing else, which
costs one ``ContextVar.get``. With one, they call the native check; a blocking verdict is
recorded in the context (the adapter then answers with the block response even if the view
caught the exception) and raised as :class:`ironward.Blocked`. Any error inside Ironward's own
check is written once to standard error and the operation runs (fail open).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from contextvars import ContextVar, Token
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ._errors import Blocked

__all__ = [
    "SinkState",
    "check_argv",
    "check_command",
    "check_nosql",
    "check_path",
    "check_sql",
    "check_url",
    "current",
    "enter",
    "leave",
]

#: Hosts remembered per context for the SSRF checks (see :meth:`SinkState.host_seen`).
_MAX_HOSTS = 64


class SinkState:
    """What the sinks of one request need: the engine, the request's inputs, and the first
    blocking verdict (set by a sink, read by the adapter)."""

    __slots__ = ("engine", "ctx", "blocked", "_hosts")

    def __init__(self, engine: Any, ctx: Any) -> None:
        self.engine = engine
        self.ctx = ctx
        self.blocked: Any = None
        self._hosts: Optional[Set[Tuple[str, bool]]] = None

    def record(self, verdict: Any) -> None:
        """Keeps the first blocking verdict of the request."""
        if self.blocked is None:
            self.blocked = verdict

    def host_seen(self, host: str, resolved: bool) -> bool:
        """True when an outbound request to ``host`` was already judged in this context in a
        way that makes another check useless: it was reported (one event per host, however
        many layers — URL, connection, resolver — see it), or, for a check before resolution
        (``resolved`` False), it already passed one. Bounded."""
        hosts = self._hosts
        return hosts is not None and ((host, True) in hosts or (host, resolved) in hosts)

    def remember_host(self, host: str, reported: bool) -> None:
        hosts = self._hosts
        if hosts is None:
            hosts = self._hosts = set()
        if len(hosts) < _MAX_HOSTS:
            hosts.add((host, reported))


_current: ContextVar[Optional[SinkState]] = ContextVar("ironward_sink", default=None)

#: The fast path of every instrumented function: the request's state, or None.
current = _current.get


def enter(engine: Any, ctx: Any) -> Tuple[SinkState, Token]:
    """Sets the sink context of the request being handled; :func:`leave` with the token
    restores the previous one."""
    state = SinkState(engine, ctx)
    return state, _current.set(state)


def leave(token: Token) -> None:
    """Restores the context :func:`enter` replaced (or clears it, when the token belongs to
    another context)."""
    try:
        _current.reset(token)
    except (ValueError, RuntimeError):
        _current.set(None)


# ---------------------------------------------------------------------------------------
# Reentrancy: an instrumented call made by another instrumented call of the same family
# (pymongo's find_one calling find, subprocess calling os.posix_spawn) is not checked twice.
# One flag per family, so that a family's internals still meet the others' checks.

_BUSY: Dict[str, ContextVar] = {
    family: ContextVar(f"ironward_sink_busy_{family}", default=False)
    for family in ("sql", "shell", "path", "ssrf", "ssrf_url", "nosql")
}


def busy(family: str) -> bool:
    """True inside an instrumented call of ``family`` that already checked its operation."""
    return _BUSY[family].get()


def mark_busy(family: str) -> Token:
    """Marks the current context as inside an instrumented ``family`` call."""
    return _BUSY[family].set(True)


def unmark_busy(family: str, token: Token) -> None:
    try:
        _BUSY[family].reset(token)
    except (ValueError, RuntimeError):
        _BUSY[family].set(False)


# ---------------------------------------------------------------------------------------
# Where the application called the sink: computed only when there is a finding.

_LIBRARY_DIRS: Tuple[str, ...] = ()
_IS_LIBRARY: Dict[str, bool] = {}


def _library_dirs() -> Tuple[str, ...]:
    dirs: List[str] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            path = sysconfig.get_paths().get(key)
        except Exception:
            path = None
        if path:
            dirs.append(os.path.abspath(path))
    return tuple(d.rstrip(os.sep) + os.sep for d in dirs)


def library_dirs() -> Tuple[str, ...]:
    """Ironward's own directory first, then the standard library's and the installed
    packages' (computed once)."""
    global _LIBRARY_DIRS
    if not _LIBRARY_DIRS:
        _LIBRARY_DIRS = _library_dirs()
    return _LIBRARY_DIRS


def _is_library(filename: str) -> bool:
    known = _IS_LIBRARY.get(filename)
    if known is not None:
        return known
    lib = filename.startswith("<") or os.path.abspath(filename).startswith(library_dirs())
    if len(_IS_LIBRARY) < 4096:
        _IS_LIBRARY[filename] = lib
    return lib


def caller() -> str:
    """``file:line`` of the innermost application frame (not Ironward, the standard library
    or an installed package), else of the innermost frame outside Ironward."""
    try:
        frame: Any = sys._getframe(1)
    except Exception:
        return ""
    own = library_dirs()[0]
    fallback = ""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_library(filename):
            return f"{filename}:{frame.f_lineno}"
        if not fallback and not os.path.abspath(filename).startswith(own):
            fallback = f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return fallback


# ---------------------------------------------------------------------------------------
# Failing open.

_FAILED: Set[str] = set()


def failed(where: str, error: BaseException) -> None:
    """An error in Ironward's own check: written to standard error once per place, and the
    operation runs."""
    if where in _FAILED:
        return
    _FAILED.add(where)
    try:
        sys.stderr.write(
            f"[!] Ironward sink check failed open ({where}): {type(error).__name__}: {error}\n"
        )
    except Exception:
        pass


def _conclude(state: SinkState, verdict: Any) -> None:
    if verdict.blocked:
        state.record(verdict)
        raise Blocked(verdict)


# ---------------------------------------------------------------------------------------
# The checks. Each takes the state :func:`current` returned (not None).


def text(value: Any) -> Optional[str]:
    """A path, command or query as text: ``str``, ``bytes`` (file system encoding), or a
    ``PathLike``; None for anything else (a file descriptor…)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return os.fsdecode(bytes(value))
    fspath = getattr(type(value), "__fspath__", None)
    if fspath is not None:
        try:
            out = fspath(value)
        except Exception:
            return None
        return out if isinstance(out, str) else os.fsdecode(out)
    return None


def check_sql(state: SinkState, query: Any, dialect: str) -> None:
    """Checks a SQL query (``str`` or ``bytes``) about to run."""
    try:
        if isinstance(query, (bytes, bytearray)):
            query = bytes(query).decode("utf-8", "replace")
        elif not isinstance(query, str):
            return
        v = state.engine.check_sql(state.ctx, query, dialect, caller)
    except Exception as e:
        failed("sql", e)
        return
    _conclude(state, v)


def check_path(state: SinkState, path: Any, base: Optional[str] = None) -> None:
    """Checks a file path about to be opened, written, deleted or renamed."""
    try:
        p = text(path)
        if not p:
            return
        v = state.engine.check_path(state.ctx, p, base, caller)
    except Exception as e:
        failed("path", e)
        return
    _conclude(state, v)


def check_command(state: SinkState, command: Any) -> None:
    """Checks a command line about to run through a shell."""
    try:
        c = text(command)
        if not c:
            return
        v = state.engine.check_command(state.ctx, c, caller)
    except Exception as e:
        failed("shell", e)
        return
    _conclude(state, v)


def check_argv(state: SinkState, args: Any) -> None:
    """Checks a program about to be executed with an argument list (or a single program)."""
    try:
        one = text(args)
        if one is not None:
            argv = [one]
        else:
            argv = [t for t in (text(a) for a in args) if t is not None]
        if not argv:
            return
        v = state.engine.check_argv(state.ctx, argv, caller)
    except Exception as e:
        failed("shell", e)
        return
    _conclude(state, v)


def _host_of(target: str) -> str:
    """The host of a URL or of a bare ``host[:port]``, lowercased (a dedup key only)."""
    from urllib.parse import urlsplit

    t = target.strip()
    try:
        if "//" in t:
            return (urlsplit(t).hostname or t).lower()
    except Exception:
        return t.lower()
    return t.lower()


def check_url(
    state: SinkState, target: Any, resolved: Iterable[Any] = (), host: Optional[str] = None
) -> None:
    """Checks an outbound connection: a URL (before resolution, ``resolved`` empty) or a host
    and the addresses it resolved to. One report per host and request."""
    try:
        if isinstance(target, (bytes, bytearray)):
            t = bytes(target).decode("idna", "replace")
        else:
            t = target if isinstance(target, str) else str(target)
        if not t:
            return
        addresses = [str(a) for a in resolved]
        key = host if host is not None else _host_of(t)
        if state.host_seen(key, bool(addresses)):
            return
        v = state.engine.check_url(state.ctx, t, addresses, caller)
        if v.flagged:
            state.remember_host(key, True)
        elif not addresses:
            state.remember_host(key, False)
    except Exception as e:
        failed("ssrf", e)
        return
    _conclude(state, v)


def check_nosql(state: SinkState, filter: Any) -> None:
    """Checks a MongoDB filter (any JSON-able object, ``default=str`` for the rest)."""
    if filter is None:
        return
    try:
        import json

        v = state.engine.check_nosql(state.ctx, json.dumps(filter, default=str), caller)
    except Exception as e:
        failed("nosql", e)
        return
    _conclude(state, v)
