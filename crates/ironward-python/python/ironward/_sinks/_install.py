"""Installing the sink instrumentation: :func:`install` and :func:`uninstall`.

Each family (:mod:`.sql`, :mod:`.shell`, :mod:`.files`, :mod:`.net`, :mod:`.nosql`) maps
module names to a patch. :func:`install` patches the modules already imported (``builtins``,
``os`` and ``io`` always are) and registers a finder first in ``sys.meta_path`` that patches
the others right after they are first imported, so that a driver imported after the adapter
was built is covered too. The finder only acts on those module names; every other import goes
on untouched. A patch that fails is reported once on standard error and skipped (fail open).
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from typing import Any, Callable, Dict, Optional, Sequence

from . import files, net, nosql, shell, sql
from ._context import failed, library_dirs
from ._patch import restore_all

__all__ = ["install", "installed", "uninstall"]

Patch = Callable[[Any], None]


def _targets() -> Dict[str, list]:
    out: Dict[str, list] = {}
    for table in (files.STDLIB, shell.STDLIB, net.STDLIB, sql.THIRD_PARTY, net.THIRD_PARTY,
                  nosql.THIRD_PARTY):
        for name, patch in table.items():
            out.setdefault(name, []).append(patch)
    return out


_lock = threading.RLock()
_installed = False
_pending: Dict[str, list] = {}


def _apply(name: str, module: Any, patches: Sequence[Patch]) -> None:
    for patch in patches:
        try:
            patch(module)
        except Exception as e:  # a module version we do not know: not instrumented
            failed(f"instrumenting {name}", e)


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then the module's patches."""

    def __init__(self, inner: Any, name: str, patches: Sequence[Patch]) -> None:
        self._inner = inner
        self._name = name
        self._patches = patches

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        with _lock:
            patches = _pending.pop(self._name, None)
        if patches:
            _apply(self._name, module, patches)

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, get_code…
        return getattr(self._inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: for a module waiting to be patched, asks the other finders and
    wraps the loader they return."""

    _local = threading.local()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in _pending:
            return None
        looking = getattr(self._local, "names", None)
        if looking is None:
            looking = self._local.names = set()
        if fullname in looking:
            return None
        looking.add(fullname)
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self:
                    continue
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    break
        except Exception:
            return None
        finally:
            looking.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        patches = _pending.get(fullname)
        if patches:
            spec.loader = _PatchingLoader(spec.loader, fullname, patches)
        return spec


_finder = _Finder()


def install() -> None:
    """Instruments the sinks (idempotent; thread-safe). Called when an adapter is built
    with a sink check on, and by :func:`ironward.protect`. Nothing is checked until a
    request context is set, so an instrumented process outside requests pays one
    ``ContextVar`` read per instrumented call."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        library_dirs()  # computed now, not inside the first check that needs the caller
        for name, patches in _targets().items():
            module: Optional[Any] = sys.modules.get(name)
            if module is not None:
                _apply(name, module, patches)
            else:
                _pending[name] = patches
        if _pending and _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Removes every patch and the import hook (tests; a process that no longer wants the
    sink checks). :func:`install` instruments again."""
    global _installed
    with _lock:
        restore_all()
        _pending.clear()
        try:
            sys.meta_path.remove(_finder)
        except ValueError:
            pass
        _installed = False


def installed() -> bool:
    """True while the instrumentation is installed."""
    return _installed
