"""A deliberately vulnerable FastAPI shop, the twin of ``flask_app.py``: one injectable endpoint
per sink. **Never deploy it.** See README.md beside this file.

Run unprotected, then protected by Ironward's ``sink`` template::

    DB=sqlite uvicorn --factory fastapi_app:create_app --port 8000
    IRONWARD=1 DB=sqlite uvicorn --factory fastapi_app:create_app --port 8000

The endpoints are plain ``def`` functions (FastAPI runs them in its thread pool, so the request
context Ironward keeps in a ``contextvars`` variable must follow them there), except the
file reads, which are ``async def`` and run on the event loop.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
from typing import Any, Callable, Dict, Optional

from fastapi import FastAPI, Form
from fastapi.responses import JSONResponse

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
) -> FastAPI:
    """Builds the app; the arguments mean what they mean in ``flask_app.create_app``."""
    db = backend or vulnlib.backend_from_env()
    db.seed()
    base = vulnlib.make_base_dir(base_dir or os.environ.get("VULN_BASE"))
    service = internal_service or os.environ.get("INTERNAL_SERVICE", "http://127.0.0.1:9")
    app = FastAPI()

    def rows(fn: Callable[[], Any]) -> JSONResponse:
        """The rows as JSON, or the database error text. Only the driver's errors are
        caught: ``ironward.Blocked`` passes."""
        try:
            return JSONResponse({"rows": [list(r) for r in fn()]})
        except db.errors() as e:
            return JSONResponse({"error": str(e)}, status_code=500)

    # --- SQL ---------------------------------------------------------------------------------
    @app.get("/sql/search")
    def sql_search(q: str = "") -> JSONResponse:
        return rows(lambda: db.search(q))

    @app.get("/sql/search_escaped")
    def sql_search_escaped(q: str = "") -> JSONResponse:
        return rows(lambda: db.search_escaped(q))

    @app.get("/sql/search_slashed")
    def sql_search_slashed(q: str = "") -> JSONResponse:
        return rows(lambda: db.search_slashed(q))

    @app.get("/sql/search_dollar")
    def sql_search_dollar(q: str = "") -> JSONResponse:
        if db.kind != "postgres":
            return JSONResponse({"error": "PostgreSQL only"}, status_code=404)
        return rows(lambda: db.search_dollar(q))

    @app.get("/sql/item")
    def sql_item(id: str = "") -> JSONResponse:  # noqa: A002 (the parameter's public name)
        return rows(lambda: db.item(id))

    @app.get("/sql/sorted")
    def sql_sorted(order: str = "id") -> JSONResponse:
        return rows(lambda: db.sorted_products(order or "id"))

    @app.get("/sql/login")
    def sql_login(user: str = "", password: str = "") -> JSONResponse:
        return rows(lambda: db.login(user, password))

    @app.get("/sql/search_swallow")
    def sql_search_swallow(q: str = "") -> JSONResponse:
        # A view that swallows every exception (ironward.Blocked included) and answers 200:
        # the adapter must still answer the block.
        try:
            return JSONResponse({"rows": [list(r) for r in db.search(q)]})
        except Exception as e:  # noqa: BLE001 (vulnerable on purpose)
            return JSONResponse({"error": str(e)})

    @app.get("/sql/find")
    def sql_find(q: str = "") -> JSONResponse:
        return rows(lambda: db.find_safe(q))

    @app.post("/sql/notes")
    def sql_notes(body: str = Form("")) -> JSONResponse:
        return rows(lambda: db.add_note(body))

    # --- shell and argument lists ------------------------------------------------------------
    @app.get("/shell/ping")
    def shell_ping(host: str = "") -> Dict[str, str]:
        return {"output": vulnlib.shell_echo(host)}

    @app.get("/shell/ping_quoted")
    def shell_ping_quoted(host: str = "") -> Dict[str, str]:
        return {"output": vulnlib.shell_echo_quoted(host)}

    @app.get("/shell/hello")
    def shell_hello(name: str = "") -> Dict[str, str]:
        return {"output": vulnlib.shell_popen(name)}

    @app.get("/shell/count")
    def shell_count(file: str = "") -> Dict[str, str]:
        return {"output": vulnlib.count_lines(base, file)}

    # --- file paths (async: on the event loop) -----------------------------------------------
    @app.get("/file/read")
    async def file_read(name: str = "") -> JSONResponse:
        try:
            return JSONResponse({"content": vulnlib.read_public(base, name)})
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            return JSONResponse({"error": str(e)}, status_code=404)

    @app.get("/file/read_pathlib")
    async def file_read_pathlib(name: str = "") -> JSONResponse:
        try:
            return JSONResponse({"content": vulnlib.read_public_pathlib(base, name)})
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            return JSONResponse({"error": str(e)}, status_code=404)

    # --- outbound requests -------------------------------------------------------------------
    @app.get("/fetch")
    def fetch(url: str = "") -> JSONResponse:
        try:
            return JSONResponse({"body": vulnlib.fetch(url)})
        except (urllib.error.URLError, ValueError, TimeoutError) as e:
            return JSONResponse({"error": str(e)}, status_code=502)

    @app.get("/fetch/requests")
    def fetch_requests(url: str = "") -> JSONResponse:
        import requests

        try:
            return JSONResponse({"body": vulnlib.fetch_requests(url)})
        except (requests.RequestException, ValueError) as e:
            return JSONResponse({"error": str(e)}, status_code=502)

    @app.get("/fetch/status")
    def fetch_status(q: str = "") -> JSONResponse:
        try:
            return JSONResponse({"body": vulnlib.fetch_status(service, q)})
        except (urllib.error.URLError, TimeoutError) as e:
            return JSONResponse({"error": str(e)}, status_code=502)

    protected = os.environ.get("IRONWARD") == "1" if protect is None else protect
    if protected:
        from ironward import FastApiRASP

        params = _env_params() if rasp_params is None else rasp_params
        FastApiRASP(app, template="sink", params=params)
    app.state.ironward = protected
    return app
