"""Route-aware decoys: a path the application's router serves is never a decoy hit, whatever
``DECOY_ROUTES`` says (pyrasp's default list end-matches ``/login``, ``/admin`` and ``.php``);
a listed path the router does not serve still is. Through each framework's own test client."""

import pytest

from ironward import FlaskRASP

SERVED = ["/login", "/account/admin", "/index.php"]
NOT_SERVED = ["/admin", "/wp-login.php", "/.env"]


def flask_client():
    from flask import Flask

    app = Flask(__name__)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        return "login form"

    @app.route("/account/admin")
    def account_admin():
        return "account admin"

    @app.route("/index.php")
    def index_php():
        return "legacy"

    FlaskRASP(app, params={"VERBOSE": 0, "BLACKLIST_OVERRIDE": True})
    return app.test_client()


def test_flask_served_routes_are_not_decoys():
    c = flask_client()
    for path in SERVED:
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
    # A served path with another method is the app's too (405, not a decoy 403).
    assert c.delete("/login").status_code == 405
    for path in NOT_SERVED:
        assert c.get(path).status_code == 403, path


def test_fastapi_served_routes_are_not_decoys():
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ironward import FastApiRASP

    app = FastAPI()

    @app.get("/login")
    def login():
        return {"ok": True}

    @app.get("/index.php")
    def index_php():
        return {"ok": True}

    FastApiRASP(app, params={"VERBOSE": 0, "BLACKLIST_OVERRIDE": True})
    c = TestClient(app)
    assert c.get("/login").status_code == 200
    assert c.get("/index.php").status_code == 200
    for path in NOT_SERVED:
        assert c.get(path).status_code == 403, path
