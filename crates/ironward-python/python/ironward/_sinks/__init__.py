"""Sink instrumentation: Ironward's checks where the application *uses* a request's input —
the SQL query it runs, the command it starts, the file it opens, the host it connects to, the
MongoDB filter it sends (``docs/sinks.md``, section "Python").

* :func:`install` patches the drivers and the standard library (idempotent). Every adapter
  calls it when it is built with a sink check on; :func:`protect` calls it for scripts and
  workers.
* The adapters set the request's context (:mod:`._context`, a ``ContextVar``) around the
  application call; an instrumented call checks only inside one.
* A blocked operation raises :class:`Blocked` at the sink; the adapter answers with the block
  response, even when the view caught the exception.

Modules: :mod:`.sql`, :mod:`.shell`, :mod:`.files`, :mod:`.net`, :mod:`.nosql` (one per
family), :mod:`._install`, :mod:`._context`, :mod:`._errors`, :mod:`._patch`.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Iterable, Iterator, Optional

from ._context import SinkState, current, enter, leave
from ._errors import Blocked
from ._install import install, installed, uninstall

__all__ = [
    "Blocked",
    "Protection",
    "SinkState",
    "current",
    "enter",
    "install",
    "installed",
    "leave",
    "protect",
    "uninstall",
]


class Protection:
    """What :func:`protect` returns: an engine, and the contexts that make the sinks check
    code outside a web request against the untrusted values it handles."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    @contextlib.contextmanager
    def inputs(
        self, values: Iterable[Any], method: str = "TASK", path: str = "/"
    ) -> Iterator[SinkState]:
        """Within the ``with`` block, the sinks check their operations against ``values``: a
        blocked operation raises :class:`Blocked`. Strings are looked for in queries, commands,
        paths and URLs (other scalars are converted with ``str``); dicts and lists are parsed
        JSON the code received: their objects carrying query operators (``{"$ne": …}``) are
        what the NoSQL sink compares filters with, and their strings are looked for too. ``method`` and ``path`` name the unit of work in events
        (a task's name, a queue…)."""
        from .._ironward import SinkContext

        texts: list = []
        objects: list = []
        for v in values:
            if isinstance(v, (dict, list)):
                objects.append(v)
                texts.extend(_strings(v))
            else:
                texts.append(v if isinstance(v, str) else str(v))
        blob = json.dumps(objects, default=str) if objects else None
        ctx = SinkContext.from_values(texts, method, path, blob)
        state, token = enter(self.engine, ctx)
        try:
            yield state
        finally:
            leave(token)

    @contextlib.contextmanager
    def request(self, verdict: Any) -> Iterator[Optional[SinkState]]:
        """Within the ``with`` block, the sinks check their operations against the request a
        ``verdict`` of :meth:`ironward.Engine.inspect_request` is about (its
        ``sink_context``; nothing is checked when it has none)."""
        ctx = getattr(verdict, "sink_context", None)
        if ctx is None:
            yield None
            return
        state, token = enter(self.engine, ctx)
        try:
            yield state
        finally:
            leave(token)


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """The strings (keys and values) of parsed JSON, bounded in depth."""
    if depth > 32:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v, depth + 1)


def protect(
    template: Optional[str] = "default",
    conf: Optional[str] = None,
    params: Optional[dict] = None,
    engine: Any = None,
) -> Protection:
    """Instruments the sinks for code that is not served by an adapter (scripts, queue
    workers, CLIs) and returns a :class:`Protection` whose :meth:`Protection.inputs` context
    declares the untrusted values::

        guard = ironward.protect(params={"SINK_CHECKS": {"sql": 1}})
        with guard.inputs([job["name"], job["path"]]):
            handle(job)

    The configuration is loaded as the adapters load it (template < file < params); pass
    ``engine`` to share an adapter's (``rasp.engine``)."""
    if engine is None:
        from .._ironward import Engine

        text = json.dumps(params) if params else None
        engine = Engine(template=template or "default", conf=conf, params=text)
    install()
    return Protection(engine)
