"""Micro benchmark: the per-query overhead of the SQL sink check on ``sqlite3`` execute.

Runs, in the same process and interleaved, the same ``conn.execute(query).fetchall()`` on an
in-memory database

* *unguarded*: a plain ``sqlite3`` connection (opened before instrumentation), no context;
* *instrumented, no request*: an instrumented connection outside any request context (what
  every query of a process with Ironward installed pays outside requests);
* *guarded*: an instrumented connection inside a request context holding 20 inputs typical of
  a request (none occurs in the query), i.e. the full check;
* *guarded, one input occurs*: an input (a name) occurs in the query, inside a literal.

and prints each one's p50 and p90 per query, and the overhead (p50 difference with the
unguarded run). Target (issue 13): ≤ 5 µs per query. Usage::

    python tests/bench_sinks.py [rounds]
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from typing import Callable, Dict, List

INPUTS = [
    "alice", "42", "2024-01-01", "en-US,en;q=0.9", "keep-alive", "text/html,application/xhtml+xml",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "session=abcdef0123456789",
    "price_asc", "25", "electronics", "blue", "https://example.com/ref", "gzip, deflate, br",
    "no-cache", "XMLHttpRequest", "1", "search term here", "{\"a\": 1}", "utf-8",
]
QUERY = ("SELECT p.id, p.name, p.price FROM products p JOIN categories c ON c.id = p.category_id "
         "WHERE c.slug = 'kitchen' AND p.price < 100 ORDER BY p.price LIMIT 20")
QUERY_OCCURS = QUERY.replace("'kitchen'", "'electronics'")


def setup(conn: sqlite3.Connection) -> None:
    conn.executescript(
        "CREATE TABLE categories (id INTEGER PRIMARY KEY, slug TEXT);"
        "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL,"
        " category_id INTEGER);"
        "INSERT INTO categories VALUES (1, 'kitchen'), (2, 'electronics');"
    )


def timed(fn: Callable[[], object], n: int) -> List[float]:
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t = clock()
        fn()
        out.append(clock() - t)
    return out


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    per_round = 2000
    plain = sqlite3.connect(":memory:")  # before instrumentation: the C type itself
    setup(plain)

    import ironward
    from ironward._sinks import enter, leave

    guard = ironward.protect(params={"VERBOSE": 0, "SINK_CHECKS": {"sql": 1}})
    inst = sqlite3.connect(":memory:")
    setup(inst)
    assert type(inst) is not sqlite3.Connection, "sqlite3.connect is not instrumented"
    ctx = ironward.SinkContext.from_values(INPUTS)

    def unguarded() -> None:
        plain.execute(QUERY).fetchall()

    def no_request() -> None:
        inst.execute(QUERY).fetchall()

    def guarded() -> None:
        inst.execute(QUERY).fetchall()

    def guarded_occurs() -> None:
        inst.execute(QUERY_OCCURS).fetchall()

    samples: Dict[str, List[float]] = {k: [] for k in
                                       ("unguarded", "no_request", "guarded", "occurs")}
    for _ in range(rounds):
        samples["unguarded"] += timed(unguarded, per_round)
        samples["no_request"] += timed(no_request, per_round)
        state, token = enter(guard.engine, ctx)
        try:
            samples["guarded"] += timed(guarded, per_round)
            samples["occurs"] += timed(guarded_occurs, per_round)
        finally:
            leave(token)
        assert state.blocked is None

    def q(xs: List[float], p: float) -> float:
        return statistics.quantiles(xs, n=100)[int(p) - 1] / 1000.0

    base = statistics.median(samples["unguarded"]) / 1000.0
    report = {}
    for name, xs in samples.items():
        p50 = statistics.median(xs) / 1000.0
        report[name] = {"p50_us": round(p50, 3), "p90_us": round(q(xs, 90), 3),
                        "overhead_p50_us": round(p50 - base, 3)}
        print(f"{name:>11}: p50 {p50:7.3f} µs  p90 {q(xs, 90):7.3f} µs  "
              f"overhead {p50 - base:+7.3f} µs")
    print(json.dumps({"queries_per_case": rounds * per_round, "inputs": len(INPUTS),
                      "python": sys.version.split()[0], "report": report}))


if __name__ == "__main__":
    main()
