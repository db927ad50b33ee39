"""DLP over a streamed response body, as the adapters run it: the native ``DlpStream`` behind a
guard that never lets a scanner error reach the response.

An error while scanning (a chunk that cannot be read as bytes, the native scanner raising) goes
through the adapter's fail-open helper like every other crash of the Python layer: counted in
``ironward_internal_errors_total`` and written on standard error at most once a minute. With
``FAIL_OPEN`` (the default) the rest of the response goes on unscanned; without, the failure's
blocking verdict cuts the stream as a leak would (its headers are already out).
"""

from __future__ import annotations

from typing import Any, Callable, Optional


def chunk_bytes(chunk: Any) -> bytes:
    """A body chunk as the bytes sent: ``bytes`` as they are, other buffers copied, anything
    else as its UTF-8 text (what the frameworks send for a ``str``)."""
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    return str(chunk).encode()


class StreamScan:
    """The DLP scanner of one streamed response: ``push`` each chunk before sending it,
    ``finish`` at the end; both return a verdict (cut the stream when it blocks) or None.

    ``failed`` is the adapter's fail-open helper (``BaseRASP._failed``): called once, with
    the first error; its verdict (None when ``FAIL_OPEN``) is returned, and the scan stops."""

    __slots__ = ("_scanner", "_failed", "_off")

    def __init__(self, scanner: Any, failed: Callable[[BaseException], Any]) -> None:
        self._scanner = scanner
        self._failed = failed
        self._off = False

    @staticmethod
    def of(scanner: Any) -> "StreamScan":
        """``scanner`` itself, or a native ``DlpStream`` passed directly (no adapter to count
        its errors: they fail open, uncounted) behind the guard."""
        return scanner if isinstance(scanner, StreamScan) else StreamScan(scanner, _ignore)

    def push(self, chunk: Any) -> Optional[Any]:
        """Scans the next chunk (any type a framework sends)."""
        if self._off or not chunk:
            return None
        try:
            return self._scanner.push(chunk_bytes(chunk))
        except Exception as e:
            return self._fail(e)

    def finish(self) -> Optional[Any]:
        """Ends the scan: what only the end of the body reveals."""
        if self._off:
            return None
        self._off = True
        try:
            return self._scanner.finish()
        except Exception as e:
            return self._failed(e)

    @property
    def done(self) -> bool:
        """True once the scan ended: a leak reported, the stream finished, or a failure."""
        if self._off:
            return True
        try:
            return bool(self._scanner.done)
        except Exception:
            return False

    def _fail(self, error: BaseException) -> Any:
        self._off = True
        return self._failed(error)


def _ignore(error: BaseException) -> None:
    """The fail-open helper of a scanner used without an adapter: the chunk goes on."""
    return None


def leaks(scanner: StreamScan, chunk: Any) -> bool:
    """Scans one chunk; True when a blocking verdict must end the stream before it."""
    v = scanner.push(chunk)
    return v is not None and v.blocked
