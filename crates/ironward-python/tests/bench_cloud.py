"""What applying a management server's configuration costs, and what the alternative (a flag
checked on every request) would cost, for docs/python.md#management-server.

Not a test (pytest does not collect it). Usage: python bench_cloud.py [RUNS]
Prints the time of one remote-configuration apply (the agent's callback: the engine rebuilt
with the remote layer and swapped in; once per change, on the agent's thread) and the cost of a
per-request check (a Python attribute, a native getter).
"""

import json
import statistics
import sys
import time
import timeit

import flask

from ironward import FlaskRASP

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
app = flask.Flask("bench")
app.add_url_rule("/", "index", lambda: "home")
rasp = FlaskRASP(app, params={"VERBOSE": 0})
took = []
for i in range(runs):
    remote = json.dumps({"config": {"BLOCK_STATUS_CODE": 400 + i % 50}})
    t = time.perf_counter()
    assert rasp._apply_remote(remote) is None
    took.append(time.perf_counter() - t)
print(f"apply a remote configuration: median {statistics.median(took) * 1e3:.1f} ms, "
      f"max {max(took) * 1e3:.1f} ms ({runs} runs)")
n = 1_000_000
engine = rasp.engine
native = timeit.timeit("engine.fail_open", globals={"engine": engine}, number=n) / n
attr = timeit.timeit("rasp._remote is None", globals={"rasp": rasp}, number=n) / n
print(f"a per-request flag check: Python attribute {attr * 1e9:.0f} ns, "
      f"native getter {native * 1e9:.0f} ns")
client = app.test_client()
requests = 2000
t = time.perf_counter()
for _ in range(requests):
    client.get("/")
print(f"one Flask test-client request: {(time.perf_counter() - t) / requests * 1e6:.0f} us")
