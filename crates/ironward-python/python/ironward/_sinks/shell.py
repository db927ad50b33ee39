"""Shell sinks: ``subprocess`` and the ``os`` process functions.

* ``subprocess.Popen.__init__`` — so ``run``, ``call``, ``check_call``, ``check_output``,
  ``getoutput`` and ``os.popen`` (built on it) are covered: with ``shell=True`` the command
  line is checked (``args`` itself, or ``args[0]`` for a list), otherwise the argument list
  (a lone string or path is the program);
* ``os.system`` (a command line);
* ``os.execv``/``os.execve`` (every ``os.exec*`` function ends in one of them),
  ``os.spawnv``/``spawnve``/``spawnvp``/``spawnvpe`` (every ``os.spawn*``), ``os.posix_spawn``
  and ``os.posix_spawnp``: the program and its arguments.

A call made while another one of these runs (``subprocess`` using ``os.posix_spawn``, a spawn
running ``exec`` in its child) is not checked again.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ._context import check_argv, check_command, text
from ._patch import arg, checked_call, replace

__all__ = ["STDLIB"]


def _popen(state: Any, args: tuple, kwargs: dict) -> None:
    command = arg(args, kwargs, 1, "args")
    shell = arg(args, kwargs, 9, "shell", False)
    if shell:
        if text(command) is None:
            try:
                command = command[0]
            except Exception:
                return
        check_command(state, command)
    else:
        check_argv(state, command)


def _program_args(state: Any, program: Any, argv: Any) -> None:
    try:
        rest = list(argv)[1:]
    except Exception:
        rest = []
    check_argv(state, [program, *rest])


def _system(state: Any, args: tuple, kwargs: dict) -> None:
    check_command(state, arg(args, kwargs, 0, "command"))


def _exec(state: Any, args: tuple, kwargs: dict) -> None:
    _program_args(state, arg(args, kwargs, 0, "path"), arg(args, kwargs, 1, "argv", ()))


def _spawn(state: Any, args: tuple, kwargs: dict) -> None:
    _program_args(state, arg(args, kwargs, 1, "file"), arg(args, kwargs, 2, "args", ()))


def _patch_subprocess(module: Any) -> None:
    popen = getattr(module, "Popen", None)
    if popen is None:
        return

    def make(original: Any) -> Callable:
        inner = checked_call("shell", _popen)(original)

        def __init__(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
            # A one-shot iterable would be consumed by the check: Popen gets a list.
            if text(args) is None and not isinstance(args, (list, tuple)):
                try:
                    args = list(args)
                except TypeError:
                    pass
            inner(self, args, *rest, **kwargs)

        return __init__

    replace(popen, "__init__", make)


def _patch_os(module: Any) -> None:
    replace(module, "system", checked_call("shell", _system))
    for name in ("execv", "execve", "posix_spawn", "posix_spawnp"):
        replace(module, name, checked_call("shell", _exec))
    for name in ("spawnv", "spawnve", "spawnvp", "spawnvpe"):
        replace(module, name, checked_call("shell", _spawn))


#: Module name → patch.
STDLIB: Dict[str, Callable[[Any], None]] = {
    "os": _patch_os,
    "subprocess": _patch_subprocess,
}
