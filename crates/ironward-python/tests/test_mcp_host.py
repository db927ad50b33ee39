"""McpHostRASP: real MCP clients (mcp's ClientSession, fastmcp's Client) protected by Ironward,
calling an unprotected real server (mcp_server.py, either SDK) over stdio and streamable
HTTP: a poisoned argument is refused before it is sent, a leaking or instruction-carrying
result never reaches the caller; level 3 reports and passes. Skips without the SDKs."""

import pytest

import _mcputil as mu
import mcp_server
from test_mcp_tool import ATTACKS

MATRIX = [
    ("mcp", "stdio", "mcp"),
    ("fastmcp", "http", "fastmcp"),
    ("mcp", "http", "fastmcp"),
    ("fastmcp", "stdio", "mcp"),
]


def _rasp(log, **extra):
    from ironward import McpHostRASP

    return McpHostRASP(params=mu.server_params(log, **extra))


async def _scenario(session, rasp, effects, log):
    from ironward import McpBlocked

    rasp.protect(session.raw)
    rasp.protect(session.raw)  # idempotent
    assert await session.call("echo", {"text": "hello ", "times": 2}) == (False, "hello hello ")
    assert len(mu.side_effects(effects)) == 1
    # Poisoned arguments: refused before sending; the server never saw them.
    for tool, args, check in ATTACKS:
        with pytest.raises(McpBlocked) as info:
            await session.call(tool, args)
        assert info.value.phase == "arguments" and info.value.tool == tool
        assert info.value.findings[0]["check"] == check
    assert len(mu.side_effects(effects)) == 1
    # Results: a private key, an AWS key id, instructions aimed at the model.
    for tool, args, check in [("read_key", {"name": "k"}, "dlp"),
                              ("cloud_config", {"profile": "p"}, "dlp"),
                              ("weather", {"city": "Paris"}, "prompt")]:
        with pytest.raises(McpBlocked) as info:
            await session.call(tool, args)
        assert info.value.phase == "result", tool
        assert info.value.findings[0]["check"] == check
        assert info.value.findings[0]["location"] == "mcp_result"
    # The tools ran (the server is not protected); their results stopped at the host.
    assert [e["tool"] for e in mu.side_effects(effects)][1:] == ["read_key", "cloud_config",
                                                                "weather"]
    rasp.engine.flush(5.0)
    found = mu.events(log, len(ATTACKS) + 3)
    assert [e["check"] for e in found] == [c for _, _, c in ATTACKS] + ["dlp", "dlp", "prompt"]
    assert all(e["ip"] is None for e in found)  # a host has no client IP to report


@pytest.mark.parametrize("sdk,transport,client", MATRIX,
                         ids=[f"{c}-client-{t}-{s}" for s, t, c in MATRIX])
async def test_protected_client(sdk, transport, client, tmp_path):
    mu.need(sdk)
    mu.need(client)
    effects, log = tmp_path / "effects.jsonl", tmp_path / "events.jsonl"
    env = mu.server_env(effects, off=True)
    rasp = _rasp(log)
    if transport == "stdio":
        async with mu.connect(client, sdk, "stdio", env=env) as session:
            await _scenario(session, rasp, effects, log)
    else:
        with mu.http_server(sdk, env) as url:
            async with mu.connect(client, sdk, "http", url=url) as session:
                await _scenario(session, rasp, effects, log)


async def test_fastmcp_call_tool_and_level_3(tmp_path, monkeypatch):
    """fastmcp.Client.call_tool (the parsed result) is covered too; at level 3 findings are
    reported and the call and its result go through. In memory: no transport needed."""
    mu.need("fastmcp")
    from fastmcp import Client
    from fastmcp.exceptions import ToolError
    from ironward import McpBlocked, McpHostRASP

    monkeypatch.setenv("MCP_SIDE_EFFECTS", str(tmp_path / "effects.jsonl"))
    server, _ = mcp_server.build("fastmcp")
    log = tmp_path / "events.jsonl"
    rasp = McpHostRASP(params=mu.server_params(log))
    async with Client(server) as client:
        rasp.protect(client)
        assert (await client.call_tool("echo", {"text": "ok"})).data == "ok"
        with pytest.raises(McpBlocked) as info:
            await client.call_tool("echo", {"text": "; cat /etc/passwd"})
        assert not isinstance(info.value, ToolError)  # a host's block is not a tool error
        with pytest.raises(McpBlocked):
            await client.call_tool("read_key", {"name": "k"})
        # One checked call without wrapping a client.
        other = Client(server)
        async with other:
            assert (await rasp.call_tool(other, "echo", {"text": "x", "times": 3})).data == "xxx"
            with pytest.raises(McpBlocked):
                await rasp.call_tool(other, "cloud_config", {"profile": "p"})

    checks = ("chars", "command", "code_injection", "xss", "sqli", "path_traversal", "ssrf",
              "prompt", "dlp")
    monitor = McpHostRASP(params=mu.server_params(
        tmp_path / "monitor.jsonl", SECURITY_CHECKS={c: 3 for c in checks}))
    async with Client(server) as client:
        monitor.protect(client)
        r = await client.call_tool("echo", {"text": "; cat /etc/passwd"})
        assert r.data == "; cat /etc/passwd"
        r = await client.call_tool("weather", {"city": "Paris"})
        assert r.data == mcp_server.INJECTED_OUTPUT
    monitor.engine.flush(5.0)
    found = mu.events(tmp_path / "monitor.jsonl")
    assert found and {e["level"] for e in found} == {3}
    assert "prompt" in [e["check"] for e in found]


def test_unprotectable_client():
    from ironward import McpHostRASP

    with pytest.raises(TypeError):
        McpHostRASP(object(), params={"VERBOSE": 0})


async def test_mcp_client_in_memory(tmp_path, monkeypatch):
    """mcp 2's high-level ``mcp.Client`` (an in-memory connection to the server object)."""
    mu.need("mcp")
    try:
        from mcp import Client
    except ImportError:
        pytest.skip("mcp 1 has no mcp.Client")
    from ironward import McpBlocked, McpHostRASP

    monkeypatch.setenv("MCP_SIDE_EFFECTS", str(tmp_path / "effects.jsonl"))
    server, _ = mcp_server.build("mcp")
    rasp = McpHostRASP(params={"VERBOSE": 0})
    async with Client(server) as client:
        rasp.protect(client)
        assert mu.text_of(await client.call_tool("echo", {"text": "ok"})) == "ok"
        with pytest.raises(McpBlocked) as info:
            await client.call_tool("echo", {"text": "http://169.254.169.254/latest/meta-data/"})
        assert info.value.phase == "arguments"
        with pytest.raises(McpBlocked) as info:
            await client.call_tool("read_key", {"name": "k"})
        assert info.value.phase == "result"
    assert [e["tool"] for e in mu.side_effects(tmp_path / "effects.jsonl")] == ["echo", "read_key"]
