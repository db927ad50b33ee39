"""Replacing functions and methods, undoably, and the wrappers the sink families share.

:func:`replace` swaps ``owner.name`` for a wrapper built from the original, once: the wrapper
carries ``__ironward_original__`` and ``__wrapped__`` (so ``inspect.signature`` shows the
original's signature) and the original's name and docstring. :func:`restore_all` puts every
original back (tests; :func:`ironward.uninstall`).
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, List, Optional, Tuple

from ._context import busy, current, mark_busy, unmark_busy

__all__ = ["replace", "restore_all", "checked_call", "checked_async_call"]

_MISSING = object()
_applied: List[Tuple[Any, str, Any]] = []
_lock = threading.Lock()


def _own(owner: Any, name: str) -> Any:
    if isinstance(owner, type):
        return owner.__dict__.get(name, _MISSING)
    return getattr(owner, name, _MISSING)


def replace(owner: Any, name: str, make: Callable[[Any], Callable]) -> bool:
    """Replaces ``owner.name`` (a module attribute, or a function defined on the class
    itself) with ``make(original)``. False when there is nothing to replace or it is
    already replaced."""
    with _lock:
        original = _own(owner, name)
        if original is _MISSING or getattr(original, "__ironward_original__", None) is not None:
            return False
        if isinstance(original, (staticmethod, classmethod)):
            return False
        wrapper = make(original)
        try:
            functools.update_wrapper(wrapper, original)
        except Exception:
            pass
        wrapper.__ironward_original__ = original  # type: ignore[attr-defined]
        setattr(owner, name, wrapper)
        _applied.append((owner, name, original))
        return True


def restore_all() -> None:
    """Puts every replaced original back, most recent first."""
    with _lock:
        while _applied:
            owner, name, original = _applied.pop()
            try:
                setattr(owner, name, original)
            except Exception:
                pass


def checked_call(
    family: str,
    check: Callable[[Any, tuple, dict], None],
) -> Callable[[Any], Callable]:
    """A ``make`` for :func:`replace`: the wrapper calls ``check(state, args, kwargs)`` when
    a request context is set (and no call of the same family is already running), then the
    original, marked busy so that its own instrumented calls are not checked again."""

    def make(original: Any) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            state = current()
            if state is None or busy(family):
                return original(*args, **kwargs)
            check(state, args, kwargs)
            token = mark_busy(family)
            try:
                return original(*args, **kwargs)
            finally:
                unmark_busy(family, token)

        return wrapper

    return make


def checked_async_call(
    family: str,
    check: Callable[[Any, tuple, dict], None],
) -> Callable[[Any], Callable]:
    """:func:`checked_call` for a coroutine function (the wrapper is one too)."""

    def make(original: Any) -> Callable:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            state = current()
            if state is None or busy(family):
                return await original(*args, **kwargs)
            check(state, args, kwargs)
            token = mark_busy(family)
            try:
                return await original(*args, **kwargs)
            finally:
                unmark_busy(family, token)

        return wrapper

    return make


def arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    """A call's argument by position or name."""
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def first_of(*values: Optional[Any]) -> Any:
    for v in values:
        if v is not None:
            return v
    return None
