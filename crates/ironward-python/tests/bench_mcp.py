"""Micro benchmark: what McpToolRASP adds to one MCP tool call.

Runs, in the same process and interleaved, the same ``tools/call`` through fastmcp's in-memory
client (no transport: the SDK's own dispatch is all that is left to compare against) on

* *plain*: a server without Ironward;
* *protected*: the same server protected by ``McpToolRASP`` (template ``mcp``): the arguments
  (five values, ~200 bytes of JSON) checked before the tool runs, its ~1 KB result through DLP;

and prints each one's p50 and p90 per call and the overhead (p50 difference), plus the check
alone (``check_arguments`` + ``check_result`` without the SDK). Usage (``fastmcp`` installed)::

    python tests/bench_mcp.py [rounds] [sdk]      # sdk: fastmcp (default) or mcp
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import mcp_server  # noqa: F401  (the tests' directory on sys.path)

ARGS = {
    "query": "kitchen chairs under 100 euros, oak or beech, delivered before Friday",
    "limit": 20,
    "sort": "price_asc",
    "filters": {"colour": "natural", "brand": ["Hêtre & Co", "Nordic Home"]},
    "url": "https://shop.example.com/catalogue?page=2",
}
RESULT = {"hits": [{"id": i, "name": f"Chair model {i}", "price": 49 + i,
                    "description": "Solid oak chair with a woven seat."} for i in range(12)]}


def build(sdk: str, protected: bool):
    if sdk == "mcp":
        from mcp.server.mcpserver import MCPServer as Server
    else:
        from fastmcp import FastMCP as Server
    server = Server("bench")

    @server.tool()
    async def search(query: str, limit: int, sort: str, filters: dict, url: str) -> dict:
        return RESULT

    if protected:
        from ironward import McpToolRASP

        McpToolRASP(server, params={"VERBOSE": 0})
    return server


async def run(rounds: int, sdk: str) -> None:
    from fastmcp import Client

    plain, protected = build(sdk, False), build(sdk, True)
    times = {"plain": [], "protected": []}
    async with Client(plain) as a, Client(protected) as b:
        for _ in range(50):  # warm up
            await a.call_tool_mcp("search", ARGS)
            await b.call_tool_mcp("search", ARGS)
        for _ in range(rounds):
            for name, c in (("plain", a), ("protected", b)):
                t = time.perf_counter()
                r = await c.call_tool_mcp("search", ARGS)
                times[name].append(time.perf_counter() - t)
                assert not r.is_error
    for name, ts in times.items():
        ts.sort()
        print(f"{name:>10}: p50 {statistics.median(ts) * 1e6:8.1f} us   "
              f"p90 {ts[int(len(ts) * 0.9)] * 1e6:8.1f} us")
    over = statistics.median(times["protected"]) - statistics.median(times["plain"])
    print(f"  overhead: p50 {over * 1e6:8.1f} us per call")

    from ironward import McpToolRASP

    rasp = McpToolRASP(None, params={"VERBOSE": 0})
    alone = []
    for _ in range(rounds):
        t = time.perf_counter()
        rasp.check_arguments("search", ARGS)
        rasp.check_result("search", RESULT)
        alone.append(time.perf_counter() - t)
    alone.sort()
    print(f"check only: p50 {statistics.median(alone) * 1e6:8.1f} us   "
          f"p90 {alone[int(len(alone) * 0.9)] * 1e6:8.1f} us")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    asyncio.run(run(n, sys.argv[2] if len(sys.argv) > 2 else "fastmcp"))
