"""The Flask app of the gunicorn soak (``scripts/soak.sh``): the routes of
``bench/soak/src/bin/soak_server.rs`` — ``GET /``, ``GET /api/items?q=…`` (the query
read through ``request.args``), ``POST /echo`` (the body echoed) — protected by FlaskRASP with
the configuration file named by ``IRONWARD_SOAK_CONF`` (the same file as the tower server:
``TRUSTED_PROXIES`` 127.0.0.1, ``flood`` and ``brute`` at level 2).

    IRONWARD_SOAK_CONF=soak.json gunicorn --chdir bench/python soak_wsgi_app:app

The test suite's ``crates/ironward-python/tests/gunicorn_app.py`` serves the same kind of app,
but with a fixed configuration that does not trust the loopback proxy, so every request of a
load generator on 127.0.0.1 would be one client (blacklisted at its first attack).
"""

import os

from flask import Flask, request

from ironward import FlaskRASP

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/api/items")
def items():
    q = request.args.get("q", "")
    return f"items: {len(request.args)} parameters, q of {len(q)} bytes"


@app.route("/echo", methods=["POST"])
def echo():
    return request.get_data()


rasp = FlaskRASP(app, conf=os.environ.get("IRONWARD_SOAK_CONF") or None)
