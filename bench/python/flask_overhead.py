"""What a RASP adds to a minimal Flask app: per-request time, start-up, resident memory.

One run measures, each in a fresh process:

* Ironward (``ironward.FlaskRASP``, this interpreter), and
* pyrasp 0.10.2 (``pyrasp.pyrasp.FlaskRASP``), when ``--pyrasp-python`` (or the
  ``PYRASP_PYTHON`` environment variable) names a Python 3.12 with pyrasp installed.

Each process builds two identical minimal Flask apps, one bare and one protected (the
``default`` template, flood check off so that one client may send thousands of requests,
``VERBOSE`` 0), and sends them the reference requests of ``ironward-core``
(``crates/ironward-core/src/reference.rs``): a plain GET, a GET with ten parameters and a 2 KB
JSON POST, with browser headers. Every request carries never-seen values (pyrasp caches its
scores per value), and bare and protected requests alternate so that both see the same
machine noise. Through Flask's test client: no network, so the difference is the RASP.

Reported per RASP: median (and p90) added time per request type (for Ironward also the median
time of the request inspection itself: the body read plus the native call), start-up (the import plus
the constructor, after Flask is imported and the app built) and resident memory added (after
the protected app has served its requests, against the process after the bare app's warm-up).

Usage::

    python bench/python/flask_overhead.py [--n 2000] [--pyrasp-n 300]
        [--pyrasp-python ~/venvs/pyrasp312/bin/python] [--python PYTHON] [--json]

Needs Flask (and ``ironward``) in this interpreter; no network.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)

PARAMS = {"VERBOSE": 0, "SECURITY_CHECKS.flood": 0, "BLACKLIST_OVERRIDE": True}

HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
    "Accept-Encoding": "gzip, deflate, br",
    "Referer": "https://shop.example.com/catalog?category=shoes",
    "Connection": "keep-alive",
}

KINDS = ("plain_get", "get_10_params", "json_post_2kb")


def rss_bytes() -> int:
    """The current resident set size (Linux ``/proc``; else the peak, from ``getrusage``)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def json_body(n: int) -> bytes:
    """The reference 2 KB JSON order, with values never seen before (``n`` is unique)."""
    items = ",".join(
        '{"sku":"SKU-%05d-%d","name":"Trail running shoe model %d edition %d","qty":%d,'
        '"price":%d.99,"tags":["sport","outdoor"],"gift":false}' % (i, n, i, n, i % 3 + 1, 40 + i)
        for i in range(15)
    )
    return (
        '{"customer":{"id":%d,"name":"Ada O\'Brien %d","email":"ada.obrien%d@example.com",'
        '"address":{"street":"%d Harbour Road","city":"Cork","zip":"T12 X70A","country":"IE"}},'
        '"items":[%s],"notes":"Please leave parcel %d at the side door, thanks!","coupon":null}'
        % (n, n, n, n % 500, items, n)
    ).encode()


def send(client, kind: str, n: int):
    """One reference request with never-seen values; returns the response."""
    headers = dict(HEADERS)
    headers["Cookie"] = "session=%032x; theme=dark; consent=yes" % n
    if kind == "plain_get":
        return client.get("/", headers=headers)
    if kind == "get_10_params":
        q = (
            "/search?q=running+shoes+%d&category=sport%d&size=%d&color=blue%d&sort=price_asc"
            "&page=%d&per_page=24&brand=Acme%d&min_price=%d&max_price=%d"
            % (n, n, 30 + n % 20, n, n % 50, n, n % 40, 100 + n % 400)
        )
        return client.get(q, headers=headers)
    return client.post("/api/orders", data=json_body(n), headers=headers,
                       content_type="application/json")


def make_app():
    from flask import Flask, jsonify, request

    app = Flask("bench")

    @app.route("/")
    def index():
        return "home"

    @app.route("/search")
    def search():
        return jsonify(q=request.args.get("q"), page=request.args.get("page"))

    @app.route("/api/orders", methods=["POST"])
    def orders():
        doc = request.get_json()
        return jsonify(items=len(doc["items"]))

    return app


