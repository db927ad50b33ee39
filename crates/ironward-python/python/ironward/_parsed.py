"""What the application reads, where a host hands it over in more than one form.

The engine must inspect the values the application will read. Servers and serverless hosts
often give a request twice — raw (the target as sent, ``rawQueryString``, ``req.url``) and
parsed (``scope["path"]``, ``queryStringParameters``, ``pathParameters``, ``req.params``) —
and the two can disagree (a middleware rewrote one, a test client filled only one, an event
was built by hand, or the host decodes differently). These helpers give the engine one path
and one query holding both: the raw form where it says everything, plus whatever only the
parsed form holds, each value once (so that an ordinary request is not changed at all, and a
value is never seen twice by the repeated-parameter check).
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, unquote, unquote_to_bytes, urlencode

__all__ = ["asgi_target", "with_parsed_params", "with_path_values"]

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _pairs(query: str) -> List[Tuple[str, str]]:
    try:
        return parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return []


def with_parsed_params(query: str, params: Iterable[Tuple[Any, Any]],
                       joined: bool = False) -> str:
    """``query`` (raw, percent-encoded) plus the ``(name, value)`` pairs of ``params`` (decoded,
    as a host parsed them) that ``query`` does not hold. With ``joined``, the host joins a
    repeated name's values with commas (``a=1&a=2`` -> ``{"a": "1,2"}``), and a value equal
    to that join is not new either."""
    params = [("" if k is None else str(k), "" if v is None else str(v)) for k, v in params]
    if not params:
        return query
    raw = _pairs(query)
    have = set(raw)
    if joined:
        by_name: dict = {}
        for k, v in raw:
            by_name.setdefault(k, []).append(v)
        have.update((k, ",".join(vs)) for k, vs in by_name.items())
    extra = []
    for pair in params:
        if pair not in have:
            have.add(pair)
            extra.append(pair)
    if not extra:
        return query
    tail = urlencode(extra)
    return f"{query}&{tail}" if query else tail


def with_path_values(path: str, values: Iterable[Any]) -> str:
    """``path`` (raw, percent-encoded) plus, as further segments, the decoded ``values`` (path
    parameters, another form of the path) that do not appear in it once decoded: each goes
    in as one segment, ``/`` included, so that the engine sees it whole."""
    decoded: Optional[str] = None
    out = path
    for v in values:
        if v is None or not isinstance(v, (str, int, float)):
            continue
        v = str(v)
        if not v:
            continue
        if decoded is None:
            decoded = unquote(path)
        if v in decoded:
            continue
        out = out.rstrip("/") + "/" + quote(v, safe="")
        decoded += "/" + v
    return out


def asgi_target(scope: Any) -> Tuple[str, str]:
    """``(path, query)`` for the engine from an ASGI scope: what the application reads —
    ``scope["path"]`` (decoded; routers match it) and ``scope["query_string"]`` — with the
    server's ``raw_path`` as the path when it decodes to exactly that path (it keeps ``%2F``
    and the like), else the decoded path re-encoded. A query found in ``raw_path`` (servers
    that leave it there) adds the pairs ``query_string`` does not hold."""
    path = scope.get("path") or "/"
    root = scope.get("root_path") or ""
    if root and not path.startswith(root):
        path = root + path  # servers that give the path without the root path
    query = scope.get("query_string", b"")
    if isinstance(query, (bytes, bytearray)):
        query = query.decode("latin-1")
    raw = scope.get("raw_path")
    if raw:
        raw_text = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else str(raw)
        raw_text, _, raw_query = raw_text.partition("?")
        if raw_query and raw_query != query:
            query = with_parsed_params(query, _pairs(raw_query))
        try:
            wanted = path.encode("utf-8")
        except UnicodeEncodeError:
            wanted = path.encode("utf-8", "surrogateescape")
        decoded = unquote_to_bytes(raw_text)
        if decoded == wanted:
            return raw_text, query
        if root and decoded == wanted[len(root.encode("utf-8", "surrogateescape")):]:
            return quote(root, safe=_PATH_SAFE) + raw_text, query
    return quote(path, safe=_PATH_SAFE, errors="surrogateescape"), query
