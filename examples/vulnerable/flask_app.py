"""A deliberately vulnerable Flask shop: one injectable endpoint per sink (SQL, shell, argument
list, file path, outbound request). **Never deploy it.** See README.md beside this file.

Run unprotected, then protected by Ironward's ``sink`` template::

    DB=sqlite flask --app flask_app run -p 8000
    IRONWARD=1 DB=sqlite flask --app flask_app run -p 8000

``IRONWARD=1`` wraps the app in ``FlaskRASP(app, template="sink", params=...)``; the request-side
injection checks then only report (level 3) and the sink checks decide. ``IRONWARD_PARAMS``
(a JSON object) adds parameters, ``IRONWARD_CONF`` names a configuration file.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
from typing import Any, Callable, Dict, Optional, Tuple

from flask import Flask, jsonify, request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vulnlib  # noqa: E402  (beside this file)
from vulnlib import Backend  # noqa: E402

__all__ = ["create_app"]


def _env_params() -> Dict[str, Any]:
    raw = os.environ.get("IRONWARD_PARAMS", "")
    return json.loads(raw) if raw else {}


def create_app(
    backend: Optional[Backend] = None,
    protect: Optional[bool] = None,
    base_dir: Optional[str] = None,
    rasp_params: Optional[Dict[str, Any]] = None,
    internal_service: Optional[str] = None,
) -> Flask:
    """Builds the app.

    ``backend`` defaults to :func:`vulnlib.backend_from_env` (seeded here); ``protect`` to
    ``IRONWARD=1`` in the environment; ``base_dir`` to a fresh files directory;
    ``rasp_params`` to ``IRONWARD_PARAMS``; ``internal_service`` (the base URL that
    ``/fetch/status`` asks) to ``INTERNAL_SERVICE``.
    """
    db = backend or vulnlib.backend_from_env()
    db.seed()
    base = vulnlib.make_base_dir(base_dir or os.environ.get("VULN_BASE"))
    service = internal_service or os.environ.get("INTERNAL_SERVICE", "http://127.0.0.1:9")
    app = Flask(__name__)
    app.config["DB"] = db
    app.config["BASE"] = base

    def rows(fn: Callable[[], Any]) -> Tuple[Any, int]:
        """The rows as JSON, or the database error text (error-based injection works, as in
        many real apps). Only the driver's errors are caught: ``ironward.Blocked`` passes."""
        try:
            return jsonify(rows=[list(r) for r in fn()]), 200
        except db.errors() as e:
            return jsonify(error=str(e)), 500

    def arg(name: str) -> str:
        return request.args.get(name, "")

    # --- SQL ---------------------------------------------------------------------------------
    @app.get("/sql/search")
    def sql_search() -> Any:
        return rows(lambda: db.search(arg("q")))

    @app.get("/sql/search_escaped")
    def sql_search_escaped() -> Any:
        return rows(lambda: db.search_escaped(arg("q")))

    @app.get("/sql/search_slashed")
    def sql_search_slashed() -> Any:
        return rows(lambda: db.search_slashed(arg("q")))

    @app.get("/sql/search_dollar")
    def sql_search_dollar() -> Any:
        if db.kind != "postgres":
            return jsonify(error="PostgreSQL only"), 404
        return rows(lambda: db.search_dollar(arg("q")))

    @app.get("/sql/item")
    def sql_item() -> Any:
        return rows(lambda: db.item(arg("id")))

    @app.get("/sql/sorted")
    def sql_sorted() -> Any:
        return rows(lambda: db.sorted_products(arg("order") or "id"))

    @app.get("/sql/login")
    def sql_login() -> Any:
        return rows(lambda: db.login(arg("user"), arg("password")))

    @app.get("/sql/search_swallow")
    def sql_search_swallow() -> Any:
        # A view that swallows every exception (ironward.Blocked included) and answers 200:
        # the adapter must still answer the block.
        try:
            return jsonify(rows=[list(r) for r in db.search(arg("q"))])
        except Exception as e:  # noqa: BLE001 (vulnerable on purpose)
            return jsonify(error=str(e))

    @app.get("/sql/find")
    def sql_find() -> Any:
        return rows(lambda: db.find_safe(arg("q")))

    @app.post("/sql/notes")
    def sql_notes() -> Any:
        return rows(lambda: db.add_note(request.form.get("body", "")))

    # --- shell and argument lists ------------------------------------------------------------
    @app.get("/shell/ping")
    def shell_ping() -> Any:
        return jsonify(output=vulnlib.shell_echo(arg("host")))

    @app.get("/shell/ping_quoted")
    def shell_ping_quoted() -> Any:
        return jsonify(output=vulnlib.shell_echo_quoted(arg("host")))

    @app.get("/shell/hello")
    def shell_hello() -> Any:
        return jsonify(output=vulnlib.shell_popen(arg("name")))

    @app.get("/shell/count")
    def shell_count() -> Any:
        return jsonify(output=vulnlib.count_lines(base, arg("file")))

    # --- file paths --------------------------------------------------------------------------
    @app.get("/file/read")
    def file_read() -> Any:
        try:
            return jsonify(content=vulnlib.read_public(base, arg("name")))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            return jsonify(error=str(e)), 404

    @app.get("/file/read_pathlib")
    def file_read_pathlib() -> Any:
        try:
            return jsonify(content=vulnlib.read_public_pathlib(base, arg("name")))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            return jsonify(error=str(e)), 404

    # --- outbound requests -------------------------------------------------------------------
    @app.get("/fetch")
    def fetch() -> Any:
        try:
            return jsonify(body=vulnlib.fetch(arg("url")))
        except (urllib.error.URLError, ValueError, TimeoutError) as e:
            return jsonify(error=str(e)), 502

    @app.get("/fetch/requests")
    def fetch_requests() -> Any:
        import requests

        try:
            return jsonify(body=vulnlib.fetch_requests(arg("url")))
        except (requests.RequestException, ValueError) as e:
            return jsonify(error=str(e)), 502

    @app.get("/fetch/status")
    def fetch_status() -> Any:
        try:
            return jsonify(body=vulnlib.fetch_status(service, arg("q")))
        except (urllib.error.URLError, TimeoutError) as e:
            return jsonify(error=str(e)), 502

    protected = os.environ.get("IRONWARD") == "1" if protect is None else protect
    if protected:
        from ironward import FlaskRASP

        params = _env_params() if rasp_params is None else rasp_params
        FlaskRASP(app, template="sink", params=params)
    app.config["IRONWARD"] = protected
    return app


if __name__ == "__main__":
    # `flask --app flask_app run` and `gunicorn 'flask_app:create_app()'` call the factory.
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
