"""``ironward.Blocked``: what an instrumented sink raises when Ironward blocks the operation.

It is a :class:`PermissionError` (an ``OSError`` with ``errno.EACCES``), so code that already
handles "not allowed" failures of a file, a process or a connection handles it too. It carries
the sink verdict: ``status``, ``headers`` and ``body`` are the configured block response, and
``findings[0]["sink"]`` says which sink, operation and reason.
"""

from __future__ import annotations

import errno
from typing import Any

__all__ = ["Blocked"]


class Blocked(PermissionError):
    """Raised by an instrumented sink (a query, a command, a file, a connection, a MongoDB
    filter) that Ironward blocked. ``verdict`` is the sink verdict (``ironward.Verdict``)."""

    def __init__(self, verdict: Any) -> None:
        self.verdict = verdict
        detail: dict = {}
        try:
            findings = verdict.findings
            detail = (findings[0].get("sink") or {}) if findings else {}
        except Exception:
            detail = {}
        self.sink: str = str(detail.get("sink") or "sink")
        self.reason: str = str(detail.get("reason") or "")
        text = f"Ironward blocked a {self.sink} operation"
        if self.reason:
            text += f" ({self.reason})"
        super().__init__(errno.EACCES, text)

    def __reduce__(self) -> Any:  # picklable (multiprocessing), without the native verdict
        return (_unpickled, (self.sink, self.reason))


class _PickledVerdict:
    """What a :class:`Blocked` carries once it crossed a process boundary."""

    blocked = True

    def __init__(self, sink: str, reason: str) -> None:
        self.findings = [{"sink": {"sink": sink, "reason": reason}}]


def _unpickled(sink: str, reason: str) -> Blocked:
    return Blocked(_PickledVerdict(sink, reason))
