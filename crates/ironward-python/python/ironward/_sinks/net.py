"""SSRF sinks: outbound connections, checked twice at most per host and request.

* **Resolution** — ``socket.getaddrinfo`` (what ``socket.create_connection``, ``http.client``,
  ``urllib``, ``urllib3``/``requests`` and ``httpx``'s sync transport use) and asyncio's
  ``loop.getaddrinfo`` (``aiohttp``, ``httpx``'s async transport through ``anyio``): the host
  and the addresses it resolved to, checked after resolution and before any connection. This
  is what catches a public-looking name that resolves to an internal address (DNS rebinding).
  asyncio runs ``socket.getaddrinfo`` in a worker thread without the request's context, so a
  name is checked once there, in the task that asked.
* **URLs** — ``urllib.request.OpenerDirector.open`` (``urlopen``), ``requests``'
  ``Session.send``, ``httpx``'s ``HTTPTransport``/``AsyncHTTPTransport``, ``aiohttp``'s
  ``ClientSession._request``: the URL before resolution, for the host-name rules (cloud
  metadata names that only resolve inside the cloud, ``localhost``, ``*.internal``…).

``http.client.HTTPConnection.connect`` is not patched: it resolves through
``socket.getaddrinfo``, which is checked with the addresses. Once a host was reported in a
request, later checks of the same host in that request are skipped (one event, not one per
layer); a host that passed the URL check is not URL-checked again (its resolution still is).
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ._context import check_url, current
from ._patch import arg, checked_async_call, checked_call, replace

__all__ = ["STDLIB", "THIRD_PARTY"]


def _addresses(infos: Any) -> list:
    out = []
    try:
        for info in infos:
            sockaddr = info[4]
            if sockaddr and isinstance(sockaddr[0], str):
                out.append(sockaddr[0])
    except Exception:
        pass
    return out


def _host_text(host: Any) -> Any:
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("idna", "replace")
    return host


def _patch_socket(module: Any) -> None:
    def make(original: Any) -> Callable:
        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            infos = original(host, port, *args, **kwargs)
            state = current()
            if state is not None and host:
                name = _host_text(host)
                check_url(state, name, _addresses(infos), str(name).lower().rstrip("."))
            return infos

        return getaddrinfo

    replace(module, "getaddrinfo", make)


def _patch_asyncio_base_events(module: Any) -> None:
    loop = getattr(module, "BaseEventLoop", None)
    if loop is None:
        return

    def make(original: Any) -> Callable:
        async def getaddrinfo(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            infos = await original(self, host, port, *args, **kwargs)
            state = current()
            if state is not None and host:
                name = _host_text(host)
                check_url(state, name, _addresses(infos), str(name).lower().rstrip("."))
            return infos

        return getaddrinfo

    replace(loop, "getaddrinfo", make)


def _opener_url(state: Any, args: tuple, kwargs: dict) -> None:
    url = arg(args, kwargs, 1, "fullurl")
    check_url(state, getattr(url, "full_url", url))


def _patch_urllib_request(module: Any) -> None:
    opener = getattr(module, "OpenerDirector", None)
    if opener is not None:
        replace(opener, "open", checked_call("ssrf_url", _opener_url))


def _request_url(state: Any, args: tuple, kwargs: dict) -> None:
    request = arg(args, kwargs, 1, "request")
    url = getattr(request, "url", None)
    if url is not None:
        check_url(state, url)


def _patch_requests_sessions(module: Any) -> None:
    session = getattr(module, "Session", None)
    if session is not None:
        replace(session, "send", checked_call("ssrf_url", _request_url))


def _patch_httpx(module: Any) -> None:
    sync = getattr(module, "HTTPTransport", None)
    if sync is not None:
        replace(sync, "handle_request", checked_call("ssrf_url", _request_url))
    asyn = getattr(module, "AsyncHTTPTransport", None)
    if asyn is not None:
        replace(asyn, "handle_async_request", checked_async_call("ssrf_url", _request_url))


def _aiohttp_url(state: Any, args: tuple, kwargs: dict) -> None:
    session = args[0]
    url = arg(args, kwargs, 2, "str_or_url")
    build = getattr(session, "_build_url", None)
    if build is not None:
        try:
            url = build(url)
        except Exception:
            pass
    check_url(state, url)


def _patch_aiohttp_client(module: Any) -> None:
    session = getattr(module, "ClientSession", None)
    if session is not None:
        replace(session, "_request", checked_async_call("ssrf_url", _aiohttp_url))


#: Standard library module name → patch.
STDLIB: Dict[str, Callable[[Any], None]] = {
    "socket": _patch_socket,
    "asyncio.base_events": _patch_asyncio_base_events,
    "urllib.request": _patch_urllib_request,
}

#: Third-party module name → patch.
THIRD_PARTY: Dict[str, Callable[[Any], None]] = {
    "requests.sessions": _patch_requests_sessions,
    "httpx": _patch_httpx,
    "aiohttp.client": _patch_aiohttp_client,
}