def worker(rasp: str, n: int) -> dict:
    """Runs in a fresh process: builds the apps, protects one, measures."""
    bare_app = make_app()
    prot_app = make_app()
    bare = bare_app.test_client()
    counter = [10**9 * (1 if rasp == "ironward" else 2)]

    def fresh() -> int:
        counter[0] += 1
        return counter[0]

    for _ in range(100):
        for kind in KINDS:
            send(bare, kind, fresh())
    gc.collect()
    rss0 = rss_bytes()
    t = time.perf_counter()
    if rasp == "ironward":
        import ironward

        rasp_obj = ironward.FlaskRASP(prot_app, params=PARAMS)
        version = ironward.__version__
    else:
        from pyrasp.pyrasp import FlaskRASP  # type: ignore

        FlaskRASP(prot_app, params=PARAMS)
        import importlib.metadata

        version = importlib.metadata.version("pyrasp")
    startup = time.perf_counter() - t
    prot = prot_app.test_client()
    statuses: dict = {}
    for _ in range(30):
        for kind in KINDS:
            send(prot, kind, fresh())
    times = {k: ([], []) for k in KINDS}
    gc.collect()
    for _ in range(n):
        for kind in KINDS:
            for which, client in ((0, bare), (1, prot)):
                v = fresh()
                t0 = time.perf_counter()
                r = send(client, kind, v)
                times[kind][which].append(time.perf_counter() - t0)
                if which:
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    gc.collect()
    rss1 = rss_bytes()
    inspection = {}
    if rasp == "ironward":
        # A separate pass: how much of the added time is the request inspection itself (the
        # body read plus the native call), timed around ``inspect_wsgi``.
        base = rasp_obj.inspect_wsgi
        spent: list = []

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return base(*a, **k)
            finally:
                spent.append(time.perf_counter() - t0)

        rasp_obj.inspect_wsgi = timed
        for kind in KINDS:
            spent.clear()
            for _ in range(max(n // 2, 50)):
                send(prot, kind, fresh())
            inspection[kind] = statistics.median(spent) * 1e6
        del rasp_obj.inspect_wsgi
    out = {
        "rasp": rasp,
        "version": version,
        "python": sys.version.split()[0],
        "n": n,
        "startup_ms": startup * 1e3,
        "rss_added_mb": (rss1 - rss0) / 2**20,
        "rss_bare_mb": rss0 / 2**20,
        "statuses": statuses,
        "requests": {},
    }
    for kind, (b, p) in times.items():
        mb, mp = statistics.median(b), statistics.median(p)
        out["requests"][kind] = {
            "bare_us": mb * 1e6,
            "protected_us": mp * 1e6,
            "added_us": (mp - mb) * 1e6,
            "p90_added_us": (statistics.quantiles(p, n=10)[-1]
                             - statistics.quantiles(b, n=10)[-1]) * 1e6,
            "inspection_us": inspection.get(kind),
        }
    return out


def run_worker(python: str, rasp: str, n: int) -> dict:
    proc = subprocess.run([python, HERE, "--worker", rasp, "--n", str(n)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{rasp} worker failed ({python}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: list) -> str:
    lines = [
        "| | " + " | ".join(f"{r['rasp']} {r['version']} (Python {r['python']})"
                           for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for kind in KINDS:
        cells = []
        for r in results:
            q = r["requests"][kind]
            cell = f"+{q['added_us']:,.0f} µs (bare {q['bare_us']:,.0f} µs"
            if q.get("inspection_us") is not None:
                cell += f"; inspection {q['inspection_us']:,.0f} µs"
            cells.append(cell + ")")
        lines.append(f"| {kind}: median added | " + " | ".join(cells) + " |")
    lines.append("| start-up (import + construct) | "
                 + " | ".join(f"{r['startup_ms']:,.0f} ms" for r in results) + " |")
    lines.append("| resident memory added | "
                 + " | ".join(f"{r['rss_added_mb']:,.1f} MB" for r in results) + " |")
    lines.append("| requests per type / responses | "
                 + " | ".join(f"{r['n']} / {r['statuses']}" for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", choices=["ironward", "pyrasp"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=2000, help="requests per type (Ironward)")
    ap.add_argument("--pyrasp-n", type=int, default=300, help="requests per type (pyrasp)")
    ap.add_argument("--pyrasp-python", default=os.environ.get("PYRASP_PYTHON"),
                    help="a Python 3.12 with pyrasp 0.10.2 installed (skipped when absent)")
    ap.add_argument("--python", default=sys.executable,
                    help="the interpreter for the Ironward run (default: this one); give the "
                         "pyrasp interpreter (with ironward installed) to compare on one Python")
    ap.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n)))
        return
    results = [run_worker(os.path.expanduser(args.python), "ironward", args.n)]
    if args.pyrasp_python:
        results.append(run_worker(os.path.expanduser(args.pyrasp_python), "pyrasp",
                                  args.pyrasp_n))
    else:
        print("(pyrasp: skipped; pass --pyrasp-python)", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
