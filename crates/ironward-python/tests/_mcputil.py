"""Helpers of the MCP suites (test_mcp_tool.py, test_mcp_host.py): start mcp_server.py as a
real MCP server (stdio subprocess, or streamable HTTP under uvicorn on a loopback port), and
talk to it with a real client of either SDK through one small interface."""

import asyncio
import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "mcp_server.py")


def have(module):
    try:
        return importlib.util.find_spec(module) is not None
    except Exception:
        return False


def need(sdk):
    """Skips the test when the SDK is not installed (older Pythons: both need 3.10+/3.11+)."""
    if not have(sdk):
        pytest.skip(f"{sdk} is not installed")


# Quiet servers, events to a JSON-lines file, no blacklisting between the cases of a table
# (a level-2 finding would otherwise blacklist 127.0.0.1 for the rest of the HTTP suite).
def server_params(log_path, **extra):
    p = {
        "VERBOSE": 0,
        "BLACKLIST_OVERRIDE": True,
        "LOG_ENABLED": True,
        "LOG_PROTOCOL": "file",
        "LOG_PATH": str(log_path),
        "LOG_FORMAT": "json",
    }
    p.update(extra)
    return p


def _fields(record):
    """One ``json``-format record (pyrasp's: ``log_data = [check, ip, country, details]``) as
    ``{check, ip, location, path, level, mcp}``; ``ip`` None when unknown, ``mcp`` the
    event's MCP detail when the format carries it."""
    check, ip, _country, details = record["log_data"]
    return {
        "check": check,
        "ip": ip or None,
        "location": details.get("location"),
        "path": details.get("path"),
        "level": details.get("action"),
        "mcp": details.get("mcp"),
    }


def events(path, count=0, timeout=5.0):
    """The events in ``path`` (see ``_fields``), waiting up to ``timeout`` s for at least
    ``count``."""
    deadline = time.time() + timeout
    while True:
        try:
            with open(path, encoding="utf-8") as f:
                found = [_fields(json.loads(line)) for line in f if line.strip()]
        except FileNotFoundError:
            found = []
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.05)


def side_effects(path):
    """The tool bodies that ran: ``[{"tool": ..., "args": {...}}]``."""
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(effects, params=None, off=False):
    env = dict(os.environ)
    env["MCP_SIDE_EFFECTS"] = str(effects)
    env["IRONWARD_MCP_PARAMS"] = json.dumps(params or {})
    if off:
        env["IRONWARD_MCP_OFF"] = "1"
    return env


@contextlib.contextmanager
def http_server(sdk, env, timeout=30):
    """Serves mcp_server.py over streamable HTTP; yields the endpoint URL."""
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, SERVER, sdk, "http", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"MCP server did not start: {log.read().decode(errors='replace')}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def is_error(result):
    """``isError`` of a ``CallToolResult``: ``is_error`` in mcp 2, ``isError`` in mcp 1."""
    value = getattr(result, "is_error", None) if "is_error" in dir(result) else None
    if value is None:
        value = getattr(result, "isError", False)
    return bool(value)


def text_of(result):
    """The text of a ``CallToolResult``'s content blocks."""
    return "\n".join(getattr(c, "text", "") for c in result.content)


class Session:
    """One connected client: ``await call(name, args) -> (is_error, text)``; ``raw`` is the
    SDK's client object."""

    def __init__(self, raw, kind):
        self.raw = raw
        self.kind = kind

    async def call(self, name, args):
        if self.kind == "fastmcp":
            r = await self.raw.call_tool_mcp(name, args)
        else:
            r = await self.raw.call_tool(name, args)
        text = text_of(r)
        return is_error(r), text


@contextlib.asynccontextmanager
async def connect(client, sdk, transport, env=None, url=None, headers=None):
    """A ``client`` SDK session (``mcp`` or ``fastmcp``) to mcp_server.py: a stdio subprocess
    serving ``sdk`` (with ``env``), or the streamable HTTP endpoint ``url`` (``headers`` on
    every request: fastmcp's client only)."""
    if client == "mcp":
        from mcp import ClientSession, StdioServerParameters, stdio_client

        if transport == "stdio":
            cm = stdio_client(StdioServerParameters(
                command=sys.executable, args=[SERVER, sdk, "stdio"], env=env))
        else:
            try:
                from mcp.client.streamable_http import streamable_http_client as http_client
            except ImportError:  # mcp 1
                from mcp.client.streamable_http import streamablehttp_client as http_client
            cm = http_client(url)
        async with cm as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                yield Session(session, "mcp")
    else:
        from fastmcp import Client
        from fastmcp.client.transports import StdioTransport, StreamableHttpTransport

        target = (StdioTransport(sys.executable, [SERVER, sdk, "stdio"], env=env)
                  if transport == "stdio" else StreamableHttpTransport(url, headers=headers))
        async with Client(target) as c:
            yield Session(c, "fastmcp")


def run(coro):
    return asyncio.run(coro)
