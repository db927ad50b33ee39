"""Per-request overhead of FlaskRASP on Flask's test client, bare vs protected, in one run.

Not a test (pytest does not collect it). Usage: python bench_flask.py [N]
Each request carries never-seen parameter values and browser-like headers. Prints the median
and p90 per request for both apps and the difference, plus import + construct time.
"""

import json
import statistics
import sys
import time

t0 = time.perf_counter()
import ironward  # noqa: E402

t_import = time.perf_counter() - t0

from flask import Flask, jsonify, request  # noqa: E402

HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.9",
    "Accept-Encoding": "gzip, deflate, br",
    "Referer": "https://shop.example/products",
    "Cookie": "session=0123456789abcdef; theme=dark",
}


def make_app():
    app = Flask(__name__)

    @app.route("/search")
    def search():
        return jsonify(q=request.args.get("q"))

    @app.route("/api/orders", methods=["POST"])
    def orders():
        return jsonify(request.get_json())

    return app


def run(client, n, offset):
    times = []
    for i in range(n):
        if i % 2:
            t = time.perf_counter()
            r = client.get(f"/search?q=running+shoes+{offset + i}&page={i}", headers=HEADERS)
        else:
            body = {"item": f"shoes-{offset + i}", "qty": i % 7, "note": f"gift {i}"}
            t = time.perf_counter()
            r = client.post("/api/orders", data=json.dumps(body), headers=HEADERS,
                            content_type="application/json")
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
    return times


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    bare = make_app().test_client()
    app = make_app()
    t = time.perf_counter()
    ironward.FlaskRASP(app, params={"VERBOSE": 0, "BLACKLIST_OVERRIDE": True,
                                    "SECURITY_CHECKS.flood": 0})
    t_construct = time.perf_counter() - t
    prot = app.test_client()
    run(bare, 300, 10**9)
    run(prot, 300, 2 * 10**9)
    b, p = [], []
    for k in range(4):  # interleave to share machine noise
        b += run(bare, n // 4, k * n)
        p += run(prot, n // 4, 10**8 + k * n)
    mb, mp = statistics.median(b), statistics.median(p)
    q = lambda xs: statistics.quantiles(xs, n=10)[-1]  # noqa: E731
    print(f"requests per app: {len(b)}")
    print(f"bare     median {mb * 1e6:8.1f} us   p90 {q(b) * 1e6:8.1f} us")
    print(f"ironward median {mp * 1e6:8.1f} us   p90 {q(p) * 1e6:8.1f} us")
    print(f"added    median {(mp - mb) * 1e6:8.1f} us")
    print(f"import ironward {t_import * 1e3:.1f} ms, construct FlaskRASP {t_construct * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
