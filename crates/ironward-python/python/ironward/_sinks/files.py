"""Path sinks: opening, deleting and renaming files.

* ``builtins.open`` and ``io.open`` (the same function; ``pathlib.Path.open``,
  ``read_text``, ``read_bytes``, ``write_text`` and ``write_bytes`` call ``io.open`` on
  Python 3.11+, and ``Path.open`` is patched on older ones), ``os.open``;
* ``os.remove``, ``os.unlink``, ``os.rename`` and ``os.replace`` (each path of a rename);
* ``shutil``'s copies and moves are made of these (``open`` for each file copied,
  ``os.rename``/``os.unlink`` for moves), so each of their paths is checked too.

Paths are checked with ``base=None``: the detector takes the directory before the input's
occurrence as the one it was joined to. A file descriptor (an ``int``) is not a path and is
not checked.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict

from ._context import check_path, current
from ._patch import arg, checked_call, replace

__all__ = ["STDLIB"]


def _first(state: Any, args: tuple, kwargs: dict) -> None:
    path = arg(args, kwargs, 0, "file")
    if path is None:
        path = kwargs.get("path")
    if not isinstance(path, int):
        check_path(state, path)


def _two(state: Any, args: tuple, kwargs: dict) -> None:
    check_path(state, arg(args, kwargs, 0, "src"))
    check_path(state, arg(args, kwargs, 1, "dst"))


def _make_open(original: Any) -> Callable:
    # The hottest wrapper (every open() in the process): no busy flag, one ContextVar read.
    def open(file: Any, *args: Any, **kwargs: Any) -> Any:
        state = current()
        if state is not None and not isinstance(file, int):
            check_path(state, file)
        return original(file, *args, **kwargs)

    return open


def _patch_builtins(module: Any) -> None:
    import io

    replace(module, "open", _make_open)
    replace(io, "open", _make_open)


def _patch_os(module: Any) -> None:
    replace(module, "open", checked_call("path", _first))
    for name in ("remove", "unlink"):
        replace(module, name, checked_call("path", _first))
    for name in ("rename", "replace"):
        replace(module, name, checked_call("path", _two))


def _path_open(state: Any, args: tuple, kwargs: dict) -> None:
    check_path(state, args[0] if args else None)


def _patch_pathlib(module: Any) -> None:
    # Python 3.11+: Path.open calls io.open, already checked.
    if sys.version_info < (3, 11):
        replace(module.Path, "open", checked_call("path", _path_open))


#: Module name → patch.
STDLIB: Dict[str, Callable[[Any], None]] = {
    "builtins": _patch_builtins,
    "os": _patch_os,
    "pathlib": _patch_pathlib,
}
